"""A run's fixed costs made smaller without changing what it does: the first evaluation skipped
where it changes nothing, the script's minutes as one re-armed SimPy event, the cyclic garbage
collector paused during a batch (a replication leaves no reference cycle behind)."""

from __future__ import annotations

import gc

import pytest

from drillsim.simulator import replications
from drillsim.simulator.replications import plan_for, run_batch
from drillsim.simulator.runner import run_plan
from drillsim.simulator.session import dumps

from .test_fastpath_features import tiny


def _log(plan, seed: int) -> list[str]:
    return [dumps(ev) for ev in run_plan(plan, seed=seed).world.events]


@pytest.mark.parametrize("scenario", ["payment_outage", "typhoon_warning", "warehouse_fire"])
def test_a_skipped_first_evaluation_gives_the_same_log(scenario):
    plan = plan_for(scenario)
    rt = plan.runtime
    rt.quiet_start = None
    first = _log(plan, 3)
    assert rt.quiet_start is True  # learnt by that run: nothing holds at minute 0
    for seed in (3, 4, 5):
        skipped = _log(plan, seed)
        rt.quiet_start = False  # evaluated as before
        evaluated = _log(plan, seed)
        rt.quiet_start = True
        assert skipped == evaluated
    assert first == _log(plan, 3)


def test_a_duty_due_at_minute_0_keeps_the_first_evaluation(tmp_path):
    """The head's answer falls due as the run starts: the first evaluation does something, so
    it is never skipped, and the duty falls due at minute 0 in every replication."""
    path = tiny(tmp_path, ack="now >= 0")
    batch = run_batch(path, (), 5, 0, 30)
    assert plan_for(path).runtime.quiet_start is False
    names = batch.layout.obligations
    ack = batch.duties["ob"] == names.index("head_ack")
    assert ack.sum() == 30
    assert (batch.duties["triggered"][ack] == 0).all()


def test_the_script_fires_in_order_with_the_runs_other_events():
    """The script's minutes (payment_outage: 13, from 0 to 240) each fire once, their steps'
    events at their minute, and the run ends at the scenario's end."""
    plan = plan_for("payment_outage")
    events = run_plan(plan, seed=2).world.events
    minutes = set(plan.runtime.script)
    timeline = [e["t"] for e in events if e["type"] == "attributes" and e["cause"] == "timeline"]
    assert timeline and set(timeline) <= minutes
    timed = {j: inj.at for j, inj in plan.scenario.injects.items() if inj.at is not None}
    fired = {e["inject"]: e["t"] for e in events if e["type"] in ("inject", "inject.skipped")}
    assert {j: fired[j] for j in timed} == timed
    assert [e["t"] for e in events if e["type"] == "channel.up"] == [240.0]
    assert events[-1]["type"] == "end" and events[-1]["t"] == plan.scenario.duration_min


def test_a_batch_leaves_no_reference_cycle_and_the_collector_as_it_was():
    run_batch("payment_outage", (), 1, 0, 3)  # plan loaded, caches warm
    gc.collect()
    was = gc.get_debug()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds is kept in gc.garbage
    try:
        assert gc.isenabled()
        run_batch("payment_outage", (), 1, 0, 20)
        assert gc.isenabled()  # on again after the batch
        gc.collect()
        assert gc.garbage == []  # reference counting freed every replication
    finally:
        gc.set_debug(was)
        gc.garbage.clear()
    gc.disable()
    try:
        run_batch("payment_outage", (), 1, 0, 2)
        assert not gc.isenabled()  # left off when it was off before
    finally:
        gc.enable()
    assert replications._GC_HOLDERS == 0
