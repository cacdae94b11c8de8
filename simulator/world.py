"""The SimPy engine: one exercise played through a plan.

The world holds the incident's facts (attributes, the level the rules give, services,
channels, who is absent) and emits every change as an event. Scripted and human players act
through `perform()`, stamped with the current simulated time. The agenda (`agenda.py`) is fed
every event, so the world knows at once when a duty is met.

Two readings of the same obligations: duties fall due for *scoring* when their trigger holds
on the facts; *bots* act when it holds on what was declared (their `level` is the declared
level), except grading duties, where the grader looks at the facts.

How triggers fire is in triggers.py, how messages travel in messages.py, how bots act in
bots.py; what every run of a plan shares (samplers, compiled conditions) in plan.py.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from types import MethodType
from typing import TYPE_CHECKING, Any

import simpy
from simpy.events import NORMAL

from .agenda import EVENTS as AGENDA_EVENTS
from .agenda import Agenda
from .bots import Bot, Bots
from .messages import Messages
from .plan import Plan
from .rng import Streams
from .seeds import Seed
from .stamps import stamp
from .triggers import Ctx, Triggers

if TYPE_CHECKING:
    from .model import ScriptAction

PLAYERS = ("bot", "script", "human", "idle")
# The events a replication's record reads (replications.record). A run without trace (Monte
# Carlo replications) keeps only these: its log is the full log with the others left out, and
# its agenda is fed the others' contents directly (Agenda.due, delivered, acted), without an
# event built for them.
OUTCOME = frozenset({"level", "grade", "classify", "service.down", "service.restored", "end"})


class World(Triggers, Messages, Bots):
    """One exercise in progress: the incident's facts and everything that changes them.

    Its parts, each in a module of its own: `Triggers` (triggers.py) decides when duties fall
    due and conditional injects fire, `Messages` (messages.py) carries messages and knows who
    acts for an absent role, `Bots` (bots.py) hands duties to bot-played roles. This module
    holds the facts, the event log, the scenario's script and the players' actions.
    """

    def __init__(
        self,
        plan: Plan,
        seed: int | Seed,
        players: dict[str, str],
        listeners: tuple = (),
        trace: bool = True,
    ):
        self.plan, self.rt = plan, plan.runtime
        self.proc, self.sc = plan.procedure, plan.scenario
        self.env = simpy.Environment()
        self.rng = Streams(seed)
        self.players = {r: players.get(r, "idle") for r in self.proc.roles}
        self.listeners = list(listeners)
        if listeners and not trace:
            raise ValueError("listeners need the full trace")
        self.trace = trace
        self.events: list[dict] = []  # the log; without trace, only its OUTCOME events
        self.n_events = 0  # events emitted (the length of the full log)
        self._now, self._t = 0.0, 0.0
        self.agenda = Agenda(self.proc, self.rt.needs)
        self.incidents = list(self.sc.incidents)
        self.attrs = {inc: dict(a) for inc, a in self.rt.attributes.items()}
        self.level = {inc: self.rt.grader.level(self.attrs[inc]) for inc in self.incidents}
        self.declared = {inc: 0 for inc in self.incidents}
        self.reached: dict[str, set[str]] = {inc: set() for inc in self.incidents}
        self.injected: set[str] = set()  # delivered
        self.settled: set[str] = set()  # delivered or skipped
        self.inject_time: dict[str, float] = {}
        self.down: dict[str, float] = {}
        self.restored: set[str] = set()
        self.absent: set[str] = set()
        self.acting: dict[str, str] = {}
        self.channel_down: set[str] = set()
        self.held: dict[str, list] = {}  # absent role -> deliveries/work waiting for its deputy
        # after the facts: a context keeps references to them
        self.truth_ctx = {inc: Ctx(self, inc, False) for inc in self.incidents}
        self.belief_ctx = {inc: Ctx(self, inc, True) for inc in self.incidents}
        self._truth_seen: dict[
            tuple, bool
        ] = {}  # (obligation, incident) -> trigger value last seen
        self._belief_seen: dict[tuple, bool] = {}
        self._belief_n: dict[tuple, int] = {}
        self._again: dict[
            tuple, object
        ] = {}  # (obligation, incident) -> retrigger_on value when it last
        self._belief_again: dict[tuple, object] = {}  # fell due or was met / a bot last took it up
        self._bot_has: set[tuple] = set()  # (obligation, incident) a bot took up
        self._draws_at: dict[tuple, int] = {}  # (obligation, incident, level) -> occurrences there
        self._attempts: dict[tuple, int] = {}
        self._msg = 0
        self._dirty: dict[str, set] = {inc: {("all",)} for inc in self.incidents}
        # the bot-played roles; each gets its Bot when first handed a duty (bots.Bots._give)
        self.bots: dict[str, Bot | None] = dict.fromkeys(
            r for r, kind in self.players.items() if kind == "bot"
        )

    def close(self):
        """Unlink what ties a finished world into reference cycles (its bots, the condition
        contexts, held deliveries, the SimPy environment), so reference counting frees a run at
        once: a batch of replications pauses the cyclic garbage collector (replications.py)."""
        self.bots.clear()
        self.truth_ctx.clear()
        self.belief_ctx.clear()
        self.held.clear()
        env = self.env
        env._queue.clear()  # what was still to happen holds callbacks into this world
        for name, value in list(vars(env).items()):
            if isinstance(value, MethodType):  # SimPy binds `env.timeout` & co. to env itself
                delattr(env, name)

    # --- events -------------------------------------------------------------------------
    def emit(self, kind: str, **fields) -> dict | None:
        seq = self.n_events
        self.n_events = seq + 1
        trace = self.trace
        if not trace and kind not in OUTCOME and kind not in AGENDA_EVENTS:
            return None
        now = self.env._now
        if now != self._now:  # many events share a minute: round once per minute
            self._now, self._t = now, stamp(now)
        ev = {"seq": seq, "t": self._t, "type": kind, **fields}
        if trace or kind in OUTCOME:
            self.events.append(ev)
        for listener in self.listeners:  # before the agenda: what it emits in turn comes after
            listener(ev)
        met = self.agenda.feed(ev)
        if met:
            for duty in met:
                self._on_met(duty)
        if kind == "message.delivered" and self.agenda.answered:
            # a part of a report arrived: what reads received() of it looks again
            self._touch(ev["incident"], [("ob", oid) for oid in self.agenda.answered])
        return ev

    def _stamp_now(self) -> float:
        """The current time as the log writes it (rounded once per minute). (The engine reads
        the clock as `env._now`: SimPy's `now` is a property, a Python call at every read.)"""
        now = self.env._now
        if now != self._now:
            self._now, self._t = now, stamp(now)
        return self._t

    # The events a replication's agenda reads and its record does not: emitted with the trace;
    # without it counted and fed to the agenda directly, in the same order as emit() would.

    def _emit_due(self, oid: str, inc: str, n: int, ob, deadline_at: float, triggered_at=None):
        if self.trace:
            fields = {"role": ob.role, "clause": ob.clause, "deadline_at": deadline_at}
            if triggered_at is not None:
                fields["triggered_at"] = triggered_at
            self.emit("due", obligation=oid, incident=inc, n=n, **fields)
            return
        self.n_events += 1
        t = self._stamp_now() if triggered_at is None else triggered_at
        self.agenda.due(oid, inc, n, t, deadline_at)

    def _emit_delivered(
        self, msg: int, sender: str, to: str, via: str, inc: str, who: str, sent_at: float
    ):
        """Message `msg` arrived, delivered to `who`."""
        if self.trace:
            self.emit(
                "message.delivered",
                msg=msg,
                **{"from": sender},
                to=to,
                via=via,
                incident=inc,
                delivered_to=who,
                sent_at=sent_at,
            )
            return
        self.n_events += 1
        agenda = self.agenda
        met = agenda.delivered(sender, to, via, inc, sent_at, self._stamp_now())
        for duty in met:
            self._on_met(duty)
        if agenda.answered:
            self._touch(inc, [("ob", oid) for oid in agenda.answered])

    def _emit_task(self, actor: str, inc: str, task_id: str, ok: bool):
        if self.trace:
            self.emit("task", actor=actor, incident=inc, task=task_id, success=ok)
            return
        self.n_events += 1
        for duty in self.agenda.acted("task", actor, inc, self._stamp_now(), task_id):
            self._on_met(duty)

    def _touch(self, inc: str | None, facts: Iterable[tuple]):
        """These facts changed: what reads them is evaluated again (facts nothing reads are dropped)."""
        read = self.rt.by_fact
        for f in facts:
            if f in read:
                if inc is not None:
                    self._dirty[inc].add(f)
                else:
                    for dirty in self._dirty.values():
                        dirty.add(f)

    def _touch1(self, inc: str, fact: tuple):
        """`_touch` of one fact of one incident (the usual case, without building a list)."""
        if fact in self.rt.by_fact:
            self._dirty[inc].add(fact)

    def _reached(self, inc: str, role: str, who: str):
        """News of the incident reached `role`, and `who` (the same, or who acts for it)."""
        reached = self.reached[inc]
        if role not in reached:
            reached.add(role)
            self._touch1(inc, ("reached", role))
        if who not in reached:
            reached.add(who)
            self._touch1(inc, ("reached", who))

    # --- start ---------------------------------------------------------------------------
    def start(self, header: dict):
        self.emit("start", **header)
        for inc in self.incidents:
            self.emit("level", incident=inc, level=self.level[inc], was=None)
        self._schedule_script()
        rt = self.rt
        if rt.quiet_start and self.bots:
            # the first evaluation changes nothing in any run of this plan (below): skipped
            for inc in self.incidents:
                self._dirty[inc] = set()
            return
        n_events, queued = self.n_events, len(self.env._queue)
        self.evaluate()
        if self.bots and rt.quiet_start is None:
            # The state it evaluates is the plan's own (no draw, no action has happened yet):
            # when no condition holds on it, on the facts or on what was declared, the
            # evaluation emits nothing, starts nothing and leaves every trigger's last value
            # False, which is what a trigger never evaluated reads as; every later run of the
            # plan with bots (the belief side evaluated too) can skip it.
            rt.quiet_start = (
                self.n_events == n_events
                and len(self.env._queue) == queued
                and not any(self._truth_seen.values())
                and not any(self._belief_seen.values())
            )

    def _schedule_script(self):
        """The script's minutes as entries of SimPy's queue, all for one event that comes back
        at each of them: what a `Timeout` per minute did (the same times and event ids, so the
        same order among the run's other events), without building 13 of them and their
        closures in every run."""
        script = self.rt.script
        if not script:
            return
        env = self.env
        tick = simpy.Event(env)
        tick._ok, tick._value = True, None
        tick.callbacks = [self._script_tick]
        self._script_next = iter(script.values()).__next__
        queue, eid, now = env._queue, env._eid, env._now
        for t in script:  # in time order: each entry pops in turn
            heapq.heappush(queue, (now + max(0.0, t - now), NORMAL, next(eid), tick))

    def _script_tick(self, tick: simpy.Event):
        tick.callbacks = [self._script_tick]  # SimPy cleared them: armed for the next minute
        self._steps(self._script_next())
        self.evaluate()

    def _steps(self, steps: list):
        """The script's steps due this minute, each followed by what it makes happen."""
        for i, (step, arg) in enumerate(steps):
            if i:
                self.evaluate()
            SCRIPT_STEPS[step](self, arg)

    def _change(self, i: int):
        ch = self.sc.timeline[i]
        inc_list = [ch.incident] if ch.incident else self.incidents
        cond = self.rt.change_unless_fn.get(i)
        if cond is not None and cond(self.truth_ctx[inc_list[0]]):
            return
        for inc in inc_list:
            if ch.set:
                self.set_attributes(inc, ch.set, cause="timeline")
        for svc in ch.down:
            self._service_down(svc)

    # --- injects ---------------------------------------------------------------------------
    def _timed_inject(self, jid):
        if jid in self.settled:
            return
        inj = self.sc.injects[jid]
        inc = inj.incident or self.incidents[0]
        cond = self.rt.inject_unless_fn.get(jid)
        if cond is not None and cond(self.truth_ctx[inc]):
            self.settled.add(jid)
            self.emit("inject.skipped", inject=jid, incident=inc)
        else:
            self.fire_inject(jid)

    def fire_inject(self, jid: str, by: str | None = None):
        """Deliver an inject now (on time, on condition, or by the facilitator)."""
        if jid in self.settled:
            return
        inj = self.sc.injects[jid]
        inc = inj.incident or self.incidents[0]
        self.settled.add(jid)
        self.injected.add(jid)
        self.inject_time[jid] = self.env._now
        if self.trace:
            fields = {
                "inject": jid,
                "incident": inc,
                "to": list(inj.to),
                "source": inj.source,
                "channel": inj.channel,
            }
            if by:
                fields["by"] = by
            self.emit("inject", **fields)
        else:
            self.n_events += 1
        self._touch(None, (("injected", jid),))
        for role in inj.to:
            self._reach(
                role,
                inc,
                lambda who, held, role=role: self._inject_delivered(jid, inc, role, who, held),
            )
        if inj.set:
            self.set_attributes(inc, inj.set, cause=jid)
        for svc in inj.down:
            self._service_down(svc)

    def skip_inject(self, jid: str, by: str):
        if jid in self.settled:
            return
        inj = self.sc.injects[jid]
        self.settled.add(jid)  # neither its time nor its condition fires it now
        self.emit("inject.skipped", inject=jid, incident=inj.incident or self.incidents[0], by=by)

    def _inject_delivered(self, jid, inc, role, who, held):
        if held or who != role:
            self.emit("inject.delivered", inject=jid, incident=inc, to=role, delivered_to=who)
        self._reached(inc, role, who)

    # --- facts ---------------------------------------------------------------------------
    def set_attributes(self, inc: str, changes: dict, cause: str):
        self.attrs[inc].update(changes)
        if self.trace:
            self.emit("attributes", incident=inc, set=dict(changes), cause=cause)
        else:
            self.n_events += 1
        self._touch(inc, [("attr", k) for k in changes])
        level = self.rt.grader.level(self.attrs[inc])
        if level != self.level[inc]:
            was, self.level[inc] = self.level[inc], level
            self.emit("level", incident=inc, level=level, was=was)
            self._touch1(inc, ("level",))

    def _service_down(self, svc: str):
        if svc in self.down:
            return
        self.down[svc] = self.env._now
        self.emit("service.down", service=svc)
        self._touch(None, (("service", svc),))

    def _service_restored(self, svc: str):
        if svc not in self.down:
            return
        del self.down[svc]
        self.restored.add(svc)
        self.emit("service.restored", service=svc)
        self._touch(None, (("service", svc),))

    def _later(self, delay: float, fn, *args):
        """Run fn(*args) (then evaluate) after `delay` simulated minutes."""

        def fire(_e):
            fn(*args)
            self.evaluate()

        self.env.timeout(max(0.0, delay)).callbacks.append(fire)

    # --- actions ---------------------------------------------------------------------------
    def perform(self, a: ScriptAction):
        """A scripted or human action, taken now."""
        inc = a.incident or self.incidents[0]
        a = a.model_copy(update={"incident": inc})
        self.emit("action", **a.model_dump(exclude={"at"}, exclude_defaults=True))
        # the fields each kind of action needs are there (ScriptAction checks them)
        if a.do == "report":
            assert a.to is not None and a.via is not None
            for r in a.to:
                self.send(a.role, r, a.via, inc, a.text)
        elif a.do == "grade":
            assert a.level is not None
            self.declare(a.role, inc, a.level)
        elif a.do == "classify":
            self.classify(a.role, inc, a.impact, a.urgency, a.category)
        elif a.do == "task":
            assert a.task is not None
            self.do_task(a.role, inc, a.task)
        self.evaluate()

    def declare(self, actor: str, inc: str, level: int):
        self.declared[inc] = level
        self.emit("grade", actor=actor, incident=inc, level=level)
        self._touch1(inc, ("declared",))

    def classify(self, actor, inc, impact, urgency, category=None):
        g = self.proc.grading
        level = g.cells.get(urgency, {}).get(impact, 0) if g.kind == "matrix" else 0
        self.declared[inc] = level
        self.emit(
            "classify",
            actor=actor,
            incident=inc,
            impact=impact,
            urgency=urgency,
            category=category,
            level=level,
        )
        self._touch1(inc, ("declared",))

    def do_task(self, actor: str, inc: str, task_id: str):
        task = self.proc.tasks[task_id]
        key = ("task", task_id, inc)
        attempt = self._attempts[key] = self._attempts.get(key, 0) + 1
        ok = not self.rng.chance(1.0 - task.success, "task", task_id, inc, attempt)
        self._emit_task(actor, inc, task_id, ok)
        if ok:
            for svc in task.effects.restore:
                self._service_restored(svc)
            if task.effects.set:
                self.set_attributes(inc, task.effects.set, cause=task_id)


# What each kind of scripted step (the plan's runtime `script`) does.
SCRIPT_STEPS: dict[str, Callable[[World, Any], None]] = {
    "channel.down": World._channel_down,
    "channel.up": World._channel_up,
    "absent": World._absent,
    "handover": World._handover,
    "returned": World._returned,
    "change": World._change,
    "inject": World._timed_inject,
}
