"""Snapshots (pytest-textual-snapshot) of the lobby, a role view, the facilitator's view and the
score screen, in Chinese and English. Fixed seed, no clock timer, cursor blink off, toasts
cleared, the log written to a relative path in a temporary directory: nothing on screen depends
on the wall clock. Regenerate with `pytest tests/tui --snapshot-update` and look at the SVGs."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillsim.tui.app import DrillApp, PlaySetup
from tests.tui.tuikit import DS, WALL, grade, make_app, minutes, report, task

LANGS = ["zh", "en"]


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Path("exercise.jsonl")


async def _settle(pilot):
    app = pilot.app
    for _ in range(20):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not app.workers._workers:
            break
    app.clear_notifications()
    for _ in range(3):
        await pilot.pause()
    await pilot.wait_for_scheduled_animations()


@pytest.mark.parametrize("lang", LANGS)
def test_lobby(snap_compare, lang, here):
    app = DrillApp(
        PlaySetup(lang=lang, seed=7, catalog=["payment_outage", "service_desk_shift"], log=here),
        tick_interval=None,
        cursor_blink=False,
        wall_clock=lambda: WALL,
    )

    async def run_before(pilot):
        await _settle(pilot)
        await pilot.press(
            "tab", "space", "down", "down", "down", "down", "space"
        )  # duty supervisor, ops dept
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def _early_play(pilot):
    app = pilot.app
    ex = app.exercise
    await minutes(pilot, 2)
    await task(pilot, ex, DS, "verify")
    await minutes(pilot, 1)
    await report(pilot, ex, DS, ["direct_supervisor"], "oa")  # OA is down: fails
    await pilot.press("n")  # complaints, 09:55
    await minutes(pilot, 3)


@pytest.mark.parametrize("lang", LANGS)
def test_role_view(snap_compare, lang, here):
    app = make_app(here, lang=lang, mode="training", seed=1)

    async def run_before(pilot):
        await _early_play(pilot)
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_facilitator_view(snap_compare, lang, here):
    app = make_app(here, lang=lang, mode="exercise", seed=1)

    async def run_before(pilot):
        await _early_play(pilot)
        await grade(pilot, app.exercise, 2)
        await pilot.press("0", "down", "down")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_score_screen(snap_compare, lang, here):
    app = make_app(here, lang=lang, mode="training", seed=1)

    async def run_before(pilot):
        ex = app.exercise
        await task(pilot, ex, DS, "verify")
        await task(pilot, ex, DS, "initial_record")
        await grade(pilot, ex, 3)
        app.advance_to(ex.duration)
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_training_feedback_after_a_misgrade(snap_compare, lang, here):
    """A trainee's console in training after declaring level 2 where the rules say level 1: the
    grading feedback (criterion, fact, clause) in the situation panel; no facilitator view."""
    app = make_app(here, lang=lang, mode="training", seed=1, trainee=True)

    async def run_before(pilot):
        ex = app.exercise
        await task(pilot, ex, DS, "verify")
        app.advance_to(72)
        await _settle(pilot)
        await grade(pilot, ex, 2)
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(110, 30), run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_grade_form_with_criteria(snap_compare, lang, here):
    app = make_app(here, lang=lang, mode="training", seed=1, trainee=True)

    async def run_before(pilot):
        await pilot.press("g")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_duty_detail(snap_compare, lang, here):
    app = make_app(here, lang=lang, mode="exercise", seed=1, trainee=True)

    async def run_before(pilot):
        await grade(pilot, app.exercise, 3)
        await pilot.press("o")
        await _settle(pilot)
        await pilot.press("down", "down")  # the level-3 report
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_test_mode_trainee(snap_compare, lang, here):
    """Test mode, as a trainee: titles without deadlines, no countdown, no facilitator view."""
    app = make_app(here, lang=lang, mode="test", seed=1, trainee=True)

    async def run_before(pilot):
        await grade(pilot, app.exercise, 3)
        app.advance_to(30)
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_debrief(snap_compare, lang, here):
    """The end of a training session: the debrief duty by duty and the grades explained."""
    app = make_app(here, lang=lang, mode="training", seed=1, trainee=True)

    async def run_before(pilot):
        ex = app.exercise
        await task(pilot, ex, DS, "verify")
        await grade(pilot, ex, 3)
        await report(pilot, ex, DS, ["direct_supervisor"], "oa")  # OA is down: fails
        app.advance_to(72)
        await _settle(pilot)
        await grade(pilot, ex, 2)
        app.advance_to(ex.duration)
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(110, 40), run_before=run_before)
