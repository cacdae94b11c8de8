"""The data model of procedures and scenarios (pydantic v2, unknown fields forbidden).

Everything a BCM officer writes in YAML lands in these classes; the JSON Schema in
`schema/` is generated from them (`drillsim schema`). Cross-references (a deputy that is
a defined role, a condition that names known attributes) are checked in `checks.py`,
because they need the whole document and the line numbers of the YAML source. A plan keeps
what was validated as plain records of the same classes and attributes (`plain`, records.py),
so that running a plan needs no pydantic.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .limits import EPS as EPS  # re-exported: the model's readers find the limits here too
from .limits import MAX_MINUTES, MIN_EVERY
from .limits import MAX_RECURRENCES as MAX_RECURRENCES
from .records import AbsenceTimes, ServiceRules, record

Minutes = Annotated[float, Field(ge=0, le=MAX_MINUTES, description="simulated minutes")]
PositiveMinutes = Annotated[
    float, Field(gt=0, le=MAX_MINUTES, description="simulated minutes, > 0")
]
Probability = Annotated[float, Field(ge=0, le=1)]
Ident = Annotated[
    str,
    Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64, description="identifier"),
]


def _clock(text: str) -> str:
    hh, _, mm = text.partition(":")
    if not (len(hh) == len(mm) == 2 and int(hh) < 24 and int(mm) < 60):
        raise ValueError(f"{text!r} is not a time of day (HH:MM, 00:00 to 23:59)")
    return text


Clock = Annotated[
    str,
    Field(pattern=r"^\d{2}:\d{2}$", description="time of day, HH:MM"),
    AfterValidator(_clock),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


# --- distributions ----------------------------------------------------------------------
# All are sampled by inverse CDF from one uniform draw, so a shorter delay in a plan
# variant gives a shorter sample for the same draw (common random numbers stay monotone).


class Fixed(Strict):
    dist: Literal["fixed"]
    value: Minutes


class Uniform(Strict):
    dist: Literal["uniform"]
    low: Minutes
    high: Minutes

    @model_validator(mode="after")
    def _order(self):
        if self.high < self.low:
            raise ValueError("high must be >= low")
        return self


class Triangular(Strict):
    dist: Literal["triangular"]
    low: Minutes
    mode: Minutes
    high: Minutes

    @model_validator(mode="after")
    def _order(self):
        if not self.low <= self.mode <= self.high:
            raise ValueError("need low <= mode <= high")
        return self


class LogNormal(Strict):
    """Given by its median and 90th percentile, the two numbers people can estimate."""

    dist: Literal["lognormal"]
    median: PositiveMinutes
    p90: PositiveMinutes

    @model_validator(mode="after")
    def _order(self):
        if self.p90 <= self.median:
            raise ValueError("p90 must be greater than median")
        # the largest draw (8.3 standard deviations out) must stay a finite number of minutes
        sigma = math.log(self.p90 / self.median) / 1.2816
        if math.log(self.median) + 8.3 * sigma > 700:
            raise ValueError("p90 is too many times the median (draws would overflow)")
        return self


class Exponential(Strict):
    dist: Literal["exponential"]
    mean: PositiveMinutes


Distribution = Annotated[
    Fixed | Uniform | Triangular | LogNormal | Exponential, Field(discriminator="dist")
]


# --- procedure --------------------------------------------------------------------------


class Attribute(Strict):
    """An incident attribute the grading rules and conditions read."""

    type: Literal["number", "text", "flag"] = "number"
    default: float | str | bool = 0
    unit: str = ""
    description: str = ""
    values: list[str] | None = Field(None, description="allowed values of a text attribute")


class Errors(Strict):
    """How often a simulated role gets it wrong."""

    forget: Probability = Field(0.0, description="skips a duty altogether")
    misgrade: Probability = Field(0.0, description="declares a level one step off")
    wrong_channel: Probability = Field(
        0.0, description="reports on a channel the duty does not allow"
    )


class Role(Strict):
    name: str = Field(description="name as the procedure has it (Chinese)")
    name_en: str = ""
    members: int = Field(1, ge=1, le=1000, description="how many duties it can work on at once")
    deputy: Ident | None = Field(None, description="role that acts when this one is absent")
    handover_min: Minutes = Field(5, description="time for the deputy to take over")
    reaction: Distribution = Field(default_factory=lambda: Fixed(dist="fixed", value=1))
    errors: Errors = Field(default_factory=lambda: Errors.model_validate({}))
    clause: str = ""


class Channel(Strict):
    name: str
    name_en: str = ""
    latency: Distribution = Field(default_factory=lambda: Fixed(dist="fixed", value=0.5))
    failure: Probability = Field(0.0, description="chance a message is not delivered")
    alternatives: list[Ident] = Field(
        default_factory=list, description="channels that serve the same purpose when this one fails"
    )
    clause: str = ""


class GradingRule(Strict):
    level: int = Field(ge=1)
    when: str = Field(description="condition over incident attributes")
    criterion: str = Field("", description="the procedure's wording of the rule")
    criterion_en: str = Field("", description="the same in English, for English output")
    clause: str


class RulesGrading(Strict):
    """Any rule that holds gives its level; the most severe (lowest number) wins."""

    kind: Literal["rules"]
    levels: dict[int, str]
    rules: list[GradingRule]
    default: int = Field(0, ge=0, description="level when no rule holds (0 = not an event)")


class MatrixGrading(Strict):
    """Level (priority) read from a table of two text attributes, e.g. urgency x impact."""

    kind: Literal["matrix"]
    levels: dict[int, str]
    row: Ident
    column: Ident
    cells: dict[str, dict[str, int]]
    clause: str


Grading = Annotated[RulesGrading | MatrixGrading, Field(discriminator="kind")]


class Effects(Strict):
    """What finishing a task does to the world."""

    restore: list[Ident] = Field(default_factory=list, description="services brought back")
    set: dict[str, float | str | bool] = Field(
        default_factory=dict, description="attribute changes"
    )


class Task(Strict):
    name: str
    name_en: str = ""
    work: Distribution = Field(default_factory=lambda: Fixed(dist="fixed", value=1))
    success: Probability = Field(1.0, description="chance the task achieves its effects")
    effects: Effects = Field(default_factory=Effects)
    clause: str = ""


class Report(Strict):
    do: Literal["report"]
    to: list[Ident] = Field(min_length=1)
    via: list[Ident] = Field(min_length=1)
    via_mode: Literal["any", "all"] = Field(
        "any", description="any: one of the channels is enough; all: each channel is needed"
    )


class Grade(Strict):
    do: Literal["grade"]


class Classify(Strict):
    do: Literal["classify"]


class DoTask(Strict):
    do: Literal["task"]
    task: Ident


Action = Annotated[Report | Grade | Classify | DoTask, Field(discriminator="do")]


class Obligation(Strict):
    """When `trigger` becomes true, `role` must do `action` within the deadline."""

    clause: str = Field(description="source clause, e.g. '000 §二(二)1'")
    title: str
    title_en: str = ""
    role: Ident
    trigger: str = Field(description="condition; the duty falls due when it becomes true")
    action: Action
    deadline_min: PositiveMinutes | None = None
    deadline_by_level: dict[int, PositiveMinutes] | None = Field(
        None, description="deadline chosen by the level when the duty falls due"
    )
    deadline_clock: Clock | None = Field(
        None, description="wall-clock time of day it is due by (HH:MM)"
    )
    anchor: str = Field(
        "trigger",
        pattern=r"^(trigger|start|inject:\w+|done:\w+)$",
        description="what the deadline counts from",
    )
    every_min: Annotated[float, Field(ge=MIN_EVERY, le=MAX_MINUTES)] | None = Field(
        None, description="falls due again every N minutes (at least every minute)"
    )
    until: str | None = Field(None, description="condition that ends the recurrence")
    retrigger: bool = Field(
        False, description="falls due again each time the trigger becomes true anew"
    )
    retrigger_on: str | None = Field(
        None,
        description="expression (usually `level`); with retrigger, the duty also falls due again "
        "when its value changes while the trigger holds, once the last occurrence was met",
    )
    work: Distribution | None = Field(
        None, description="simulated work time; a task's own by default"
    )
    note: str = ""

    @model_validator(mode="after")
    def _one_deadline(self):
        given = [
            x is not None for x in (self.deadline_min, self.deadline_by_level, self.deadline_clock)
        ]
        if sum(given) != 1:
            raise ValueError("give exactly one of deadline_min, deadline_by_level, deadline_clock")
        return self


class Service(Strict, ServiceRules):
    name: str
    name_en: str = ""
    rto_min: PositiveMinutes
    rpo_min: Minutes | None = None
    impact_per_min: float = Field(0, ge=0, description="impact accrued per minute down (CNY)")
    recovery: list[Ident] = Field(default_factory=list, description="tasks that can restore it")
    clause: str = ""


class Assumption(Strict):
    clause: str
    text: str


class Procedure(Strict):
    id: Ident
    title: str
    title_en: str = ""
    source: str = Field(description="the source document")
    version: str = "1.0"
    workday_end: Clock = "18:00"
    assumptions: list[Assumption] = Field(default_factory=list)
    attributes: dict[Ident, Attribute] = Field(default_factory=dict)
    roles: dict[Ident, Role]
    channels: dict[Ident, Channel]
    grading: Grading | None = None
    tasks: dict[Ident, Task] = Field(default_factory=dict)
    services: dict[Ident, Service] = Field(default_factory=dict)
    obligations: dict[Ident, Obligation]


# --- scenario ---------------------------------------------------------------------------


class Incident(Strict):
    title: str = ""
    attributes: dict[Ident, float | str | bool] = Field(default_factory=dict)


class Change(Strict):
    """A step in how the incident evolves, seen by nobody until an inject tells them."""

    at: Minutes
    incident: Ident | None = None
    set: dict[Ident, float | str | bool] = Field(default_factory=dict)
    down: list[Ident] = Field(default_factory=list, description="services that go down")
    unless: str | None = Field(None, description="condition that cancels the step")


class Inject(Strict):
    """A message from the exercise to players (MSEL row)."""

    at: Minutes | None = Field(None, description="timed inject")
    when: str | None = Field(None, description="conditional inject: fires when this becomes true")
    unless_by: str | None = Field(
        None, description="contingency inject: fires at `at` only if this condition is still false"
    )
    incident: Ident | None = None
    phase: str = ""
    source: str = Field("", description="who it appears to come from")
    to: list[Ident] = Field(min_length=1)
    channel: Ident | None = None
    text: str
    text_en: str = ""
    set: dict[Ident, float | str | bool] = Field(default_factory=dict)
    down: list[Ident] = Field(default_factory=list)
    expect: str = Field("", description="expected player action")
    objective: str = ""
    controller: str = Field("", description="the controller responsible for delivering it (MSEL)")
    notes: str = Field("", description="controller's notes (MSEL)")
    delivered: str = Field(
        "", description="actual delivery time as a controller recorded it, e.g. 10:42 (MSEL)"
    )

    @model_validator(mode="after")
    def _timing(self):
        if (self.at is None) == (self.when is None):
            raise ValueError(
                "give exactly one of `at` (timed or contingency) and `when` (conditional)"
            )
        if self.unless_by is not None and self.at is None:
            raise ValueError("a contingency inject (unless_by) needs `at`")
        return self


class Absence(Strict, AbsenceTimes):
    """A role away. Without `from` it was away before the exercise began: its deputy acts from
    the first minute, with no handover. With `from` it leaves during the exercise, and its
    deputy takes over after the role's `handover_min`."""

    role: Ident
    start_min: Minutes | None = Field(
        None,
        alias="from",
        description="minute it leaves during the exercise; omitted: away since before the start",
    )
    until_min: Minutes | None = Field(None, alias="until")
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    @model_validator(mode="after")
    def _order(self):
        if self.until_min is not None and self.until_min <= self.begins:
            raise ValueError(f"`until` ({self.until_min:g}) must be after `from` ({self.begins:g})")
        return self


