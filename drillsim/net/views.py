"""Who may see which event: a role sees only what reached it; facilitator and evaluators all.

A role's console rebuilds its view (inbox, sent messages, duties) from exactly these events,
with the same code as `play` (tui.exercise), so what a participant sees over the network is
what `play` would show that role, and nothing of another role's inbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from drillsim.simulator.model import Procedure

FACILITATOR, EVALUATOR, ROLE = "facilitator", "evaluator", "role"
WARDEN = "warden"  # a live drill's: checks people in at the assembly point
EVERYONE = frozenset({"start", "end", "absent", "returned", "handover"})


@dataclass(frozen=True)
class Who:
    """What a token is: the facilitator, an evaluator, a warden, or one role. `name`: the
    person (a live drill's personal evaluator token, or the name given when joining)."""

    kind: str
    role: str | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        """How the log and the facilitator name this participant (never by token)."""
        if self.kind == ROLE and self.role is not None:
            return self.role
        return f"{self.kind}:{self.name}" if self.name else self.kind

    @property
    def by(self) -> str:
        """Who a live drill's stamp or check-in records: the person's name, else the post."""
        return self.name or self.kind

    @property
    def sees_all(self) -> bool:
        return self.kind != ROLE


class Presence(dict[str, int]):
    """Open connections per participant label: present while any is open (several screens)."""

    def arrive(self, who: Who) -> None:
        self[who.label] = self.get(who.label, 0) + 1

    def depart(self, who: Who) -> None:
        n = self.get(who.label, 0) - 1
        if n > 0:
            self[who.label] = n
        else:
            self.pop(who.label, None)


def covers(proc: Procedure, role: str) -> set[str]:
    """The role and every role it may stand in for as deputy (down the chain)."""
    out, todo = {role}, [role]
    while todo:
        cur = todo.pop()
        for r, spec in proc.roles.items():
            if spec.deputy == cur and r not in out:
                out.add(r)
                todo.append(r)
    return out


class RoleFilter:
    def __init__(self, proc: Procedure, role: str):
        self.proc, self.role = proc, role
        self.mine = covers(proc, role)

    def __call__(self, ev: dict) -> bool:
        kind, role = ev["type"], self.role
        if kind in EVERYONE:
            return True
        if kind == "inject":
            return role in ev["to"]
        if kind == "inject.delivered":
            return ev["delivered_to"] == role
        if kind in ("message.sent", "message.failed"):
            return ev["from"] == role
        if kind == "message.delivered":
            return ev["delivered_to"] == role or ev["from"] == role
        if kind in ("task", "grade", "classify"):
            return ev["actor"] == role
        if kind == "action":
            return ev["role"] == role
        if kind in ("due", "void"):  # a role's own duties falling due, and no longer owed
            return self.proc.obligations[ev["obligation"]].role in self.mine
        return False


def visible(who: Who, proc: Procedure):
    """A predicate over events for this participant."""
    if who.sees_all:
        return lambda ev: ev["type"] != "session"
    assert who.role is not None  # a token that does not see everything is one role's
    return RoleFilter(proc, who.role)
