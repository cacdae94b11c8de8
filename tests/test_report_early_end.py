"""After an early end, the report does not ask for injects the scenario already has."""

from __future__ import annotations

from drillsim.scoring.report.model import exercise_report
from drillsim.simulator.loader import load_plan
from drillsim.simulator.session import Session


def _afis(report: dict) -> list[dict]:
    return [a for a in report["improvements"] if a.get("kind") == "not_exercised"]


def test_an_early_end_asks_to_play_on_not_to_add_existing_injects():
    plan = load_plan("payment_outage")
    session = Session(plan, 1, {r: "bot" for r in plan.procedure.roles})
    session.advance(30)
    session.finish("facilitator")
    report = exercise_report(plan, session.events, lang="en")
    afis = _afis(report)
    assert afis, "an early end leaves critical tasks that never fell due"
    for a in afis:
        assert "ended early, at minute 30" in a["corrective_action"]
        assert "media_call" in a["corrective_action"]  # the 130-minute inject never delivered
        assert "Add an inject" not in a["corrective_action"]


def test_a_full_run_still_asks_for_an_inject_where_a_task_never_fell_due():
    plan = load_plan("payment_outage")
    session = Session(plan, 1, {r: "idle" for r in plan.procedure.roles})
    session.advance(plan.scenario.duration_min)
    session.finish()
    afis = _afis(exercise_report(plan, session.events, lang="en"))
    assert afis and all("Add an inject" in a["corrective_action"] for a in afis)


def test_a_variant_for_another_scenario_is_refused_with_a_clear_message():
    import pytest

    from drillsim.simulator.errors import InputError

    with pytest.raises(InputError) as err:
        load_plan("warehouse_fire", ["trained_deputy"])
    (problem,) = err.value.problems
    assert "trained_deputy.yaml" in problem.file
    assert "variant trained_deputy is for scenario payment_outage, not warehouse_fire" in str(
        problem
    )