class Outage(Strict):
    channel: Ident
    start_min: Minutes = Field(0, alias="from")
    until_min: Minutes | None = Field(None, alias="until")
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    @model_validator(mode="after")
    def _order(self):
        if self.until_min is not None and self.until_min <= self.start_min:
            raise ValueError(
                f"`until` ({self.until_min:g}) must be after `from` ({self.start_min:g})"
            )
        return self


class Objective(Strict):
    id: Ident
    text: str
    text_en: str = ""
    obligations: list[Ident] = Field(
        default_factory=list, description="critical tasks as obligations"
    )


class ObservedMilestone(Strict):
    """Something an evaluator sees happen in a live drill and stamps: the alarm, the last person
    out, the assembly point reached, the all-clear. Not a duty of a role unless `meets` names one."""

    title: str
    title_en: str = ""
    meets: Ident | None = Field(
        None,
        description="obligation this observation fulfils: stamping it performs the duty's action "
        "(the headcount task, the call to 119 …), so the duty's deadline judges it",
    )
    set: dict[Ident, float | str | bool] = Field(
        default_factory=dict, description="facts it changes when stamped, e.g. all_clear: true"
    )
    headcount: bool = Field(
        False, description="stamped by itself when everyone present is accounted for"
    )
    measures: Literal["all_out", "assembly", "headcount"] | None = Field(
        None,
        description="what of the evacuation model's prediction this milestone measures: the last "
        "person out, the last at the assembly point, the headcount complete",
    )
    target_min: PositiveMinutes | None = Field(
        None, description="expected within this many minutes of `after` (cite the clause)"
    )
    after: Ident | None = Field(
        None, description="milestone the target counts from (default: the first, the alarm)"
    )
    clause: str = ""


