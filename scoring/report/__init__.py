"""After-action reports (HSEEP AAR/IP; 演练评估报告/总结报告) of one exercise or of replications.

    rep = build_report("run.jsonl", ratings="ratings.yaml", lang="zh")   # or a montecarlo/compare JSON
    Path("aar.html").write_text(render(rep, "html"), encoding="utf-8")

`build_report` detects the input: a `.jsonl` event log, or a JSON file whose `kind` is
`montecarlo` or `compare`. Renderers: `render_html`, `render_markdown`, `render_json`.
"""

from __future__ import annotations

import json
from pathlib import Path

from drillsim.simulator.errors import InputError, Problem
from drillsim.simulator.eventlog import MAX_LOG_BYTES
from drillsim.simulator.formats.yamlsrc import read_limited

from .html import render_html
from .markdown import render_markdown
from .model import exercise_date, exercise_report

FORMATS = ("html", "md", "json")


def input_kind(path: str | Path) -> tuple[str, dict | None]:
    """('log', None) for an event log, ('montecarlo'|'compare', data) for replication results."""
    path = Path(path)
    if path.suffix == ".jsonl":
        return "log", None
    try:
        text = read_limited(path, "log or results file", MAX_LOG_BYTES).decode("utf-8")
    except UnicodeDecodeError:
        return "log", None  # read_log names the line that is not text
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return "log", None  # read_log says what is wrong with it
    try:
        head = json.loads(stripped.splitlines()[0])
        if isinstance(head, dict) and head.get("type") == "start":
            return "log", None  # JSON Lines without the .jsonl suffix
    except ValueError:
        pass
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(
            [
                Problem(
                    str(path),
                    getattr(exc, "lineno", 1),
                    getattr(exc, "colno", 1),
                    f"not valid JSON: {exc.msg if hasattr(exc, 'msg') else exc}",
                )
            ]
        ) from None
    if isinstance(data, dict) and data.get("kind") in ("montecarlo", "compare"):
        return data["kind"], data
    raise InputError(
        [
            Problem(
                str(path),
                1,
                1,
                "not an event log (.jsonl) nor replication results "
                "(JSON with kind: montecarlo or compare)",
            )
        ]
    )


def build_report(
    path: str | Path, *, ratings=None, lang: str = "en", date=None, target: float = 0.9
) -> dict:
    """The report's content for an event log or a montecarlo/compare JSON file.

    `ratings` is a `scoring.ratings.Ratings`, a path to a ratings file, or None.
    """
    from drillsim.scoring.ratings import Ratings, load_ratings
    from drillsim.scoring.verdicts import plan_of
    from drillsim.simulator.eventlog import read_log

    _, data = input_kind(path)
    if data is None:  # an event log
        events, chain = read_log(path)
        plan = plan_of(events)
        if ratings is not None and not isinstance(ratings, Ratings):
            ratings = load_ratings(ratings, plan)
        return exercise_report(
            plan,
            events,
            ratings=ratings,
            date=date,
            lang=lang,
            log_path=path,
            source=str(path),
            chain=chain,
        )
    from .montecarlo_report import montecarlo_report

    return montecarlo_report(data, path=path, ratings=ratings, lang=lang, date=date, target=target)


def render_json(rep: dict) -> str:
    data = {k: v for k, v in rep.items() if k not in ("timeline_svg", "charts")}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render(rep: dict, fmt: str, **kw) -> str:
    if fmt == "html":
        return render_html(rep)
    if fmt == "md":
        return render_markdown(rep, **kw)
    if fmt == "json":
        return render_json(rep)
    raise ValueError(f"unknown format {fmt!r}")


__all__ = [
    "FORMATS",
    "build_report",
    "exercise_date",
    "exercise_report",
    "input_kind",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
]
