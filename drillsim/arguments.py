"""What several commands share: the SCENARIO and --variant arguments, --scenarios, the
language default, the parser that speaks that language, and the exit code for bad input."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence

from drillsim.scoring.tables import width as text_width
from drillsim.words import WORDS, t

EXIT_INPUT = 2  # bad input: every problem printed as FILE:LINE:COL: message


def default_lang() -> str:
    """The language of messages and the UI when none is asked for: from the locale."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    import locale  # here: with LANG or LC_* set, as nearly always, a start does without it

    loc = (locale.getlocale()[0] or "").lower()
    return "zh" if loc.startswith("zh") else "en"


def seed_arg(text: str) -> int:
    """--seed: a whole number from 0 (what numpy's SeedSequence takes)."""
    try:
        value = int(text)
    except ValueError:
        raise type_error("argtype_whole", text=text) from None
    if not 0 <= value < 2**128:
        raise type_error("argtype_seed_range", value=value)
    return value


def print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def scenario_arg(p, h: Helps) -> None:
    """SCENARIO and --variant, as every command that loads a plan takes them."""
    p.add_argument(
        "scenario",
        metavar="SCENARIO",
        help=h("scenario"),
    )
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="VARIANT",
        help=h("variant"),
    )
    p.add_argument("--scenarios", action="append", default=[], metavar="DIR", help=h("scenarios"))


def lang_from_argv(argv: Sequence[str]) -> str:
    """The language `--help` and the parser's messages speak, known before the parser is built:
    the last `--lang` anywhere on the line (the top level's or a subcommand's), else the
    environment's."""
    lang = None
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            lang = args[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
    return lang if lang in WORDS else default_lang()


class Helps:
    """`h("run_seed")`: a help text of the catalogue's `help_` keys in the parser's language."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, key: str, **values) -> str:
        return t("help_" + key, self.lang, **values)


# argparse's own words (it asks gettext for them) and the catalogue keys that say them
ARGPARSE_WORDS = {
    "usage: ": "argparse_usage",
    "options": "argparse_options",
    "positional arguments": "argparse_positionals",
    "show this help message and exit": "argparse_help",
    "%(prog)s: error: %(message)s\n": "argparse_error",
    "the following arguments are required: %s": "argparse_required",
    "unrecognized arguments: %s": "argparse_unrecognized",
    "argument %(argument_name)s: %(message)s": "argparse_argument",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse_choice",
    "invalid %(type)s value: %(value)r": "argparse_invalid",
    "expected one argument": "argparse_one",
    "ambiguous option: %(option)s could match %(matches)s": "argparse_ambiguous",
}


# the languages argparse is speaking, innermost last (a parser inside another's parse)
_SPEAKING: list[str] = []


def type_error(key: str, **values) -> argparse.ArgumentTypeError:
    """A bad option value's message, in the language of the parser converting it."""
    return argparse.ArgumentTypeError(t(key, _SPEAKING[-1] if _SPEAKING else "en", **values))


@contextlib.contextmanager
def argparse_speaks(lang: str) -> Iterator[None]:
    """argparse looks its words up through its module's `_` at the moment it needs them (building
    a parser, formatting help, reporting an error): point it at the catalogue meanwhile."""
    saved = argparse._  # type: ignore[attr-defined]

    def words(message: str) -> str:
        key = ARGPARSE_WORDS.get(message)
        return t(key, lang) if key else saved(message)

    argparse._ = words  # type: ignore[attr-defined]
    _SPEAKING.append(lang)
    try:
        yield
    finally:
        _SPEAKING.pop()
        argparse._ = saved  # type: ignore[attr-defined]


# a run of Latin text, one wide (CJK) character, or a space: the places a line may break
# (compiled by `re` when help is first wrapped: its CJK ranges cost 3% of a start to compile)
_TOKEN = r"\s+|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+|."
_NO_LINE_START = set(",。;:、)!?」”")


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrapping that counts a Chinese character as two columns and may break between
    any two of them (textwrap breaks only at spaces and counts characters)."""
    lines: list[str] = []
    cur = ""
    for token in re.findall(_TOKEN, text):
        if token.isspace():
            cur += " " if cur else ""
            continue
        if cur and text_width(cur.rstrip() + token) > width and token not in _NO_LINE_START:
            lines.append(cur.rstrip())
            cur = ""
        cur += token
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def terminal_columns() -> int:
    """shutil.get_terminal_size().columns, which argparse asks for each argument added: without
    importing shutil (and with it bz2, lzma and zlib) on every start."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            # no stdout at all (None) is the AttributeError shutil catches too
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return columns


class Formatter(argparse.HelpFormatter):
    """Help wrapped by display width; a description's or epilog's own line breaks are kept and
    its indented lines (the examples) are not wrapped."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        if width is None:  # what argparse does, less its import of shutil
            width = terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(self._whitespace_matcher.sub(" ", text).strip(), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out = []
        for line in text.splitlines():
            if not line.strip() or line.startswith(" "):
                out.append(indent + line)
            else:
                out.extend(indent + part for part in wrap(line, width))
        return "\n".join(out)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help, usage and errors are in one language; its subcommands'
    parsers are built in the same language (add_subparsers passes the class on)."""

    def __init__(self, *args, lang: str = "en", **kwargs):
        self.lang = lang
        kwargs["formatter_class"] = Formatter
        with argparse_speaks(lang):
            super().__init__(*args, **kwargs)

    def add_subparsers(self, **kwargs):
        """`only=NAME`: build that command's parser alone (see OneCommand)."""
        kwargs.setdefault("parser_class", _lang_parser(self.lang))
        if kwargs.get("only") is not None:
            kwargs["action"] = OneCommand
        else:
            kwargs.pop("only", None)
        return super().add_subparsers(**kwargs)

    def parse_args(self, args=None, namespace=None):
        # parse_args words "unrecognized arguments" itself, outside parse_known_args
        with argparse_speaks(self.lang):
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with argparse_speaks(self.lang):
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with argparse_speaks(self.lang):
            return super().format_usage()

    def format_help(self) -> str:
        with argparse_speaks(self.lang):
            return super().format_help()

    def error(self, message: str):
        with argparse_speaks(self.lang):
            super().error(message)


class Elsewhere:
    """What a command's module gets for a command the line does not name: it takes whatever the
    module registers on it (arguments, groups, defaults, nested commands) and builds nothing."""

    def __getattr__(self, name: str):
        return self._take

    def _take(self, *args, **kwargs) -> Elsewhere:
        return self


class OneCommand(argparse._SubParsersAction):
    """Subcommands of which only `only` gets a parser: building one argparse parser per command
    for a line that runs one of them costs more than that command's work at start-up."""

    def __init__(self, *args, only: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.only = only

    def add_parser(self, name, **kwargs):
        if name != self.only:
            return Elsewhere()
        return super().add_parser(name, **kwargs)


def lang_on_every_command(parser: argparse.ArgumentParser, help_text: str) -> None:
    """`--lang` after a command too (`drillsim run X --lang zh`), for every command and action
    that has no `--lang` of its own; all of them set the one `args.lang`, and SUPPRESS keeps a
    top-level `--lang` when the command's is not given."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in dict.fromkeys(action.choices.values()):
                if "--lang" not in command._option_string_actions:
                    command.add_argument(
                        "--lang", choices=["zh", "en"], default=argparse.SUPPRESS, help=help_text
                    )
                lang_on_every_command(command, help_text)


def _lang_parser(lang: str) -> Callable[..., Parser]:
    def make(**kwargs) -> Parser:
        return Parser(lang=lang, **kwargs)

    return make
