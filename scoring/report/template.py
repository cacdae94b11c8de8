"""A ratings file for evaluators to fill in, pre-filled from the report (`drillsim report LOG --ratings-template FILE`).

It lists every objective and critical task with `rating: null` and, as comments, the timing
evidence from the log; the improvement plan is the drafted one, ready to edit. The text loads
with `scoring.ratings.load_ratings` as it is.
"""

from __future__ import annotations

import json
import textwrap

from drillsim.words import t
from drillsim.words.formatting import when


def q(text) -> str:
    """A YAML scalar: JSON strings are valid double-quoted YAML."""
    return "null" if text is None else json.dumps(str(text), ensure_ascii=False)


def _comment(text: str, indent: str = "") -> list[str]:
    return [f"{indent}# {line}" for line in textwrap.wrap(text, 100, break_long_words=False)] or [
        f"{indent}#"
    ]


def ratings_template(rep: dict, roles: list[str] | None = None) -> str:
    lang = rep["lang"]
    sc = rep["scenario"]
    out = _comment(t("tpl_header", lang, scenario=sc["id"], date=rep["date"]))
    out += _comment(t("tpl_scale", lang))
    out += _comment(t("tpl_timing", lang))
    out += [
        f"evaluator: {q(rep.get('evaluator') or '')}",
        f"date: {rep['date']}",
        f"scenario: {sc['id']}",
        "tasks:",
    ]
    for obj in rep["objectives"]:
        if obj["id"] in ("other", "all"):
            continue
        out += [""] + _comment(t("tpl_objective", lang, id=obj["id"], text=obj["text"]), "  ")
        out += [
            f"  - objective: {obj['id']}",
            f"    rating: {q(obj.get('rating'))}",
            f"    observation: {q(obj.get('observation') or '')}",
        ]
        for task in obj["tasks"]:
            oid = task.get("obligation") or task.get("id")
            title = task.get("title") or task.get("title_local")
            out += _comment(
                f"{oid}: {title} ({task.get('clause', '')}) — {task.get('role_name', '')}", "  "
            )
            for o in task.get("occurrences") or []:
                if o["status"] == "not_triggered":
                    continue
                start = sc["start_clock"]
                times = (
                    f"{t('h_due', lang).lower()} {when(start, o['triggered_at'])}, "
                    f"{t('h_deadline', lang).lower()} {when(start, o['deadline_at'])}"
                    + (
                        f", {t('h_done', lang).lower()} {when(start, o['done_at'])}"
                        if o["done_at"] is not None
                        else ""
                    )
                )
                inc = f"[{o['incident']}] " if rep.get("multi_incident") else ""
                out += _comment(f"  {inc}{o['verdict_text']}: {times}", "  ")
            if not task.get("occurrences") and task.get("p_hit") is not None:
                out += _comment(f"  {t('h_p_hit', lang)} {task['p_hit']:.3f}", "  ")
            if task.get("status") == "not_triggered":
                out += _comment(f"  {t('not_triggered', lang)}", "  ")
            out += [
                f"  - objective: {obj['id']}",
                f"    obligation: {oid}",
                f"    rating: {q(task.get('rating'))}",
                f"    observation: {q(task.get('observation') or '')}",
            ]
    hw = rep.get("hotwash") or {}
    out += ["", "hotwash:"]
    for key in ("strengths", "improvements", "feedback"):
        items = hw.get(key) or []
        out.append(f"  {key}:" + ("" if items else " []"))
        out += [f"    - {q(x)}" for x in items]
    out += [""] + _comment(t("tpl_plan", lang))
    if roles:
        out += _comment(t("tpl_roles", lang, roles=", ".join(roles)))
    items = rep.get("improvement_plan") or []
    out.append("improvement_plan:" + ("" if items else " []"))
    for p in items:
        out += [
            f"  - issue: {q(p['issue'])}",
            f"    corrective_action: {q(p['corrective_action'])}",
            f"    capability: {p['capability']}",
            f"    responsible_role: {p.get('responsible_role') or 'null'}",
            f"    due: {p.get('due') or 'null'}",
        ]
        if p.get("obligation"):
            out.append(f"    obligation: {p['obligation']}")
    return "\n".join(out) + "\n"
