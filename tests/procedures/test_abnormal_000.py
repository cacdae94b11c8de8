"""000 abnormal-event handling: every deadline at its boundary, every grading threshold on both
sides, regrading over time, deputy takeover and the OA outage forcing e-mail.

Scenario payment_outage: alert to the duty supervisor at 0 (level 3), level 2 at 30 (30 minutes
of outage), level 1 at 70 (over 5,000 customers); OA is down from 0 to 240.
"""

import pytest

from drillsim.simulator.model import ScriptAction
from drillsim.simulator.runner import run_plan
from tests.conftest import DATA
from tests.helpers import cached_plan, entries, entry, grade, run_scripted

P = "abnormal_event_000"
S = "payment_outage"
DUTY = "duty_supervisor"


def act(at, do, role=DUTY, **kw):
    return {"at": at, "role": role, "do": do, **kw}


def report(at, to, via, role=DUTY):
    return act(at, "report", role=role, to=to if isinstance(to, list) else [to], via=via)


def verdict(result, ob, **kw):
    e = entry(result, ob, **kw)
    return e["status"], e["late_by_min"]


# --- grading thresholds (000 §一), both sides of every bound --------------------------------


@pytest.mark.parametrize(
    "attrs, level",
    [
        ({"core_outage_min": 120}, 2),
        ({"core_outage_min": 120.1}, 1),
        ({"core_outage_min": 30}, 2),
        ({"core_outage_min": 29.9}, 3),
        ({"customers_affected": 5000}, 2),
        ({"customers_affected": 5001}, 1),
        ({"customers_affected": 1000}, 2),
        ({"customers_affected": 999}, 3),
        ({"loss_cny": 500000}, 2),
        ({"loss_cny": 500001}, 1),
        ({"loss_cny": 100000}, 2),
        ({"loss_cny": 99999}, 3),
        ({"complaints_day": 200}, 1),
        ({"complaints_day": 199}, 2),
        ({"complaints_day": 50}, 2),
        ({"complaints_day": 49}, 3),
        ({"media": "negative"}, 1),
        ({"media": "regional"}, 2),
        ({"media": "none"}, 3),
        ({"key_system": True, "sensitive_records": 1000}, 1),
        ({"key_system": True, "sensitive_records": 999}, 2),
        ({"key_system": True, "sensitive_records": 100}, 2),
        ({"key_system": True, "sensitive_records": 99}, 3),
        ({"key_system": False, "sensitive_records": 5000}, 3),
        ({"company_stoppage": True}, 1),
        ({"dept_process_down_min": 240}, 3),
        ({"dept_process_down_min": 241}, 2),
        ({"departments_affected": 3}, 2),
        ({"departments_affected": 2}, 3),
        ({}, 3),
    ],
)
def test_grading_thresholds(attrs, level):
    assert grade(P, **attrs) == level


# --- §二(一)2: the 10-minute confirmation ----------------------------------------------------


@pytest.mark.parametrize(
    "ob, action",
    [
        ("verify", {"do": "task", "task": "verify"}),
        ("initial_record", {"do": "task", "task": "initial_record"}),
        ("mark_urgency", {"do": "grade", "level": 3}),
    ],
)
def test_confirmation_within_10_minutes(ob, action):
    hit = run_scripted(S, [{"at": 10.0, "role": DUTY, **action}])
    late = run_scripted(S, [{"at": 10.1, "role": DUTY, **action}])
    never = run_scripted(S, [act(1, "task", task="repair_fault")])
    assert entry(hit, ob)["triggered_at"] == 0 and entry(hit, ob)["deadline_at"] == 10
    assert verdict(hit, ob) == ("hit", None)
    assert verdict(late, ob) == ("late", 0.1)
    assert verdict(never, ob) == ("missed", None)
    assert entry(hit, ob)["clause"].startswith("000 §二(一)2")


# --- §二(二)1 level 3: OA form to the direct supervisor within 60 min (OA down: e-mail) -------


