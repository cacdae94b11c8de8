"""kill -9 of the server mid-exercise, `serve --resume`, clients back by themselves: the log
scores exactly like the same session played without the crash."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from drillsim.cli import main
from drillsim.scoring.verdicts import read_log, score
from drillsim.simulator.loader import load_actions, load_plan
from drillsim.simulator.runner import run_plan

from .conftest import ACTIONS, split_actions

CLI = [sys.executable, "-c", "import sys; from drillsim.cli import main; sys.exit(main())"]


def _spawn(args, tmp: Path, name: str) -> subprocess.Popen:
    out = open(tmp / f"{name}.out", "w")
    return subprocess.Popen(
        [*CLI, *args], cwd=tmp, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )


def _wait_file(path: Path, proc: subprocess.Popen, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"the server exited {proc.returncode}"
        assert time.monotonic() < end, f"{path} never appeared"
        time.sleep(0.05)


def _finish(proc: subprocess.Popen, tmp: Path, name: str, timeout: float = 60) -> str:
    try:
        code = proc.wait(timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = (tmp / f"{name}.out").read_text()
    assert code == 0, f"{name} exited {code}:\n{text}"
    return text


def _wait_output(path: Path, text: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while text not in path.read_text():
        assert proc.poll() is None, f"the server exited {proc.returncode}: {path.read_text()}"
        assert time.monotonic() < end, f"{text!r} never appeared in {path}"
        time.sleep(0.05)


def test_kill_9_and_resume_scores_like_the_uninterrupted_session(tmp_path):
    files = split_actions(tmp_path)
    log = tmp_path / "crash.jsonl"
    jfile = tmp_path / "crash.jsonl.join.json"
    procs: list[subprocess.Popen] = []
    try:
        server = _spawn(
            [
                "serve",
                "payment_outage",
                "--seed",
                "1",
                "--others",
                "wait",
                "--log",
                log.name,
                "--port",
                "0",
            ],
            tmp_path,
            "serve1",
        )
        procs.append(server)
        _wait_file(jfile, server)
        assert (jfile.stat().st_mode & 0o777) == 0o600
        join = json.loads(jfile.read_text())
        url = join["url"]
        scripts = {
            r: _spawn(["join", url, "--token", join["roles"][r], "--actions", str(p)], tmp_path, r)
            for r, p in files.items()
        }
        procs += scripts.values()
        wait = [a for r in files for a in ("--wait-for", r)]
        first = _spawn(
            ["join", url, "--token", join["facilitator"], "--run-to", "60", *wait], tmp_path, "f1"
        )
        procs.append(first)
        assert "clock at 60" in _finish(first, tmp_path, "f1")
        os.kill(server.pid, signal.SIGKILL)
        server.wait(10)
        with open(log, "ab") as f:  # the crash cut a line in half
            f.write(b'{"seq":9999,"t":60.0,"ty')
        time.sleep(0.5)  # the clients are reconnecting, in vain, until the server is back
        resumed = _spawn(["serve", "--resume", log.name], tmp_path, "serve2")
        procs.append(resumed)
        _wait_output(tmp_path / "serve2.out", "resumed", resumed)
        # a second server on the same log: refused by the log's lock, with a sentence
        for args in (["--resume", log.name], ["payment_outage", "--log", log.name, "--force"]):
            other = subprocess.run(
                [*CLI, "serve", *args, "--port", "0"],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert other.returncode == 2, other.stderr
            assert "is being written by another drillsim" in other.stderr
            assert "Traceback" not in other.stderr
        second = _spawn(
            ["join", url, "--token", join["facilitator"], "--run-to", "300"], tmp_path, "f2"
        )
        procs.append(second)
        _finish(second, tmp_path, "f2")
        for role, proc in scripts.items():
            _finish(proc, tmp_path, role)
        assert "resumed" in (tmp_path / "serve2.out").read_text()
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
    plan = load_plan("payment_outage")
    expected = score(plan, run_plan(plan, 1, load_actions(ACTIONS, plan), others="idle").events)
    events = read_log(log)
    got = score(plan, events)
    assert got["obligations"] == expected["obligations"]
    assert got["summary"] == expected["summary"]
    assert got["continuity"] == expected["continuity"]
    records = [e["what"] for e in events if e["type"] == "session"]
    assert "resumed" in records
    world = [e for e in events if e["type"] != "session"]
    assert [e["seq"] for e in world] == list(range(len(world)))  # nothing lost, nothing twice
    assert (log.read_bytes().count(b'"ty\n')) == 0  # the torn line was cut off
    # the chain runs on across the crash: the resumed log verifies as a whole
    assert main(["score", "--verify", str(log)]) == 0
