"""Golden tests of the ITSM incident management procedure (001) and its service-desk shift scenario.

Every deadline is checked at its boundary: done exactly at the deadline is a hit, 0.1 min after
is late (by 0.1), never done is missed. Thresholds (the priority matrix, severe impact, the third
occurrence, P1 beyond the desk, the SLA-at-risk trend) are checked on both sides.

Runs use `others='idle'`, so only the script acts. Most runs add the `exact` plan variant, which
makes every channel deliver in exactly 1 minute and never fail: trigger times of downstream duties
are then whole minutes and no test depends on a random delivery.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from drillsim.simulator.loader import load_plan, load_procedure
from drillsim.simulator.model import ScriptAction
from drillsim.simulator.runner import run_plan
from tests.helpers import entries, entry, grade, run_scripted

SCENARIO = "service_desk_shift"
PROC = "itsm_incident_001"
DESK, HEAD, STAFF = "service_desk", "business_dept_head", "other_staff"
LATENCY = 1.0  # channel latency in the `exact` variant

# When each ticket's first report reaches its first receiver (inject `at` in the scenario).
T1_MAIL, T2_CALL, T3_ALERT, T5_ONSITE, T6_FAX = 12, 40, 5, 75, 170
T4_MAIL, T7_LETTER, T8_MAIL, T4_TREND = 200, 230, 260, 300
T3_RECUR_2, T3_RECUR_3 = 150, 330

# urgency, impact -> priority level and resolution minutes (001 §5.4.3 2), assumptions for P3/P4)
CELLS = [
    ("high", "severe", 1, 1440),
    ("high", "moderate", 2, 4320),
    ("high", "minor", 4, 60),
    ("medium", "severe", 2, 4320),
    ("medium", "moderate", 3, 43200),
    ("medium", "minor", 4, 60),
    ("low", "severe", 3, 43200),
    ("low", "moderate", 4, 60),
    ("low", "minor", 4, 60),
]
RESOLUTION = {1: 1440, 2: 4320, 3: 43200, 4: 60}
ONE_CELL_PER_LEVEL = {
    1: ("high", "severe"),
    2: ("high", "moderate"),
    3: ("medium", "moderate"),
    4: ("low", "minor"),
}


# --- plumbing ----------------------------------------------------------------------------


def _write(
    folder: Path, name: str, scenario: dict | None = None, procedure: dict | None = None
) -> str:
    data = {"id": name, "title": name, "base": SCENARIO}
    if scenario:
        data["scenario"] = scenario
    if procedure:
        data["procedure"] = procedure
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def vdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("itsm_variants")


@pytest.fixture(scope="module")
def exact(vdir) -> str:
    """Every channel: latency exactly 1 min, never fails."""
    channels = {
        c: {"latency": {"dist": "uniform", "low": LATENCY, "high": LATENCY}, "failure": 0.0}
        for c in load_procedure(PROC)[0].channels
    }
    return _write(vdir, "itsm_exact_channels", procedure={"channels": channels})


@pytest.fixture
def overlay(vdir):
    """overlay(name, **scenario_overlay) -> path of a plan variant overlaying the scenario."""

    def make(name: str, **scenario) -> str:
        return _write(vdir, name, scenario=scenario)

    return make


def t1_as(overlay, urgency: str, impact: str, duration: float | None = None) -> str:
    """Variant: ticket t1 has this urgency and impact (and the exercise runs `duration` minutes)."""
    scenario = {"incidents": {"t1": {"attributes": {"urgency": urgency, "impact": impact}}}}
    if duration is not None:
        scenario["duration_min"] = duration
    return overlay(f"t1_{urgency}_{impact}_{int(duration or 0)}", **scenario)


def run(actions: list[dict], *variants: str, seed: int = 1) -> dict:
    return run_scripted(SCENARIO, actions, seed=seed, others="idle", variants=variants)


def events(actions: list[dict], *variants: str, seed: int = 1) -> list[dict]:
    plan = load_plan(SCENARIO, variants)
    script = sorted((ScriptAction.model_validate(a) for a in actions), key=lambda a: a.at)
    return run_plan(plan, seed=seed, actions=script, others="idle").events


def task(at, role, task_id, inc):
    return {"at": at, "role": role, "do": "task", "task": task_id, "incident": inc}


def report(at, role, to, via, inc):
    return {"at": at, "role": role, "do": "report", "to": list(to), "via": via, "incident": inc}


def classify(at, inc, urgency, impact, category=None):
    a = {
        "at": at,
        "role": DESK,
        "do": "classify",
        "incident": inc,
        "urgency": urgency,
        "impact": impact,
    }
    if category:
        a["category"] = category
    return a


# --- the procedure file -------------------------------------------------------------------


def test_procedure_loads_and_cites_clauses():
    proc, _ = load_procedure(PROC)
    assert proc.grading.kind == "matrix"
    assert (proc.grading.row, proc.grading.column) == ("urgency", "impact")
    assert proc.grading.levels == {1: "P1", 2: "P2", 3: "P3", 4: "P4"}
    for oid, ob in proc.obligations.items():
        assert ob.clause.startswith("001 §"), oid
    assert {"service_desk", "business_dept_head", "risk_control", "customer", "sales"} <= set(
        proc.roles
    )
    assert {"phone", "email", "letter", "fax", "monitoring"} <= set(proc.channels)
    assert proc.obligations["classify"].action.do == "classify"
    assert proc.obligations["resolve_incident"].deadline_by_level == {
        1: 1440,
        2: 4320,
        3: 43200,
        4: 60,
    }
    leaves = [v for v in proc.attributes["category"].values if v != "unclassified"]
    assert len(leaves) == 13  # 5 people + 5 business + 3 equipment (§5.4.3)
    assert proc.attributes["impact"].values == ["minor", "moderate", "severe"]
    assert proc.attributes["urgency"].values == ["low", "medium", "high"]
    assert proc.assumptions, "vague points of the source must be stated"


# --- the priority matrix (§5.4.3 2)) -------------------------------------------------------


@pytest.mark.parametrize("urgency,impact,level,minutes", CELLS)
def test_matrix_cell(urgency, impact, level, minutes):
    assert grade(PROC, urgency=urgency, impact=impact) == level


@pytest.mark.parametrize("urgency,impact,level,minutes", CELLS)
def test_resolution_deadline_of_each_cell(overlay, exact, urgency, impact, level, minutes):
    v = t1_as(overlay, urgency, impact)
    r = run(
        [
            classify(T1_MAIL + 2, "t1", urgency, impact, "business_minor_error"),
            task(T1_MAIL + 5, DESK, "resolve_incident", "t1"),
        ],
        exact,
        v,
    )
    e = entry(r, "resolve_incident", incident="t1")
    assert e["triggered_at"] == T1_MAIL
    assert e["deadline_at"] - e["triggered_at"] == pytest.approx(minutes)
    assert e["status"] == "hit" and e["acted_by"] == DESK
    c = entry(r, "classify", incident="t1")
    assert c["status"] == "hit" and c["done_at"] == T1_MAIL + 2
    graded = [g for g in r["grading"] if g["incident"] == "t1"]
    assert graded and graded[0]["declared"] == level and graded[0]["correct"]


def test_misclassification_is_scored_wrong(exact):
    # t1 is truly low/minor (P4); declaring high/severe gives P1: the grading verdict says wrong,
    # and the resolution deadline stays the true P4's 60 minutes.
    r = run([classify(T1_MAIL + 2, "t1", "high", "severe")], exact)
    g = [x for x in r["grading"] if x["incident"] == "t1"][0]
    assert (g["declared"], g["true"], g["correct"]) == (1, 4, False)
    e = entry(r, "resolve_incident", incident="t1")
    assert e["deadline_at"] - e["triggered_at"] == pytest.approx(60)


@pytest.mark.parametrize("outcome", ["hit", "late", "missed"])
@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_resolution_deadline_boundary(overlay, exact, level, outcome):
    urgency, impact = ONE_CELL_PER_LEVEL[level]
    deadline = T1_MAIL + RESOLUTION[level]
    v = t1_as(overlay, urgency, impact, duration=deadline + 30)
    actions = {
        "hit": [task(deadline, DESK, "resolve_incident", "t1")],
        "late": [task(deadline + 0.1, DESK, "resolve_incident", "t1")],
        "missed": [],
    }[outcome]
    r = run(actions, exact, v)
    e = entry(r, "resolve_incident", incident="t1")
    assert e["deadline_at"] == pytest.approx(deadline)
    assert e["status"] == outcome
    if outcome == "hit":
        assert e["done_at"] == pytest.approx(deadline)
    elif outcome == "late":
        assert e["done_at"] == pytest.approx(deadline + 0.1)
        assert e["late_by_min"] == pytest.approx(0.1, abs=1e-3)
    else:
        assert e["done_at"] is None
    assert len(entries(r, "resolve_incident", "t1")) == 1


def test_p3_resolution_is_open_at_the_end_of_the_shift(exact):
    # t4 (medium/moderate, P3) arrives at 200: its 30-day deadline is far beyond the 480-min shift.
    e = entry(run([], exact), "resolve_incident", incident="t4")
    assert e["deadline_at"] == pytest.approx(T4_MAIL + 43200)
    assert e["status"] == "open"


# --- every fixed deadline at its boundary --------------------------------------------------
# (obligation, incident, deadline minutes, prerequisite actions, the action at time t, variant overlay)


def _fixed_cases():
    return [
        ("forward_to_desk", "t5", 10, [], lambda t: report(t, STAFF, [DESK], "phone", "t5"), None),
        ("screen_report", "t1", 15, [], lambda t: task(t, DESK, "screen_report", "t1"), None),
        (
            "respond_to_customer",
            "t1",
            15,
            [],
            lambda t: report(t, DESK, ["customer"], "email", "t1"),
            None,
        ),
        (
            "classify",
            "t1",
            15,
            [],
            lambda t: classify(t, "t1", "low", "minor", "business_minor_error"),
            None,
        ),
        ("search_kb", "t1", 30, [], lambda t: task(t, DESK, "search_kb", "t1"), None),
        (
            "pass_service_request",
            "t5",
            30,
            [report(T5_ONSITE + 1, STAFF, [DESK], "phone", "t5")],
            lambda t: report(t, DESK, [HEAD], "phone", "t5"),
            None,
        ),
        ("hand_to_sales", "t6", 60, [], lambda t: report(t, DESK, ["sales"], "email", "t6"), None),
        ("refer_complaint", "t7", 60, [], lambda t: task(t, DESK, "refer_complaint", "t7"), None),
        ("refer_security", "t8", 15, [], lambda t: task(t, DESK, "refer_security", "t8"), None),
        (
            "close_invalid",
            "t6",
            30,
            [],
            lambda t: task(t, DESK, "close_report", "t6"),
            {"incidents": {"t6": {"attributes": {"report_type": "invalid"}}}},
        ),
        (
            "report_beyond_desk",
            "t2",
            30,
            [],
            lambda t: report(t, DESK, [HEAD], "phone", "t2"),
            None,
        ),
        (
            "take_charge",
            "t2",
            30,
            [report(T2_CALL + 5, DESK, [HEAD], "phone", "t2")],
            lambda t: task(t, HEAD, "take_charge", "t2"),
            None,
        ),
        (
            "record_resolution",
            "t1",
            60,
            [task(T1_MAIL + 8, DESK, "resolve_incident", "t1")],
            lambda t: task(t, DESK, "fill_service_record", "t1"),
            None,
        ),
        (
            "request_escalation",
            "t2",
            30,
            [],
            lambda t: report(t, DESK, [HEAD], "email", "t2"),
            None,
        ),
        (
            "decide_escalation",
            "t2",
            60,
            [report(T2_CALL + 5, DESK, [HEAD], "phone", "t2")],
            lambda t: report(t, HEAD, [DESK], "phone", "t2"),
            None,
        ),
        (
            "decide_escalation_risk",
            "t2",
            60,
            [report(T2_CALL + 5, DESK, [HEAD], "phone", "t2")],
            lambda t: report(t, HEAD, ["risk_control"], "phone", "t2"),
            None,
        ),
        (
            "raise_problem_record",
            "t2",
            60,
            [
                report(T2_CALL + 5, DESK, [HEAD], "phone", "t2"),
                report(T2_CALL + 10, HEAD, [DESK, "risk_control"], "phone", "t2"),
            ],
            lambda t: task(t, DESK, "raise_problem_record", "t2"),
            None,
        ),
        (
            "warn_sla",
            "t4",
            30,
            [],
            lambda t: report(t, DESK, [HEAD, "customer"], "phone", "t4"),
            None,
        ),
        (
            "update_customer",
            "t2",
            120,
            [],
            lambda t: report(t, DESK, ["customer"], "phone", "t2"),
            None,
        ),
    ]


FIXED = _fixed_cases()


@pytest.mark.parametrize("case", FIXED, ids=[c[0] for c in FIXED])
def test_fixed_deadline_boundary(overlay, exact, case):
    oid, inc, minutes, prereq, act, scen = case
    variants = [exact] + ([overlay(f"case_{oid}", **scen)] if scen else [])
    role = load_procedure(PROC)[0].obligations[oid].role

    # never done: missed; tells when it fell due
    first = run(prereq, *variants)
    e = entry(first, oid, incident=inc)
    assert e["status"] == "missed", e
    assert e["deadline_at"] - e["triggered_at"] == pytest.approx(minutes)
    assert e["clause"].startswith("001 §")
    deadline = e["deadline_at"]

    hit = entry(run(prereq + [act(deadline)], *variants), oid, incident=inc)
    assert hit["triggered_at"] == e["triggered_at"]
    assert hit["status"] == "hit", hit
    assert hit["done_at"] == pytest.approx(deadline)
    assert hit["acted_by"] == role

    late = entry(run(prereq + [act(deadline + 0.1)], *variants), oid, incident=inc)
    assert late["status"] == "late", late
    assert late["done_at"] == pytest.approx(deadline + 0.1)
    assert late["late_by_min"] == pytest.approx(0.1, abs=1e-3)


def test_fixed_trigger_times(exact):
    """Duties fall due when the report reaches the receiver (injects arrive at their `at`)."""
    r = run([], exact)
    expected = {
        ("screen_report", "t3"): T3_ALERT,
        ("screen_report", "t1"): T1_MAIL,
        ("classify", "t2"): T2_CALL,
        ("forward_to_desk", "t5"): T5_ONSITE,
        ("hand_to_sales", "t6"): T6_FAX,
        ("refer_complaint", "t7"): T7_LETTER,
        ("refer_security", "t8"): T8_MAIL,
        ("warn_sla", "t4"): T4_TREND,
        ("classify", "t4"): T4_MAIL,
    }
    for (oid, inc), t in expected.items():
        assert entry(r, oid, incident=inc)["triggered_at"] == t, (oid, inc)


def test_update_customer_recurs_every_120_min_until_resolved(exact):
    # t2 (P1) from 40: updates at 100 and 200, resolved at 250: occurrence 1 due 40-160 (met at 100),
    # occurrence 2 due 100-220 (met at 200); occurrence 3 (due 200-320) was still open at the
    # resolution at 250, so it is void: no longer owed, neither hit nor missed.
    r = run(
        [
            report(100, DESK, ["customer"], "phone", "t2"),
            report(200, DESK, ["customer"], "phone", "t2"),
            task(250, DESK, "resolve_incident", "t2"),
        ],
        exact,
    )
    occ = entries(r, "update_customer", "t2")
    assert [(o["triggered_at"], o["deadline_at"], o["status"]) for o in occ[:2]] == [
        (T2_CALL, T2_CALL + 120, "hit"),
        (100, 220, "hit"),
    ]
    assert [(o["triggered_at"], o["deadline_at"], o["status"]) for o in occ[2:]] == [
        (200, 320, "void")
    ]
    assert entry(r, "resolve_incident", "t2")["status"] == "hit"


# --- intake and screening (§5.4.1, §5.4.2) --------------------------------------------------


def test_report_to_other_staff_reaches_desk_only_when_forwarded(exact):
    r = run([], exact)
    assert entries(r, "screen_report", "t5") == []
    assert entries(r, "pass_service_request", "t5") == []
    r = run([report(T5_ONSITE + 2, STAFF, [DESK], "email", "t5")], exact)
    s = entry(r, "screen_report", incident="t5")
    assert s["triggered_at"] == T5_ONSITE + 2 + LATENCY
    assert (
        entry(r, "pass_service_request", incident="t5")["triggered_at"] == T5_ONSITE + 2 + LATENCY
    )


def test_only_incidents_are_classified_and_resolved(exact):
    r = run([report(T5_ONSITE + 1, STAFF, [DESK], "phone", "t5")], exact)
    for inc in ("t5", "t6", "t7", "t8"):
        for oid in ("classify", "resolve_incident", "search_kb"):
            assert entries(r, oid, inc) == [], (oid, inc)
    for inc in ("t1", "t2", "t3", "t4"):
        assert entries(r, "classify", inc), inc
    assert entries(r, "pass_service_request", "t6") == []  # out of scope goes to sales
    assert entries(r, "hand_to_sales", "t5") == []  # a service request goes to the head


def test_monitoring_alert_needs_no_customer_response_until_customer_reports(exact):
    r = run([], exact)
    e = entries(r, "respond_to_customer", "t3")
    assert len(e) == 1 and e[0]["triggered_at"] == T3_RECUR_2


# --- handling (§5.4.4) -------------------------------------------------------------------------


def test_p1_beyond_desk_reported(exact):
    e = entry(run([], exact), "report_beyond_desk", incident="t2")
    assert e["triggered_at"] == T2_CALL and e["deadline_at"] == T2_CALL + 30


def test_p2_beyond_desk_not_reported(overlay, exact):
    v = overlay(
        "t2_p2", incidents={"t2": {"attributes": {"urgency": "medium"}}}
    )  # medium/severe = P2
    r = run([], exact, v)
    assert grade(PROC, urgency="medium", impact="severe") == 2
    assert entries(r, "report_beyond_desk", "t2") == []
    assert entry(r, "resolve_incident", "t2")["deadline_at"] == T2_CALL + 4320


def test_take_charge_releases_vendor_inject(exact):
    ev = events(
        [
            report(T2_CALL + 5, DESK, [HEAD], "phone", "t2"),
            task(T2_CALL + 20, HEAD, "take_charge", "t2"),
        ],
        exact,
    )
    fired = [e for e in ev if e["type"] == "inject" and e["inject"] == "t2_vendor_onsite"]
    assert len(fired) == 1 and fired[0]["t"] == T2_CALL + 20
    skipped = [e for e in ev if e["type"] == "inject.skipped" and e["inject"] == "t2_nudge"]
    assert skipped, "the head was told in time: no nudge"


def test_nudge_when_head_not_told(exact):
    ev = events([], exact)
    assert any(e["type"] == "inject" and e["inject"] == "t2_nudge" and e["t"] == 80 for e in ev)


def test_resolution_falls_due_again_at_each_recurrence(exact):
    r = run(
        [
            task(T3_ALERT + 10, DESK, "resolve_incident", "t3"),
            task(T3_RECUR_2 + 60, DESK, "resolve_incident", "t3"),
            task(T3_RECUR_3 + 61, DESK, "resolve_incident", "t3"),
        ],
        exact,
    )
    occ = entries(r, "resolve_incident", "t3")
    assert [(o["triggered_at"], o["deadline_at"], o["status"]) for o in occ] == [
        (T3_ALERT, T3_ALERT + 60, "hit"),
        (T3_RECUR_2, T3_RECUR_2 + 60, "hit"),
        (T3_RECUR_3, T3_RECUR_3 + 60, "late"),
    ]
    rec = entries(r, "record_resolution", "t3")
    assert [o["triggered_at"] for o in rec] == [T3_ALERT + 10, T3_RECUR_2 + 60, T3_RECUR_3 + 61]


def test_unresolved_incident_does_not_fall_due_again(exact):
    occ = entries(run([], exact), "resolve_incident", "t3")
    assert len(occ) == 1 and occ[0]["status"] == "missed"


# --- escalation (§5.4.5) ----------------------------------------------------------------------


@pytest.mark.parametrize("urgency", ["low", "medium", "high"])
@pytest.mark.parametrize("impact,fires", [("severe", True), ("moderate", False), ("minor", False)])
def test_escalation_on_severe_impact(overlay, exact, urgency, impact, fires):
    r = run([], exact, t1_as(overlay, urgency, impact))
    found = [e for e in entries(r, "request_escalation", "t1") if e["status"] != "not_triggered"]
    if fires:
        assert len(found) == 1 and found[0]["triggered_at"] == T1_MAIL
        assert found[0]["deadline_at"] == T1_MAIL + 30
    else:
        assert found == []


def test_escalation_on_third_occurrence_not_second(exact):
    r = run([], exact)
    found = entries(r, "request_escalation", "t3")
    assert len(found) == 1
    assert found[0]["triggered_at"] == T3_RECUR_3  # not T3_RECUR_2
    assert found[0]["deadline_at"] == T3_RECUR_3 + 30


def test_no_escalation_after_second_occurrence(overlay, exact):
    # the shift stops just before the third report: two occurrences escalate nothing
    r = run([], exact, overlay("cut_before_third", duration_min=T3_RECUR_3 - 1))
    assert [
        e for e in entries(r, "request_escalation", "t3") if e["status"] != "not_triggered"
    ] == []
    # the third report says "second time" instead: still nothing
    r = run(
        [], exact, overlay("third_is_second", injects={"t3_recur_3": {"set": {"occurrences": 2}}})
    )
    assert [
        e for e in entries(r, "request_escalation", "t3") if e["status"] != "not_triggered"
    ] == []


@pytest.mark.parametrize("occurrences,fires", [(2, False), (3, True), (4, True)])
def test_escalation_threshold_from_the_first_report(overlay, exact, occurrences, fires):
    v = overlay(
        f"t1_occ_{occurrences}", incidents={"t1": {"attributes": {"occurrences": occurrences}}}
    )
    found = entries(run([], exact, v), "request_escalation", "t1")
    assert [e["triggered_at"] for e in found] == ([T1_MAIL] if fires else [])


def test_escalation_chain_raises_problem_record(exact):
    actions = [
        report(T2_CALL + 5, DESK, [HEAD], "phone", "t2"),
        report(T2_CALL + 30, HEAD, [DESK, "risk_control"], "email", "t2"),
        task(T2_CALL + 40, DESK, "raise_problem_record", "t2"),
    ]
    r = run(actions, exact)
    req, dec, raise_ = (
        entry(r, o, "t2")
        for o in ("request_escalation", "decide_escalation", "raise_problem_record")
    )
    assert (req["status"], dec["status"], raise_["status"]) == ("hit", "hit", "hit")
    assert entry(r, "decide_escalation_risk", "t2")["status"] == "hit"
    assert dec["triggered_at"] == T2_CALL + 5 + LATENCY
    assert raise_["triggered_at"] == T2_CALL + 30 + LATENCY
    ev = events(actions, exact)
    ack = [e for e in ev if e["type"] == "inject" and e["inject"] == "t2_problem_ack"]
    assert len(ack) == 1 and ack[0]["t"] == T2_CALL + 40


def test_problem_record_counts_from_the_desks_own_receipt(exact):
    """The desk told at +30, risk control only at +50: the desk's 60 minutes start at +30."""
    told_desk = [
        report(T2_CALL + 5, DESK, [HEAD], "phone", "t2"),
        report(T2_CALL + 30, HEAD, [DESK], "phone", "t2"),
    ]
    r = run(told_desk, exact)
    assert entry(r, "decide_escalation", "t2")["status"] == "hit"
    assert entry(r, "decide_escalation_risk", "t2")["status"] == "missed"
    e = entry(r, "raise_problem_record", "t2")
    assert (e["triggered_at"], e["deadline_at"]) == (
        T2_CALL + 30 + LATENCY,
        T2_CALL + 90 + LATENCY,
    )
    later = run([*told_desk, report(T2_CALL + 50, HEAD, ["risk_control"], "phone", "t2")], exact)
    assert entry(later, "raise_problem_record", "t2")["triggered_at"] == T2_CALL + 30 + LATENCY
    assert entry(later, "decide_escalation_risk", "t2")["status"] == "hit"


