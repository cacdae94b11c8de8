"""The console in a real browser: Debian's chromium, headless, opens `drillsim web`'s page,
types a role's join code and gets that role's console."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
from collections.abc import AsyncIterator

from drillsim.scoring.verdicts import read_log

from .browser import Browser, find_chromium
from .conftest import Served, bounded
from .test_serve_authority import Raw

CLI = [sys.executable, "-c", "import sys; from drillsim.cli import main; sys.exit(main())"]


def _need_chromium() -> None:
    """No skip (the suite has none): without chromium the test fails and says how to get it."""
    assert find_chromium(), (
        "chromium is not installed: run scripts/install-chromium.sh (as root; .ci/run does)"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_browser_opens_the_console_asks_the_join_code_and_shows_the_role(tmp_path):
    _need_chromium()
    log = tmp_path / "web.jsonl"

    async def play():
        served = await Served.start(log, others="bot")
        code = next(c for c, who in served.join["codes"].items() if who == "ops_dept")
        try:
            async with web_console(served.url) as browser:
                await browser.type("WRONG-CODE1")
                await browser.enter()
                await browser.wait_text("wrong", seconds=30)
                await browser.type(code.lower())  # typed as it comes: case and dash do not matter
                await browser.enter()
                await browser.wait_text("Joined as", "Operations management dept", seconds=30)
                assert served.room.present.get("ops_dept") == 1
                async with __import__("aiohttp").ClientSession() as http:
                    async with Raw(http, served.url) as fac:
                        await fac.hello(served.join["facilitator"])
                        await fac.ask({"type": "start"}, 1)
                        await fac.ask({"type": "clock", "run_to": 80, "jump": True}, 2)
                text = await browser.wait_text("Inbox", "Duty supervisor", seconds=30)
                assert "Facilitator" not in text.split("Inbox", 1)[1][:200]
        finally:
            await served.stop()
        return served.room

    room = asyncio.run(play())
    assert room.players["ops_dept"] == "human"
    joined = [e for e in read_log(log) if e["type"] == "session" and e["what"] == "joined"]
    assert {"who": "ops_dept", "client": "console"}.items() <= joined[0].items()


async def _listening(port: int) -> None:
    while True:
        try:
            _, w = await asyncio.open_connection("127.0.0.1", port)
            w.close()
            return
        except OSError:
            await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def web_console(url: str) -> AsyncIterator[Browser]:
    """`drillsim web` for the server at url on a free port, and chromium on its page once the page
    asks the join code; the web process is stopped after."""
    port = _free_port()
    web = subprocess.Popen(
        [*CLI, "--lang", "en", "web", url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await bounded(_listening(port), 30)
        async with Browser() as browser:
            await browser.call("Page.navigate", url=f"http://127.0.0.1:{port}/")
            await browser.wait_text("join code", seconds=60)
            yield browser
    finally:
        web.terminate()
        try:
            web.wait(10)
        except subprocess.TimeoutExpired:
            web.kill()
