"""Grading rules carry their wording in both languages (criterion, criterion_en): English grade
feedback quotes the English criterion, Chinese feedback the procedure's own words."""

from __future__ import annotations

import re

import pytest

from drillsim.simulator.grading import explain
from drillsim.simulator.loader import load_plan, load_procedure
from drillsim.tui.teaching import advice_text, grade_feedback
from drillsim.words import Tr
from drillsim.words.names import Names

CJK = re.compile(r"[\u4e00-\u9fff]")
PROCEDURES = ["abnormal_event_000", "factory_003", "itsm_incident_001", "outsourcing_002"]


@pytest.mark.parametrize("pid", PROCEDURES)
def test_every_rule_has_its_criterion_in_both_languages(pid):
    g = load_procedure(pid)[0].grading
    rules = g.rules if g is not None and g.kind == "rules" else []
    assert all(r.criterion and CJK.search(r.criterion) for r in rules)
    assert all(r.criterion_en and not CJK.search(r.criterion_en) for r in rules)


def test_two_procedures_grade_by_rules_and_all_their_rules_are_translated():
    rules = [
        r
        for pid in PROCEDURES
        for g in [load_procedure(pid)[0].grading]
        if g is not None and g.kind == "rules"
        for r in g.rules
    ]
    assert len(rules) == 18


@pytest.mark.parametrize(
    "lang, expect, absent",
    [
        ("en", "More than 5,000 customers affected", "影响客户超过5000户"),
        ("zh", "影响客户超过5000户", "More than 5,000 customers affected"),
    ],
)
def test_feedback_quotes_the_criterion_in_its_language(lang, expect, absent):
    plan = load_plan("payment_outage")
    n, tr = Names(plan, lang), Tr(lang)
    # declared level 2 where 5200 customers make it level 1: too mild, because of that rule
    check = explain(plan.procedure, {"customers_affected": 5200}, 2)
    text = "\n".join(line for line, _ in grade_feedback(check, n, tr))
    assert expect in text and absent not in text
    # declared level 1 where the facts give 2: the level-1 criteria not met are listed
    severe = explain(plan.procedure, {"customers_affected": 1200}, 1)
    listed = "\n".join(line for line, _ in grade_feedback(severe, n, tr))
    assert expect in listed and absent not in listed


def test_english_feedback_has_no_chinese_criterion():
    plan = load_plan("payment_outage")
    n, tr = Names(plan, "en"), Tr("en")
    for attrs, declared in [
        ({"core_outage_min": 150}, 3),
        ({"loss_cny": 200000}, 1),
        ({"complaints_day": 60}, 3),
    ]:
        lines = [
            line for line, _ in grade_feedback(explain(plan.procedure, attrs, declared), n, tr)
        ]
        assert len(lines) >= 2
        # the clause keeps the source's numbering (000 §一(一)1); nothing else is Chinese
        assert [line for line in lines if CJK.search(re.sub(r"§\S+", "", line))] == []


def test_the_advice_to_grade_first_quotes_the_english_criterion():
    from drillsim.scoring.debrief import Item

    plan = load_plan("payment_outage")
    check = explain(plan.procedure, {"core_outage_min": 150}, 3)
    item = Item(
        {"id": "mark_urgency"},
        "grade_first",
        {"t": 10.0, "level": 1, "criterion": check.deciding[0]},
    )
    text = advice_text(item, Names(plan, "en"), Tr("en"))
    assert "Core business down for more than 2 hours" in text
    assert not CJK.search(re.sub(r"§\S+", "", text))
