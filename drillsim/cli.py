"""The `drillsim` command line: wires simulator, scoring and tui together, nothing more.

Each command module registers its subcommands (`register(sub, lang)`, help texts in `lang`);
this module only lists them and builds the parser, so no command module imports this one.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from drillsim.simulator.errors import InputError, Problem
from drillsim.simulator.loader import add_user_dir

from . import cmd_core, cmd_drill, cmd_montecarlo, cmd_play, cmd_report, cmd_serve, cmd_trainee
from .arguments import (
    EXIT_INPUT,
    Helps,
    Parser,
    default_lang,
    lang_from_argv,
    lang_on_every_command,
)

# in the order `drillsim --help` lists them
COMMANDS = (cmd_core, cmd_play, cmd_montecarlo, cmd_report, cmd_drill, cmd_serve, cmd_trainee)


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, its help and its messages in `lang` (default: the environment's)."""
    lang = lang or default_lang()
    h = Helps(lang)
    parser = Parser(
        prog="drillsim",
        lang=lang,
        description=h("desc_drillsim"),
        epilog=h("epilog_drillsim"),
    )
    parser.add_argument(
        "--lang",
        choices=["zh", "en"],
        default=None,
        help=h("lang"),
    )
    parser.add_argument(
        "--scenarios",
        action="append",
        default=[],
        metavar="DIR",
        dest="scenarios_before",
        help=h("scenarios"),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    for command in COMMANDS:
        command.register(sub, lang)
    lang_on_every_command(parser, h("sub_lang"))
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(lang_from_argv(argv))
    args = parser.parse_args(argv)
    if args.lang is None:
        args.lang = default_lang()
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        for folder in args.scenarios_before + getattr(args, "scenarios", []):
            if not Path(folder).is_dir():
                raise InputError([Problem(folder, 1, 1, "--scenarios: no such folder")])
            add_user_dir(folder)
        return args.func(args)
    except InputError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("drillsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the user gets a sentence, not a traceback
        if os.environ.get("DRILLSIM_DEBUG"):
            raise
        print(
            f"drillsim: internal error: {type(exc).__name__}: {exc}\n"
            f"(set DRILLSIM_DEBUG=1 to see the traceback; please report it)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
