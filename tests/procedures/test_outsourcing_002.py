"""Outsourced-project emergency plan (002): grading thresholds and every duty's deadline.

Each duty is played in a small scenario written to a temporary file (one inject to the role
that hears of the event first, the attributes giving the level wanted, channels made
reliable and fixed in latency, tasks made to succeed), so a test can put one scripted action
exactly at the deadline (hit), 0.1 min after it (late) or nowhere (missed). Downstream duties
read their trigger time from a first run and place the action relative to it. The shipped
scenario `vendor_data_leak` is then played once idle and once with a model answer.
"""

from __future__ import annotations

import itertools

import pytest
import yaml

from drillsim.simulator.loader import load_plan, load_procedure
from drillsim.simulator.runner import run_plan
from tests.helpers import entries, entry, grade, run_scripted

PROC = "outsourcing_002"
GROUPS = ["technical_rescue", "business_coordination", "legal_compliance", "data_management"]

L1 = {"event_type": "data_leak_loss", "major_customer_impact": True}
L2 = {"event_type": "data_leak_loss", "partial_business_impact": True}
L3 = {"event_type": "data_leak_loss"}

_counter = itertools.count()


def scenario(
    tmp_path, attrs: dict, to: list[str], *, timeline=(), injects=None, duration=6000
) -> str:
    """A one-incident scenario of procedure 002 in a temporary file; returns its path."""
    data = {
        "id": "t002",
        "title": "002 boundary test",
        "procedures": [PROC],
        "duration_min": duration,
        "incidents": {"main": {"attributes": dict(attrs)}},
        "timeline": list(timeline),
        "injects": {"news": {"at": 0, "to": list(to), "text": "test"}, **(injects or {})},
        # reliable channels with a fixed latency, tasks that always work: timings are exact
        "overrides": {
            "channels": {
                c: {"failure": 0.0, "latency": {"low": 0.5, "high": 0.5}}
                for c in ("phone", "chat", "email")
            },
            "tasks": {
                t: {"success": 1.0}
                for t in ("contain_isolate", "emergency_change", "restore_from_backup")
            },
        },
    }
    path = tmp_path / f"t002_{next(_counter)}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def act(at: float, role: str, do: str, **args) -> dict:
    return {"at": at, "role": role, "do": do, **args}


def task(role: str, task_id: str):
    return lambda t: act(t, role, "task", task=task_id)


def report(role: str, to: list[str], via: str):
    return lambda t: act(t, role, "report", to=to, via=via)


def grade_as(role: str, level: int):
    return lambda t: act(t, role, "grade", level=level)


# --- grading (002 §一) --------------------------------------------------------------------


def test_default_is_low():
    assert grade(PROC) == 3
    assert grade(PROC, event_type="vendor_delivery_delay") == 3


@pytest.mark.parametrize("flag", ["core_business", "major_customer_impact", "sla_ceiling_reached"])
def test_high_flags(flag):
    assert grade(PROC, **{flag: True}) == 1
    assert grade(PROC, **{flag: False}) == 3


def test_partial_business_impact_is_medium():
    assert grade(PROC, partial_business_impact=True) == 2
    assert grade(PROC, partial_business_impact=True, core_business=True) == 1


@pytest.mark.parametrize(
    "minutes, level",
    [
        (0, 3),  # not assessed yet: grades nothing
        (1, 1),
        (240, 1),  # "4小时以内" includes 4 h
        (240.1, 2),
        (241, 2),
        (1440, 2),  # "4-24小时之间" includes 24 h
        (1440.1, 3),
        (1441, 3),  # longer recovery: Low
    ],
)
def test_expected_recovery_boundaries(minutes, level):
    assert grade(PROC, expected_recovery_min=minutes) == level


def test_most_severe_rule_wins():
    assert grade(PROC, expected_recovery_min=1441, partial_business_impact=True) == 2
    assert grade(PROC, expected_recovery_min=720, sla_ceiling_reached=True) == 1


