"""Trainee records: each session a trainee played, kept between sessions, and their progress.

A record is one JSON file per trainee in the user's data folder (`platformdirs`: on Linux
`$XDG_DATA_HOME/drillsim/trainees/NAME.json`, by default `~/.local/share/...`). A session keeps
the scenario, the mode, the date, the seed and log, the verdict of every duty of the played
roles and every grade against the rules. Progress is read per clause: how often its duties were
hit, and whether the last session did better or worse than those before. Written whole to a
temporary file and renamed, so a crash never leaves half a record.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from drillsim.simulator.plan import Plan

from .debrief import covered
from .verdicts import UNSCORED

FORMAT = 1
_NAME = re.compile(r"^[\w][\w .-]{0,63}$")  # letters of any script, digits, _ . - and spaces


def check_name(name: str) -> str | None:
    """Why a trainee name cannot be used as a record's file name (None: it can)."""
    if not _NAME.match(name or "") or name.strip() != name or ".." in name:
        return (
            f"{name!r} is not a usable name: 1-64 letters, digits, '_', '-', '.' or spaces, "
            "starting with a letter or digit"
        )
    return None


def records_dir() -> Path:
    return Path(platformdirs.user_data_dir("drillsim", appauthor=False)) / "trainees"


def record_path(name: str) -> Path:
    problem = check_name(name)
    if problem:
        raise ValueError(problem)
    return records_dir() / f"{name}.json"


def session_entry(
    plan: Plan, result: dict, roles: list[str], mode: str, date: str, log: str | None
) -> dict:
    """One session as the record keeps it, from the score of its log (`verdicts.score`)."""
    mine = covered(plan, roles)
    duties = [
        {
            "id": e["id"],
            "clause": e["clause"],
            "incident": e["incident"],
            "occurrence": e["occurrence"],
            "status": e["status"],
            "late_by_min": e["late_by_min"],
        }
        for e in result["obligations"]
        if e["role"] in mine and e["status"] not in UNSCORED
    ]
    grades = [
        {k: g[k] for k in ("t", "incident", "declared", "true", "correct")}
        for g in result["grading"]
        if g["actor"] in mine
    ]
    return {
        "scenario": plan.scenario.id,
        "title": plan.scenario.title,
        "title_en": plan.scenario.title_en,
        "mode": mode,
        "date": date,
        "seed": result["seed"],
        "variants": list(plan.variants),
        "roles": list(roles),
        "log": log,
        "complete": result["complete"],
        "duties": duties,
        "grades": grades,
    }


def load(name: str) -> dict:
    path = record_path(name)
    if not path.exists():
        return {"format": FORMAT, "name": name, "sessions": []}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def add_session(name: str, entry: dict) -> Path:
    """Append a session to the trainee's record (created on first use); returns its path."""
    record = load(name)
    record["sessions"].append(entry)
    path = record_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False, indent=1)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def all_records() -> list[dict]:
    folder = records_dir()
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.json")):
        if check_name(path.stem) is None:
            with open(path, encoding="utf-8") as f:
                out.append(json.load(f))
    return out


# --- progress -------------------------------------------------------------------------------


@dataclass
class ClauseProgress:
    clause: str
    due: int  # duties of this clause over all sessions (hit + late + missed)
    hit: int
    rates: list[float]  # the hit rate in each session the clause fell due in, oldest first

    @property
    def rate(self) -> float:
        return self.hit / self.due if self.due else 0.0

    @property
    def trend(self) -> float | None:
        """The last session's hit rate against the mean of those before (None: one session)."""
        if len(self.rates) < 2:
            return None
        before = self.rates[:-1]
        return self.rates[-1] - sum(before) / len(before)


def progress(record: dict) -> list[ClauseProgress]:
    """Per clause, in the order clauses first appear: how often hit, and the trend."""
    table: dict[str, ClauseProgress] = {}
    for s in record["sessions"]:
        counts: dict[str, list[int]] = {}
        for d in s["duties"]:
            if d["status"] not in ("hit", "late", "missed"):
                continue
            c = counts.setdefault(d["clause"], [0, 0])
            c[0] += 1
            c[1] += d["status"] == "hit"
        for clause, (due, hit) in counts.items():
            p = table.setdefault(clause, ClauseProgress(clause, 0, 0, []))
            p.due, p.hit = p.due + due, p.hit + hit
            p.rates.append(hit / due)
    return list(table.values())


