"""The site layout the evacuation model reads: areas with their exits and walking distances,
exits with their clear width and the walk on to the assembly point, and the people's
pre-movement time and walking speed as distributions, with the sources of the defaults.

Units: metres, seconds, metres per second (the distributions are the procedure's own kinds,
here in seconds or m/s rather than minutes).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from drillsim.simulator.errors import InputError
from drillsim.simulator.formats.yamlsrc import load
from drillsim.simulator.loader import merge, scenario_path, validate_model
from drillsim.simulator.model import Distribution, Ident, Strict
from drillsim.simulator.plan import Plan


class Exit(Strict):
    name: str
    name_en: str = ""
    width_m: float = Field(gt=0, description="clear width of the door or stair, metres")
    to_assembly_m: float = Field(0, ge=0, description="walk from the exit to the assembly point")
    blocked: bool = Field(False, description="not usable (a variant: 'exit B blocked')")


class Area(Strict):
    name_en: str = ""
    people: int | None = Field(
        None, ge=0, description="head count when no roster is given (the roster's count wins)"
    )
    exits: dict[Ident, float] = Field(
        min_length=1,
        description="exit -> walking distance to it in metres; people take the nearest open one",
    )
    premovement: Distribution | None = Field(None, description="seconds; the site's by default")


class Site(Strict):
    id: Ident
    title: str
    title_en: str = ""
    sources: list[str] = Field(default_factory=list, description="where the defaults come from")
    flow_per_m: float = Field(
        1.3, gt=0, description="persons per second per metre of effective width"
    )
    boundary_layer_m: float = Field(
        0.15, ge=0, description="lost on each side of a door: effective = clear - 2 x this"
    )
    walking_speed: Distribution = Field(description="metres per second")
    premovement: Distribution = Field(description="seconds from the alarm to starting to move")
    checkin_s: Distribution = Field(description="seconds a warden takes to check one person in")
    wardens: int | None = Field(
        None, ge=1, description="checking in at the assembly point (default: the roster's)"
    )
    assembly_point: str = ""
    areas: dict[str, Area] = Field(min_length=1)
    exits: dict[Ident, Exit] = Field(min_length=1)

    @model_validator(mode="after")
    def _refs(self):
        for name, area in self.areas.items():
            for e in area.exits:
                if e not in self.exits:
                    raise ValueError(f"areas.{name}.exits: unknown exit {e!r}")
        for eid, ex in self.exits.items():
            if ex.width_m <= 2 * self.boundary_layer_m:
                raise ValueError(f"exits.{eid}.width_m: not wider than the two boundary layers")
        return self

    def effective_width(self, exit_id: str) -> float:
        return self.exits[exit_id].width_m - 2 * self.boundary_layer_m


def site_path(plan: Plan) -> Path | None:
    drill = plan.scenario.drill
    if drill is None or drill.site is None:
        return None
    return scenario_path(plan.ref).parent / drill.site


def load_site(plan: Plan) -> Site | None:
    """The scenario's site layout with the plan's `site_changes` (a variant's) applied."""
    path = site_path(plan)
    if path is None:
        return None
    data, pos = load(path)
    if not isinstance(data, dict):
        raise InputError(
            [pos.problem((), "a site layout is a mapping (id, title, areas, exits …)")]
        )
    changes = plan.scenario.drill.site_changes if plan.scenario.drill else {}
    if changes:
        data = merge(data, changes)
    site, problems = validate_model(Site, data, pos)
    if problems:
        raise InputError(problems)
    blocked_out = [
        name for name, area in site.areas.items() if all(site.exits[e].blocked for e in area.exits)
    ]
    if blocked_out:
        raise InputError(
            [pos.problem(("areas",), f"areas {', '.join(blocked_out)}: every exit is blocked")]
        )
    return site
