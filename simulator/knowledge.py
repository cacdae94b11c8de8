"""What one played role could know, and the duties that follow from it.

The agenda (`agenda.py`) says which duties fell due on the *facts*; that is what scoring judges.
A person in a role does not see the facts: they see what was delivered to them and what they
themselves declared. This module derives, from the same events one at a time, the role's own
list of duties: an obligation of the role falls due in its view when its trigger holds on

- the incident's attributes as the role was told them: the scenario's starting values once it
  has heard of the incident, then the `set` of each inject delivered to it (a timeline change
  nobody was told about stays unknown);
- `level` as the role knows it: the level it declared itself, or the one declared when a report
  on the incident reached it; for a grading duty (grade, classify) the level the grading rules
  give on the attributes it was told, since grading is what the duty asks;
- `reached(r)`: the role itself (or one it stands in for) has heard of the incident; another role
  once a message between the two was delivered;
- `injected(j)`: inject j was delivered to the role; `done`, `due`, `down`, `restored`, `now` as
  they stand (organisational status a role can check).

A duty in the role's view that is also due on the facts shows the facts' deadline (the procedure
counts from when the event reached that level, not from when the role noticed); one that is not
(a duty of the level the role declared wrongly) counts from when it followed in the view. The
role's own actions meet its view duties by the agenda's own rules (an `Agenda` fed the same
action events). Pure: the TUI and a session server can both build it from a log.
"""

from __future__ import annotations

from .agenda import Agenda, Duty, report_needs
from .grading import Grader, defaults
from .plan import Plan

EPS = 1e-9
INF = float("inf")
_FEEDS = frozenset({"handover", "message.delivered", "task", "grade", "classify"})


