"""Snapshots of the drill console (pytest-textual-snapshot), Chinese and English: after the
alarm, three stamps, a late one, and most of the check-ins. A fake clock and no timer, so
nothing on screen depends on the wall clock. Regenerate with `--snapshot-update`."""

from __future__ import annotations

import pytest

from drillsim.tui.drill_console import DrillConsole
from tests.drill.kit import FakeClock, make_drill, roster


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_drill_console(snap_compare, lang):
    clock = FakeClock()
    drill = make_drill(None, clock=clock)
    app = DrillConsole(drill, evaluator="评估员王", lang=lang, tick_interval=None)
    present = [p for p in roster().people if p.present]

    async def run_before(pilot):
        await pilot.press("1")
        clock.at(2)
        await pilot.press("a", "2")
        clock.at(6)
        await pilot.press("3")  # 119 called late
        clock.at(9.5)
        await pilot.press("5")
        for i, p in enumerate(present[:-5]):
            clock.at(10 + i / 30)
            drill.checkin(p.number, "引导员李")
        clock.at(16)
        app.tick()
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(140, 40), run_before=run_before)
