"""Verdicts from the event log alone: duties, grading, continuity.

`score(plan, events)` is a pure function of the plan and the events; `score_log(path)`
reads a saved log, loads the plan its header names and gives the identical result.
The output is the `drillsim run --json` contract (README).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drillsim.simulator import eventlog
from drillsim.simulator.agenda import Agenda
from drillsim.simulator.loader import load_plan
from drillsim.simulator.plan import Plan

STATUSES = ("hit", "late", "missed", "open", "not_triggered", "void")
# a duty that fell due but is not judged: never owed (not_triggered) or no longer owed (void: a
# recurring duty still open when its `until` began to hold)
UNSCORED = ("not_triggered", "void")


def _r(x):
    return None if x is None else round(x, 6)  # the log's own precision


def obligations(plan: Plan, events: list[dict], end: float) -> list[dict]:
    """The run's duties, one entry each (`void`: fell due, then no longer owed), plus one
    `not_triggered` entry per obligation that never fell due: the `obligations` list of
    `run --json` (the key keeps its name: it is a contract)."""
    proc = plan.procedure
    agenda = Agenda(proc)
    for ev in events:
        agenda.feed(ev)
    out = []
    void = {id(d) for d in agenda.voided}
    duties = sorted(
        agenda.all() + agenda.voided,
        key=lambda o: (o.triggered_at, list(proc.obligations).index(o.obligation), o.incident, o.n),
    )
    for duty in duties:
        ob = proc.obligations[duty.obligation]
        status = "void" if id(duty) in void else duty.status(end)
        out.append(
            {
                "id": duty.obligation,
                "incident": duty.incident,
                "occurrence": duty.n,
                "clause": ob.clause,
                "title": ob.title,
                "title_en": ob.title_en,
                "role": ob.role,
                "acted_by": duty.acted_by,
                "triggered_at": _r(duty.triggered_at),
                "deadline_at": _r(duty.deadline_at),
                "done_at": _r(duty.done_at),
                "status": status,
                "late_by_min": _r(duty.done_at - duty.deadline_at) if status == "late" else None,
            }
        )
    seen = {o.obligation for o in duties}
    for oid, ob in proc.obligations.items():
        if oid not in seen:
            out.append(
                {
                    "id": oid,
                    "incident": None,
                    "occurrence": 0,
                    "clause": ob.clause,
                    "title": ob.title,
                    "title_en": ob.title_en,
                    "role": ob.role,
                    "acted_by": None,
                    "triggered_at": None,
                    "deadline_at": None,
                    "done_at": None,
                    "status": "not_triggered",
                    "late_by_min": None,
                }
            )
    return out


def grading(events: list[dict]) -> list[dict]:
    """Each declared level against the level the rules gave at that moment."""
    true_level, out = {}, []
    for ev in events:
        if ev["type"] == "level":
            true_level[ev["incident"]] = ev["level"]
        elif ev["type"] in ("grade", "classify"):
            truth = true_level.get(ev["incident"])
            out.append(
                {
                    "t": ev["t"],
                    "actor": ev["actor"],
                    "incident": ev["incident"],
                    "declared": ev["level"],
                    "true": truth,
                    "correct": ev["level"] == truth,
                }
            )
    return out


def continuity(plan: Plan, events: list[dict], end: float) -> list[dict]:
    services = plan.procedure.services
    down_at: dict[str, float] = {}
    restored_at: dict[str, float] = {}
    order: list[str] = []
    for ev in events:
        if ev["type"] == "service.down" and ev["service"] not in down_at:
            down_at[ev["service"]] = ev["t"]
            order.append(ev["service"])
        elif ev["type"] == "service.restored" and ev["service"] in down_at:
            restored_at.setdefault(ev["service"], ev["t"])
    out = []
    for sid in order:
        svc = services[sid]
        restored = restored_at.get(sid)
        downtime = (restored if restored is not None else end) - down_at[sid]
        rto_met = svc.rto_met(downtime, restored is not None)
        out.append(
            {
                "service": sid,
                "name": svc.name,
                "down_at": _r(down_at[sid]),
                "restored_at": _r(restored),
                "downtime_min": _r(downtime),
                "rto_min": svc.rto_min,
                "rto_met": rto_met,
                "rpo_min": svc.rpo_min,
                "impact": _r(downtime * svc.impact_per_min),
            }
        )
    return out


def summary(entries: list[dict]) -> dict:
    counts: dict[str, Any] = {s: sum(1 for e in entries if e["status"] == s) for s in STATUSES}
    scored = counts["hit"] + counts["late"] + counts["missed"]
    counts["sla_hit_rate"] = round(counts["hit"] / scored, 4) if scored else None
    return counts


def score(plan: Plan, events: list[dict]) -> dict:
    if events and "drill" in events[0]:
        from drillsim.simulator.drill.live import corrected_events

        # a live drill's log is read with its stamps at their corrected minutes
        events = corrected_events(plan, events)
    header = events[0] if events and events[0]["type"] == "start" else {}
    ends = [ev for ev in events if ev["type"] == "end"]
    end = ends[-1]["t"] if ends else (events[-1]["t"] if events else 0.0)
    entries = obligations(plan, events, end)
    grades = grading(events)
    result = {
        "scenario": plan.scenario.id,
        "seed": header.get("seed"),
        "variants": plan.variants,
        "complete": bool(ends),
        "end_min": end,
        "obligations": entries,
        "grading": grades,
        "continuity": continuity(plan, events, end),
        "summary": {
            **summary(entries),
            "grades": len(grades),
            "grades_correct": sum(1 for g in grades if g["correct"]),
        },
    }
    if "drill" in header:
        from .drill import drill_summary

        result["drill"] = drill_summary(plan, events, entries, end)
    return result


def read_log(path: str | Path) -> list[dict]:
    """Events of a saved log. A torn last line (a crash mid-write) is dropped; any other bad line
    is an error naming its line. (simulator.eventlog.read_log also says what the chain shows.)"""
    return eventlog.read_log(path)[0]


def plan_of(events: list[dict]) -> Plan:
    header = events[0]
    from drillsim.simulator.variation import apply

    plan = load_plan(header["scenario_ref"], header.get("variants", []))
    return apply(plan, header.get("drawn") or {})  # a varied run: the values it drew


def changed_files(plan: Plan, events: list[dict]) -> list[str]:
    """The files that shaped the run and are no longer as they were (by content hash), in the
    order the log recorded them; a log from before hashes were recorded names none."""
    recorded = events[0].get("files")
    if recorded is None:
        return []
    now = list(plan.hashes.items())
    out = [
        rec["path"]
        for i, rec in enumerate(recorded)
        if i >= len(now) or now[i][1] != rec.get("sha256")
    ]
    out += [path for path, _ in now[len(recorded) :]]
    return out


def score_log(path: str | Path) -> dict:
    events = read_log(path)
    return score(plan_of(events), events)
