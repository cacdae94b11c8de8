"""What a live drill's plan variants change, the site or the duties: which comparison
`drillsim compare` runs (the evacuation model's or the Monte Carlo's, docs/MONTECARLO.md).

Kept apart from evacuation_compare.py, which imports the evacuation model (pydantic, the site's
model): the choice is made on every `compare` and reads only the cached plans."""

from __future__ import annotations

from drillsim.simulator.loader import portable_ref, scenario_path
from drillsim.simulator.records import replace
from drillsim.simulator.replications import plan_for


def _plans(scenario: str, variants: tuple[str, ...] = ()):
    # named as the comparison names them (montecarlo._refs), so that the plans loaded for the
    # choice are the ones it runs, not loaded a second time under another name
    ref = portable_ref(scenario)
    near = (scenario_path(ref).parent,)
    return plan_for(ref, tuple(portable_ref(v, "variant", near) for v in variants))


def has_site(scenario: str) -> bool:
    """A scenario set up as a live drill with a site layout (the evacuation model's input)."""
    drill = _plans(scenario).scenario.drill
    return drill is not None and drill.site is not None


def what_changes(scenario: str, variant: str) -> tuple[bool, bool]:
    """What `variant` changes of a drill scenario's plan: (its site, anything the duties play).

    Read from the plans themselves (the base's and the variant's, both cached), not from the
    overlay's keys: an overlay that restates a value changes nothing."""
    base, other = _plans(scenario), _plans(scenario, (variant,))
    bd, od = base.scenario.drill, other.scenario.drill
    if bd is None or od is None:  # a variant cannot add or drop the drill: the scenario's checks
        return False, base.procedure != other.procedure or base.scenario != other.scenario
    site = (bd.site, bd.site_changes) != (od.site, od.site_changes)
    same_site = replace(
        other.scenario, drill=replace(od, site=bd.site, site_changes=bd.site_changes)
    )
    return site, base.procedure != other.procedure or base.scenario != same_site
