"""The report in Markdown, for pasting into documents (tables as pipe tables).

Markdown cannot carry the inline charts; `drillsim report … -o aar.md` writes the timeline next
to it (`aar.timeline.svg`) and links it.
"""

from __future__ import annotations

from drillsim.scoring.ratings import RATINGS

from .i18n import t
from .names import ci, clock_text, dci, num, pct


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
    return clock_text(rep["scenario"]["start_clock"], minutes)


def _rating(r, lang) -> str:
    return f"**{r}**" if r else t(lang, "not_rated")


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
    out += [f"## {t(lang, 'sec_summary')}", ""] + [f"- {s}" for s in rep["summary"]] + [""]
    out += [
        f"## {t(lang, 'sec_overview')}",
        "",
        table(
            [t(lang, "h_field"), t(lang, "h_value")],
            [[r["label"], r["value"]] for r in rep["overview"]],
        ),
        "",
    ]
    if rep.get("participants"):
        out += [
            f"### {t(lang, 'f_participants')}",
            "",
            table(
                [
                    t(lang, "h_role"),
                    t(lang, "h_played_by"),
                    t(lang, "h_deputy"),
                    t(lang, "f_absences"),
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
        out += [f"## {t(lang, 'sec_timeline')}", "", t(lang, "timeline_note"), ""]
        if timeline_file:
            out += [f"![{t(lang, 'sec_timeline')}]({timeline_file})", ""]
        else:
            out += [f"*{t(lang, 'timeline_md_stdout')}*", ""]
    else:
        out += _mc(rep)
    out += _analysis(rep) + _hotwash(rep) + _plan(rep)
    if rep["kind"] == "exercise":
        out += _verdicts(rep)
        out += [
            f"## {t(lang, 'sec_scale')}",
            "",
            table(
                [t(lang, "h_rating_code"), t(lang, "h_meaning")],
                [
                    [r, f"{t(lang, 'rate_' + r)} — {t(lang, 'rate_' + r + '_long')}"]
                    for r in RATINGS
                ],
            ),
            "",
        ]
    gen = rep.get("generator") or {}
    out += [
        "---",
        "",
        f"*{t(lang, 'generated', version=gen.get('drillsim', ''), source=gen.get('source', ''))}*",
        "",
    ]
    return "\n".join(out)


def _objectives(rep) -> list[str]:
    lang = rep["lang"]
    out = [
        f"## {t(lang, 'sec_objectives')}",
        "",
        t(lang, "ratings_note") if rep["rated"] else t(lang, "no_ratings"),
        "",
    ]
    for obj in rep["objectives"]:
        head = f"### {obj['text']} (`{obj['id']}`)"
        if obj.get("passed") is not None:
            head += f" — {t(lang, 'pass' if obj['passed'] else 'fail')}"
        out += [
            head,
            "",
            f"{t(lang, 'objective_rating')}: {_rating(obj['rating'], lang)}"
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
                            t(lang, "not_triggered"),
                            _rating(task["rating"], lang),
                            task["observation"],
                            "",
                        ]
                    )
                    continue
                r = task["incident_ratings"].get(o["incident"]) if o["incident"] else None
                title = task["title"] + (
                    f" {t(lang, 'occurrence', n=o['occurrence'])}" if o["occurrence"] > 1 else ""
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
                    t(lang, "h_task"),
                    t(lang, "h_clause"),
                    t(lang, "h_role"),
                    t(lang, "h_due"),
                    t(lang, "h_deadline"),
                    t(lang, "h_done"),
                    t(lang, "h_verdict"),
                    t(lang, "h_rating"),
                    t(lang, "h_observation"),
                    t(lang, "h_evidence"),
                ],
                rows,
            ),
            "",
        ]
    return out


def _grading(rep) -> list[str]:
    lang = rep["lang"]
    out = [f"## {t(lang, 'sec_grading')}", ""]
    if not rep["grading"]:
        return out + [t(lang, "sum_grades_none"), ""]
    return out + [
        table(
            [
                t(lang, "h_time"),
                t(lang, "h_actor"),
                t(lang, "h_incident"),
                t(lang, "h_declared"),
                t(lang, "h_true"),
                t(lang, "h_correct"),
            ],
            [
                [
                    _clock(g["t"], rep),
                    g["actor_name"],
                    g["incident"],
                    g["declared_text"],
                    g["true_text"],
                    t(lang, "yes" if g["correct"] else "no"),
                ]
                for g in rep["grading"]
            ],
        ),
        "",
    ]


def _continuity(rep) -> list[str]:
    lang = rep["lang"]
    out = [f"## {t(lang, 'sec_continuity')}", ""]
    if not rep["continuity"]:
        return out + [t(lang, "none"), ""]
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
                t(lang, met),
                num(c["impact"], 0),
            ]
        )
    return out + [
        table(
            [
                t(lang, "h_service"),
                t(lang, "h_down"),
                t(lang, "h_restored"),
                t(lang, "h_downtime"),
                t(lang, "h_rto"),
                t(lang, "h_rto_met"),
                t(lang, "h_impact"),
            ],
            rows,
        ),
        "",
    ]


