"""`drillsim report` (after-action reports) and `drillsim msel` (the MSEL as a spreadsheet)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from drillsim.words import t

from .arguments import FORCE_HELP, scenario_arg

REPORT_EPILOG = """\
Examples:
  drillsim run payment_outage --actions acts.yaml --others idle --log run.jsonl
  drillsim report run.jsonl -o aar.html                      # HSEEP AAR/IP, one self-contained file
  drillsim --lang zh report run.jsonl -o 评估报告.html          # 演练评估报告
  drillsim report run.jsonl --ratings-template ratings.yaml   # for evaluators to fill in
  drillsim report run.jsonl --ratings ratings.yaml -o aar.md  # Markdown (+ aar.timeline.svg)
  drillsim report mc.json -o mc.html                          # montecarlo/compare results (--json output)
The format follows the output's suffix (.html .md .json); without -o, Markdown goes to stdout.
"""

MSEL_EPILOG = """\
Examples:
  drillsim msel export payment_outage -o msel.xlsx     # or .csv (UTF-8 with BOM, opens in Excel)
  drillsim msel import msel.xlsx -o my_scenario.yaml   # base: the scenario named in row 1, or --base
Columns: id, time, clock, phase, incident, from, to, channel, message, message_en, expected action,
objective, condition, unless, set, down (docs/REPORTS.md).
"""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a probability in (0, 1], got {text!r}")
    return value


def _lang(args) -> str:
    return getattr(args, "report_lang", None) or args.lang or "en"


def cmd_report(args) -> int:
    from drillsim.scoring.report import build_report, input_kind, render
    from drillsim.scoring.report.template import ratings_template
    from drillsim.simulator.eventlog import read_log
    from drillsim.simulator.outputs import check_output

    out = Path(args.output) if args.output else None
    fmt = args.format
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out else ""
        fmt = {"htm": "html", "html": "html", "md": "md", "markdown": "md", "json": "json"}.get(
            suffix, "html" if out else "md"
        )
    lang = _lang(args)
    inputs = (args.input, args.ratings)
    if args.ratings_template:
        check_output(args.ratings_template, force=args.force, inputs=inputs)
    if out is not None:
        check_output(out, force=args.force, inputs=inputs)
    if input_kind(args.input)[0] == "log":
        chain = read_log(args.input)[1]
        if not chain.intact or chain.torn:
            text = chain.describe(lang)
            print(t("cli_warning", lang, path=args.input, text=text), file=sys.stderr)

    from drillsim.scoring.drill_record import is_drill_log

    if is_drill_log(args.input):  # a live drill's log: the drill record
        from .cmd_drill import report_drill

        return report_drill(args, lang, out)
    rep = build_report(
        args.input, ratings=args.ratings, lang=lang, date=args.date, target=args.target
    )

    if args.ratings_template:
        roles = None
        if rep["kind"] == "exercise":
            roles = [p["role"] for p in rep["participants"]]
        Path(args.ratings_template).write_text(ratings_template(rep, roles), encoding="utf-8")
        print(
            t("cli_ratings_template", lang, path=args.ratings_template),
            file=sys.stderr,
        )
        if out is None and args.format is None:
            return 0
    timeline_file = None
    if (
        fmt == "md"
        and out is not None
        and rep["kind"] == "exercise"
        and rep.get("timeline_svg", "").startswith("<svg")
    ):
        svg_path = check_output(
            out.with_name(out.stem + ".timeline.svg"), force=args.force, inputs=inputs
        )
        svg_path.write_text(rep["timeline_svg"] + "\n", encoding="utf-8")
        timeline_file = svg_path.name
    text = render(rep, fmt, **({"timeline_file": timeline_file} if fmt == "md" else {}))
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        print(t("cli_report", lang, path=out), file=sys.stderr)
    return 0


def cmd_msel_export(args) -> int:
    from drillsim.simulator.formats.msel import export_msel
    from drillsim.simulator.loader import load_plan
    from drillsim.simulator.outputs import check_output

    plan = load_plan(args.scenario, args.variant)
    headers = args.headers or _lang(args)
    if args.output:
        check_output(args.output, force=args.force, inputs=plan.files)
        export_msel(plan, args.output, headers)
        print(f"MSEL: {args.output} ({len(plan.scenario.injects)} injects)", file=sys.stderr)
    else:
        sys.stdout.write(export_msel(plan, None, headers).decode("utf-8-sig"))
    return 0


def cmd_msel_import(args) -> int:
    from drillsim.simulator.formats.msel import import_msel
    from drillsim.simulator.outputs import check_output, write_text

    if args.output:
        check_output(args.output, force=args.force, inputs=(args.file, args.base))
    text = import_msel(args.file, base=args.base, new_id=args.id)
    if args.output:
        write_text(args.output, text, force=args.force, inputs=(args.file, args.base))
        print(f"scenario: {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def register(sub) -> None:
    """Add `report` and `msel` to the `drillsim` parser."""
    p = sub.add_parser(
        "report",
        help="after-action report (HSEEP AAR/IP; 演练评估报告) of a log or of montecarlo/compare results",
        description="Write the after-action report of one exercise (an event log, .jsonl) or of replications "
        "(the JSON of `drillsim montecarlo|compare --json`): overview, objectives and critical tasks "
        "with evidence, grading, continuity, timeline, strengths and areas for improvement, "
        "improvement plan. Evaluators' P/S/M/U ratings and hotwash notes come from --ratings.",
        epilog=REPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "input",
        metavar="LOG_OR_RESULTS",
        help="an event log (.jsonl) or montecarlo/compare results (.json)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write here (format from the suffix: .html .md .json)",
    )
    p.add_argument(
        "--format",
        choices=["html", "md", "json", "docx"],
        help="output format (default: from -o, else md)",
    )
    p.add_argument(
        "--lang",
        dest="report_lang",
        choices=["zh", "en"],
        default=None,
        help="language of the report (default: drillsim --lang, else the locale)",
    )
    p.add_argument(
        "--ratings", metavar="FILE", help="evaluators' ratings file (YAML; docs/REPORTS.md)"
    )
    p.add_argument(
        "--ratings-template",
        metavar="FILE",
        help="write a ratings file for evaluators, pre-filled with the critical tasks and the drafted plan",
    )
    p.add_argument(
        "--date",
        type=_date,
        metavar="YYYY-MM-DD",
        help="date of the exercise (default: people's wall-clock stamps in the log, else the file's date)",
    )
    p.add_argument(
        "--target",
        type=_probability,
        default=0.9,
        metavar="P",
        help="replication reports: the chance of being on time a duty should reach (default 0.9)",
    )
    p.add_argument(
        "--attach",
        action="append",
        default=[],
        metavar="FILE",
        help="drill record: list this photo or document as an attachment (repeatable)",
    )
    p.add_argument(
        "--no-names",
        action="store_true",
        help="drill record: leave people's names out (employee numbers instead)",
    )
    p.add_argument(
        "--predict-n",
        type=int,
        default=200,
        metavar="N",
        help="drill record: simulated evacuations to set the measured times against (0: none)",
    )
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.set_defaults(func=cmd_report)

    m = sub.add_parser(
        "msel",
        help="MSEL spreadsheets: export a scenario's injects to CSV/XLSX, import them back",
        description="The master scenario events list as a spreadsheet (CSV or XLSX).",
        epilog=MSEL_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    msub = m.add_subparsers(dest="msel_command", metavar="ACTION")
    m.set_defaults(func=lambda args: (m.print_help(), 0)[1])

    e = msub.add_parser(
        "export",
        help="write a scenario's injects as a spreadsheet",
        epilog=MSEL_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    scenario_arg(e)
    e.add_argument(
        "-o", "--output", metavar="FILE.csv|FILE.xlsx", help="write here (default: CSV to stdout)"
    )
    e.add_argument(
        "--headers",
        choices=["en", "zh"],
        default=None,
        help="language of the column headers (default: --lang); import reads either",
    )
    e.add_argument(
        "--lang", dest="report_lang", choices=["zh", "en"], default=None, help=argparse.SUPPRESS
    )
    e.add_argument("--force", action="store_true", help=FORCE_HELP)
    e.set_defaults(func=cmd_msel_export)

    i = msub.add_parser(
        "import",
        help="make a scenario YAML from a spreadsheet's injects",
        description="Read the injects from FILE (CSV or XLSX) and write a scenario: the other "
        "parts (procedures, incidents, timeline, absences, outages, objectives, "
        "overrides …) come from --base (default: the scenario named in row 1). "
        "Problems are printed as FILE:ROW:COL: message.",
        epilog=MSEL_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    i.add_argument("file", metavar="FILE", help="the MSEL spreadsheet (.csv or .xlsx)")
    i.add_argument(
        "-o", "--output", metavar="SCENARIO.yaml", help="write the scenario here (default: stdout)"
    )
    i.add_argument(
        "--base", metavar="SCENARIO", help="scenario that supplies everything but the injects"
    )
    i.add_argument("--id", metavar="ID", help="give the new scenario this id (default: the base's)")
    i.add_argument("--force", action="store_true", help=FORCE_HELP)
    i.set_defaults(func=cmd_msel_import)
