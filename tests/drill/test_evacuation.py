"""The evacuation model against hand-worked cases, the shipped site and the exit-B variant."""

from __future__ import annotations

import pytest

from drillsim.simulator.drill.evacuation import compare, predict, run_once
from drillsim.simulator.drill.site import Site, load_site
from drillsim.simulator.loader import load_plan
from drillsim.simulator.rng import Streams


def _one_room(people: int, width: float, **extra) -> Site:
    return Site.model_validate(
        {
            "id": "room",
            "title": "one room, one exit",
            "walking_speed": {"dist": "fixed", "value": 1.2},
            "premovement": {"dist": "fixed", "value": 60},
            "checkin_s": {"dist": "fixed", "value": 5},
            "wardens": 1,
            "areas": {"R": {"people": people, "exits": {"E": 30}}},
            "exits": {"E": {"name": "door", "width_m": width, "to_assembly_m": 24}},
            **extra,
        }
    )


def test_flow_limited_clearing_time_by_hand():
    """100 people, one 1.3 m door (effective 1.0 m at 0.15 m a side), 1.3 p/s/m: the door passes
    one person every 1/1.3 s. Everyone starts moving at 60 s and reaches the door at
    60 + 30/1.2 = 85 s, so the last is through at 85 + 100/1.3 = 161.92 s (2.699 min)."""
    site = _one_room(100, 1.3)
    assert site.effective_width("E") == pytest.approx(1.0)
    out = run_once(site, {"R": 100}, 1, Streams(1), 0)
    assert out.clear["R"] * 60 == pytest.approx(60 + 30 / 1.2 + 100 / 1.3, abs=1e-6)
    # then 24 m to the assembly point (20 s); one warden checks the 100 in, 5 s each, the first
    # from 85 + 1/1.3 + 20 s on: the check-ins, not the door, set the headcount's pace
    first_there = 60 + 25 + 1 / 1.3 + 20
    assert out.assembly * 60 == pytest.approx(60 + 25 + 100 / 1.3 + 20)
    assert out.headcount * 60 == pytest.approx(first_there + 100 * 5)


def test_a_wider_door_is_not_the_limit_then_walking_is():
    """One person: no queue; clearing = premovement + walk + one service time."""
    site = _one_room(1, 2.3)
    out = run_once(site, {"R": 1}, 1, Streams(1), 0)
    assert out.clear["R"] * 60 == pytest.approx(60 + 25 + 1 / (1.3 * 2.0))


def test_shipped_site_predicts_and_is_deterministic():
    plan = load_plan("warehouse_fire_drill")
    site = load_site(plan)
    a = predict(site, n=20, seed=3)
    b = predict(site, n=20, seed=3)
    assert (a.values["headcount"] == b.values["headcount"]).all()
    s = a.stats("assembly")
    assert 0 < s["p5"] <= s["p50"] <= s["p95"]
    assert set(a.counts) == {"A 生产车间", "B 成品仓库", "C 化学品仓", "D 办公楼"}
    assert a.exits_used == {"A1": 68.0, "B": 19.0, "C1": 26.0, "D1": 29.0}


def test_exit_b_blocked_sends_the_warehouse_round_and_costs_time():
    base = load_site(load_plan("warehouse_fire_drill"))
    blocked = load_site(load_plan("warehouse_fire_drill", ["exit_b_blocked"]))
    assert blocked.exits["B"].blocked and not base.exits["B"].blocked
    a, b = predict(base, n=30), predict(blocked, n=30)
    assert "B" not in b.exits_used and b.exits_used["A2"] == 19.0
    diff = compare(a, b)
    # the same people, the same draws: the warehouse walks 85 m instead of 30 m
    assert diff["clear:B 成品仓库"]["ci95"][0] > 0.5
    assert diff["clear:D 办公楼"]["mean"] == 0.0  # nothing changes for the offices


def test_a_site_with_every_exit_of_an_area_blocked_is_refused(tmp_path):
    from drillsim.simulator.errors import InputError

    variant = tmp_path / "all_blocked.yaml"
    variant.write_text(
        "id: all_blocked\nscenario:\n  drill:\n    site_changes:\n"
        "      exits: {B: {blocked: true}, A2: {blocked: true}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        load_site(load_plan("warehouse_fire_drill", [str(variant)]))
    assert "B 成品仓库: every exit is blocked" in str(exc.value)


def test_predict_command_compares_a_site_variant(capsys):
    import json

    from drillsim.cli import main

    assert (
        main(
            ["predict", "warehouse_fire_drill", "--variant", "exit_b_blocked", "-n", "20", "--json"]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["base"]["exits_used"]["B"] == 19.0
    assert out["exit_b_blocked"]["difference"]["clear:B 成品仓库"]["mean"] > 0.5
    assert main(["predict", "warehouse_fire"]) == 2
    assert "no `drill.site` layout" in capsys.readouterr().err


def test_compare_answers_what_if_exit_b_is_blocked_in_both_languages(capsys):
    """`compare` on a drill scenario is the evacuation model's base-vs-variant comparison:
    the same numbers as `predict --variant`, on the same draws, the table in zh and en."""
    import json

    from drillsim.cli import main

    args = ["warehouse_fire_drill", "exit_b_blocked", "-n", "40", "--seed", "3"]
    assert main(["compare", *args, "--json"]) == 0
    cmp = json.loads(capsys.readouterr().out)
    assert main(["predict", args[0], "--variant", args[1], *args[2:], "--json"]) == 0
    pred = json.loads(capsys.readouterr().out)
    for key in ("base", "exit_b_blocked"):
        assert cmp[key]["metrics"] == pred[key]["metrics"]
    diff = cmp["exit_b_blocked"]["difference"]
    assert diff["clear:B 成品仓库"]["ci95"][0] > 0.5  # the warehouse walks round: later
    assert diff["clear:A 生产车间"]["mean"] == 0.0  # the same draws: untouched areas identical
    assert cmp["exit_b_blocked"]["exits_used"].get("B", 0) == 0
    mean = cmp["exit_b_blocked"]["metrics"]["headcount"]["mean"]
    d = diff["headcount"]
    assert main(["--lang", "en", "compare", *args]) == 0
    en = capsys.readouterr().out
    assert "headcount complete" in en and "B 成品仓库 cleared" in en
    assert "vs base [95% interval]" in en and "Exit B (warehouse south door)" in en
    line = next(x for x in en.splitlines()[::-1] if x.startswith("headcount complete"))
    assert f"{mean:.1f}" in line and f"{d['mean']:+.2f}" in line
    assert main(["--lang", "zh", "compare", *args]) == 0
    zh = capsys.readouterr().out
    assert "清点完成" in zh and "B 成品仓库 撤空" in zh and "与基准之差" in zh
    assert "仓库南门(B)堵塞" in zh
    assert main(["compare", *args, "--csv", "x.csv"]) == 2
    assert "--csv: not for a drill's evacuation comparison" in capsys.readouterr().err