def test_level3_report_boundary_and_oa_outage_forces_email():
    assert verdict(run_scripted(S, [report(60, "direct_supervisor", "email")]), "report_l3") == (
        "hit",
        None,
    )
    assert verdict(run_scripted(S, [report(60.1, "direct_supervisor", "email")]), "report_l3") == (
        "late",
        0.1,
    )
    tried_oa = run_scripted(S, [report(5, "direct_supervisor", "oa")])
    assert verdict(tried_oa, "report_l3") == ("missed", None)  # the OA system is down
    retried = run_scripted(
        S, [report(5, "direct_supervisor", "oa"), report(8, "direct_supervisor", "email")]
    )
    assert entry(retried, "report_l3")["done_at"] == 8.0


def test_level3_follow_up_duties_count_from_receipt():
    first = run_scripted(S, [report(5, "direct_supervisor", "email")])
    org = entry(first, "organize_l3_handling")
    assert org["deadline_at"] == pytest.approx(org["triggered_at"] + 120)
    t = org["triggered_at"]
    base = [report(5, "direct_supervisor", "email")]
    at_deadline = run_scripted(
        S, base + [act(t + 120, "task", role="direct_supervisor", task="organize_l3_handling")]
    )
    after = run_scripted(
        S, base + [act(t + 120.1, "task", role="direct_supervisor", task="organize_l3_handling")]
    )
    assert verdict(at_deadline, "organize_l3_handling") == ("hit", None)
    assert verdict(after, "organize_l3_handling") == ("late", 0.1)
    assert verdict(first, "organize_l3_handling") == ("missed", None)


def test_level3_progress_before_end_of_working_day():
    base = [report(5, "direct_supervisor", "email")]
    v = ("tests/data/long_day.yaml",)
    prog = entry(run_scripted(S, base, variants=v), "l3_progress_to_dept_head")
    assert prog["deadline_at"] == 510.0  # 18:00, the scenario starts 09:30
    on_time = run_scripted(
        S, base + [report(510, "dept_head", "phone", role="direct_supervisor")], variants=v
    )
    late = run_scripted(
        S, base + [report(510.1, "dept_head", "phone", role="direct_supervisor")], variants=v
    )
    assert verdict(on_time, "l3_progress_to_dept_head") == ("hit", None)
    assert verdict(late, "l3_progress_to_dept_head") == ("late", 0.1)
    short = run_scripted(S, base)  # the 300-minute scenario ends before 18:00: still open
    assert entry(short, "l3_progress_to_dept_head")["status"] == "open"


# --- level 2 (from minute 30) -------------------------------------------------------------


def test_level2_report_within_30_minutes_to_vp_and_department_head():
    both = lambda t: [report(t, ["vp", "dept_head"], "phone")]
    hit, late = run_scripted(S, both(60)), run_scripted(S, both(60.1))
    assert (
        entry(hit, "report_l2")["triggered_at"] == 30
        and entry(hit, "report_l2")["deadline_at"] == 60
    )
    assert verdict(hit, "report_l2") == ("hit", None)
    assert verdict(late, "report_l2") == ("late", 0.1)
    assert verdict(hit, "report_l2_vp") == ("hit", None)
    assert verdict(late, "report_l2_vp") == ("late", 0.1)
    only_vp = run_scripted(S, [report(40, "vp", "phone")])
    assert verdict(only_vp, "report_l2") == ("missed", None)
    assert verdict(only_vp, "report_l2_vp") == ("hit", None)
    too_early = run_scripted(S, [report(20, ["vp", "dept_head"], "phone")])  # before it was level 2
    assert verdict(too_early, "report_l2") == ("missed", None)


def test_level2_team_and_filing_within_20_minutes_of_receipt():
    base = [report(40, ["vp", "dept_head"], "phone")]
    first = run_scripted(S, base)
    t = entry(first, "form_l2_team")["triggered_at"]
    assert 40 < t < 41 and entry(first, "form_l2_team")["deadline_at"] == pytest.approx(t + 20)
    for ob, action in [
        ("form_l2_team", act(t + 20, "task", role="dept_head", task="form_l2_team")),
        ("file_l2_with_ops", report(t + 20, "ops_dept", "email", role="dept_head")),
    ]:
        late_action = {**action, "at": round(t + 20.1, 6)}
        assert verdict(run_scripted(S, base + [action]), ob) == ("hit", None)
        status, by = verdict(run_scripted(S, base + [late_action]), ob)
        assert status == "late" and by == pytest.approx(0.1, abs=1e-3)
        assert verdict(first, ob) == ("missed", None)