def deadline_from(ob, anchor: float, level: int, start_clock_min: int) -> float | None:
    """An obligation's deadline when it falls due with `anchor` as its reference time."""
    if ob.deadline_min is not None:
        return anchor + ob.deadline_min
    if ob.deadline_by_level is not None:
        minutes = ob.deadline_by_level.get(level)
        return None if minutes is None else anchor + minutes
    hh, mm = map(int, ob.deadline_clock.split(":"))
    clock_now = start_clock_min + anchor
    target = (clock_now // 1440) * 1440 + hh * 60 + mm
    if target < clock_now:
        target += 1440
    return target - start_clock_min


class _ViewCtx:
    __slots__ = ("k", "inc", "grading")

    def __init__(self, k: RoleKnowledge, inc: str, grading: bool):
        self.k, self.inc, self.grading = k, inc, grading

    def var(self, name):
        k = self.k
        if name == "level":
            if self.grading:
                return k.grader.level(k.attrs[self.inc])
            return k.known_level[self.inc]
        if name == "declared":
            return k.known_level[self.inc]
        if name == "now":
            return k.now
        return k.attrs[self.inc][name]

    def call(self, func, arg):
        k, inc = self.k, self.inc
        if func == "reached":
            if arg in k.covers:
                return inc in k.heard
            return arg in k.contacts[inc]
        if func == "done":
            occ = k.truth.latest(arg, inc)
            return occ is not None and occ.done_at is not None
        if func == "received":
            occ = k.truth.latest(arg, inc)
            return occ is not None and bool(occ.sent)
        if func == "due":
            return (arg, inc) in k.truth.duties
        if func == "injected":
            return arg in k.injected
        if func == "down":
            return arg in k.down
        if func == "restored":
            return arg in k.restored and arg not in k.down
        raise ValueError(func)


class RoleKnowledge:
    """Feed it every event of a run (`feed`), and the clock (`advance`); read `open_duties()`."""

    def __init__(self, plan: Plan, role: str):
        proc, sc = plan.procedure, plan.scenario
        self.plan, self.proc, self.sc, self.role = plan, proc, sc, role
        needs = report_needs(proc)
        self.truth = Agenda(proc, needs)  # the facts' duties, to read done()/due() and deadlines
        self.view = Agenda(proc, needs)  # the duties as this role can see them
        self.grader = Grader(proc)
        self.covers = self._chain(role)  # roles this one may stand in for
        self.attrs = {inc: {**defaults(proc), **i.attributes} for inc, i in sc.incidents.items()}
        self.heard: set[str] = set()
        self.known_level = {inc: 0 for inc in sc.incidents}
        self.declared = {inc: 0 for inc in sc.incidents}
        self.contacts: dict[str, set[str]] = {inc: set() for inc in sc.incidents}
        self.injected: set[str] = set()
        self.inject_time: dict[str, float] = {}
        self.down: set[str] = set()
        self.restored: set[str] = set()
        self.absent: set[str] = set()
        self.now = 0.0
        self.obligations = [oid for oid, ob in proc.obligations.items() if ob.role in self.covers]
        self.trigger = {
            oid: plan.condition(proc.obligations[oid].trigger) for oid in self.obligations
        }
        self.until = {
            oid: plan.condition(proc.obligations[oid].until or "")
            for oid in self.obligations
            if proc.obligations[oid].until
        }
        self.again_on = {
            oid: plan.condition(proc.obligations[oid].retrigger_on or "")
            for oid in self.obligations
            if proc.obligations[oid].retrigger_on
        }
        self.grading_duty = {
            oid
            for oid in self.obligations
            if proc.obligations[oid].action.do in ("grade", "classify")
        }
        h, m = map(int, sc.start_clock.split(":"))
        self.start_clock_min = h * 60 + m
        self._seen: dict[tuple, bool] = {}
        self._again: dict[tuple, object] = {}
        # view occurrence -> the facts' occurrence it is (None: it follows only from the view)
        self.real: dict[int, Duty | None] = {}

    def _chain(self, role: str) -> set[str]:
        out, todo = {role}, [role]
        while todo:
            cur = todo.pop()
            for r, spec in self.proc.roles.items():
                if spec.deputy == cur and r not in out:
                    out.add(r)
                    todo.append(r)
        return out

    # --- events ---------------------------------------------------------------------------
    def feed(self, ev: dict) -> None:
        kind, t = ev["type"], ev["t"]
        self.now = max(self.now, t)
        self.truth.feed(ev)
        me = self.role
        if kind == "due":
            self._link(ev["obligation"], ev["incident"])
        if kind == "inject":
            self.inject_time[ev["inject"]] = t
            if me in ev["to"] and me not in self.absent:
                self._learn(ev["inject"], ev["incident"])
        elif kind == "inject.delivered":
            if ev["delivered_to"] == me:
                self._learn(ev["inject"], ev["incident"])
        elif kind == "message.delivered":
            inc = ev["incident"]
            if ev["delivered_to"] == me:
                self.heard.add(inc)
                self.contacts[inc].add(ev["from"])
                if self.declared[inc]:  # a report carries the level declared so far
                    self.known_level[inc] = self.declared[inc]
            if ev["from"] == me:
                self.contacts[inc].add(ev["to"])
        elif kind in ("grade", "classify"):
            inc = ev["incident"]
            self.declared[inc] = ev["level"]
            if ev["actor"] == me:
                self.known_level[inc] = ev["level"]
        elif kind == "absent":
            self.absent.add(ev["role"])
        elif kind == "returned":
            self.absent.discard(ev["role"])
        elif kind == "service.down":
            self.down.add(ev["service"])
        elif kind == "service.restored":
            self.down.discard(ev["service"])
            self.restored.add(ev["service"])
        if kind in _FEEDS:
            for occ in self.view.feed(ev):
                self._note_again(occ.obligation, occ.incident)
        self.evaluate()

    def _link(self, oid: str, inc: str) -> None:
        """A duty fell due on the facts after the role's view had it (the engine emits `due` after
        the event that caused it): the view's duty is that one, with the facts' deadline."""
        real = self.truth.latest(oid, inc)
        occ = self.view.latest(oid, inc)
        if real is None or occ is None or self.real.get(id(occ)) is not None:
            return
        if occ.done_at is not None and occ.done_at < real.triggered_at - EPS:
            return
        self.real[id(occ)] = real
        if occ.done_at is None:
            occ.triggered_at, occ.deadline_at = real.triggered_at, real.deadline_at

    def _learn(self, jid: str, inc: str) -> None:
        self.heard.add(inc)
        self.injected.add(jid)
        self.attrs[inc].update(self.sc.injects[jid].set)

    def advance(self, now: float) -> None:
        """The clock moved without an event: recurring duties may fall due again."""
        if now > self.now:
            self.now = now
            self.evaluate()

    # --- duties ---------------------------------------------------------------------------
    def _ctx(self, oid: str, inc: str) -> _ViewCtx:
        return _ViewCtx(self, inc, oid in self.grading_duty)

    def _note_again(self, oid: str, inc: str) -> None:
        again = self.again_on.get(oid)
        if again is not None:
            self._again[(oid, inc)] = again.fn(self._ctx(oid, inc))

    def evaluate(self) -> None:
        proc = self.proc
        for inc in self.sc.incidents:
            if inc not in self.heard:
                continue
            for oid in self.obligations:
                ob = proc.obligations[oid]
                key = (oid, inc)
                latest = self.view.latest(oid, inc)
                ctx = self._ctx(oid, inc)
                if ob.every_min and latest is not None:
                    self._recur(oid, inc, latest, ctx)
                if latest is not None and not ob.retrigger:
                    continue
                holds = bool(self.trigger[oid].fn(ctx))
                before = self._seen.get(key, False)
                self._seen[key] = holds
                again = self.again_on.get(oid)
                if holds and (
                    not before
                    or (
                        again is not None
                        and latest is not None
                        and latest.done_at is not None
                        and again.fn(ctx) != self._again.get(key)
                    )
                ):
                    self._fall_due(oid, inc, 1 if latest is None else latest.n + 1)

    def _fall_due(self, oid: str, inc: str, n: int) -> None:
        ob = self.proc.obligations[oid]
        real = next(
            (
                o
                for o in reversed(self.truth.duties.get((oid, inc), []))
                if o.done_at is None and o.triggered_at <= self.now + EPS
            ),
            None,
        )
        if real is not None:
            triggered, deadline = real.triggered_at, real.deadline_at
        else:
            kind, _, ref = ob.anchor.partition(":")
            anchor = self.now
            if kind == "start":
                anchor = 0.0
            elif kind == "inject" and ref in self.inject_time:
                anchor = self.inject_time[ref]
            elif kind == "done":
                occ = self.truth.latest(ref, inc)
                if occ is not None and occ.done_at is not None:
                    anchor = occ.done_at
            drawn = deadline_from(ob, anchor, self.known_level[inc], self.start_clock_min)
            if drawn is None:
                return
            deadline = drawn
            triggered = self.now
        self._put(oid, inc, n, triggered, deadline, real)
        self._note_again(oid, inc)

    def _put(self, oid, inc, n, triggered, deadline, real) -> None:
        self.view.feed(
            {
                "type": "due",
                "t": self.now,
                "obligation": oid,
                "incident": inc,
                "n": n,
                "triggered_at": triggered,
                "deadline_at": round(deadline, 6),
            }
        )
        self.real[id(self.view.latest(oid, inc))] = real

    def _recur(self, oid: str, inc: str, latest: Duty, ctx) -> None:
        """A recurring duty's next occurrence, once the last was met or its deadline passed."""
        if latest.done_at is None and latest.deadline_at > self.now + EPS:
            return
        until = self.until.get(oid)
        if until is not None and until.fn(ctx):
            return
        if self.now >= self.sc.duration_min:
            return
        start = latest.done_at if latest.done_at is not None else latest.deadline_at
        ob = self.proc.obligations[oid]
        real = next((o for o in self.truth.duties.get((oid, inc), []) if o.n == latest.n + 1), None)
        if real is not None:
            self._put(oid, inc, latest.n + 1, real.triggered_at, real.deadline_at, real)
        else:
            self._put(oid, inc, latest.n + 1, start, start + float(ob.every_min or 0), None)

    # --- what the role's list shows --------------------------------------------------------
    def mine(self, occ: Duty, acting: dict[str, str]) -> bool:
        owner = self.proc.obligations[occ.obligation].role
        return owner == self.role or acting.get(owner) == self.role

    def open_duties(self, acting: dict[str, str] | None = None) -> list[Duty]:
        acting = self.truth.acting if acting is None else acting
        return sorted(
            (o for o in self.view.open if self.mine(o, acting)),
            key=lambda o: (o.deadline_at if o.deadline_at is not None else INF, o.triggered_at),
        )

    def done_duties(self, acting: dict[str, str] | None = None) -> list[Duty]:
        acting = self.truth.acting if acting is None else acting
        return sorted(
            (o for o in self.view.all() if o.done_at is not None and self.mine(o, acting)),
            key=lambda o: o.done_at if o.done_at is not None else INF,
        )

    def real_of(self, occ: Duty) -> Duty | None:
        """The facts' occurrence this view duty is (None: the facts did not call for it)."""
        return self.real.get(id(occ))
