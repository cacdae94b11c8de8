"""The shape of the code: the command line without an import loop, the plan without attributes
stuck onto it at run time."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

from drillsim.simulator.loader import load_plan
from drillsim.simulator.runner import run_plan

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "list",
    "validate",
    "schema",
    "describe",
    "run",
    "score",
    "serve",
    "join",
    "web",
    "play",
    "montecarlo",
    "compare",
    "report",
    "msel",
    "drill",
    "predict",
    "trainee",
}


def _fresh(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True
    )
    return out.stdout


def test_cli_builds_every_command_in_a_fresh_process():
    code = (
        "import argparse, json\n"
        "import drillsim.cli as cli\n"
        "sub = next(a for a in cli.build_parser()._actions\n"
        "           if isinstance(a, argparse._SubParsersAction))\n"
        "print(json.dumps(sorted(sub.choices)))\n"
    )
    assert set(json.loads(_fresh(code))) == COMMANDS


def test_no_command_module_imports_the_cli():
    """cli.py lists the command modules; none of them may import it back (an import loop)."""
    code = (
        "import importlib, json, sys\n"
        "mods = ['drillsim.cmd_core', 'drillsim.cmd_play', 'drillsim.cmd_montecarlo',\n"
        "        'drillsim.cmd_report', 'drillsim.arguments']\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        "print(json.dumps('drillsim.cli' in sys.modules))\n"
    )
    assert json.loads(_fresh(code)) is False


def test_a_run_sticks_nothing_onto_the_plan():
    plan = load_plan("payment_outage")
    before = dict(vars(plan))
    run_plan(plan, seed=3, trace=False)
    after = vars(plan)
    assert set(after) == set(before) == {f.name for f in dataclasses.fields(plan)}
    assert plan.runtime is after["_runtime"]  # built by the first run, declared on the type
    assert before["_runtime"] is None