# --- every duty at its deadline -------------------------------------------------------------
# (obligation, attributes, inject recipients at t=0, timeline, setup actions, the meeting
#  action, the deadline in minutes, the expected trigger time)

CASES = {
    "initial_record": (
        L1,
        ["project_staff"],
        [],
        [],
        task("project_staff", "initial_record"),
        15,
        0,
    ),
    "notify_command": (
        L1,
        ["project_staff"],
        [],
        [],
        report("project_staff", ["command_group"], "phone"),
        15,
        0,
    ),
    "contain_isolate": (
        L1,
        ["project_staff"],
        [],
        [],
        task("technical_rescue", "contain_isolate"),
        30,
        0,
    ),
    "rollback_plan": (
        L1,
        ["technical_rescue"],
        [],
        [act(5, "technical_rescue", "task", task="contain_isolate")],
        task("technical_rescue", "prepare_rollback"),
        30,
        5,
    ),
    "temp_change": (
        L1,
        ["technical_rescue"],
        [],
        [
            act(5, "technical_rescue", "task", task="contain_isolate"),
            act(10, "technical_rescue", "task", task="prepare_rollback"),
        ],
        task("technical_rescue", "emergency_change"),
        30,
        10,
    ),
    "grade_event": (L1, ["command_group"], [], [], grade_as("command_group", 1), 15, 0),
    "regrade": (
        L1,
        ["command_group"],
        [],
        [act(2, "command_group", "grade", level=2)],
        grade_as("command_group", 1),
        15,
        2,
    ),
    "l1_mobilize_all": (
        L1,
        ["command_group"],
        [],
        [],
        report("command_group", GROUPS, "chat"),
        15,
        0,
    ),
    "l1_escalate_up": (
        L1,
        ["command_group"],
        [],
        [],
        report("command_group", ["senior_management"], "phone"),
        30,
        0,
    ),
    "l2_dedicated_team": (
        L2,
        ["command_group"],
        [],
        [],
        report("command_group", ["technical_rescue", "business_coordination"], "phone"),
        30,
        0,
    ),
    "l2_onsite_plan": (
        L2,
        ["command_group"],
        [],
        [
            act(
                5,
                "command_group",
                "report",
                to=["technical_rescue", "business_coordination"],
                via="phone",
            )
        ],
        task("technical_rescue", "onsite_plan"),
        60,
        5.5,
    ),
    "l3_assign_routine": (
        L3,
        ["command_group"],
        [],
        [],
        report("command_group", ["technical_rescue"], "email"),
        60,
        0,
    ),
    "l3_routine": (
        L3,
        ["command_group"],
        [],
        [act(5, "command_group", "report", to=["technical_rescue"], via="email")],
        task("technical_rescue", "staged_repair"),
        240,
        5.5,
    ),
    "report_assessment": (
        L1,
        ["business_coordination"],
        [],
        [act(5, "business_coordination", "task", task="assess_impact")],
        report("business_coordination", ["command_group"], "email"),
        15,
        5,
    ),
    "preserve_evidence": (
        L1,
        ["data_management"],
        [],
        [],
        task("data_management", "preserve_evidence"),
        60,
        0,
    ),
    "identify_affected_data": (
        L1,
        ["data_management"],
        [],
        [],
        task("data_management", "identify_affected_data"),
        120,
        0,
    ),
    "compliance_assessment": (
        L1,
        ["legal_compliance"],
        [],
        [],
        task("legal_compliance", "assess_compliance"),
        120,
        0,
    ),
    "disclosure_wording": (
        L1,
        ["legal_compliance"],
        [],
        [],
        task("legal_compliance", "draft_disclosure"),
        60,
        0,
    ),
    "approve_disclosure": (
        L1,
        ["legal_compliance"],
        [],
        [act(5, "legal_compliance", "task", task="draft_disclosure")],
        task("command_group", "approve_disclosure"),
        30,
        5,
    ),
    "customer_notice": (
        L1,
        ["legal_compliance"],
        [],
        [
            act(5, "legal_compliance", "task", task="draft_disclosure"),
            act(10, "command_group", "task", task="approve_disclosure"),
        ],
        report("business_coordination", ["customer"], "email"),
        60,
        10,
    ),
    "regulator_report": (
        L1,
        ["legal_compliance"],
        [],
        [
            act(5, "legal_compliance", "task", task="draft_disclosure"),
            act(10, "command_group", "task", task="approve_disclosure"),
        ],
        report("command_group", ["regulator"], "email"),
        60,
        10,
    ),
    "internal_updates": (
        L1,
        ["command_group"],
        [],
        [],
        report("command_group", GROUPS, "chat"),
        60,
        0,
    ),
    "approve_fix": (
        L1,
        ["technical_rescue"],
        [{"at": 0, "down": ["outsourced_platform"]}],
        [
            act(5, "technical_rescue", "task", task="contain_isolate"),
            act(10, "technical_rescue", "task", task="prepare_rollback"),
        ],
        task("command_group", "approve_change"),
        30,
        10,
    ),
    "restore_service": (
        L1,
        ["technical_rescue"],
        [{"at": 10, "down": ["outsourced_platform"]}],
        [],
        task("technical_rescue", "restore_from_backup"),
        240,
        10,
    ),
    "recovery_monitoring": (
        L1,
        ["technical_rescue"],
        [{"at": 10, "down": ["outsourced_platform"]}],
        [],
        report("technical_rescue", ["command_group"], "phone"),
        30,
        10,
    ),
    "integrity_check": (
        L1,
        ["technical_rescue"],
        [{"at": 10, "down": ["outsourced_platform"]}],
        [act(20, "technical_rescue", "task", task="restore_from_backup")],
        task("data_management", "verify_integrity"),
        60,
        20,
    ),
}


