"""The report as one self-contained HTML file: inline CSS (with print rules) and inline SVG charts.

Tables carry ids and `data-*` attributes with the raw values (status, minutes, ratings,
probabilities), so tests and other tools can read them back with any HTML parser.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from drillsim.scoring.ratings import RATINGS
from drillsim.words import t
from drillsim.words.formatting import ci, clock, num, pct

from ..conclusions import points, points_ci
from .svg import fonts

WARN = ' class="warn"'  # a row the reader must not pass over (a broken log chain)
CSS = """
:root { --hit:#2e7d32; --late:#e69100; --missed:#c62828; --open:#757575; --ink:#1f2933; --line:#d5dbe3;
        --head:#eef2f7; --accent:#1a3d7c; }
* { box-sizing: border-box; }
body { font-family: FONTLIST; color: var(--ink); margin: 0; background: #f4f6f9; line-height: 1.5; font-size: 14px; }
main.report { max-width: 1200px; margin: 0 auto; background: #fff; padding: 28px 36px 40px; }
header.cover { border-bottom: 3px solid var(--accent); margin-bottom: 18px; padding-bottom: 10px; }
h1 { font-size: 26px; margin: 0 0 4px; color: var(--accent); }
.subtitle { margin: 0; color: #52606d; font-size: 15px; }
.scenario-line { margin: 6px 0 0; font-size: 16px; font-weight: 600; }
h2 { font-size: 19px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); color: var(--accent); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.note { color: #52606d; font-size: 12.5px; margin: 4px 0 10px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; font-size: 12.5px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; vertical-align: top; text-align: left; }
td.clause { word-break: keep-all; }
td.time .min { display: block; color: #7b8794; font-size: 11px; }
table.fixed { table-layout: fixed; }
table.fixed th, table.fixed td { overflow-wrap: anywhere; }
th { background: var(--head); font-weight: 600; }
table.kv th { width: 22%; }
tr.warn td { color: var(--missed); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.rating-cell { text-align: center; }
tr.objective-row th { background: #dfe7f3; font-size: 13px; }
.status { font-weight: 600; white-space: nowrap; }
.status-hit { color: var(--hit); } .status-late { color: var(--late); } .status-missed { color: var(--missed); }
.status-open, .status-not_triggered, .status-void { color: var(--open); }
.rating { display: inline-block; min-width: 2.2em; text-align: center; border-radius: 3px; padding: 0 4px; font-weight: 700; }
.rating-P { background: #c8e6c9; } .rating-S { background: #fff9c4; } .rating-M { background: #ffe0b2; }
.rating-U { background: #ffcdd2; } .rating-NO { background: #eceff1; } .rating-none { color: #9aa5b1; font-weight: 400; }
ul.evidence { margin: 0; padding-left: 14px; font-size: 11.5px; color: #3e4c59; }
ul.evidence li { margin: 0; }
ul.summary li { margin: 2px 0; }
.afi { margin: 0 0 10px; }
.afi .headline { font-weight: 600; }
.afi ul { margin: 2px 0 0; padding-left: 18px; color: #3e4c59; font-size: 13px; }
.tag { display: inline-block; font-size: 11px; border: 1px solid var(--line); border-radius: 3px; padding: 0 4px;
       margin-left: 4px; color: #52606d; font-weight: 400; }
.chart { margin: 8px 0 14px; overflow-x: auto; }
.charts-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 8px 14px; }
.charts-grid figure { margin: 0; }
.charts-grid figcaption { font-size: 11.5px; color: #52606d; }
td[contenteditable] { background: #fffdf5; }
footer { margin-top: 30px; font-size: 11px; color: #7b8794; border-top: 1px solid var(--line); padding-top: 6px; }
.pass { color: var(--hit); font-weight: 700; } .fail { color: var(--missed); font-weight: 700; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@page wide { size: A4 landscape; margin: 12mm; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  main.report { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  table { font-size: 9pt; }
  thead { display: table-header-group; }
  tr, .afi, figure, .chart svg { break-inside: avoid; page-break-inside: avoid; }
  section.break { break-before: page; page-break-before: always; }
  section.wide { page: wide; }
  td.time .min { font-size: 7.5pt; }
  ul.evidence { font-size: 8pt; padding-left: 10px; }
  .status { white-space: normal; }
  .chart { overflow: visible; }
  svg { max-width: 100% !important; height: auto !important; }
  td[contenteditable] { background: none; }
  .screen-only { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""


def e(x) -> str:
    return escape("" if x is None else str(x), quote=True)


def _attrs(**kw) -> str:
    return "".join(f' {k.replace("_", "-")}="{e(v)}"' for k, v in kw.items() if v is not None)


def _status(status: str, text: str) -> str:
    return f'<span class="status status-{e(status)}">{e(text)}</span>'


def _rating(r, lang) -> str:
    if not r:
        return f'<span class="rating rating-none">{e(t("not_rated", lang))}</span>'
    return f'<span class="rating rating-{e(r.replace("/", ""))}" title="{e(t("rate_" + r, lang))}">{e(r)}</span>'


def _table(
    ident: str,
    cls: str,
    heads: list[tuple[str, str]],
    rows: list[str],
    widths: Sequence[float] | None = None,
) -> str:
    th = "".join(f'<th class="{e(c)}">{e(h)}</th>' if c else f"<th>{e(h)}</th>" for h, c in heads)
    cols = ""
    if widths:
        total = sum(widths)
        cols = (
            "<colgroup>"
            + "".join(f'<col style="width:{w / total * 100:.1f}%">' for w in widths)
            + "</colgroup>"
        )
        cls += " fixed"
    return (
        f'<table id="{e(ident)}" class="{e(cls)}">{cols}<thead><tr>{th}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def render_html(rep: dict) -> str:
    lang = rep["lang"]
    parts = [
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(rep['title'])} — {e(rep['scenario']['title'] or rep['scenario']['id'])}</title>",
        f"<style>{CSS.replace('FONTLIST', fonts(lang))}</style></head><body>",
        f'<main class="report" data-kind="{e(rep["kind"])}" data-lang="{e(lang)}" data-scenario="{e(rep["scenario"]["id"])}">',
    ]
    parts.append(_cover(rep))
    parts.append(_summary(rep))
    parts.append(_overview(rep))
    if rep["kind"] == "exercise":
        parts.append(_objectives(rep))
        parts.append(_grading(rep))
        parts.append(_continuity(rep))
        parts.append(_timeline(rep))
    else:
        parts.append(_mc_objectives(rep))
        parts.append(_mc_grading(rep))
        parts.append(_mc_continuity(rep))
        parts.append(_mc_distributions(rep))
    parts.append(_analysis(rep))
    parts.append(_hotwash(rep))
    parts.append(_plan(rep))
    if rep["kind"] == "exercise":
        parts.append(_verdicts(rep))
        parts.append(_scale(rep))
    gen = rep.get("generator") or {}
    parts.append(
        f"<footer>{e(t('generated', lang, version=gen.get('drillsim', ''), source=gen.get('source', '')))}"
        f" · {e(rep['date'])}</footer>"
    )
    parts.append("</main></body></html>\n")
    return "".join(parts)


def _cover(rep) -> str:
    sc = rep["scenario"]
    return (
        f'<header class="cover"><h1>{e(rep["title"])}</h1><p class="subtitle">{e(rep["subtitle"])}</p>'
        f'<p class="scenario-line">{e(sc["title"])} <span class="tag">{e(sc["id"])}</span>'
        f' <span class="tag">{e(rep["date"])}</span></p></header>'
    )


def _summary(rep) -> str:
    items = "".join(f"<li>{e(s)}</li>" for s in rep["summary"])
    return f'<section id="summary"><h2>{e(t("sec_summary", rep["lang"]))}</h2><ul class="summary">{items}</ul></section>'


def _overview(rep) -> str:
    lang = rep["lang"]
    rows = "".join(
        f'<tr data-key="{e(r["key"])}"{WARN if r.get("warn") else ""}>'
        f"<th>{e(r['label'])}</th><td>{e(r['value'])}</td></tr>"
        for r in rep["overview"]
    )
    out = [
        f'<section id="overview"><h2>{e(t("sec_overview", lang))}</h2>',
        f'<table id="overview-table" class="kv"><tbody>{rows}</tbody></table>',
    ]
    if rep.get("participants"):
        prow = []
        for p in rep["participants"]:
            absent = "; ".join(f"{num(a)}–{num(b)}" for a, b in p["absent"])
            prow.append(
                f'<tr data-role="{e(p["role"])}" data-played-by="{e(p["played_by"])}"><td>{e(p["name"])}</td>'
                f"<td>{e(p['played_by_text'])}</td><td>{e(p['deputy'])}</td>"
                f"<td>{e(absent)}</td></tr>"
            )
        out.append(f"<h3>{e(t('f_participants', lang))}</h3>")
        out.append(
            _table(
                "participants",
                "participants",
                [
                    (t("h_role", lang), ""),
                    (t("h_played_by", lang), ""),
                    (t("h_deputy", lang), ""),
                    (t("f_absences", lang), ""),
                ],
                prow,
            )
        )
    out.append("</section>")
    return "".join(out)


def _objectives(rep) -> str:
    lang = rep["lang"]
    multi = rep.get("multi_incident", False)
    heads = [(t("h_task", lang), ""), (t("h_clause", lang), ""), (t("h_role", lang), "")]
    if multi:
        heads.append((t("h_incident", lang), ""))
    heads += [
        (t("h_due", lang), ""),
        (t("h_deadline", lang), ""),
        (t("h_done", lang), ""),
        (t("h_verdict", lang), ""),
        (t("h_rating", lang), ""),
        (t("h_observation", lang), ""),
        (t("h_evidence", lang), ""),
    ]
    widths = [20, 9, 9] + ([6] if multi else []) + [7, 7, 7, 8, 7, 12, 18]
    rows = []
    for obj in rep["objectives"]:
        extra = ""
        if obj.get("passed") is not None:
            extra = f' <span class="{"pass" if obj["passed"] else "fail"}">{e(t("pass" if obj["passed"] else "fail", lang))}</span>'
        orating = f" — {e(t('objective_rating', lang))}: {_rating(obj['rating'], lang)}"
        if obj["observation"]:
            orating += f' <span class="observation">{e(obj["observation"])}</span>'
        rows.append(
            f'<tr class="objective-row" data-objective="{e(obj["id"])}" data-rating="{e(obj["rating"] or "")}">'
            f'<th colspan="{len(heads)}">{e(obj["text"])} <span class="tag">{e(obj["id"])}</span>{extra}{orating}</th></tr>'
        )
        for task in obj["tasks"]:
            duties = task["occurrences"] or [None]
            for o in duties:
                if o is None or o["status"] == "not_triggered":
                    status, n = "not_triggered", 0
                    cells = ["-", "-", "-", _status(status, t(status, lang))]
                    late = None
                    inc = None
                else:
                    status, n, late, inc = (
                        o["status"],
                        o["occurrence"],
                        o["late_by_min"],
                        o["incident"],
                    )
                    cells = [
                        rep_time(o["triggered_at"], rep),
                        rep_time(o["deadline_at"], rep),
                        rep_time(o["done_at"], rep),
                        _status(status, o["verdict_text"]),
                    ]
                r = task["incident_ratings"].get(inc) if inc else None
                rating = r["rating"] if r else task["rating"]
                observation = r["observation"] if r else task["observation"]
                title = task["title"] + (f" {t('occurrence', lang, n=n)}" if n and n > 1 else "")
                evidence = "".join(f"<li>{e(x)}</li>" for x in (o["evidence"] if o else []))
                acted = (
                    f' <span class="tag">{e(t("acting_for", lang, deputy=o["acted_by_name"], role=task["role_name"]))}</span>'
                    if o and o.get("acted_by") and o["acted_by"] != task["role"]
                    else ""
                )
                tds = [
                    f"<td>{e(title)}</td>",
                    f'<td class="clause">{e(task["clause"])}</td>',
                    f"<td>{e(task['role_name'])}{acted}</td>",
                ]
                if multi:
                    tds.append(f"<td>{e(inc or '-')}</td>")
                tds += [
                    f'<td class="time">{c}</td>' if i < 3 else f"<td>{c}</td>"
                    for i, c in enumerate(cells)
                ]
                tds += [
                    f'<td class="rating-cell">{_rating(rating, lang)}</td>',
                    f'<td class="observation">{e(observation)}</td>',
                    f'<td><ul class="evidence">{evidence}</ul></td>',
                ]
                rows.append(
                    f'<tr class="task"{_attrs(data_objective=obj["id"], data_obligation=task["obligation"], data_incident=inc, data_occurrence=n, data_status=status, data_late=late, data_rating=rating or "")}>'
                    + "".join(tds)
                    + "</tr>"
                )
    note = t("ratings_note", lang) if rep["rated"] else t("no_ratings", lang)
    return (
        f'<section id="objectives"><h2>{e(t("sec_objectives", lang))}</h2><p class="note">{e(note)}</p>'
        + _table("objectives-table", "objectives", heads, rows, widths)
        + "</section>"
    )


def rep_time(minutes, rep) -> str:
    """'10:40' with the simulated minutes under it: the clock for people, the minutes for the log."""
    if minutes is None:
        return "-"
    return (
        f"{e(clock(rep['scenario']['start_clock'], minutes))} "
        f'<span class="min">({e(num(minutes))}′)</span>'
    )


def _grading(rep) -> str:
    lang = rep["lang"]
    rows = [
        f'<tr class="grade"{_attrs(data_t=g["t"], data_actor=g["actor"], data_declared=g["declared"], data_true=g["true"], data_correct=str(g["correct"]).lower())}>'
        f'<td class="time">{rep_time(g["t"], rep)}</td><td>{e(g["actor_name"])}</td><td>{e(g["incident"])}</td>'
        f"<td>{e(g['declared_text'])}</td><td>{e(g['true_text'])}</td>"
        f"<td>{_status('hit' if g['correct'] else 'missed', t('yes' if g['correct'] else 'no', lang))}</td></tr>"
        for g in rep["grading"]
    ]
    body = (
        _table(
            "grading",
            "grading",
            [
                (t("h_time", lang), ""),
                (t("h_actor", lang), ""),
                (t("h_incident", lang), ""),
                (t("h_declared", lang), ""),
                (t("h_true", lang), ""),
                (t("h_correct", lang), ""),
            ],
            rows,
        )
        if rows
        else f'<p class="note">{e(t("sum_grades_none", lang))}</p>'
    )
    return f'<section id="grading-section"><h2>{e(t("sec_grading", lang))}</h2>{body}</section>'


def _continuity(rep) -> str:
    lang = rep["lang"]
    rows = []
    for c in rep["continuity"]:
        met = "undecided" if c["rto_met"] is None else ("yes" if c["rto_met"] else "no")
        st = "open" if c["rto_met"] is None else ("hit" if c["rto_met"] else "missed")
        rows.append(
            f'<tr class="service"{_attrs(data_service=c["service"], data_downtime=c["downtime_min"], data_rto=c["rto_min"], data_rto_met=met)}>'
            f'<td>{e(c["name_local"])}</td><td class="time">{rep_time(c["down_at"], rep)}</td>'
            f'<td class="time">{rep_time(c["restored_at"], rep)}</td><td class="num">{e(num(c["downtime_min"]))}</td>'
            f'<td class="num">{e(num(c["rto_min"]))}</td><td>{_status(st, t(met, lang))}</td>'
            f'<td class="num">{e(num(c["impact"], 0))}</td></tr>'
        )
    body = (
        _table(
            "continuity",
            "continuity",
            [
                (t("h_service", lang), ""),
                (t("h_down", lang), ""),
                (t("h_restored", lang), ""),
                (t("h_downtime", lang), "num"),
                (t("h_rto", lang), "num"),
                (t("h_rto_met", lang), ""),
                (t("h_impact", lang), "num"),
            ],
            rows,
        )
        if rows
        else f'<p class="note">{e(t("none", lang))}</p>'
    )
    return (
        f'<section id="continuity-section"><h2>{e(t("sec_continuity", lang))}</h2>{body}</section>'
    )


def _timeline(rep) -> str:
    lang = rep["lang"]
    return (
        f'<section id="timeline-section" class="break wide"><h2>{e(t("sec_timeline", lang))}</h2>'
        f'<p class="note">{e(t("timeline_note", lang))}</p><div class="chart">{rep["timeline_svg"]}</div></section>'
    )


def _analysis(rep) -> str:
    lang = rep["lang"]
    st = (
        "".join(
            f'<li class="strength"{_attrs(data_kind=s["kind"], data_obligation=s.get("obligation"))}>{e(s["text"])}</li>'
            for s in rep["strengths"]
        )
        or f"<li>{e(t('st_none', lang))}</li>"
    )
    afis = []
    for a in rep["improvements"]:
        details = "".join(f"<li>{e(d)}</li>" for d in a.get("details", []))
        tags = ""
        if a.get("capability"):
            tags += f'<span class="tag">{e(t("cap_" + a["capability"], lang))}</span>'
        afis.append(
            f'<div class="afi"{_attrs(data_kind=a["kind"], data_obligation=a.get("obligation"), data_root=a.get("root"), data_caused_by=(a.get("caused_by") or {}).get("id"))}>'
            f'<div class="headline">{e(a["text"])}{tags}</div>'
            + (f"<ul>{details}</ul>" if details else "")
            + "</div>"
        )
    afi_html = "".join(afis) or f"<p>{e(t('afi_none', lang))}</p>"
    return (
        f'<section id="analysis"><h2>{e(t("sec_analysis", lang))}</h2><p class="note">{e(t("drafted_note", lang))}</p>'
        f'<h3>{e(t("sec_strengths", lang))}</h3><ul id="strengths">{st}</ul>'
        f'<h3>{e(t("sec_improvements", lang))}</h3><div id="improvements">{afi_html}</div></section>'
    )


def _hotwash(rep) -> str:
    lang = rep["lang"]
    hw = rep.get("hotwash") or {}
    blocks = []
    for key, head in (
        ("strengths", "hw_strengths"),
        ("improvements", "hw_improvements"),
        ("feedback", "hw_feedback"),
    ):
        if hw.get(key):
            items = "".join(f"<li>{e(x)}</li>" for x in hw[key])
            blocks.append(f'<h3>{e(t(head, lang))}</h3><ul id="hotwash-{key}">{items}</ul>')
    body = "".join(blocks) or f'<p class="note">{e(t("hw_none", lang))}</p>'
    return f'<section id="hotwash"><h2>{e(t("sec_hotwash", lang))}</h2>{body}</section>'


def _plan(rep) -> str:
    lang = rep["lang"]
    if rep["improvement_plan_source"] == "ratings":
        note = t("plan_from_ratings", lang, evaluator=rep.get("evaluator") or "-")
    else:
        note = t("plan_note", lang)
    rows = [
        f'<tr class="plan-item"{_attrs(data_capability=p["capability"], data_responsible=p.get("responsible_role"), data_obligation=p.get("obligation"), data_due=p.get("due"))}>'
        f'<td class="num">{i}</td><td contenteditable="true">{e(p["issue"])}</td>'
        f'<td contenteditable="true">{e(p["corrective_action"])}</td><td contenteditable="true">{e(p["capability_text"])}</td>'
        f'<td contenteditable="true">{e(p["responsible_text"])}</td><td class="time" contenteditable="true">{e(p.get("due") or "")}</td></tr>'
        for i, p in enumerate(rep["improvement_plan"], 1)
    ]
    return (
        f'<section id="improvement-plan-section"><h2>{e(t("sec_plan", lang))}</h2><p class="note">{e(note)}</p>'
        + _table(
            "improvement-plan",
            "improvement-plan",
            [
                ("#", "num"),
                (t("h_issue", lang), ""),
                (t("h_action", lang), ""),
                (t("h_capability", lang), ""),
                (t("h_responsible", lang), ""),
                (t("h_due_date", lang), ""),
            ],
            rows,
            [4, 30, 40, 9, 10, 10],
        )
        + "</section>"
    )


def _verdicts(rep) -> str:
    lang = rep["lang"]
    rows = []
    for o in rep["verdicts"]:
        who = o["role_name"] + (
            f" ({t('acting_for', lang, deputy=o['acted_by_name'], role=o['role_name'])})"
            if o.get("acted_by") and o["acted_by"] != o["role"]
            else ""
        )
        title = o["title_local"] + (
            f" {t('occurrence', lang, n=o['occurrence'])}"
            if o["occurrence"] and o["occurrence"] > 1
            else ""
        )
        rows.append(
            f'<tr class="verdict"{_attrs(data_obligation=o["id"], data_incident=o["incident"], data_occurrence=o["occurrence"], data_status=o["status"], data_late=o["late_by_min"], data_triggered=o["triggered_at"], data_deadline=o["deadline_at"], data_done=o["done_at"])}>'
            f'<td class="clause">{e(o["clause"])}</td><td>{e(who)}</td><td>{e(title)}</td><td>{e(o["incident"] or "-")}</td>'
            f'<td class="time">{rep_time(o["triggered_at"], rep)}</td><td class="time">{rep_time(o["deadline_at"], rep)}</td>'
            f'<td class="time">{rep_time(o["done_at"], rep)}</td><td>{_status(o["status"], o["verdict_text"])}</td></tr>'
        )
    return (
        f'<section id="verdicts-section" class="break"><h2>{e(t("sec_verdicts", lang))}</h2>'
        + _table(
            "verdicts",
            "verdicts",
            [
                (t("h_clause", lang), ""),
                (t("h_role", lang), ""),
                (t("h_duty", lang), ""),
                (t("h_incident", lang), ""),
                (t("h_due", lang), ""),
                (t("h_deadline", lang), ""),
                (t("h_done", lang), ""),
                (t("h_verdict", lang), ""),
            ],
            rows,
            [11, 13, 30, 7, 9, 9, 9, 10],
        )
        + "</section>"
    )


def _scale(rep) -> str:
    lang = rep["lang"]
    rows = [
        f"<tr><td>{_rating(r, lang)}</td><td><b>{e(t('rate_' + r, lang))}</b> — {e(t('rate_' + r + '_long', lang))}</td></tr>"
        for r in RATINGS
    ]
    return (
        f'<section id="scale"><h2>{e(t("sec_scale", lang))}</h2>'
        + _table(
            "rating-scale",
            "rating-scale",
            [(t("h_rating_code", lang), ""), (t("h_meaning", lang), "")],
            rows,
        )
        + "</section>"
    )


# --- Monte Carlo sections -----------------------------------------------------------------------


def _prob_cells(ob: dict) -> str:
    return (
        f'<td class="num">{e(pct(ob.get("p_hit"), 1))}</td><td class="num">{e(ci(ob.get("ci95"), 1))}</td>'
        f'<td class="num">{e(pct(ob.get("p_late"), 1))}</td><td class="num">{e(pct(ob.get("p_missed"), 1))}</td>'
        f'<td class="num">{e(num((ob.get("done_min") or {}).get("median")))}</td>'
        f'<td class="num">{e(num((ob.get("done_min") or {}).get("p90")))}</td>'
        f'<td class="num">{e(num(ob.get("deadline_min")))}</td>'
    )


def _prob_heads(lang) -> list[tuple[str, str]]:
    return [
        (t("h_p_hit", lang), "num"),
        (t("h_ci", lang), "num"),
        (t("h_p_late", lang), "num"),
        (t("h_p_missed", lang), "num"),
        (t("h_median", lang), "num"),
        (t("h_p90", lang), "num"),
        (t("h_deadline_min", lang), "num"),
    ]


def _mc_objectives(rep) -> str:
    lang = rep["lang"]
    heads = [
        (t("h_task", lang), ""),
        (t("h_clause", lang), ""),
        (t("h_role", lang), ""),
        (t("h_triggered", lang), "num"),
    ]
    heads += _prob_heads(lang) + [(t("h_rating", lang), "")]
    rows = []
    for obj in rep["objectives"]:
        orating = (
            f" — {e(t('objective_rating', lang))}: {_rating(obj.get('rating'), lang)}"
            if rep["rated"]
            else ""
        )
        rows.append(
            f'<tr class="objective-row" data-objective="{e(obj["id"])}"><th colspan="{len(heads)}">{e(obj["text"])}'
            f' <span class="tag">{e(obj["id"])}</span>{orating}</th></tr>'
        )
        for ob in obj["tasks"]:
            rows.append(
                f'<tr class="task"{_attrs(data_objective=obj["id"], data_obligation=ob["id"], data_p_hit=ob.get("p_hit"), data_ci_lo=(ob.get("ci95") or [None])[0], data_ci_hi=(ob.get("ci95") or [None, None])[1])}>'
                f'<td>{e(ob["title_local"])}</td><td class="clause">{e(ob.get("clause", ""))}</td><td>{e(ob["role_name"])}</td>'
                f'<td class="num">{e(ob["triggered_text"])}</td>{_prob_cells(ob)}'
                f"<td>{_rating(ob.get('rating'), lang)}</td></tr>"
            )
    chart = (
        f'<div class="chart">{rep["charts"]["intervals"]}</div>'
        if rep["charts"].get("intervals")
        else ""
    )
    return (
        f'<section id="objectives"><h2>{e(t("sec_objectives", lang))}</h2><p class="note">{e(t("mc_note", lang))}</p>'
        + _table(
            "objectives-table", "objectives", heads, rows, [22, 9, 9, 6, 7, 10, 6, 7, 7, 6, 7, 7]
        )
        + chart
        + (_compare_tables(rep) if rep["kind"] == "compare" else "")
        + "</section>"
    )


def _compare_tables(rep) -> str:
    lang = rep["lang"]
    cmp = rep["compare"]
    heads = [(t("h_duty", lang), ""), (t("h_clause", lang), ""), (t("h_base", lang), "num")]
    for v in cmp["variants"]:
        heads += [
            (v["title"] or v["id"], "num"),
            (t("h_delta", lang) + " (" + t("h_points_ci", lang) + ")", "num"),
        ]
    rows = []
    for row in cmp["obligations"]:
        cells = [
            f'<td>{e(row["title"])}</td><td class="clause">{e(row["clause"])}</td><td class="num">{e(pct(row["base"], 1))}</td>'
        ]
        for v in row["variants"]:
            mark = " " + t("h_changed_mark", lang) if v.get("changed") else ""
            cells.append(
                f'<td class="num">{e(pct(v.get("p_hit"), 1))}</td>'
                f'<td class="num{" changed" if v.get("changed") else ""}" data-variant="{e(v["variant"])}" '
                f'data-delta="{e(v.get("delta"))}">{e(points(v.get("delta")))} ({e(points_ci(v.get("ci95")))}){e(mark)}</td>'
            )
        rows.append(
            f'<tr class="compare-row" data-obligation="{e(row["id"])}">' + "".join(cells) + "</tr>"
        )
    srows = []
    sheads = [(t("h_service", lang), ""), (t("h_base", lang) + " " + t("h_p_rto", lang), "num")]
    for v in cmp["variants"]:
        sheads += [
            (v["title"] or v["id"], "num"),
            (t("h_delta", lang) + " (" + t("h_points_ci", lang) + ")", "num"),
        ]
    for row in cmp["services"]:
        cells = [f'<td>{e(row["name"])}</td><td class="num">{e(pct(row["base"], 1))}</td>']
        for v in row["variants"]:
            mark = " " + t("h_changed_mark", lang) if v.get("changed") else ""
            cells.append(
                f'<td class="num">{e(pct(v.get("p"), 1))}</td>'
                f'<td class="num" data-variant="{e(v["variant"])}" data-delta="{e(v.get("delta"))}">'
                f"{e(points(v.get('delta')))} ({e(points_ci(v.get('ci95')))}){e(mark)}</td>"
            )
        srows.append(
            f'<tr class="compare-service" data-service="{e(row["service"])}">'
            + "".join(cells)
            + "</tr>"
        )
    widths = [30, 10, 8] + [10, 16] * len(cmp["variants"])
    return (
        f"<h3>{e(t('sec_variants', lang))}</h3>"
        + _table("compare-obligations", "compare", heads, rows, widths)
        + (
            _table(
                "compare-services",
                "compare",
                sheads,
                srows,
                [40, 8] + [10, 16] * len(cmp["variants"]),
            )
            if srows
            else ""
        )
    )


def _mc_grading(rep) -> str:
    lang = rep["lang"]
    rows = [
        f'<tr data-level="{e(lvl)}" data-p="{e(p)}"><td>{e(label)}</td><td class="num">{e(pct(p, 1))}</td></tr>'
        for lvl, label, p in rep["final_grade"]
    ]
    if not rows:
        return ""
    chart = rep["charts"].get("final_grade", "")
    return (
        f'<section id="grading-section"><h2>{e(t("sec_grading", lang))} — {e(t("sec_final_grade", lang))}</h2>'
        + _table(
            "final-grade",
            "final-grade",
            [(t("h_level", lang), ""), (t("h_probability", lang), "num")],
            rows,
        )
        + f'<div class="chart">{chart}</div></section>'
    )


def _mc_continuity(rep) -> str:
    lang = rep["lang"]
    rows = [
        f'<tr class="service"{_attrs(data_service=s["service"], data_p=s.get("p_rto_met"))}><td>{e(s["name_local"])}</td>'
        f'<td class="num">{e(num(s.get("rto_min")))}</td><td class="num">{e(pct(s.get("p_rto_met"), 1))}</td>'
        f'<td class="num">{e(ci(s.get("ci95"), 1))}</td><td class="num">{e(num((s.get("downtime_min") or {}).get("mean")))}</td>'
        f'<td class="num">{e(num((s.get("downtime_min") or {}).get("median")))}</td>'
        f'<td class="num">{e(num((s.get("downtime_min") or {}).get("p90")))}</td></tr>'
        for s in rep["services"]
    ]
    body = (
        _table(
            "continuity",
            "continuity",
            [
                (t("h_service", lang), ""),
                (t("h_rto", lang), "num"),
                (t("h_p_rto", lang), "num"),
                (t("h_ci", lang), "num"),
                (t("h_downtime_mean", lang), "num"),
                (t("h_median", lang), "num"),
                (t("h_p90", lang), "num"),
            ],
            rows,
        )
        if rows
        else f'<p class="note">{e(t("none", lang))}</p>'
    )
    return (
        f'<section id="continuity-section"><h2>{e(t("sec_continuity", lang))}</h2>{body}</section>'
    )


def _mc_distributions(rep) -> str:
    lang = rep["lang"]
    out = [
        f'<section id="distributions" class="break"><h2>{e(t("sec_distributions", lang))}</h2>'
        f'<p class="note">{e(t("mc_note", lang))}</p>'
    ]
    for group in rep["charts"]["histograms"]:
        out.append(f'<h3>{e(group["title"])}</h3><div class="charts-grid">')
        for fig in group["figures"]:
            out.append(
                f'<figure data-id="{e(fig["id"])}">{fig["svg"]}<figcaption>{e(fig["caption"])}</figcaption></figure>'
            )
        out.append("</div>")
    if rep.get("critical_path"):
        rows = [
            f'<tr data-obligation="{e(c["id"])}"><td>{e(c["title"])}</td><td>{e(c.get("clause", ""))}</td>'
            f'<td class="num">{e(num(c.get("mean_delay_passed_min")))}</td>'
            f'<td class="num">{e(pct(c.get("share_of_downstream_lateness"), 1))}</td></tr>'
            for c in rep["critical_path"]
        ]
        out.append(f"<h3>{e(t('sec_critical_path', lang))}</h3>")
        out.append(
            _table(
                "critical-path",
                "critical-path",
                [
                    (t("h_duty", lang), ""),
                    (t("h_clause", lang), ""),
                    (t("h_delay_passed", lang), "num"),
                    (t("h_share", lang), "num"),
                ],
                rows,
            )
        )
    out.append("</section>")
    return "".join(out)
