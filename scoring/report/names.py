"""Names of roles, channels, duties … in the report's language, and time formats."""

from __future__ import annotations

from .i18n import t


def num(x, digits: int = 1) -> str:
    """7.0 -> '7', 5.94 -> '5.9'; None -> '-'."""
    if x is None:
        return "-"
    text = f"{x:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def pct(p, digits: int = 0) -> str:
    return "-" if p is None else f"{p * 100:.{digits}f}%"


def ci(pair, digits: int = 0) -> str:
    if not pair or pair[0] is None:
        return "-"
    return f"{pct(pair[0], digits)}–{pct(pair[1], digits)}"


def clock_text(start: str, minutes, with_minutes: bool = True) -> str:
    """Simulated minutes as the clock of a scenario starting at `start`: '10:40 (70′)'."""
    if minutes is None:
        return "-"
    h, m = map(int, start.split(":"))
    total = int(round(h * 60 + m + minutes))
    day = total // 1440
    text = f"{total // 60 % 24:02d}:{total % 60:02d}" + (f"+{day}d" if day else "")
    return text + (f" ({num(minutes)}′)" if with_minutes else "")


def dci(pair, digits: int = 1) -> str:
    """The interval of a change in percentage points: '+1.4…+6.6 pp'."""
    if not pair or pair[0] is None:
        return "-"
    return f"{pair[0] * 100:+.{digits}f}…{pair[1] * 100:+.{digits}f} pp"


class Names:
    """Localized names, falling back to ids when there is no plan (or the id is unknown)."""

    def __init__(self, plan, lang: str):
        self.plan, self.lang = plan, lang
        self.proc = plan.procedure if plan is not None else None
        self.sc = plan.scenario if plan is not None else None

    def _pick(self, item, zh_field="name", en_field="name_en") -> str:
        zh = getattr(item, zh_field)
        return zh if self.lang == "zh" else (getattr(item, en_field) or zh)

    def role(self, rid) -> str:
        if rid is None:
            return "-"
        if self.proc is not None and rid in self.proc.roles:
            return self._pick(self.proc.roles[rid])
        return str(rid)

    def channel(self, cid) -> str:
        if self.proc is not None and cid in self.proc.channels:
            return self._pick(self.proc.channels[cid])
        return str(cid)

    def service(self, sid) -> str:
        if self.proc is not None and sid in self.proc.services:
            return self._pick(self.proc.services[sid])
        return str(sid)

    def task(self, tid) -> str:
        if self.proc is not None and tid in self.proc.tasks:
            return self._pick(self.proc.tasks[tid])
        return str(tid)

    def duty(self, oid, fallback: dict | None = None) -> str:
        if self.proc is not None and oid in self.proc.obligations:
            return self._pick(self.proc.obligations[oid], "title", "title_en")
        if fallback:
            return (
                fallback.get("title_en")
                if self.lang == "en" and fallback.get("title_en")
                else fallback.get("title") or str(oid)
            )
        return str(oid)

    def clause(self, oid) -> str:
        if self.proc is not None and oid in self.proc.obligations:
            return self.proc.obligations[oid].clause
        return ""

    def objective(self, obj) -> str:
        return obj.text if self.lang == "zh" else (obj.text_en or obj.text)

    def incident(self, iid) -> str:
        if self.sc is not None and iid in self.sc.incidents and self.sc.incidents[iid].title:
            return f"{iid} {self.sc.incidents[iid].title}"
        return str(iid)

    def level(self, n) -> str:
        if n is None:
            return "-"
        g = self.proc.grading if self.proc is not None else None
        if g is not None and n in g.levels:
            label = g.levels[n]
            return label if self.lang == "zh" else f"{t(self.lang, 'level_n', n=n)} ({label})"
        if n == 0:
            return "0"
        return t(self.lang, "level_n", n=n)

    def scenario_title(self) -> str:
        return self._pick(self.sc, "title", "title_en") if self.sc is not None else ""

    # --- time ---------------------------------------------------------------------------
    def clock(self, minutes) -> str:
        """Simulated minutes as the scenario's wall clock: '10:40' (or '09:10+1d')."""
        return clock_text(self.sc.start_clock if self.sc is not None else "00:00", minutes, False)

    def when(self, minutes) -> str:
        """'10:40 (70′)' — both, so the reader can match the log and the clock."""
        return clock_text(self.sc.start_clock if self.sc is not None else "00:00", minutes)
