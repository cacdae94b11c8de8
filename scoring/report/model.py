"""The after-action report's content, gathered from the log, the plan and the evaluators' ratings.

`exercise_report(plan, events, …)` returns one plain dict (JSON-ready) that the HTML, Markdown
and JSON writers render; `scoring.report.montecarlo_report` builds the same layout from
replication results. Verdicts come from `scoring.verdicts.score`, the same code the TUI and
`drillsim score` use, so the report cannot disagree with them.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from drillsim.scoring.integrity import integrity, integrity_row
from drillsim.scoring.ratings import RATINGS, Ratings
from drillsim.scoring.verdicts import UNSCORED, score
from drillsim.simulator.eventlog import Chain
from drillsim.words import t
from drillsim.words.formatting import num, pct
from drillsim.words.names import Names

from . import drafting
from .chain import Chains

EPS = 1e-6
WORST = {"missed": 5, "late": 4, "open": 3, "hit": 2, "void": 1, "not_triggered": 0}


# --- the exercise date -------------------------------------------------------------------------


def exercise_date(
    events: list[dict], log_path=None, override=None, fallback=None
) -> tuple[dt.date, str]:
    """The date and where it came from: --date, a person's wall-clock stamp, `fallback` (the ratings
    file's date), the log file's modification date, today."""
    if override:
        return (
            override if isinstance(override, dt.date) else dt.date.fromisoformat(str(override))
        ), "option"
    for ev in events:
        wall = ev.get("wall")
        if wall:
            try:
                return dt.datetime.fromisoformat(str(wall).replace("Z", "+00:00")).date(), "wall"
            except ValueError:
                continue
    if fallback:
        return fallback, "ratings"
    if log_path is not None and Path(log_path).exists():
        return dt.date.fromtimestamp(os.path.getmtime(log_path)), "file"
    return dt.date.today(), "today"


# --- an index of the log ---------------------------------------------------------------------------


class LogIndex:
    def __init__(self, events: list[dict]):
        self.events = events
        self.msgs: dict[int, dict] = {}
        self.acts: list[dict] = []
        self.absent: dict[str, list[list]] = {}
        self.wall: dict[tuple, str] = {}  # (t, role) -> wall-clock stamp of a person's action
        self.end = 0.0
        for ev in events:
            kind = ev["type"]
            self.end = max(self.end, ev["t"])
            if kind == "message.sent":
                self.msgs[ev["msg"]] = {"sent": ev, "delivered": None, "failed": None}
            elif kind == "message.delivered" and ev["msg"] in self.msgs:
                self.msgs[ev["msg"]]["delivered"] = ev
            elif kind == "message.failed" and ev["msg"] in self.msgs:
                self.msgs[ev["msg"]]["failed"] = ev
            elif kind in ("task", "grade", "classify"):
                self.acts.append(ev)
            elif kind == "action" and ev.get("wall"):
                self.wall[(round(ev["t"], 6), ev["role"])] = str(ev["wall"])
            elif kind == "absent":
                self.absent.setdefault(ev["role"], []).append([ev["t"], None])
            elif kind == "returned" and self.absent.get(ev["role"]):
                self.absent[ev["role"]][-1][1] = ev["t"]

    def wall_of(self, t: float, role: str) -> str:
        """' [09:33:05]' when a person's action at simulated time t carries a wall-clock stamp."""
        stamp = self.wall.get((round(t, 6), role))
        if not stamp:
            return ""
        try:
            return (
                " ["
                + dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).strftime("%H:%M:%S")
                + "]"
            )
        except ValueError:
            return f" [{stamp}]"

    def absent_during(self, role: str, lo: float, hi: float) -> bool:
        return any(
            a <= hi + EPS and (b is None or b >= lo - EPS) for a, b in self.absent.get(role, [])
        )


