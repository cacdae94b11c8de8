"""`drillsim drill`: the live logbook of a real drill (docs/DRILL.md)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from drillsim.words import t

from .arguments import EXIT_INPUT

EPILOG = """\
Examples:
  drillsim drill warehouse_fire_drill --roster roster.csv --evaluator 王工
  drillsim drill chemical_leak_drill --roster roster.xlsx --log 2026-drill.jsonl
  drillsim drill --resume 2026-drill.jsonl         # after a crash: no stamp is lost
  drillsim score 2026-drill.jsonl --json           # verdicts, milestones, headcount
Keys: 1-9 and a-z stamp the milestone shown beside them; / checks people in by number or name;
+ adds a visitor or contractor; ! closes the headcount with the missing listed; ^n adds a note
to the last stamp; ^e corrects a stamp; ^x ends the drill; ^q quits (the log stays resumable).
"""


def cmd_drill(args) -> int:
    from drillsim.scoring.verdicts import read_log
    from drillsim.simulator.drill.live import LiveDrill, resume_drill
    from drillsim.simulator.drill.roster import load_roster
    from drillsim.simulator.errors import InputError, Problem
    from drillsim.simulator.loader import load_plan
    from drillsim.tui.drill_console import DrillConsole

    if args.resume:
        log = Path(args.resume)
        drill = resume_drill(read_log(log), log, by=args.evaluator)
    else:
        if not args.scenario:
            print("drillsim drill: give SCENARIO (or --resume LOG)", file=sys.stderr)
            return EXIT_INPUT
        plan = load_plan(args.scenario, args.variant)
        if plan.scenario.drill is None:
            raise InputError(
                [
                    Problem(
                        args.scenario,
                        1,
                        1,
                        f"{plan.scenario.id} is not set up as a live drill (it has no `drill:` "
                        "section; see docs/FORMAT.md)",
                    )
                ]
            )
        if not args.roster:
            print("drillsim drill: --roster FILE is needed (CSV or XLSX)", file=sys.stderr)
            return EXIT_INPUT
        roster = load_roster(args.roster)
        log = Path(args.log or f"drill-{plan.scenario.id}-{datetime.now():%Y%m%d-%H%M%S}.jsonl")
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
    from drillsim.scoring.verdicts import plan_of, read_log

    events = read_log(args.input)
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
    from drillsim.scoring.tables import table
    from drillsim.simulator.drill.evacuation import compare, predict
    from drillsim.simulator.drill.roster import load_roster
    from drillsim.simulator.drill.site import load_site
    from drillsim.simulator.errors import InputError, Problem
    from drillsim.simulator.loader import load_plan

    base_plan = load_plan(args.scenario)
    site = load_site(base_plan)
    if site is None:
        raise InputError(
            [Problem(args.scenario, 1, 1, "the scenario has no `drill.site` layout to predict")]
        )
    counts: dict[str, int] | None = None
    wardens = None
    if args.roster:
        roster = load_roster(args.roster)
        per_area: dict[str, int] = {}
        for p in roster.people:
            if p.present:
                per_area[p.area] = per_area.get(p.area, 0) + 1
        counts = per_area
        wardens = sum(1 for p in roster.people if p.warden and p.present) or None
    base = predict(site, counts, wardens, n=args.n, seed=args.seed)
    results = {"base": base.to_dict()}
    others = []
    for v in args.variant:
        vsite = load_site(load_plan(args.scenario, [v]))
        other = predict(vsite, counts, wardens, n=args.n, seed=args.seed)
        others.append((v, other))
        results[v] = {**other.to_dict(), "difference": compare(base, other)}
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    zh = args.lang == "zh"
    heads = (
        ["指标(分钟)", "均值", "5%", "50%", "95%"]
        if zh
        else ["minutes", "mean", "5%", "50%", "95%"]
    )
    for v, other in [("base", base)] + others:
        rows = []
        for m in other.values:
            s = other.stats(m)
            row = [m] + [f"{s[k]:.1f}" for k in ("mean", "p5", "p50", "p95")]
            if v != "base":
                d = results[v]["difference"][m]
                row.append(f"{d['mean']:+.2f} [{d['ci95'][0]:+.2f}, {d['ci95'][1]:+.2f}]")
            rows.append(row)
        extra = [] if v == "base" else (["与基准之差 95%区间"] if zh else ["vs base, 95% interval"])
        print(f"{site.id} · {v} · n={args.n} seed={args.seed}")
        print(table(heads + extra, rows, max_col=40))
        print()
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "drill",
        help="the live logbook of a real drill: stamp milestones, count heads, live verdicts",
        description="Open the drill console on the real clock. Nothing runs until the alarm is "
        "stamped (key 1); from then on evaluators stamp milestones with one key, wardens check "
        "people in, and the verdicts follow the procedure's deadlines live. Every stamp and "
        "check-in is an event in the drill's log.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO",
        help="a scenario set up as a live drill (warehouse_fire_drill, chemical_leak_drill) or a path",
    )
    p.add_argument(
        "--variant", action="append", default=[], metavar="VARIANT", help=argparse.SUPPRESS
    )
    p.add_argument("--roster", metavar="FILE", help="the roster, CSV or XLSX (docs/DRILL.md)")
    p.add_argument(
        "--log", metavar="FILE", help="the drill log (default: drill-SCENARIO-TIME.jsonl)"
    )
    p.add_argument(
        "--evaluator",
        default="evaluator",
        metavar="NAME",
        help="who stamps at this console (recorded with every stamp)",
    )
    p.add_argument("--resume", metavar="LOG", help="continue a drill whose console stopped")
    p.set_defaults(func=cmd_drill)

    p = sub.add_parser(
        "predict",
        help="the evacuation model's times for a drill's site (and a site variant against it)",
        description="Run the SimPy evacuation model of the scenario's site layout n times: time "
        "to clear each area, the last person out, the last at the assembly point, each area "
        "checked in, the headcount complete (minutes from the alarm; mean, 5%%, 50%%, 95%%). "
        "With --variant, the variant's site on the same draws and the paired difference.",
        epilog="Examples:\n  drillsim predict warehouse_fire_drill --roster roster.csv\n"
        "  drillsim predict warehouse_fire_drill --variant exit_b_blocked -n 1000\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario with a `drill.site` layout")
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="VARIANT",
        help="compare this site variant with the base (repeatable)",
    )
    p.add_argument("--roster", metavar="FILE", help="people per area from the roster's present")
    p.add_argument("-n", type=int, default=500, help="simulated evacuations (default 500)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_predict)
