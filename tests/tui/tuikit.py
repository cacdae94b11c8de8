"""Shared helpers of the TUI tests (the `log_path` fixture is in conftest.py).

The app runs without its clock timer (`tick_interval=None`): tests move simulated time with the
keys (`.` one minute, `n` next inject), `app.tick()` (one timer beat at the current speed) or
`app.advance_to(t)`, so nothing depends on the wall clock and every test takes well under a second
of simulated play per simulated hour. Human actions are stamped with a fixed wall-clock time.
"""

from __future__ import annotations

import asyncio
import functools

from drillsim.simulator.loader import load_plan
from drillsim.tui.app import DrillApp, PlaySetup
from drillsim.tui.exercise import Exercise

WALL = "2026-01-02T09:00:00+08:00"
DS = "duty_supervisor"


@functools.cache
def plan(scenario: str = "payment_outage"):
    return load_plan(scenario)


def make_exercise(
    log_path, scenario="payment_outage", roles=(DS,), mode="training", seed=1
) -> Exercise:
    return Exercise(plan(scenario), list(roles), mode, seed, log_path, wall_clock=lambda: WALL)


def make_app(
    log_path,
    scenario="payment_outage",
    roles=(DS,),
    mode="training",
    seed=1,
    lang="en",
    speed=1.0,
    trainee=False,
    trainee_name=None,
) -> DrillApp:
    ex = make_exercise(log_path, scenario, roles, mode, seed)
    return DrillApp(
        PlaySetup(lang=lang, exercise=ex, speed=speed, trainee=trainee, trainee_name=trainee_name),
        tick_interval=None,
        cursor_blink=False,
        wall_clock=lambda: WALL,
    )


async def report(pilot, ex: Exercise, role: str, to: list[str], via: str) -> None:
    """r, tick the recipients (↓ and space), Tab, choose the channel (↓), Enter."""
    roles = [r for r in ex.proc.roles if r != role]
    channels = list(ex.proc.channels)
    await pilot.press("r")
    at = 0
    for i in sorted(roles.index(r) for r in to):
        await pilot.press(*["down"] * (i - at), "space")
        at = i
    await pilot.press("tab", *["down"] * channels.index(via), "enter")


async def grade(pilot, ex: Exercise, level: int, incident: str = "main") -> None:
    """g, move from the highlighted level (the last declared one, else the first) to `level`, Enter."""
    levels = sorted(ex.proc.grading.levels)
    ev = ex.declared.get(incident)
    at = levels.index(ev["level"]) if ev else 0
    to = levels.index(level)
    keys = ["down"] * (to - at) if to >= at else ["up"] * (at - to)
    await pilot.press("g", *keys, "enter")


async def task(pilot, ex: Exercise, role: str, name: str) -> None:
    await pilot.press("t", *["down"] * ex.tasks_for(role).index(name), "enter")


async def minutes(pilot, n: int) -> None:
    """n presses of `.`: one simulated minute each."""
    await pilot.press(*["full_stop"] * n)


def run(coro) -> None:
    """Run one async Pilot test (no pytest-asyncio needed)."""
    asyncio.run(coro)


def screen_text(app) -> str:
    """Everything the current screen shows in its visible text widgets, one widget a line."""
    from textual.widgets import Static

    out = []
    for w in app.screen.query(Static):
        if not w.display or not w.region.area or any(not a.display for a in w.ancestors):
            continue
        content = w.content
        out.append(content.plain if hasattr(content, "plain") else str(content))
    return "\n".join(out)


def duties_text(app, role: str = DS) -> str:
    """The text of a role view's open-duties panel."""
    return app.exercise_screen.role_views[role].duties.body.content.plain