def test_every_obligation_has_a_boundary_test():
    proc, _ = load_procedure(PROC)
    covered = set(CASES) | {"impact_assessment", "reply_regulator"}  # tested separately below
    assert set(proc.obligations) == covered
    assert all(ob.clause.startswith("002 §") for ob in proc.obligations.values())


def _first(tmp_path, oid, attrs, to, timeline, setup, extra_injects=None):
    path = scenario(tmp_path, attrs, to, timeline=timeline, injects=extra_injects)
    return path, entry(run_scripted(path, setup), oid)


@pytest.mark.parametrize("oid", sorted(CASES))
def test_deadline_boundary(tmp_path, oid):
    attrs, to, timeline, setup, meet, minutes, trig = CASES[oid]
    path, first = _first(tmp_path, oid, attrs, to, timeline, setup)
    assert first["status"] == "missed", first  # never done
    assert first["done_at"] is None
    assert first["triggered_at"] == pytest.approx(trig)
    assert first["deadline_at"] - first["triggered_at"] == pytest.approx(minutes)
    assert first["clause"].startswith("002 §")
    deadline = first["deadline_at"]

    hit = entry(run_scripted(path, setup + [meet(deadline)]), oid)
    assert hit["status"] == "hit", hit  # exactly at the deadline
    assert hit["done_at"] == pytest.approx(deadline)
    assert hit["acted_by"] == hit["role"]

    late = entry(run_scripted(path, setup + [meet(deadline + 0.1)]), oid)
    assert late["status"] == "late", late  # 0.1 min after it
    assert late["triggered_at"] == pytest.approx(first["triggered_at"])


@pytest.mark.parametrize("attrs, minutes", [(L1, 60), (L2, 120), (L3, 240)])
def test_impact_assessment_deadline_by_level(tmp_path, attrs, minutes):
    path = scenario(tmp_path, attrs, ["business_coordination"])
    first = entry(run_scripted(path, []), "impact_assessment")
    assert (first["triggered_at"], first["deadline_at"], first["status"]) == (0, minutes, "missed")
    meet = task("business_coordination", "assess_impact")
    assert entry(run_scripted(path, [meet(minutes)]), "impact_assessment")["status"] == "hit"
    assert entry(run_scripted(path, [meet(minutes + 0.1)]), "impact_assessment")["status"] == "late"


