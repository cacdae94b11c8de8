"""The drill record as Markdown, HTML (one self-contained file) and Word (.docx, python-docx).

All three walk the same sections of the record (`drill_record.SECTIONS`) in the same order, so
a section added to the record shows in every format."""

from __future__ import annotations

import html
import io
from typing import cast

from drillsim.words import t


def _sections(rec: dict) -> list[tuple[str, list[tuple[str, object]]]]:
    """(heading, blocks) in order; a block is ('p', text), ('table', (heads, rows)) or ('list', items)."""
    lang = rec["lang"]

    def h(key):
        return t(key, lang)

    out = []
    out.append(
        (
            h("rec_sec_facts"),
            [("table", (None, [[f["label"], f["value"]] for f in rec["facts"]]))]
            + ([("p", h("rec_names_left_out"))] if not rec["names"] else []),
        )
    )
    out.append(
        (
            h("rec_sec_timeline"),
            [
                (
                    "table",
                    (
                        [h("rec_h_time"), h("rec_h_event"), h("rec_h_by"), h("rec_h_note")],
                        [[r["clock"], r["event"], r["by"], r["note"]] for r in rec["timeline"]],
                    ),
                )
            ],
        )
    )
    out.append(
        (
            h("rec_sec_steps"),
            [
                (
                    "table",
                    (
                        [
                            h("rec_h_step"),
                            h("rec_h_clause"),
                            h("rec_h_role"),
                            h("rec_h_plan"),
                            h("rec_h_actual"),
                            h("rec_h_verdict"),
                        ],
                        [
                            [
                                s["step"],
                                s["clause"],
                                s["role"],
                                s["plan"],
                                s["actual"] + (" ✎" if s["corrected"] else ""),
                                s["verdict"],
                            ]
                            for s in rec["steps"]
                        ],
                    ),
                )
            ],
        )
    )
    hc = rec["headcount"]
    blocks: list = [
        (
            "p",
            t("rec_hc_summary", lang, **{k: hc[k] for k in ("expected", "visitors", "accounted")}),
        )
    ]
    if hc["complete_at"]:
        blocks.append(("p", t("rec_hc_complete", lang, t=hc["complete_at"])))
    elif hc["closed_at"]:
        blocks.append(("p", t("rec_hc_closed", lang, t=hc["closed_at"])))
        blocks.append(("list", hc["missing"] or [h("rec_none")]))
    else:
        blocks.append(("p", h("rec_hc_open")))
        blocks.append(("list", hc["missing"] or [h("rec_none")]))
    blocks.append(
        (
            "table",
            (
                [h("rec_h_group"), h("rec_h_count")],
                [[g["name"], f"{g['accounted']}/{g['expected']}"] for g in hc["groups"]],
            ),
        )
    )
    if rec["prediction"]:
        info = rec["prediction_info"]
        blocks.append(("h3", h("rec_sec_prediction")))
        blocks.append(
            (
                "table",
                (
                    [
                        h("rec_h_metric"),
                        h("rec_h_measured"),
                        h("rec_h_mean"),
                        h("rec_h_range"),
                        h("rec_h_rank"),
                    ],
                    [
                        [p["label"], p["measured"], p["mean"], p["range"], p["rank"]]
                        for p in rec["prediction"]
                    ],
                ),
            )
        )
        blocks.append(
            (
                "p",
                t(
                    "rec_prediction_note",
                    lang,
                    site=info["site"],
                    n=info["n"],
                    seed=info["seed"],
                    wardens=info["wardens"],
                ),
            )
        )
    out.append((h("rec_sec_headcount"), blocks))
    out.append(
        (
            h("rec_sec_problems"),
            [("list", [p["text"] for p in rec["problems"]] or [h("rec_no_problems")])],
        )
    )
    out.append(
        (
            h("rec_sec_actions"),
            [
                ("p", h(f"rec_actions_{rec['actions_source']}")),
                (
                    "table",
                    (
                        [h("rec_h_issue"), h("rec_h_action"), h("rec_h_owner"), h("rec_h_due")],
                        [[a["issue"], a["action"], a["owner"], a["due"]] for a in rec["actions"]],
                    ),
                ),
            ],
        )
    )
    out.append((h("rec_sec_conclusion"), [("p", rec["conclusion"])]))
    out.append(
        (
            h("rec_sec_signoff"),
            [
                (
                    "table",
                    (
                        ["", h("rec_h_sign"), h("rec_h_signdate")],
                        [[who, "", ""] for who in rec["signoff"]],
                    ),
                )
            ],
        )
    )
    if rec["attachments"]:
        out.append(
            (
                h("rec_sec_attachments"),
                [
                    (
                        "table",
                        (
                            [h("rec_h_file"), h("rec_h_size"), h("rec_h_sha")],
                            [
                                [
                                    a["path"],
                                    "-" if a["size"] is None else str(a["size"]),
                                    a["sha256"],
                                ]
                                for a in rec["attachments"]
                            ],
                        ),
                    )
                ],
            )
        )
    return out


