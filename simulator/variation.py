"""Not the same exercise every time: a scenario's `vary` ranges drawn from the run's seed.

A scenario may give, per inject, a range for its time and for the number facts it sets. A varied
run draws each from the seed, keyed by inject and field (`rng.Streams`, as the engine's draws),
so the same seed gives the same exercise and another seed another one; the procedure that
judges it is the same. The drawn values are written in the log's header (`drawn`), and a log is
scored and replayed with them (`apply`). Without --vary the written values are used, so plain
runs, Monte Carlo and plan comparisons are unchanged.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from numpy.random import SeedSequence

from .plan import Plan
from .records import replace
from .rng import Streams

if TYPE_CHECKING:
    from .model import Span


def _value(span: Span, u: float) -> float:
    x = span.low + (span.high - span.low) * u
    if span.step:
        x = span.low + round((x - span.low) / span.step) * span.step
    return round(min(max(x, span.low), span.high), 6)


def draw(plan: Plan, seed: int | SeedSequence) -> dict:
    """The values this seed draws for the scenario's ranges: {inject: {"at": t, "set": {...}}}."""
    rng = Streams(seed)
    out: dict[str, dict] = {}
    for jid, v in plan.scenario.vary.items():
        got: dict = {}
        if v.at is not None:
            got["at"] = _value(v.at, rng.uniform("vary", jid, "at"))
        if v.set:
            got["set"] = {
                a: _value(s, rng.uniform("vary", jid, "set", a)) for a, s in v.set.items()
            }
        out[jid] = got
    return out


def apply(plan: Plan, drawn: dict) -> Plan:
    """The plan with these drawn values in place of the written ones (a new Plan; the given one
    and its shared runtime are untouched)."""
    if not drawn:
        return plan
    sc = plan.scenario
    injects = dict(sc.injects)
    for jid, got in drawn.items():
        inj = injects[jid]
        update: dict = {}
        if "at" in got:
            update["at"] = got["at"]
        if "set" in got:
            update["set"] = {**inj.set, **got["set"]}
        injects[jid] = replace(inj, **update)
    varied = dataclasses.replace(plan, scenario=replace(sc, injects=injects))
    varied.drawn = drawn
    return varied


def vary(plan: Plan, seed: int | SeedSequence) -> Plan:
    """The plan as this seed's varied run plays it."""
    return apply(plan, draw(plan, seed))
