"""The `drillsim` command line: wires simulator, scoring and tui together, nothing more.

Each command module registers its subcommands (`register(sub, lang)`, help texts in `lang`);
this module only lists them and builds the parser, so no command module imports this one. A line
that names its command builds and imports that command's module only (start-up,
docs/PERFORMANCE.md); `drillsim --help`, a misspelt command and anything unclear build them all.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path

from drillsim.simulator.errors import InputError, Problem

from .arguments import (
    EXIT_INPUT,
    Helps,
    Parser,
    default_lang,
    lang_from_argv,
    lang_on_every_command,
)

# each command and the module that registers it, in the order `drillsim --help` lists them
# (tests/test_help_lang.py checks this against what the modules register)
COMMANDS = {
    "list": "cmd_core",
    "validate": "cmd_core",
    "schema": "cmd_core",
    "describe": "cmd_core",
    "run": "cmd_core",
    "score": "cmd_core",
    "play": "cmd_play",
    "montecarlo": "cmd_montecarlo",
    "compare": "cmd_montecarlo",
    "report": "cmd_report",
    "msel": "cmd_report",
    "drill": "cmd_drill",
    "predict": "cmd_drill",
    "serve": "cmd_serve",
    "web": "cmd_serve",
    "join": "cmd_serve",
    "trainee": "cmd_trainee",
}
# the top level's options that take a value (the command comes after them)
_TAKES_VALUE = ("--lang", "--scenarios")


def command_from_argv(argv: Sequence[str]) -> str | None:
    """The command the line names, when that is certain without a parser: after the top level's
    own options, written out in full. None (build every command) for `--help`, an abbreviated
    or unknown option, a misspelt command or none."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in _TAKES_VALUE:
            i += 2
        elif arg.startswith(tuple(f"{o}=" for o in _TAKES_VALUE)):
            i += 1
        else:
            return arg if arg in COMMANDS else None
    return None


def build_parser(lang: str | None = None, command: str | None = None) -> argparse.ArgumentParser:
    """The command line, its help and its messages in `lang` (default: the environment's): every
    command, or only `command` (the other commands' parsers are neither built nor imported)."""
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", only=command)
    modules = [COMMANDS[command]] if command else dict.fromkeys(COMMANDS.values())
    for module in modules:
        import_module(f"drillsim.{module}").register(sub, lang)
    lang_on_every_command(parser, h("sub_lang"))
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(lang_from_argv(argv), command_from_argv(argv))
    args = parser.parse_args(argv)
    if args.lang is None:
        args.lang = default_lang()
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        for folder in args.scenarios_before + getattr(args, "scenarios", []):
            from drillsim.simulator.loader import add_user_dir

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
