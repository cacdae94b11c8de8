"""`drillsim join` on a served live drill: the drill console of `drillsim drill`, played by
keystrokes (Pilot), its stamps taken on the server's clock and recorded with its evaluator; what
a warden checks in elsewhere shows on it."""

from __future__ import annotations

import asyncio

from drillsim.net.console import ConsoleApp
from drillsim.net.drill_console import DrillClientConsole
from drillsim.scoring.verdicts import read_log
from drillsim.simulator.loader import load_plan
from tests.drill.kit import FakeClock, roster

from .drill_kit import Person, ServedDrill


def _cell(app, row: str, col: str) -> str:
    return str(app.query_one("#milestones").get_cell(row, col))


async def _until(pilot, cond, timeout: float = 10.0) -> None:
    end = asyncio.get_running_loop().time() + timeout
    while not cond():
        assert asyncio.get_running_loop().time() < end, "the console never showed it"
        await pilot.pause(0.05)


def test_the_join_console_stamps_on_the_servers_clock(tmp_path):
    log = tmp_path / "drill.jsonl"
    clock = FakeClock()
    present = [p for p in roster().people if p.present]

    async def play():
        served = await ServedDrill.start(log, clock)
        j = served.join
        try:
            # `join` first opens the ordinary console; a drill's welcome hands over
            probe = ConsoleApp(served.url, j["evaluators"]["王工"], "en")
            async with probe.run_test(size=(120, 40)) as pilot:
                await _until(pilot, lambda: probe.drill_welcome is not None)
            welcome = probe.drill_welcome
            assert welcome["by"] == "王工"
            plan = load_plan(welcome["scenario"])
            app = DrillClientConsole(served.url, j["evaluators"]["王工"], welcome, plan, "en")
            async with (
                Person(served.url, j["facilitator"]) as boss,
                Person(served.url, j["warden"], name="李四") as warden,
            ):
                async with app.run_test(size=(150, 45)) as pilot:
                    await _until(pilot, lambda: app.link.connected.is_set())
                    await pilot.press("2")  # before the alarm: refused by the server
                    await pilot.pause(0.2)
                    assert not app.remote.started
                    await boss.ok({"type": "start"})
                    await _until(pilot, lambda: app.remote.started)
                    assert "10:00:00" in str(app.query_one("#drill-bar").render())
                    clock.at(12)  # the evaluator's own clock does not count: the server's does
                    await pilot.press("5")
                    await _until(pilot, lambda: app.last_stamp is not None)
                    await _until(
                        pilot, lambda: _cell(app, "assembly_reached", "drill_col_verdict") != ""
                    )
                    assert _cell(app, "assembly_reached", "drill_col_verdict") == "late 2 min"
                    assert _cell(app, "assembly_reached", "drill_col_stamped") == "10:12:00"
                    clock.at(13)
                    await warden.checkin(present[0].number)
                    await _until(pilot, lambda: present[0].number in app.remote.headcount.accounted)
                    text = str(app.query_one("#headcount").render())
                    assert f"1/{len(present)}" in text.replace(" ", "")
                    # a correction from this console, kept beside the original
                    await pilot.press("ctrl+e")
                    await pilot.pause()
                    app.screen.query_one("#ask-time").value = "10:09:30"
                    await pilot.press("enter", "enter", *"watch", "enter")
                    await _until(
                        pilot, lambda: _cell(app, "assembly_reached", "drill_col_verdict") == "hit"
                    )
                    # check in from this console: an evaluator's token may not
                    await pilot.press("slash", *present[1].number, "enter")
                    await pilot.pause(0.3)
                    assert present[1].number not in app.remote.headcount.accounted
                    await pilot.press("ctrl+q")
        finally:
            await served.stop()

    asyncio.run(play())
    events = read_log(log)
    stamps = [(e["milestone"], e["by"], e["t"]) for e in events if e["type"] == "stamp"]
    assert stamps == [("alarm_raised", "facilitator", 0.0), ("assembly_reached", "王工", 12.0)]
    fix = next(e for e in events if e["type"] == "stamp.corrected")
    assert (fix["at"], fix["by"], fix["note"]) == (9.5, "王工", "watch")
    assert [(e["number"], e["by"]) for e in events if e["type"] == "checkin"] == [
        (present[0].number, "李四")
    ]
