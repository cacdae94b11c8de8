"""compare's paired differences from running sums (scoring/paired.py) against the computation
they replaced, over per-replication arrays (tests/paired_oracle.py): the same at printed
precision on several variants and seeds, exactly [0, 0] for a variant equal to the base, the
same whatever the order the batches come in, and nothing kept per replication."""

from __future__ import annotations

import json

import numpy as np
import pytest

from drillsim.scoring import montecarlo as mc
from drillsim.scoring.paired import Pairing
from drillsim.scoring.stats import _f, excludes_zero
from drillsim.scoring.tally import Tally
from drillsim.simulator.replications import concat, plan_for, run_batch

from .paired_oracle import paired_ratio_difference

CUTS = [(0, 30), (30, 40), (70, 30)]


def _old_duty(base_plan, base, plan, var, oid):
    """The per-replication computation, as obligation_differences made it before."""
    hb, tb = mc.obligation_counts(base_plan, base, oid, mc.basis(base_plan, oid))
    hv, tv = mc.obligation_counts(plan, var, oid, mc.basis(plan, oid))
    if oid not in base_plan.procedure.obligations:
        hb, tb = np.zeros(base.count), np.zeros(base.count)
    d = paired_ratio_difference(hv, tv, hb, tb)
    return {
        "delta_p_hit": _f(d["delta"]) if d else None,
        "ci95": [_f(max(-1.0, d["lo"])), _f(min(1.0, d["hi"]))] if d else None,
        "changed": bool(d and excludes_zero(d["lo"], d["hi"])),
        "replications_higher": d["higher"] if d else None,
        "replications_lower": d["lower"] if d else None,
        "p_hit_base": _f(hb.sum() / tb.sum()) if tb.sum() else None,
        "p_hit_variant": _f(hv.sum() / tv.sum()) if tv.sum() else None,
    }


def _old_service(base, var, sid):
    b, v = mc.service_counts(base, sid), mc.service_counts(var, sid)
    rto = paired_ratio_difference(v["met"], v["decided"], b["met"], b["decided"])
    down = paired_ratio_difference(v["downtime"], v["down"], b["downtime"], b["down"])
    return {
        "delta_p_rto_met": _f(rto["delta"]) if rto else None,
        "ci95": [_f(max(-1.0, rto["lo"])), _f(min(1.0, rto["hi"]))] if rto else None,
        "delta_downtime_mean_min": _f(down["delta"], 4) if down else None,
        "downtime_ci95": [_f(down["lo"], 4), _f(down["hi"], 4)] if down else None,
        "replications_rto_higher": rto["higher"] if rto else None,
    }


def _fed(base_plan, plan, base_batches, var_batches, order=None):
    shifts = mc.deadline_shifts(base_plan, plan)
    tb, tv = Tally(base_plan, paired=True), Tally(plan, paired=True, shifts=shifts)
    pairing = Pairing([tb, tv])
    feed = [(0, b) for b in base_batches] + [(1, v) for v in var_batches]
    for j, b in order(feed) if order else feed:
        pairing.add(j, (tb, tv)[j].add(b))
    assert not pairing.parts and not pairing.done  # nothing kept per replication
    return tb, tv


@pytest.mark.parametrize(
    "variant,seed",
    [("tested_dr_switch", 9), ("sms_fallback", 4), ("trained_deputy", 2), ("grading_training", 6)],
)
def test_the_same_as_the_per_replication_computation(variant, seed):
    base_plan, plan = plan_for("payment_outage"), plan_for("payment_outage", (variant,))
    bases = [run_batch("payment_outage", (), seed, s, c) for s, c in CUTS]
    variants = [run_batch("payment_outage", (variant,), seed, s, c) for s, c in CUTS]
    tb, tv = _fed(base_plan, plan, bases, variants, order=lambda f: f[::-1])
    base, var = concat(bases), concat(variants)
    got = {d["id"]: d for d in mc.obligation_differences(base_plan, tb, plan, tv)}
    assert set(got) >= set(base_plan.procedure.obligations)
    for oid, d in got.items():
        old = _old_duty(base_plan, base, plan, var, oid)
        assert {k: d[k] for k in old} == old, oid
    for d in mc.service_differences(base_plan, tb, plan, tv):
        old = _old_service(base, var, d["service"])
        assert {k: d[k] for k in old} == old, d["service"]
    # from the records directly: the same
    assert mc.obligation_differences(base_plan, base, plan, var) == list(got.values())


