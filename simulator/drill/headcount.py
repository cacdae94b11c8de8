"""Who is accounted for at the assembly point, derived from the drill log's events alone.

Expected are the people present today and the visitors and contractors added on the spot;
a `checkin` accounts for one (someone the roster says is away but who turns up is expected
after all). The headcount is complete when everyone expected is accounted for, or when the
warden closes it with the missing listed (`headcount.closed`). The console, the report and
`drillsim score` feed the same events through this class, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .roster import Person, Roster

EVENTS = frozenset({"checkin", "visitor", "headcount.closed"})


@dataclass
class Group:
    name: str
    expected: int = 0
    accounted: int = 0
    missing: list[Person] = field(default_factory=list)


class Headcount:
    def __init__(self, roster: Roster):
        self.roster = roster
        self.people: dict[str, Person] = dict(roster.by_number)
        self.expected: dict[str, Person] = {p.number: p for p in roster.people if p.present}
        self.accounted: dict[str, tuple[float, str]] = {}  # number -> (t, by)
        self.complete_at: float | None = None
        self.closed: dict | None = None  # the warden's closing event

    def feed(self, ev: dict) -> bool:
        """Take one event; True when it completed the headcount (everyone accounted for)."""
        kind = ev["type"]
        if kind == "visitor":
            p = Person(
                ev["number"],
                ev["name"],
                ev.get("department") or ev.get("company") or ev["category"],
                ev.get("area", ""),
                kind=ev["category"],
                company=ev.get("company", ""),
            )
            self.people[p.number] = p
            self.expected[p.number] = p
        elif kind == "checkin":
            number = ev["number"]
            if number not in self.people or number in self.accounted:
                return False
            self.expected.setdefault(number, self.people[number])
            self.accounted[number] = (ev["t"], ev.get("by", ""))
        elif kind == "headcount.closed":
            self.closed = ev
            return False
        else:
            return False
        if self.complete_at is None and self.closed is None and not self.missing():
            self.complete_at = ev["t"]
            return True
        return False

    def missing(self) -> list[Person]:
        return [p for n, p in self.expected.items() if n not in self.accounted]

    @property
    def done(self) -> bool:
        return self.complete_at is not None or self.closed is not None

    @property
    def done_at(self) -> float | None:
        if self.complete_at is not None:
            return self.complete_at
        return self.closed["t"] if self.closed is not None else None

    def groups(self, by: str) -> list[Group]:
        """Per department (`by='department'`) or area: expected, accounted for, missing."""
        out: dict[str, Group] = {}
        for number, p in self.expected.items():
            g = out.setdefault(getattr(p, by) or "-", Group(getattr(p, by) or "-"))
            g.expected += 1
            if number in self.accounted:
                g.accounted += 1
            else:
                g.missing.append(p)
        order = {name: i for i, name in enumerate(getattr(self.roster, by + "s"))}
        return sorted(out.values(), key=lambda g: (order.get(g.name, len(order)), g.name))

    def summary(self) -> dict:
        return {
            "expected": len(self.expected),
            "accounted": len(self.accounted),
            "missing": [p.number for p in self.missing()],
            "complete_at": self.complete_at,
            "closed_at": self.closed["t"] if self.closed else None,
            "visitors": sum(1 for p in self.expected.values() if p.kind != "staff"),
        }


def headcount_of(roster: Roster, events: list[dict]) -> Headcount:
    hc = Headcount(roster)
    for ev in events:
        if ev["type"] in EVENTS:
            hc.feed(ev)
    return hc
