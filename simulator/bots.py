"""How bots act: a role played by the simulation works the duties handed to it.

Each duty a bot-played role takes up is a process of its own (`Bot.work`, a generator driven as
SimPy drives a process: `_Work`): it reacts (a sampled delay), may forget, waits for a free
member of the role (`_Members`, in order of deadline), works (a sampled time) and then acts: a
task, a grade, a classification or a report over the obligation's channels, each channel chain
tried in turn. Its draws are keyed by the duty and its occurrence, so runs of two plan variants
share random numbers where they do the same thing.
"""

from __future__ import annotations

import heapq
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, cast

import simpy
from simpy.events import Initialize

from .agenda import Agenda
from .plan import Runtime
from .rng import Streams

if TYPE_CHECKING:
    from .model import Procedure
    from .world import World

_MAX_ATTEMPTS = 3  # a bot tries a message this many times before giving up on it


class Bots:
    """The part of the `World` that hands duties to the bot-played roles."""

    # what it reads of the world (set by World.__init__)
    rt: Runtime
    proc: Procedure
    env: simpy.Environment
    rng: Streams
    agenda: Agenda
    level: dict[str, int]
    declared: dict[str, int]
    held: dict[str, list]
    bots: dict[str, Bot | None]  # a bot-played role's Bot, None until its first duty
    _bot_has: set[tuple]
    _draws_at: dict[tuple, int]

    if TYPE_CHECKING:  # what it calls of the other parts

        def actor(self, role: str) -> str | None: ...

    def _assign(self, oid: str, inc: str, n: int, deadline: float | None):
        role = self.proc.obligations[oid].role
        deadline = deadline if deadline is not None else float("inf")
        args = (oid, inc, n, deadline, self._draw_key(oid, inc, n))
        who = self.actor(role)
        if who is not None:
            self._give(who, *args)
        else:
            self.held.setdefault(role, []).append(lambda: self._give(self.actor(role), *args))

    def _draw_key(self, oid: str, inc: str, n: int) -> int | str:
        """What a bot's draws for occurrence n are keyed by: n itself for a duty that falls due
        once or recurs; for one that falls due again (retrigger), the level it answers and how
        often it has at that level. A variant that changes the grading path (one regrade more
        or less before) then still gives the regrade at level 1 the same draws: common random
        numbers hold for what the occurrence is, not for its position."""
        if oid in self.rt.once or self.proc.obligations[oid].every_min:
            return n
        level = self.level[inc] if oid in self.rt.grading_duty else self.declared[inc]
        key = (oid, inc, level)
        k = self._draws_at[key] = self._draws_at.get(key, 0) + 1
        return f"L{level}.{k}"

    def _give(self, who: str | None, oid: str, inc: str, n: int, deadline: float, draw: int | str):
        if who is None or who not in self.bots:
            return  # nobody acts for the role yet, or a person plays it
        bot = self.bots[who]
        if bot is None:  # most runs hand some roles nothing: their Bot is made on first use
            bot = self.bots[who] = Bot(cast("World", self), who)
        self._bot_has.add((oid, inc))
        _Work(self.env, bot.work(oid, inc, n, deadline, draw))


class _Work:
    """A duty in a bot's work: its generator driven by the events it yields, as a SimPy
    `Process` drives one, started by the same urgent `Initialize` event (so at the same point
    of the run), but without an event of its own for its end, which nobody waits for (about a
    fifth of a replication's SimPy events), nor SimPy's bookkeeping of the active process."""

    __slots__ = ("gen",)

    def __init__(self, env: simpy.Environment, gen: Generator[simpy.Event, Any, None]):
        self.gen = gen
        Initialize(env, self)  # type: ignore[arg-type]  # it reads only `_resume`

    def _resume(self, event: simpy.Event) -> None:
        gen = self.gen
        while True:
            try:
                if event._ok:
                    event = gen.send(event._value)
                else:  # a failed event (a failed report's sub-process): raised in the work
                    event._defused = True
                    event = gen.throw(event._value)
            except StopIteration:
                return
            if event.callbacks is not None:  # pending: resume when it happens
                event.callbacks.append(self._resume)
                return


class _Members:
    """A role's members: each duty in work holds one; the others wait in order of deadline.

    What a `simpy.PriorityResource` does (ties in order of asking), without its two SimPy events
    per use when a member is free, which is nearly always: a duty that finds one goes on at once.
    """

    __slots__ = ("env", "free", "waiting", "_asked")

    def __init__(self, env: simpy.Environment, capacity: int):
        self.env, self.free, self._asked = env, capacity, 0
        self.waiting: list[tuple[float, int, simpy.Event]] = []

    def acquire(self, priority: float) -> simpy.Event | None:
        """None: a member took it up now; otherwise an event to wait for."""
        if self.free and not self.waiting:
            self.free -= 1
            return None
        self._asked += 1
        granted = self.env.event()
        heapq.heappush(self.waiting, (priority, self._asked, granted))
        return granted

    def release(self):
        if self.waiting:
            heapq.heappop(self.waiting)[2].succeed()  # the member goes straight on to it
        else:
            self.free += 1