def _analysis(rep) -> list[str]:
    lang = rep["lang"]
    out = [
        f"## {t(lang, 'sec_analysis')}",
        "",
        f"*{t(lang, 'drafted_note')}*",
        "",
        f"### {t(lang, 'sec_strengths')}",
        "",
    ]
    out += [f"- {s['text']}" for s in rep["strengths"]] or [f"- {t(lang, 'st_none')}"]
    out += ["", f"### {t(lang, 'sec_improvements')}", ""]
    if not rep["improvements"]:
        out.append(f"- {t(lang, 'afi_none')}")
    for a in rep["improvements"]:
        cap = f" *({t(lang, 'cap_' + a['capability'])})*" if a.get("capability") else ""
        out.append(f"- **{a['text']}**{cap}")
        out += [f"  - {d}" for d in a.get("details", [])]
    return out + [""]


def _hotwash(rep) -> list[str]:
    lang = rep["lang"]
    hw = rep.get("hotwash") or {}
    out = [f"## {t(lang, 'sec_hotwash')}", ""]
    any_notes = False
    for key, head in (
        ("strengths", "hw_strengths"),
        ("improvements", "hw_improvements"),
        ("feedback", "hw_feedback"),
    ):
        if hw.get(key):
            any_notes = True
            out += [f"### {t(lang, head)}", ""] + [f"- {x}" for x in hw[key]] + [""]
    if not any_notes:
        out += [t(lang, "hw_none"), ""]
    return out


def _plan(rep) -> list[str]:
    lang = rep["lang"]
    note = (
        t(lang, "plan_from_ratings", evaluator=rep.get("evaluator") or "-")
        if rep["improvement_plan_source"] == "ratings"
        else t(lang, "plan_note")
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
        f"## {t(lang, 'sec_plan')}",
        "",
        f"*{note}*",
        "",
        table(
            [
                "#",
                t(lang, "h_issue"),
                t(lang, "h_action"),
                t(lang, "h_capability"),
                t(lang, "h_responsible"),
                t(lang, "h_due_date"),
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
            f" {t(lang, 'occurrence', n=o['occurrence'])}"
            if o["occurrence"] and o["occurrence"] > 1
            else ""
        )
        who = o["role_name"] + (
            f" ({t(lang, 'by_deputy', deputy=o['acted_by_name'], role=o['role_name'])})"
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
        f"## {t(lang, 'sec_verdicts')}",
        "",
        table(
            [
                t(lang, "h_clause"),
                t(lang, "h_role"),
                t(lang, "h_duty"),
                t(lang, "h_incident"),
                t(lang, "h_due"),
                t(lang, "h_deadline"),
                t(lang, "h_done"),
                t(lang, "h_verdict"),
            ],
            rows,
        ),
        "",
    ]


def _mc(rep) -> list[str]:
    lang = rep["lang"]
    out = [f"## {t(lang, 'sec_objectives')}", "", t(lang, "mc_note"), ""]
    heads = [
        t(lang, "h_task"),
        t(lang, "h_clause"),
        t(lang, "h_role"),
        t(lang, "h_triggered"),
        t(lang, "h_p_hit"),
        t(lang, "h_ci"),
        t(lang, "h_p_late"),
        t(lang, "h_p_missed"),
        t(lang, "h_median"),
        t(lang, "h_p90"),
        t(lang, "h_deadline_min"),
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
        out += [f"### {t(lang, 'sec_variants')}", ""]
        heads = [t(lang, "h_duty"), t(lang, "h_base")]
        for v in cmp["variants"]:
            heads += [v["title"] or v["id"], t(lang, "h_delta")]
        rows = []
        for row in cmp["obligations"]:
            r = [row["title"], pct(row["base"], 1)]
            for v in row["variants"]:
                d = v.get("delta")
                r += [
                    pct(v.get("p_hit"), 1),
                    (
                        "-"
                        if d is None
                        else f"{'+' if d > 0 else ''}{d * 100:.1f} pp ({dci(v.get('ci95'))})"
                    )
                    + (" *" if v.get("changed") else ""),
                ]
            rows.append(r)
        out += [table(heads, rows), ""]
    if rep["final_grade"]:
        out += [
            f"## {t(lang, 'sec_grading')} — {t(lang, 'sec_final_grade')}",
            "",
            table(
                [t(lang, "h_level"), t(lang, "h_probability")],
                [[label, pct(p, 1)] for _, label, p in rep["final_grade"]],
            ),
            "",
        ]
    out += [f"## {t(lang, 'sec_continuity')}", ""]
    if rep["services"]:
        out += [
            table(
                [
                    t(lang, "h_service"),
                    t(lang, "h_rto"),
                    t(lang, "h_p_rto"),
                    t(lang, "h_ci"),
                    t(lang, "h_downtime_mean"),
                    t(lang, "h_median"),
                    t(lang, "h_p90"),
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
        out += [t(lang, "none"), ""]
    out += [f"## {t(lang, 'sec_distributions')}", "", f"*{t(lang, 'charts_md_note')}*", ""]
    if rep.get("critical_path"):
        out += [
            f"### {t(lang, 'sec_critical_path')}",
            "",
            table(
                [
                    t(lang, "h_duty"),
                    t(lang, "h_clause"),
                    t(lang, "h_delay_passed"),
                    t(lang, "h_share"),
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
