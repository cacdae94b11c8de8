"""The agenda: which duties have fallen due, and whether, when and by whom each was met.

Derived from events alone, one event at a time, so the engine (live), the TUI (live) and
`drillsim score` (from a saved log) all run this same code over the same events and
cannot disagree. `due` events open duties; actions and delivered messages meet them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .limits import EPS

if TYPE_CHECKING:
    from .model import Procedure

EVENTS = frozenset(
    {"due", "void", "handover", "message.delivered", "task", "grade", "classify"}
)  # what feed() reads


_NONE: tuple = ()  # what feed() returns for an event that meets nothing


def on_time(at: float, deadline: float) -> bool:
    """The hit/late rule: a duty done (a report's message sent) at or before its deadline is a
    hit, after it late."""
    return at <= deadline + EPS


def status(done_at: float | None, deadline_at: float, end: float | None) -> str:
    """A duty's verdict: hit or late when done (on_time), else open while the run (ended at
    `end`; None: still going) has not reached the deadline, else missed."""
    if done_at is not None:
        return "hit" if on_time(done_at, deadline_at) else "late"
    if end is not None and end < deadline_at - EPS:
        return "open"
    return "missed"


@dataclass
class Duty:
    obligation: str
    incident: str
    n: int
    triggered_at: float
    deadline_at: float
    done_at: float | None = None
    acted_by: str | None = None
    met_at: float | None = None  # when the agenda marked it met (for a report: the last delivery)
    # report duties: requirement index -> (send time, sender) of the message that met it
    sent: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return self.obligation, self.incident

    def status(self, end: float | None) -> str:
        return status(self.done_at, self.deadline_at, end)


def report_needs(procedure: Procedure) -> dict[str, list[tuple[str, set]]]:
    """Per report obligation, its requirements: [(recipient, channels that count)]."""
    needs = {}
    channels = procedure.channels
    for oid, ob in procedure.obligations.items():
        act = ob.action
        if act.do != "report":
            continue
        if act.via_mode == "all":
            groups = [{c, *channels[c].alternatives} for c in act.via]
        else:
            groups = [set(act.via).union(*(channels[c].alternatives for c in act.via))]
        needs[oid] = [(r, g) for r in act.to for g in groups]
    return needs


class Agenda:
    def __init__(self, procedure: Procedure, needs: dict | None = None):
        """`needs`: report_needs(procedure), when the caller has it already (one per plan)."""
        self.procedure = procedure
        self.obligations = procedure.obligations
        self.duties: dict[tuple[str, str], list[Duty]] = {}
        self.open: list[Duty] = []  # due and not yet met, in order of falling due
        self.voided: list[Duty] = []  # duties no longer owed (void): kept for the verdicts
        self.acting: dict[str, str] = {}  # absent role -> who acts for it
        self._needs = report_needs(procedure) if needs is None else needs
        self.answered: set[str] = set()  # report obligations the last delivery answered a part of

    def latest(self, obligation: str, incident: str) -> Duty | None:
        duty = self.duties.get((obligation, incident))
        return duty[-1] if duty else None

    def all(self) -> list[Duty]:
        return [o for duties in self.duties.values() for o in duties]

    def _eligible(self, role: str, actor: str) -> bool:
        return actor == role or self.acting.get(role) == actor

    def feed(self, ev: dict) -> Sequence[Duty]:
        """Take one event; return the duties it met (a shared empty tuple when none)."""
        kind = ev["type"]
        if kind == "due":
            self.due(
                ev["obligation"],
                ev["incident"],
                ev["n"],
                ev.get("triggered_at", ev["t"]),
                ev["deadline_at"],
            )
            return _NONE
        if kind == "void":
            self.void(ev["obligation"], ev["incident"], ev["n"])
            return _NONE
        if kind == "handover":
            if ev["to"] == ev["role"]:
                self.acting.pop(ev["role"], None)
            else:
                self.acting[ev["role"]] = ev["to"]
            return _NONE
        if kind == "message.delivered":
            return self.delivered(
                ev["from"], ev["to"], ev["via"], ev["incident"], ev["sent_at"], ev["t"]
            )
        if kind in ("task", "grade", "classify"):
            return self.acted(kind, ev["actor"], ev["incident"], ev["t"], ev.get("task"))
        return _NONE

    # What feed() does with each kind of event, callable without the event: a run without
    # trace (Monte Carlo replications) feeds its agenda through these and builds no event.

    def due(self, oid: str, inc: str, n: int, triggered_at: float, deadline_at: float) -> None:
        """Duty n of the obligation falls due (a `due` event)."""
        duty = Duty(oid, inc, n, triggered_at, deadline_at)
        duties = self.duties.get((oid, inc))
        if duties is None:
            self.duties[oid, inc] = [duty]
        else:
            duties.append(duty)
        self.open.append(duty)

    def void(self, oid: str, inc: str, n: int) -> None:
        """A recurring obligation's duty still open when its `until` began to hold: it is no
        longer owed, so it leaves the agenda (no verdict) rather than counting as missed."""
        duties = self.duties.get((oid, inc), [])
        for void in [o for o in duties if o.n == n and o.done_at is None]:
            _drop(duties, void)
            _drop(self.open, void)
            self.voided.append(void)
        if not duties:
            self.duties.pop((oid, inc), None)

    def delivered(
        self, sender: str, to: str, via: str, inc: str, sent_at: float, t: float
    ) -> list[Duty]:
        """A message arrived at time t (a `message.delivered` event): the duties it met."""
        met = self._message(sender, to, via, inc, sent_at)
        for duty in met:
            duty.met_at = t
        return met

    def acted(self, kind: str, actor: str, inc: str, t: float, task: str | None) -> list[Duty]:
        """A task, grade or classification at time t: the duty it met (none or one)."""
        met = self._action(kind, actor, inc, t, task)
        for duty in met:
            duty.met_at = t
        return met

    def _action(self, kind: str, actor: str, inc: str, t: float, task: str | None) -> list[Duty]:
        for duty in self.open:  # the earliest open duty this action answers
            if duty.incident != inc or duty.triggered_at > t + EPS:
                continue
            ob = self.obligations[duty.obligation]
            act = ob.action
            if act.do != kind or (act.do == "task" and act.task != task):
                continue
            if not self._eligible(ob.role, actor):
                continue
            return [self._meet(duty, t, actor)]
        return []

    def _message(self, sender: str, to: str, via: str, inc: str, sent_at: float) -> list[Duty]:
        done = []
        before = sent_at + EPS
        answered: set[str] = set()  # one message answers one duty of each obligation
        self.answered = answered
        all_needs, obligations, acting = self._needs, self.obligations, self.acting
        for duty in self.open:
            oid = duty.obligation
            if duty.incident != inc or duty.triggered_at > before or oid in answered:
                continue
            needs = all_needs.get(oid)
            if not needs:
                continue
            role = obligations[oid].role
            if sender != role and acting.get(role) != sender:  # _eligible
                continue
            sent = duty.sent
            for i, (recipient, channels) in enumerate(needs):
                if recipient == to and i not in sent and via in channels:
                    sent[i] = (sent_at, sender)
                    answered.add(oid)
            if len(sent) == len(needs):
                done.append(duty)
        # met once the open duties have all been looked at (meeting one takes it off the list)
        return [self._meet(duty, *max(duty.sent.values())) for duty in done]

    def _meet(self, duty: Duty, t: float, actor: str) -> Duty:
        duty.done_at, duty.acted_by = t, actor
        _drop(self.open, duty)
        return duty


def _drop(duties: list[Duty], duty: Duty) -> None:
    """Take this very duty off the list: by identity (list.remove would call the dataclass's
    field-by-field __eq__ on each duty before it)."""
    for i, other in enumerate(duties):
        if other is duty:
            del duties[i]
            return
    raise ValueError("not in the list")