def test_level2_team_counts_from_the_department_heads_own_receipt():
    """000 §二(二)1: the head told at 35, the VP only at 55: the head's 20 minutes count from the
    head's own receipt (35 + the call's latency), not from the VP's."""
    r = run_scripted(S, [report(35, "dept_head", "phone"), report(55, "vp", "phone")])
    t = entry(r, "form_l2_team")["triggered_at"]
    assert 35 < t < 36
    for ob in ("form_l2_team", "file_l2_with_ops"):
        assert entry(r, ob)["deadline_at"] == pytest.approx(t + 20)
    never_vp = run_scripted(S, [report(35, "dept_head", "phone")])
    assert entry(never_vp, "form_l2_team")["triggered_at"] == t
    assert verdict(never_vp, "report_l2_vp") == ("missed", None)


# --- regrading over time --------------------------------------------------------------------


def test_regrade_when_the_event_rises():
    base = [act(5, "grade", level=3)]
    first = run_scripted(S, base)
    regrades = entries(first, "regrade")
    assert [(e["triggered_at"], e["deadline_at"]) for e in regrades] == [
        (30, 40)
    ]  # declared 3, now 2
    on_time = run_scripted(S, base + [act(40, "grade", level=2)])
    assert [e["triggered_at"] for e in entries(on_time, "regrade")] == [30, 70]  # 2, then 1 at 70
    assert entry(on_time, "regrade")["status"] == "hit"
    assert entry(on_time, "regrade", occurrence=2)["status"] == "missed"
    late = run_scripted(S, base + [act(40.1, "grade", level=2)])
    assert verdict(late, "regrade") == ("late", 0.1)
    grades = on_time["grading"]
    assert [(g["declared"], g["true"], g["correct"]) for g in grades] == [
        (3, 3, True),
        (2, 2, True),
    ]


def test_a_further_rise_after_a_too_mild_regrade_falls_due_again():
    """000 §二(一)2(3) per escalation (retrigger_on: level): regraded too mildly at 35 (3 while it
    is 2), the event rises to level 1 at 70; the regrade falls due again, due at 80."""
    base = [act(5, "grade", level=3), act(35, "grade", level=3)]
    first = run_scripted(S, base)
    assert [
        (e["triggered_at"], e["deadline_at"], e["status"]) for e in entries(first, "regrade")
    ] == [(30, 40, "hit"), (70, 80, "missed")]
    assert verdict(
        run_scripted(S, base + [act(80, "grade", level=1)]), "regrade", occurrence=2
    ) == ("hit", None)
    assert verdict(
        run_scripted(S, base + [act(80.1, "grade", level=1)]), "regrade", occurrence=2
    ) == ("late", 0.1)
    # no rise after the regrade, no new occasion: regraded (too mildly) only after the rise to 1
    late_mild = run_scripted(S, [act(5, "grade", level=3), act(75, "grade", level=2)])
    assert [(e["triggered_at"], e["status"]) for e in entries(late_mild, "regrade")] == [
        (30, "late")
    ]


def test_misgrade_is_reported_as_incorrect():
    result = run_scripted(S, [act(75, "grade", level=2)])  # it is level 1 from minute 70
    assert result["grading"] == [
        {"t": 75.0, "actor": DUTY, "incident": "main", "declared": 2, "true": 1, "correct": False}
    ]


# --- level 1 (from minute 70): phone AND written, both recipients -----------------------------


def l1(at_phone, at_written, written="email", to="ops_dept"):
    return [report(at_phone, to, "phone"), report(at_written, to, written)]


@pytest.mark.parametrize(
    "ob, to", [("report_l1_ops", "ops_dept"), ("report_l1_committee", "emergency_committee")]
)
def test_level1_report_within_15_minutes_by_phone_and_in_writing(ob, to):
    hit = run_scripted(S, l1(80, 85, to=to))
    assert entry(hit, ob)["triggered_at"] == 70 and entry(hit, ob)["deadline_at"] == 85
    assert verdict(hit, ob) == ("hit", None)
    assert entry(hit, ob)["done_at"] == 85.0  # done when the second of the two was sent
    assert verdict(run_scripted(S, l1(80, 85.1, to=to)), ob) == ("late", 0.1)
    assert verdict(run_scripted(S, [report(75, to, "phone")]), ob) == ("missed", None)  # phone only
    assert verdict(run_scripted(S, l1(75, 76, written="oa", to=to)), ob) == (
        "missed",
        None,
    )  # OA down


