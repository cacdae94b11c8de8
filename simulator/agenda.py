"""The agenda: which duties have fallen due, and whether, when and by whom each was met.

Derived from events alone, one event at a time, so the engine (live), the TUI (live) and
`drillsim score` (from a saved log) all run this same code over the same events and
cannot disagree. `due` events open occurrences; actions and delivered messages meet them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import EPS, DoTask, Procedure

EVENTS = frozenset(
    {"due", "void", "handover", "message.delivered", "task", "grade", "classify"}
)  # what feed() reads


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
class Occurrence:
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
        self.occurrences: dict[tuple[str, str], list[Occurrence]] = {}
        self.open: list[Occurrence] = []  # due and not yet met, in order of falling due
        self.acting: dict[str, str] = {}  # absent role -> who acts for it
        self._needs = report_needs(procedure) if needs is None else needs

    def latest(self, obligation: str, incident: str) -> Occurrence | None:
        occ = self.occurrences.get((obligation, incident))
        return occ[-1] if occ else None

    def all(self) -> list[Occurrence]:
        return [o for occs in self.occurrences.values() for o in occs]

    def _eligible(self, role: str, actor: str) -> bool:
        return actor == role or self.acting.get(role) == actor

    def feed(self, ev: dict) -> list[Occurrence]:
        """Take one event; return the occurrences it met."""
        kind = ev["type"]
        if kind == "due":
            occ = Occurrence(
                ev["obligation"],
                ev["incident"],
                ev["n"],
                ev.get("triggered_at", ev["t"]),
                ev["deadline_at"],
            )
            self.occurrences.setdefault(occ.key, []).append(occ)
            self.open.append(occ)
            return []
        if kind == "void":
            # a recurring duty whose `until` began to hold while this occurrence was open: it is
            # no longer owed, so it leaves the agenda (no verdict) rather than counting as missed
            occs = self.occurrences.get((ev["obligation"], ev["incident"]), [])
            for occ in [o for o in occs if o.n == ev["n"] and o.done_at is None]:
                occs.remove(occ)
                self.open.remove(occ)
            if not occs:
                self.occurrences.pop((ev["obligation"], ev["incident"]), None)
            return []
        if kind == "handover":
            if ev["to"] == ev["role"]:
                self.acting.pop(ev["role"], None)
            else:
                self.acting[ev["role"]] = ev["to"]
            return []
        if kind == "message.delivered":
            met = self._message(ev)
        elif kind in ("task", "grade", "classify"):
            met = self._action(ev)
        else:
            return []
        for occ in met:
            occ.met_at = ev["t"]
        return met

    def _action(self, ev: dict) -> list[Occurrence]:
        kind, actor, inc, t = ev["type"], ev["actor"], ev["incident"], ev["t"]
        for occ in self.open:  # the earliest open duty this action answers
            if occ.incident != inc or occ.triggered_at > t + EPS:
                continue
            ob = self.obligations[occ.obligation]
            act = ob.action
            if act.do != kind or (
                kind == "task" and isinstance(act, DoTask) and act.task != ev["task"]
            ):
                continue
            if not self._eligible(ob.role, actor):
                continue
            return [self._meet(occ, t, actor)]
        return []

    def _message(self, ev: dict) -> list[Occurrence]:
        met = []
        sender, inc, sent_at = ev["from"], ev["incident"], ev["sent_at"]
        answered = set()  # one message answers one occurrence of each duty
        for occ in list(self.open):
            if (
                occ.incident != inc
                or occ.triggered_at > sent_at + EPS
                or occ.obligation in answered
            ):
                continue
            needs = self._needs.get(occ.obligation)
            if not needs or not self._eligible(self.obligations[occ.obligation].role, sender):
                continue
            for i, (recipient, channels) in enumerate(needs):
                if i not in occ.sent and recipient == ev["to"] and ev["via"] in channels:
                    occ.sent[i] = (sent_at, sender)
                    answered.add(occ.obligation)
            if len(occ.sent) == len(needs):
                last, who = max(occ.sent.values())
                met.append(self._meet(occ, last, who))
        return met

    def _meet(self, occ: Occurrence, t: float, actor: str) -> Occurrence:
        occ.done_at, occ.acted_by = t, actor
        self.open.remove(occ)
        return occ
