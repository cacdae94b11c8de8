"""`drillsim play` without a scenario: the lobby; with one: straight into the exercise."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from drillsim.tui.app import DrillApp, PlaySetup
from drillsim.tui.screens.exercise import ExerciseScreen
from drillsim.tui.screens.lobby import LobbyScreen
from tests.tui.tuikit import DS, WALL, run


async def _settle(pilot):
    for _ in range(50):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not pilot.app.workers._workers:
            return


def test_lobby_picks_scenario_roles_mode_speed_and_seed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def play():
        app = DrillApp(
            PlaySetup(lang="en", seed=3, catalog=["payment_outage", "service_desk_shift"]),
            tick_interval=None,
            cursor_blink=False,
            wall_clock=lambda: WALL,
            started=lambda: datetime(2026, 1, 2, 9, 0, 0),
        )
        async with app.run_test(size=(80, 24)) as pilot:
            await _settle(pilot)
            assert isinstance(app.screen, LobbyScreen)
            await pilot.press(
                "tab", "space", "down", "down", "down", "down", "space"
            )  # DS + ops dept
            await pilot.press("tab", "up")  # mode: training
            await pilot.press("tab", "down", "down", "down")  # speed: 10x
            await pilot.press("tab", "backspace", "4", "2")  # seed 42
            await pilot.press("ctrl+s")
            await _settle(pilot)
            assert isinstance(app.screen, ExerciseScreen)
            ex = app.exercise
            assert ex.humans == [DS, "ops_dept"] and ex.mode == "training" and ex.seed == 42
            assert app.screen.clock.speed == 10 and app.screen.clock.paused
            assert ex.log_path == Path("drillsim-payment_outage-42-20260102-090000.jsonl")
            assert (tmp_path / ex.log_path).exists()
            assert ex.session.events[0]["players"][DS] == "human"
            assert ex.session.events[0]["scenario_ref"] == "payment_outage"

    run(play())


def test_lobby_rejects_a_bad_seed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def play():
        app = DrillApp(
            PlaySetup(lang="zh", seed=3, catalog=["payment_outage"]),
            tick_interval=None,
            cursor_blink=False,
        )
        async with app.run_test(size=(80, 24)) as pilot:
            await _settle(pilot)
            app.screen.seed.value = "-1"
            await pilot.press("ctrl+s")
            assert isinstance(app.screen, LobbyScreen)
            assert "种子" in str(app.screen.error.render())

    run(play())


def test_scenario_given_loads_behind_the_first_frame(tmp_path):
    async def play():
        log = tmp_path / "x.jsonl"
        app = DrillApp(
            PlaySetup(
                lang="en",
                scenario="payment_outage",
                roles=[DS],
                mode="test",
                seed=5,
                log=log,
                speed=20,
            ),
            tick_interval=None,
            cursor_blink=False,
        )
        async with app.run_test(size=(80, 24)) as pilot:
            await _settle(pilot)
            assert isinstance(app.screen, ExerciseScreen)
            assert app.exercise.mode == "test" and app.exercise.log_path == log
            assert app.screen.clock.speed == 20

    run(play())


def test_unknown_role_ends_the_app_with_the_problem(tmp_path):
    async def play():
        app = DrillApp(
            PlaySetup(
                lang="en", scenario="payment_outage", roles=["nobody"], log=tmp_path / "x.jsonl"
            ),
            tick_interval=None,
        )
        async with app.run_test(size=(80, 24)):
            for _ in range(200):  # the loading worker ends the app
                if app.return_code is not None:
                    break
                await asyncio.sleep(0.05)
        assert app.return_code == 2
        assert "unknown role(s) nobody" in app.problems[0]

    run(play())
