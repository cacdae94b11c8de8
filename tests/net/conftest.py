"""A served exercise on loopback, in the test's own event loop, and its clients."""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml

from drillsim.net.room import Room
from drillsim.net.server import SessionServer, bound_port, start_server
from drillsim.net.tokens import new_join, secrets_of
from drillsim.simulator.loader import load_plan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ACTIONS = FIXTURES / "payment_outage_actions.yaml"


def split_actions(folder: Path) -> dict[str, Path]:
    """The payment_outage actions fixture split into one file per role (one per participant)."""
    items = yaml.safe_load(ACTIONS.read_text(encoding="utf-8"))
    out: dict[str, Path] = {}
    for role in dict.fromkeys(a["role"] for a in items):
        path = folder / f"{role}.yaml"
        path.write_text(
            yaml.safe_dump([a for a in items if a["role"] == role], allow_unicode=True),
            encoding="utf-8",
        )
        out[role] = path
    return out


class Served:
    """A server started in the running loop: `await Served.start(...)`, then `url`, `join`."""

    @classmethod
    async def start(cls, log: Path, scenario="payment_outage", seed=1, others="wait", room=None):
        self = cls()
        self.room = room or Room(
            load_plan(scenario), seed=seed, mode="exercise", log_path=log, others=others
        )
        self.join = new_join("", list(self.room.proc.roles))
        tokens, codes = secrets_of(self.join)
        self.server = SessionServer(self.room, tokens, codes)
        self.runner = await start_server(self.server, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{bound_port(self.runner)}"
        self.join["url"] = self.url
        return self

    async def stop(self):
        await self.runner.cleanup()


async def bounded(coro, seconds: float = 30.0):
    return await asyncio.wait_for(coro, seconds)
