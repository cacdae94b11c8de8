"""Plan text in the player's language: role, channel, task, duty and inject names, clock times."""

from __future__ import annotations

from drillsim.simulator.loader import Plan

from .i18n import Tr


class Names:
    def __init__(self, plan: Plan, tr: Tr):
        self.plan, self.tr, self.en = plan, tr, tr.lang == "en"
        proc, sc = plan.procedure, plan.scenario
        self.proc, self.sc = proc, sc
        h, m = map(int, sc.start_clock.split(":"))
        self._start = h * 60 + m

    def _pick(self, zh: str, en: str) -> str:
        return (en or zh) if self.en else zh

    # --- plan objects -----------------------------------------------------------------
    def role(self, r: str | None) -> str:
        if r is None:
            return self.tr("none")
        role = self.proc.roles.get(r)
        return self._pick(role.name, role.name_en) if role else r

    def roles(self, rs) -> str:
        return self.sep.join(self.role(r) for r in rs)

    @property
    def sep(self) -> str:
        return ", " if self.en else "、"

    def channel(self, c: str | None) -> str:
        if not c:
            return self.tr("none")
        ch = self.proc.channels.get(c)
        return self._pick(ch.name, ch.name_en) if ch else c

    def task(self, t: str) -> str:
        task = self.proc.tasks.get(t)
        return self._pick(task.name, task.name_en) if task else t

    def duty(self, oid: str) -> str:
        ob = self.proc.obligations.get(oid)
        return self._pick(ob.title, ob.title_en) if ob else oid

    def objective(self, oid: str) -> str:
        obj = next((o for o in self.sc.objectives if o.id == oid), None)
        return self._pick(obj.text, obj.text_en) if obj else oid

    def service(self, s: str) -> str:
        svc = self.proc.services.get(s)
        return self._pick(svc.name, svc.name_en) if svc else s

    def level(self, n: int | None) -> str:
        if n is None:
            return self.tr("none")
        if n == 0:
            return self.tr("level_0")
        g = self.proc.grading
        label = g.levels.get(n) if g else None
        if label and (not self.en or label.isascii()):
            return label
        return self.tr("level_n", n=n)

    def levels(self) -> list[int]:
        g = self.proc.grading
        return sorted(g.levels) if g else []

    def incident(self, inc: str | None) -> str:
        if inc is None:
            return self.tr("none")
        i = self.sc.incidents.get(inc)
        return (i.title or inc) if i else inc

    def inject_text(self, jid: str) -> str:
        inj = self.sc.injects[jid]
        return self._pick(inj.text, inj.text_en).strip()

    def inject_source(self, jid: str) -> str:
        return self.sc.injects[jid].source or self.tr("none")

    def scenario_title(self) -> str:
        return self._pick(self.sc.title, self.sc.title_en)

    def mode(self, mode: str) -> str:
        return self.tr(f"mode_name_{mode}")

    # --- time ------------------------------------------------------------------------
    def clock(self, t: float | None, seconds: bool = False) -> str:
        """Wall-clock time of day of simulated minute t ("09:42", or "09:42:30")."""
        if t is None:
            return self.tr("none")
        if seconds:
            total = int(round((self._start + t) * 60))
            day, rest = divmod(total, 86400)
            text = f"{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}"
        else:
            total = int(round(self._start + t))
            day, rest = divmod(total, 1440)
            text = f"{rest // 60:02d}:{rest % 60:02d}"
        return text + (f"+{day}d" if day else "")

    @staticmethod
    def span(minutes: float) -> str:
        """A duration as m:ss (or h:mm:ss)."""
        secs = int(round(abs(minutes) * 60))
        h, rest = divmod(secs, 3600)
        m, s = divmod(rest, 60)
        return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"

    def reason(self, reason: str) -> str:
        return {
            "scenario end": self.tr("reason_scenario_end"),
            "facilitator": self.tr("reason_facilitator"),
        }.get(reason, reason)

    def status(self, entry: dict, live: bool = False) -> str:
        s = entry["status"]
        if s == "late":
            return self.tr("status_late", late=f"{entry['late_by_min']:g} {self.tr('min')}")
        if s == "missed" and live:
            return self.tr("status_overdue")
        return self.tr(f"status_{s}")
