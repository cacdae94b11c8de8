"""The README's excerpts are what drillsim prints: the `run --json` example (keys, and every entry
it shows, value for value; "…" stands for any text) and the command table (every command exists,
with every option the table names)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from drillsim.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _run_json_excerpt() -> dict:
    after = README.split("**`drillsim run SCENARIO --seed N --json`** prints one object:", 1)[1]
    block = re.search(r"```json\n(.*?)\n```", after, re.S)
    assert block is not None
    return json.loads(block.group(1))


def _matches(shown, real) -> bool:
    if shown == "…":
        return isinstance(real, str)
    if isinstance(shown, dict):
        return (
            isinstance(real, dict)
            and shown.keys() == real.keys()
            and all(_matches(shown[k], real[k]) for k in shown)
        )
    return shown == real


def test_run_json_excerpt_is_what_run_prints(capsys):
    shown = _run_json_excerpt()
    assert main(["run", shown["scenario"], "--seed", str(shown["seed"]), "--json"]) == 0
    real = json.loads(capsys.readouterr().out)
    assert list(shown) == list(real)
    for key, value in shown.items():
        if isinstance(value, list) and value:  # an excerpt: each entry shown is a real one
            for item in value:
                assert any(_matches(item, r) for r in real[key]), (key, item)
        else:
            assert _matches(value, real[key]), key


def _table_rows() -> list[str]:
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `drillsim ")]


def _commands(row: str) -> list[tuple[list[str], list[str]]]:
    """(subcommand words, options) of each command written in the row's first cell."""
    cell = row.split(" | ")[0]
    out = []
    for code in re.findall(r"`(drillsim [^`]+)`", cell):
        words = code.replace("\\|", "|").split()[1:]
        head = [w for w in words[:2] if re.fullmatch(r"[a-z]+(\|[a-z]+)*", w)]
        if len(head) == 2 and "|" not in head[1] and head[0] != "msel":
            head = head[:1]  # e.g. `drillsim report LOG|RESULTS.json`
        options = re.findall(r"--[a-z][a-z-]*", code)
        for sub in head[1].split("|") if len(head) == 2 else [None]:
            out.append(([head[0]] + ([sub] if sub else []), options))
    return out


ROWS = _table_rows()


def test_the_table_lists_the_commands():
    named = {tuple(c) for row in ROWS for c, _ in _commands(row)}
    assert len(ROWS) >= 9
    assert {("run",), ("compare",), ("msel", "export"), ("msel", "import")} <= named


@pytest.mark.parametrize("row", ROWS, ids=[r.split("`")[1] for r in ROWS])
def test_every_command_in_the_table_exists_with_its_options(row, capsys):
    for words, options in _commands(row):
        with pytest.raises(SystemExit) as exc:
            main([*words, "--help"])
        assert exc.value.code == 0, words
        help_text = capsys.readouterr().out
        for option in options:
            assert re.search(rf"{option}\b", help_text), (words, option)
