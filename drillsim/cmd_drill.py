"""`drillsim drill`: the live logbook of a real drill (docs/DRILL.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

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