# --- Markdown ----------------------------------------------------------------------------------


def _md_cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(rec: dict) -> str:
    lines = [f"# {rec['title']}", "", f"*{rec['subtitle']}*", ""]
    for heading, blocks in _sections(rec):
        lines += [f"## {heading}", ""]
        for kind, body in blocks:
            if kind == "p":
                lines += [str(body), ""]
            elif kind == "h3":
                lines += [f"### {body}", ""]
            elif kind == "list":
                lines += [f"- {_md_cell(x)}" for x in cast(list, body)] + [""]
            else:
                heads, rows = cast(tuple, body)
                heads = heads or ["", ""]
                lines.append("| " + " | ".join(_md_cell(x) for x in heads) + " |")
                lines.append("|" + "---|" * len(heads))
                lines += ["| " + " | ".join(_md_cell(x) for x in r) + " |" for r in rows]
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- HTML --------------------------------------------------------------------------------------

_CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",system-ui,sans-serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.6rem;margin-bottom:0}h2{border-bottom:2px solid #234;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border:1px solid #aab;padding:.3rem .5rem;
vertical-align:top;text-align:left}th{background:#e8edf3}.sub{color:#556;margin-top:.2rem}
@media print{body{margin:0}h2{page-break-after:avoid}}"""


def render_html(rec: dict) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if rec["lang"] == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{e(rec['title'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(rec['title'])}</h1>",
        f'<p class="sub">{e(rec["subtitle"])}</p>',
    ]
    for heading, blocks in _sections(rec):
        parts.append(f"<h2>{e(heading)}</h2>")
        for kind, body in blocks:
            if kind == "p":
                parts.append(f"<p>{e(str(body))}</p>")
            elif kind == "h3":
                parts.append(f"<h3>{e(str(body))}</h3>")
            elif kind == "list":
                parts.append(
                    "<ul>" + "".join(f"<li>{e(str(x))}</li>" for x in cast(list, body)) + "</ul>"
                )
            else:
                heads, rows = cast(tuple, body)
                parts.append("<table>")
                if heads:
                    parts.append("<tr>" + "".join(f"<th>{e(str(x))}</th>" for x in heads) + "</tr>")
                for r in rows:
                    cells = [f"<td>{e(str(x))}</td>" for x in r]
                    if not heads:
                        cells[0] = f"<th>{e(str(r[0]))}</th>"
                    parts.append("<tr>" + "".join(cells) + "</tr>")
                parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# --- Word --------------------------------------------------------------------------------------


def render_docx(rec: dict) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun" if rec["lang"] == "zh" else "Calibri"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")  # Chinese text in a Chinese face
    doc.core_properties.title = rec["title"]
    doc.add_heading(rec["title"], level=0)
    doc.add_paragraph(rec["subtitle"])
    for heading, blocks in _sections(rec):
        doc.add_heading(heading, level=1)
        for kind, body in blocks:
            if kind == "p":
                doc.add_paragraph(str(body))
            elif kind == "h3":
                doc.add_heading(str(body), level=2)
            elif kind == "list":
                for x in cast(list, body):
                    doc.add_paragraph(str(x), style="List Bullet")
            else:
                heads, rows = cast(tuple, body)
                ncols = len(heads) if heads else len(rows[0]) if rows else 2
                table = doc.add_table(rows=0, cols=ncols)
                table.style = "Table Grid"
                if heads:
                    cells = table.add_row().cells
                    for c, x in zip(cells, heads):
                        c.text = str(x)
                        for run in c.paragraphs[0].runs:
                            run.bold = True
                for r in rows:
                    cells = table.add_row().cells
                    for c, x in zip(cells, r):
                        c.text = str(x)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
