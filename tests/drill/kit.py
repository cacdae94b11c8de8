"""Shared helpers of the live-drill tests: a fake clock and the shipped roster."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from importlib.resources import files
from pathlib import Path

from drillsim.simulator.drill.live import LiveDrill
from drillsim.simulator.drill.roster import load_roster
from drillsim.simulator.loader import load_plan

ROSTER = Path(str(files("drillsim.scenarios"))) / "sites" / "factory_roster.csv"
START = datetime(2026, 11, 27, 10, 0, 0, tzinfo=timezone(timedelta(hours=8)))


class FakeClock:
    """The drill's wall clock, moved by the test: `at(12.5)` is 12 min 30 s after 10:00."""

    def __init__(self, start: datetime = START):
        self.start = self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, minutes: float) -> datetime:
        self.now = self.start + timedelta(minutes=minutes)
        return self.now


@functools.cache
def plan(scenario: str = "warehouse_fire_drill"):
    return load_plan(scenario)


@functools.cache
def roster():
    return load_roster(ROSTER)


def make_drill(log_path=None, scenario: str = "warehouse_fire_drill", clock=None) -> LiveDrill:
    return LiveDrill(plan(scenario), roster(), log_path=log_path, clock=clock or FakeClock())
