"""A served live drill on loopback: how long from a warden's check-in until every client has the
new live headcount (the server takes it, writes and fsyncs it, recomputes the verdicts and the
headcount, and sends them to everyone).

    .venv/bin/python benchmarks/bench_drill_server.py [--checkins 100] [--evaluators 4]

The server runs in this process on a clock moved by the benchmark (a second per check-in), with
the facilitator, the evaluators and the warden as WebSocket clients; `--correction` first
corrects a stamp, so that every recomputation plays the drill again at its corrected minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from importlib.resources import files
from pathlib import Path

from drillsim.net.client import Link
from drillsim.net.drill_room import DrillRoom
from drillsim.net.server import SessionServer, bound_port, start_server
from drillsim.net.tokens import new_drill_join, secrets_of
from drillsim.simulator.drill.roster import load_roster
from drillsim.simulator.loader import load_plan

ROSTER = Path(str(files("drillsim.scenarios"))) / "sites" / "factory_roster.csv"


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 27, 10, 0, tzinfo=timezone(timedelta(hours=8)))

    def __call__(self) -> datetime:
        return self.now


class Client:
    def __init__(self, url: str, token: str, name: str | None = None):
        self.missing: int | None = None
        self.link = Link(url, token, self.on_message, client="bench", name=name)

    def on_message(self, msg: dict) -> None:
        if msg["type"] == "events" and msg.get("live"):
            self.missing = len(msg["live"]["headcount"]["missing"])

    async def ok(self, msg: dict) -> dict:
        reply = await self.link.send(msg)
        assert reply["type"] == "ok", reply
        return reply


async def bench(checkins: int, evaluators: int, correction: bool) -> None:
    clock = Clock()
    roster = load_roster(ROSTER)
    log = Path(tempfile.mkdtemp()) / "drill.jsonl"
    room = DrillRoom(load_plan("warehouse_fire_drill"), roster, log, clock=clock)
    names = [f"evaluator {i + 1}" for i in range(evaluators)]
    join = new_drill_join("", names)
    runner = await start_server(SessionServer(room, *secrets_of(join)), "127.0.0.1", 0)
    url = f"http://127.0.0.1:{bound_port(runner)}"
    boss, warden = Client(url, join["facilitator"]), Client(url, join["warden"])
    everyone = [boss, warden] + [Client(url, join["evaluators"][n]) for n in names]
    tasks = [asyncio.ensure_future(c.link.run()) for c in everyone]
    for c in everyone:
        await c.link.connected.wait()
    await boss.ok({"type": "start"})
    if correction:
        clock.now += timedelta(seconds=30)
        stamp = (await everyone[2].ok({"type": "drill", "do": "stamp", "milestone": "2"}))["event"]
        at = (clock.now - timedelta(seconds=10)).isoformat()
        await everyone[2].ok(
            {"type": "drill", "do": "correct", "stamp": stamp["id"], "at_wall": at}
        )
    present = [p for p in roster.people if p.present][:checkins]
    latencies = []
    for p in present:
        clock.now += timedelta(seconds=1)
        t0 = time.perf_counter()
        await warden.ok({"type": "drill", "do": "checkin", "number": p.number})
        want = len(room.drill.headcount.missing())
        while any(c.missing != want for c in everyone):
            await asyncio.sleep(0.001)
        latencies.append((time.perf_counter() - t0) * 1000)
    for c in everyone:
        c.link.close()
    for t in tasks:
        t.cancel()
    await runner.cleanup()
    latencies.sort()
    print(
        f"{len(everyone)} clients, {len(latencies)} check-ins"
        f"{' (a corrected stamp)' if correction else ''}: check-in -> live headcount on every "
        f"client median {statistics.median(latencies):.1f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)]:.1f} ms, max {latencies[-1]:.1f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checkins", type=int, default=100)
    ap.add_argument("--evaluators", type=int, default=4)
    ap.add_argument("--correction", action="store_true")
    args = ap.parse_args()
    asyncio.run(bench(args.checkins, args.evaluators, args.correction))


if __name__ == "__main__":
    main()