# --- service monitoring (§5.4.6) -------------------------------------------------------------


def test_sla_warning_due_only_once_the_trend_is_reported(exact, overlay):
    e = entry(run([], exact), "warn_sla", incident="t4")
    assert (e["triggered_at"], e["deadline_at"]) == (T4_TREND, T4_TREND + 30)
    r = run([], exact, overlay("cut_before_trend", duration_min=T4_TREND - 1))
    assert [x for x in entries(r, "warn_sla", "t4") if x["status"] != "not_triggered"] == []
    for inc in ("t1", "t2", "t3"):
        assert entries(run([], exact), "warn_sla", inc) == []


def test_sla_warning_must_reach_both_manager_and_customer(exact):
    r = run([report(T4_TREND + 5, DESK, ["customer"], "phone", "t4")], exact)
    assert entry(r, "warn_sla", "t4")["status"] == "missed"
    r = run(
        [
            report(T4_TREND + 5, DESK, ["customer"], "phone", "t4"),
            report(T4_TREND + 20, DESK, [HEAD], "email", "t4"),
        ],
        exact,
    )
    e = entry(r, "warn_sla", "t4")
    assert e["status"] == "hit" and e["done_at"] == T4_TREND + 20


def test_customer_chase_skipped_when_warned_in_time(exact):
    warned = events([report(T4_TREND + 10, DESK, [HEAD, "customer"], "phone", "t4")], exact)
    assert any(e["type"] == "inject.skipped" and e["inject"] == "t4_chase" for e in warned)
    silent = events([], exact)
    assert any(
        e["type"] == "inject" and e["inject"] == "t4_chase" and e["t"] == 345 for e in silent
    )


# --- the whole shift with bots -----------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_shift_with_bots_runs_to_the_end(seed):
    r = run_scripted(SCENARIO, [], seed=seed, others="bot")
    assert r["complete"] and r["end_min"] == 480
    due = [o for o in r["obligations"] if o["status"] != "not_triggered"]
    assert {o["incident"] for o in due} == {f"t{i}" for i in range(1, 9)}
    assert all(o["clause"].startswith("001 §") for o in r["obligations"])
    assert r["summary"]["hit"] > 0


def test_shift_is_deterministic():
    a = run_scripted(SCENARIO, [], seed=7, others="bot")
    b = run_scripted(SCENARIO, [], seed=7, others="bot")
    assert a == b
