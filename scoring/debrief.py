"""The debrief of the played roles, duty by duty: the verdict, what the procedure asked, and the
first thing to do differently. Pure: a function of the plan and the events, like the verdicts it
reads (`verdicts.obligations`), so the console, a report and a trainee record agree.

Advice is data (`key`, `params`); the words are the console's catalogue's (`adv_<key>`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drillsim.simulator.expressions import compile_condition
from drillsim.simulator.grading import GradeCheck, defaults, explain, grade_checks
from drillsim.simulator.plan import Plan

from .verdicts import UNSCORED
from .verdicts import obligations as verdict_entries


@dataclass
class Item:
    entry: dict  # the verdict entry (`drillsim run --json` obligations)
    advice: str  # keep | start_earlier | grade_first | grade | report | switch | task | regrade
    params: dict = field(default_factory=dict)


@dataclass
class Debrief:
    items: list[Item]
    grades: list[tuple[dict, GradeCheck]]  # the played roles' grades, each against the rules


def covered(plan: Plan, roles: list[str]) -> set[str]:
    """The roles and every role they may stand in for, down the deputy chain."""
    out, todo = set(roles), list(roles)
    while todo:
        cur = todo.pop()
        for r, spec in plan.procedure.roles.items():
            if spec.deputy == cur and r not in out:
                out.add(r)
                todo.append(r)
    return out


def _state_at(plan: Plan, events: list[dict], inc: str, t: float) -> tuple[dict, int | None]:
    """(attributes, true level) of an incident as they stood at minute t."""
    proc = plan.procedure
    attrs = {**defaults(proc), **plan.scenario.incidents[inc].attributes}
    true = None
    for ev in events:
        if ev["t"] > t + 1e-9:
            break
        if ev.get("incident") != inc:
            continue
        if ev["type"] == "attributes":
            attrs.update(ev["set"])
        elif ev["type"] == "level":
            true = ev["level"]
    return attrs, true


def _declared_between(events: list[dict], inc: str, t0: float, t1: float) -> set[int]:
    """The levels declared for an incident while a duty was due (the last one before included)."""
    before, during = None, set()
    for ev in events:
        if ev["type"] not in ("grade", "classify") or ev["incident"] != inc:
            continue
        if ev["t"] < t0 - 1e-9:
            before = ev["level"]
        elif ev["t"] <= t1 + 1e-9:
            during.add(ev["level"])
    return during | ({before} if before is not None else set())


def debrief(plan: Plan, events: list[dict], roles: list[str], end: float) -> Debrief:
    mine = covered(plan, roles)
    checks = grade_checks(plan, events)
    played_grades = [(ev, c) for ev, c in checks if ev["actor"] in mine]
    failed: dict[str, list[tuple[float, str]]] = {}  # incident -> (t, channel) of outage failures
    for ev in events:
        if ev["type"] == "message.failed" and ev["from"] in mine:
            failed.setdefault(ev["incident"], []).append((ev["t"], ev["via"]))
    items = []
    for entry in verdict_entries(plan, events, end):
        if entry["role"] not in mine or entry["status"] in UNSCORED:
            continue
        items.append(_advise(plan, events, entry, failed))
    return Debrief(items, played_grades)


def _advise(plan: Plan, events: list[dict], entry: dict, failed) -> Item:
    proc = plan.procedure
    ob = proc.obligations[entry["id"]]
    act, status, inc = ob.action, entry["status"], entry["incident"]
    if status in ("hit", "open"):
        return Item(entry, "keep")
    if act.do in ("grade", "classify"):
        key = "regrade" if entry["occurrence"] > 1 or "declared" in ob.trigger else "grade"
        return Item(entry, key, {"deadline": entry["deadline_at"]})
    if "level" in compile_condition(ob.trigger).names:
        # a duty of the level the facts gave: the player must have declared that level to see it
        at = entry["triggered_at"]
        attrs, true = _state_at(plan, events, inc, at)
        if true not in _declared_between(events, inc, at, entry["deadline_at"]):
            check = explain(proc, attrs, true or 0)
            criterion = check.deciding[0] if check.deciding else None
            return Item(entry, "grade_first", {"t": at, "level": true, "criterion": criterion})
    if act.do == "report":
        chans = proc.channels
        for t, via in failed.get(inc, []):
            if via in act.via and t <= entry["deadline_at"] + 1e-9 and chans[via].alternatives:
                return Item(entry, "switch", {"failed": via, "alt": list(chans[via].alternatives)})
    if status == "late":
        return Item(
            entry, "start_earlier", {"due": entry["triggered_at"], "done": entry["done_at"]}
        )
    if act.do == "report":
        return Item(
            entry,
            "report",
            {"to": list(act.to), "via": list(act.via), "deadline": entry["deadline_at"]},
        )
    return Item(entry, "task", {"task": act.task, "deadline": entry["deadline_at"]})
