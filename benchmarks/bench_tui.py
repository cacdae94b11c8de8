"""TUI benchmarks, measured end to end through a pseudo-terminal (what a person sees).

1. Start-up: wall time from spawning `drillsim play SCENARIO --role ROLE` to the first frame on
   the terminal (aim: under 1 s).
2. Keystroke response while the clock runs at 60x in the largest shipped scenario (the one whose
   headless run has the most events): wall time from writing a key to the pty until its effect is
   on the terminal (aim: under 50 ms). The keys are `?` (open the help; waits for its text) and
   `q` (close it; waits for the role view's panel title), `0` and `1` (to the facilitator view and
   back), `r` (open the report form), each repeated. (Esc is not timed: a terminal program must wait
   to tell a lone Esc from the start of an escape sequence, ~100 ms.)

    .venv/bin/python benchmarks/bench_tui.py [--runs 5] [--keys 20] [--json]

Not run in CI: the figures depend on the machine. docs/TUI.md has the last measured figures.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRILLSIM = str(ROOT / ".venv" / "bin" / "drillsim")
COLS, ROWS = 80, 24


def largest_scenario() -> tuple[str, str, int]:
    """(scenario id, the role with the most duties, events in a seed-1 headless run)."""
    sys.path.insert(0, str(ROOT))
    from drillsim.simulator.loader import load_plan, shipped_scenarios
    from drillsim.simulator.runner import run_plan

    best = None
    for s in shipped_scenarios():
        sid = Path(s["path"]).stem
        plan = load_plan(sid)
        events = len(run_plan(plan, seed=1).events)
        if best is None or events > best[2]:
            counts = {}
            for ob in plan.procedure.obligations.values():
                counts[ob.role] = counts.get(ob.role, 0) + 1
            best = (sid, max(counts, key=counts.get), events)
    return best


class Term:
    """A child process on a pty of COLS x ROWS; read its output, write keys."""

    def __init__(self, argv: list[str]):
        pid, fd = pty.fork()
        if pid == 0:  # child
            os.environ.update(
                {
                    "TERM": "xterm-256color",
                    "COLUMNS": str(COLS),
                    "LINES": str(ROWS),
                    "LANG": "en_US.UTF-8",
                }
            )
            os.execv(argv[0], argv)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.buf = b""

    def wait_for(self, marker: bytes, timeout: float = 20.0) -> float:
        """Read until `marker` appears in what was read since the last call; return the time then."""
        self.buf = b""
        end = time.perf_counter() + timeout
        while True:
            left = end - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{marker!r} did not appear")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    raise TimeoutError("the program ended") from None
                self.buf += chunk
                if marker in self.buf:
                    return time.perf_counter()

    def drain(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            if select.select([self.fd], [], [], left)[0]:
                try:
                    os.read(self.fd, 65536)
                except OSError:
                    return

    def key(self, data: bytes) -> float:
        t = time.perf_counter()
        os.write(self.fd, data)
        return t

    def close(self) -> None:
        try:
            os.write(self.fd, b"\x11")  # ctrl+q
        except OSError:
            pass
        end = time.perf_counter() + 10
        while time.perf_counter() < end:
            self.drain(0.1)
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
        else:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def bench_startup(
    scenario: str, role: str, runs: int, tmp: Path
) -> tuple[list[float], list[float]]:
    """(first frame: the loading line, first exercise frame: the role view) in seconds."""
    first, ready = [], []
    for i in range(runs):
        argv = [
            DRILLSIM,
            "--lang",
            "en",
            "play",
            scenario,
            "--role",
            role,
            "--seed",
            "1",
            "--log",
            str(tmp / f"startup-{i}.jsonl"),
        ]
        t0 = time.perf_counter()
        term = Term(argv)
        try:
            first.append(term.wait_for(b"Loading the scenario") - t0)
            ready.append(term.wait_for(b"Inbox") - t0)
        finally:
            term.close()
    return first, ready


def bench_keys(scenario: str, role: str, keys: int, tmp: Path) -> dict:
    argv = [
        DRILLSIM,
        "--lang",
        "en",
        "play",
        scenario,
        "--role",
        role,
        "--seed",
        "1",
        "--speed",
        "60",
        "--run",
        "--log",
        str(tmp / "keys.jsonl"),
    ]
    term = Term(argv)
    out = {
        "open_help": [],
        "close_help": [],
        "to_facilitator": [],
        "to_role_view": [],
        "open_report_form": [],
    }
    try:
        term.wait_for(b"Inbox")
        term.drain(2.0)  # let the clock run at 60x for a while
        for _ in range(keys):
            for key, marker, what in (
                (b"?", b"closes", "open_help"),
                (b"q", b"Inbox", "close_help"),
                (b"0", b"MSEL", "to_facilitator"),
                (b"1", b"Inbox", "to_role_view"),
                (b"r", b"Recipients", "open_report_form"),
            ):
                t = term.key(key)
                out[what].append(term.wait_for(marker) - t)
                term.drain(0.15)
            term.key(b"\x1b")  # close the form (Esc: waits ~0.1 s, not timed)
            term.drain(0.4)
    finally:
        term.close()
    return out


def summary(xs: list[float]) -> dict:
    ms = sorted(x * 1000 for x in xs)
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 1),
        "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 1),
        "max_ms": round(ms[-1], 1),
        "min_ms": round(ms[0], 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="start-ups to time")
    ap.add_argument("--keys", type=int, default=20, help="key round trips to time")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    big, big_role, events = largest_scenario()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = {}
        for sid, role in (("payment_outage", "duty_supervisor"), (big, big_role)):
            first, ready = bench_startup(sid, role, args.runs, tmp)
            start[sid] = {"first_frame": summary(first), "exercise_frame": summary(ready)}
        keys = bench_keys(big, big_role, args.keys, tmp)
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cpu, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}",
        "startup_to_first_frame": start,
        "keystroke_at_60x": {
            "scenario": big,
            "role": big_role,
            "events_per_run": events,
            **{k: summary(v) for k, v in keys.items()},
        },
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(result["machine"])
        for sid, both in start.items():
            for what, s in both.items():
                print(
                    f"{what.replace('_', ' ')}, {sid}: median {s['median_ms']} ms, max {s['max_ms']} ms "
                    f"({s['n']} runs)"
                )
        k = result["keystroke_at_60x"]
        for what in keys:
            s = k[what]
            print(
                f"keystroke at 60x in {big} ({events} events), {what}: median {s['median_ms']} ms, "
                f"p90 {s['p90_ms']} ms, max {s['max_ms']} ms ({s['n']} keys)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
