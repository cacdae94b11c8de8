"""The critical path's sums, computed over whole batches (scoring/critical_path.py), are those of
the replication-by-replication walk they replaced (tests/critical_path_oracle.py), bit for bit,
on the engine's records of several scenarios and variants and on the fast path's."""

from __future__ import annotations

import numpy as np
import pytest

from drillsim.scoring.critical_path import CriticalPath
from drillsim.simulator.fastpath import check, compute
from drillsim.simulator.replications import Batch, Layout, plan_for, run_batch

from .critical_path_oracle import oracle_sums

CASES = [
    ("payment_outage", (), 3, 0, 60),
    ("payment_outage", (), 11, 500, 60),
    ("payment_outage", ("tested_dr_switch",), 5, 0, 60),
    ("payment_outage", ("sms_fallback",), 7, 30, 60),
    ("payment_outage", ("trained_deputy",), 2, 0, 40),
    ("vendor_data_leak", (), 4, 0, 40),
    ("power_outage_8h", (), 6, 0, 25),
    ("warehouse_fire", (), 8, 0, 40),
    ("typhoon_warning", (), 9, 0, 40),
    ("delivery_crunch", (), 1, 0, 40),
    ("service_desk_shift", (), 1, 0, 25),
    ("chemical_leak_drill", (), 10, 0, 40),
    ("warehouse_fire_drill", (), 12, 0, 30),
]


def _same(plan, batch: Batch) -> dict:
    cp = CriticalPath(plan)
    got, want = cp.sums(batch), oracle_sums(cp, batch)
    assert set(got) == set(want)
    for key in want:
        assert got[key].dtype == want[key].dtype
        assert np.array_equal(got[key], want[key]), (key, got[key], want[key])
    return want


@pytest.mark.parametrize("scenario,variants,seed,start,count", CASES)
def test_vectorised_sums_equal_the_per_replication_walk(scenario, variants, seed, start, count):
    plan = plan_for(scenario, variants)
    _same(plan, run_batch(scenario, variants, seed, start, count))


def test_the_cases_hold_late_chains_passed_on():
    want = _same(plan_for("payment_outage"), run_batch("payment_outage", (), 3, 0, 60))
    assert want["attributed"].sum() > 0 and want["passed_sum"].sum() > 0


def test_on_the_fast_paths_records_too():
    plan = plan_for("chemical_leak_drill")
    model = check(plan)
    fb = compute(model, 4, 0, 3000)
    layout = Layout.of(plan)
    batch = Batch(
        0,
        3000,
        layout,
        fb.rows,
        fb.svc,
        np.zeros((3000, len(layout.incidents)), dtype=np.int8),
        fb.true_level,
        np.full(3000, float(plan.scenario.duration_min)),
        fb.events.astype(np.int32),
    )
    _same(plan, batch)


def test_a_batch_with_nothing_due():
    plan = plan_for("payment_outage")
    batch = run_batch("payment_outage", (), 1, 0, 3)
    empty = Batch(
        0,
        3,
        batch.layout,
        {k: v[:0] for k, v in batch.duties.items()},
        {k: v[:0] for k, v in batch.svc.items()},
        batch.declared,
        batch.true_level,
        batch.end,
        batch.events,
    )
    want = _same(plan, empty)
    assert not want["passed_n"].any()
