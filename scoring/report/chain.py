"""Which step in a chain of duties caused a delay.

Duties are chained by their triggers (the dependency graph, scoring/dependencies.py). When a
duty fell due after the deadline of the upstream duty that triggered it, and that upstream duty
was late, the upstream's lateness delayed the trigger. Following that link upward gives the chain and
the step where the delay started (its root).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..dependencies import dependencies, done_links

EPS = 1e-6
INF = float("inf")


@dataclass
class Link:
    entry: dict  # the delayed duty's verdict entry
    upstream: dict  # the late upstream entry that delayed its trigger
    delay: float  # minutes the trigger came later than the upstream's deadline allowed


class Chains:
    """Delay links between the verdict entries of one exercise."""

    def __init__(self, plan, entries: list[dict]):
        self.plan = plan
        deps = dependencies(plan)
        self.links = {y: list(d) for y, d in deps.items()}  # every link, for chain tracing
        self.kinds = deps
        self.done_links = done_links(deps)
        self.entries = [e for e in entries if e["triggered_at"] is not None]
        self.by_key: dict[tuple, list[dict]] = {}
        for e in self.entries:
            self.by_key.setdefault((e["id"], e["incident"]), []).append(e)
        self._cause = {}
        for e in self.entries:
            link = self._find_cause(e)
            if link is not None:
                self._cause[self.key(e)] = link

    @staticmethod
    def key(e: dict) -> tuple:
        return e["id"], e["incident"], e["occurrence"]

    def _find_cause(self, e: dict) -> Link | None:
        best = None
        for up, kind in self.kinds.get(e["id"], {}).items():
            for u in self.by_key.get((up, e["incident"]), []):
                delay = self._delay(u, e, kind)
                if delay is not None and (
                    best is None or (u["done_at"] or INF) > (best.upstream["done_at"] or INF)
                ):
                    best = Link(e, u, delay)
        return best

    @staticmethod
    def _delay(u: dict, e: dict, kind: str) -> float | None:
        """How long the late upstream `u` held back `e`'s trigger (None: it did not)."""
        trig = e["triggered_at"]
        if u["deadline_at"] >= trig - EPS:  # the trigger came within the upstream's time
            return None
        if kind == "reached":
            # e fell due when u's message (its first part) reached the role, after u's deadline,
            # while u was under way: u was late or missed, and had fallen due before
            if u["status"] not in ("late", "missed") or u["triggered_at"] > trig + EPS:
                return None
            if u["done_at"] is not None and u["done_at"] <= trig + EPS:
                return min(u["done_at"] - u["deadline_at"], trig - u["deadline_at"])
            return trig - u["deadline_at"]  # its first part reached the role before it was met
        if u["status"] != "late" or u["done_at"] is None:
            return None
        if u["done_at"] > trig + EPS:  # finished after: did not trigger it
            return None
        return min(u["done_at"] - u["deadline_at"], trig - u["deadline_at"])

    def cause(self, e: dict) -> Link | None:
        return self._cause.get(self.key(e))

    def chain(self, e: dict) -> list[dict]:
        """Entries from the root of the delay down to `e` (just [e] when nothing upstream delayed it)."""
        out, seen = [e], {self.key(e)}
        link = self.cause(e)
        while link is not None and self.key(link.upstream) not in seen:
            out.append(link.upstream)
            seen.add(self.key(link.upstream))
            link = self.cause(link.upstream)
        return out[::-1]

    def delayed_by(self, u: dict) -> list[Link]:
        """Entries whose trigger this (late) entry delayed, directly."""
        return [l for l in self._cause.values() if self.key(l.upstream) == self.key(u)]

    def never_triggered_by(self, oid: str, results: list[dict]) -> list[str]:
        """Duties that need `done(oid)` and never fell due."""
        fell_due = {e["id"] for e in results if e["status"] != "not_triggered"}
        return [d for d, ups in self.done_links.items() if oid in ups and d not in fell_due]

    def allowance(self, e: dict) -> float:
        """Minutes the duty is allowed from falling due (its nominal deadline where it has one)."""
        ob = self.plan.procedure.obligations[e["id"]]
        if ob.deadline_min is not None and ob.anchor == "trigger":
            return ob.deadline_min
        return e["deadline_at"] - e["triggered_at"]
