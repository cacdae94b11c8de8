"""The SimPy engine: one exercise played through a plan.

The world holds the incident's facts (attributes, the level the rules give, services,
channels, who is absent) and emits every change as an event. Each duty a bot-played role takes
up is a SimPy process; the role's members are a priority semaphore (`_Members`), so it works
its duties in order of deadline. Scripted and human players act through
`perform()`, stamped with the current simulated time. The agenda (`agenda.py`) is fed
every event, so the world knows at once when a duty is met.

Two readings of the same obligations: duties fall due for *scoring* when their trigger holds
on the facts; *bots* act when it holds on what was declared (their `level` is the declared
level), except grading duties, where the grader looks at the facts.
"""

from __future__ import annotations

import heapq

import simpy
from numpy.random import SeedSequence

from .agenda import EVENTS as AGENDA_EVENTS
from .agenda import Agenda, Occurrence, report_needs
from .grading import Grader, defaults
from .loader import Plan
from .model import Fixed, ScriptAction
from .rng import Streams, sampler

PLAYERS = ("bot", "script", "human", "idle")
_ONE_MINUTE = Fixed(dist="fixed", value=1)
_MAX_ATTEMPTS = 3  # a bot tries a message this many times before giving up on it
# The events the agenda and a replication's record read. A run without trace (Monte Carlo
# replications) builds only these; its log is the full log with the others left out.
OUTCOME = AGENDA_EVENTS | {"level", "service.down", "service.restored", "end"}


def _facts(cond, belief: bool) -> set:
    """The facts a condition reads; a change to any of them means evaluating it again."""
    out = set()
    for name in cond.names:
        if name == "level":
            out.add(("declared",) if belief else ("level",))
        elif name in ("declared", "now"):
            out.add((name,))
        else:
            out.add(("attr", name))
    for func, arg in cond.calls:
        kind = {"down": "service", "restored": "service", "due": "ob", "done": "ob"}.get(func, func)
        out.add((kind, arg))
    return out