def first_receipt(actions, to="ops_dept"):
    """When the first message of the actions reached `to` (the log's delivery events)."""
    plan = cached_plan(S, ())
    script = sorted((ScriptAction.model_validate(a) for a in actions), key=lambda a: a.at)
    events = run_plan(plan, seed=1, actions=script, others="idle").events
    return min(e["t"] for e in events if e["type"] == "message.delivered" and e["to"] == to)


def level1_chain():
    """Report to operations on time; return the actions and when operations received it."""
    base = l1(72, 74)
    t = entry(run_scripted(S, base), "activate_l1_plan")["triggered_at"]
    return base, t


def notify(at):
    """Operations notifies the three groups by chat."""
    return report(
        at,
        ["technical_group", "coordination_group", "communication_group"],
        "chat",
        role="ops_dept",
    )


def test_operations_activates_and_notifies_within_10_minutes_of_receipt():
    """000 §二(二)1 运营管理部需在接报后10分钟内: from operations' own first receipt, i.e. when the
    first form of the 'phone + written' report arrives (the written form comes 8 minutes later)."""
    base = l1(72, 80)
    t = first_receipt(base)
    assert 72 < t < 74  # the phone call, long before the written form (sent at 80)
    assert entry(run_scripted(S, base), "report_l1_ops")["done_at"] == 80  # both forms: met at 80
    activate = lambda at: act(at, "task", role="ops_dept", task="activate_l1_plan")
    hit = run_scripted(S, base + [activate(t + 10), notify(t + 10)])
    late = run_scripted(S, base + [activate(round(t + 10.1, 6)), notify(round(t + 10.1, 6))])
    for ob in ("activate_l1_plan", "notify_groups"):
        assert entry(hit, ob)["triggered_at"] == t and entry(hit, ob)["deadline_at"] == t + 10
        assert verdict(hit, ob) == ("hit", None)
        status, by = verdict(late, ob)
        assert status == "late" and by == pytest.approx(0.1, abs=1e-3)
    assert verdict(run_scripted(S, base), "activate_l1_plan") == ("missed", None)
    # the written form first: operations has the report from then on, the phone call comes later
    written_first = l1(80, 72)
    assert entry(run_scripted(S, written_first), "activate_l1_plan")["triggered_at"] == (
        first_receipt(written_first)
    )
    # a report to someone else is not operations' receipt
    only_committee = [report(72, "emergency_committee", "phone")]
    assert verdict(run_scripted(S, only_committee), "activate_l1_plan") == ("not_triggered", None)


def test_level1_backup_plan_in_5_and_isolation_in_10_minutes_of_activation():
    base, t = level1_chain()
    base = base + [act(t + 1, "task", role="ops_dept", task="activate_l1_plan")]
    a = t + 1  # activation
    cases = {"failover_within_5": ("failover_dr", 5), "isolate_within_10": ("isolate_fault", 10)}
    for ob, (task, minutes) in cases.items():
        hit = run_scripted(
            S, base + [act(round(a + minutes, 6), "task", role="technical_group", task=task)]
        )
        late = run_scripted(
            S, base + [act(round(a + minutes + 0.1, 6), "task", role="technical_group", task=task)]
        )
        assert entry(hit, ob)["triggered_at"] == pytest.approx(a)
        assert verdict(hit, ob) == ("hit", None), ob
        assert verdict(late, ob)[0] == "late"
        assert verdict(run_scripted(S, base), ob) == ("missed", None)


def test_failover_restores_the_service_and_scores_the_rto():
    base, t = level1_chain()
    done = run_scripted(
        S,
        base
        + [
            act(t + 1, "task", role="ops_dept", task="activate_l1_plan"),
            act(t + 3, "task", role="technical_group", task="failover_dr"),
        ],
        seed=1,
    )
    (svc,) = done["continuity"]
    task = [e for e in done["obligations"] if e["id"] == "failover_within_5"][0]
    assert task["status"] == "hit"
    # the activation and the DR switch (85%) may fail; with seed 1 both succeed
    assert svc["restored_at"] is not None
    assert svc["downtime_min"] == pytest.approx(t + 3) and svc["rto_met"] is True
    never = run_scripted(S, base)
    assert (
        never["continuity"][0]["restored_at"] is None and never["continuity"][0]["rto_met"] is False
    )


