"""A plan's parts as records (simulator/records.py): every shipped scenario's validated model and
its records hold the same values under the same names, behave alike where the model has
behaviour, and run the same."""

from __future__ import annotations

import copy
import pickle

import pytest

from drillsim.simulator import model, records
from drillsim.simulator.formats.yamlsrc import load
from drillsim.simulator.loader import SCENARIOS_DIR, load_plan, procedure_path
from drillsim.simulator.runner import run_plan

SHIPPED = sorted(p.stem for p in SCENARIOS_DIR.glob("*.yaml"))


def _validated(scenario: str) -> tuple[model.Scenario, list[model.Procedure]]:
    sc = model.Scenario.model_validate(load(SCENARIOS_DIR / f"{scenario}.yaml")[0])
    procs = [model.Procedure.model_validate(load(procedure_path(p))[0]) for p in sc.procedures]
    return sc, procs


def _same(validated, rec, where: str = "") -> None:
    """Walk a model and its record side by side: the same class name, fields and values."""
    if isinstance(validated, model.BaseModel):
        assert type(rec).__name__ == type(validated).__name__, where
        assert rec._fields == tuple(type(validated).model_fields), where
        for name in rec._fields:
            _same(getattr(validated, name), getattr(rec, name), f"{where}.{name}")
    elif isinstance(validated, dict):
        assert type(rec) is dict and list(rec) == list(validated), where
        for k in validated:
            _same(validated[k], rec[k], f"{where}[{k}]")
    elif isinstance(validated, list):
        assert type(rec) is list and len(rec) == len(validated), where
        for i, (a, b) in enumerate(zip(validated, rec, strict=True)):
            _same(a, b, f"{where}[{i}]")
    else:
        assert type(rec) is type(validated) and rec == validated, where


@pytest.mark.parametrize("scenario", SHIPPED)
def test_records_hold_what_was_validated(scenario):
    sc, procs = _validated(scenario)
    for validated in (sc, *procs):
        rec = model.plain(validated)
        _same(validated, rec)
        # describe's output is unchanged
        assert records.dump(rec) == validated.model_dump(warnings=False)
        again = pickle.loads(pickle.dumps(rec, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == rec and again is not rec
        assert copy.deepcopy(rec) == rec


def test_records_are_frozen_and_replace_makes_a_copy():
    sc, _ = _validated("payment_outage")
    rec = model.plain(sc)
    with pytest.raises(AttributeError):
        rec.duration_min = 1
    with pytest.raises(AttributeError):
        del rec.id
    shorter = records.replace(rec, duration_min=1.0)
    assert shorter.duration_min == 1.0 and rec.duration_min == sc.duration_min
    assert shorter != rec and shorter == records.replace(rec, duration_min=1.0)
    fixed = model.Fixed(dist="fixed", value=2)
    assert hash(model.plain(fixed)) == hash(model.plain(fixed)) and model.plain(fixed).value == 2
    with pytest.raises(TypeError, match="no field"):
        records.replace(rec, duration=1)


def test_the_models_behaviour_is_the_records_behaviour():
    """rto_met and begins have one home (records.py), which the model inherits."""
    service = model.Service(name="x", rto_min=60)
    rec = model.plain(service)
    for downtime, restored in [(60.0, True), (60.1, True), (60.1, False), (59.0, False)]:
        assert rec.rto_met(downtime, restored) == service.rto_met(downtime, restored)
    assert [rec.rto_met(60.0, True), rec.rto_met(60.1, True), rec.rto_met(59, False)] == [
        True,
        False,
        None,
    ]
    for given in ({"role": "gm"}, {"role": "gm", "from": 12}):
        absence = model.Absence.model_validate(given)
        assert model.plain(absence).begins == absence.begins == given.get("from", 0.0)


def test_a_plan_of_records_runs_as_its_validated_models_do(tmp_path, monkeypatch):
    """The engine reads a record and a model alike: a plan rebuilt from the validated models
    gives the same log, event for event."""
    import dataclasses

    monkeypatch.setenv("DRILLSIM_CACHE", "off")
    for scenario in ("payment_outage", "warehouse_fire"):
        plan = load_plan(scenario)
        sc, procs = _validated(scenario)
        assert plan.scenario == model.plain(sc)
        assert len(procs) == 1 and not sc.overrides  # the plan's procedure is the file's
        assert plan.procedure == model.plain(procs[0])
        validated = dataclasses.replace(plan, scenario=sc, procedure=procs[0])
        validated.conditions = plan.conditions
        events = run_plan(plan, seed=3).events
        assert len(events) > 50 and run_plan(validated, seed=3).events == events
