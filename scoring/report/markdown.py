"""The report in Markdown, for pasting into documents (tables as pipe tables).

Markdown cannot carry the inline charts; `drillsim report … -o aar.md` writes the timeline next
to it (`aar.timeline.svg`) and links it.
"""

from __future__ import annotations

from drillsim.scoring.ratings import RATINGS
from drillsim.words import t
from drillsim.words.formatting import ci, num, pct, when

from ..conclusions import points, points_ci


def cell(x) -> str:
    return str("" if x is None else x).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def table(heads: list[str], rows: list[list]) -> str:
    out = [
        "| " + " | ".join(cell(h) for h in heads) + " |",
        "|" + "|".join("---" for _ in heads) + "|",
    ]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _clock(minutes, rep) -> str:
    return when(rep["scenario"]["start_clock"], minutes)


def _rating(r, lang) -> str:
    return f"**{r}**" if r else t("not_rated", lang)


def render_markdown(rep: dict, timeline_file: str | None = None) -> str:
    lang = rep["lang"]
    sc = rep["scenario"]
    out = [
        f"# {rep['title']}",
        "",
        f"*{rep['subtitle']}*",
        "",
        f"**{sc['title']}** (`{sc['id']}`) · {rep['date']}",
        "",
    ]
    out += [f"## {t('sec_summary', lang)}", ""] + [f"- {s}" for s in rep["summary"]] + [""]
    out += [
        f"## {t('sec_overview', lang)}",
        "",
        table(
            [t("h_field", lang), t("h_value", lang)],
            [
                [r["label"], f"**{r['value']}**" if r.get("warn") else r["value"]]
                for r in rep["overview"]
            ],
        ),
        "",
    ]
    if rep.get("participants"):
        out += [
            f"### {t('f_participants', lang)}",
            "",
            table(
                [
                    t("h_role", lang),
                    t("h_played_by", lang),
                    t("h_deputy", lang),
                    t("f_absences", lang),
                ],
                [
                    [
                        p["name"],
                        p["played_by_text"],
                        p["deputy"],
                        "; ".join(f"{num(a)}–{num(b)}" for a, b in p["absent"]),
                    ]
                    for p in rep["participants"]
                ],
            ),
            "",
        ]
    if rep["kind"] == "exercise":
        out += _objectives(rep) + _grading(rep) + _continuity(rep)
        out += [f"## {t('sec_timeline', lang)}", "", t("timeline_note", lang), ""]
        if timeline_file:
            out += [f"![{t('sec_timeline', lang)}]({timeline_file})", ""]
        else:
            out += [f"*{t('timeline_md_stdout', lang)}*", ""]
    else:
        out += _mc(rep)
    out += _analysis(rep) + _hotwash(rep) + _plan(rep)
    if rep["kind"] == "exercise":
        out += _verdicts(rep)
        out += [
            f"## {t('sec_scale', lang)}",
            "",
            table(
                [t("h_rating_code", lang), t("h_meaning", lang)],
                [
                    [r, f"{t('rate_' + r, lang)} — {t('rate_' + r + '_long', lang)}"]
                    for r in RATINGS
                ],
            ),
            "",
        ]
    gen = rep.get("generator") or {}
    out += [
        "---",
        "",
        f"*{t('generated', lang, version=gen.get('drillsim', ''), source=gen.get('source', ''))}*",
        "",
    ]
    return "\n".join(out)


def _objectives(rep) -> list[str]:
    lang = rep["lang"]
    out = [
        f"## {t('sec_objectives', lang)}",
        "",
        t("ratings_note", lang) if rep["rated"] else t("no_ratings", lang),
        "",
    ]
    for obj in rep["objectives"]:
        head = f"### {obj['text']} (`{obj['id']}`)"
        if obj.get("passed") is not None:
            head += f" — {t('pass' if obj['passed'] else 'fail', lang)}"
        out += [
            head,
            "",
            f"{t('objective_rating', lang)}: {_rating(obj['rating'], lang)}"
            + (f" — {obj['observation']}" if obj["observation"] else ""),
            "",
        ]
        rows = []
        for task in obj["tasks"]:
            for o in task["occurrences"] or [None]:
                if o is None or o["status"] == "not_triggered":
                    rows.append(
                        [
                            task["title"],
                            task["clause"],
                            task["role_name"],
                            "-",
                            "-",
                            "-",
                            t("not_triggered", lang),
                            _rating(task["rating"], lang),
                            task["observation"],
                            "",
                        ]
                    )
                    continue
                r = task["incident_ratings"].get(o["incident"]) if o["incident"] else None
                title = task["title"] + (
                    f" {t('occurrence', lang, n=o['occurrence'])}" if o["occurrence"] > 1 else ""
                )
                if rep.get("multi_incident"):
                    title += f" [{o['incident']}]"
                rows.append(
                    [
                        title,
                        task["clause"],
                        task["role_name"],
                        _clock(o["triggered_at"], rep),
                        _clock(o["deadline_at"], rep),
                        _clock(o["done_at"], rep),
                        o["verdict_text"],
                        _rating(r["rating"] if r else task["rating"], lang),
                        r["observation"] if r else task["observation"],
                        "<br>".join(o["evidence"]),
                    ]
                )
        out += [
            table(
                [
                    t("h_task", lang),
                    t("h_clause", lang),
                    t("h_role", lang),
                    t("h_due", lang),
                    t("h_deadline", lang),
                    t("h_done", lang),
                    t("h_verdict", lang),
                    t("h_rating", lang),
                    t("h_observation", lang),
                    t("h_evidence", lang),
                ],
                rows,
            ),
            "",
        ]
    return out


