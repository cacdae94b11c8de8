"""The Monte Carlo fixtures are what the real commands print (`make fixtures` writes them): a
fixture that no longer has the shape `drillsim montecarlo|compare --json` prints now fails here,
so the report tests never read a format the commands stopped producing."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from drillsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures"


def shape(value):
    """The keys of a JSON value, recursively: dicts by key (a dict keyed by numbers, like
    `final_grade`, is a map: its values' shape only), lists by the union of their items."""
    if isinstance(value, dict):
        if value and all(re.fullmatch(r"-?\d+", k) for k in value):
            return {"<map>": _union([shape(v) for v in value.values()])}
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_union([shape(v) for v in value])] if value else []
    return "value"


def _union(shapes):
    out = "value"
    for s in shapes:
        if isinstance(s, dict):
            out = out if isinstance(out, dict) else {}
            for k, v in s.items():
                out[k] = _union([out.get(k, "value"), v])
        elif isinstance(s, list) and s:
            out = [_union([out[0] if isinstance(out, list) and out else "value", s[0]])]
        elif isinstance(s, list) and out == "value":
            out = []
    return out


def _makefile_commands() -> dict[str, list[str]]:
    """The drillsim command lines of `make fixtures`, by the fixture file each writes."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    block = text.split("\nfixtures:", 1)[1].split("\n\n", 1)[0]
    out = {}
    for line in block.splitlines()[1:]:
        words = shlex.split(line)
        target = words[words.index(">") + 1]
        args = words[1 : words.index(">")]
        out[Path(target).name] = args
    return out


COMMANDS = _makefile_commands()


def test_make_fixtures_writes_both_fixtures_with_the_real_commands():
    assert set(COMMANDS) == {"montecarlo_payment_outage.json", "compare_payment_outage.json"}
    assert [args[0] for args in COMMANDS.values()] == ["montecarlo", "compare"]
    for args in COMMANDS.values():
        assert "--json" in args


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_fixture_has_the_shape_the_command_prints_now(name, capsys):
    args = list(COMMANDS[name])
    args[args.index("-n") + 1] = "24"  # the same command, fewer replications
    assert main(args) == 0
    fresh = json.loads(capsys.readouterr().out)
    stored = json.loads((FIX / name).read_text(encoding="utf-8"))
    assert shape(stored) == shape(fresh)
    # the fixture came from the same scenario, variants and seed
    for key in ("kind", "scenario", "seed"):
        assert stored[key] == fresh[key], key
    assert stored["n"] == int(COMMANDS[name][COMMANDS[name].index("-n") + 1])


def test_shape_sees_a_missing_or_renamed_key():
    a = {"obligations": [{"id": "x", "p_hit": 0.5}], "final_grade": {"1": 0.5, "2": 0.5}}
    assert shape(a) == shape({"obligations": [{"id": "y", "p_hit": None}], "final_grade": {"3": 1}})
    assert shape(a) != shape({"obligations": [{"id": "x", "p_on_time": 0.5}], "final_grade": {}})
    assert shape(a) != shape({"obligations": [{"id": "x"}], "final_grade": {"1": 1.0}})
