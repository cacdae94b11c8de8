"""Headless runs: a scenario with bots and/or a script, start to end."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .plan import Plan
from .seeds import Seed
from .session import Session

if TYPE_CHECKING:
    from .model import ScriptAction


def players_for(
    plan: Plan, actions: list[ScriptAction], others: str = "bot", humans: tuple[str, ...] = ()
) -> dict[str, str]:
    scripted = {a.role for a in actions}
    return {
        r: "human" if r in humans else "script" if r in scripted else others
        for r in plan.procedure.roles
    }


def run_plan(
    plan: Plan,
    seed: int | Seed = 1,
    actions: Sequence[ScriptAction] = (),
    others: str = "bot",
    log_path: str | Path | None = None,
    trace: bool = True,
    force: bool = False,
    inputs: tuple[str | Path, ...] = (),
    players: dict[str, str] | None = None,
) -> Session:
    """Play the whole scenario; scripted actions are taken at their `at` minute. `trace=False`
    keeps only the outcome events (see Session); `force` and `inputs` as Session takes them;
    `players`: players_for(plan, actions, others), when the caller has it (once per batch)."""
    session = Session(
        plan,
        seed,
        players if players is not None else players_for(plan, list(actions), others),
        log_path=log_path,
        trace=trace,
        force=force,
        inputs=inputs,
    )
    for action in sorted(actions, key=lambda a: a.at) if actions else ():
        session.advance(action.at)
        if session.finished:
            break
        session.submit(action)
    session.advance(plan.scenario.duration_min)
    session.finish()
    return session
