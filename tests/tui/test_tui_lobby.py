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
            await pilot.press("tab", "tab", "tab", "up")  # past variants and log; mode: training
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


def _lobby_app(**setup) -> DrillApp:
    return DrillApp(
        PlaySetup(lang="en", seed=3, **setup),
        tick_interval=None,
        cursor_blink=False,
        wall_clock=lambda: WALL,
        started=lambda: datetime(2026, 1, 2, 9, 0, 0),
    )


def _labels(selection) -> list[str]:
    return [str(selection.get_option_at_index(i).prompt) for i in range(selection.option_count)]


def test_lobby_offers_only_the_variants_written_for_the_scenario(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def play():
        app = _lobby_app(
            catalog=["payment_outage", "service_desk_shift"], variants=["tested_dr_switch"]
        )
        async with app.run_test(size=(100, 30)) as pilot:
            await _settle(pilot)
            lobby = app.screen
            assert isinstance(lobby, LobbyScreen)
            offered = _labels(lobby.variant_list)
            assert [x.split()[0] for x in offered] == [
                "grading_training",
                "sms_fallback",
                "tested_dr_switch",
                "trained_deputy",
            ]  # exit_b_blocked is the warehouse drill's: not offered here
            assert lobby.variant_list.selected == ["tested_dr_switch"]  # --variant, ticked
            assert "Plan variants: tested_dr_switch" in str(lobby.info.render())
            # another scenario: --variant does not fit it, so it is not offered and said so
            await pilot.press("down")
            await _settle(pilot)
            assert lobby.scenario_id == "service_desk_shift"
            assert lobby.variant_list.option_count == 0 and lobby.variant_list.disabled
            assert "--variant tested_dr_switch is not written for this scenario" in str(
                lobby.info.render()
            )
            await pilot.press("ctrl+s")  # starts without it: no error about the variant
            await _settle(pilot)
            assert isinstance(app.screen, ExerciseScreen)
            assert app.exercise.plan.variants == []
            assert app.exercise.session.events[0]["variants"] == []

    run(play())


def test_lobby_applies_the_ticked_variants_and_writes_the_chosen_log(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    taken = tmp_path / "taken.jsonl"
    taken.write_text("an earlier exercise\n")

    async def play():
        app = _lobby_app(catalog=["payment_outage"])
        async with app.run_test(size=(100, 30)) as pilot:
            await _settle(pilot)
            lobby = app.screen
            assert lobby.variant_list.selected == []
            await pilot.press("tab", "tab")  # the roles, then the variants
            assert app.focused is lobby.variant_list
            await pilot.press("space", "down", "space")  # grading_training, sms_fallback
            await pilot.press("tab")
            assert app.focused is lobby.log_input
            await pilot.press(*"taken.jsonl")
            await pilot.press("ctrl+s")
            await _settle(pilot)
            assert isinstance(app.screen, LobbyScreen)  # the log exists: refused, in the lobby
            assert "exists already" in str(lobby.error.render())
            assert taken.read_text() == "an earlier exercise\n"
            lobby.log_input.value = "mine.jsonl"
            await pilot.press("ctrl+s")
            await _settle(pilot)
            assert isinstance(app.screen, ExerciseScreen)
            ex = app.exercise
            assert ex.log_path == Path("mine.jsonl") and (tmp_path / "mine.jsonl").exists()
            assert ex.plan.variants == ["grading_training", "sms_fallback"]
            assert ex.session.events[0]["variants"] == ["grading_training", "sms_fallback"]

    run(play())
