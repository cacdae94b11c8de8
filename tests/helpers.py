"""Helpers the tests share: scripted runs and the grading of an attribute set."""

from __future__ import annotations

from pathlib import Path

from drillsim.scoring.verdicts import score
from drillsim.simulator.grading import level_for
from drillsim.simulator.loader import load_plan, load_procedure
from drillsim.simulator.model import ScriptAction
from drillsim.simulator.runner import run_plan

_plans: dict = {}


def _file_key(ref: str):
    path = Path(ref)
    return (ref, path.read_text(encoding="utf-8")) if path.is_file() else (ref, None)


def cached_plan(scenario: str, variants: tuple = ()):
    """load_plan, once per distinct content (tests rewrite overlay files under the same name)."""
    key = (_file_key(scenario), tuple(_file_key(v) for v in variants))
    if key not in _plans:
        _plans[key] = load_plan(scenario, variants)
    return _plans[key]


def run_scripted(
    scenario: str, actions: list[dict], *, seed: int = 1, others: str = "idle", variants: tuple = ()
) -> dict:
    """Run `scenario` with `actions` (dicts as in an actions file); return the `run --json` dict."""
    plan = cached_plan(scenario, tuple(variants))
    script = sorted((ScriptAction.model_validate(a) for a in actions), key=lambda a: a.at)
    events = run_plan(plan, seed=seed, actions=script, others=others).events
    return score(plan, events)


def entries(result: dict, obligation: str, incident: str | None = None) -> list[dict]:
    """The verdict entries of one obligation (one per occurrence), in order."""
    return [
        o
        for o in result["obligations"]
        if o["id"] == obligation and (incident is None or o.get("incident") == incident)
    ]


def entry(result: dict, obligation: str, incident: str | None = None, occurrence: int = 1) -> dict:
    found = entries(result, obligation, incident)
    assert len(found) >= occurrence, f"{obligation}: {len(found)} entries: {found}"
    return found[occurrence - 1]


def grade(procedure: str, **attributes) -> int:
    """The level the procedure's grading gives for these attribute values (others at default)."""
    proc, _ = load_procedure(procedure)
    return level_for(proc, attributes)
