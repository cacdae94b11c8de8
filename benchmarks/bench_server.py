"""The session server under 20 participants: how long from one client's action until every other
client it affects has seen it, and how much CPU the server uses meanwhile.

    .venv/bin/python benchmarks/bench_server.py [--seconds 30] [--clients 20]

A real `drillsim serve` process (payment_outage, clock at 60x, everyone a person) on loopback;
in this process, one WebSocket client per role (14), the facilitator and evaluators up to
`--clients`. Each second of wall clock, a few roles send a report carrying a unique text; its
`action` event reaches the acting role, the facilitator and every evaluator. The latency of one
action is the time until the LAST of those clients has it. Server CPU is read from
/proc/PID/stat. The clients share one process, so their own decoding is part of the figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "import sys; from drillsim.cli import main; sys.exit(main())"]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Client:
    def __init__(self, http, url, token, label, seen):
        self.http, self.url, self.token, self.label, self.seen = http, url, token, label, seen
        self.ws = None
        self.role = None

    async def connect(self):
        self.ws = await self.http.ws_connect(self.url + "/ws", max_msg_size=0)
        await self.ws.send_str(
            json.dumps({"type": "hello", "token": self.token, "client": "bench"})
        )
        while True:
            msg = json.loads((await self.ws.receive()).data)
            if msg["type"] == "welcome":
                self.role = msg["role"]
                return

    async def read(self):
        async for frame in self.ws:
            msg = json.loads(frame.data)
            if msg["type"] != "events":
                continue
            now = time.perf_counter()
            for ev in msg["events"]:
                if ev["type"] == "action" and ev.get("text", "").startswith("bench-"):
                    self.seen.setdefault(ev["text"], {})[self.label] = now


async def bench(seconds: float, n_clients: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-server-"))
    log = tmp / "bench.jsonl"
    server = subprocess.Popen(
        [
            *CLI,
            "serve",
            "payment_outage",
            "--seed",
            "1",
            "--others",
            "wait",
            "--speed",
            "60",
            "--port",
            "0",
            "--log",
            str(log),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    jfile = Path(str(log) + ".join.json")
    while not jfile.exists():
        time.sleep(0.05)
    join = json.loads(jfile.read_text())
    url = join["url"]
    seen: dict[str, dict[str, float]] = {}
    sent: dict[str, tuple[float, set]] = {}
    async with aiohttp.ClientSession() as http:
        roles = [Client(http, url, tok, r, seen) for r, tok in join["roles"].items()]
        watchers = [Client(http, url, join["facilitator"], "facilitator", seen)]
        watchers += [
            Client(http, url, join["evaluator"], f"evaluator{i}", seen)
            for i in range(max(0, n_clients - len(roles) - 1))
        ]
        everyone = roles + watchers
        for c in everyone:
            await c.connect()
        readers = [asyncio.ensure_future(c.read()) for c in everyone]
        fac = watchers[0]
        await fac.ws.send_str(json.dumps({"type": "clock", "run": True, "speed": 60}))
        rng = random.Random(1)
        names = list(join["roles"])
        cpu0, wall0 = cpu_seconds(server.pid), time.perf_counter()
        k = 0
        while time.perf_counter() - wall0 < seconds:
            for c in rng.sample(roles, 4):
                k += 1
                text = f"bench-{k}"
                to = rng.choice([r for r in names if r != c.role])
                affected = {c.label, *(w.label for w in watchers)}
                sent[text] = (time.perf_counter(), affected)
                msg = {"type": "act", "do": "report", "to": [to], "via": "phone", "text": text}
                await c.ws.send_str(json.dumps(msg))
            await asyncio.sleep(0.25)
        await asyncio.sleep(1.0)
        cpu1, wall1 = cpu_seconds(server.pid), time.perf_counter()
        for r in readers:
            r.cancel()
        for c in everyone:
            await c.ws.close()
    server.terminate()
    server.wait(10)
    lat = []
    for text, (t0, affected) in sent.items():
        got = seen.get(text, {})
        if affected <= set(got):
            lat.append((max(got[a] for a in affected) - t0) * 1000)
    lat.sort()
    return {
        "clients": len(everyone),
        "actions": len(sent),
        "complete": len(lat),
        "median_ms": statistics.median(lat) if lat else None,
        "p99_ms": lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else None,
        "server_cpu_pct": 100 * (cpu1 - cpu0) / (wall1 - wall0),
        "seconds": round(wall1 - wall0, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--clients", type=int, default=20)
    args = ap.parse_args()
    r = asyncio.run(bench(args.seconds, args.clients))
    print(
        f"{r['clients']} clients, clock 60x, {r['actions']} actions ({r['complete']} seen by "
        f"all they affect) in {r['seconds']} s: action -> every affected client "
        f"median {r['median_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms; "
        f"server CPU {r['server_cpu_pct']:.0f}% of one core"
    )


if __name__ == "__main__":
    main()