class Bot:
    """A role played by the simulation: each duty handed to it is a process of its own, and its
    members work them in order of deadline."""

    def __init__(self, world: World, role: str):
        self.w, self.role = world, role
        self.errors = world.proc.roles[role].errors
        self._members: _Members | None = None

    @property
    def members(self) -> _Members:
        if self._members is None:  # most roles get no duty in most runs: made when first needed
            self._members = _Members(self.w.env, self.w.proc.roles[self.role].members)
        return self._members

    def work(self, oid: str, inc: str, n: int, deadline: float, draw: int | str):
        """Duty n of obligation `oid`, due at `deadline`; its draws are keyed by `draw`."""
        w, role = self.w, self.role
        rng, env = w.rng, w.env
        every = w.proc.obligations[oid].every_min
        if n > 1 and every:  # a regular update is prepared towards its due time, not at once
            yield env.timeout(max(0.0, deadline - every / 3 - env._now))
        yield env.timeout(w.rt.reaction[role](rng.uniform("reaction", role, oid, inc, draw)))
        forget = self.errors.forget  # rng.chance, inlined
        if forget > 0 and rng.uniform("forget", role, oid, inc, draw) < forget:
            return
        members = self.members
        wait = members.acquire(deadline)
        if wait is not None:
            yield wait
        try:
            duty = w.agenda.latest(oid, inc)
            if duty is not None and duty.n == n and duty.done_at is not None:
                return  # somebody else met it meanwhile
            yield env.timeout(w.rt.work[oid](rng.uniform("work", role, oid, inc, draw)))
        finally:
            members.release()
        act = w.proc.obligations[oid].action
        if act.do == "task":
            w.do_task(role, inc, act.task)
        elif act.do == "grade":
            w.declare(role, inc, self._grade(oid, inc, draw))
        elif act.do == "classify":
            impact, urgency = self._classify(oid, inc, draw)
            w.classify(role, inc, impact, urgency, w.attrs[inc].get("category"))
        else:
            yield from self._report(oid, inc, draw, act)
        w.evaluate()

    def _grade(self, oid, inc, draw) -> int:
        w = self.w
        level = w.level[inc]
        if w.rng.chance(self.errors.misgrade, "misgrade", self.role, oid, inc, draw):
            assert w.proc.grading is not None  # a grading duty needs the plan's grading
            levels = sorted(w.proc.grading.levels)
            i = levels.index(level) if level in levels else 0
            # one step off, more often towards the milder level; the other way at either end
            step = 1 if w.rng.uniform("misgrade-way", self.role, oid, inc, draw) < 0.7 else -1
            if not 0 <= i + step < len(levels):
                step = -step
            if 0 <= i + step < len(levels):
                level = levels[i + step]
        return level

    def _classify(self, oid, inc, draw):
        w = self.w
        g = w.proc.grading
        impact, urgency = w.attrs[inc].get(g.column), w.attrs[inc].get(g.row)
        if w.rng.chance(self.errors.misgrade, "misgrade", self.role, oid, inc, draw):
            rows = list(g.cells)
            i = rows.index(urgency) if urgency in rows else 0
            urgency = rows[(i + 1) % len(rows)]
        return impact, urgency

    def _report(self, oid, inc, draw, act):
        w = self.w
        channels = w.proc.channels
        chains = w.rt.chains[oid]
        if w.rng.chance(self.errors.wrong_channel, "wrong-channel", self.role, oid, inc, draw):
            allowed = {c for chain in chains for c in chain}
            others = [c for c in channels if c not in allowed]
            if others:
                pick = others[
                    int(w.rng.uniform("wrong-pick", self.role, oid, inc, draw) * len(others))
                ]
                chains = [[pick] + chain for chain in chains]
        tries = [(to, chain) for to in act.to for chain in chains]
        if len(tries) == 1:  # one recipient, one chain: no sub-process needed
            yield from self._try(*tries[0], inc)
        else:
            yield w.env.all_of([w.env.process(self._try(to, chain, inc)) for to, chain in tries])

    def _try(self, to, chain, inc):
        for via in chain[:_MAX_ATTEMPTS]:
            ok = yield self.w.send(self.role, to, via, inc)
            if ok:
                return
