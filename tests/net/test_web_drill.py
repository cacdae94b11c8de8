"""A served live drill and the browser console: the page asks the join code; a drill's code
gets a sentence saying to use `drillsim join` in a terminal (the drill console does not run in
a browser tab yet), never the tabletop's console."""

from __future__ import annotations

import asyncio
import subprocess

from tests.drill.kit import FakeClock

from .browser import Browser
from .drill_kit import ServedDrill
from .test_web_console import CLI, _free_port, _listening, _need_chromium


def test_a_drills_join_code_in_the_browser_says_to_use_a_terminal(tmp_path):
    _need_chromium()

    async def play():
        served = await ServedDrill.start(tmp_path / "drill.jsonl", FakeClock())
        code = next(c for c, who in served.join["codes"].items() if who == "warden")
        port = _free_port()
        web = subprocess.Popen(
            [*CLI, "--lang", "en", "web", served.url, "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            await asyncio.wait_for(_listening(port), 30)
            async with Browser() as browser:
                await browser.call("Page.navigate", url=f"http://127.0.0.1:{port}/")
                await browser.wait_text("join code", seconds=60)
                await browser.type(code)
                await browser.enter()
                text = await browser.wait_text("live drill", "in a terminal", seconds=60)
                assert "Inbox" not in text
        finally:
            web.terminate()
            try:
                web.wait(10)
            except subprocess.TimeoutExpired:
                web.kill()
            await served.stop()

    asyncio.run(play())
