"""The exercise behind the screens (no terminal): validation of human actions against the
procedure, what reaches whose inbox, duties and hints, the facilitator's inject control."""

from __future__ import annotations

import pytest

from drillsim.tui.exercise import ActionError, Exercise
from tests.tui.tuikit import DS, WALL, make_exercise, plan


def _error(fn, *args, **kw) -> str:
    with pytest.raises(ActionError) as info:
        fn(*args, **kw)
    return info.value.key


def test_report_validation(log_path):
    ex = make_exercise(log_path)
    assert _error(ex.report, DS, [], "phone") == "err_no_recipient"
    assert _error(ex.report, DS, [DS], "phone") == "err_self"
    assert _error(ex.report, DS, ["nobody"], "phone") == "err_unknown_role"
    assert _error(ex.report, DS, ["vp"], None) == "err_no_channel"
    assert _error(ex.report, DS, ["vp"], "pigeon") == "err_unknown_channel"
    assert _error(ex.report, "vp", ["ops_dept"], "phone") == "err_not_playing"
    assert _error(ex.grade, DS, 7) == "err_level"
    assert _error(ex.task, DS, "failover_dr") == "err_task"  # not the duty supervisor's task
    assert _error(ex.classify, DS, "minor", "low") == "err_not_allowed"
    assert [e["type"] for e in ex.session.events].count("action") == 0
    ex.report(DS, ["vp", "dept_head"], "phone", text=" first news ")
    action = [e for e in ex.session.events if e["type"] == "action"][0]
    assert action == {
        **action,
        "role": DS,
        "do": "report",
        "to": ["vp", "dept_head"],
        "via": "phone",
        "incident": "main",
        "text": "first news",
        "wall": WALL,
        "t": 0.0,
    }
    ex.end()
    assert _error(ex.grade, DS, 3) == "err_ended"


def test_outage_failure_reaches_the_senders_inbox_and_a_deputy_covers_the_duties(log_path):
    ex = make_exercise(log_path, roles=("monitoring_operator",))
    assert ex.covers("monitoring_operator") == [
        "monitoring_operator",
        DS,
    ]  # deputy of the duty supervisor
    assert ex.allowed("monitoring_operator") == ["report", "grade", "task"]
    assert ex.tasks_for("monitoring_operator") == ["verify", "initial_record"]
    ex.report("monitoring_operator", ["direct_supervisor"], "oa")
    ex.advance(5)
    item = ex.roles["monitoring_operator"].inbox[-1]
    assert (item.kind, item.channel, item.reason, item.to) == (
        "failed",
        "oa",
        "outage",
        "direct_supervisor",
    )
    assert ex.roles["monitoring_operator"].channel_trouble == {"oa": item.t}


def test_inbox_holds_only_what_reached_the_role(log_path):
    ex = make_exercise(log_path, roles=(DS, "customer_service"), seed=1)
    ex.advance(71)
    ds = [(i.kind, i.inject) for i in ex.roles[DS].inbox]
    cs = [(i.kind, i.inject) for i in ex.roles["customer_service"].inbox]
    assert ds == [
        ("inject", "alert"),
        ("inject", "complaints"),
        ("inject", "forty_minutes"),
        ("inject", "customer_surge"),
    ]
    assert cs == [("inject", "customer_surge")]


def test_duties_hints_and_next_inject(log_path):
    ex = make_exercise(log_path, seed=1)
    # the level-3 report is due on the facts, but the player has not graded yet: not on the list
    assert [o.obligation for o in ex.open_duties(DS)] == [
        "verify",
        "initial_record",
        "mark_urgency",
    ]
    assert "report_l3" in [o.obligation for o in ex.agenda.open]
    assert ex.next_inject() == (25, "complaints")
    ex.advance(6.9)
    assert not any(ex.needs_hint(o) for o in ex.open_duties(DS))
    ex.advance(7.0)  # 3 minutes left of 10: hint
    assert [o.obligation for o in ex.open_duties(DS) if ex.needs_hint(o)] == [
        "verify",
        "initial_record",
        "mark_urgency",
    ]
    ex.task(DS, "verify")
    assert [o.obligation for o in ex.done_duties(DS)] == ["verify"]
    ex.grade(DS, 3)
    l3 = next(o for o in ex.open_duties(DS) if o.obligation == "report_l3")
    assert (l3.triggered_at, l3.deadline_at) == (0.0, 60.0)  # counted from the facts, not the grade
    assert ex.step_to_next_inject() == (25, "complaints") and ex.now == 25
    needed = ex.still_needed(next(o for o in ex.open_duties(DS) if o.obligation == "report_l3"))
    assert needed == [("direct_supervisor", ["oa", "email"])]


def test_trigger_and_skip_only_pending_injects(log_path):
    ex = make_exercise(log_path, seed=1)
    assert _error(ex.trigger, "alert") == "inject_settled"
    ex.skip("complaints")
    assert ex.inject_state["complaints"] == ("skipped", 0.0, "facilitator")
    assert _error(ex.trigger, "complaints") == "inject_settled"
    assert ex.next_inject() == (40, "forty_minutes")
    states = {row["id"]: row["state"] for row in ex.msel()}
    assert (
        states["alert"] == "delivered"
        and states["complaints"] == "skipped"
        and states["media_call"] == "pending"
    )


def test_matrix_grading_classify(log_path):
    ex = make_exercise(log_path, scenario="service_desk_shift", roles=("service_desk",), seed=1)
    impacts, urgencies, categories = ex.matrix()
    assert impacts == ["minor", "moderate", "severe"] and urgencies == ["low", "medium", "high"]
    assert "equipment_realtime_production" in categories and "unclassified" not in categories
    assert ex.matrix_level("severe", "high") == 1
    assert (
        _error(ex.classify, "service_desk", "severe", "high") == "err_incident"
    )  # 8 tickets: which one?
    assert _error(ex.classify, "service_desk", "huge", "high", incident="t2") == "err_impact"
    ex.advance(40)
    ex.classify("service_desk", "severe", "high", "equipment_realtime_production", incident="t2")
    ev = [e for e in ex.session.events if e["type"] == "classify"][-1]
    assert (ev["incident"], ev["level"], ev["category"]) == (
        "t2",
        1,
        "equipment_realtime_production",
    )


def test_unknown_roles_and_modes_are_refused(log_path):
    with pytest.raises(ValueError):
        Exercise(plan(), ["nobody"], "training", 1, log_path)
    with pytest.raises(ValueError):
        Exercise(plan(), [DS], "drill", 1, log_path)


def test_times_are_kept_at_the_logs_precision(log_path):
    ex = make_exercise(log_path)
    ex.advance(1 / 3)
    assert ex.now == round(1 / 3, 6)
    ex.grade(DS, 3)
    assert [e["t"] for e in ex.session.events if e["type"] == "action"] == [ex.now]