class Runtime:
    """What every run of a plan shares, built once: samplers, grader, condition indexes."""

    def __init__(self, plan: Plan):
        proc, sc = plan.procedure, plan.scenario
        self.plan = plan
        self.grader = Grader(proc)
        self.needs = report_needs(proc)
        self.reaction = {r: sampler(role.reaction) for r, role in proc.roles.items()}
        self.latency = {c: sampler(ch.latency) for c, ch in proc.channels.items()}
        self.work = {}
        for oid, ob in proc.obligations.items():
            dist = ob.work or (
                proc.tasks[ob.action.task].work if ob.action.do == "task" else _ONE_MINUTE
            )
            self.work[oid] = sampler(dist)
        self.task_work = {t: sampler(task.work) for t, task in proc.tasks.items()}
        # a report's channel chains: each tried in turn, its alternatives after it
        self.chains = {}
        for oid, ob in proc.obligations.items():
            act, ch = ob.action, proc.channels
            if act.do != "report":
                continue
            if act.via_mode == "all":
                self.chains[oid] = [[c, *ch[c].alternatives, c] for c in act.via]
            else:
                self.chains[oid] = [
                    list(
                        dict.fromkeys([*act.via, *(a for c in act.via for a in ch[c].alternatives)])
                    )
                ]
        self.order = {oid: i for i, oid in enumerate(proc.obligations)}
        self.order.update({j: i for i, j in enumerate(sc.injects)})
        self.order_key = self.order.__getitem__
        self.grading_duty = {
            oid for oid, ob in proc.obligations.items() if ob.action.do in ("grade", "classify")
        }
        self.belief_ids = [oid for oid in proc.obligations if oid not in self.grading_duty]
        cond = plan.condition
        self.trigger = {oid: cond(ob.trigger) for oid, ob in proc.obligations.items()}
        self.until = {oid: cond(ob.until) for oid, ob in proc.obligations.items() if ob.until}
        self.again_on = {
            oid: cond(ob.retrigger_on) for oid, ob in proc.obligations.items() if ob.retrigger_on
        }
        self.inject_when = {j: cond(inj.when) for j, inj in sc.injects.items() if inj.when}
        self.inject_unless = {
            j: cond(inj.unless_by) for j, inj in sc.injects.items() if inj.unless_by
        }
        self.change_unless = {i: cond(ch.unless) for i, ch in enumerate(sc.timeline) if ch.unless}
        self.once = {oid for oid, ob in proc.obligations.items() if not ob.retrigger}
        # fact -> what reads it: (obligations on the facts, obligations on the beliefs,
        # conditional injects), so a change re-evaluates only those
        self.by_fact: dict[tuple, tuple[list, list, list]] = {("now",): ([], [], [])}
        self.candidates: dict[frozenset, tuple] = {}  # changed facts -> what to evaluate
        for oid, c in self.trigger.items():
            again = self.again_on.get(oid)
            for f in _facts(c, belief=False) | (_facts(again, belief=False) if again else set()):
                self.by_fact.setdefault(f, ([], [], []))[0].append(oid)
            if oid not in self.grading_duty:
                for f in _facts(c, belief=True) | (_facts(again, belief=True) if again else set()):
                    self.by_fact.setdefault(f, ([], [], []))[1].append(oid)
        for j, c in self.inject_when.items():
            for f in _facts(c, belief=False):
                self.by_fact.setdefault(f, ([], [], []))[2].append(j)
        # The script (outages, absences, the timeline, timed injects) as timed calls of World
        # methods, in file order within a minute: one SimPy event per minute, no process per item.
        steps = [(o.start_min, "_channel_down", o.channel) for o in sc.outages]
        steps += [
            (o.until_min, "_channel_up", o.channel) for o in sc.outages if o.until_min is not None
        ]
        for ab in sc.absences:
            steps += [
                (ab.start_min, "_absent", ab.role),
                (ab.start_min + proc.roles[ab.role].handover_min, "_handover", ab.role),
            ]
            if ab.until_min is not None:
                steps.append((ab.until_min, "_returned", ab.role))
        steps += [(ch.at, "_change", i) for i, ch in enumerate(sc.timeline)]
        steps += [
            (inj.at, "_timed_inject", j) for j, inj in sc.injects.items() if inj.at is not None
        ]
        self.script: dict[float, list[tuple[str, object]]] = {}  # minute -> its steps, in order
        for t, step, arg in sorted(steps, key=lambda step: step[0]):
            self.script.setdefault(t, []).append((step, arg))
        start_h, start_m = map(int, sc.start_clock.split(":"))
        self.start_clock_min = start_h * 60 + start_m
        self.attributes = {
            inc: {**defaults(proc), **i.attributes} for inc, i in sc.incidents.items()
        }


def runtime(plan: Plan) -> Runtime:
    rt = getattr(plan, "_runtime", None)
    if rt is None:
        rt = Runtime(plan)
        plan._runtime = rt
    return rt


class _Ctx:
    """What conditions read, for one incident, on the facts or on the beliefs."""

    __slots__ = ("w", "inc", "belief")

    def __init__(self, world: World, inc: str, belief: bool):
        self.w, self.inc, self.belief = world, inc, belief

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
            occs = w.agenda.occurrences.get((arg, self.inc))
            return bool(occs) and occs[-1].done_at is not None
        if func == "due":
            return (arg, self.inc) in w.agenda.occurrences
        if func == "injected":
            return arg in w.injected
        if func == "down":
            return arg in w.down
        if func == "restored":
            return arg in w.restored and arg not in w.down
        raise ValueError(func)


