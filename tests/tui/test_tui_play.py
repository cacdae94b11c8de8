"""Whole exercises played by keystrokes: a trainee duty supervisor in the payment outage scenario.

The trainee verifies, fills the record, grades and reports (OA is down all exercise, so written
reports go by e-mail, OA's alternative). On time: every duty of the duty supervisor is a hit.
Late: the reports come after their deadlines and are `late`. Either way the score screen shows
`drillsim score` of the saved log, the log replays byte for byte, and the CLI gives the same JSON.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

from drillsim.cli import main as cli_main
from drillsim.scoring.verdicts import read_log, score_log
from drillsim.simulator.replay import replay
from drillsim.tui.screens.score import ScoreScreen
from tests.tui.tuikit import DS, grade, make_app, minutes, report, run, task

DS_DUTIES = {
    "verify",
    "initial_record",
    "mark_urgency",
    "report_l3",
    "regrade",
    "report_l2",
    "report_l2_vp",
    "report_l1_committee",
    "report_l1_ops",
}


async def _first_minutes(pilot, ex):
    await minutes(pilot, 2)
    await task(pilot, ex, DS, "verify")  # 09:32
    await minutes(pilot, 1)
    await task(pilot, ex, DS, "initial_record")  # 09:33
    await grade(pilot, ex, 3)  # 09:33, level 3 (the rules' level now)


async def _level_one(pilot, ex):
    await pilot.press("n")  # forty_minutes (10:10)
    await pilot.press("n")  # customer_surge (11:10): level 1
    assert ex.now == 70
    await minutes(pilot, 2)
    await grade(pilot, ex, 1)


def _ds_entries(result):
    return {(o["id"], o["occurrence"]): o for o in result["obligations"] if o["role"] == DS}


def _cli_score(path) -> dict:
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli_main(["score", str(path), "--json"]) == 0
    return json.loads(out.getvalue())


def _check_end(app, ex, path, tmp_path):
    assert isinstance(app.screen, ScoreScreen)
    live = ex.result()
    saved = score_log(path)
    assert saved == live == app.screen.result
    assert app.screen.same
    assert _cli_score(path) == json.loads(json.dumps(saved))
    # the played exercise replays byte for byte from its log (seed + stamped actions)
    again = tmp_path / "replayed.jsonl"
    replay(read_log(path), log_path=again)
    assert again.read_bytes() == path.read_bytes()
    return live


async def _trainee_on_time_gets_hits(log_path, tmp_path):
    app = make_app(log_path, mode="training", seed=1)
    ex = app.exercise
    async with app.run_test(size=(80, 24)) as pilot:
        await _first_minutes(pilot, ex)
        await minutes(pilot, 1)
        await report(pilot, ex, DS, ["direct_supervisor"], "email")  # 09:34, level 3 path
        await pilot.press("n")  # complaints (09:55)
        await minutes(pilot, 10)  # 10:05: level 2 since 10:00
        await grade(pilot, ex, 2)
        await minutes(pilot, 1)
        await report(pilot, ex, DS, ["vp", "dept_head"], "phone")  # 10:06, level 2 path
        await _level_one(pilot, ex)  # 10:42
        await minutes(pilot, 1)
        await report(pilot, ex, DS, ["emergency_committee", "ops_dept"], "phone")
        await minutes(pilot, 1)
        await report(pilot, ex, DS, ["emergency_committee", "ops_dept"], "email")  # 10:44
        failed = [e for e in ex.session.events if e["type"] == "message.failed" and e["from"] == DS]
        assert [(e["via"], e["reason"]) for e in failed] == []
        app.advance_to(ex.duration)
        await pilot.pause()
        live = _check_end(app, ex, log_path, tmp_path)
    mine = _ds_entries(live)
    assert {k[0] for k in mine} == DS_DUTIES
    assert {k: o["status"] for k, o in mine.items() if o["status"] != "hit"} == {}
    assert mine[("report_l1_ops", 1)]["done_at"] == 74.0
    humans = [e for e in read_log(log_path) if e["type"] == "action"]
    assert len(humans) == 9 and all(e["role"] == DS and e["wall"] for e in humans)


async def _trainee_reporting_late_gets_late_verdicts(log_path, tmp_path):
    app = make_app(log_path, mode="training", seed=1)
    ex = app.exercise
    async with app.run_test(size=(80, 24)) as pilot:
        await _first_minutes(pilot, ex)
        await pilot.press("n")  # complaints (09:55)
        await minutes(pilot, 10)
        await grade(pilot, ex, 2)  # 10:05
        app.advance_to(62)
        await report(pilot, ex, DS, ["direct_supervisor"], "email")  # 10:32: 2 min late
        app.advance_to(65)
        await report(pilot, ex, DS, ["vp", "dept_head"], "phone")  # 10:35: 5 min late
        await pilot.press("n")  # 10:40 customer_surge
        assert ex.now == 70
        await minutes(pilot, 2)
        await grade(pilot, ex, 1)  # 10:42 on time
        app.advance_to(91)
        await report(pilot, ex, DS, ["emergency_committee", "ops_dept"], "phone")
        await minutes(pilot, 1)
        await report(
            pilot, ex, DS, ["emergency_committee", "ops_dept"], "email"
        )  # 11:02: 7 min late
        app.advance_to(ex.duration)
        await pilot.pause()
        live = _check_end(app, ex, log_path, tmp_path)
    mine = _ds_entries(live)
    late = {k[0]: o["late_by_min"] for k, o in mine.items() if o["status"] == "late"}
    assert late == {
        "report_l3": 2.0,
        "report_l2": 5.0,
        "report_l2_vp": 5.0,
        "report_l1_committee": 7.0,
        "report_l1_ops": 7.0,
    }
    assert {k[0] for k, o in mine.items() if o["status"] == "hit"} == {
        "verify",
        "initial_record",
        "mark_urgency",
        "regrade",
    }


async def _failed_message_reaches_the_inbox_and_the_form_validates(log_path):
    app = make_app(log_path, mode="exercise", seed=1, lang="zh")
    ex = app.exercise
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "enter")  # no recipient ticked
        assert "请至少勾选一个收件人" in str(app.screen.error.render())
        await pilot.press("escape")
        await report(pilot, ex, DS, ["direct_supervisor"], "oa")  # OA is down
        await minutes(pilot, 3)
        inbox = ex.roles[DS].inbox
        assert (
            inbox[-1].kind == "failed"
            and inbox[-1].channel == "oa"
            and inbox[-1].reason == "outage"
        )
        view = app.exercise_screen.role_views[DS]
        assert (
            "发送失败" in view.render_inbox().plain
            and "已知通道故障" in view.render_situation().plain
        )


async def _modes_show_deadlines_hints_or_nothing(log_path):
    for mode, has_deadline, has_hint in (
        ("training", True, True),
        ("exercise", True, False),
        ("test", False, False),
    ):
        app = make_app(log_path.with_name(f"{mode}.jsonl"), mode=mode, seed=1)
        async with app.run_test(size=(80, 24)) as pilot:
            await minutes(pilot, 8)  # 2 min left of the 10-min duties
            view = app.exercise_screen.role_views[DS]
            group, hints = view.render_duties()
            from rich.console import Console

            console = Console(width=78, record=True)
            console.print(group)
            text = console.export_text()
            assert ("09:40" in text) == has_deadline, mode
            assert ("2 min" in text) == has_deadline, mode
            assert ("Hint:" in text) == has_hint, mode
            assert ("000 §二(一)2(1)" in text) == (mode == "training"), mode
            assert bool(hints) == (mode == "training")


def test_trainee_on_time_gets_hits(log_path, tmp_path):
    run(_trainee_on_time_gets_hits(log_path, tmp_path))


def test_trainee_reporting_late_gets_late_verdicts(log_path, tmp_path):
    run(_trainee_reporting_late_gets_late_verdicts(log_path, tmp_path))


def test_failed_message_reaches_the_inbox_and_the_form_validates(log_path):
    run(_failed_message_reaches_the_inbox_and_the_form_validates(log_path))


def test_modes_show_deadlines_hints_or_nothing(log_path):
    run(_modes_show_deadlines_hints_or_nothing(log_path))
