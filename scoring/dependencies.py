"""The duty dependency graph: which duties make a duty fall due.

Duties are chained by their triggers and anchors: `done('report_l1_ops')` or an anchor
`done:report_l1_ops` waits for that duty to be done, `due('X')` for X to fall due, and
`reached('coordination_group')` for a report to reach that group. One graph serves the Monte
Carlo critical path (scoring/montecarlo.py) and the report's chain tracing
(scoring/report/chain.py).
"""

from __future__ import annotations

from drillsim.simulator.expressions import compile_condition
from drillsim.simulator.plan import Plan


def dependencies(plan: Plan) -> dict[str, dict[str, str]]:
    """Duty -> the duties whose completion makes it fall due, with how:
    'done' (trigger reads done('X') or the deadline counts from done:X), 'due' (reads due('X')),
    'reached' (trigger reads reached('R') and X is a report to R, or reads received('X'))."""
    obs = plan.procedure.obligations
    reports_to: dict[str, list[str]] = {}
    for x, ob in obs.items():
        if ob.action.do == "report":
            for r in ob.action.to:
                reports_to.setdefault(r, []).append(x)
    deps: dict[str, dict[str, str]] = {}
    for y, ob in obs.items():
        d: dict[str, str] = {}
        cond = plan.conditions.get(ob.trigger) or compile_condition(ob.trigger)
        for func, arg in sorted(cond.calls):
            if func in ("done", "due") and arg in obs and arg != y:
                d[arg] = "done" if func == "done" else d.get(arg, "due")
            elif func == "received" and arg in obs and arg != y:
                d.setdefault(arg, "reached")  # falls due when the report's first part arrives
            elif func == "reached":
                for x in reports_to.get(arg, []):
                    if x != y:
                        d.setdefault(x, "reached")
        kind, _, ref = ob.anchor.partition(":")
        if kind == "done" and ref in obs and ref != y:
            d[ref] = "done"
        deps[y] = d
    return deps


def done_links(deps: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """Duty -> the duties it waits to be done (a `done` link)."""
    return {y: [x for x, kind in d.items() if kind == "done"] for y, d in deps.items()}
