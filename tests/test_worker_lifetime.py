"""Worker processes never outlive the command that started them, even a `kill -9` of it.
(Reads the process tree from /proc: Linux, as CI.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return out


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; nobody may be left to reap it


def test_montecarlo_workers_die_with_a_killed_command():
    command = [sys.executable, "-m", "drillsim", "montecarlo", "payment_outage"]
    command += ["-n", "400000", "--workers", "2", "--batch", "200", "--quiet", "--engine"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while not workers and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode()
            workers = {c for c in children(proc.pid) if running(c)}
            time.sleep(0.2)
        assert workers, "no worker process started"
        time.sleep(1.0)  # let them get into their batches
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 10
        while any(running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if running(w)], "a worker outlived its command"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
