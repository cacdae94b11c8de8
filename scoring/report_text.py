"""The readable verdicts table `drillsim run` and `drillsim score` print."""

from __future__ import annotations

from drillsim.simulator.plan import Plan
from drillsim.words import t
from drillsim.words.names import Names

from .tables import table


def render(plan: Plan, result: dict, lang: str = "en") -> str:
    n = Names(plan, lang)
    w = lambda key, **kw: t(key, lang, **kw)
    rows = []
    for o in result["obligations"]:
        title = n.duty(o["id"], fallback=o)
        if o["occurrence"] and o["occurrence"] > 1:
            title += " " + w("occurrence", n=o["occurrence"])
        if o["incident"] and len(plan.scenario.incidents) > 1:
            title = f"[{o['incident']}] " + title
        rows.append(
            [
                o["clause"],
                n.acted_by(o["role"], o["acted_by"]),
                title,
                n.when(o["triggered_at"]),
                n.when(o["deadline_at"]),
                n.when(o["done_at"]),
                n.status(o),
            ]
        )
    heads = ["clause", "role", "duty", "due", "deadline", "done", "verdict"]
    out = [
        f"{plan.scenario.id}: {n.scenario_title()}  ({w('cli_seed', seed=result['seed'])})",
        table([w(f"col_{h}") for h in heads], rows, max_col=44),
    ]
    if result["continuity"]:
        crow = []
        for c in result["continuity"]:
            met = c["rto_met"]
            crow.append(
                [
                    n.service(c["service"]),
                    n.when(c["down_at"]),
                    n.when(c["restored_at"]),
                    n.duration(c["downtime_min"]),
                    n.duration(c["rto_min"]),
                    w("rto_unknown" if met is None else "rto_met" if met else "rto_not_met"),
                ]
            )
        heads = ["service", "down", "restored", "downtime", "rto", "rto_met"]
        out += ["", table([w(f"col_{h}") for h in heads], crow)]
    s = result["summary"]
    rate = "-" if s["sla_hit_rate"] is None else f"{s['sla_hit_rate']:.0%}"
    shown = ("hit", "late", "missed", "open", "not_triggered") + (
        ("void",) if s.get("void") else ()
    )
    counts = ", ".join(f"{w(k)} {s[k]}" for k in shown)
    grades = f"; {w('grades_correct')} {s['grades_correct']}/{s['grades']}" if s["grades"] else ""
    out += ["", f"{w('summary')}: {counts}; {w('hit_rate')} {rate}{grades}"]
    return "\n".join(out)