def evidence(entry: dict, plan, idx: LogIndex, names: Names, lang: str, end: float) -> dict:
    """The log's events that bear on one occurrence of a duty, as sentences and as facts."""
    proc = plan.procedure
    ob = proc.obligations[entry["id"]]
    act = ob.action
    lo = entry["triggered_at"] - EPS
    hi = (entry["done_at"] if entry["done_at"] is not None else end) + EPS
    role = entry["role"]
    actors = {
        role,
        entry.get("acted_by"),
        proc.roles[role].deputy if role in proc.roles else None,
    } - {None}
    inc = entry["incident"]
    lines: list[str] = []
    seqs: list[int] = []
    out: dict[str, list[Any]] = {
        "lines": lines,
        "seqs": seqs,
        "failed": [],
        "wrong": [],
        "fallback": [],
        "parts": [],
    }
    if act.do in ("task", "grade", "classify"):
        for ev in idx.acts:
            if (
                ev["type"] != act.do
                or ev["incident"] != inc
                or ev["actor"] not in actors
                or not lo <= ev["t"] <= hi
            ):
                continue
            if act.do == "task" and ev["task"] != act.task:
                continue
            seqs.append(ev["seq"])
            who = names.role(ev["actor"])
            if act.do == "task":
                lines.append(
                    t(
                        "ev_task",
                        lang,
                        time=names.clock(ev["t"]),
                        task=names.task(ev["task"]),
                        actor=who,
                        failed="" if ev.get("success", True) else t("ev_task_failed", lang),
                    )
                )
            elif act.do == "grade":
                lines.append(
                    t(
                        "ev_grade",
                        lang,
                        time=names.clock(ev["t"]),
                        level=names.level(ev["level"]),
                        actor=who,
                    )
                )
            else:
                lines.append(
                    t(
                        "ev_classify",
                        lang,
                        time=names.clock(ev["t"]),
                        impact=ev.get("impact"),
                        urgency=ev.get("urgency"),
                        level=names.level(ev.get("level")),
                        actor=who,
                    )
                )
            lines[-1] += idx.wall_of(ev["t"], ev["actor"])
    else:
        allowed = set(act.via).union(
            *(proc.channels[c].alternatives for c in act.via if c in proc.channels)
        )
        relevant = [
            m
            for m in idx.msgs.values()
            if m["sent"]["from"] in actors
            and m["sent"]["to"] in act.to
            and m["sent"]["incident"] == inc
            and lo <= m["sent"]["t"] <= hi
        ]
        for m in relevant:
            s = m["sent"]
            seqs.append(s["seq"])
            if m["delivered"] is not None:
                outcome = t("ev_delivered", lang, time=names.clock(m["delivered"]["t"]))
            elif m["failed"] is not None:
                outcome = t("ev_failed", lang, reason=m["failed"].get("reason", ""))
                out["failed"].append(m)
            else:
                outcome = t("ev_pending", lang)
            if s["via"] not in allowed:
                out["wrong"].append(m)
            lines.append(
                t(
                    "ev_sent",
                    lang,
                    time=names.clock(s["t"]),
                    frm=names.role(s["from"]),
                    to=names.role(s["to"]),
                    via=names.channel(s["via"]),
                    outcome=outcome,
                )
                + idx.wall_of(s["t"], s["from"])
            )
        # each part the duty needs (recipient x channel group): when it was first sent and delivered
        if act.via_mode == "all":
            groups = [[c, *proc.channels[c].alternatives] for c in act.via]
        else:
            groups = [
                sorted(allowed, key=lambda c: (c not in act.via, list(proc.channels).index(c)))
            ]
        parts = []
        for r in act.to:
            for g in groups:
                sent = [
                    m["sent"]["t"]
                    for m in relevant
                    if m["sent"]["to"] == r and m["sent"]["via"] in g and m["delivered"] is not None
                ]
                parts.append({"to": r, "via": g, "sent_at": min(sent) if sent else None})
        out["parts"] = parts
        for m in out["failed"]:
            if m["failed"].get("reason") != "outage":
                continue
            s = m["sent"]
            for other in relevant:
                o = other["sent"]
                if (
                    o["to"] == s["to"]
                    and o["via"] != s["via"]
                    and o["via"] in allowed
                    and other["delivered"] is not None
                    and o["t"] >= s["t"] - EPS
                ):
                    out["fallback"].append((s["from"], s["via"], o["via"]))
                    break
    if not lines:
        lines.append(t("ev_none", lang))
    if len(lines) > 6:
        more = len(lines) - 5
        del lines[5:]
        lines.append(t("ev_more", lang, n=more))
    return out


# --- the report ---------------------------------------------------------------------------------


