"""The engine evaluates every condition compiled for its own contexts (expressions.specialize
with triggers.READERS: a closure per name and call over the world's facts). On the same facts it
must give exactly what the generic compilation (Context.var / Context.call) gives."""

from __future__ import annotations

import pytest

from drillsim.simulator.expressions import compile_condition, specialize
from drillsim.simulator.loader import load_plan
from drillsim.simulator.replications import seed_for
from drillsim.simulator.session import Session
from drillsim.simulator.triggers import READERS


def _extra(plan) -> list[str]:
    """Conditions using every function, variable and operator over the plan's own names."""
    proc, sc = plan.procedure, plan.scenario
    role, ob = next(iter(proc.roles)), next(iter(proc.obligations))
    last = list(proc.obligations)[-1]
    numbers = [k for k, v in plan.runtime.attributes[next(iter(sc.incidents))].items()]
    out = [
        f"reached('{role}') and not done('{ob}') or due('{last}')",
        f"received('{ob}') or done('{last}')",
        "declared >= 1 and level != declared",
        "now > 30 and now <= 90",
        "level - declared < 0 or 2 * level >= 4",
        "1 < level < 3",
    ]
    if sc.injects:
        out.append(f"injected('{next(iter(sc.injects))}')")
    for svc in proc.services:
        out.append(f"down('{svc}') or restored('{svc}')")
    for name in numbers:
        out.append(f"{name} == {name}")
    return out


@pytest.mark.parametrize(
    "scenario", ["payment_outage", "chemical_leak_drill", "typhoon_warning", "vendor_data_leak"]
)
def test_the_engines_conditions_agree_with_the_generic_ones_as_a_run_goes(scenario):
    plan = load_plan(scenario)
    rt = plan.runtime
    pairs = []
    for generic, fast in (
        (rt.trigger, rt.trigger_fn),
        (rt.again_on, rt.again_fn),
        (rt.until, rt.until_fn),
        (rt.inject_when, rt.inject_when_fn),
        (rt.inject_unless, rt.inject_unless_fn),
        (rt.change_unless, rt.change_unless_fn),
    ):
        assert generic.keys() == fast.keys()
        pairs += [(generic[k], fast[k]) for k in generic]
    for source in _extra(plan):
        cond = compile_condition(source)
        pairs.append((cond, specialize(cond, READERS)))
    values: dict[str, set] = {c.source: set() for c, _ in pairs}
    compared = 0
    for seed in (1, 2, 3):
        session = Session(plan, seed_for(5, seed), {r: "bot" for r in plan.procedure.roles})
        world = session.world
        while not session.finished:
            session.advance(session.now + 5)
            for ctxs in (world.truth_ctx, world.belief_ctx):
                for ctx in ctxs.values():
                    for cond, fast in pairs:
                        want, got = cond.fn(ctx), fast(ctx)
                        assert (type(got), got) == (type(want), want), (cond.source, session.now)
                        values[cond.source].add(want)
                        compared += 1
    assert compared > 1000
    # not vacuous: many conditions take both values in these runs
    assert sum(len(v) > 1 for v in values.values()) >= 5