class Drill(Strict):
    """How a scenario is run as a live drill on the real clock (`drillsim drill`)."""

    milestones: dict[Ident, ObservedMilestone] = Field(
        min_length=1,
        description="observed milestones in the order they are expected; the first is the alarm: "
        "the drill's clock starts (minute 0) when it is stamped",
    )
    obligations: list[Ident] | None = Field(
        None,
        description="obligations offered for stamping besides those the milestones meet "
        "(default: those of the scenario's objectives)",
    )
    site: str | None = Field(
        None, description="site layout for the evacuation prediction (file beside the scenario)"
    )
    site_changes: dict = Field(
        default_factory=dict,
        description="overlay on the site layout (a variant: exits: {B: {blocked: true}})",
    )
    location: str = ""
    organiser: str = ""
    assembly_point: str = ""


class Span(Strict):
    """A range a run draws its value from (uniformly; `step` rounds it: 1 for whole numbers)."""

    low: float
    high: float
    step: float = Field(0, ge=0, description="round the drawn value to a multiple of this (0: not)")

    @model_validator(mode="after")
    def _order(self):
        if self.high < self.low:
            raise ValueError("high must be >= low")
        return self


class Vary(Strict):
    """What a run may draw for one inject instead of its written values: its time and the
    number facts it sets. Drawn from the run's seed, keyed by inject and field."""

    at: Span | None = Field(None, description="the inject's time (a timed inject)")
    set: dict[Ident, Span] = Field(default_factory=dict, description="number facts the inject sets")


