"""The facilitator's controls change what happens: pause, speed, step to the next inject,
trigger-now and skip of pending injects, ending the exercise."""

from __future__ import annotations

from drillsim.scoring.verdicts import read_log, score_log
from drillsim.simulator.replay import replay
from drillsim.tui.clock import SPEEDS, TICK_S
from drillsim.tui.screens.score import ScoreScreen
from tests.tui.tuikit import DS, make_app, run


def _due_at(ex, obligation):
    return [
        e["t"] for e in ex.session.events if e["type"] == "due" and e["obligation"] == obligation
    ]


def test_pause_and_speed_change_how_far_the_clock_moves(log_path):
    async def play():
        app = make_app(log_path, seed=1)
        ex = app.exercise
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.exercise_screen
            assert screen.clock.paused  # an exercise starts paused
            app.tick(10)
            assert ex.now == 0
            await pilot.press("space")  # run, at 1x: 10 beats = 1 real second = 1/60 min
            assert not screen.clock.paused
            app.tick(10)
            assert abs(ex.now - 10 * TICK_S / 60) < 1e-6
            await pilot.press("plus", "plus", "plus", "plus", "plus", "plus", "plus")
            assert screen.clock.speed == SPEEDS[-1] == 60
            before = ex.now
            app.tick(10)  # at 60x: 10 beats = one simulated minute
            assert abs(ex.now - before - 1.0) < 1e-6
            await pilot.press("minus")
            assert screen.clock.speed == 30
            await pilot.press("space")  # pause: the beats do nothing
            before = ex.now
            app.tick(50)
            assert ex.now == before
            await pilot.press("full_stop")  # but a step still moves one minute
            assert abs(ex.now - before - 1.0) < 1e-6
            await pilot.press("n")  # and n goes to the next pending timed inject
            assert ex.now == 25 and ex.inject_state["complaints"][0] == "delivered"
            text = str(screen.query_one("#clock").render())
            assert "09:55:00" in text and "30x" in text and "paused" in text

    run(play())


def test_trigger_now_brings_level_one_forward_and_skip_drops_an_inject(log_path, tmp_path):
    async def play():
        app = make_app(log_path, seed=1)
        ex = app.exercise
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("0")  # the facilitator's view
            assert app.exercise_screen.active == "facilitator"
            app.advance_to(5)
            await pilot.pause()
            order = list(ex.sc.injects)
            await pilot.press(
                *["down"] * order.index("customer_surge"), "i"
            )  # trigger now at 09:35
            state, t, by = ex.inject_state["customer_surge"]
            assert (state, t, by) == ("delivered", 5.0, "facilitator")
            # 5,200 customers: level 1 at minute 5, not 70; the level-1 reports fall due now
            assert _due_at(ex, "report_l1_ops") == [5.0]
            assert any(i.inject == "customer_surge" for i in ex.roles[DS].inbox)
            await pilot.press("up", "x")  # skip forty_minutes
            assert ex.inject_state["forty_minutes"][0] == "skipped"
            await pilot.press("x")  # skipping it again: a warning, nothing else
            app.advance_to(45)
            await pilot.pause()
            assert not any(
                e["type"] == "inject" and e["inject"] == "forty_minutes" for e in ex.session.events
            )
            msel = app.exercise_screen.facilitator
            assert "*" in str(
                msel.msel.get_option("customer_surge").prompt
            )  # marked as the facilitator's
            await pilot.press("e", "n")  # end? no
            assert not ex.finished
            await pilot.press("e", "y")  # end: yes
            await pilot.pause()
            assert ex.finished and ex.end_reason == "facilitator"
            assert isinstance(app.screen, ScoreScreen) and app.screen.same
            assert score_log(log_path)["end_min"] == 45
        again = tmp_path / "again.jsonl"
        replay(read_log(log_path), log_path=again)  # facilitator interventions replay too
        assert again.read_bytes() == log_path.read_bytes()

    run(play())


def test_without_trigger_level_one_comes_with_the_timed_inject(log_path):
    async def play():
        app = make_app(log_path, seed=1)
        ex = app.exercise
        async with app.run_test(size=(80, 24)):
            app.advance_to(80)
            assert _due_at(ex, "report_l1_ops") == [70.0]
            assert ex.inject_state["customer_surge"] == ("delivered", 70.0, None)

    run(play())


def test_role_keys_only_on_role_views_and_facilitator_keys_only_on_theirs(log_path):
    async def play():
        app = make_app(log_path, seed=1, roles=(DS, "ops_dept"))
        ex = app.exercise
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.exercise_screen
            assert screen.views == [DS, "ops_dept", "facilitator"]
            await pilot.press("i")  # no trigger from a role view
            assert all(s == ("delivered", 0.0, None) for s in ex.inject_state.values())
            await pilot.press("2")
            assert screen.active == "ops_dept"
            await pilot.press("g")  # ops_dept has no grading duty: no form
            assert app.screen is screen
            await pilot.press("v", "v")
            assert screen.active == DS
            await pilot.press("0", "r")  # no report form on the facilitator's view
            assert app.screen is screen

    run(play())