def session_rate(session: dict) -> float | None:
    scored = [d for d in session["duties"] if d["status"] in ("hit", "late", "missed")]
    return sum(d["status"] == "hit" for d in scored) / len(scored) if scored else None


MODES = ("training", "exercise", "test")


def suggest(record: dict, catalog: list[dict]) -> dict:
    """The next scenario and mode: where the weakest clause is practised, played least often; once
    a scenario's last session hit every duty, the same scenario in the next, harder mode.
    `catalog`: [{id, clauses (the clause prefixes of its procedures, e.g. "000")}]."""
    sessions = record["sessions"]
    played: dict[str, int] = {}
    for s in sessions:
        played[s["scenario"]] = played.get(s["scenario"], 0) + 1
    if not sessions:
        first = catalog[0]["id"] if catalog else None
        return {"scenario": first, "mode": "training", "reason": "first", "clause": None}
    last = sessions[-1]
    if session_rate(last) == 1.0 and all(g["correct"] for g in last["grades"]):
        i = MODES.index(last["mode"]) if last["mode"] in MODES else 0
        if i + 1 < len(MODES):
            return {
                "scenario": last["scenario"],
                "mode": MODES[i + 1],
                "reason": "harder",
                "clause": None,
            }
    weakest = sorted(progress(record), key=lambda p: (p.rate, -p.due))
    for p in weakest:
        prefix = p.clause.split()[0]
        options = [c["id"] for c in catalog if prefix in c["clauses"]]
        if options:
            pick = min(options, key=lambda sid: (played.get(sid, 0), options.index(sid)))
            return {"scenario": pick, "mode": last["mode"], "reason": "weakest", "clause": p.clause}
    return {"scenario": last["scenario"], "mode": last["mode"], "reason": "again", "clause": None}


# --- export ---------------------------------------------------------------------------------

COLUMNS = (
    "trainee",
    "date",
    "scenario",
    "mode",
    "seed",
    "kind",
    "id",
    "clause",
    "incident",
    "occurrence",
    "status",
    "late_by_min",
    "declared",
    "true_level",
)


def rows(records: list[dict]) -> list[dict]:
    """Every duty and grade of every session of every trainee, one row each."""
    out = []
    for rec in records:
        for s in rec["sessions"]:
            base = {
                "trainee": rec["name"],
                "date": s["date"],
                "scenario": s["scenario"],
                "mode": s["mode"],
                "seed": s["seed"],
            }
            for d in s["duties"]:
                out.append(
                    {
                        **base,
                        "kind": "duty",
                        "id": d["id"],
                        "clause": d["clause"],
                        "incident": d["incident"],
                        "occurrence": d["occurrence"],
                        "status": d["status"],
                        "late_by_min": d["late_by_min"],
                        "declared": None,
                        "true_level": None,
                    }
                )
            for g in s["grades"]:
                out.append(
                    {
                        **base,
                        "kind": "grade",
                        "id": "grade",
                        "clause": None,
                        "incident": g["incident"],
                        "occurrence": None,
                        "status": "right" if g["correct"] else "wrong",
                        "late_by_min": None,
                        "declared": g["declared"],
                        "true_level": g["true"],
                    }
                )
    return out


def to_csv(records: list[dict]) -> str:
    """UTF-8 text for a file written with a BOM (`utf-8-sig`), so that Excel reads the Chinese."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows(records):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buf.getvalue()


# --- rendering: the terminal, Markdown, HTML ---------------------------------------------------


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def _trend(x: float | None) -> str:
    if x is None:
        return "-"
    if abs(x) < 0.005:
        return "="
    return f"{'↑' if x > 0 else '↓'} {x * 100:+.0f} pp"


def tables(record: dict, lang: str, titles: dict[str, str] | None = None) -> list[tuple]:
    """[(heading, headers, rows)] of a trainee's record: the sessions, then the clauses."""
    from drillsim.words import t

    titles = titles or {}
    sessions = []
    for s in record["sessions"]:
        grades = s["grades"]
        right = sum(g["correct"] for g in grades)
        sessions.append(
            [
                s["date"][:16].replace("T", " "),
                titles.get(s["scenario"], s["scenario"]),
                t(f"mode_name_{s['mode']}", lang) if s["mode"] in MODES else s["mode"],
                _pct(session_rate(s)),
                f"{right}/{len(grades)}",
            ]
        )
    clauses = [
        [p.clause, str(p.due), str(p.hit), _pct(p.rate), _trend(p.trend)] for p in progress(record)
    ]
    col = lambda k: t(f"tr_col_{k}", lang)  # noqa: E731
    return [
        (
            t("tr_sessions", lang),
            [col("date"), col("scenario"), col("mode"), col("on_time"), col("grades")],
            sessions,
        ),
        (
            t("tr_clauses", lang),
            [col("clause"), col("due"), col("hit"), col("on_time"), col("trend")],
            clauses,
        ),
    ]


