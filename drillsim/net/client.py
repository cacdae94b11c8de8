"""A participant's side of the connection, and the headless clients of `drillsim join`.

`Link` keeps one participant connected: it says hello with its token and the number of events
it already holds, hands every server message to its owner, and when the connection drops (the
server crashed and is being resumed, the network hiccuped) tries again until `retry_s` has
passed without success. On every (re)connection it calls `on_connect`, where a script sends
its actions again and a facilitator's `--run-to` its target: the server ignores a script it
already has, so resending is safe.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import aiohttp

from . import protocol as P

Handler = Callable[[dict], Awaitable[None] | None]


def ws_url(url: str) -> str:
    url = url.rstrip("/")
    if url.startswith("http://"):
        url = "ws://" + url[len("http://") :]
    elif url.startswith("https://"):
        url = "wss://" + url[len("https://") :]
    return url if url.endswith("/ws") else url + "/ws"


class JoinError(Exception):
    """The server refused this participant (a wrong token): retrying will not help."""


class Link:
    def __init__(
        self,
        url: str,
        token: str,
        on_message: Handler,
        client: str = "console",
        retry_s: float = 120.0,
        on_connect: Callable[[], Awaitable[None]] | None = None,
        name: str | None = None,
    ):
        self.url, self.token, self.client = ws_url(url), token, client
        self.name = name  # a live drill's evaluator on the shared token
        self.on_message, self.on_connect = on_message, on_connect
        self.retry_s = retry_s
        self.have = 0  # events received: a rejoin asks only for the rest
        self.ws: aiohttp.ClientWebSocketResponse[bool] | None = None
        self.welcome: dict | None = None
        self.connected = asyncio.Event()
        self.closed = False
        self._ref = 0
        self._waiting: dict[int, asyncio.Future] = {}

    async def send(self, msg: dict) -> dict:
        """Send a message and wait for its reply (`ok`, or `error`)."""
        await self.connected.wait()
        self._ref += 1
        ref = self._ref
        fut = asyncio.get_running_loop().create_future()
        self._waiting[ref] = fut
        assert self.ws is not None
        await self.ws.send_str(P.dump({**msg, "ref": ref}))
        return await fut

    async def send_nowait(self, msg: dict) -> None:
        if self.ws is not None and not self.ws.closed:
            await self.ws.send_str(P.dump(msg))

    def close(self) -> None:
        self.closed = True
        if self.ws is not None:
            asyncio.ensure_future(self.ws.close())

    async def run(self) -> None:
        """Connect, and reconnect, until closed or the server has been gone for `retry_s`."""
        delay, gone_since = 0.1, None
        loop = asyncio.get_running_loop()
        async with aiohttp.ClientSession() as http:
            while not self.closed:
                try:
                    async with http.ws_connect(
                        self.url, max_msg_size=P.MAX_SERVER_FRAME, heartbeat=30
                    ) as ws:
                        self.ws = ws
                        await ws.send_str(
                            P.dump(
                                {
                                    "type": "hello",
                                    "token": self.token,
                                    "have": self.have,
                                    "client": self.client,
                                    **({"name": self.name} if self.name else {}),
                                }
                            )
                        )
                        delay, gone_since = 0.1, None
                        await self._read(ws)
                except (aiohttp.ClientError, OSError, asyncio.TimeoutError):
                    pass
                finally:
                    self.connected.clear()
                    self.ws = None
                    for fut in self._waiting.values():
                        if not fut.done():
                            fut.set_result({"type": "error", "message": "connection lost"})
                    self._waiting.clear()
                if self.closed:
                    break
                gone_since = gone_since or loop.time()
                if loop.time() - gone_since > self.retry_s:
                    raise ConnectionError(f"the server at {self.url} is gone")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    async def _read(self, ws) -> None:
        async for frame in ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            msg = json.loads(frame.data)
            kind = msg.get("type")
            if kind == "welcome":
                self.welcome = msg
                self.connected.set()
                if self.on_connect is not None:
                    asyncio.ensure_future(self.on_connect())
            elif kind == "error" and not self.connected.is_set():
                if msg.get("fatal") or msg.get("message") in (
                    "unknown token",
                    "too many failed attempts",
                ):
                    self.closed = True
                    raise JoinError(msg["message"])
            if kind in ("ok", "error") and msg.get("ref") in self._waiting:
                self._waiting.pop(msg["ref"]).set_result(msg)
            if kind == "events" and not msg.get("sync"):
                self.have += len(msg["events"])
            result = self.on_message(msg)
            if asyncio.iscoroutine(result):
                await result


# --- headless participants ---------------------------------------------------------------------


async def until_done(link: Link, done: asyncio.Event) -> None:
    """Keep `link` connected (it reconnects by itself) until `done` is set; then close it. A
    link that gives up (JoinError, ConnectionError) raises here."""
    task = asyncio.ensure_future(link.run())
    waiter = asyncio.ensure_future(done.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    link.close()
    if task.done():
        waiter.cancel()
        exc = task.exception()
        if exc is not None:
            raise exc
    task.cancel()


class ScriptClient:
    """`drillsim join URL --token ROLE_TOKEN --actions FILE`: the file's actions sent to the server,
    which takes each at its own simulated minute; done when all were taken or the exercise ended."""

    def __init__(self, url: str, token: str, load: Callable[[dict], list[dict]], out=print):
        """`load(welcome)`: the actions as dicts, read against the served plan; it raises
        ValueError with the message to show when the file does not fit."""
        self.load, self.out = load, out
        self.actions: list[dict] | None = None
        self.done = asyncio.Event()
        self.taken = 0
        self.problem: str | None = None
        self.link = Link(url, token, self.on_message, client="script", on_connect=self.connect)

    async def connect(self) -> None:
        welcome = self.link.welcome or {}
        if welcome.get("kind") != "role":
            self.problem = "--actions needs a role's token"
            self.done.set()
            return
        if self.actions is None:
            try:
                self.actions = self.load(welcome)
            except ValueError as exc:
                self.problem = str(exc)
                self.done.set()
                return
        reply = await self.link.send({"type": "script", "actions": self.actions})
        if reply["type"] == "error" and reply.get("message") != "connection lost":
            self.problem = reply["message"]
            self.done.set()

    def on_message(self, msg: dict) -> None:
        if msg["type"] != "events":
            return
        role = (self.link.welcome or {}).get("role")
        for ev in msg["events"]:
            if ev["type"] == "action" and ev["role"] == role:
                self.taken += 1
                self.out(f"{ev['t']:g} {role} {ev['do']}")
        if self.actions is not None and self.taken >= len(self.actions):
            self.done.set()
        if msg["clock"].get("finished"):
            self.done.set()

    async def run(self) -> int:
        await until_done(self.link, self.done)
        return 2 if self.problem else 0


class RunTo:
    """`drillsim join URL --token FACILITATOR --run-to T`: run the clock to T (at once, or at
    `speed`) and stop there; first wait for the roles in `wait_for` to be ready."""

    def __init__(
        self, url: str, token: str, t: float, speed: float | None = None, wait_for=(), out=print
    ):
        self.t, self.speed, self.wait_for, self.out = t, speed, list(wait_for), out
        self.done = asyncio.Event()
        self.ready = asyncio.Event()
        self.problem: str | None = None
        self.clock: dict = {}
        if not self.wait_for:
            self.ready.set()
        self.link = Link(url, token, self.on_message, client="script", on_connect=self.connect)

    async def connect(self) -> None:
        if (self.link.welcome or {}).get("kind") != "facilitator":
            self.problem = "--run-to needs the facilitator's token"
            self.done.set()
            return
        await self.ready.wait()
        msg = {"type": "clock", "run_to": self.t, "jump": self.speed is None}
        if self.speed is not None:
            msg["speed"] = self.speed
        reply = await self.link.send(msg)
        if reply["type"] == "error" and reply.get("message") != "connection lost":
            self.problem = reply["message"]
            self.done.set()

    def on_message(self, msg: dict) -> None:
        if msg["type"] == "people":
            roles = msg["roles"]
            if all(roles.get(r, {}).get("ready") for r in self.wait_for):
                self.ready.set()
        if msg["type"] == "events":
            self.clock = msg["clock"]
            if self.clock.get("finished") or (
                self.clock.get("started") and self.clock["now"] >= self.t - 1e-6
            ):
                self.done.set()

    async def run(self) -> int:
        await until_done(self.link, self.done)
        if not self.problem:
            self.out(f"clock at {self.clock.get('now', 0):g}")
        return 2 if self.problem else 0