def exercise_report(
    plan,
    events: list[dict],
    *,
    ratings: Ratings | None = None,
    date=None,
    lang: str = "en",
    log_path=None,
    source: str | None = None,
    chain: Chain | None = None,
) -> dict:
    """`chain`: what reading the log found of its hash chain, stated in the report itself."""
    from .timeline_svg import timeline_svg

    names = Names(plan, lang)
    sc, proc = plan.scenario, plan.procedure
    result = score(plan, events)
    header = events[0] if events and events[0]["type"] == "start" else {}
    end = result["end_min"]
    idx = LogIndex(events)
    day, day_source = exercise_date(events, log_path, date, ratings.date if ratings else None)
    players = header.get("players", {})
    chains = Chains(plan, result["obligations"])

    # evidence and display fields for every verdict entry
    entries = []
    for e in result["obligations"]:
        e = dict(e)
        e["role_name"] = names.role(e["role"])
        e["acted_by_name"] = names.role(e["acted_by"]) if e["acted_by"] else None
        e["title_local"] = names.duty(e["id"])
        e["verdict_text"] = names.status(e)
        if e["triggered_at"] is not None:
            ev = evidence(e, plan, idx, names, lang, end)
            e["evidence"] = ev["lines"]
            e["evidence_seq"] = ev["seqs"]
            e["_facts"] = ev
        else:
            e["evidence"], e["evidence_seq"], e["_facts"] = [], [], None
        link = chains.cause(e) if e["triggered_at"] is not None else None
        e["delayed_by"] = (
            {
                "id": link.upstream["id"],
                "occurrence": link.upstream["occurrence"],
                "delay_min": round(link.delay, 3),
            }
            if link
            else None
        )
        entries.append(e)

    # objectives and their critical tasks
    objectives = []
    for obj in sc.objectives:
        tasks = []
        for oid in obj.obligations:
            duty = [e for e in entries if e["id"] == oid]
            worst = max(
                (e["status"] for e in duty), key=lambda s: WORST[s], default="not_triggered"
            )
            rated = ratings.for_task(oid, obj.id) if ratings else None
            per_incident = {}
            if ratings:
                for e in duty:
                    if e["incident"] is not None:
                        r = ratings.for_task(oid, obj.id, e["incident"])
                        if r is not None and r.incident is not None:
                            per_incident[e["incident"]] = {
                                "rating": r.rating,
                                "observation": r.observation,
                            }
            tasks.append(
                {
                    "obligation": oid,
                    "clause": proc.obligations[oid].clause,
                    "title": names.duty(oid),
                    "role": proc.obligations[oid].role,
                    "role_name": names.role(proc.obligations[oid].role),
                    "status": worst,
                    "occurrences": duty,
                    "rating": rated.rating if rated else None,
                    "observation": rated.observation if rated else "",
                    "incident_ratings": per_incident,
                }
            )
        orating = ratings.for_objective(obj.id) if ratings else None
        triggered = [x for x in tasks if x["status"] not in UNSCORED]
        passed = bool(triggered) and all(
            o["status"] == "hit"
            for x in triggered
            for o in x["occurrences"]
            if o["status"] not in UNSCORED
        )
        objectives.append(
            {
                "id": obj.id,
                "text": names.objective(obj),
                "tasks": tasks,
                "rating": orating.rating if orating else None,
                "observation": orating.observation if orating else "",
                "passed": passed if sc.mode == "test" else None,
            }
        )

    # grading correctness and continuity
    grading = [
        {
            **g,
            "actor_name": names.role(g["actor"]),
            "declared_text": names.level(g["declared"]),
            "true_text": names.level(g["true"]),
            "clock": names.clock(g["t"]),
        }
        for g in result["grading"]
    ]
    continuity = [{**c, "name_local": names.service(c["service"])} for c in result["continuity"]]

    overview = _overview(
        plan, header, names, lang, day, day_source, ratings, log_path, source, result
    )
    if chain is not None:
        overview.append(integrity_row("f_integrity", chain, lang))
    participants = [
        {
            "role": r,
            "name": names.role(r),
            "played_by": players.get(r, "idle"),
            "played_by_text": t(f"player_{players.get(r, 'idle')}", lang),
            "deputy": names.role(x.deputy) if x.deputy else "",
            "absent": [[a, b] for a, b in idx.absent.get(r, [])],
        }
        for r, x in proc.roles.items()
    ]

    ctx = drafting.Context(
        plan=plan,
        names=names,
        lang=lang,
        entries=entries,
        chains=chains,
        idx=idx,
        players=players,
        grading=grading,
        continuity=continuity,
        objectives=objectives,
        date=day,
        end=end,
    )
    strengths = drafting.strengths(ctx)
    improvements = drafting.improvements(ctx)
    drafted_plan = drafting.improvement_plan(ctx, improvements)
    if ratings is not None and ratings.improvement_plan is not None:
        plan_items = [
            _plan_row(i.model_dump(mode="json"), names, lang) for i in ratings.improvement_plan
        ]
        plan_source = "ratings"
    else:
        plan_items = [_plan_row(i, names, lang) for i in drafted_plan]
        plan_source = "drafted"

    summary = _summary(result, grading, continuity, objectives, ratings, names, lang, sc.mode)
    for e in entries:
        e.pop("_facts", None)
    return {
        "kind": "exercise",
        "lang": lang,
        "title": t("title_exercise", lang),
        "subtitle": t("subtitle_exercise", lang),
        "scenario": {
            "id": sc.id,
            "title": names.scenario_title(),
            "exercise_type": sc.exercise_type,
            "mode": sc.mode,
            "start_clock": sc.start_clock,
            "duration_min": sc.duration_min,
        },
        "date": day.isoformat(),
        "date_source": day_source,
        "overview": overview,
        "participants": participants,
        "summary": summary,
        "objectives": objectives,
        "grading": grading,
        "continuity": continuity,
        "timeline_svg": timeline_svg(plan, events, result, lang),
        "strengths": strengths,
        "improvements": improvements,
        "hotwash": ratings.hotwash.model_dump()
        if ratings
        else {"strengths": [], "improvements": [], "feedback": []},
        "improvement_plan": plan_items,
        "improvement_plan_source": plan_source,
        "drafted_improvement_plan": drafted_plan,
        "evaluator": ratings.evaluator if ratings else "",
        "rated": ratings is not None,
        "rating_counts": ratings.counts() if ratings else None,
        "multi_incident": len(sc.incidents) > 1,
        "verdicts": entries,
        "totals": result["summary"],
        "end_min": end,
        "generator": {"drillsim": header.get("drillsim", ""), "source": source or ""},
        "log_integrity": integrity(chain, lang) if chain is not None else None,
    }


