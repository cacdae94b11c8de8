"""Duty titles without their deadlines, for the modes that must not show them (test).

The procedures' titles say when a duty is due ("10分钟内…", "… within 15 min"), which is what a
reader of the plan wants and what a trainee under test must not be told. The deadline-free title
is derived here rather than kept twice in every file: each procedure writes its titles once,
and `tests/test_titles.py` checks that no shipped title keeps a deadline after stripping.
Conditions that only look like times (修理需8小时以上, "8 h or more") are kept. The patterns
are compiled (by `re`, which keeps them) when a title is first stripped, not by every start.
"""

from __future__ import annotations

import re

_UNIT_ZH = r"(?:分钟|小时|个月)"
_ZH = [
    (r"[((][^()()]*\d+\s*" + _UNIT_ZH + r"[^()()]*[))]", ""),  # (目标8小时内)
    (r"(?:在|于)?\d+\s*" + _UNIT_ZH + r"(?:以)?内", ""),  # 15分钟内
    (r"每\d+\s*" + _UNIT_ZH, "定期"),  # 每30分钟 -> 定期
    (r"当日下班前", ""),
]
_UNIT_EN = r"(?:min|minutes|h|hours?)\b"
_EN = [
    (r"\s*\([^()]*\d+\s*" + _UNIT_EN + r"[^()]*\)", ""),  # (target within 8 h)
    (
        r"\s*within \d+(?:\.\d+)?\s*" + _UNIT_EN + r"(?:\s+of\b[^,;()]*?(?=\s*\(|$))?",
        "",
    ),
    (r"\bevery \d+\s*" + _UNIT_EN, "regularly"),
    (r"\s*before the end of the working day", ""),
]
_SPACES = r"\s{2,}"
_EDGES = r"^[\s,,]+|[\s,,]+$"


def without_deadline(title: str) -> str:
    """The title with its deadline wording taken out (Chinese and English alike)."""
    out = title
    for pattern, repl in (*_ZH, *_EN):
        out = re.sub(pattern, repl, out)
    out = re.sub(_EDGES, "", re.sub(_SPACES, " ", out))
    return out or title
