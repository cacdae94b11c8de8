"""Invariants the design rests on: determinism, score == run, the import contract, the schema,
the JSON contracts of `run` and `describe`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from drillsim.cli import main
from drillsim.scoring.verdicts import read_log, score, score_log
from drillsim.simulator.expressions import ExpressionError, compile_condition
from drillsim.simulator.formats.schema import SCHEMA_DIR, render, schemas
from drillsim.simulator.loader import load_plan
from drillsim.simulator.replay import replay, same_log
from drillsim.simulator.runner import run_plan

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = [
    "payment_outage",
    "service_desk_shift",
    "vendor_data_leak",
    "warehouse_fire",
    "typhoon_warning",
    "power_outage_8h",
    "delivery_crunch",
]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_seed_same_log_byte_for_byte(tmp_path, scenario):
    plan = load_plan(scenario)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run_plan(plan, seed=42, log_path=a)
    run_plan(load_plan(scenario), seed=42, log_path=b)
    assert a.read_bytes() == b.read_bytes()
    run_plan(plan, seed=43, log_path=b, force=True)
    assert a.read_bytes() != b.read_bytes()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_score_of_saved_log_equals_run(tmp_path, scenario):
    plan = load_plan(scenario)
    log = tmp_path / "run.jsonl"
    live = score(plan, run_plan(plan, seed=7, log_path=log).events)
    assert score_log(log) == live


def test_replay_of_a_log_is_identical():
    plan = load_plan("payment_outage")
    from drillsim.simulator.model import ScriptAction

    actions = [
        ScriptAction(at=4, role="duty_supervisor", do="grade", level=3),
        ScriptAction(at=75, role="duty_supervisor", do="report", to=["ops_dept"], via="phone"),
    ]
    original = run_plan(plan, seed=9, actions=actions).events
    assert same_log(original, replay(original).events)


def test_run_and_score_commands_agree(tmp_path, capsys):
    log = tmp_path / "r.jsonl"
    assert main(["run", "payment_outage", "--seed", "5", "--log", str(log), "--json"]) == 0
    ran = json.loads(capsys.readouterr().out)
    assert main(["score", str(log), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == ran


def test_run_json_contract(capsys):
    assert main(["run", "payment_outage", "--seed", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"scenario", "seed", "obligations", "continuity", "summary"} <= set(out)
    assert out["scenario"] == "payment_outage" and out["seed"] == 3
    for o in out["obligations"]:
        assert {
            "id",
            "clause",
            "role",
            "acted_by",
            "triggered_at",
            "deadline_at",
            "done_at",
            "status",
        } <= set(o)
        assert o["status"] in ("hit", "late", "missed", "open", "not_triggered", "void")
    for c in out["continuity"]:
        assert {"service", "down_at", "restored_at", "downtime_min", "rto_min", "rto_met"} <= set(c)
    s = out["summary"]
    assert {"hit", "late", "missed", "not_triggered", "void", "sla_hit_rate"} <= set(s)
    assert s["sla_hit_rate"] == round(s["hit"] / (s["hit"] + s["late"] + s["missed"]), 4)


def test_run_table_in_both_languages(capsys):
    assert main(["--lang", "zh", "run", "payment_outage"]) == 0
    zh = capsys.readouterr().out
    assert "条款" in zh and "值班主管" in zh and "000 §二(一)2(1)" in zh
    assert main(["--lang", "en", "run", "payment_outage"]) == 0
    en = capsys.readouterr().out
    assert "clause" in en and "Duty supervisor" in en


def test_describe_json_contract(capsys):
    assert main(["describe", "payment_outage", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    obs = {o["id"]: o for o in d["obligations"]}
    assert (
        obs["report_l1_ops"]["clause"] == "000 §二(二)1"
        and obs["report_l1_ops"]["deadline_min"] == 15
    )
    assert obs["coordination_updates"]["every_min"] == 30
    assert {r["id"] for r in d["roles"]} >= {"duty_supervisor", "ops_dept", "emergency_committee"}
    assert {c["id"] for c in d["channels"]} >= {"phone", "oa", "email"}
    assert d["services"][0]["rto_min"] == 120


def test_list_shows_the_shipped_scenarios(capsys):
    assert main(["list", "--json"]) == 0
    ids = {s["id"] for s in json.loads(capsys.readouterr().out)}
    assert set(SCENARIOS) <= ids


def test_committed_schema_matches_the_models(capsys):
    for kind in schemas():
        committed = (SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8")
        assert committed == render(kind), f"schema/{kind}.schema.json is stale: run `make schema`"
    assert main(["schema", "procedure"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Procedure"


def test_headless_packages_import_no_ui():
    code = (
        "import sys, pkgutil, importlib\n"
        "import drillsim.simulator as simulator, drillsim.scoring as scoring\n"
        "for pkg in (simulator, scoring):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')\n"
        "       or m.startswith('drillsim.tui')]\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('x')",
        "open('f')",
        "x.__class__",
        "lambda: 1",
        "[x for x in y]",
        "a[0]",
        "f'{x}'",
    ],
)
def test_conditions_refuse_anything_but_the_whitelist(source):
    with pytest.raises(ExpressionError):
        compile_condition(source)


def test_condition_semantics():
    class Ctx:
        def var(self, name):
            return {"a": 5, "b": "x", "level": 2}[name]

        def call(self, func, arg):
            return (func, arg) == ("done", "y")

    ctx = Ctx()
    assert compile_condition("1 <= a <= 5 and b == 'x'")(ctx)
    assert not compile_condition("1 <= a < 5")(ctx)
    assert compile_condition("level in (1, 2) and done('y') and not done('z')")(ctx)
    assert compile_condition("a * 2 - 1 == 9 or false")(ctx)


def test_crash_loses_nothing_recorded(tmp_path):
    """The log is flushed event by event; a torn last line (crash mid-write) is dropped on reading."""
    plan = load_plan("payment_outage")
    log = tmp_path / "run.jsonl"
    run_plan(plan, seed=2, log_path=log)
    lines = log.read_text(encoding="utf-8").splitlines()
    torn = tmp_path / "torn.jsonl"
    torn.write_text("\n".join(lines[:40]) + "\n" + lines[40][:15], encoding="utf-8")
    events = read_log(torn)
    assert len(events) == 40 and events[-1]["seq"] == 39
    result = score(plan, events)
    assert result["complete"] is False


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_log_lines_are_in_event_order(tmp_path, scenario):
    log = tmp_path / "run.jsonl"
    for seed in (1, 2, 3):
        run_plan(load_plan(scenario), seed=seed, log_path=log, force=True)
        assert [e["seq"] for e in read_log(log)] == list(range(len(read_log(log))))
