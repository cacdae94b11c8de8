"""A headless Debian chromium driven over the DevTools protocol (CDP), for the web console test.

The page's terminal draws on a canvas, so the test reads what the console sent to it instead:
a script added before the page loads keeps every frame the page's WebSocket receives (the
console's screen output, ANSI text), and `screen_text()` returns it without the escapes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile

import aiohttp

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
]
RECORD = """
(() => {
  window.__screen = [];
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (e) => {
      const d = e.data;
      window.__screen.push(typeof d === "string" ? d : new TextDecoder().decode(d));
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
})();
"""
ANSI = re.compile(
    r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b."
)


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    async def __aenter__(self):
        self.profile = tempfile.mkdtemp(prefix="chromium-")
        self.proc = subprocess.Popen(
            [find_chromium(), *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its helper processes in one group, to stop them all
        )
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, self.proc.stderr.readline)
            if not line:
                raise RuntimeError("chromium exited before DevTools listened")
            if "DevTools listening on" in line:
                browser_ws = line.split("listening on", 1)[1].strip()
                break
        port = browser_ws.split(":")[2].split("/")[0]
        self.http = aiohttp.ClientSession()
        async with self.http.get(f"http://127.0.0.1:{port}/json/list") as r:
            pages = [t for t in await r.json() if t["type"] == "page"]
        self.ws = await self.http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        self.ids = itertools.count(1)
        await self.call("Page.enable")
        await self.call("Page.addScriptToEvaluateOnNewDocument", source=RECORD)
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()
        await self.http.close()
        # chromium's helpers (zygote, renderers) outlive its main process for a moment and
        # write to the profile meanwhile: the whole group is stopped before the profile goes
        self._signal_group(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self._signal_group(signal.SIGKILL)
        self.proc.wait()
        for attempt in range(50):
            try:
                shutil.rmtree(self.profile)
                break
            except FileNotFoundError:
                break
            except OSError:
                if attempt == 49:
                    raise
                await asyncio.sleep(0.1)

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    async def call(self, method: str, **params) -> dict:
        i = next(self.ids)
        await self.ws.send_str(json.dumps({"id": i, "method": method, "params": params}))
        while True:
            msg = await self.ws.receive_json()
            if msg.get("id") == i:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    async def js(self, expression: str):
        r = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return r.get("result", {}).get("value")

    async def screen_text(self) -> str:
        raw = await self.js("(window.__screen || []).join('')") or ""
        return ANSI.sub("", raw)

    async def wait_text(self, *words: str, seconds: float = 30.0) -> str:
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        text = ""
        while loop.time() < end:
            text = await self.screen_text()
            if all(w in text for w in words):
                return text
            await asyncio.sleep(0.2)
        raise AssertionError(f"the page never showed {words}; it showed:\n{text[-2000:]}")

    async def type(self, text: str) -> None:
        await self.js("document.querySelector('.xterm-helper-textarea').focus()")
        await self.call("Input.insertText", text=text)

    async def enter(self) -> None:
        for kind in ("keyDown", "keyUp"):
            await self.call(
                "Input.dispatchKeyEvent",
                type=kind,
                key="Enter",
                code="Enter",
                windowsVirtualKeyCode=13,
                **({"text": "\r"} if kind == "keyDown" else {}),
            )
