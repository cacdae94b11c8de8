"""Numbers, clock times and durations as people read them, in either language."""

from __future__ import annotations

from . import t


def num(x, digits: int = 1) -> str:
    """Rounded for people: 7.0 -> '7', 5.94 -> '5.9', 1.13935 -> '1.1'; None -> '-'."""
    if x is None:
        return "-"
    text = f"{x:.{digits}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def pct(p, digits: int = 0) -> str:
    return "-" if p is None else f"{p * 100:.{digits}f}%"


def ci(pair, digits: int = 0) -> str:
    if not pair or pair[0] is None:
        return "-"
    return f"{pct(pair[0], digits)}–{pct(pair[1], digits)}"


def dci(pair, digits: int = 1) -> str:
    """The interval of a change in percentage points: '+1.4…+6.6 pp'."""
    if not pair or pair[0] is None:
        return "-"
    return f"{pair[0] * 100:+.{digits}f}…{pair[1] * 100:+.{digits}f} pp"


_ZH_NUMERALS = "零一二三四五六七八九十"


def level_word(n, lang: str) -> str:
    """A grading level as people say it: 一级 (not 1级) / level 1."""
    n = int(n)
    if lang == "zh" and 0 <= n <= 10:
        return t("level_n", lang, n=_ZH_NUMERALS[n])
    return t("level_n", lang, n=n)


def start_minute(start_clock: str) -> int:
    h, m = map(int, start_clock.split(":"))
    return h * 60 + m


def clock(start_clock: str, minutes, seconds: bool = False) -> str:
    """The time of day of simulated minute `minutes` in a scenario starting at `start_clock`:
    '10:40', '10:40:30' with seconds, '09:10+1d' on a later day; None -> '-'."""
    if minutes is None:
        return "-"
    start = start_minute(start_clock)
    if seconds:
        day, rest = divmod(int(round((start + minutes) * 60)), 86400)
        text = f"{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}"
    else:
        day, rest = divmod(int(round(start + minutes)), 1440)
        text = f"{rest // 60:02d}:{rest % 60:02d}"
    return text + (f"+{day}d" if day else "")


def when(start_clock: str, minutes) -> str:
    """'10:40 (70′)': the clock and the scenario minute, so a reader can match log and clock."""
    if minutes is None:
        return "-"
    return f"{clock(start_clock, minutes)} ({num(minutes)}′)"


def duration(minutes: float, lang: str) -> str:
    """A span of time as a duration, never like a time of day: '10 min 54 s', '10分54秒',
    '1 h 5 min'. Rounded to the second; the sign is dropped (the caller says left or over)."""
    secs = int(round(abs(minutes) * 60))
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    if h:
        if s:
            return t("dur_hms", lang, h=h, m=m, s=s)
        return t("dur_hm", lang, h=h, m=m) if m else t("dur_h", lang, h=h)
    if m:
        return t("dur_ms", lang, m=m, s=s) if s else t("dur_m", lang, m=m)
    return t("dur_s", lang, s=s)
