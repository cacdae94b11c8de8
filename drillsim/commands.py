"""Commands beyond the core ones, one module each (play, montecarlo/compare, report/msel)."""

from __future__ import annotations

from . import cmd_montecarlo, cmd_play, cmd_report
from .cli import _EXTRA_COMMANDS

_EXTRA_COMMANDS.extend([cmd_play.register, cmd_montecarlo.register, cmd_report.register])
