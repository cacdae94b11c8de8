"""Not the same exercise every time: a scenario's `vary` ranges drawn from the seed, reproducible,
judged by the same procedure, kept in the log's header so score and replay use them."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import pytest

from drillsim.cli import main as cli_main
from drillsim.scoring.verdicts import read_log, score_log
from drillsim.simulator.loader import load_plan, validate_file
from drillsim.simulator.replay import replay
from drillsim.simulator.variation import draw, vary


@pytest.mark.parametrize("scenario", ["payment_outage", "vendor_data_leak"])
def test_draws_are_keyed_by_seed_within_the_ranges(scenario):
    plan = load_plan(scenario)
    assert plan.scenario.vary  # the shipped scenario gives ranges
    draws = [draw(plan, seed) for seed in range(1, 21)]
    assert draw(plan, 7) == draws[6]  # the same seed, the same exercise
    assert len({json.dumps(d, sort_keys=True) for d in draws}) == 20  # another seed, another one
    for d in draws:
        for jid, got in d.items():
            spec = plan.scenario.vary[jid]  # every shipped range gives the inject's time
            assert spec.at.low <= got["at"] <= spec.at.high
            assert (got["at"] - spec.at.low) % spec.at.step == 0
            for attr, x in got.get("set", {}).items():
                assert spec.set[attr].low <= x <= spec.set[attr].high
    varied = vary(plan, 3)
    assert varied.drawn == draws[2] and plan.drawn is None  # the given plan is untouched
    for jid, got in draws[2].items():
        assert varied.scenario.injects[jid].at == got["at"]


def test_a_varied_run_is_judged_by_the_same_procedure_and_replays(tmp_path):
    plan = load_plan("payment_outage")
    for seed in (1, 2, 3):
        log = tmp_path / f"run{seed}.jsonl"
        out = io.StringIO()
        with redirect_stdout(out):
            assert (
                cli_main(
                    [
                        "run",
                        "payment_outage",
                        "--vary",
                        "--seed",
                        str(seed),
                        "--log",
                        str(log),
                        "--json",
                    ]
                )
                == 0
            )
        result = json.loads(out.getvalue())
        events = read_log(log)
        drawn = events[0]["drawn"]
        assert drawn == draw(plan, seed)
        surge = drawn["customer_surge"]
        # over 5,000 customers is level 1 by 000 §一(一)1, whenever the surge comes
        assert surge["set"]["customers_affected"] > 5000
        level = [e for e in events if e["type"] == "level" and e["t"] == surge["at"]]
        assert level and level[-1]["level"] == 1
        due = {o["id"]: o for o in result["obligations"] if o["occurrence"] == 1}
        assert due["report_l1_ops"]["triggered_at"] == surge["at"]
        assert due["report_l1_ops"]["deadline_at"] == surge["at"] + 15
        assert score_log(log) == result  # the log's header carries what was drawn
        again = tmp_path / f"again{seed}.jsonl"
        replay(events, log_path=again)
        assert again.read_bytes() == log.read_bytes()
    plain = io.StringIO()
    with redirect_stdout(plain):
        cli_main(["run", "payment_outage", "--seed", "1", "--json"])
    report = next(
        o for o in json.loads(plain.getvalue())["obligations"] if o["id"] == "report_l1_ops"
    )
    assert report["triggered_at"] == 70.0  # without --vary, the written time


def test_bad_ranges_are_named_by_file_line_and_field(tmp_path):
    path = tmp_path / "bad.yaml"
    text = load_plan("payment_outage").files[0]
    src = open(text, encoding="utf-8").read()
    src = src.split("\nvary:")[0] + (
        "\nvary:\n"
        "  nosuch: {at: {low: 1, high: 2}}\n"
        "  dr_question: {at: {low: 1, high: 2}}\n"
        "  complaints: {set: {media: {low: 1, high: 2}}}\n"
        "  alert: {at: {low: 1, high: 900}}\n"
    )
    path.write_text(src, encoding="utf-8")
    problems = [str(p) for p in validate_file(str(path))]
    text = "\n".join(problems)
    assert "vary: unknown inject 'nosuch'" in text
    assert "vary.dr_question.at: dr_question is not a timed inject" in text
    assert "vary.complaints.set.media: a range needs a number attribute" in text
    assert "vary.alert.at: the range must lie within 0..300" in text
    assert len(problems) == 4 and all(p.startswith(str(path) + ":") for p in problems)
    path.write_text(src.split("\nvary:")[0] + "\nvary:\n  alert: {at: {low: 5, high: 1}}\n")
    (problem,) = validate_file(str(path))
    assert str(problem).startswith(f"{path}:") and "high must be >= low" in str(problem)
