"""How triggers fire: duties falling due, recurring, and conditional injects firing.

When a fact changes, the world marks it (`World._touch`); `evaluate()` then looks again at only
the conditions that read a changed fact (the plan's runtime index) until nothing changes more.
A duty falls due for scoring when its trigger holds on the facts; a bot takes it up when the
trigger holds on what was declared (grading duties excepted: the grader looks at the facts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .agenda import EPS, Agenda, Duty
from .plan import Runtime
from .stamps import stamp

if TYPE_CHECKING:
    import simpy

    from .model import Procedure, Scenario
    from .world import World


class Ctx:
    """What conditions read, for one incident, on the facts or on the beliefs.

    `var`/`call` answer any condition (the generic `Context`); the plan's runtime also compiles
    each of its conditions for this class (`READERS`: closures reading the world's facts
    straight from the references kept here), which is what the engine evaluates."""

    __slots__ = (
        "w",
        "inc",
        "belief",
        "lv",
        "declared",
        "attrs",
        "reached",
        "duties",
        "injected",
        "down",
        "restored",
        "env",
    )

    def __init__(self, world: World, inc: str, belief: bool):
        self.w, self.inc, self.belief = world, inc, belief
        # the world's own containers (changed in place, never replaced while it runs)
        self.lv = world.declared if belief else world.level
        self.declared = world.declared
        self.attrs = world.attrs[inc]
        self.reached = world.reached[inc]
        self.duties = world.agenda.duties
        self.injected, self.down, self.restored = world.injected, world.down, world.restored
        self.env = world.env

    def var(self, name):
        w = self.w
        if name == "level":
            return w.declared[self.inc] if self.belief else w.level[self.inc]
        if name == "declared":
            return w.declared[self.inc]
        if name == "now":
            return w.env.now
        return w.attrs[self.inc][name]

    def call(self, func, arg):
        w = self.w
        if func == "reached":
            return arg in w.reached[self.inc]
        if func == "done":
            duties = w.agenda.duties.get((arg, self.inc))
            return bool(duties) and duties[-1].done_at is not None
        if func == "received":
            duties = w.agenda.duties.get((arg, self.inc))
            return bool(duties) and bool(duties[-1].sent)
        if func == "due":
            return (arg, self.inc) in w.agenda.duties
        if func == "injected":
            return arg in w.injected
        if func == "down":
            return arg in w.down
        if func == "restored":
            return arg in w.restored and arg not in w.down
        raise ValueError(func)


class _Readers:
    """`Ctx.var` and `Ctx.call` as one closure per name or call (expressions.specialize)."""

    @staticmethod
    def var(name: str) -> Callable[[Ctx], Any]:
        if name == "level":
            return lambda c: c.lv[c.inc]
        if name == "declared":
            return lambda c: c.declared[c.inc]
        if name == "now":
            return lambda c: c.env._now
        return lambda c: c.attrs[name]

    @staticmethod
    def equals(name: str, const: Any, negate: bool) -> Callable[[Ctx], Any] | None:
        # the usual `level == 1`, `declared != 0`: one closure, no reader call
        if name == "level":
            if negate:
                return lambda c: c.lv[c.inc] != const
            return lambda c: c.lv[c.inc] == const
        if name == "declared":
            if negate:
                return lambda c: c.declared[c.inc] != const
            return lambda c: c.declared[c.inc] == const
        return None

    @staticmethod
    def call(func: str, arg: str) -> Callable[[Ctx], Any]:
        if func == "reached":
            return lambda c: arg in c.reached
        if func == "done":

            def done(c: Ctx) -> bool:
                duties = c.duties.get((arg, c.inc))
                if not duties:
                    return False
                return duties[-1].done_at is not None

            return done
        if func == "received":

            def received(c: Ctx) -> bool:
                duties = c.duties.get((arg, c.inc))
                if not duties:
                    return False
                return bool(duties[-1].sent)

            return received
        if func == "due":
            return lambda c: (arg, c.inc) in c.duties
        if func == "injected":
            return lambda c: arg in c.injected
        if func == "down":
            return lambda c: arg in c.down
        if func == "restored":
            return lambda c: arg in c.restored and arg not in c.down
        raise ValueError(func)


READERS = _Readers()


class Triggers:
    """The part of the `World` that decides when duties fall due and injects fire."""

    # what it reads of the world (set by World.__init__)
    rt: Runtime
    proc: Procedure
    sc: Scenario
    env: simpy.Environment
    agenda: Agenda
    incidents: list[str]
    level: dict[str, int]
    declared: dict[str, int]
    inject_time: dict[str, float]
    settled: set[str]
    bots: dict
    truth_ctx: dict[str, Ctx]
    belief_ctx: dict[str, Ctx]
    _dirty: dict[str, set]
    _truth_seen: dict[tuple, bool]
    _belief_seen: dict[tuple, bool]
    _belief_n: dict[tuple, int]
    _again: dict[tuple, Any]
    _belief_again: dict[tuple, Any]
    _bot_has: set[tuple]

    if TYPE_CHECKING:  # what it calls of the other parts

        def emit(self, kind: str, **fields) -> dict | None: ...
        def _touch1(self, inc: str, fact: tuple) -> None: ...
        def _emit_due(
            self, oid: str, inc: str, n: int, ob, deadline_at: float, triggered_at=None
        ) -> None: ...
        def _later(self, delay: float, fn, *args) -> None: ...
        def fire_inject(self, jid: str, by: str | None = None) -> None: ...
        def _assign(self, oid: str, inc: str, n: int, deadline: float | None) -> None: ...

    def evaluate(self):
        """Fall duties due, fire conditional injects, hand bots their work: until nothing changes."""
        rt, dirty, incidents = self.rt, self._dirty, self.incidents
        while True:
            for inc in incidents:
                facts = dirty[inc]
                if facts:
                    break
            else:
                return
            dirty[inc] = set()
            if ("all",) in facts or ("now",) in facts:
                truth, belief, injects, until = rt.trigger, rt.belief_ids, rt.inject_when, rt.until
            else:
                truth, belief, injects, until = self._candidates(facts)
            if until:
                self._check_until(inc, until)
            if truth:
                self._check_truth(inc, truth)
            if belief and self.bots:
                self._check_belief(inc, belief)
            for jid in injects:
                inj = self.sc.injects[jid]
                if (
                    jid not in self.settled
                    and (inj.incident or incidents[0]) == inc
                    and rt.inject_when_fn[jid](self.truth_ctx[inc])
                ):
                    self.fire_inject(jid)

    def _candidates(self, facts: set) -> tuple[list, list, list, list]:
        """What reads any of these facts (or the clock): duties on the facts, duties on the
        beliefs, conditional injects, and recurring duties whose `until` reads them (not the
        clock); each in file order. Memoised on the plan's runtime: a run meets the same few sets
        of changed facts again and again."""
        key = frozenset(facts)
        memo = self.rt.candidates
        out = memo.get(key)
        if out is None:
            rt, none = self.rt, ((), (), ())
            by_fact, order = rt.by_fact, rt.order_key
            lists = [
                sorted({x for f in (("now",), *facts) for x in by_fact.get(f, none)[k]}, key=order)
                for k in range(3)
            ]
            lists.append(sorted({o for f in facts for o in rt.until_by_fact.get(f, ())}, key=order))
            out = (lists[0], lists[1], lists[2], lists[3])
            if len(memo) < 65536:
                memo[key] = out
        return out

    def _check_truth(self, inc, candidates):
        ctx, seen, by_key = self.truth_ctx[inc], self._truth_seen, self.agenda.duties
        trigger, once, again_on = self.rt.trigger_fn, self.rt.once, self.rt.again_fn
        for oid in candidates:
            key = (oid, inc)
            duties = by_key.get(key)
            duty = duties[-1] if duties else None
            if duty is not None and oid in once:
                continue  # it fell due and cannot again: no need to look
            now = bool(trigger[oid](ctx))
            before = seen.get(key, False)
            seen[key] = now
            if now and (
                not before
                or (
                    oid in again_on
                    and duty is not None
                    and duty.done_at is not None
                    and again_on[oid](ctx) != self._again.get(key)
                )
            ):
                self._fall_due(oid, inc, 1 if duty is None else duty.n + 1)

    def _check_belief(self, inc, candidates):
        ctx, seen, taken = self.belief_ctx[inc], self._belief_seen, self._belief_n
        trigger, once, again_on = self.rt.trigger_fn, self.rt.once, self.rt.again_fn
        for oid in candidates:
            key = (oid, inc)
            n = taken.get(key, 0)
            if n and oid in once:
                continue
            now = bool(trigger[oid](ctx))
            before = seen.get(key, False)
            seen[key] = now
            if not now:
                continue
            again = again_on.get(oid)
            value = again(ctx) if again is not None else None
            if not before or (again is not None and value != self._belief_again.get(key)):
                taken[key] = n + 1
                if again is not None:
                    self._belief_again[key] = value
                self._assign(oid, inc, n + 1, self._deadline(oid, inc))

    def _deadline(self, oid: str, inc: str) -> float | None:
        ob, now = self.proc.obligations[oid], self.env._now
        kind, _, ref = ob.anchor.partition(":")
        anchor = now
        if kind == "start":
            anchor = 0.0
        elif kind == "inject" and ref in self.inject_time:
            anchor = self.inject_time[ref]
        elif kind == "done":
            duty = self.agenda.latest(ref, inc)
            if duty is not None and duty.done_at is not None:
                anchor = duty.done_at
        if ob.deadline_min is not None:
            return anchor + ob.deadline_min
        if ob.deadline_by_level is not None:
            minutes = ob.deadline_by_level.get(self.level[inc])
            return None if minutes is None else anchor + minutes
        assert ob.deadline_clock is not None  # an obligation has one of the three deadlines
        hh, mm = map(int, ob.deadline_clock.split(":"))
        clock_now = self.rt.start_clock_min + anchor
        target = (clock_now // 1440) * 1440 + hh * 60 + mm
        if target < clock_now:
            target += 1440
        return target - self.rt.start_clock_min

    def _until(self, oid: str, inc: str) -> bool:
        until = self.rt.until_fn.get(oid)
        return until is not None and bool(until(self.truth_ctx[inc]))

    def _check_until(self, inc: str, oids):
        """A recurring duty's `until` may have started to hold: the occurrence still open (its
        deadline not yet passed) is void, not missed; none falls due after it (_recur).
        `oids`: the recurring duties whose `until` reads a changed fact, in file order."""
        now = self.env._now
        for oid in oids:
            duty = self.agenda.latest(oid, inc)
            if duty is None or duty.done_at is not None or duty.deadline_at <= now + EPS:
                continue
            if self._until(oid, inc):
                self.emit("void", obligation=oid, incident=inc, n=duty.n)

    def _fall_due(self, oid: str, inc: str, n: int):
        if self._until(oid, inc):
            return  # its recurrence has already ended: nothing is owed
        deadline = self._deadline(oid, inc)
        if deadline is None:
            return
        ob = self.proc.obligations[oid]
        self._emit_due(oid, inc, n, ob, stamp(deadline))
        self._touch1(inc, ("ob", oid))
        self._note_again(oid, inc)
        if ob.every_min:
            self._later(deadline - self.env._now, lambda: self._recur(oid, inc, n))
        if oid in self.rt.grading_duty or (n > 1 and (oid, inc) in self._bot_has and ob.every_min):
            self._assign(oid, inc, n, deadline)

    def _note_again(self, oid: str, inc: str):
        """Remember the retrigger_on value the duty fell due or was met on: a change from it
        (a further escalation) makes it fall due again."""
        again = self.rt.again_fn.get(oid)
        if again is not None:
            self._again[(oid, inc)] = again(self.truth_ctx[inc])

    def _on_met(self, duty: Duty):
        self._note_again(duty.obligation, duty.incident)
        self._touch1(duty.incident, ("ob", duty.obligation))
        if self.proc.obligations[duty.obligation].every_min:
            self._recur(duty.obligation, duty.incident, duty.n)

    def _recur(self, oid: str, inc: str, n: int):
        """Duty n was met or its deadline passed: the next falls due unless `until` holds."""
        latest = self.agenda.latest(oid, inc)
        if latest is None or latest.n != n:
            return
        if self._until(oid, inc):
            return
        if self.env._now >= self.sc.duration_min:
            return
        ob = self.proc.obligations[oid]
        assert ob.every_min is not None  # only a recurring duty recurs
        # counts from when the last one was met (sent), or from its deadline if it was not
        start = latest.done_at if latest.done_at is not None else latest.deadline_at
        deadline = start + ob.every_min
        self._emit_due(oid, inc, n + 1, ob, stamp(deadline), stamp(start))
        self._touch1(inc, ("ob", oid))
        self._later(deadline - self.env._now, lambda: self._recur(oid, inc, n + 1))
        if (oid, inc) in self._bot_has:
            self._assign(oid, inc, n + 1, deadline)