@pytest.mark.parametrize("attrs, minutes", [(L1, 240), (L2, 1440), (L3, 4320)])
def test_restore_deadline_by_level_at_outage(tmp_path, attrs, minutes):
    path = scenario(
        tmp_path,
        attrs,
        ["technical_rescue"],
        timeline=[{"at": 10, "down": ["outsourced_platform"]}],
    )
    first = entry(run_scripted(path, []), "restore_service")
    assert (first["triggered_at"], first["deadline_at"], first["status"]) == (
        10,
        10 + minutes,
        "missed",
    )
    meet = task("technical_rescue", "restore_from_backup")
    result = run_scripted(path, [meet(10 + minutes)])
    assert entry(result, "restore_service")["status"] == "hit"
    assert (
        entry(run_scripted(path, [meet(10 + minutes + 0.1)]), "restore_service")["status"] == "late"
    )


def test_restore_deadline_stays_with_the_level_at_the_outage(tmp_path):
    # down while Medium (1440 min); the event becomes High later: the deadline does not shrink
    path = scenario(
        tmp_path,
        L2,
        ["technical_rescue"],
        timeline=[
            {"at": 10, "down": ["outsourced_platform"]},
            {"at": 30, "set": {"major_customer_impact": True}},
        ],
    )
    assert entry(run_scripted(path, []), "restore_service")["deadline_at"] == 10 + 1440


def test_reply_regulator_deadline(tmp_path):
    enquiry = {
        "enquiry": {
            "at": 30,
            "to": ["command_group"],
            "text": "监管问询",
            "set": {"regulator_enquiry": True},
        }
    }
    path = scenario(tmp_path, L1, ["project_staff"], injects=enquiry)
    first = entry(run_scripted(path, []), "reply_regulator")
    assert (first["triggered_at"], first["deadline_at"], first["status"]) == (30, 90, "missed")
    meet = report("command_group", ["regulator"], "email")
    assert entry(run_scripted(path, [meet(90)]), "reply_regulator")["status"] == "hit"
    assert entry(run_scripted(path, [meet(90.1)]), "reply_regulator")["status"] == "late"


# --- triggers and conditions ---------------------------------------------------------------


def test_level_duties_follow_the_level(tmp_path):
    for attrs, due in (
        (L1, {"l1_mobilize_all", "l1_escalate_up"}),
        (L2, {"l2_dedicated_team"}),
        (L3, {"l3_assign_routine"}),
    ):
        result = run_scripted(scenario(tmp_path, attrs, ["command_group"]), [])
        triggered = {o["id"] for o in result["obligations"] if o["status"] != "not_triggered"}
        level_duties = {
            "l1_mobilize_all",
            "l1_escalate_up",
            "l2_dedicated_team",
            "l3_assign_routine",
        }
        assert triggered & level_duties == due


def test_internal_updates_only_high_and_medium(tmp_path):
    for attrs, expected in ((L1, True), (L2, True), (L3, False)):
        result = run_scripted(scenario(tmp_path, attrs, ["command_group"], duration=100), [])
        assert (entry(result, "internal_updates")["status"] != "not_triggered") is expected


def test_contain_falls_due_when_technical_rescue_hears_first(tmp_path):
    path = scenario(tmp_path, L1, ["technical_rescue"])
    e = entry(run_scripted(path, []), "contain_isolate")
    assert (e["triggered_at"], e["deadline_at"]) == (0, 30)
    assert entry(run_scripted(path, []), "initial_record")["status"] == "not_triggered"


