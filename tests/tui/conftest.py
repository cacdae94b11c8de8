"""Fixtures of the TUI tests; the helpers are in tuikit.py."""

from __future__ import annotations

import pytest


@pytest.fixture
def log_path(tmp_path):
    return tmp_path / "exercise.jsonl"