def test_a_variant_equal_to_the_base_gives_exactly_zero():
    plan = plan_for("payment_outage")
    batches = [run_batch("payment_outage", (), 3, s, c) for s, c in CUTS]
    tb, tv = _fed(plan, plan, batches, batches)
    for d in mc.obligation_differences(plan, tb, plan, tv):
        assert d["delta_p_hit"] in (0.0, None) and d["ci95"] in ([0.0, 0.0], None), d
        assert not d["changed"]
    for d in mc.service_differences(plan, tb, plan, tv):
        assert d["ci95"] == [0.0, 0.0] and d["downtime_ci95"] == [0.0, 0.0], d
    assert tv.pairs[("downtime", "core_system")]["n"] == 100
    assert tv.pairs[("duty", "verify")]["exact"]


def test_the_same_whatever_the_order_the_batches_come_in():
    base_plan, plan = plan_for("payment_outage"), plan_for("payment_outage", ("sms_fallback",))
    bases = [run_batch("payment_outage", (), 5, s, 10) for s in range(0, 60, 10)]
    variants = [run_batch("payment_outage", ("sms_fallback",), 5, s, 10) for s in range(0, 60, 10)]
    results = []
    for order in (None, lambda f: f[::-1], lambda f: f[1::2] + f[::2]):
        tb, tv = _fed(base_plan, plan, bases, variants, order)
        results.append(
            json.dumps(
                [
                    mc.obligation_differences(base_plan, tb, plan, tv),
                    mc.service_differences(base_plan, tb, plan, tv),
                ],
                sort_keys=True,
            )
        )
    assert results[0] == results[1] == results[2]


@pytest.mark.parametrize("top", [1, 2, 9, 40])
def test_joint_counts_give_each_rows_sums(top):
    """exact_sums (every row at once, from the joint values' counts) equals batch_sums row by
    row: 0/1 rows, small counts, and values too many for the joint counts (row by row)."""
    from drillsim.scoring.paired import batch_sums, exact_sums

    rng = np.random.default_rng(top)
    rows, n = 7, 500
    tv = rng.integers(0, top + 1, (rows, n)).astype(np.int16)
    tb = tv.copy()
    tb[3] = rng.integers(0, top + 1, n)  # one row whose trials differ
    hv = np.minimum(tv, rng.integers(0, top + 1, (rows, n))).astype(np.int16)
    hb = np.minimum(tb, rng.integers(0, top + 1, (rows, n))).astype(np.int16)
    hv[5] = hb[5]  # a row where the variant equals the base
    for a in (hv, tv, hb, tb):
        a[6] = 0  # a duty that fell due in neither plan: written down, not counted
    got = exact_sums(hv, tv, hb, tb)
    want = [batch_sums(hv[r], tv[r], hb[r], tb[r], True) for r in range(rows)]
    assert got == want
    assert [[type(v) for v in s.values()] for s in got] == [
        [type(v) for v in s.values()] for s in want
    ]
    zero = np.zeros(
        n
    )  # all 0 (a service down nowhere): the sums computed for hits alone, less them
    assert batch_sums(zero, zero, zero, zero, False) == {
        **batch_sums(zero + 1, zero, zero, zero, False),
        "Hv": 0.0,
        "vhh": 0.0,
        "higher": 0,
        "all01": True,
    }
    assert got[5]["higher"] == got[5]["lower"] == 0 and got[0]["same_t"] and not got[3]["same_t"]
    assert got[0]["all01"] == (top == 1)
    assert exact_sums(hv[:0], tv[:0], hb[:0], tb[:0]) == []