def _grading(rep) -> list[str]:
    lang = rep["lang"]
    out = [f"## {t('sec_grading', lang)}", ""]
    if not rep["grading"]:
        return out + [t("sum_grades_none", lang), ""]
    return out + [
        table(
            [
                t("h_time", lang),
                t("h_actor", lang),
                t("h_incident", lang),
                t("h_declared", lang),
                t("h_true", lang),
                t("h_correct", lang),
            ],
            [
                [
                    _clock(g["t"], rep),
                    g["actor_name"],
                    g["incident"],
                    g["declared_text"],
                    g["true_text"],
                    t("yes" if g["correct"] else "no", lang),
                ]
                for g in rep["grading"]
            ],
        ),
        "",
    ]


def _continuity(rep) -> list[str]:
    lang = rep["lang"]
    out = [f"## {t('sec_continuity', lang)}", ""]
    if not rep["continuity"]:
        return out + [t("none", lang), ""]
    rows = []
    for c in rep["continuity"]:
        met = "undecided" if c["rto_met"] is None else ("yes" if c["rto_met"] else "no")
        rows.append(
            [
                c["name_local"],
                _clock(c["down_at"], rep),
                _clock(c["restored_at"], rep),
                num(c["downtime_min"]),
                num(c["rto_min"]),
                t(met, lang),
                num(c["impact"], 0),
            ]
        )
    return out + [
        table(
            [
                t("h_service", lang),
                t("h_down", lang),
                t("h_restored", lang),
                t("h_downtime", lang),
                t("h_rto", lang),
                t("h_rto_met", lang),
                t("h_impact", lang),
            ],
            rows,
        ),
        "",
    ]


def _analysis(rep) -> list[str]:
    lang = rep["lang"]
    out = [
        f"## {t('sec_analysis', lang)}",
        "",
        f"*{t('drafted_note', lang)}*",
        "",
        f"### {t('sec_strengths', lang)}",
        "",
    ]
    out += [f"- {s['text']}" for s in rep["strengths"]] or [f"- {t('st_none', lang)}"]
    out += ["", f"### {t('sec_improvements', lang)}", ""]
    if not rep["improvements"]:
        out.append(f"- {t('afi_none', lang)}")
    for a in rep["improvements"]:
        cap = f" *({t('cap_' + a['capability'], lang)})*" if a.get("capability") else ""
        out.append(f"- **{a['text']}**{cap}")
        out += [f"  - {d}" for d in a.get("details", [])]
    return out + [""]


def _hotwash(rep) -> list[str]:
    lang = rep["lang"]
    hw = rep.get("hotwash") or {}
    out = [f"## {t('sec_hotwash', lang)}", ""]
    any_notes = False
    for key, head in (
        ("strengths", "hw_strengths"),
        ("improvements", "hw_improvements"),
        ("feedback", "hw_feedback"),
    ):
        if hw.get(key):
            any_notes = True
            out += [f"### {t(head, lang)}", ""] + [f"- {x}" for x in hw[key]] + [""]
    if not any_notes:
        out += [t("hw_none", lang), ""]
    return out


def _plan(rep) -> list[str]:
    lang = rep["lang"]
    note = (
        t("plan_from_ratings", lang, evaluator=rep.get("evaluator") or "-")
        if rep["improvement_plan_source"] == "ratings"
        else t("plan_note", lang)
    )
    rows = [
        [
            i,
            p["issue"],
            p["corrective_action"],
            p["capability_text"],
            p["responsible_text"],
            p.get("due") or "",
        ]
        for i, p in enumerate(rep["improvement_plan"], 1)
    ]
    return [
        f"## {t('sec_plan', lang)}",
        "",
        f"*{note}*",
        "",
        table(
            [
                "#",
                t("h_issue", lang),
                t("h_action", lang),
                t("h_capability", lang),
                t("h_responsible", lang),
                t("h_due_date", lang),
            ],
            rows,
        ),
        "",
    ]


