"""Beyond EXACT_MAX replications the times are kept in fixed-memory sketches (scoring/sketch.py):
quantiles within ALPHA (relative) of the exact ones, the same figures however the replications
were cut into batches and in whatever order the batches came, memory bounded by the values'
range, not their number."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest

from drillsim.scoring import montecarlo as mc
from drillsim.scoring.sketch import ALPHA, EXACT_MAX, Exact, ExactSum, Sketch, kept
from drillsim.scoring.stats import quantiles
from drillsim.scoring.tally import Tally
from drillsim.simulator.replications import concat, plan_for, run_batch

QS = (0.0, 0.05, 0.5, 0.9, 0.95, 1.0)


def _values(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.concatenate(
        [rng.gamma(2.0, 8.0, 30_000), rng.uniform(-5, 0, 500), np.zeros(40), [1e-7, 4000.0]]
    )
    rng.shuffle(x)
    return x


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_quantiles_within_alpha_of_the_exact_ones(seed):
    x = _values(seed)
    sketch = Sketch()
    for part in np.array_split(x, 7):
        sketch.add(part)
    for never in (0, 100, 3000):
        exact = quantiles(x, QS, never=never)
        got = sketch.quantiles(QS, never=never)
        for q, e, g in zip(QS, exact, got):
            assert (e is None and g is None) or abs(g - e) <= ALPHA * abs(e) + 1e-12, (q, g, e)
    assert sketch.quantiles((0.0, 1.0)) == [x.min(), x.max()]  # the extremes are exact


def test_same_figures_however_cut_and_in_whatever_order():
    x = _values(4)
    one, other = Sketch(), Sketch()
    one.add(x)
    parts = np.array_split(x, 13)
    for part in reversed(parts):
        other.add(part)
    assert one.quantiles(QS, never=7) == other.quantiles(QS, never=7)
    assert one.histogram() == other.histogram()
    assert one.describe() == other.describe()
    assert np.array_equal(one.pos.counts, other.pos.counts)


def test_the_sum_is_exact_whatever_the_cut():
    x = _values(5)
    cut = ExactSum()
    for part in np.array_split(x, 9):
        cut.add(part)
    whole = ExactSum()
    whole.add(x[::-1])
    assert cut.units == whole.units
    exact = sum((Fraction(float(v)) for v in x), Fraction(0))
    assert Fraction(cut.units, 2**-ExactSum.BASE) == exact
    assert cut.value(x.size) == float(exact / x.size)


def test_histogram_counts_every_value_and_stays_close():
    x = _values(6)
    sketch, exact = Sketch(), Exact(np.float64)
    sketch.add(x)
    exact.add(x)
    s, e = sketch.histogram(), exact.histogram()
    assert s["edges"] == e["edges"]
    assert sum(s["counts"]) == x.size
    # a value within ALPHA of an edge may fall in the next bin: a handful at most
    assert sum(abs(a - b) for a, b in zip(s["counts"], e["counts"])) <= 20


def test_memory_depends_on_the_range_not_the_number():
    rng = np.random.default_rng(7)
    sketch = Sketch()
    sketch.add(np.array([0.5, 300.0]))  # the range
    sizes = []
    for _ in range(20):
        sketch.add(rng.uniform(0.5, 300.0, 50_000))
        sizes.append(sketch.nbytes)
    assert sizes[-1] == sizes[0]  # the range is covered: no growth with a million more values
    assert sizes[-1] < math.log(300 / 0.5) / math.log((1 + ALPHA) / (1 - ALPHA)) * 8 + 64


def test_exact_up_to_the_threshold():
    assert kept(None) is Exact and kept(EXACT_MAX) is Exact and kept(EXACT_MAX + 1) is Sketch


@pytest.fixture(scope="module")
def small():
    return [run_batch("payment_outage", (), 9, s, 10) for s in range(0, 120, 10)]


def test_a_tally_beyond_the_threshold_is_independent_of_cut_and_order(small):
    plan = plan_for("payment_outage")
    whole = concat(small)
    few, many = Tally(plan, n=10**6), Tally(plan, n=10**6)
    few.add(whole)
    for b in reversed(small):
        many.add(b)
    a, b = mc.summarise(plan, few, 9, []), mc.summarise(plan, many, 9, [])
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    exact = mc.summarise(plan, whole, 9, [])
    for s_ob, e_ob in zip(a["obligations"], exact["obligations"]):
        assert s_ob["p_hit"] == e_ob["p_hit"] and s_ob["ci95"] == e_ob["ci95"]
        for key in ("median", "p90", "p95"):
            g, e = s_ob["done_min"][key], e_ob["done_min"][key]
            # float32 times, 3 decimals: ALPHA plus the rounding
            assert (g is None and e is None) or abs(g - e) <= ALPHA * abs(e) + 1.1e-3, (key, g, e)
        g, e = s_ob["deadline_min"], e_ob["deadline_min"]
        assert (g is None and e is None) or abs(g - e) <= ALPHA * abs(e) + 1.1e-3
    for s_svc, e_svc in zip(a["services"], exact["services"]):
        assert s_svc["down"] == e_svc["down"] and s_svc["p_rto_met"] == e_svc["p_rto_met"]
        assert s_svc["downtime_min"]["mean"] == e_svc["downtime_min"]["mean"]
        assert abs(s_svc["downtime_min"]["median"] - e_svc["downtime_min"]["median"]) <= 0.05
    assert a["critical_path"] == exact["critical_path"]


def test_exact_sorts_once_and_answers_as_the_unsorted_values_do():
    from drillsim.scoring.stats import histogram, quantiles

    x = _values(8).astype(np.float32)
    kept_ = Exact(np.float32)
    for part in np.array_split(x, 5):
        kept_.add(part)
    for more in (np.zeros(0, np.float32), np.array([1e4], np.float32)):  # the sort made again
        kept_.add(more)
        v = np.concatenate([x, more]).astype(np.float64)
        assert kept_.histogram() == histogram(v)
        for never in (0, 7):
            assert kept_.quantiles((0.5, 0.9, 0.95), never=never) == quantiles(v, never=never)
