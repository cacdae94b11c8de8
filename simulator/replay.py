"""Play a saved log again: the same seed, the same human/scripted actions and facilitator
interventions at the same simulated times give the same events, byte for byte."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .loader import load_plan
from .model import ScriptAction
from .plan import Plan
from .seeds import Seed
from .session import Session, dumps


def _seed(label):
    if isinstance(label, dict):
        return Seed(int(label["entropy"]), tuple(label["spawn_key"]))
    return label


def interventions(events: list[dict]) -> list[tuple[float, str, Any]]:
    """What people did, in order: (t, 'action', ScriptAction) | (t, 'inject'|'skip', id) | (t, 'end', reason)."""
    out: list[tuple[float, str, Any]] = []
    for ev in events:
        if ev["type"] == "action":
            fields = {k: v for k, v in ev.items() if k not in ("seq", "t", "type")}
            out.append((ev["t"], "action", ScriptAction.model_validate({"at": ev["t"], **fields})))
        elif ev["type"] == "inject" and ev.get("by"):
            out.append((ev["t"], "inject", ev["inject"]))
        elif ev["type"] == "inject.skipped" and ev.get("by"):
            out.append((ev["t"], "skip", ev["inject"]))
        elif ev["type"] == "end":
            out.append((ev["t"], "end", ev["reason"]))
    return out


def replay(
    events: list[dict], plan: Plan | None = None, log_path: str | Path | None = None
) -> Session:
    header = events[0]
    if "drill" in header:  # a live drill: the people's part is stamps and check-ins
        from .drill.live import replay_drill

        return replay_drill(events, plan, log_path).live_session
    if plan is None:
        from .variation import apply

        plan = load_plan(header["scenario_ref"], header.get("variants", []))
        plan = apply(plan, header.get("drawn") or {})  # a varied run: the values it drew
    session = Session(plan, _seed(header["seed"]), header["players"], log_path=log_path)
    for t, kind, payload in interventions(events):
        session.advance(t)
        if kind == "end":
            session.finish(payload)
            break
        if session.finished:
            break
        if kind == "action":
            session.submit(payload)
        elif kind == "inject":
            session.trigger_inject(payload)
        else:
            session.skip_inject(payload)
    session.finish()
    return session


def same_log(a: list[dict], b: list[dict]) -> bool:
    return [dumps(e) for e in a] == [dumps(e) for e in b]
