"""Every `--help` speaks the chosen language: each command's and option's help, the description,
the examples and argparse's own headings come from the catalogue in that language, chosen by
`--lang` anywhere on the line or else by the environment, before the parser is built."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from drillsim import cli
from drillsim.arguments import ARGPARSE_WORDS, lang_from_argv, wrap
from drillsim.words import WORDS, t

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _parsers(parser: argparse.ArgumentParser, path=()):
    """(words, parser) for the top level and every subcommand, nested ones included."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{[a-z_]+\}", template)
    return re.compile(".+".join(re.escape(p) for p in parts), re.S)


def _catalogue(lang: str) -> list[re.Pattern]:
    return [_pattern(text) for key, text in WORDS[lang].items() if key.startswith("help_")]


def _from_catalogue(text: str, lang: str) -> bool:
    return any(p.fullmatch(text) for p in _catalogue(lang))


ALL = [words for words, _ in _parsers(cli.build_parser("en"))]


def test_every_command_is_walked():
    assert ("run",) in ALL and ("msel", "export") in ALL and ("join",) in ALL
    assert len(ALL) >= 20


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_help_text_is_the_catalogues_in_that_language(lang):
    """Each option's and each command's help, each description and epilog: the catalogue's text
    in `lang` (an option without help, or with a literal English string, fails here)."""
    texts, helps, no_help = [], [], []
    for words, parser in _parsers(cli.build_parser(lang)):
        actions = [a for a in parser._actions if a.help != argparse.SUPPRESS]
        subs = [a for a in actions if isinstance(a, argparse._SubParsersAction)]
        texts += [(words, c.help) for sub in subs for c in sub._choices_actions]
        helps += [a.help for a in actions if isinstance(a, argparse._HelpAction)]
        options = [
            a
            for a in actions
            if not isinstance(a, (argparse._SubParsersAction, argparse._HelpAction))
        ]
        no_help += [(words, a.dest) for a in options if not a.help]
        texts += [(words, a.help) for a in options if a.help]
        texts += [(words, x) for x in (parser.description, parser.epilog) if x]
    assert no_help == []
    assert len(helps) == len(ALL) and set(helps) == {t("argparse_help", lang)}
    assert len(texts) > 150
    assert [(w, x) for w, x in texts if not _from_catalogue(x, lang)] == []


