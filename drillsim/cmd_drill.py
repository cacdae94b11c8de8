"""`drillsim drill`: the live logbook of a real drill (docs/DRILL.md)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from drillsim.words import t

from .arguments import EXIT_INPUT, Helps


def drill_plan(scenario: str, variants=()):
    """The plan of a scenario set up as a live drill; any other scenario is refused, FILE:1:1."""
    from drillsim.simulator.errors import InputError, Problem
    from drillsim.simulator.loader import load_plan

    plan = load_plan(scenario, variants)
    if plan.scenario.drill is None:
        raise InputError(
            [
                Problem(
                    scenario,
                    1,
                    1,
                    f"{plan.scenario.id} is not set up as a live drill (it has no `drill:` "
                    "section; see docs/FORMAT.md)",
                )
            ]
        )
    return plan


def default_drill_log(plan) -> str:
    """Where a drill's log goes when no --log is given: named by scenario and start time."""
    return f"drill-{plan.scenario.id}-{datetime.now():%Y%m%d-%H%M%S}.jsonl"


def cmd_drill(args) -> int:
    from drillsim.scoring.verdicts import read_log
    from drillsim.simulator.drill.live import LiveDrill, resume_drill
    from drillsim.simulator.drill.roster import load_roster
    from drillsim.simulator.errors import InputError, Problem
    from drillsim.tui.drill_console import DrillConsole

    if args.resume:
        log = Path(args.resume)
        drill = resume_drill(read_log(log), log, by=args.evaluator)
    else:
        if not args.scenario:
            print("drillsim drill: give SCENARIO (or --resume LOG)", file=sys.stderr)
            return EXIT_INPUT
        plan = drill_plan(args.scenario, args.variant)
        if not args.roster:
            print("drillsim drill: --roster FILE is needed (CSV or XLSX)", file=sys.stderr)
            return EXIT_INPUT
        roster = load_roster(args.roster)
        log = Path(args.log or default_drill_log(plan))
        if log.exists():
            raise InputError(
                [
                    Problem(
                        str(log), 1, 1, "the log exists; continue it with --resume, or name another"
                    )
                ]
            )
        drill = LiveDrill(plan, roster, log_path=log)
    app = DrillConsole(drill, evaluator=args.evaluator, lang=args.lang, log_label=str(log))
    app.run()
    drill.close()
    print(("演练日志: " if args.lang == "zh" else "drill log: ") + str(log), file=sys.stderr)
    return 0


def report_drill(args, lang: str, out: Path | None) -> int:
    """`drillsim report DRILL_LOG`: the drill record (AQ/T 9009 / 9007 practice)."""
    from drillsim.scoring.drill_record import drill_record, prediction_for
    from drillsim.scoring.drill_record_render import render_docx, render_html, render_markdown
    from drillsim.scoring.ratings import load_ratings
    from drillsim.scoring.verdicts import plan_of
    from drillsim.simulator.eventlog import read_log as read_chained

    events, chain = read_chained(args.input)
    plan = plan_of(events)
    fmt = args.format or (
        {"htm": "html", "html": "html", "md": "md", "markdown": "md", "docx": "docx"}.get(
            out.suffix.lower().lstrip("."), "html"
        )
        if out
        else "md"
    )
    ratings = load_ratings(args.ratings, plan) if args.ratings else None
    rec = drill_record(
        plan,
        events,
        lang=lang,
        names=not args.no_names,
        attachments=args.attach,
        ratings=ratings,
        prediction=prediction_for(plan, events, n=args.predict_n),
        log_path=args.input,
        chain=chain,
    )
    if fmt == "docx":
        if out is None:
            print("drillsim report: a .docx needs -o FILE.docx", file=sys.stderr)
            return EXIT_INPUT
        out.write_bytes(render_docx(rec))
    else:
        text = (
            render_html(rec)
            if fmt == "html"
            else render_markdown(rec)
            if fmt == "md"
            else json.dumps(rec, ensure_ascii=False, indent=2) + "\n"
        )
        if out is None:
            sys.stdout.write(text)
            return 0
        out.write_text(text, encoding="utf-8")
    print(t("cli_report", lang, path=out), file=sys.stderr)
    return 0


def cmd_predict(args) -> int:
    """`drillsim predict`: the evacuation model's times, and a site variant against the base."""
    from drillsim.scoring.evacuation_compare import evacuation_comparison, public, render
    from drillsim.simulator.drill.roster import load_roster

    roster = load_roster(args.roster) if args.roster else None
    result = evacuation_comparison(args.scenario, args.variant, roster, n=args.n, seed=args.seed)
    if args.json:
        print(json.dumps(public(result), ensure_ascii=False, indent=2))
        return 0
    print(render(result, args.lang), end="")
    return 0


def register(sub, lang: str) -> None:
    h = Helps(lang)
    p = sub.add_parser(
        "drill",
        help=h("cmd_drill"),
        description=h("desc_drill"),
        epilog=h("epilog_drill"),
    )
    p.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO",
        help=h("drill_scenario"),
    )
    p.add_argument(
        "--variant", action="append", default=[], metavar="VARIANT", help=argparse.SUPPRESS
    )
    p.add_argument("--roster", metavar="FILE", help=h("drill_roster"))
    p.add_argument("--log", metavar="FILE", help=h("drill_log"))
    p.add_argument(
        "--evaluator",
        default="evaluator",
        metavar="NAME",
        help=h("drill_evaluator"),
    )
    p.add_argument("--resume", metavar="LOG", help=h("drill_resume"))
    p.set_defaults(func=cmd_drill)

    p = sub.add_parser(
        "predict",
        help=h("cmd_predict"),
        description=h("desc_predict"),
        epilog=h("epilog_predict"),
    )
    p.add_argument("scenario", metavar="SCENARIO", help=h("predict_scenario"))
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="VARIANT",
        help=h("predict_variant"),
    )
    p.add_argument("--roster", metavar="FILE", help=h("predict_roster"))
    p.add_argument("-n", type=int, default=500, help=h("predict_n"))
    p.add_argument("--seed", type=int, default=1, help=h("predict_seed"))
    p.add_argument("--json", action="store_true", help=h("predict_json"))
    p.set_defaults(func=cmd_predict)
