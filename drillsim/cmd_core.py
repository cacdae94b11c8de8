"""The core commands: list, validate, schema, describe, run and score."""

from __future__ import annotations

import sys

from drillsim.simulator.errors import InputError
from drillsim.words import t

from .arguments import EXIT_INPUT, Helps, print_json, scenario_arg, seed_arg


def register(sub, lang: str) -> None:
    h = Helps(lang)
    p = sub.add_parser("list", help=h("cmd_list"))
    p.add_argument("--json", action="store_true", help=h("list_json"))
    p.add_argument("--scenarios", action="append", default=[], metavar="DIR", help=h("scenarios"))
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "validate",
        help=h("cmd_validate"),
        description=h("desc_validate"),
    )
    p.add_argument("files", nargs="*", metavar="FILE", help=h("validate_files"))
    p.add_argument("--actions", metavar="FILE", help=h("validate_actions"))
    p.add_argument("--scenario", metavar="SCENARIO", help=h("validate_scenario"))
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help=h("cmd_schema"))
    p.add_argument(
        "kind",
        nargs="?",
        default="all",
        choices=["all", "procedure", "scenario", "variant", "actions"],
        help=h("schema_kind"),
    )
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("describe", help=h("cmd_describe"))
    scenario_arg(p, h)
    p.add_argument("--json", action="store_true", help=h("describe_json"))
    p.set_defaults(func=cmd_describe)

    p = sub.add_parser(
        "run",
        help=h("cmd_run"),
        description=h("desc_run"),
    )
    scenario_arg(p, h)
    p.add_argument(
        "--seed",
        type=seed_arg,
        default=1,
        help=h("run_seed"),
    )
    p.add_argument("--actions", metavar="FILE", help=h("run_actions"))
    p.add_argument(
        "--others",
        choices=["bot", "idle"],
        default="bot",
        help=h("run_others"),
    )
    p.add_argument(
        "--log",
        metavar="FILE",
        help=h("run_log"),
    )
    p.add_argument("--force", action="store_true", help=h("force"))
    p.add_argument(
        "--vary",
        action="store_true",
        help=h("run_vary"),
    )
    p.add_argument("--json", action="store_true", help=h("run_json"))
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "score",
        help=h("cmd_score"),
        description=h("desc_score"),
    )
    p.add_argument("log", metavar="LOG", help=h("score_log"))
    p.add_argument("--json", action="store_true", help=h("score_json"))
    p.add_argument(
        "--verify",
        action="store_true",
        help=h("score_verify"),
    )
    p.set_defaults(func=cmd_score)


def cmd_list(args) -> int:
    from drillsim.scoring.tables import table
    from drillsim.simulator.loader import shipped_scenarios

    rows = [
        [
            s["id"],
            s["title"] if args.lang == "zh" else (s["title_en"] or s["title"]),
            s["exercise_type"],
            ", ".join(s["procedures"]),
        ]
        for s in shipped_scenarios()
    ]
    if args.json:
        print_json(shipped_scenarios())
    else:
        heads = [t(f"col_{h}", args.lang) for h in ("id", "title", "type", "procedures")]
        print(table(heads, rows, max_col=70))
    return 0


def cmd_validate(args) -> int:
    from drillsim.simulator.loader import load_actions, load_plan, validate_file

    if not args.files and not args.actions:
        print(
            "drillsim validate: name the files to check (FILE…, or --actions FILE --scenario "
            "SCENARIO)",
            file=sys.stderr,
        )
        return EXIT_INPUT
    problems = []
    for path in args.files:
        problems += validate_file(path)
    if args.actions:
        if not args.scenario:
            print(
                "drillsim validate: --actions needs --scenario to check the roles against",
                file=sys.stderr,
            )
            return EXIT_INPUT
        try:
            load_actions(args.actions, load_plan(args.scenario))
        except InputError as exc:
            problems += exc.problems
    for p in problems:
        print(p)
    if problems:
        return EXIT_INPUT
    print(f"ok: {len(args.files) + bool(args.actions)} file(s) valid", file=sys.stderr)
    return 0


def cmd_schema(args) -> int:
    from drillsim.simulator.formats.schema import schemas

    all_schemas = schemas()
    print_json(all_schemas if args.kind == "all" else all_schemas[args.kind])
    return 0


def cmd_describe(args) -> int:
    from drillsim.simulator.describe import describe
    from drillsim.simulator.loader import load_plan

    data = describe(load_plan(args.scenario, args.variant))
    if args.json:
        print_json(data)
    else:
        from drillsim.scoring.tables import table

        en = args.lang == "en"
        print(
            f"{data['scenario']['id']}: {data['scenario']['title_en' if en else 'title'] or data['scenario']['title']}"
        )
        rows = [
            [
                o["clause"],
                o["role"],
                o["title_en"] if en and o["title_en"] else o["title"],
                o["deadline"],
            ]
            for o in data["obligations"]
        ]
        heads = [t(f"col_{h}", args.lang) for h in ("clause", "role", "obligation", "deadline")]
        print(table(heads, rows, max_col=60))
    return 0


def cmd_run(args) -> int:
    from drillsim.scoring.report_text import render
    from drillsim.scoring.verdicts import score
    from drillsim.simulator.loader import load_actions, load_plan
    from drillsim.simulator.runner import run_plan

    plan = load_plan(args.scenario, args.variant)
    if args.vary:
        from drillsim.simulator.variation import vary

        plan = vary(plan, args.seed)
    actions = load_actions(args.actions, plan) if args.actions else []
    session = run_plan(
        plan,
        seed=args.seed,
        actions=actions,
        others=args.others,
        log_path=args.log,
        force=args.force,
        inputs=(args.actions,) if args.actions else (),
    )
    result = score(plan, session.events)
    if args.json:
        print_json(result)
    else:
        print(render(plan, result, args.lang))
        if args.log:
            print(t("cli_log", args.lang, path=args.log))
    if args.log:  # noted with the record, it shows a log rewritten whole, chain and all
        print("drillsim: " + t("cli_chain_head", args.lang, head=session.log_head), file=sys.stderr)
    return 0


def cmd_score(args) -> int:
    from drillsim.scoring.report_text import render
    from drillsim.scoring.verdicts import changed_files, plan_of, score
    from drillsim.simulator.eventlog import read_log

    if args.verify:
        return _verify(args)
    events, chain = read_log(args.log)
    if not chain.intact or chain.torn:
        print(
            t("cli_warning", args.lang, path=args.log, text=chain.describe(args.lang)),
            file=sys.stderr,
        )
    plan = plan_of(events)
    for path in changed_files(plan, events):
        print(
            f"drillsim: warning: {path} has changed since the run was recorded (its content hash "
            "differs); the verdicts use the file as it is now",
            file=sys.stderr,
        )
    result = score(plan, events)
    if args.json:
        print_json(result)
    else:
        print(render(plan, result, args.lang))
    return 0


def _verify(args) -> int:
    from drillsim.scoring.integrity import verify

    verdict = verify(args.log)
    if args.json:
        print_json(
            {
                "log": str(args.log),
                "status": verdict.status,
                "chain_intact": verdict.chain.intact,
                "broken_at": verdict.chain.broken_at,
                "torn_last_line": verdict.chain.torn,
                "findings": verdict.lines(args.lang),
            }
        )
    else:
        for line in verdict.lines(args.lang):
            print(f"{args.log}: {line}")
    return verdict.status