@pytest.mark.parametrize("words", ALL, ids=lambda w: " ".join(w) or "drillsim")
def test_zh_help_has_no_english_help_sentence(words, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--lang", "zh", *words, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(t("argparse_usage", "zh"))
    assert t("argparse_options", "zh") in out and "options:" not in out
    assert t("argparse_help", "zh") in out
    english = [
        text
        for key, text in WORDS["en"].items()
        if key.startswith(("help_", "argparse_")) and text != WORDS["zh"][key]
    ]
    # a help sentence is wrapped over lines: compare the first words with the whitespace folded
    folded = " ".join(out.split())
    firsts = [" ".join(text.split()[:6]) for text in english if not text.startswith("Examples")]
    assert [f for f in firsts if len(f) > 20 and f in folded] == []
    assert CJK.search(out)


@pytest.mark.parametrize("words", ALL, ids=lambda w: " ".join(w) or "drillsim")
def test_en_help_is_english(words, capsys):
    with pytest.raises(SystemExit):
        cli.main([*words, "--help", "--lang", "en"])
    out = capsys.readouterr().out
    assert out.startswith("usage: ") and "options:" in out
    # Chinese only where the English text quotes it (the report's 演练评估报告, 王工 …)
    quoting = [text for key, text in WORDS["en"].items() if key.startswith("help_")]
    chinese = re.findall(r"[\u4e00-\u9fff]+", out)
    assert [x for x in chinese if not any(x in text for text in quoting)] == []


def test_the_language_is_chosen_before_the_parser_is_built(monkeypatch, capsys):
    seed_zh = t("help_run_seed", "zh")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    assert seed_zh in " ".join(capsys.readouterr().out.split()).replace(" ", "")
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    out = capsys.readouterr().out
    assert "random seed (default 1)" in out and seed_zh not in out
    # --lang overrides the environment, at the top level or after the subcommand
    with pytest.raises(SystemExit):
        cli.main(["play", "--help", "--lang", "zh"])
    assert "用法:" in capsys.readouterr().out
    assert lang_from_argv(["--lang=zh", "run", "x"]) == "zh"
    assert lang_from_argv(["--lang", "zh", "play", "--lang", "en"]) == "en"
    assert lang_from_argv(["run", "--", "--lang", "zh"]) == "en"
    assert lang_from_argv(["--lang", "fr"]) == "en"


def test_argparse_errors_in_zh(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--lang", "zh", "run"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("用法:")
    assert "drillsim run: 错误: 缺少以下参数: SCENARIO" in err
    with pytest.raises(SystemExit):
        cli.main(["--lang", "zh", "run", "payment_outage", "--others", "nobody"])
    assert "无效的选项值" in capsys.readouterr().err


def test_every_argparse_word_has_both_languages():
    for msgid, key in ARGPARSE_WORDS.items():
        assert WORDS["en"][key] == msgid, key
        assert CJK.search(WORDS["zh"][key]), key
        assert re.findall(r"%\(?\w*\)?[sr]", WORDS["zh"][key]) == re.findall(
            r"%\(?\w*\)?[sr]", msgid
        ) or sorted(re.findall(r"%\(?\w*\)?[sr]", WORDS["zh"][key])) == sorted(
            re.findall(r"%\(?\w*\)?[sr]", msgid)
        ), key


def test_every_help_key_the_code_asks_for_exists():
    used = set()
    for path in (ROOT / "drillsim").glob("*.py"):
        used |= set(re.findall(r'\bh\(\s*"([a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    assert len(used) > 100
    assert not sorted(k for k in used if "help_" + k not in WORDS["en"])


def test_wrapping_counts_chinese_as_two_columns():
    lines = wrap("先在DIR中查找场景、预案(DIR 或 DIR/procedures)和变体,再查随附的;可重复", 30)
    assert all(sum(2 if CJK.match(c) else 1 for c in line) <= 30 for line in lines)
    assert (
        "".join(lines).replace(" ", "")
        == "先在DIR中查找场景、预案(DIR或DIR/procedures)和变体,再查随附的;可重复"
    )
    assert wrap("one two three", 7) == ["one two", "three"]


@pytest.mark.parametrize("words", [p for p, _ in _parsers(cli.build_parser("en")) if p])
def test_lang_is_taken_after_every_command(words):
    """`drillsim run X --lang zh` as well as `drillsim --lang zh run X`: every command and
    action has a `--lang`, and each sets the one `args.lang`."""
    options = dict(_parsers(cli.build_parser("en")))[words]._option_string_actions
    assert "--lang" in options
    assert options["--lang"].dest == "lang"


def test_lang_after_the_command_wins_and_top_level_is_kept():
    parser = cli.build_parser("en")
    assert parser.parse_args(["run", "payment_outage", "--lang", "zh"]).lang == "zh"
    assert parser.parse_args(["--lang", "zh", "run", "payment_outage"]).lang == "zh"
    assert parser.parse_args(["--lang", "zh", "report", "x.jsonl", "--lang", "en"]).lang == "en"


def test_unrecognized_arguments_in_chinese(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "payment_outage", "--bogus", "--lang", "zh"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert t("argparse_unrecognized", "zh") % "--bogus" in err


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    "argv, key, values",
    [
        (["run", "payment_outage", "--seed", "abc"], "argtype_whole", {"text": "abc"}),
        (["run", "payment_outage", "--seed", "-1"], "argtype_seed_range", {"value": -1}),
        (["report", "x.jsonl", "--date", "2026-13-01"], "argtype_date", {"text": "2026-13-01"}),
    ],
)
def test_bad_option_values_in_the_chosen_language(capsys, lang, argv, key, values):
    with pytest.raises(SystemExit) as exc:
        cli.main([*argv, "--lang", lang])
    assert exc.value.code == 2
    assert t(key, lang, **values) in capsys.readouterr().err


def test_the_command_table_is_what_the_modules_register():
    """cli.COMMANDS (which module builds which command, for a line that names one) lists every
    command the modules register, in the order `drillsim --help` shows them."""
    full = cli.build_parser("en")
    (sub,) = [a for a in full._actions if isinstance(a, argparse._SubParsersAction)]
    assert list(cli.COMMANDS) == list(sub.choices)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_command_built_alone_is_the_command_built_with_all(lang):
    """The parser of one command, built alone (what `drillsim run …` builds), helps, parses and
    complains exactly as in the whole command line, nested commands included."""
    full = {words: p for words, p in _parsers(cli.build_parser(lang)) if words}
    for command in cli.COMMANDS:
        alone = {words: p for words, p in _parsers(cli.build_parser(lang, command)) if words}
        assert list(alone) == [w for w in full if w[0] == command]
        for words, parser in alone.items():
            assert parser.format_help() == full[words].format_help(), words
            assert parser.format_usage() == full[words].format_usage(), words


@pytest.mark.parametrize(
    "argv, command",
    [
        (["run", "payment_outage"], "run"),
        (["--lang", "zh", "--scenarios", "run", "montecarlo", "x"], "montecarlo"),
        (["--lang=en", "--scenarios=d", "msel", "export"], "msel"),
        (["--help"], None),
        (["-h", "run"], None),
        (["--lan", "zh", "run"], None),  # abbreviated: argparse decides, with every command
        (["rn", "payment_outage"], None),  # misspelt: argparse names the choices
        (["--lang", "zh"], None),
        ([], None),
    ],
)
def test_the_command_is_read_from_the_line_only_when_certain(argv, command):
    assert cli.command_from_argv(argv) == command


def test_errors_read_the_same_with_one_command_built(capsys):
    for argv in (["run"], ["--lang", "zh", "run", "payment_outage", "--others", "x"], ["rn"]):
        with pytest.raises(SystemExit) as exc:
            cli.main(argv)
        one = (exc.value.code, capsys.readouterr().err)
        with pytest.raises(SystemExit) as exc:
            cli.build_parser(lang_from_argv(argv)).parse_args(argv)
        assert (exc.value.code, capsys.readouterr().err) == one and one[0] == 2


@pytest.mark.parametrize("columns", [None, "120", "0", "-3", "wide", ""])
def test_help_is_as_wide_as_argparse_would_make_it(monkeypatch, columns):
    """The formatter asks for the terminal's width as argparse does (shutil), without shutil."""
    import shutil

    from drillsim.arguments import Formatter, terminal_columns

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.delenv("LINES", raising=False)
    assert terminal_columns() == shutil.get_terminal_size().columns
    assert Formatter("drillsim")._width == argparse.HelpFormatter("drillsim")._width