def test_change_before_the_rollback_plan_does_not_count(tmp_path):
    path = scenario(tmp_path, L1, ["technical_rescue"])
    script = [
        act(5, "technical_rescue", "task", task="contain_isolate"),
        act(7, "technical_rescue", "task", task="emergency_change"),
        act(10, "technical_rescue", "task", task="prepare_rollback"),
    ]
    assert entry(run_scripted(path, script), "temp_change")["status"] == "missed"


def test_notice_before_approval_does_not_count(tmp_path):
    path = scenario(tmp_path, L1, ["legal_compliance"])
    early = [
        act(5, "legal_compliance", "task", task="draft_disclosure"),
        act(8, "business_coordination", "report", to=["customer"], via="email"),
        act(10, "command_group", "task", task="approve_disclosure"),
    ]
    assert entry(run_scripted(path, early), "customer_notice")["status"] == "missed"


def test_regulator_report_only_for_data_cyber_compliance_events(tmp_path):
    setup = [
        act(5, "legal_compliance", "task", task="draft_disclosure"),
        act(10, "command_group", "task", task="approve_disclosure"),
    ]
    for event_type, expected in (
        ("data_leak_loss", True),
        ("cyberattack", True),
        ("compliance_privacy_risk", True),
        ("hw_sw_failure", False),
        ("vendor_delivery_delay", False),
    ):
        path = scenario(tmp_path, {**L1, "event_type": event_type}, ["legal_compliance"])
        status = entry(run_scripted(path, setup), "regulator_report")["status"]
        assert (status != "not_triggered") is expected, event_type


def test_identify_affected_data_only_for_data_events(tmp_path):
    for event_type, expected in (
        ("data_leak_loss", True),
        ("compliance_privacy_risk", True),
        ("key_personnel_unavailable", False),
    ):
        path = scenario(tmp_path, {**L1, "event_type": event_type}, ["data_management"])
        status = entry(run_scripted(path, []), "identify_affected_data")["status"]
        assert (status != "not_triggered") is expected, event_type


def test_disclosure_wording_waits_for_high(tmp_path):
    path = scenario(
        tmp_path,
        L2,
        ["legal_compliance"],
        timeline=[{"at": 40, "set": {"major_customer_impact": True}}],
    )
    e = entry(run_scripted(path, []), "disclosure_wording")
    assert (e["triggered_at"], e["deadline_at"]) == (40, 100)


def test_regrade_falls_due_again_each_time_the_event_rises(tmp_path):
    path = scenario(
        tmp_path,
        L3,
        ["command_group"],
        timeline=[
            {"at": 20, "set": {"partial_business_impact": True}},
            {"at": 60, "set": {"major_customer_impact": True}},
        ],
    )
    script = [
        act(5, "command_group", "grade", level=3),
        act(35, "command_group", "grade", level=2),
        act(75, "command_group", "grade", level=1),
    ]
    result = run_scripted(path, script)
    occ = entries(result, "regrade")
    assert [(o["triggered_at"], o["deadline_at"], o["status"]) for o in occ] == [
        (20, 35, "hit"),
        (60, 75, "hit"),
    ]


# --- recurring duties -------------------------------------------------------------------------


def test_internal_updates_recur_from_the_last_update(tmp_path):
    path = scenario(tmp_path, L1, ["command_group"], duration=200)
    update = report("command_group", GROUPS, "chat")
    result = run_scripted(path, [update(60), update(100)])
    occ = entries(result, "internal_updates")
    assert [(o["triggered_at"], o["deadline_at"], o["status"]) for o in occ[:3]] == [
        (0, 60, "hit"),
        (60, 120, "hit"),
        (100, 160, "missed"),
    ]
    # the next one counts from the missed deadline
    assert (occ[3]["triggered_at"], occ[3]["deadline_at"]) == (160, 220)
    # exactly at the recurring deadline is a hit, 0.1 after is late
    assert (
        entry(run_scripted(path, [update(60), update(120)]), "internal_updates", occurrence=2)[
            "status"
        ]
        == "hit"
    )
    assert (
        entry(run_scripted(path, [update(60), update(120.1)]), "internal_updates", occurrence=2)[
            "status"
        ]
        == "late"
    )


