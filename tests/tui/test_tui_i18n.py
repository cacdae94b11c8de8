"""Every UI string exists in Chinese and English, with the same placeholders, and every key the
code asks for exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from drillsim.tui.i18n import LANGS, STRINGS, Tr

TUI = Path(__file__).resolve().parents[2] / "tui"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys_and_placeholders():
    assert set(LANGS) == set(STRINGS) == {"zh", "en"}
    assert STRINGS["zh"].keys() == STRINGS["en"].keys()
    for key in STRINGS["zh"]:
        assert _fields(STRINGS["zh"][key]) == _fields(STRINGS["en"][key]), key
        assert STRINGS["zh"][key].strip() and STRINGS["en"][key].strip(), key


def test_every_key_the_code_uses_exists():
    used = set()
    for path in TUI.rglob("*.py"):
        src = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'\btr\(\s*"([a-z0-9_]+)"', src))
        used |= set(re.findall(r'"(key_[a-z_]+)"', src))
        used |= set(re.findall(r'\(\s*"(help_[a-z_]+)"\s*,', src))
    missing = sorted(k for k in used if k not in STRINGS["en"])
    assert not missing, missing
    assert len(used) > 60


def test_the_f_string_keys_exist():
    for prefix, names in (
        ("mode_", ["training", "exercise", "test"]),
        ("mode_name_", ["training", "exercise", "test"]),
        ("status_", ["hit", "late", "missed", "open", "not_triggered", "overdue"]),
        ("state_", ["pending", "delivered", "skipped"]),
        ("msg_", ["in_flight", "delivered", "failed"]),
        ("clock_", ["paused", "running", "ended"]),
        (
            "col_",
            [
                "state",
                "at",
                "inject",
                "to",
                "text",
                "verdict",
                "deadline",
                "role",
                "duty",
                "done",
                "clause",
                "service",
                "down",
                "restored",
                "downtime",
                "rto",
                "rto_met",
            ],
        ),
        ("act_", ["absent", "returned"]),
    ):
        for name in names:
            assert prefix + name in STRINGS["zh"], prefix + name


def test_tr_formats_and_knows_its_keys():
    tr = Tr("zh")
    assert tr("speed_fmt", x=10) == "10倍速"
    assert "key_help" in tr and "nonsense" not in tr
    assert Tr("en")("clock_minute", t="2.5") == "T+2.5 min"
