"""The drill record (演练记录/评估报告) of a live drill, from its log: what a safety office files.

Laid out as AQ/T 9009 (生产安全事故应急演练评估规范) and AQ/T 9007 (生产安全事故应急演练基本规范)
practice has it: the basic facts (name, date, time, location, organiser, scenario, participants
and evaluators by count and by name), the timeline of real events, each response step judged
against the plan, evacuation and headcount set against the model's prediction, the problems
found, improvement actions with owner and due date, the evaluation conclusion and a sign-off
block; attachments listed by path. One plain dict, rendered as HTML, Markdown or .docx.

The verdicts are `scoring.verdicts.score` over the log (corrected stamps at their corrected
minutes), the same as `drillsim score` and the console.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from drillsim.scoring.integrity import integrity
from drillsim.scoring.verdicts import UNSCORED, score
from drillsim.simulator.drill.evacuation import Prediction, predict
from drillsim.simulator.drill.headcount import headcount_of
from drillsim.simulator.drill.live import parse_wall
from drillsim.simulator.drill.roster import Roster
from drillsim.simulator.drill.site import load_site
from drillsim.simulator.eventlog import Chain
from drillsim.words import t
from drillsim.words.formatting import num
from drillsim.words.names import Names

DUE_DAYS = 30  # drafted improvement actions fall due a month after the drill
EPS = 1e-6


class _Clock:
    def __init__(self, wall_start: dt.datetime):
        self.start = wall_start

    def at(self, minute) -> str:
        if minute is None:
            return "-"
        return (self.start + dt.timedelta(minutes=minute)).strftime("%H:%M:%S")

    def stamp(self, minute) -> str:
        return "-" if minute is None else f"{self.at(minute)} (+{num(minute)}′)"


def _status(status: str, late_by, lang: str) -> str:
    """A verdict in the words every other surface uses for it."""
    if status == "late":
        return t("late_by", lang, m=num(late_by))
    if status == "stamped":
        return t("drill_st_stamped", lang)
    if status == "not_stamped":
        return t("rec_st_not_stamped", lang)
    return t(status, lang)


def _pick(lang, zh, en) -> str:
    return zh if lang == "zh" else (en or zh)


class _People:
    """Names as they may appear: by name, or (names left out) by a neutral label."""

    def __init__(self, lang: str, with_names: bool):
        self.lang, self.with_names = lang, with_names
        self._labels: dict[str, str] = {}

    def evaluator(self, name: str) -> str:
        if self.with_names or not name:
            return name
        if name not in self._labels:
            self._labels[name] = t("rec_evaluator_n", self.lang, n=len(self._labels) + 1)
        return self._labels[name]

    def person(self, p) -> str:
        who = f"{p.number} {p.name}" if self.with_names else p.number
        return f"{who} ({p.department}, {p.area})"


def drill_record(
    plan,
    events: list[dict],
    *,
    lang: str = "zh",
    names: bool = True,
    attachments: tuple[str, ...] | list[str] = (),
    ratings=None,
    prediction=None,
    log_path=None,
    chain: Chain | None = None,
) -> dict:
    sc = plan.scenario
    drill = sc.drill
    result = score(plan, events)
    d = result["drill"]
    start = parse_wall(d["wall_start"])
    clock = _Clock(start)
    people = _People(lang, names)
    header = events[0]
    roster = Roster.from_log(header["drill"]["roster"])
    hc = headcount_of(roster, events)
    end = result["end_min"]
    rows = d["milestones"]

    # --- basic facts ---------------------------------------------------------------------
    present = [p for p in hc.expected.values()]
    by_dept: dict[str, int] = {}
    for p in present:
        by_dept[p.department] = by_dept.get(p.department, 0) + 1
    evaluators = [people.evaluator(e) for e in d["people"]["evaluators"]]
    wardens = [people.evaluator(e) for e in d["people"]["wardens"]]
    roster_wardens = [p for p in roster.people if p.warden and p.present]
    facts = [
        ("rec_name", _pick(lang, sc.title, sc.title_en)),
        ("rec_date", start.date().isoformat()),
        ("rec_time", f"{clock.at(0)} – {clock.at(end)} ({num(end)} {t('rec_min', lang)})"),
        ("rec_location", drill.location or "-"),
        ("rec_organiser", drill.organiser or "-"),
        ("rec_type", t("rec_type_live", lang)),
        ("rec_scenario", _pick(lang, sc.description, sc.description_en) or "-"),
        (
            "rec_procedures",
            "; ".join(
                f"{s['id']} {_pick(lang, s['title'], s.get('title_en'))} (v{s['version']})"
                for s in plan.sources
            ),
        ),
        (
            "rec_participants",
            t("rec_participants_v", lang, n=len(present), depts=len(by_dept))
            + " "
            + "; ".join(f"{k} {v}" for k, v in by_dept.items()),
        ),
        (
            "rec_wardens",
            t(
                "rec_count_names",
                lang,
                n=len(roster_wardens),
                names=", ".join((f"{p.name}" if names else p.number) for p in roster_wardens)
                or "-",
            ),
        ),
        (
            "rec_evaluators",
            t("rec_count_names", lang, n=len(evaluators), names=", ".join(evaluators) or "-"),
        ),
        ("rec_assembly", drill.assembly_point or "-"),
    ]
    if wardens:
        facts.append(("rec_checkers", ", ".join(wardens)))
    if log_path is not None:
        facts.append(("rec_log", str(log_path)))
    if chain is not None:  # said in the record itself, whatever it is printed or saved as
        facts.append(("rec_integrity", chain.describe(lang)))

    # --- timeline of real events -------------------------------------------------------------
    titles = {r["id"]: _pick(lang, r["title"], r["title_en"]) for r in rows}
    timeline = []
    checkins = [ev for ev in events if ev["type"] == "checkin"]
    for ev in events:
        kind = ev["type"]
        if kind == "stamp":
            text = titles.get(ev["milestone"], ev["milestone"])
            extra = []
            if ev.get("auto"):
                extra.append(t("rec_auto", lang))
            if ev.get("note"):
                extra.append(ev["note"])
            if ev.get("was") is not None:
                extra.append(t("rec_was", lang, t=clock.at(ev["was"])))
            who = people.evaluator(ev.get("by", ""))
            timeline.append((ev["t"], text, who, "; ".join(extra)))
        elif kind == "stamp.corrected":
            timeline.append(
                (
                    ev["t"],
                    t("rec_correction", lang, id=ev["stamp"], at=clock.at(ev["at"])),
                    people.evaluator(ev.get("by", "")),
                    ev.get("note", ""),
                )
            )
        elif kind == "stamp.note":
            timeline.append(
                (
                    ev["t"],
                    t("rec_note", lang, id=ev["stamp"]),
                    people.evaluator(ev["by"]),
                    ev["note"],
                )
            )
        elif kind == "visitor":
            cat = t(f"rec_cat_{ev['category']}", lang)
            label = f"{ev['number']} {ev['name']}" if names else ev["number"]
            timeline.append(
                (
                    ev["t"],
                    t("rec_visitor", lang, kind=cat, who=label),
                    people.evaluator(ev["by"]),
                    ev.get("company", ""),
                )
            )
        elif kind == "headcount.closed":
            timeline.append(
                (
                    ev["t"],
                    t("rec_closed", lang, n=len(ev["missing"])),
                    people.evaluator(ev["by"]),
                    ev.get("note", ""),
                )
            )
        elif kind == "session.resumed":
            timeline.append((ev["t"], t("rec_resumed", lang), people.evaluator(ev["by"]), ""))
        elif kind == "inject":
            inj = sc.injects.get(ev["inject"])
            if inj is not None:
                timeline.append((ev["t"], _pick(lang, inj.text, inj.text_en), inj.source, ""))
    if checkins:
        half = checkins[(len(checkins) - 1) // 2]
        timeline.append((checkins[0]["t"], t("rec_first_checkin", lang), "", ""))
        timeline.append((half["t"], t("rec_half_checkin", lang, n=len(checkins)), "", ""))
    timeline.sort(key=lambda x: x[0])
    timeline_rows = [
        {"t": t, "clock": clock.stamp(t), "event": e, "by": b, "note": n} for t, e, b, n in timeline
    ]

    # --- each response step against the plan -------------------------------------------------
    steps = []
    for r in rows:
        status = r["status"]
        verdict = _status(status, r["late_by_min"], lang)
        plan_text = "-"
        if r["deadline_at"] is not None:
            plan_text = t(
                "rec_due", lang, due=clock.stamp(r["deadline_at"]), frm=clock.at(r["triggered_at"])
            )
        steps.append(
            {
                "id": r["id"],
                "step": _pick(lang, r["title"], r["title_en"]),
                "clause": r["clause"] or "-",
                "role": Names(plan, lang).role(r.get("role")) if r.get("role") else "-",
                "plan": plan_text,
                "actual": clock.stamp(r["stamped_at"]) if r["stamped_at"] is not None else "-",
                "verdict": verdict,
                "status": status,
                "corrected": bool(r["corrections"]),
            }
        )
    stamped_duties = {r["obligation"] for r in rows if r["obligation"]}
    for e in result["obligations"]:
        if e["status"] in UNSCORED or e["id"] in stamped_duties:
            continue
        ob = plan.procedure.obligations[e["id"]]
        steps.append(
            {
                "id": e["id"],
                "step": _pick(lang, ob.title, ob.title_en),
                "clause": ob.clause,
                "role": Names(plan, lang).role(ob.role),
                "plan": t(
                    "rec_due",
                    lang,
                    due=clock.stamp(e["deadline_at"]),
                    frm=clock.at(e["triggered_at"]),
                ),
                "actual": clock.stamp(e["done_at"]) if e["done_at"] is not None else "-",
                "verdict": _status(e["status"], e["late_by_min"], lang),
                "status": e["status"],
                "corrected": False,
            }
        )

    # --- headcount and the prediction --------------------------------------------------------
    missing = hc.closed["missing"] if hc.closed else [p.number for p in hc.missing()]
    headcount = {
        "expected": len(hc.expected),
        "accounted": len(hc.accounted),
        "visitors": sum(1 for p in hc.expected.values() if p.kind != "staff"),
        "complete_at": clock.stamp(hc.complete_at) if hc.complete_at is not None else None,
        "closed_at": clock.stamp(hc.closed["t"]) if hc.closed else None,
        "missing": [people.person(hc.people[n]) for n in missing if n in hc.people],
        "groups": [
            {"by": by, "name": g.name, "expected": g.expected, "accounted": g.accounted}
            for by in ("department", "area")
            for g in hc.groups(by)
        ],
    }
    measured = _measured(plan, rows, hc, lang)
    predicted = []
    if prediction is not None:
        for metric, label, minute in measured:
            if metric not in prediction.values:
                continue
            s = prediction.stats(metric)
            rank = prediction.rank(metric, minute) if minute is not None else None
            predicted.append(
                {
                    "metric": metric,
                    "label": label,
                    "measured": num(minute) if minute is not None else "-",
                    "mean": num(s["mean"]),
                    "range": f"{num(s['p5'])} – {num(s['p95'])}",
                    "rank": "-" if rank is None else f"{rank * 100:.0f}%",
                    "above": minute is not None and minute > s["p95"] + EPS,
                    "p95": s["p95"],
                    "minute": minute,
                }
            )

    # --- problems, actions, conclusion -------------------------------------------------------
    problems = []
    for s in steps:
        if s["status"] in ("late", "missed"):
            key = "rec_problem_late" if s["status"] == "late" else "rec_problem_missed"
            problems.append(
                {
                    "text": t(key, lang, step=s["step"], clause=s["clause"], verdict=s["verdict"]),
                    "owner": s["role"],
                    "action": t("rec_action_step", lang, step=s["step"]),
                }
            )
        elif s["status"] == "not_stamped":
            problems.append(
                {
                    "text": t("rec_problem_unstamped", lang, step=s["step"]),
                    "owner": _pick(lang, "办公室", "the office"),
                    "action": t("rec_action_unstamped", lang),
                }
            )
    if missing:
        problems.append(
            {
                "text": t("rec_problem_missing", lang, n=len(missing)),
                "owner": Names(plan, lang).role("office"),
                "action": t("rec_action_missing", lang),
            }
        )
    for p in predicted:
        if p["above"]:
            problems.append(
                {
                    "text": t(
                        "rec_problem_slow",
                        lang,
                        what=p["label"],
                        m=p["measured"],
                        p95=num(p["p95"]),
                    ),
                    "owner": Names(plan, lang).role("office"),
                    "action": t("rec_action_slow", lang, what=p["label"]),
                }
            )
    due = (start.date() + dt.timedelta(days=DUE_DAYS)).isoformat()
    if ratings is not None and ratings.improvement_plan is not None:
        actions = [
            {
                "issue": i.issue,
                "action": i.corrective_action,
                "owner": Names(plan, lang).role(i.responsible_role) if i.responsible_role else "-",
                "due": i.due.isoformat() if i.due else "-",
            }
            for i in ratings.improvement_plan
        ]
        actions_source = "ratings"
    else:
        actions = [
            {"issue": p["text"], "action": p["action"], "owner": p["owner"], "due": due}
            for p in problems
        ]
        actions_source = "drafted"
    scored = [s for s in steps if s["status"] in ("hit", "late", "missed")]
    late = sum(1 for s in scored if s["status"] == "late")
    missed = sum(1 for s in scored if s["status"] == "missed")
    if not missed and not late and not missing:
        conclusion = t("rec_conclusion_met", lang, n=len(scored))
        grade = "met"
    elif not missed and not missing:
        conclusion = t("rec_conclusion_mostly", lang, n=len(scored), late=late)
        grade = "mostly"
    else:
        conclusion = t(
            "rec_conclusion_not",
            lang,
            n=len(scored),
            late=late,
            missed=missed,
            missing=len(missing),
        )
        grade = "not"

    files = []
    for a in attachments:
        path = Path(a)
        if path.is_file():
            data = path.read_bytes()
            files.append(
                {
                    "path": str(a),
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest()[:16],
                }
            )
        else:
            files.append({"path": str(a), "size": None, "sha256": t("rec_not_found", lang)})

    return {
        "kind": "drill_record",
        "lang": lang,
        "title": t("rec_title", lang),
        "subtitle": t("rec_subtitle", lang),
        "facts": [{"key": k, "label": t(k, lang), "value": v} for k, v in facts],
        "log_integrity": integrity(chain, lang) if chain is not None else None,
        "timeline": timeline_rows,
        "steps": steps,
        "headcount": headcount,
        "prediction": predicted,
        "prediction_info": prediction.to_dict() if prediction is not None else None,
        "problems": problems,
        "actions": actions,
        "actions_source": actions_source,
        "conclusion": conclusion,
        "conclusion_grade": grade,
        "attachments": files,
        "signoff": [
            t(k, lang)
            for k in ("rec_sign_author", "rec_sign_lead", "rec_sign_review", "rec_sign_approve")
        ],
        "names": names,
        "summary": result["summary"],
    }


def _measured(plan, rows, hc, lang) -> list[tuple[str, str, float | None]]:
    """(metric of the evacuation model, label, measured minute) for what the drill measured."""
    lang_rows = {r["id"]: r for r in rows}
    out = []
    for mid, m in plan.scenario.drill.milestones.items():
        if m.measures is None:
            continue
        r = lang_rows[mid]
        out.append((m.measures, _pick(lang, r["title"], r["title_en"]), r["stamped_at"]))
    for g in hc.groups("area"):
        if g.accounted == g.expected and g.expected:
            last = max(
                hc.accounted[n][0] for n, p in hc.expected.items() if (p.area or "-") == g.name
            )
            out.append((f"checked:{g.name}", t("rec_area_checked", lang, area=g.name), last))
    return out


def prediction_for(plan, events: list[dict], n: int = 200, seed: int = 1) -> Prediction | None:
    """The evacuation model's prediction for the drill in this log: its site (with any variant's
    changes), the people present today per area from the log's roster."""
    site = load_site(plan)
    if site is None or n <= 0:
        return None
    roster = Roster.from_log(events[0]["drill"]["roster"])
    counts: dict[str, int] = {}
    for p in roster.people:
        if p.present:
            counts[p.area] = counts.get(p.area, 0) + 1
    wardens = sum(1 for p in roster.people if p.warden and p.present) or None
    return predict(site, counts, wardens, n=n, seed=seed)


def is_drill_log(path) -> bool:
    """A drill log: a JSON Lines log whose `start` event has the `drill` part."""
    import json

    try:
        with open(path, encoding="utf-8") as f:
            first = json.loads(f.readline())
    except (OSError, ValueError):
        return False
    return isinstance(first, dict) and first.get("type") == "start" and "drill" in first
