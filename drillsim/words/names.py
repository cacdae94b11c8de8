"""Plan things named for people in one language: roles, channels, tasks, duties, services,
levels, incidents, objectives, and the plan's clock. The command line, the console and the
reports all name them through this one class, so a level reads the same on screen and on paper.
"""

from __future__ import annotations

from drillsim.simulator.titles import without_deadline

from . import t
from .formatting import clock, duration, level_word, num, when


class Names:
    """Localized names; an unknown id (or no plan at all) falls back to the id itself."""

    def __init__(self, plan, lang: str):
        self.plan, self.lang, self.en = plan, lang, lang == "en"
        self.proc = plan.procedure if plan is not None else None
        self.sc = plan.scenario if plan is not None else None

    def _pick(self, zh: str, en: str | None) -> str:
        return (en or zh) if self.en else zh

    def _named(self, table: str, key, zh_field="name", en_field="name_en") -> str | None:
        items = getattr(self.proc, table) if self.proc is not None else {}
        item = items.get(key)
        if item is None:
            return None
        return self._pick(getattr(item, zh_field), getattr(item, en_field))

    def w(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    # --- plan objects -----------------------------------------------------------------------
    def role(self, rid) -> str:
        if rid is None:
            return self.w("blank")
        return self._named("roles", rid) or str(rid)

    @property
    def sep(self) -> str:
        return ", " if self.en else "、"

    def roles(self, rids) -> str:
        return self.sep.join(self.role(r) for r in rids)

    def channel(self, cid) -> str:
        if not cid:
            return self.w("blank")
        return self._named("channels", cid) or str(cid)

    def task(self, tid) -> str:
        return self._named("tasks", tid) or str(tid)

    def service(self, sid) -> str:
        return self._named("services", sid) or str(sid)

    def duty(self, oid, fallback: dict | None = None, deadline: bool = True) -> str:
        """The title of the obligation a duty answers; `fallback` is a verdict entry carrying
        its own title, for logs whose plan is gone. `deadline=False` (test mode): the title
        without its deadline wording (simulator.titles)."""
        named = self._named("obligations", oid, "title", "title_en")
        if named:
            return named if deadline else without_deadline(named)
        if fallback:
            return self._pick(fallback.get("title") or str(oid), fallback.get("title_en"))
        return str(oid)

    def attribute(self, name: str) -> str:
        """An incident attribute as people call it: its description's Chinese part (before the
        first Latin letter) or its English rest; the identifier when it has none."""
        attr = self.proc.attributes.get(name) if self.proc is not None else None
        text = attr.description.strip() if attr else ""
        cut = next((i for i, ch in enumerate(text) if ch.isascii() and ch.isalpha()), len(text))
        zh, en = text[:cut].strip(), text[cut:].split(" (")[0].strip()
        return (en or name) if self.en else (zh or en or name)

    def criterion(self, rule) -> str:
        """A grading rule's (or Criterion's) wording: criterion_en in English where given."""
        return self._pick(rule.criterion, rule.criterion_en)

    def clause(self, oid) -> str:
        if self.proc is not None and oid in self.proc.obligations:
            return self.proc.obligations[oid].clause
        return ""

    def objective(self, obj) -> str:
        """An objective's text, given the objective or its id."""
        if isinstance(obj, str):
            found = next((o for o in self.sc.objectives if o.id == obj), None) if self.sc else None
            if found is None:
                return obj
            obj = found
        return self._pick(obj.text, obj.text_en)

    def incident(self, iid) -> str:
        """An incident's title (its id when it has none)."""
        if iid is None:
            return self.w("blank")
        inc = self.sc.incidents.get(iid) if self.sc is not None else None
        return (inc.title or str(iid)) if inc else str(iid)

    def incident_tagged(self, iid) -> str:
        """'I1 支付中断': id and title, for reports that list several incidents."""
        inc = self.sc.incidents.get(iid) if self.sc is not None else None
        return f"{iid} {inc.title}" if inc and inc.title else str(iid)

    def level(self, n) -> str:
        """A grading level: the procedure's own label (P1, 一级(重大)) when it reads in this
        language, else 'level 2' / '2级'; 0 is 'not an event'."""
        if n is None:
            return self.w("blank")
        g = self.proc.grading if self.proc is not None else None
        label = g.levels.get(n) if g is not None else None
        if label and (not self.en or label.isascii()):
            return label
        if n == 0:
            return self.w("level_0")
        return level_word(n, self.lang)

    def levels(self) -> list[int]:
        g = self.proc.grading if self.proc is not None else None
        return sorted(g.levels) if g else []

    def _inject(self, jid: str):
        if self.sc is None:
            raise ValueError("no scenario to name injects from")
        return self.sc.injects[jid]

    def inject_text(self, jid: str) -> str:
        inj = self._inject(jid)
        return self._pick(inj.text, inj.text_en).strip()

    def inject_expect(self, jid: str) -> str:
        """The expected player action of an inject (the MSEL's `expect`), as written."""
        return " ".join(self._inject(jid).expect.split())

    def inject_source(self, jid: str) -> str:
        return self._inject(jid).source or self.w("blank")

    def scenario_description(self) -> str:
        sc = self.sc
        return self._pick(sc.description, sc.description_en) if sc is not None else ""

    def scenario_title(self) -> str:
        return self._pick(self.sc.title, self.sc.title_en) if self.sc is not None else ""

    def mode(self, mode: str) -> str:
        return self.w(f"mode_name_{mode}")

    def reason(self, reason: str) -> str:
        """Why an exercise ended, as the log records it."""
        key = {"scenario end": "reason_scenario_end", "facilitator": "reason_facilitator"}
        return self.w(key[reason]) if reason in key else reason

    # --- verdicts ---------------------------------------------------------------------------
    def status(self, entry: dict, live: bool = False) -> str:
        """A duty's verdict: 'hit', 'late 1.1 min'; while the run goes on, a missed duty
        whose deadline passed is 'overdue'."""
        s = entry["status"]
        if s == "late":
            return self.w("late_by", m=num(entry["late_by_min"]))
        if s == "missed" and live:
            return self.w("overdue")
        return self.w(s)

    def acted_by(self, role, actor) -> str:
        """Who did a duty: the role, or 'deputy for role'."""
        if actor and actor != role:
            return self.w("acting_for", deputy=self.role(actor), role=self.role(role))
        return self.role(role)

    # --- time -------------------------------------------------------------------------------
    @property
    def start_clock(self) -> str:
        return self.sc.start_clock if self.sc is not None else "00:00"

    def clock(self, minutes, seconds: bool = False) -> str:
        """Simulated minutes as the scenario's time of day: '10:40' (or '09:10+1d')."""
        if minutes is None:
            return self.w("blank")
        return clock(self.start_clock, minutes, seconds)

    def when(self, minutes) -> str:
        """'10:40 (70′)' — both, so the reader can match the log and the clock."""
        return when(self.start_clock, minutes)

    def duration(self, minutes: float) -> str:
        """'10 min 54 s' / '10分54秒'."""
        return duration(minutes, self.lang)