class Scenario(Strict):
    id: Ident
    title: str
    title_en: str = ""
    description: str = ""
    description_en: str = ""
    procedures: list[Ident] = Field(min_length=1)
    exercise_type: Literal["tabletop", "drill", "functional"] = "tabletop"
    mode: Literal["exercise", "test"] = "exercise"
    start_clock: Clock = "09:00"
    duration_min: PositiveMinutes
    incidents: dict[Ident, Incident] = Field(min_length=1)
    timeline: list[Change] = Field(default_factory=list)
    injects: dict[Ident, Inject] = Field(min_length=1)
    absences: list[Absence] = Field(default_factory=list)
    outages: list[Outage] = Field(default_factory=list)
    objectives: list[Objective] = Field(default_factory=list)
    overrides: dict = Field(default_factory=dict, description="overlay applied to the procedures")
    vary: dict[Ident, Vary] = Field(
        default_factory=dict,
        description="per inject id: ranges a varied run draws its time and facts from "
        "(`play --vary`, `run --vary`); without --vary the written values are used",
    )
    drill: Drill | None = Field(None, description="set up as a live drill (`drillsim drill`)")


# --- scripted actions -------------------------------------------------------------------


class ScriptAction(Strict):
    """One line of an actions file: what a role does at a simulated minute."""

    at: Minutes
    role: Ident
    do: Literal["report", "grade", "classify", "task"]
    incident: Ident | None = None
    to: list[Ident] | None = None
    via: Ident | None = None
    level: int | None = Field(None, ge=1)
    impact: str | None = None
    urgency: str | None = None
    category: str | None = None
    task: Ident | None = None
    text: str = ""
    wall: str | None = Field(
        None, description="wall-clock stamp of a person's action (evidence only)"
    )

    @model_validator(mode="after")
    def _args(self):
        need = {
            "report": ("to", "via"),
            "grade": ("level",),
            "classify": ("impact", "urgency"),
            "task": ("task",),
        }[self.do]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"`do: {self.do}` needs {', '.join(missing)}")
        return self


def plain(value: Any) -> Any:
    """A validated model as records (records.py): the same class names and attributes, no
    pydantic; dicts and lists are copied with their items made plain."""
    if isinstance(value, BaseModel):
        fields = tuple(type(value).model_fields)
        return record(
            type(value).__name__, fields, tuple([plain(getattr(value, f)) for f in fields])
        )
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