class World:
    def __init__(
        self,
        plan: Plan,
        seed: int | SeedSequence,
        players: dict[str, str],
        listeners: tuple = (),
        trace: bool = True,
    ):
        self.plan, self.rt = plan, runtime(plan)
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
        self.reached = {inc: set() for inc in self.incidents}
        self.truth_ctx = {inc: _Ctx(self, inc, False) for inc in self.incidents}
        self.belief_ctx = {inc: _Ctx(self, inc, True) for inc in self.incidents}
        self.injected: set[str] = set()  # delivered
        self.settled: set[str] = set()  # delivered or skipped
        self.inject_time: dict[str, float] = {}
        self.down: dict[str, float] = {}
        self.restored: set[str] = set()
        self.absent: set[str] = set()
        self.acting: dict[str, str] = {}
        self.channel_down: set[str] = set()
        self.held: dict[str, list] = {}  # absent role -> deliveries/work waiting for its deputy
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
        self.bots = {r: _Bot(self, r) for r, kind in self.players.items() if kind == "bot"}

    def close(self):
        """Unlink what ties a finished world into reference cycles (its bots, the condition
        contexts, held deliveries), so reference counting frees a run at once. Over thousands of
        replications the cyclic garbage collector otherwise costs about a tenth of the time."""
        self.bots.clear()
        self.truth_ctx.clear()
        self.belief_ctx.clear()
        self.held.clear()

    # --- events -------------------------------------------------------------------------
    def emit(self, kind: str, **fields) -> dict | None:
        seq = self.n_events
        self.n_events = seq + 1
        if not self.trace and kind not in OUTCOME:
            return None
        now = self.env.now
        if now != self._now:  # many events share a minute: round once per minute
            self._now, self._t = now, round(now, 6)
        ev = {"seq": seq, "t": self._t, "type": kind, **fields}
        self.events.append(ev)
        for listener in self.listeners:  # before the agenda: what it emits in turn comes after
            listener(ev)
        for occ in self.agenda.feed(ev):
            self._on_met(occ)
        return ev

    def _touch(self, inc: str | None, *facts):
        """These facts changed: what reads them is evaluated again (facts nothing reads are dropped)."""
        read = self.rt.by_fact
        for f in facts:
            if f in read:
                if inc is not None:
                    self._dirty[inc].add(f)
                else:
                    for dirty in self._dirty.values():
                        dirty.add(f)

    def _reached(self, inc: str, *roles):
        reached = self.reached[inc]
        for role in roles:
            if role not in reached:
                reached.add(role)
                self._touch(inc, ("reached", role))

    # --- start ---------------------------------------------------------------------------
    def start(self, header: dict):
        self.emit("start", **header)
        for inc in self.incidents:
            self.emit("level", incident=inc, level=self.level[inc], was=None)
        for t, steps in self.rt.script.items():
            self._later(t - self.env.now, self._steps, steps)
        self.evaluate()

    def _steps(self, steps: list):
        """The script's steps due this minute, each followed by what it makes happen."""
        for i, (step, arg) in enumerate(steps):
            if i:
                self.evaluate()
            getattr(self, step)(arg)

    def _channel_down(self, channel: str):
        self.channel_down.add(channel)
        self.emit("channel.down", channel=channel)

    def _channel_up(self, channel: str):
        self.channel_down.discard(channel)
        self.emit("channel.up", channel=channel)

    def _absent(self, role: str):
        self.absent.add(role)
        self.emit("absent", role=role)

    def _handover(self, role: str):
        if role not in self.absent:
            return
        deputy = self._deputy(role)
        if deputy is not None:
            self.acting[role] = deputy
            self.emit("handover", role=role, to=deputy)
            for deliver in self.held.pop(role, []):
                deliver()

    def _returned(self, role: str):
        self.absent.discard(role)
        self.emit("returned", role=role)
        if self.acting.pop(role, None) is not None:
            self.emit("handover", role=role, to=role)
        for deliver in self.held.pop(role, []):
            deliver()

    def _deputy(self, role: str) -> str | None:
        seen, cur = {role}, self.proc.roles[role].deputy
        while cur is not None and cur not in seen:
            if cur not in self.absent:
                return cur
            seen.add(cur)
            cur = self.proc.roles[cur].deputy
        return None

    def actor(self, role: str) -> str | None:
        """Who acts for `role` now: itself, its deputy after handover, or nobody yet."""
        if role not in self.absent:
            return role
        return self.acting.get(role)

    def _reach(self, role: str, inc: str, deliver):
        """Call deliver(actor, held) now, or (held=True) when a deputy has taken over for an
        absent role or the role is back."""
        who = self.actor(role)
        if who is not None:
            deliver(who, False)
        else:
            self.held.setdefault(role, []).append(lambda: deliver(self.actor(role), True))

    def _change(self, i: int):
        ch = self.sc.timeline[i]
        inc_list = [ch.incident] if ch.incident else self.incidents
        cond = self.rt.change_unless.get(i)
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
        cond = self.rt.inject_unless.get(jid)
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
        self.inject_time[jid] = self.env.now
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
        self._touch(None, ("injected", jid))
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
        self.emit("attributes", incident=inc, set=dict(changes), cause=cause)
        self._touch(inc, *(("attr", k) for k in changes))
        level = self.rt.grader.level(self.attrs[inc])
        if level != self.level[inc]:
            was, self.level[inc] = self.level[inc], level
            self.emit("level", incident=inc, level=level, was=was)
            self._touch(inc, ("level",))

    def _service_down(self, svc: str):
        if svc in self.down:
            return
        self.down[svc] = self.env.now
        self.emit("service.down", service=svc)
        self._touch(None, ("service", svc))

    def _service_restored(self, svc: str):
        if svc not in self.down:
            return
        del self.down[svc]
        self.restored.add(svc)
        self.emit("service.restored", service=svc)
        self._touch(None, ("service", svc))

    # --- the agenda ------------------------------------------------------------------------
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
                truth, belief, injects = rt.trigger, rt.belief_ids, rt.inject_when
            else:
                truth, belief, injects = self._candidates(facts)
            if truth:
                self._check_truth(inc, truth)
            if belief and self.bots:
                self._check_belief(inc, belief)
            for jid in injects:
                inj = self.sc.injects[jid]
                if (
                    jid not in self.settled
                    and (inj.incident or incidents[0]) == inc
                    and rt.inject_when[jid](self.truth_ctx[inc])
                ):
                    self.fire_inject(jid)

    def _candidates(self, facts: set) -> tuple[list, list, list]:
        """What reads any of these facts (or the clock): duties on the facts, duties on the
        beliefs, conditional injects; each in file order. Memoised on the plan's runtime: a
        run meets the same few sets of changed facts again and again."""
        key = frozenset(facts)
        memo = self.rt.candidates
        out = memo.get(key)
        if out is None:
            by_fact, none = self.rt.by_fact, ((), (), ())
            out = tuple(
                sorted(
                    {x for f in (("now",), *facts) for x in by_fact.get(f, none)[k]},
                    key=self.rt.order_key,
                )
                for k in range(3)
            )
            if len(memo) < 65536:
                memo[key] = out
        return out

    def _check_truth(self, inc, candidates):
        ctx, seen, occurrences = self.truth_ctx[inc], self._truth_seen, self.agenda.occurrences
        trigger, once, again_on = self.rt.trigger, self.rt.once, self.rt.again_on
        for oid in candidates:
            key = (oid, inc)
            occs = occurrences.get(key)
            occ = occs[-1] if occs else None
            if occ is not None and oid in once:
                continue  # it fell due and cannot again: no need to look
            now = bool(trigger[oid].fn(ctx))
            before = seen.get(key, False)
            seen[key] = now
            if now and (
                not before
                or (
                    oid in again_on
                    and occ is not None
                    and occ.done_at is not None
                    and again_on[oid].fn(ctx) != self._again.get(key)
                )
            ):
                self._fall_due(oid, inc, 1 if occ is None else occ.n + 1)

    def _check_belief(self, inc, candidates):
        ctx, seen, taken = self.belief_ctx[inc], self._belief_seen, self._belief_n
        trigger, once, again_on = self.rt.trigger, self.rt.once, self.rt.again_on
        for oid in candidates:
            key = (oid, inc)
            n = taken.get(key, 0)
            if n and oid in once:
                continue
            now = bool(trigger[oid].fn(ctx))
            before = seen.get(key, False)
            seen[key] = now
            if not now:
                continue
            again = again_on.get(oid)
            value = again.fn(ctx) if again is not None else None
            if not before or (again is not None and value != self._belief_again.get(key)):
                taken[key] = n + 1
                if again is not None:
                    self._belief_again[key] = value
                self._assign(oid, inc, n + 1, self._deadline(oid, inc))

    def _deadline(self, oid: str, inc: str) -> float | None:
        ob, now = self.proc.obligations[oid], self.env.now
        kind, _, ref = ob.anchor.partition(":")
        anchor = now
        if kind == "start":
            anchor = 0.0
        elif kind == "inject" and ref in self.inject_time:
            anchor = self.inject_time[ref]
        elif kind == "done":
            occ = self.agenda.latest(ref, inc)
            if occ is not None and occ.done_at is not None:
                anchor = occ.done_at
        if ob.deadline_min is not None:
            return anchor + ob.deadline_min
        if ob.deadline_by_level is not None:
            minutes = ob.deadline_by_level.get(self.level[inc])
            return None if minutes is None else anchor + minutes
        hh, mm = map(int, ob.deadline_clock.split(":"))
        clock_now = self.rt.start_clock_min + anchor
        target = (clock_now // 1440) * 1440 + hh * 60 + mm
        if target < clock_now:
            target += 1440
        return target - self.rt.start_clock_min

    def _fall_due(self, oid: str, inc: str, n: int):
        deadline = self._deadline(oid, inc)
        if deadline is None:
            return
        ob = self.proc.obligations[oid]
        self.emit(
            "due",
            obligation=oid,
            incident=inc,
            n=n,
            role=ob.role,
            clause=ob.clause,
            deadline_at=round(deadline, 6),
        )
        self._touch(inc, ("ob", oid))
        self._note_again(oid, inc)
        if ob.every_min:
            self._later(deadline - self.env.now, lambda: self._recur(oid, inc, n))
        if oid in self.rt.grading_duty or (n > 1 and (oid, inc) in self._bot_has and ob.every_min):
            self._assign(oid, inc, n, deadline)

    def _later(self, delay: float, fn, *args):
        """Run fn(*args) (then evaluate) after `delay` simulated minutes."""

        def fire(_e):
            fn(*args)
            self.evaluate()

        self.env.timeout(max(0.0, delay)).callbacks.append(fire)

    def _note_again(self, oid: str, inc: str):
        """Remember the retrigger_on value the duty fell due or was met on: a change from it
        (a further escalation) makes it fall due again."""
        again = self.rt.again_on.get(oid)
        if again is not None:
            self._again[(oid, inc)] = again.fn(self.truth_ctx[inc])

    def _on_met(self, occ: Occurrence):
        self._note_again(occ.obligation, occ.incident)
        self._touch(occ.incident, ("ob", occ.obligation))
        if self.proc.obligations[occ.obligation].every_min:
            self._recur(occ.obligation, occ.incident, occ.n)

    def _recur(self, oid: str, inc: str, n: int):
        """Occurrence n was met or its deadline passed: the next falls due unless `until` holds."""
        latest = self.agenda.latest(oid, inc)
        if latest is None or latest.n != n:
            return
        if self.rt.until[oid](self.truth_ctx[inc]) if oid in self.rt.until else False:
            return
        if self.env.now >= self.sc.duration_min:
            return
        ob = self.proc.obligations[oid]
        # counts from when the last one was met (sent), or from its deadline if it was not
        start = latest.done_at if latest.done_at is not None else latest.deadline_at
        deadline = start + ob.every_min
        self.emit(
            "due",
            obligation=oid,
            incident=inc,
            n=n + 1,
            role=ob.role,
            clause=ob.clause,
            deadline_at=round(deadline, 6),
            triggered_at=round(start, 6),
        )
        self._touch(inc, ("ob", oid))
        self._later(deadline - self.env.now, lambda: self._recur(oid, inc, n + 1))
        if (oid, inc) in self._bot_has:
            self._assign(oid, inc, n + 1, deadline)

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

    def _give(self, who: str, oid: str, inc: str, n: int, deadline: float, draw: int | str):
        bot = self.bots.get(who)
        if bot is not None:
            self._bot_has.add((oid, inc))
            self.env.process(bot.work(oid, inc, n, deadline, draw))

    # --- actions ---------------------------------------------------------------------------
    def perform(self, a: ScriptAction):
        """A scripted or human action, taken now."""
        inc = a.incident or self.incidents[0]
        a = a.model_copy(update={"incident": inc})
        self.emit("action", **a.model_dump(exclude={"at"}, exclude_defaults=True))
        if a.do == "report":
            for r in a.to:
                self.send(a.role, r, a.via, inc, a.text)
        elif a.do == "grade":
            self.declare(a.role, inc, a.level)
        elif a.do == "classify":
            self.classify(a.role, inc, a.impact, a.urgency, a.category)
        elif a.do == "task":
            self.do_task(a.role, inc, a.task)
        self.evaluate()

    def declare(self, actor: str, inc: str, level: int):
        self.declared[inc] = level
        self.emit("grade", actor=actor, incident=inc, level=level)
        self._touch(inc, ("declared",))

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
        self._touch(inc, ("declared",))

    def do_task(self, actor: str, inc: str, task_id: str):
        task = self.proc.tasks[task_id]
        key = ("task", task_id, inc)
        attempt = self._attempts[key] = self._attempts.get(key, 0) + 1
        ok = not self.rng.chance(1.0 - task.success, "task", task_id, inc, attempt)
        self.emit("task", actor=actor, incident=inc, task=task_id, success=ok)
        if ok:
            for svc in task.effects.restore:
                self._service_restored(svc)
            if task.effects.set:
                self.set_attributes(inc, task.effects.set, cause=task_id)

    def send(self, sender: str, to: str, via: str, inc: str, text: str = "") -> simpy.Event:
        """Send a message; the returned event happens on arrival (or failure), after the world
        has taken note of it, with the value True (delivered) or False (failed)."""
        key = (sender, to, via, inc)
        attempt = self._attempts[key] = self._attempts.get(key, 0) + 1
        msg = self._msg = self._msg + 1
        sent_at = round(self.env.now, 6)
        fields = {"msg": msg, "from": sender, "to": to, "via": via, "incident": inc}
        self.emit("message.sent", **fields, **({"text": text} if text else {}))
        latency = self.rt.latency[via](self.rng.uniform("latency", via, sender, to, inc, attempt))
        reason = (
            "outage"
            if via in self.channel_down
            else "failed"
            if self.rng.chance(
                self.proc.channels[via].failure, "fail", via, sender, to, inc, attempt
            )
            else None
        )

        def arrive(_e):
            if reason is not None:
                self.emit("message.failed", **fields, reason=reason)
            else:

                def deliver(who, _held):
                    self.emit("message.delivered", **fields, delivered_to=who, sent_at=sent_at)
                    self._reached(inc, to, who)

                self._reach(to, inc, deliver)
            self.evaluate()

        arrival = self.env.timeout(latency, value=reason is None)
        arrival.callbacks.append(arrive)  # first: a sender waiting on it resumes after this
        return arrival


class _Members:
    """A role's members: each duty in work holds one; the others wait in order of deadline.

    What a `simpy.PriorityResource` does (ties in order of asking), without its two SimPy events
    per use when a member is free, which is nearly always: a duty that finds one goes on at once.
    """

    __slots__ = ("env", "free", "waiting", "_asked")

    def __init__(self, env: simpy.Environment, capacity: int):
        self.env, self.free, self.waiting, self._asked = env, capacity, [], 0

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


class _Bot:
    """A role played by the simulation: each duty handed to it is a process of its own, and its
    members work them in order of deadline."""

    def __init__(self, world: World, role: str):
        self.w, self.role = world, role
        self.errors = world.proc.roles[role].errors
        self._members = None

    @property
    def members(self) -> _Members:
        if self._members is None:  # most roles get no duty in most runs: made when first needed
            self._members = _Members(self.w.env, self.w.proc.roles[self.role].members)
        return self._members

    def work(self, oid: str, inc: str, n: int, deadline: float, draw: int | str):
        """Occurrence n of duty `oid`, due at `deadline`; its draws are keyed by `draw`."""
        w, role = self.w, self.role
        rng, env = w.rng, w.env
        every = w.proc.obligations[oid].every_min
        if n > 1 and every:  # a regular update is prepared towards its due time, not at once
            yield env.timeout(max(0.0, deadline - every / 3 - env.now))
        yield env.timeout(w.rt.reaction[role](rng.uniform("reaction", role, oid, inc, draw)))
        if rng.chance(self.errors.forget, "forget", role, oid, inc, draw):
            return
        members = self.members
        wait = members.acquire(deadline)
        if wait is not None:
            yield wait
        try:
            occ = w.agenda.latest(oid, inc)
            if occ is not None and occ.n == n and occ.done_at is not None:
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
