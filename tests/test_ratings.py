"""Ratings files: what evaluators write is checked, and every mistake is named with FILE:LINE:COL."""

from __future__ import annotations

import datetime as dt

import pytest

from drillsim.scoring.ratings import Ratings, load_ratings, save_ratings
from drillsim.simulator.errors import InputError
from drillsim.simulator.loader import load_plan

GOOD = """\
evaluator: 王工
date: 2025-03-14
scenario: payment_outage
tasks:
  - objective: report
    rating: S
    observation: 一级上报迟5分钟
  - objective: report
    obligation: report_l1_ops
    rating: m
    observation: 书面报告迟
  - obligation: verify
    rating: n/o
  - obligation: regrade
    rating: null
hotwash:
  strengths: [沟通清晰]
  improvements: [模板难找]
  feedback: [希望增加夜班场景]
improvement_plan:
  - issue: 书面上报迟延
    corrective_action: 制作邮件报告模板
    capability: planning
    responsible_role: duty_supervisor
    due: 2025-04-30
    obligation: report_l1_ops
"""


@pytest.fixture(scope="module")
def plan():
    return load_plan("payment_outage")


def write(tmp_path, text, name="ratings.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path, plan, text):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_ratings(path, plan)
    return [str(p) for p in exc.value.problems], str(path)


def test_a_good_file_loads(tmp_path, plan):
    r = load_ratings(write(tmp_path, GOOD), plan)
    assert r.evaluator == "王工" and r.date == dt.date(2025, 3, 14)
    assert r.for_objective("report").rating == "S"
    assert r.for_task("report_l1_ops", "report").rating == "M"  # lower case accepted
    assert r.for_task("verify", "detect").rating == "N/O"
    assert r.for_task("regrade", "grade").rating is None  # not rated yet
    assert r.for_task("report_l2", "report") is None
    assert r.counts() == {"P": 0, "S": 1, "M": 1, "U": 0, "N/O": 1}
    assert r.improvement_plan[0].capability == "planning" and r.improvement_plan[0].due == dt.date(
        2025, 4, 30
    )
    assert r.hotwash.feedback == ["希望增加夜班场景"]


def test_save_and_load_round_trip(tmp_path, plan):
    r = load_ratings(write(tmp_path, GOOD), plan)
    out = tmp_path / "saved.yaml"
    save_ratings(out, r)
    assert load_ratings(out, plan) == r
    empty = Ratings()
    save_ratings(out, empty)
    assert load_ratings(out, plan) == empty


@pytest.mark.parametrize(
    "old, new, line, col, message",
    [
        (
            "    rating: S\n",
            "    rating: Z\n",
            6,
            13,
            "tasks.0.rating: Input should be 'P', 'S', 'M', 'U' or 'N/O'",
        ),
        (
            "    observation: 一级上报迟5分钟\n",
            "    observation: 一级上报迟5分钟\n    observer: 李\n",
            8,
            5,
            "tasks.0.observer: unknown field",
        ),
        (
            "    obligation: report_l1_ops\n",
            "    obligation: report_l1_opps\n",
            9,
            17,
            "tasks[1].obligation: unknown obligation 'report_l1_opps'",
        ),
        (
            "    obligation: report_l1_ops\n    rating: m",
            "    obligation: verify\n    rating: m",
            9,
            17,
            "tasks[1].obligation: 'verify' is not a critical task of objective 'report'",
        ),
        (
            "  - objective: report\n    rating: S",
            "  - objective: reporting\n    rating: S",
            5,
            16,
            "tasks[0].objective: unknown objective 'reporting'",
        ),
        (
            "    responsible_role: duty_supervisor\n",
            "    responsible_role: night_shift\n",
            24,
            23,
            "improvement_plan[0].responsible_role: unknown role 'night_shift'",
        ),
        (
            "    capability: planning\n",
            "    capability: budget\n",
            23,
            17,
            "improvement_plan.0.capability: Input should be 'planning', 'organization', "
            "'equipment', 'training' or 'exercise'",
        ),
        (
            "    due: 2025-04-30\n",
            "    due: next month\n",
            25,
            10,
            "improvement_plan.0.due: Input should be a valid date",
        ),
        (
            "scenario: payment_outage\n",
            "scenario: service_desk_shift\n",
            3,
            11,
            "these ratings are for 'service_desk_shift'",
        ),
        (
            "  - obligation: verify\n    rating: n/o\n",
            "  - rating: P\n",
            12,
            5,
            "tasks.2: name the `objective` or the `obligation`",
        ),
        (
            "  - obligation: regrade\n",
            "  - obligation: verify\n",
            14,
            5,
            "tasks[3]: rated twice (also tasks[2])",
        ),
        ("hotwash:\n", "hotwash:\n  lessons: [x]\n", 17, 3, "hotwash.lessons: unknown field"),
        ("  strengths: [沟通清晰]\n", "  strengths: [沟通清晰\n", 18, 15, "YAML syntax"),
    ],
)
def test_mistakes_are_named_with_their_line(tmp_path, plan, old, new, line, col, message):
    assert old in GOOD, old
    found, path = problems(tmp_path, plan, GOOD.replace(old, new, 1))
    assert any(p.startswith(f"{path}:{line}:") and message in p for p in found), found
    assert any(p.startswith(f"{path}:{line}:{col}:") for p in found), found


def test_without_a_plan_only_the_form_is_checked(tmp_path):
    r = load_ratings(
        write(tmp_path, GOOD.replace("report_l1_ops\n    rating", "unknown_duty\n    rating"))
    )
    assert r.tasks[1].obligation == "unknown_duty"
    with pytest.raises(InputError):
        load_ratings(write(tmp_path, "tasks: 3\n"))
