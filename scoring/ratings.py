"""Evaluator input: P/S/M/U ratings of critical tasks, hotwash notes, the improvement plan.

A ratings file is YAML (docs/REPORTS.md):

    evaluator: 王工
    date: 2025-03-14
    scenario: payment_outage            # optional; checked against the log's scenario
    tasks:
      - {objective: report, rating: S, observation: 一级上报迟5分钟,OA宕机后改用邮件}
      - {objective: report, obligation: report_l1_ops, rating: M, observation: ...}
      - {obligation: verify, rating: P}
    hotwash:
      strengths: [...]
      improvements: [...]
      feedback: [...]
    improvement_plan:                   # when present, replaces the drafted plan
      - {issue: ..., corrective_action: ..., capability: training, responsible_role: duty_supervisor,
         due: 2025-04-30}

`load_ratings(path, plan)` validates it (unknown fields, unknown objective/obligation/role/
incident ids, bad ratings) and raises `InputError` with FILE:LINE:COL problems;
`save_ratings(path, ratings)` writes one back (the TUI's facilitator view can use both).
Ratings are the evaluators' judgement: nothing here derives them from the timing verdicts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from drillsim.simulator.errors import InputError, Problem
from drillsim.simulator.formats.yamlsrc import Positions, load, load_text
from drillsim.simulator.loader import validate_model

RATINGS = ("P", "S", "M", "U", "N/O")
CAPABILITIES = ("planning", "organization", "equipment", "training", "exercise")
Ident = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="identifier")]
Rating = Literal["P", "S", "M", "U", "N/O"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _rating(value):
    """Accept 'p', 'n/o', 'NO', 'N.O.' …; `null` means not rated yet."""
    if isinstance(value, str):
        v = value.strip().upper().replace(".", "").replace(" ", "")
        if v in ("NO", "N/O", "NA", "N/A"):
            return "N/O"
        return v
    return value


class TaskRating(_Strict):
    """A rating of an objective (objective only) or of a critical task (obligation)."""

    objective: Ident | None = Field(None, description="objective id of the scenario")
    obligation: Ident | None = Field(None, description="critical task (obligation id)")
    incident: Ident | None = Field(
        None, description="only this incident (several-incident scenarios)"
    )
    rating: Rating | None = Field(None, description="P, S, M, U or N/O; null = not rated yet")
    observation: str = ""

    @field_validator("rating", mode="before")
    @classmethod
    def _norm(cls, value):
        return _rating(value)

    @model_validator(mode="after")
    def _target(self):
        if self.objective is None and self.obligation is None:
            raise ValueError("name the `objective` or the `obligation` (critical task) rated")
        return self


class Hotwash(_Strict):
    strengths: list[str] = Field(default_factory=list)
    improvements: list[str] = Field(default_factory=list)
    feedback: list[str] = Field(default_factory=list)


class PlanItem(_Strict):
    """One row of the improvement plan."""

    issue: str
    corrective_action: str
    capability: Literal["planning", "organization", "equipment", "training", "exercise"]
    responsible_role: Ident | None = Field(
        None, description="role id; null = the exercise planners"
    )
    due: dt.date | None = None
    obligation: Ident | None = Field(None, description="the duty the issue concerns, if any")


class Ratings(_Strict):
    evaluator: str = ""
    date: dt.date | None = None
    scenario: Ident | None = None
    tasks: list[TaskRating] = Field(default_factory=list)
    hotwash: Hotwash = Field(default_factory=Hotwash)
    improvement_plan: list[PlanItem] | None = Field(
        None, description="replaces the drafted improvement plan when present"
    )

    # --- look-ups the report uses --------------------------------------------------------
    def for_objective(self, objective: str) -> TaskRating | None:
        for r in self.tasks:
            if r.objective == objective and r.obligation is None and r.incident is None:
                return r
        return None

    def for_task(
        self, obligation: str, objective: str | None = None, incident: str | None = None
    ) -> TaskRating | None:
        """The most specific rating of a critical task: objective+incident, objective, incident, plain."""
        best, score = None, -1
        for r in self.tasks:
            if r.obligation != obligation:
                continue
            if r.objective is not None and r.objective != objective:
                continue
            if r.incident is not None and r.incident != incident:
                continue
            s = (r.objective is not None) * 2 + (r.incident is not None)
            if s > score:
                best, score = r, s
        return best

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in RATINGS}
        for r in self.tasks:
            if r.rating:
                out[r.rating] += 1
        return out


# --- reading and checking ------------------------------------------------------------------


def _unknown(kind: str, name, known) -> str:
    listed = ", ".join(sorted(map(str, known))) or "none"
    return f"unknown {kind} {name!r} (defined: {listed})"


def check_ratings(r: Ratings, plan, pos: Positions) -> list[Problem]:
    """Cross-references against the plan: ids of objectives, obligations, incidents and roles."""
    p: list[Problem] = []
    sc, proc = plan.scenario, plan.procedure
    objectives = {o.id: o for o in sc.objectives}
    if r.scenario is not None and r.scenario != sc.id:
        p.append(
            pos.problem(
                ("scenario",),
                f"scenario: these ratings are for {r.scenario!r}, the log is of {sc.id!r}",
            )
        )
    seen: dict[tuple, int] = {}
    for i, item in enumerate(r.tasks):
        base = ("tasks", i)
        if item.objective is not None and item.objective not in objectives:
            p.append(
                pos.problem(
                    base + ("objective",),
                    f"tasks[{i}].objective: " + _unknown("objective", item.objective, objectives),
                )
            )
        if item.obligation is not None:
            if item.obligation not in proc.obligations:
                p.append(
                    pos.problem(
                        base + ("obligation",),
                        f"tasks[{i}].obligation: "
                        + _unknown("obligation", item.obligation, proc.obligations),
                    )
                )
            elif (
                item.objective in objectives
                and item.obligation not in objectives[item.objective].obligations
            ):
                p.append(
                    pos.problem(
                        base + ("obligation",),
                        f"tasks[{i}].obligation: {item.obligation!r} is not a critical task of objective "
                        f"{item.objective!r} (its tasks: {', '.join(objectives[item.objective].obligations)})",
                    )
                )
        if item.incident is not None and item.incident not in sc.incidents:
            p.append(
                pos.problem(
                    base + ("incident",),
                    f"tasks[{i}].incident: " + _unknown("incident", item.incident, sc.incidents),
                )
            )
        key = (item.objective, item.obligation, item.incident)
        if key in seen:
            p.append(pos.problem(base, f"tasks[{i}]: rated twice (also tasks[{seen[key]}])"))
        seen.setdefault(key, i)
    for i, plan_item in enumerate(r.improvement_plan or []):
        role = plan_item.responsible_role
        if role is not None and role not in proc.roles:
            p.append(
                pos.problem(
                    ("improvement_plan", i, "responsible_role"),
                    f"improvement_plan[{i}].responsible_role: "
                    + _unknown("role", role, proc.roles),
                )
            )
        if plan_item.obligation is not None and plan_item.obligation not in proc.obligations:
            p.append(
                pos.problem(
                    ("improvement_plan", i, "obligation"),
                    f"improvement_plan[{i}].obligation: "
                    + _unknown("obligation", plan_item.obligation, proc.obligations),
                )
            )
    return p


def parse_ratings(data, pos: Positions, plan=None) -> Ratings:
    if data is None:
        data = {}
    model, problems = validate_model(Ratings, data, pos)
    if model is not None and plan is not None:
        problems += check_ratings(model, plan, pos)
    if problems:
        raise InputError(problems)
    return model


def load_ratings(path: str | Path, plan=None) -> Ratings:
    """Read and check a ratings file; InputError with FILE:LINE:COL problems when it is wrong."""
    data, pos = load(path)
    return parse_ratings(data, pos, plan)


def loads_ratings(text: str, plan=None, file: str = "<ratings>") -> Ratings:
    data, pos = load_text(text, file)
    return parse_ratings(data, pos, plan)


def ratings_dict(r: Ratings) -> dict:
    data = r.model_dump(mode="json")
    if data.get("improvement_plan") is None:
        data.pop("improvement_plan", None)
    return data


def dumps_ratings(r: Ratings) -> str:
    return yaml.safe_dump(ratings_dict(r), allow_unicode=True, sort_keys=False, width=100)


def save_ratings(path: str | Path, r: Ratings) -> None:
    """Write a ratings file that `load_ratings` reads back to the same `Ratings`."""
    Path(path).write_text(dumps_ratings(r), encoding="utf-8")
