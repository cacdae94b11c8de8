"""What a plan contains, for tools that check it (`drillsim describe --json`)."""

from __future__ import annotations

from .plan import Plan
from .records import dump


def deadline_text(ob) -> str:
    if ob.deadline_min is not None:
        return f"{ob.deadline_min:g} min"
    if ob.deadline_by_level is not None:
        return ", ".join(f"L{k}: {v:g} min" for k, v in sorted(ob.deadline_by_level.items()))
    return f"by {ob.deadline_clock}"


def describe(plan: Plan) -> dict:
    proc, sc = plan.procedure, plan.scenario
    return {
        "scenario": {
            "id": sc.id,
            "title": sc.title,
            "title_en": sc.title_en,
            "exercise_type": sc.exercise_type,
            "mode": sc.mode,
            "duration_min": sc.duration_min,
            "procedures": plan.sources,
            "variants": plan.variants,
            "incidents": list(sc.incidents),
            "injects": [
                {
                    "id": j,
                    "at": i.at,
                    "when": i.when,
                    "unless_by": i.unless_by,
                    "to": i.to,
                    "expect": i.expect,
                    "objective": i.objective,
                }
                for j, i in sc.injects.items()
            ],
            "absences": [dump(a) for a in sc.absences],
            "outages": [dump(o) for o in sc.outages],
        },
        "roles": [
            {
                "id": r,
                "name": x.name,
                "name_en": x.name_en,
                "members": x.members,
                "deputy": x.deputy,
                "handover_min": x.handover_min,
            }
            for r, x in proc.roles.items()
        ],
        "channels": [
            {
                "id": c,
                "name": x.name,
                "name_en": x.name_en,
                "failure": x.failure,
                "alternatives": x.alternatives,
            }
            for c, x in proc.channels.items()
        ],
        "services": [
            {
                "id": s,
                "name": x.name,
                "name_en": x.name_en,
                "rto_min": x.rto_min,
                "rpo_min": x.rpo_min,
                "recovery": x.recovery,
            }
            for s, x in proc.services.items()
        ],
        "grading": dump(proc.grading),
        "obligations": [
            {
                "id": o,
                "clause": x.clause,
                "title": x.title,
                "title_en": x.title_en,
                "role": x.role,
                "trigger": x.trigger,
                "action": dump(x.action),
                "deadline_min": x.deadline_min,
                "deadline_by_level": x.deadline_by_level,
                "deadline_clock": x.deadline_clock,
                "deadline": deadline_text(x),
                "anchor": x.anchor,
                "every_min": x.every_min,
                "until": x.until,
                "retrigger": x.retrigger,
                "retrigger_on": x.retrigger_on,
            }
            for o, x in proc.obligations.items()
        ],
        "assumptions": [dump(a) for a in proc.assumptions],
    }
