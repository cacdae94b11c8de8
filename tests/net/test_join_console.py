"""`drillsim join`'s console (Textual, Pilot) against a server on loopback."""

from __future__ import annotations

import asyncio

from drillsim.net.console import ConsoleApp, RemoteExerciseScreen
from drillsim.scoring.verdicts import read_log

from .conftest import Served, bounded
from .test_serve_authority import Raw


async def _until(pilot, cond, seconds: float = 20.0) -> None:
    async def wait():
        while not cond():
            await pilot.pause(0.05)

    await bounded(wait(), seconds)


def test_role_console_shows_its_view_only_acts_and_gets_it_back_after_a_rejoin(tmp_path):
    log = tmp_path / "c.jsonl"

    async def play():
        served = await Served.start(log, others="bot")
        join = served.join
        try:
            app = ConsoleApp(served.url, join["roles"]["ops_dept"], "en")
            async with app.run_test(size=(140, 40)) as pilot:
                await _until(pilot, lambda: served.room.present.get("ops_dept"))
                async with __import__("aiohttp").ClientSession() as http:
                    async with Raw(http, served.url) as fac:
                        await fac.hello(join["facilitator"])
                        await fac.ask({"type": "start"}, 1)
                        await fac.ask({"type": "clock", "run_to": 80, "jump": True}, 2)
                await _until(pilot, lambda: app.exercise is not None and app.exercise.now >= 80)
                await pilot.pause(0.2)
                screen = app.exercise_screen
                assert isinstance(screen, RemoteExerciseScreen)
                assert screen.views == ["ops_dept"]  # no facilitator view, no other role
                # the trainee mechanism of `play --trainee`: the facilitator view is not even built
                assert screen.trainee and screen.facilitator is None
                assert not screen.query("#fac-view") and not screen.query("#view--facilitator")
                ex = app.exercise
                state = ex.roles["ops_dept"]
                senders = {i.sender for i in state.inbox if i.kind == "message"}
                assert senders and senders <= {"duty_supervisor", "dept_head"}
                inbox_before = [(i.t, i.kind, i.sender) for i in state.inbox]
                # the facilitator's keys do nothing here
                await pilot.press("space")
                await pilot.pause(0.2)
                assert not served.room.running
                # an action through the console's form logic reaches the server as ops_dept's
                ex.report("ops_dept", ["technical_group"], "chat")
                await _until(pilot, lambda: len(state.sent) == 1)  # the server echoes it back
            # a rejoin: a new console, the same view
            again = ConsoleApp(served.url, join["roles"]["ops_dept"], "en")
            async with again.run_test(size=(140, 40)) as pilot:
                await _until(pilot, lambda: again.exercise is not None and again.exercise.now >= 80)
                await pilot.pause(0.2)
                inbox = again.exercise.roles["ops_dept"].inbox
                assert [(i.t, i.kind, i.sender) for i in inbox][: len(inbox_before)] == inbox_before
                assert len(again.exercise.roles["ops_dept"].sent) == 1
        finally:
            await served.stop()

    asyncio.run(play())
    actions = [e for e in read_log(log) if e["type"] == "action"]
    assert [(a["t"], a["role"], a["do"], a["to"]) for a in actions] == [
        (80.0, "ops_dept", "report", ["technical_group"])
    ]


def test_facilitator_console_starts_runs_the_clock_and_sees_who_joined(tmp_path):
    log = tmp_path / "f.jsonl"

    async def play():
        served = await Served.start(log, others="bot")
        join = served.join
        try:
            async with __import__("aiohttp").ClientSession() as http:
                async with Raw(http, served.url) as vp:
                    await vp.hello(join["roles"]["vp"])
                    app = ConsoleApp(served.url, join["facilitator"], "en")
                    async with app.run_test(size=(160, 45)) as pilot:
                        await _until(pilot, lambda: app.welcome is not None)
                        await pilot.pause(0.3)
                        await pilot.press("s")  # start
                        await _until(pilot, lambda: app.exercise_screen is not None)
                        screen = app.exercise_screen
                        assert screen.views == ["facilitator"]
                        await pilot.pause(0.3)
                        people = str(screen.people.render())
                        assert "VP" in people or "vp" in people.lower(), people
                        assert served.room.players["vp"] == "human"
                        assert served.room.players["ops_dept"] == "bot"
                        await pilot.press("n")  # run to the next inject
                        await _until(pilot, lambda: app.exercise.now >= 25)
                        assert app.exercise.inject_state.get("complaints", ("",))[0] == "delivered"
                        await pilot.press("e", "y")  # end: yes
                        await _until(pilot, lambda: served.room.finished)
                        await _until(pilot, lambda: type(app.screen).__name__ == "ScoreScreen")
                        assert app.exercise.result() == served.room.result()
        finally:
            await served.stop()

    asyncio.run(play())
    events = read_log(log)
    assert events[-1]["type"] in ("end", "session")
    assert any(e["type"] == "end" and e["reason"] == "facilitator" for e in events)
