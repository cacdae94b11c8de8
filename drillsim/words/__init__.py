"""Every word drillsim shows people, in Chinese and English, and how it formats names, times
and numbers for them: the command line, the console (tui) and the reports all read from here.

    t("late_by", "zh", m="1.1")   ->  "迟延1.1分钟"
    tr = Tr("en"); tr("hit")      ->  "hit"

The catalogue is one flat key space per language, kept in sections by where the words are
shown (common, cli, help, console, reports, drill); a key is defined once, so the same status reads the
same everywhere. Plan text (role names, duty titles …) comes from the YAML files and is chosen
by `Names`. Nothing here imports textual or rich: simulator and scoring use it too.
"""

from __future__ import annotations

import string

from .cli import CLI
from .common import COMMON
from .console import CONSOLE
from .drill import DRILL
from .help import HELP
from .reports import REPORTS

LANGS = ("zh", "en")

SECTIONS = {
    "common": COMMON,
    "cli": CLI,
    "console": CONSOLE,
    "reports": REPORTS,
    "drill": DRILL,
    "help": HELP,
}


def _merge() -> dict[str, dict[str, str]]:
    words: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
    for name, section in SECTIONS.items():
        for lang in LANGS:
            for key, text in section[lang].items():
                if key in words[lang]:
                    raise RuntimeError(f"word {key!r} defined twice ({name} and before)")
                words[lang][key] = text
    return words


WORDS = _merge()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, lang: str, **values) -> str:
    """The words `key` in `lang`, with its {placeholders} filled from `values`."""
    text = WORDS[lang][key]
    return text.format(**values) if values else text


class Tr:
    """`t` bound to one language, for code that holds the language (the console's widgets)."""

    def __init__(self, lang: str):
        if lang not in WORDS:
            raise ValueError(f"unknown language {lang!r}: one of {', '.join(LANGS)}")
        self.lang = lang
        self._w = WORDS[lang]

    def __contains__(self, key: str) -> bool:
        return key in self._w

    def __call__(self, key: str, **values) -> str:
        text = self._w[key]
        return text.format(**values) if values else text