def _plan_row(item: dict, names: Names, lang: str) -> dict:
    row = dict(item)
    row["capability_text"] = t(f"cap_{row['capability']}", lang)
    row["responsible_text"] = (
        names.role(row["responsible_role"]) if row.get("responsible_role") else t("planners", lang)
    )
    due = row.get("due")
    row["due"] = due.isoformat() if isinstance(due, dt.date) else due
    return row


def _overview(
    plan, header, names: Names, lang, day, day_source, ratings, log_path, source, result
) -> list[dict]:
    sc = plan.scenario
    rows = [
        ("f_title", names.scenario_title()),
        ("f_scenario", sc.id),
        ("f_type", t(f"type_{sc.exercise_type}", lang)),
        ("f_mode", t(f"run_mode_{sc.mode}", lang)),
        ("f_date", day.isoformat()),
        ("f_start", sc.start_clock),
        (
            "f_duration",
            f"{num(result['end_min'])} / {num(sc.duration_min)}{'' if lang == 'zh' else ' '}{t('min', lang)}",
        ),
        (
            "f_procedures",
            "; ".join(
                f"{s['id']} {s['title'] if lang == 'zh' else s.get('title_en') or s['title']} "
                f"(v{s['version']})"
                for s in plan.sources
            ),
        ),
        ("f_variants", ", ".join(plan.variants) or t("none", lang)),
        ("f_seed", str(header.get("seed", "-"))),
        (
            "f_absences",
            "; ".join(
                f"{names.role(a.role)} {names.clock(a.begins)}–{names.clock(a.until_min)}"
                for a in sc.absences
            )
            or t("none", lang),
        ),
        (
            "f_outages",
            "; ".join(
                f"{names.channel(o.channel)} {names.clock(o.start_min)}–{names.clock(o.until_min)}"
                for o in sc.outages
            )
            or t("none", lang),
        ),
    ]
    if ratings is not None and ratings.evaluator:
        rows.append(("f_evaluator", ratings.evaluator))
    if sc.description:
        rows.append(("f_description", names.scenario_description()))
    if source:
        rows.append(("f_log", str(source)))
    return [{"key": k, "label": t(k, lang), "value": v} for k, v in rows]


def _summary(
    result, grading, continuity, objectives, ratings, names: Names, lang, mode
) -> list[str]:
    s = result["summary"]
    scored = s["hit"] + s["late"] + s["missed"]
    out = [
        t(
            "sum_duties",
            lang,
            hit=s["hit"],
            scored=scored,
            rate=pct(s["sla_hit_rate"]),
            late=s["late"],
            missed=s["missed"],
            not_triggered=s["not_triggered"],
        )
    ]
    if s.get("void"):
        out[0] += t("sum_void", lang, void=s["void"])
    if grading:
        out.append(
            t(
                "sum_grades",
                lang,
                correct=sum(1 for g in grading if g["correct"]),
                total=len(grading),
            )
        )
    else:
        out.append(t("sum_grades_none", lang))
    for c in continuity:
        met = (
            t("undecided", lang)
            if c["rto_met"] is None
            else t("yes" if c["rto_met"] else "no", lang)
        )
        out.append(
            t(
                "sum_rto",
                lang,
                service=c["name_local"],
                downtime=num(c["downtime_min"]),
                rto=num(c["rto_min"]),
                met=f"{t('h_rto_met', lang)}: {met}",
            )
        )
    if ratings is not None:
        counts = ratings.counts()
        out.append(t("sum_ratings", lang, counts=", ".join(f"{k} {counts[k]}" for k in RATINGS)))
    if mode == "test":
        passed = sum(1 for o in objectives if o["passed"])
        rto_ok = all(c["rto_met"] for c in continuity)
        ok = passed == len(objectives) and rto_ok
        out.append(
            t(
                "sum_test",
                lang,
                result=t("pass" if ok else "fail", lang),
                passed=passed,
                total=len(objectives),
                rto=t("h_rto_met", lang) + (" ✓" if rto_ok else " ✗"),
            )
        )
    return out