def test_coordination_group_updates_every_30_minutes():
    base, t = level1_chain()
    notified = base + [notify(t + 1)]
    res = run_scripted(S, notified)
    first = entry(res, "coordination_updates")
    r = first["triggered_at"]
    posts = [
        report(
            round(r + 30, 6), ["emergency_committee", "ops_dept"], "chat", role="coordination_group"
        ),
        report(
            round(r + 60.1, 6),
            ["emergency_committee", "ops_dept"],
            "chat",
            role="coordination_group",
        ),
    ]
    res = run_scripted(S, notified + posts)
    occ = entries(res, "coordination_updates")
    assert occ[0]["deadline_at"] == pytest.approx(r + 30) and occ[0]["status"] == "hit"
    assert occ[1]["triggered_at"] == pytest.approx(r + 30)  # counts from the last update
    assert occ[1]["deadline_at"] == pytest.approx(r + 60) and occ[1]["status"] == "late"
    assert occ[2]["status"] in ("missed", "open")


def test_legal_review_before_the_external_statement():
    base, t = level1_chain()
    notified = base + [notify(t + 1)]
    first = run_scripted(S, notified)
    send = entry(first, "send_to_legal")
    c = send["triggered_at"]
    assert send["deadline_at"] == pytest.approx(c + 20)
    draft = report(round(c + 20, 6), "legal_dept", "email", role="communication_group")
    second = run_scripted(S, notified + [draft])
    assert entry(second, "send_to_legal")["status"] == "hit"
    review = entry(second, "legal_review")
    r = review["triggered_at"]
    assert review["deadline_at"] == pytest.approx(r + 30)
    approve = act(round(r + 30, 6), "task", role="legal_dept", task="legal_review")
    publish = act(
        round(r + 30 + 30.1, 6), "task", role="communication_group", task="publish_statement"
    )
    third = run_scripted(S, notified + [draft, approve, publish])
    assert entry(third, "legal_review")["status"] == "hit"
    assert verdict(third, "external_statement")[0] == "late"
    # publishing without the review does not meet the duty: it only falls due after the review
    no_review = run_scripted(
        S,
        notified
        + [draft, act(r + 5, "task", role="communication_group", task="publish_statement")],
    )
    assert entry(no_review, "external_statement")["status"] == "not_triggered"


# --- deputy takeover -----------------------------------------------------------------------


def test_monitoring_operator_takes_over_for_an_absent_duty_supervisor():
    v = (str(DATA / "gm_absent_duty.yaml"),)
    first = run_scripted(S, [], variants=v)
    e = entry(first, "verify")
    assert (
        e["triggered_at"] == 3.0 and e["deadline_at"] == 13.0
    )  # the alert waits for the 3-minute handover
    hit = run_scripted(S, [act(13, "task", role="monitoring_operator", task="verify")], variants=v)
    assert (
        entry(hit, "verify")["status"] == "hit"
        and entry(hit, "verify")["acted_by"] == "monitoring_operator"
    )
    late = run_scripted(
        S, [act(13.1, "task", role="monitoring_operator", task="verify")], variants=v
    )
    assert verdict(late, "verify") == ("late", 0.1)
    stranger = run_scripted(S, [act(5, "task", role="customer_service", task="verify")], variants=v)
    assert entry(stranger, "verify")["status"] == "missed"  # not the deputy: does not count


def test_bots_play_the_whole_procedure():
    results = [run_scripted(S, [], others="bot", seed=seed) for seed in range(1, 13)]
    reported = [
        any(e["id"] == "report_l1_ops" and e["done_at"] is not None for e in r["obligations"])
        for r in results
    ]
    assert sum(reported) >= 8  # most runs reach and follow the level-1 path
    # these seeds include runs that never report level 1: each had a misgrade or a forgotten duty
    unreported = [r for r, ok in zip(results, reported) if not ok]
    assert unreported
    for r in unreported:
        misgraded = any(not g["correct"] for g in r["grading"])
        assert misgraded or any(e["status"] == "missed" for e in r["obligations"])
