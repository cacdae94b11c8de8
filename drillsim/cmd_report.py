"""`drillsim report` (after-action reports) and `drillsim msel` (the MSEL as a spreadsheet)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from drillsim.words import t

from .arguments import Helps, scenario_arg, type_error


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise type_error("argtype_date", text=text) from None


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 1:
        raise type_error("argtype_probability", text=text)
    return value


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
    lang = args.lang
    inputs = [args.input, args.ratings]
    chain = None
    if input_kind(args.input)[0] == "log":
        events, chain = read_log(args.input)
        # the scenario, procedure and variant files the run read are this report's inputs too
        inputs += [f["path"] for f in events[0].get("files", []) if isinstance(f, dict)]
    if args.ratings_template:
        check_output(args.ratings_template, force=args.force, inputs=inputs)
    if out is not None:
        check_output(out, force=args.force, inputs=inputs)
    if chain is not None and (not chain.intact or chain.torn):
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
    headers = args.headers or args.lang
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


def register(sub, lang: str) -> None:
    """Add `report` and `msel` to the `drillsim` parser."""
    h = Helps(lang)
    p = sub.add_parser(
        "report",
        help=h("cmd_report"),
        description=h("desc_report"),
        epilog=h("epilog_report"),
    )
    p.add_argument(
        "input",
        metavar="LOG_OR_RESULTS",
        help=h("report_input"),
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help=h("report_output"),
    )
    p.add_argument(
        "--format",
        choices=["html", "md", "json", "docx"],
        help=h("report_format"),
    )
    p.add_argument(
        "--lang",
        choices=["zh", "en"],
        default=argparse.SUPPRESS,
        help=h("report_lang"),
    )
    p.add_argument("--ratings", metavar="FILE", help=h("report_ratings"))
    p.add_argument(
        "--ratings-template",
        metavar="FILE",
        help=h("report_ratings_template"),
    )
    p.add_argument(
        "--date",
        type=_date,
        metavar="YYYY-MM-DD",
        help=h("report_date"),
    )
    p.add_argument(
        "--target",
        type=_probability,
        default=0.9,
        metavar="P",
        help=h("report_target"),
    )
    p.add_argument(
        "--attach",
        action="append",
        default=[],
        metavar="FILE",
        help=h("report_attach"),
    )
    p.add_argument(
        "--no-names",
        action="store_true",
        help=h("report_no_names"),
    )
    p.add_argument(
        "--predict-n",
        type=int,
        default=200,
        metavar="N",
        help=h("report_predict_n"),
    )
    p.add_argument("--force", action="store_true", help=h("force"))
    p.set_defaults(func=cmd_report)

    m = sub.add_parser(
        "msel",
        help=h("cmd_msel"),
        description=h("desc_msel"),
        epilog=h("epilog_msel"),
    )
    msub = m.add_subparsers(dest="msel_command", metavar="ACTION")
    m.set_defaults(func=lambda args: (m.print_help(), 0)[1])

    e = msub.add_parser(
        "export",
        help=h("cmd_export"),
        epilog=h("epilog_msel"),
    )
    scenario_arg(e, h)
    e.add_argument("-o", "--output", metavar="FILE.csv|FILE.xlsx", help=h("export_output"))
    e.add_argument(
        "--headers",
        choices=["en", "zh"],
        default=None,
        help=h("export_headers"),
    )
    e.add_argument("--force", action="store_true", help=h("force"))
    e.set_defaults(func=cmd_msel_export)

    i = msub.add_parser(
        "import",
        help=h("cmd_import"),
        description=h("desc_import"),
        epilog=h("epilog_msel"),
    )
    i.add_argument("file", metavar="FILE", help=h("import_file"))
    i.add_argument("-o", "--output", metavar="SCENARIO.yaml", help=h("import_output"))
    i.add_argument("--base", metavar="SCENARIO", help=h("import_base"))
    i.add_argument("--id", metavar="ID", help=h("import_id"))
    i.add_argument("--force", action="store_true", help=h("force"))
    i.set_defaults(func=cmd_msel_import)
