"""Reports for the people who read them: a long exercise's first half hour stays readable on the
timeline, and a completion histogram says how often the duty was never done."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from drillsim.scoring.report import build_report
from drillsim.scoring.report.timeline_svg import time_axis, timeline_svg
from drillsim.scoring.verdicts import score
from drillsim.simulator.loader import load_plan
from drillsim.simulator.runner import run_plan

FIX = Path(__file__).parent / "fixtures"


def test_the_first_half_hour_of_a_long_exercise_gets_a_third_of_the_width():
    pw = 900.0
    x, ticks, zoomed = time_axis(900, pw)
    assert zoomed == 30 and x(30) - x(0) == pytest.approx(0.35 * pw)  # linear: 30 px
    assert x(4) - x(0) > 40  # the alarm at minute 4 stands clear of the start
    assert x(900) == pytest.approx(pw) and x(31) > x(30) > x(29)
    assert ticks[:7] == [0, 5, 10, 15, 20, 25, 30] and ticks == sorted(ticks)
    short_x, short_ticks, none = time_axis(300, pw)
    assert none is None and short_x(150) == pytest.approx(pw / 2)  # short ones stay linear


@pytest.mark.parametrize(
    "lang, words", [("zh", "前30分钟放大显示"), ("en", "first 30 min enlarged")]
)
def test_warehouse_fire_timeline_marks_the_enlarged_start(lang, words):
    plan = load_plan("warehouse_fire")
    events = run_plan(plan, seed=1).events
    svg = timeline_svg(plan, events, score(plan, events), lang)
    assert 'class="zoom-edge"' in svg and words in svg
    assert ">5′<" in svg and ">25′<" in svg


@pytest.mark.parametrize("lang, words", [("zh", "从未完成"), ("en", "never done")])
def test_completion_histograms_say_how_often_the_duty_was_never_done(lang, words):
    data = json.loads((FIX / "montecarlo_payment_outage.json").read_text(encoding="utf-8"))
    rep = build_report(FIX / "montecarlo_payment_outage.json", lang=lang)
    figures = {f["id"]: f for g in rep["charts"]["histograms"] for f in g["figures"]}
    checked = 0
    for o in data["obligations"]:
        h = o["histogram"]
        if o["id"] not in figures or not sum(h["counts"]):
            continue
        checked += 1
        share = h["not_done"] / (h["not_done"] + sum(h["counts"]))
        caption = figures[o["id"]]["caption"]
        assert words in caption, caption
        assert re.search(rf"{words} {100 * share:.1f}%", caption), (caption, share)
    assert checked >= 10
