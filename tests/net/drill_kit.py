"""A live drill served on loopback in the test's own loop, on the drill tests' fake clock, and
scripted participants that keep what the server broadcast to them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from drillsim.net.client import Link
from drillsim.net.drill_room import DrillRoom
from drillsim.net.server import SessionServer, bound_port, start_server
from drillsim.net.tokens import new_drill_join, secrets_of
from tests.drill.kit import FakeClock, plan, roster

EVALUATORS = ["王工", "赵工"]


class ServedDrill:
    @classmethod
    async def start(cls, log: Path, clock: FakeClock, room: DrillRoom | None = None, join=None):
        self = cls()
        self.room = room or DrillRoom(plan(), roster(), log, clock=clock)
        self.join = join or new_drill_join("", EVALUATORS)
        tokens, codes = secrets_of(self.join)
        self.server = SessionServer(self.room, tokens, codes)
        self.runner = await start_server(self.server, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{bound_port(self.runner)}"
        self.join["url"] = self.url
        return self

    async def stop(self):
        await self.runner.cleanup()


class Person:
    """One participant's client: the events and the latest live state the server sent it."""

    def __init__(self, url: str, token: str, name: str | None = None):
        self.events: list[dict] = []
        self.live: dict | None = None
        self.clock: dict = {}
        self.errors: list[dict] = []
        self.link = Link(url, token, self.on_message, client="script", name=name, retry_s=30)
        self.task: asyncio.Task | None = None

    def on_message(self, msg: dict) -> None:
        if msg["type"] == "events":
            self.events += msg["events"]
            self.clock = msg["clock"]
            if msg.get("live") is not None:
                self.live = msg["live"]
        elif msg["type"] == "error":
            self.errors.append(msg)

    async def __aenter__(self):
        self.task = asyncio.ensure_future(self.link.run())
        await asyncio.wait_for(self.link.connected.wait(), 10)
        return self

    async def __aexit__(self, *exc):
        self.link.close()
        if self.task is not None:
            self.task.cancel()

    async def ask(self, msg: dict) -> dict:
        return await asyncio.wait_for(self.link.send(msg), 10)

    async def ok(self, msg: dict) -> dict:
        reply = await self.ask(msg)
        assert reply["type"] == "ok", reply
        return reply

    async def stamp(self, key: str, note: str = "") -> dict:
        return (await self.ok({"type": "drill", "do": "stamp", "milestone": key, "note": note}))[
            "event"
        ]

    async def checkin(self, number: str) -> dict:
        return (await self.ok({"type": "drill", "do": "checkin", "number": number}))["event"]

    async def seen(self, cond, timeout: float = 10.0) -> None:
        """Wait until `cond(self)` holds for what the server sent."""
        end = asyncio.get_running_loop().time() + timeout
        while not cond(self):
            assert asyncio.get_running_loop().time() < end, "the server never sent it"
            await asyncio.sleep(0.02)


def row(live: dict, mid: str) -> dict:
    return next(r for r in live["milestones"] if r["id"] == mid)