def test_internal_updates_stop_once_recovered(tmp_path):
    done = {
        "recovered": {
            "at": 100,
            "to": ["command_group"],
            "text": "已恢复",
            "set": {"recovered": True},
        }
    }
    path = scenario(tmp_path, L1, ["command_group"], injects=done, duration=400)
    occ = entries(run_scripted(path, []), "internal_updates")
    # the second (due 60-120) was open at the recovery at 100: void, not missed
    assert [(o["triggered_at"], o["deadline_at"], o["status"]) for o in occ] == [
        (0, 60, "missed"),
        (60, 120, "void"),
    ]


def test_recovery_monitoring_every_30_until_restored(tmp_path):
    path = scenario(
        tmp_path,
        L1,
        ["technical_rescue"],
        timeline=[{"at": 10, "down": ["outsourced_platform"]}],
        duration=400,
    )
    progress = report("technical_rescue", ["command_group"], "phone")
    script = [
        progress(40),
        progress(65),
        act(80, "technical_rescue", "task", task="restore_from_backup"),
        progress(85),
    ]
    occ = entries(run_scripted(path, script), "recovery_monitoring")
    assert [(o["triggered_at"], o["deadline_at"], o["status"]) for o in occ] == [
        (10, 40, "hit"),
        (40, 70, "hit"),
        (65, 95, "void"),
    ]  # the third (due 65-95) was open at the restoration at 80: void; the post at 85 meets nothing
    late = entries(run_scripted(path, [progress(40.1)]), "recovery_monitoring")
    assert late[0]["status"] == "late"


def test_integrity_check_marks_recovery(tmp_path):
    path = scenario(
        tmp_path,
        L1,
        ["command_group", "technical_rescue"],
        timeline=[{"at": 10, "down": ["outsourced_platform"]}],
        duration=400,
    )
    script = [
        act(20, "technical_rescue", "task", task="restore_from_backup"),
        act(30, "data_management", "task", task="verify_integrity"),
    ]
    result = run_scripted(path, script)
    # recovered at 30: the update due 0-60 stays, no further one falls due
    assert len(entries(result, "internal_updates")) == 1
    assert result["continuity"][0]["restored_at"] == 20
    assert result["continuity"][0]["rto_met"] is True


# --- the shipped scenario ---------------------------------------------------------------------


def _levels(scenario_id: str):
    session = run_plan(load_plan(scenario_id), seed=1, others="idle")
    return [(e["t"], e["level"]) for e in session.events if e["type"] == "level"], session.events


def test_vendor_data_leak_level_rises():
    levels, events = _levels("vendor_data_leak")
    assert levels == [(0, 3), (20, 2), (60, 1)]
    assert ("service.down", 90) in [(e["type"], e["t"]) for e in events]


def test_vendor_data_leak_idle_misses_and_regulator_calls():
    result = run_scripted("vendor_data_leak", [])
    assert entry(result, "initial_record")["status"] == "missed"
    assert (
        entry(result, "contain_isolate")["triggered_at"],
        entry(result, "contain_isolate")["deadline_at"],
    ) == (0, 30)
    # nobody told the command group: it hears of the event from the threat-intel call at 75
    assert entry(result, "grade_event")["triggered_at"] == 75
    assert entry(result, "l1_mobilize_all")["triggered_at"] == 75
    # nobody reported to the regulator: the contingency inject comes at 180
    reply = entry(result, "reply_regulator")
    assert (reply["triggered_at"], reply["deadline_at"], reply["status"]) == (180, 240, "missed")
    assert result["continuity"][0]["rto_met"] is False


