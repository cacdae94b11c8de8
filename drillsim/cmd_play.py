"""`drillsim play`: people play roles in a terminal UI while the simulation plays the rest."""

from __future__ import annotations

import argparse
import secrets
import sys

from drillsim.words import t

from .arguments import Helps


def _speed(text: str) -> float:
    import argparse

    from drillsim.tui.clock import parse_speed

    try:
        return parse_speed(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub, lang: str) -> None:
    """Add this module's subcommands to the `drillsim` parser."""
    h = Helps(lang)
    p = sub.add_parser(
        "play",
        help=h("cmd_play"),
        description=h("desc_play"),
    )
    p.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO",
        help=h("play_scenario"),
    )
    p.add_argument(
        "--role",
        action="append",
        default=[],
        metavar="ROLE",
        help=h("play_role"),
    )
    p.add_argument(
        "--mode",
        choices=["exercise", "test", "training"],
        default=None,
        help=h("play_mode"),
    )
    p.add_argument(
        "--speed",
        type=_speed,
        default=1.0,
        metavar="X",
        help=h("play_speed"),
    )
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="N",
        help=h("play_seed"),
    )
    p.add_argument(
        "--lang",
        choices=["zh", "en"],
        default=argparse.SUPPRESS,
        help=h("play_lang"),
    )
    p.add_argument(
        "--log",
        metavar="FILE",
        help=h("play_log"),
    )
    p.add_argument("--force", action="store_true", help=h("play_force"))
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="VARIANT",
        help=h("play_variant"),
    )
    p.add_argument("--run", action="store_true", help=h("play_run"))
    p.add_argument(
        "--vary",
        action="store_true",
        help=h("play_vary"),
    )
    p.add_argument(
        "--trainee",
        action="store_true",
        help=h("play_trainee"),
    )
    p.add_argument(
        "--name",
        metavar="NAME",
        help=h("play_name"),
    )
    p.set_defaults(func=cmd_play)


def cmd_play(args) -> int:
    # Only Textual is imported here: the engine and the scenario load behind the first frame.
    from drillsim.tui.app import DrillApp, PlaySetup

    lang = args.lang
    seed = args.seed if args.seed is not None else secrets.randbelow(1_000_000)
    if seed < 0:
        print("drillsim play: --seed must be 0 or more", file=sys.stderr)
        return 2
    if args.role and not args.scenario:
        print(
            "drillsim play: --role needs a SCENARIO (or pick the roles in the lobby)",
            file=sys.stderr,
        )
        return 2
    trainee = bool(args.trainee or args.name)
    if trainee and not args.role:
        print("drillsim play: --trainee needs the trainee's --role", file=sys.stderr)
        return 2
    if args.name is not None:
        from drillsim.scoring.trainee import check_name

        problem = check_name(args.name)
        if problem:
            print(f"drillsim play: --name: {problem}", file=sys.stderr)
            return 2
    setup = PlaySetup(
        lang=lang,
        roles=list(args.role),
        mode=args.mode,
        speed=args.speed,
        seed=seed,
        log=args.log,
        force=args.force,
        run=args.run,
        scenario=args.scenario,
        variants=list(args.variant),
        trainee=trainee,
        trainee_name=args.name,
        vary=bool(args.vary or trainee),
    )
    app = DrillApp(setup)
    app.run()
    if app.problems:
        for p in app.problems:
            print(f"drillsim play: {p}", file=sys.stderr)
        return 2
    ex = app.exercise
    if ex is not None and ex.log_path is not None:
        line = t("cli_log", lang, path=ex.log_path)
        if not ex.finished:
            line += f"  ({t('cli_score_it', lang, path=ex.log_path)})"
        print(line)
    if app.record_path is not None:
        print(t("cli_trainee_record", lang, path=app.record_path))
    if app.record_error:
        print(f"drillsim play: {app.record_error}", file=sys.stderr)
        return 1
    return 0
