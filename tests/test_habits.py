"""Habits of the test suite itself: no test skips, and no assertion that is skipped when a
condition does not hold (an `if` whose branch asserts while the other path asserts nothing)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SKIPS = {"skip", "skipif", "importorskip", "xfail"}


def _asserts(nodes) -> bool:
    return any(isinstance(n, ast.Assert) for node in nodes for n in ast.walk(node))


def _findings(source: str, name: str) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.If) and _asserts(node.body) and not _asserts(node.orelse):
            out.append(f"{name}:{node.lineno}: assertion only when {ast.unparse(node.test)}")
        if isinstance(node, ast.Attribute) and node.attr in SKIPS:
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id == "pytest":
                out.append(f"{name}:{node.lineno}: pytest.{node.attr}")
    return out


def test_no_skips_and_no_conditional_assertions():
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        if "__snapshots__" not in path.parts:
            found += _findings(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS)))
    assert found == []


def test_the_check_sees_both_patterns():
    bad = "import pytest\ndef test_x(v):\n    if v:\n        assert v\n    pytest.skip('no')\n"
    assert len(_findings(bad, "x.py")) == 2
    good = "def test_x(v):\n    if v:\n        assert v\n    else:\n        assert not v\n"
    assert _findings(good, "x.py") == []
