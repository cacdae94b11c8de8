"""What several commands share: the SCENARIO and --variant arguments, --scenarios, the
language default and the exit code for bad input."""

from __future__ import annotations

import json
import locale
import os

EXIT_INPUT = 2  # bad input: every problem printed as FILE:LINE:COL: message


def default_lang() -> str:
    """The language of messages and the UI when none is asked for: from the locale."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    loc = (locale.getlocale()[0] or "").lower()
    return "zh" if loc.startswith("zh") else "en"


def seed_arg(text: str) -> int:
    """--seed: a whole number from 0 (what numpy's SeedSequence takes)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**128:
        raise argparse.ArgumentTypeError(f"must be 0 or more (below 2**128), got {value}")
    return value


FORCE_HELP = "overwrite the output file(s) if they exist (never the command's own input)"


def print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


SCENARIOS_HELP = (
    "also look for scenarios, procedures (DIR or DIR/procedures) and variants (DIR/variants) "
    "in DIR, before the shipped ones; repeatable; the environment variable "
    "DRILLSIM_SCENARIOS does the same (folders separated by ':')"
)


def scenario_arg(p):
    """SCENARIO and --variant, as every command that loads a plan takes them."""
    p.add_argument(
        "scenario",
        metavar="SCENARIO",
        help="a shipped scenario's id (see `drillsim list`) or a path to a scenario file",
    )
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="VARIANT",
        help="apply a plan variant (overlay file or shipped id); repeatable",
    )
    p.add_argument("--scenarios", action="append", default=[], metavar="DIR", help=SCENARIOS_HELP)
