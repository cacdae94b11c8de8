"""`drillsim play` on the command line: options, the language, errors without a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from drillsim import cli
from drillsim.tui import app as tui_app


@pytest.fixture
def captured(monkeypatch):
    """Run `drillsim play …` without a terminal: the app is built, not run."""
    seen = {}

    def fake_run(self, *a, **kw):
        seen["setup"] = self.setup
        return None

    monkeypatch.setattr(tui_app.DrillApp, "run", fake_run)
    return seen


def test_play_options(captured, tmp_path):
    log = tmp_path / "x.jsonl"
    assert (
        cli.main(
            [
                "--lang",
                "zh",
                "play",
                "payment_outage",
                "--role",
                "duty_supervisor",
                "--role",
                "vp",
                "--mode",
                "training",
                "--speed",
                "10x",
                "--seed",
                "9",
                "--log",
                str(log),
                "--run",
            ]
        )
        == 0
    )
    s = captured["setup"]
    assert (s.lang, s.scenario, s.roles, s.mode, s.speed, s.seed, s.log, s.run) == (
        "zh",
        "payment_outage",
        ["duty_supervisor", "vp"],
        "training",
        10.0,
        9,
        str(log),
        True,
    )


def test_play_lang_option_after_the_subcommand_and_lobby(captured):
    assert cli.main(["--lang", "zh", "play", "--lang", "en"]) == 0
    assert captured["setup"].lang == "en" and captured["setup"].scenario is None
    assert cli.main(["--lang", "zh", "play"]) == 0
    assert captured["setup"].lang == "zh"
    assert isinstance(captured["setup"].seed, int)  # a random seed when none is given


def test_play_refuses_bad_input(captured, capsys):
    with pytest.raises(SystemExit):
        cli.main(["play", "payment_outage", "--speed", "100"])
    assert cli.main(["play", "--role", "vp"]) == 2
    assert "needs a SCENARIO" in capsys.readouterr().err


def test_headless_packages_do_not_import_the_ui():
    code = (
        "import sys; import drillsim.simulator.session, drillsim.simulator.replay, "
        "drillsim.scoring.verdicts, drillsim.scoring.report_text; "
        "assert not any(m.startswith('drillsim.tui') or m == 'textual' for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
