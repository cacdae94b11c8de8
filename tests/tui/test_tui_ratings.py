"""Evaluators in the facilitator's view: `a` rates a critical task (P/S/M/U/N/O + an observation),
`w` adds a hotwash note; both are written at once to the ratings file next to the log, which
`drillsim report LOG --ratings FILE` reads. The ratings never change the verdicts."""

from __future__ import annotations

import json

from drillsim.cli import main
from drillsim.scoring.ratings import load_ratings
from drillsim.tui.screens.forms import HotwashForm, RateForm
from drillsim.tui.screens.score import ScoreScreen
from tests.tui.tuikit import make_app, minutes, plan, run

OBSERVATION = "phone report on time, written one 5 min late"
STRENGTH = "clear hand-over to e-mail"


def _typed(text: str) -> list[str]:
    return ["space" if ch == " " else ch for ch in text]


def test_rate_a_task_and_note_the_hotwash_then_report_reads_the_file(log_path, tmp_path):
    ratings_path = log_path.with_name("exercise.ratings.yaml")

    async def play():
        app = make_app(log_path, seed=1)
        ex = app.exercise
        async with app.run_test(size=(100, 30)) as pilot:
            await minutes(pilot, 3)
            await pilot.press("a")  # only in the facilitator's view
            assert not isinstance(app.screen, RateForm)
            await pilot.press("0", "a")
            assert isinstance(app.screen, RateForm)
            at = ex.evaluation.targets().index(("report", "report_l1_ops"))
            await pilot.press(*["down"] * at, "tab", "down", "tab", *_typed(OBSERVATION), "enter")
            assert not isinstance(app.screen, RateForm)
            assert ratings_path.exists()  # written as soon as it is saved

            await pilot.press("w", "tab", "enter")  # an empty note: an error, the form stays
            assert isinstance(app.screen, HotwashForm)
            assert "-shown" in app.screen.error.classes
            await pilot.press(*_typed(STRENGTH), "enter")  # strengths is the first kind
            assert not isinstance(app.screen, HotwashForm)

            await pilot.press("e", "y")
            await pilot.pause()
            assert ex.finished and isinstance(app.screen, ScoreScreen)
            assert app.screen.same  # the verdicts are the log's, ratings or not
            head = str(app.screen.query_one("#score-head").render())
            assert str(ratings_path) in head

    run(play())

    r = load_ratings(ratings_path, plan())
    assert r.scenario == "payment_outage"
    assert [(t.objective, t.obligation, t.rating, t.observation) for t in r.tasks] == [
        ("report", "report_l1_ops", "S", OBSERVATION)
    ]
    assert r.hotwash.strengths == [STRENGTH]
    assert r.hotwash.improvements == [] and r.hotwash.feedback == []

    out = tmp_path / "aar.json"
    assert (
        main(
            [
                "report",
                str(log_path),
                "--ratings",
                str(ratings_path),
                "--format",
                "json",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    rep = json.loads(out.read_text(encoding="utf-8"))
    rated = [
        (o["id"], t.get("obligation") or t.get("id"), t["rating"], t["observation"])
        for o in rep["objectives"]
        for t in o["tasks"]
        if t.get("rating")
    ]
    assert rated == [("report", "report_l1_ops", "S", OBSERVATION)]
    assert rep["hotwash"]["strengths"] == [STRENGTH]
