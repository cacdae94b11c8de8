"""A live drill's milestones and headcount as verdicts, from the drill log's events alone.

The console (live, with `end` = now), `drillsim score` and the drill record call the same
function over the same (corrected) events, so they cannot disagree. A milestone that meets a
duty takes the duty's verdict; an observed one with a `target_min` is judged against it;
any other is stamped or not.
"""

from __future__ import annotations

from drillsim.simulator.agenda import status
from drillsim.simulator.drill.headcount import headcount_of
from drillsim.simulator.drill.milestones import milestones
from drillsim.simulator.drill.roster import Roster
from drillsim.simulator.plan import Plan


def _r(x):
    return None if x is None else round(x, 6)


def stamps_of(events: list[dict]) -> dict[str, dict]:
    """Each stamp with its corrections and notes: id -> {stamp, corrections, notes, t}."""
    out: dict[str, dict] = {}
    for ev in events:
        kind = ev["type"]
        if kind == "stamp":
            out[ev["id"]] = {"stamp": ev, "corrections": [], "notes": [], "t": ev["t"]}
        elif kind in ("stamp.corrected", "stamp.note") and ev["stamp"] in out:
            item = out[ev["stamp"]]
            if kind == "stamp.corrected":
                item["corrections"].append(ev)
                item["t"] = ev["at"]
            else:
                item["notes"].append(ev)
    return out


def milestone_rows(plan: Plan, events: list[dict], entries: list[dict], end: float) -> list[dict]:
    """One row per milestone: its stamp (as corrected), its deadline and verdict.

    `entries` are the verdict entries (`scoring.verdicts.obligations`) of the same events."""
    stamps = stamps_of(events)
    by_milestone: dict[str, list[dict]] = {}
    for stamped in stamps.values():
        by_milestone.setdefault(stamped["stamp"]["milestone"], []).append(stamped)
    first: dict[str, dict] = {}
    for mid, items in by_milestone.items():
        first[mid] = min(items, key=lambda x: x["t"])
    rows = []
    for m in milestones(plan):
        item = first.get(m.id)
        row = {
            "id": m.id,
            "key": m.key,
            "kind": m.kind,
            "obligation": m.obligation,
            "clause": m.clause(plan),
            "title": m.title(plan, "zh"),
            "title_en": m.title(plan, "en"),
            "stamp": item["stamp"]["id"] if item else None,
            "stamped_at": _r(item["t"]) if item else None,
            "recorded_at": _r(item["stamp"].get("was", item["stamp"]["t"])) if item else None,
            "wall": item["stamp"].get("wall") if item else None,
            "by": item["stamp"].get("by") if item else None,
            "auto": bool(item["stamp"].get("auto")) if item else False,
            "note": item["stamp"].get("note", "") if item else "",
            "notes": [n["note"] for n in item["notes"]] if item else [],
            "corrections": [
                {k: c.get(k) for k in ("t", "at", "at_wall", "by", "note", "wall")}
                for c in item["corrections"]
            ]
            if item
            else [],
            "triggered_at": None,
            "deadline_at": None,
            "status": "stamped" if item else "not_stamped",
            "late_by_min": None,
        }
        if m.obligation is not None:
            duty = [e for e in entries if e["id"] == m.obligation]
            hit = next((e for e in duty if e["done_at"] is not None), None)
            e = hit or (duty[0] if duty else None)
            if e is not None:
                row.update(
                    triggered_at=e["triggered_at"],
                    deadline_at=e["deadline_at"],
                    status=e["status"],
                    late_by_min=e["late_by_min"],
                    role=e["role"],
                    acted_by=e["acted_by"],
                )
        elif m.observed is not None and m.observed.target_min is not None:
            after = m.observed.after or milestones(plan)[0].id
            base = first.get(after)
            if base is not None:
                deadline = base["t"] + m.observed.target_min
                row.update(triggered_at=_r(base["t"]), deadline_at=_r(deadline))
                done = item["t"] if item is not None else None
                row["status"] = status(done, deadline, end)
                if row["status"] == "late":
                    row["late_by_min"] = _r(done - deadline)
        rows.append(row)
    return rows


def drill_summary(plan: Plan, events: list[dict], entries: list[dict], end: float) -> dict:
    """The `drill` part of a drill log's score: milestones and headcount."""
    header = events[0]["drill"]
    roster = Roster.from_log(header["roster"])
    hc = headcount_of(roster, events)
    closed = hc.closed
    return {
        "wall_start": header.get("wall_start"),
        "milestones": milestone_rows(plan, events, entries, end),
        "headcount": {
            **hc.summary(),
            "closed_by": closed.get("by") if closed else None,
            "closed_note": closed.get("note", "") if closed else "",
            "by_department": [
                {"name": g.name, "expected": g.expected, "accounted": g.accounted}
                for g in hc.groups("department")
            ],
            "by_area": [
                {"name": g.name, "expected": g.expected, "accounted": g.accounted}
                for g in hc.groups("area")
            ],
        },
        "people": {
            "evaluators": sorted(
                {
                    ev["by"]
                    for ev in events
                    if ev["type"] in ("stamp", "stamp.corrected", "stamp.note")
                    and ev.get("by")
                    and not ev.get("auto")
                }
            ),
            "wardens": sorted(
                {
                    ev["by"]
                    for ev in events
                    if ev["type"] in ("checkin", "visitor", "headcount.closed") and ev.get("by")
                }
            ),
        },
    }


def live_summary(plan: Plan, events: list[dict], now: float) -> dict:
    """The `drill` part as it stands at minute `now` of a drill still running: what a served
    drill sends every client (stamps at their corrected minutes, as `score` reads them)."""
    from drillsim.simulator.drill.live import corrected_events

    from .verdicts import obligations

    events = corrected_events(plan, events)
    return drill_summary(plan, events, obligations(plan, events, now), now)