MODEL_ANSWER = [
    act(2, "project_staff", "task", task="initial_record"),
    act(3, "project_staff", "report", to=["command_group"], via="phone"),
    act(5, "technical_rescue", "task", task="contain_isolate"),
    act(6, "command_group", "grade", level=3),
    act(7, "command_group", "report", to=["technical_rescue"], via="chat"),
    act(10, "technical_rescue", "task", task="prepare_rollback"),
    act(12, "technical_rescue", "task", task="staged_repair"),
    act(15, "technical_rescue", "task", task="emergency_change"),
    # t=20 Medium
    act(22, "command_group", "grade", level=2),
    act(
        24, "command_group", "report", to=["technical_rescue", "business_coordination"], via="phone"
    ),
    act(26, "command_group", "report", to=GROUPS, via="chat"),
    act(30, "technical_rescue", "task", task="onsite_plan"),
    act(35, "business_coordination", "task", task="assess_impact"),
    act(38, "business_coordination", "report", to=["command_group"], via="email"),
    act(40, "data_management", "task", task="preserve_evidence"),
    act(45, "legal_compliance", "task", task="assess_compliance"),
    act(50, "data_management", "task", task="identify_affected_data"),
    # t=60 High
    act(62, "command_group", "grade", level=1),
    act(64, "command_group", "report", to=GROUPS, via="command_post"),
    act(66, "command_group", "report", to=["senior_management"], via="phone"),
    act(80, "legal_compliance", "task", task="draft_disclosure"),
    act(85, "command_group", "task", task="approve_disclosure"),
    # t=90 the platform is down
    act(92, "command_group", "task", task="approve_change"),
    act(95, "command_group", "report", to=["regulator"], via="email"),
    act(96, "business_coordination", "report", to=["customer"], via="email"),
    act(110, "technical_rescue", "report", to=["command_group"], via="phone"),
    act(120, "command_group", "report", to=GROUPS, via="command_post"),
    act(135, "technical_rescue", "report", to=["command_group"], via="phone"),
    act(160, "technical_rescue", "report", to=["command_group"], via="chat"),
    act(175, "command_group", "report", to=GROUPS, via="command_post"),
    act(185, "technical_rescue", "report", to=["command_group"], via="chat"),
    act(200, "technical_rescue", "task", task="restore_from_backup"),
    act(205, "technical_rescue", "report", to=["command_group"], via="chat"),
    act(215, "data_management", "task", task="verify_integrity"),
    act(230, "command_group", "report", to=GROUPS, via="command_post"),
]


def reliable(tmp_path) -> str:
    """A plan variant in which no message is lost and every task works: the model answer's
    verdicts then depend on the players alone, not on the seed's draws."""
    data = {
        "id": "reliable_002",
        "title": "test: reliable channels and tasks",
        "base": "vendor_data_leak",
        "procedure": {
            "channels": {c: {"failure": 0.0} for c in ("phone", "chat", "email")},
            "tasks": {
                t: {"success": 1.0}
                for t in ("contain_isolate", "emergency_change", "restore_from_backup")
            },
        },
    }
    path = tmp_path / "reliable_002.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("seed", [1, 2])
def test_vendor_data_leak_model_answer_hits_everything(tmp_path, seed):
    result = run_scripted(
        "vendor_data_leak", MODEL_ANSWER, seed=seed, variants=(reliable(tmp_path),)
    )
    bad = [
        (o["id"], o["occurrence"], o["status"])
        for o in result["obligations"]
        if o["status"] not in ("hit", "not_triggered", "void")
    ]
    assert bad == []
    not_triggered = {o["id"] for o in result["obligations"] if o["status"] == "not_triggered"}
    # the regulator was told in time, so it never calls
    assert not_triggered == {"reply_regulator"}
    cont = result["continuity"][0]
    assert (cont["service"], cont["down_at"], cont["restored_at"], cont["rto_met"]) == (
        "outsourced_platform",
        90,
        200,
        True,
    )
    assert result["summary"]["grades_correct"] == result["summary"]["grades"] == 3


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vendor_data_leak_runs_with_bots(seed):
    result = run_scripted("vendor_data_leak", [], seed=seed, others="bot")
    assert result["complete"]
    assert result["summary"]["hit"] > 0
