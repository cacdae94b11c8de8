"""A trainee at the console: what is NOT on screen (the true level, deadlines in test mode, duties
from facts the player was not told, the facilitator's view) as well as what is (the duties that
follow from what was delivered and declared; in training, the grade's explanation)."""

from __future__ import annotations

import re

from drillsim.tui.widgets.roleview import RoleView
from tests.tui.tuikit import DS, duties_text, grade, make_app, run, screen_text, task

DEADLINE = re.compile(r"\d+\s*(?:min\b|h\b|分钟|小时)")


def test_test_mode_trainee_sees_neither_deadlines_nor_the_answer(log_path):
    async def play():
        app = make_app(log_path, mode="test", trainee=True, lang="en")
        ex = app.exercise
        async with app.run_test(size=(110, 30)) as pilot:
            screen = app.exercise_screen
            assert screen.views == [DS]  # no facilitator view
            await pilot.press("0")
            assert isinstance(screen.current_view, RoleView)
            await pilot.press(
                "i", "x", "e", "n", "full_stop", "space"
            )  # facilitator and clock keys
            assert ex.now == 0 and not ex.finished and "complaints" not in ex.inject_state
            text = screen_text(app)
            assert "Facilitator" not in text
            assert "Verify the event" in text and "Mark the urgency" in text
            assert not DEADLINE.search(duties_text(app))
            app.advance_to(71)  # 5,200 customers delivered: level 1 on the facts
            await pilot.pause()
            assert ex.true_level["main"] == 1
            assert {"report_l1_ops", "report_l3"} <= {o.obligation for o in ex.agenda.open}
            text = screen_text(app)
            assert (
                "level 1" not in text.lower().replace("level 3 to level 1", "")
                and "level 3" not in duties_text(app).lower()
            )  # not graded: no level duty
            assert "report" not in duties_text(app).lower()
            await grade(pilot, ex, 2)  # a misgrade: no praise, no correction in test mode
            await pilot.pause()
            text = screen_text(app)
            assert "too mild" not in text and "5000" not in text
            duties = duties_text(app)
            assert "Level 2: report to the VP in charge" in duties
            assert "Level 1" not in duties and not DEADLINE.search(duties)

    run(play())


def test_duties_from_undelivered_facts_stay_off_the_list(log_path):
    """At minute 30 the outage reaches level 2 on the facts (a timeline change nobody is told);
    the player who graded level 3 sees no regrade duty until facts that call for it arrive."""

    async def play():
        app = make_app(log_path, mode="exercise", trainee=True)
        ex = app.exercise
        async with app.run_test(size=(110, 30)) as pilot:
            await grade(pilot, ex, 3)
            app.advance_to(45)
            await pilot.pause()
            assert "regrade" in {o.obligation for o in ex.agenda.open}  # due on the facts
            duties = duties_text(app)
            assert "Regrade" not in duties
            assert (
                "Level 3: initial record form to the direct supervisor via OA within 1 h" in duties
            )
            app.advance_to(71)  # the customer surge is delivered to the duty supervisor
            await pilot.pause()
            duties = duties_text(app)
            assert "Regrade within 10 min when the event escalates" in duties

    run(play())


def test_training_misgrade_is_explained_with_the_criterion_and_clause(log_path):
    async def play():
        app = make_app(log_path, mode="training", lang="en")
        ex = app.exercise
        async with app.run_test(size=(110, 30)) as pilot:
            await task(pilot, ex, DS, "verify")
            app.advance_to(72)
            await pilot.pause()
            await grade(pilot, ex, 2)
            await pilot.pause()
            _, _, check = ex.feedback[DS]
            assert (check.declared, check.level, check.direction) == (2, 1, "too_mild")
            assert [c.criterion for c in check.deciding] == ["影响客户超过5000户"]
            assert check.deciding[0].clause == "000 §一(一)1"
            text = screen_text(app)
            assert "You declared level 2; the rules give level 1 (too mild)" in text
            # English feedback quotes the rule's English (criterion_en), the clause as numbered
            assert (
                "000 §一(一)1: More than 5,000 customers affected — customers affected 5200 > 5000"
                in text
            )
            assert "影响客户超过5000户" not in text
            await grade(pilot, ex, 1)
            await pilot.pause()
            assert "✓ Right: level 1" in screen_text(app)

    run(play())


def test_training_feedback_in_chinese(log_path):
    async def play():
        app = make_app(log_path, mode="training", lang="zh")
        ex = app.exercise
        async with app.run_test(size=(110, 30)) as pilot:
            app.advance_to(72)
            await pilot.pause()
            await grade(pilot, ex, 2)
            await pilot.pause()
            text = screen_text(app)
            assert "定为二级(较大),按规则应为一级(重大)(定轻了)" in text
            assert "000 §一(一)1:影响客户超过5000户 — 影响客户数 5200 > 5000 → 一级(重大)" in text

    run(play())


def test_two_sessions_at_the_console_make_one_trainee_record(tmp_path, monkeypatch):
    from drillsim.scoring import trainee
    from drillsim.tui.screens.score import ScoreScreen

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    async def session(log, verify: bool):
        app = make_app(log, mode="training", trainee=True, trainee_name="li_ming")
        ex = app.exercise
        async with app.run_test(size=(110, 30)) as pilot:
            if verify:
                await task(pilot, ex, DS, "verify")
            await grade(pilot, ex, 3)
            app.advance_to(ex.duration)
            await pilot.pause()
            assert isinstance(app.screen, ScoreScreen)
            assert "Saved to the trainee record: li_ming" in screen_text(app)
            assert app.record_path == tmp_path / "data" / "drillsim" / "trainees" / "li_ming.json"

    run(session(tmp_path / "one.jsonl", verify=False))
    run(session(tmp_path / "two.jsonl", verify=True))
    record = trainee.load("li_ming")
    assert [s["log"] for s in record["sessions"]] == [
        str(tmp_path / "one.jsonl"),
        str(tmp_path / "two.jsonl"),
    ]
    assert [s["mode"] for s in record["sessions"]] == ["training", "training"]
    verdicts = [
        next(d["status"] for d in s["duties"] if d["id"] == "verify") for s in record["sessions"]
    ]
    assert verdicts == ["missed", "hit"]
    assert [[g["correct"] for g in s["grades"]] for s in record["sessions"]] == [[True], [True]]
