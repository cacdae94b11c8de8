"""The after-action report of replications (`drillsim montecarlo|compare … --json`), in the same layout.

Instead of one exercise's times it shows distributions: the chance each duty is on time with
its 95% interval, histograms of completion times against the deadline, recovery against the
RTO, the final level, the critical path; for a comparison, the variants side by side.
The plan is loaded from the scenario id in the file when it can be (for names and objectives);
without it the report still renders from the file alone.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from drillsim.scoring.ratings import Ratings, load_ratings
from drillsim.simulator.errors import InputError, Problem
from drillsim.simulator.loader import load_plan
from drillsim.words import t
from drillsim.words.formatting import ci, num, pct
from drillsim.words.names import Names

from ..conclusions import conclusions, points, points_ci
from .drafting import DUE_DAYS
from .svg import COLORS, SERIES, bars, histogram, intervals

REQUIRED = {
    "montecarlo": ("scenario", "n", "obligations"),
    "compare": ("scenario", "n", "base", "variants"),
}


def _check(data: dict, path) -> None:
    missing = [k for k in REQUIRED[data["kind"]] if k not in data]
    if missing:
        raise InputError(
            [Problem(str(path), 1, 1, f"{data['kind']} results lack {', '.join(missing)}")]
        )


def _plan(data: dict, variants: list[str]):
    try:
        return load_plan(data["scenario"], variants)
    except InputError:
        try:
            return load_plan(data["scenario"])
        except InputError:
            return None


def _date(path, override) -> dt.date:
    if override:
        return override if isinstance(override, dt.date) else dt.date.fromisoformat(str(override))
    if path is not None and Path(path).exists():
        return dt.date.fromtimestamp(os.path.getmtime(path))
    return dt.date.today()


def _triggered_text(value, n) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) and (value > 1 or n in (None, 1)):
        return f"{value}/{n}" if n else str(value)
    return pct(value, 1)


def montecarlo_report(
    data: dict, *, path=None, ratings=None, lang: str = "en", date=None, target: float = 0.9
) -> dict:
    _check(data, path or "<results>")
    kind = data["kind"]
    base = data if kind == "montecarlo" else data["base"]
    plan = _plan(data, list(base.get("variants") or []))
    names = Names(plan, lang)
    if ratings is not None and not isinstance(ratings, Ratings):
        ratings = load_ratings(ratings, plan)
    day = _date(path, date or (ratings.date if ratings and ratings.date else None))
    n = data.get("n")

    obligations = [_ob_row(o, names, lang, n, ratings) for o in base.get("obligations", [])]
    by_id = {o["id"]: o for o in obligations}
    objectives = []
    covered: set[str] = set()
    if plan is not None and plan.scenario.objectives:
        for obj in plan.scenario.objectives:
            tasks = [by_id[i] for i in obj.obligations if i in by_id]
            covered.update(x["id"] for x in tasks)
            r = ratings.for_objective(obj.id) if ratings else None
            objectives.append(
                {
                    "id": obj.id,
                    "text": names.objective(obj),
                    "tasks": tasks,
                    "rating": r.rating if r else None,
                    "observation": r.observation if r else "",
                }
            )
        rest = [o for o in obligations if o["id"] not in covered]
        if rest:
            objectives.append(
                {
                    "id": "other",
                    "text": t("other_duties", lang),
                    "tasks": rest,
                    "rating": None,
                    "observation": "",
                }
            )
    else:
        objectives.append(
            {
                "id": "all",
                "text": t("all_duties", lang),
                "tasks": obligations,
                "rating": None,
                "observation": "",
            }
        )

    services = [
        {
            **s,
            "name_local": names.service(s["service"])
            if plan is not None
            else s.get("name") or s["service"],
        }
        for s in base.get("services", [])
    ]
    final_grade = []
    # a procedure without grading has no levels: no 'final level: not graded 100%' section
    graded = base.get("graded", data.get("graded", True)) and (
        plan is None or plan.procedure.grading is not None
    )
    for level, p in sorted(
        (base.get("final_grade") or {}).items() if graded else (),
        key=lambda kv: int(kv[0]) if str(kv[0]).isdigit() else 99,
    ):
        lvl = int(level) if str(level).isdigit() else level
        label = (
            t("level_none", lang)
            if lvl == 0
            else names.level(lvl)
            if isinstance(lvl, int)
            else str(lvl)
        )
        final_grade.append((lvl, label, p))
    critical = [
        {**c, "title": names.duty(c["id"], by_id.get(c["id"]))}
        for c in base.get("critical_path", [])
    ]

    compare = _compare(data, base, names, lang) if kind == "compare" else None
    ordered = list(
        {o["id"]: o for obj in objectives for o in obj["tasks"]}.values()
    )  # the tables' order
    charts = _charts(
        kind, data, base, obligations, services, final_grade, compare, names, lang, ordered, target
    )

    strengths, afis = _draft(
        kind, base, objectives, services, critical, compare, names, lang, target, by_id
    )
    drafted = [
        {
            "issue": a["issue"],
            "corrective_action": a["corrective_action"],
            "capability": a["capability"],
            "responsible_role": a.get("responsible_role"),
            "obligation": a.get("obligation"),
            "due": (day + dt.timedelta(days=DUE_DAYS[a["capability"]])).isoformat(),
        }
        for a in afis
        if a.get("capability")
    ]
    if ratings is not None and ratings.improvement_plan is not None:
        items, source = [i.model_dump(mode="json") for i in ratings.improvement_plan], "ratings"
    else:
        items, source = drafted, "drafted"
    plan_rows = []
    for i in items:
        row = dict(i)
        row["capability_text"] = t(f"cap_{row['capability']}", lang)
        row["responsible_text"] = (
            names.role(row["responsible_role"])
            if row.get("responsible_role")
            else t("planners", lang)
        )
        plan_rows.append(row)

    title_key = "title_montecarlo" if kind == "montecarlo" else "title_compare"
    scenario_title = (
        names.scenario_title() or data.get("title") or base.get("title") or data["scenario"]
    )
    sc = plan.scenario if plan is not None else None
    overview = [
        ("f_title", scenario_title),
        ("f_scenario", data["scenario"]),
        ("f_type", t(f"type_{sc.exercise_type}", lang) if sc else "-"),
        ("f_date", day.isoformat()),
        (
            "f_procedures",
            "; ".join(f"{s['id']} (v{s['version']})" for s in plan.sources) if plan else "-",
        ),
        (
            "f_variants",
            ", ".join(base.get("variants") or [])
            if kind == "montecarlo"
            else ", ".join(v["id"] for v in data["variants"]) or t("none", lang),
        ),
        ("f_replications", str(n)),
        ("f_seed", str(data.get("seed", "-"))),
    ]
    if ratings is not None and ratings.evaluator:
        overview.append(("f_evaluator", ratings.evaluator))
    if path is not None:
        overview.append(("f_log", str(path)))
    summary = [
        t(
            "sum_mc_duties",
            lang,
            n=n,
            good=sum(1 for o in obligations if o.get("p_hit") is not None and o["p_hit"] >= target),
            total=sum(1 for o in obligations if o.get("p_hit") is not None),
            target=pct(target),
        )
    ]
    if kind == "compare":
        summary = [s for _, sentences in conclusions(data, lang) for s in sentences] + summary
    for s in services:
        if s.get("p_rto_met") is None:
            summary.append(t("sum_mc_not_down", lang, service=s["name_local"]))
            continue
        summary.append(
            t(
                "sum_mc_rto",
                lang,
                service=s["name_local"],
                rto=num(s.get("rto_min")),
                p=pct(s.get("p_rto_met"), 1),
                ci=ci(s.get("ci95"), 1),
            )
        )
    return {
        "kind": kind,
        "lang": lang,
        "title": t(title_key, lang),
        "subtitle": t("subtitle_montecarlo", lang, n=n, seed=data.get("seed", "-")),
        "scenario": {
            "id": data["scenario"],
            "title": scenario_title,
            "exercise_type": sc.exercise_type if sc else None,
            "mode": sc.mode if sc else None,
            "start_clock": sc.start_clock if sc else "00:00",
            "duration_min": sc.duration_min if sc else None,
        },
        "date": day.isoformat(),
        "overview": [{"key": k, "label": t(k, lang), "value": v} for k, v in overview],
        "participants": [],
        "summary": summary,
        "objectives": objectives,
        "obligations": obligations,
        "services": services,
        "final_grade": final_grade,
        "critical_path": critical,
        "compare": compare,
        "charts": charts,
        "strengths": strengths,
        "improvements": afis,
        "hotwash": ratings.hotwash.model_dump()
        if ratings
        else {"strengths": [], "improvements": [], "feedback": []},
        "improvement_plan": plan_rows,
        "improvement_plan_source": source,
        "drafted_improvement_plan": drafted,
        "evaluator": ratings.evaluator if ratings else "",
        "rated": ratings is not None,
        "target": target,
        "generator": {"drillsim": "", "source": str(path or "")},
    }


def _ob_row(o: dict, names: Names, lang: str, n, ratings) -> dict:
    row = dict(o)
    row["title_local"] = names.duty(o["id"], o)
    row["role_name"] = names.role(o.get("role"))
    row["triggered_text"] = (
        pct(o["p_triggered"], 1)
        if o.get("p_triggered") is not None
        else _triggered_text(o.get("triggered"), n)
    )
    r = ratings.for_task(o["id"]) if ratings else None
    row["rating"] = r.rating if r else None
    return row


def _vtitle(v: dict, lang: str) -> str:
    return (v.get("title_en") if lang == "en" and v.get("title_en") else v.get("title")) or v["id"]


def _compare(data, base, names: Names, lang) -> dict:
    base_ob = {o["id"]: o for o in base.get("obligations", [])}
    base_sv = {s["service"]: s for s in base.get("services", [])}
    variants = [{"id": v["id"], "title": _vtitle(v, lang)} for v in data["variants"]]
    rows = []
    for oid, b in base_ob.items():
        cells = []
        for v in data["variants"]:
            res = {o["id"]: o for o in (v.get("result") or {}).get("obligations", [])}
            d = {o["id"]: o for o in v.get("obligations", [])}.get(oid, {})
            cells.append(
                {
                    "variant": v["id"],
                    "p_hit": res.get(oid, {}).get("p_hit", d.get("p_hit_variant")),
                    "delta": d.get("delta_p_hit"),
                    "ci95": d.get("ci95"),
                    "changed": bool(d.get("changed")),
                    "rule_changed": bool(d.get("rule_changed")),
                }
            )
        rows.append(
            {
                "id": oid,
                "title": names.duty(oid, b),
                "clause": b.get("clause", ""),
                "role": b.get("role"),
                "base": b.get("p_hit"),
                "variants": cells,
            }
        )
    srows = []
    for sid, b in base_sv.items():
        cells = []
        for v in data["variants"]:
            res = {s["service"]: s for s in (v.get("result") or {}).get("services", [])}
            d = {s["service"]: s for s in v.get("services", [])}.get(sid, {})
            cells.append(
                {
                    "variant": v["id"],
                    "p": res.get(sid, {}).get("p_rto_met"),
                    "delta": d.get("delta_p_rto_met"),
                    "ci95": d.get("ci95"),
                    # the RTO cell's own interval, not the downtime's (older files: "changed")
                    "changed": bool(d.get("changed_rto", d.get("changed"))),
                    "delta_downtime_mean_min": d.get("delta_downtime_mean_min"),
                }
            )
        srows.append(
            {
                "service": sid,
                "name": names.service(sid) if names.proc else b.get("name") or sid,
                "base": b.get("p_rto_met"),
                "variants": cells,
            }
        )
    return {"variants": variants, "obligations": rows, "services": srows}


def _charts(
    kind,
    data,
    base,
    obligations,
    services,
    final_grade,
    compare,
    names: Names,
    lang,
    ordered,
    target,
) -> dict:
    series = [t("h_base", lang)] if kind == "compare" else [data.get("scenario", "")]
    rows = []
    results = [base] + (
        [v.get("result") or {} for v in data["variants"]] if kind == "compare" else []
    )
    if kind == "compare":
        series += [_vtitle(v, lang) for v in data["variants"]]
    lookups = [{o["id"]: o for o in r.get("obligations", [])} for r in results]
    for o in ordered:
        if o.get("p_hit") is None:
            continue
        rows.append(
            {
                "label": o["title_local"],
                "values": [
                    {"p": lk.get(o["id"], {}).get("p_hit"), "ci": lk.get(o["id"], {}).get("ci95")}
                    for lk in lookups
                ],
            }
        )
    out: dict[str, Any] = {
        "intervals": intervals(
            rows,
            series,
            ident="p-hit-chart",
            title=t("h_p_hit", lang),
            lang=lang,
            target=target,
            target_label=t("ch_target", lang),
        )
        if rows
        else "",
        "final_grade": bars(
            [(label, p) for _, label, p in final_grade],
            ident="final-grade-chart",
            title=t("sec_final_grade", lang),
            lang=lang,
        )
        if final_grade
        else "",
        "histograms": [],
    }
    for ri, result in enumerate(results):
        figures = []
        res_ob = {o["id"]: o for o in result.get("obligations", [])}
        base_ob = {x["id"]: x for x in base.get("obligations", [])}
        for o in ordered:
            r = res_ob.get(o["id"])
            if r is None or not (r.get("histogram") or {}).get("counts"):
                continue
            b = base_ob.get(o["id"]) if ri else None
            overlay = b.get("histogram") if b and (b.get("histogram") or {}).get("counts") else None
            svg = histogram(
                r["histogram"],
                marker=o.get("deadline_min"),
                marker_label=t("ch_deadline", lang),
                color=SERIES[ri % len(SERIES)] if ri else COLORS["bar"],
                title=o["title_local"],
                xlabel=t("ch_completion", lang),
                ident=f"hist-{ri}-{o['id']}",
                no_data=t("ch_no_data", lang),
                lang=lang,
                overlay=overlay,
                overlay_color=COLORS["base"],
            )
            caption = f"{o.get('clause', '')} · {t('h_p_hit', lang)} {pct(r.get('p_hit'), 1)} ({ci(r.get('ci95'), 1)})"
            never = r["histogram"].get("not_done")
            if never is not None:  # the bars show only the duties that were done
                caption += " · " + t(
                    "ch_never_done",
                    lang,
                    p=pct(never / max(1, never + sum(r["histogram"]["counts"])), 1),
                )
            if overlay and b is not None:
                caption += f" · {t('ch_overlay', lang)} {pct(b.get('p_hit'), 1)}"
            figures.append({"id": o["id"], "svg": svg, "caption": caption})
        for s in result.get("services", []):
            if not (s.get("histogram") or {}).get("counts"):
                continue
            name = names.service(s["service"]) if names.proc else s.get("name") or s["service"]
            bs = (
                {x["service"]: x for x in base.get("services", [])}.get(s["service"])
                if ri
                else None
            )
            figures.append(
                {
                    "id": s["service"],
                    "svg": histogram(
                        s["histogram"],
                        marker=s.get("rto_min"),
                        overlay=(bs or {}).get("histogram"),
                        overlay_color=COLORS["base"],
                        marker_label=t("ch_rto", lang),
                        title=name,
                        xlabel=t("ch_downtime", lang),
                        ident=f"hist-{ri}-{s['service']}",
                        color=SERIES[ri % len(SERIES)] if ri else COLORS["bar"],
                        no_data=t("ch_no_data", lang),
                        lang=lang,
                    ),
                    "caption": f"{t('h_p_rto', lang)} {pct(s.get('p_rto_met'), 1)} ({ci(s.get('ci95'), 1)})",
                }
            )
        title = series[0] if ri == 0 else t("vs", lang, base=series[0], variant=series[ri])
        out["histograms"].append({"title": title, "figures": figures})
    return out


def _draft(kind, base, objectives, services, critical, compare, names: Names, lang, target, by_id):
    strengths, afis = [], []
    for obj in objectives:
        tasks = [x for x in obj["tasks"] if x.get("p_hit") is not None]
        if obj["id"] not in ("other", "all") and tasks and all(x["p_hit"] >= target for x in tasks):
            strengths.append(
                {
                    "kind": "objective",
                    "objective": obj["id"],
                    "text": t("st_mc_objective", lang, objective=obj["text"], target=pct(target)),
                }
            )
    for s in services:
        if s.get("p_rto_met") is not None and s["p_rto_met"] >= target:
            strengths.append(
                {
                    "kind": "continuity",
                    "service": s["service"],
                    "text": t(
                        "st_mc_rto",
                        lang,
                        service=s["name_local"],
                        p=pct(s["p_rto_met"], 1),
                        ci=ci(s.get("ci95"), 1),
                    ),
                }
            )
    for o in sorted(
        (x for x in by_id.values() if x.get("p_hit") is not None and x["p_hit"] < target),
        key=lambda x: x["p_hit"],
    ):
        dm = o.get("done_min") or {}
        afis.append(
            {
                "kind": "duty",
                "obligation": o["id"],
                "role": o.get("role"),
                "text": t(
                    "afi_mc_duty",
                    lang,
                    duty=o["title_local"],
                    clause=o.get("clause", ""),
                    role=o["role_name"],
                    p=pct(o["p_hit"], 1),
                    ci=ci(o.get("ci95"), 1),
                    late=pct(o.get("p_late"), 1),
                    missed=pct(o.get("p_missed"), 1),
                    median=num(dm.get("median")),
                    deadline=num(o.get("deadline_min")),
                    p90=num(dm.get("p90")),
                ),
                "details": [],
                "capability": "planning",
                "responsible_role": o.get("role"),
                "corrective_action": t(
                    "ca_mc_duty",
                    lang,
                    role=o["role_name"],
                    duty=o["title_local"],
                    deadline=num(o.get("deadline_min")),
                ),
                "issue": t(
                    "issue_mc_duty",
                    lang,
                    duty=o["title_local"],
                    clause=o.get("clause", ""),
                    p=pct(o["p_hit"], 1),
                ),
            }
        )
    for c in critical[:3]:
        share = c.get("share_of_downstream_lateness") or 0
        if share < 0.2:
            continue
        o = by_id.get(c["id"], {})
        afis.append(
            {
                "kind": "critical_path",
                "obligation": c["id"],
                "text": t(
                    "afi_mc_path",
                    lang,
                    duty=c["title"],
                    share=pct(share),
                    delay=num(c.get("mean_delay_passed_min")),
                ),
                "details": [],
                "capability": "planning",
                "responsible_role": o.get("role"),
                "corrective_action": t("ca_chain", lang, duty=c["title"], n="≥1"),
                "issue": t(
                    "afi_mc_path",
                    lang,
                    duty=c["title"],
                    share=pct(share),
                    delay=num(c.get("mean_delay_passed_min")),
                ),
            }
        )
    for s in services:
        if s.get("p_rto_met") is not None and s["p_rto_met"] < target:
            afis.append(
                {
                    "kind": "continuity",
                    "service": s["service"],
                    "text": t(
                        "afi_mc_rto",
                        lang,
                        service=s["name_local"],
                        rto=num(s.get("rto_min")),
                        p=pct(s["p_rto_met"], 1),
                        ci=ci(s.get("ci95"), 1),
                        mean=num((s.get("downtime_min") or {}).get("mean")),
                    ),
                    "details": [],
                    "capability": "equipment",
                    "responsible_role": None,
                    "corrective_action": t(
                        "ca_mc_rto", lang, service=s["name_local"], rto=num(s.get("rto_min"))
                    ),
                    "issue": t(
                        "issue_mc_rto", lang, service=s["name_local"], p=pct(s["p_rto_met"], 1)
                    ),
                }
            )
    if compare:
        for row in compare["obligations"]:
            for v in row["variants"]:
                if not v["changed"] or v["delta"] is None or v.get("rule_changed"):
                    continue  # a moved deadline is said in the summary's conclusions
                title = next(x["title"] for x in compare["variants"] if x["id"] == v["variant"])
                delta = points(abs(v["delta"])).lstrip("+")
                if v["delta"] > 0:
                    strengths.append(
                        {
                            "kind": "variant",
                            "obligation": row["id"],
                            "variant": v["variant"],
                            "text": t(
                                "st_mc_variant",
                                lang,
                                variant=title,
                                duty=row["title"],
                                delta=delta,
                                ci=points_ci(v["ci95"]),
                            ),
                        }
                    )
                else:
                    afis.append(
                        {
                            "kind": "variant",
                            "obligation": row["id"],
                            "variant": v["variant"],
                            "text": t(
                                "afi_mc_variant",
                                lang,
                                variant=title,
                                duty=row["title"],
                                delta=delta,
                                ci=points_ci(v["ci95"]),
                            ),
                            "details": [],
                            "capability": None,
                        }
                    )
        for row in compare["services"]:
            for v in row["variants"]:
                if v["changed"] and v["delta"] is not None and v["delta"] > 0:
                    title = next(x["title"] for x in compare["variants"] if x["id"] == v["variant"])
                    strengths.append(
                        {
                            "kind": "variant",
                            "service": row["service"],
                            "variant": v["variant"],
                            "text": t(
                                "st_mc_variant_rto",
                                lang,
                                variant=title,
                                service=row["name"],
                                delta=points(v["delta"]).lstrip("+"),
                                ci=points_ci(v["ci95"]),
                            ),
                        }
                    )
    return strengths, afis
