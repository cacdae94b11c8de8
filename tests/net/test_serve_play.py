"""Several participants playing payment_outage through the session server on loopback."""

from __future__ import annotations

import asyncio
import json

from drillsim.cli import main
from drillsim.cmd_serve import _actions_loader
from drillsim.net.client import RunTo, ScriptClient
from drillsim.scoring.verdicts import read_log, score
from drillsim.simulator.loader import load_actions, load_plan
from drillsim.simulator.runner import run_plan

from .conftest import ACTIONS, Served, bounded, split_actions


def test_scripted_participants_score_like_run_with_the_actions_merged(tmp_path):
    files = split_actions(tmp_path)
    assert set(files) == {"duty_supervisor", "ops_dept", "technical_group"}
    log = tmp_path / "served.jsonl"

    tokens: list[str] = []

    async def play():
        served = await Served.start(log)
        tokens.extend([served.join["facilitator"], *served.join["roles"].values()])
        try:
            scripts = [
                ScriptClient(served.url, served.join["roles"][r], _actions_loader(str(p)), out=str)
                for r, p in files.items()
            ]
            facilitator = RunTo(
                served.url, served.join["facilitator"], 300, wait_for=list(files), out=str
            )
            codes = await bounded(
                asyncio.gather(*(c.run() for c in scripts), facilitator.run()), 60
            )
            assert codes == [0, 0, 0, 0], [c.problem for c in scripts]
            assert all(c.taken == len(c.actions) for c in scripts)
        finally:
            await served.stop()

    asyncio.run(play())
    plan = load_plan("payment_outage")
    expected = score(plan, run_plan(plan, 1, load_actions(ACTIONS, plan), others="idle").events)
    events = read_log(log)
    got = score(plan, events)
    assert got["obligations"] == expected["obligations"]
    assert got["summary"] == expected["summary"] and got["continuity"] == expected["continuity"]
    statuses = {o["id"]: o["status"] for o in got["obligations"]}
    assert statuses["report_l1_ops"] == "late"  # the fixture's documented outcome
    # the log names participants by role, never by token
    text = log.read_text(encoding="utf-8")
    joined = [e for e in events if e["type"] == "session" and e["what"] == "joined"]
    assert {e["who"] for e in joined} >= {"facilitator", *files}
    assert tokens and not any(tok in text for tok in tokens)

    # the served log is chained like any log: it verifies, session records and all
    assert main(["score", "--verify", str(log)]) == 0
    lines = log.read_text(encoding="utf-8").splitlines()
    assert all('"h":"' in line for line in lines)
    assert events[0]["files"] and all(len(f["sha256"]) == 64 for f in events[0]["files"])

    def edited(which, change) -> int:
        copy = tmp_path / f"edited-{which}.jsonl"
        ev = json.loads(lines[which])
        change(ev)
        copy.write_text(
            "\n".join(
                [
                    *lines[:which],
                    json.dumps(ev, ensure_ascii=False, separators=(",", ":")),
                    *lines[which + 1 :],
                ]
            )
            + "\n",
            encoding="utf-8",
        )
        return main(["score", "--verify", str(copy)])

    action = next(i for i, line in enumerate(lines) if '"type":"action"' in line)
    record = next(i for i, line in enumerate(lines) if '"what":"joined"' in line)
    assert edited(action, lambda ev: ev.update(t=ev["t"] - 1)) == 4  # a done time moved
    assert edited(record, lambda ev: ev.update(who="gm")) == 4  # who joined, rewritten