def _verdicts(rep) -> list[str]:
    lang = rep["lang"]
    rows = []
    for o in rep["verdicts"]:
        title = o["title_local"] + (
            f" {t('occurrence', lang, n=o['occurrence'])}"
            if o["occurrence"] and o["occurrence"] > 1
            else ""
        )
        who = o["role_name"] + (
            f" ({t('acting_for', lang, deputy=o['acted_by_name'], role=o['role_name'])})"
            if o.get("acted_by") and o["acted_by"] != o["role"]
            else ""
        )
        rows.append(
            [
                o["clause"],
                who,
                title,
                o["incident"] or "-",
                _clock(o["triggered_at"], rep),
                _clock(o["deadline_at"], rep),
                _clock(o["done_at"], rep),
                o["verdict_text"],
            ]
        )
    return [
        f"## {t('sec_verdicts', lang)}",
        "",
        table(
            [
                t("h_clause", lang),
                t("h_role", lang),
                t("h_duty", lang),
                t("h_incident", lang),
                t("h_due", lang),
                t("h_deadline", lang),
                t("h_done", lang),
                t("h_verdict", lang),
            ],
            rows,
        ),
        "",
    ]


def _mc(rep) -> list[str]:
    lang = rep["lang"]
    out = [f"## {t('sec_objectives', lang)}", "", t("mc_note", lang), ""]
    heads = [
        t("h_task", lang),
        t("h_clause", lang),
        t("h_role", lang),
        t("h_triggered", lang),
        t("h_p_hit", lang),
        t("h_ci", lang),
        t("h_p_late", lang),
        t("h_p_missed", lang),
        t("h_median", lang),
        t("h_p90", lang),
        t("h_deadline_min", lang),
    ]
    for obj in rep["objectives"]:
        out += [f"### {obj['text']} (`{obj['id']}`)", ""]
        rows = [
            [
                ob["title_local"],
                ob.get("clause", ""),
                ob["role_name"],
                ob["triggered_text"],
                pct(ob.get("p_hit"), 1),
                ci(ob.get("ci95"), 1),
                pct(ob.get("p_late"), 1),
                pct(ob.get("p_missed"), 1),
                num((ob.get("done_min") or {}).get("median")),
                num((ob.get("done_min") or {}).get("p90")),
                num(ob.get("deadline_min")),
            ]
            for ob in obj["tasks"]
        ]
        out += [table(heads, rows), ""]
    if rep["kind"] == "compare":
        cmp = rep["compare"]
        out += [f"### {t('sec_variants', lang)}", ""]
        heads = [t("h_duty", lang), t("h_base", lang)]
        for v in cmp["variants"]:
            heads += [v["title"] or v["id"], t("h_delta", lang)]
        rows = []
        for row in cmp["obligations"]:
            r = [row["title"], pct(row["base"], 1)]
            for v in row["variants"]:
                d = v.get("delta")
                r += [
                    pct(v.get("p_hit"), 1),
                    ("-" if d is None else f"{points(d)} ({points_ci(v.get('ci95'))})")
                    + (" " + t("h_changed_mark", lang) if v.get("changed") else ""),
                ]
            rows.append(r)
        out += [table(heads, rows), ""]
    if rep["final_grade"]:
        out += [
            f"## {t('sec_grading', lang)} — {t('sec_final_grade', lang)}",
            "",
            table(
                [t("h_level", lang), t("h_probability", lang)],
                [[label, pct(p, 1)] for _, label, p in rep["final_grade"]],
            ),
            "",
        ]
    out += [f"## {t('sec_continuity', lang)}", ""]
    if rep["services"]:
        out += [
            table(
                [
                    t("h_service", lang),
                    t("h_rto", lang),
                    t("h_p_rto", lang),
                    t("h_ci", lang),
                    t("h_downtime_mean", lang),
                    t("h_median", lang),
                    t("h_p90", lang),
                ],
                [
                    [
                        s["name_local"],
                        num(s.get("rto_min")),
                        pct(s.get("p_rto_met"), 1),
                        ci(s.get("ci95"), 1),
                        num((s.get("downtime_min") or {}).get("mean")),
                        num((s.get("downtime_min") or {}).get("median")),
                        num((s.get("downtime_min") or {}).get("p90")),
                    ]
                    for s in rep["services"]
                ],
            ),
            "",
        ]
    else:
        out += [t("none", lang), ""]
    out += [f"## {t('sec_distributions', lang)}", "", f"*{t('charts_md_note', lang)}*", ""]
    if rep.get("critical_path"):
        out += [
            f"### {t('sec_critical_path', lang)}",
            "",
            table(
                [
                    t("h_duty", lang),
                    t("h_clause", lang),
                    t("h_delay_passed", lang),
                    t("h_share", lang),
                ],
                [
                    [
                        c["title"],
                        c.get("clause", ""),
                        num(c.get("mean_delay_passed_min")),
                        pct(c.get("share_of_downstream_lateness"), 1),
                    ]
                    for c in rep["critical_path"]
                ],
            ),
            "",
        ]
    return out