def suggestion_text(tip: dict, lang: str, titles: dict[str, str] | None = None) -> str:
    from drillsim.words import t

    titles = titles or {}
    why = t(f"tr_why_{tip['reason']}", lang, **({"clause": tip["clause"]} if tip["clause"] else {}))
    scenario = tip["scenario"] or "-"
    label = f"{scenario} ({titles[scenario]})" if scenario in titles else scenario
    return t("tr_next", lang, scenario=label, mode=t(f"mode_name_{tip['mode']}", lang), why=why)


def render_text(record: dict, lang: str, tip: dict, titles: dict[str, str] | None = None) -> str:
    from drillsim.words import t

    from .tables import table

    out = [t("tr_title", lang, name=record["name"]), ""]
    for heading, heads, body in tables(record, lang, titles):
        out += [heading, table(heads, body), ""]
    out.append(suggestion_text(tip, lang, titles))
    return "\n".join(out)


def overview(records: list[dict], lang: str) -> tuple[list[str], list[list[str]]]:
    """One line per trainee: sessions, on-time rate over all their duties, grades right."""
    from drillsim.words import t

    heads = [t(f"tr_col_{k}", lang) for k in ("trainee", "sessions", "on_time", "grades")]
    body = []
    for rec in records:
        duties = [
            d
            for s in rec["sessions"]
            for d in s["duties"]
            if d["status"] in ("hit", "late", "missed")
        ]
        grades = [g for s in rec["sessions"] for g in s["grades"]]
        rate = sum(d["status"] == "hit" for d in duties) / len(duties) if duties else None
        body.append(
            [
                rec["name"],
                str(len(rec["sessions"])),
                _pct(rate),
                f"{sum(g['correct'] for g in grades)}/{len(grades)}",
            ]
        )
    return heads, body


def to_markdown(records: list[dict], lang: str) -> str:
    from drillsim.words import t

    from .report.markdown import table

    heads, body = overview(records, lang)
    out = [f"# {t('tr_export_title', lang)}", "", table(heads, body), ""]
    for rec in records:
        out += [f"## {t('tr_title', lang, name=rec['name'])}", ""]
        for heading, h, b in tables(rec, lang):
            out += [f"### {heading}", "", table(h, b), ""]
    return "\n".join(out)


def to_html(records: list[dict], lang: str) -> str:
    from html import escape

    from drillsim.words import t

    def table(heads, body):
        th = "".join(f"<th>{escape(h)}</th>" for h in heads)
        trs = "".join(
            "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in body
        )
        return f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"

    title = escape(t("tr_export_title", lang))
    parts = [
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>',
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin-bottom:1.5em}td,th{border:1px solid #bbb;padding:.2em .6em;text-align:left}"
        "</style></head><body>",
        f"<h1>{title}</h1>",
        table(*overview(records, lang)),
    ]
    for rec in records:
        parts.append(f"<h2>{escape(t('tr_title', lang, name=rec['name']))}</h2>")
        for heading, h, b in tables(rec, lang):
            parts.append(f"<h3>{escape(heading)}</h3>" + table(h, b))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def export(records: list[dict], path: Path, lang: str) -> int:
    """Write every record to `path` in the format its suffix names (.csv .json .md .html);
    returns the number of rows (duties and grades)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        path.write_text(to_csv(records), encoding="utf-8-sig", newline="")
    elif suffix == ".json":
        path.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    elif suffix in (".md", ".markdown"):
        path.write_text(to_markdown(records, lang), encoding="utf-8")
    elif suffix in (".html", ".htm"):
        path.write_text(to_html(records, lang), encoding="utf-8")
    else:
        raise ValueError(f"{path}: the export format follows the suffix: .csv .json .md .html")
    return len(rows(records))
