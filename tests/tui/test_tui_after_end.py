"""The facilitator's console, finished: the hotwash comes after the end, so ratings and notes
can still be written on the score screen; each inject's full text and expected action show
under the MSEL."""

from __future__ import annotations

from drillsim.scoring.ratings import load_ratings
from drillsim.tui.screens.forms import HotwashForm
from drillsim.tui.screens.score import ScoreScreen
from tests.tui.tuikit import make_app, minutes, plan, run

NOTE = "the supervisor asked for help early"


def test_hotwash_notes_after_the_end_and_the_inject_in_full(log_path):
    ratings_path = log_path.with_name("exercise.ratings.yaml")

    async def play():
        app = make_app(log_path, seed=1)
        async with app.run_test(size=(120, 36)) as pilot:
            await minutes(pilot, 2)
            await pilot.press("0")  # the facilitator's view
            await pilot.pause()
            fac = app.exercise_screen.facilitator
            jid = fac.selected_inject()
            detail = str(fac.inject_detail.render())
            inj = app.exercise.sc.injects[jid]
            assert " ".join(inj.text_en.split())[-30:] in " ".join(detail.split())  # not cut
            assert "Expected action: " + " ".join(inj.expect.split())[:20] in detail
            await pilot.press("e", "y")
            await pilot.pause()
            assert isinstance(app.screen, ScoreScreen)
            await pilot.press("w")
            assert isinstance(app.screen, HotwashForm)
            await pilot.press("tab", *["space" if c == " " else c for c in NOTE], "enter")
            assert isinstance(app.screen, ScoreScreen)
            assert str(ratings_path) in str(app.screen.query_one("#score-head").render())

    run(play())
    assert load_ratings(ratings_path, plan()).hotwash.strengths == [NOTE]
