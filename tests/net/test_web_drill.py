"""A served live drill and the browser console: the page asks the join code; a drill's code
gets a sentence saying to use `drillsim join` in a terminal (the drill console does not run in
a browser tab yet), never the tabletop's console."""

from __future__ import annotations

import asyncio

from tests.drill.kit import FakeClock

from .drill_kit import ServedDrill
from .test_web_console import _need_chromium, web_console


def test_a_drills_join_code_in_the_browser_says_to_use_a_terminal(tmp_path):
    _need_chromium()

    async def play():
        served = await ServedDrill.start(tmp_path / "drill.jsonl", FakeClock())
        code = next(c for c, who in served.join["codes"].items() if who == "warden")
        try:
            async with web_console(served.url) as browser:
                await browser.type(code)
                await browser.enter()
                text = await browser.wait_text("live drill", "in a terminal", seconds=60)
                assert "Inbox" not in text
        finally:
            await served.stop()

    asyncio.run(play())
