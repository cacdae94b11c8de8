"""The one wording catalogue: both languages have every key with the same placeholders, every
key the code asks for exists, a status reads the same everywhere, and durations and numbers
read as people expect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drillsim.words import LANGS, SECTIONS, WORDS, Tr, placeholders, t
from drillsim.words.formatting import clock, duration, num, when

ROOT = Path(__file__).resolve().parents[1]
CODE = [ROOT / d for d in ("drillsim", "simulator", "scoring", "tui")]


def test_both_languages_have_the_same_keys_and_placeholders():
    assert set(LANGS) == set(WORDS) == {"zh", "en"}
    assert WORDS["zh"].keys() == WORDS["en"].keys()
    for key in WORDS["zh"]:
        assert placeholders(WORDS["zh"][key]) == placeholders(WORDS["en"][key]), key
        assert WORDS["zh"][key].strip() and WORDS["en"][key].strip(), key


def test_each_section_has_both_languages_and_no_key_is_defined_twice():
    seen: set[str] = set()
    for name, section in SECTIONS.items():
        assert section["zh"].keys() == section["en"].keys(), name
        assert not (seen & section["en"].keys()), (name, seen & section["en"].keys())
        seen |= section["en"].keys()
    assert seen == WORDS["en"].keys()


def _used_keys() -> set[str]:
    used = set()
    for folder in CODE:
        for path in folder.rglob("*.py"):
            if path.parent.name == "words" and path.name != "names.py":
                continue
            src = path.read_text(encoding="utf-8")
            used |= set(re.findall(r'\btr\(\s*"([a-z0-9_]+)"', src))
            used |= set(re.findall(r'\b(?:t|w)\(\s*["\']([a-zA-Z0-9_/]+)["\']\s*[,)]', src))
            used |= set(re.findall(r'"(key_[a-z_]+)"', src))
            used |= set(re.findall(r'\(\s*"(help_[a-z_]+)"\s*,', src))
    return used


def test_every_key_the_code_uses_exists():
    used = _used_keys()
    missing = sorted(k for k in used if k not in WORDS["en"])
    assert not missing, missing
    assert len(used) > 300


@pytest.mark.parametrize(
    "prefix, names",
    [
        ("mode_", ["training", "exercise", "test"]),
        ("mode_name_", ["training", "exercise", "test"]),
        ("run_mode_", ["exercise", "test"]),
        ("", ["hit", "late", "missed", "open", "not_triggered", "overdue"]),
        ("state_", ["pending", "delivered", "skipped"]),
        ("msg_", ["in_flight", "delivered", "failed"]),
        ("clock_", ["paused", "running", "ended"]),
        ("type_", ["tabletop", "drill", "functional"]),
        ("player_", ["human", "script", "bot", "idle"]),
        ("cap_", ["planning", "organization", "equipment", "training", "exercise"]),
        ("rate_", ["P", "S", "M", "U", "N/O"]),
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
                "id",
                "title",
                "type",
                "procedures",
                "due",
            ],
        ),
        ("act_", ["absent", "returned"]),
    ],
)
def test_the_f_string_keys_exist(prefix, names):
    for name in names:
        assert prefix + name in WORDS["zh"], prefix + name


def test_a_status_reads_the_same_everywhere():
    # one word per status and language, and no second spelling of "late" hiding in a sentence
    assert [t(s, "en") for s in ("hit", "late", "missed")] == ["hit", "late", "missed"]
    assert [t(s, "zh") for s in ("hit", "late", "missed")] == ["按时", "迟延", "未完成"]
    for key, text in WORDS["zh"].items():
        assert not re.search("迟(?!延)", text), (key, text)
    for key, text in WORDS["en"].items():
        assert "on-time" not in text and "P(on time)" not in text, (key, text)
    assert t("late_by", "en", m=num(1.13935)) == "late 1.1 min"
    assert t("late_by", "zh", m=num(1.13935)) == "迟延1.1分钟"


def test_durations_read_as_durations_never_as_a_time_of_day():
    assert duration(10 + 54 / 60, "en") == "10 min 54 s"
    assert duration(10 + 54 / 60, "zh") == "10分54秒"
    assert duration(-(10 + 54 / 60), "zh") == "10分54秒"
    assert duration(15, "en") == "15 min" and duration(0.5, "zh") == "30秒"
    assert duration(120, "en") == "2 h" and duration(89.05, "zh") == "1小时29分3秒"
    assert ":" not in duration(75.5, "en")


def test_clock_times_and_numbers():
    assert clock("09:30", 70) == "10:40"
    assert clock("09:30", 70.5, seconds=True) == "10:40:30"
    assert clock("23:30", 40) == "00:10+1d"
    assert when("09:30", 3.94) == "09:34 (3.9′)"
    assert clock("09:30", None) == "-"
    assert num(7.0) == "7" and num(5.94) == "5.9" and num(None) == "-" and num(-0.01) == "0"


def test_tr_formats_and_knows_its_keys():
    tr = Tr("zh")
    assert tr("speed_fmt", x=10) == "10倍速"
    assert "key_help" in tr and "nonsense" not in tr
    assert Tr("en")("clock_minute", t="2.5") == "T+2.5 min"
    with pytest.raises(ValueError, match="unknown language"):
        Tr("fr")


def test_the_catalogue_does_not_pull_in_textual():
    import subprocess
    import sys

    code = (
        "import sys, drillsim.words.names; print('textual' in sys.modules, 'rich' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
