"""scoring/stats.py against cases with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from drillsim.scoring.stats import (
    Z95,
    bin_width,
    clustered_proportion,
    describe,
    excludes_zero,
    histogram,
    quantiles,
    wilson,
)

from .paired_oracle import paired_ratio_difference

# --- Wilson ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "k, n, lo, hi",
    [
        (0, 10, 0.0, 0.27753),  # upper bound z^2 / (n + z^2)
        (10, 10, 0.72247, 1.0),
        (5, 10, 0.23659, 0.76341),
        (81, 263, 0.2553, 0.3662),  # Newcombe (1998), example of 81/263
    ],
)
def test_wilson_known_values(k, n, lo, hi):
    got = wilson(k, n)
    assert got[0] == pytest.approx(lo, abs=2e-4)
    assert got[1] == pytest.approx(hi, abs=2e-4)


def test_wilson_empty_is_none():
    assert wilson(0, 0) is None
    assert clustered_proportion(np.zeros(5), np.zeros(5)) is None


def test_wilson_coverage_is_about_95_percent():
    rng = np.random.default_rng(2024)
    for p, n in ((0.3, 50), (0.9, 40), (0.05, 200)):
        ks = rng.binomial(n, p, size=3000)
        covered = sum(lo <= p <= hi for lo, hi in (wilson(k, n) for k in ks))
        assert 0.925 <= covered / 3000 <= 0.975, (p, n, covered / 3000)


def test_clustered_equals_wilson_for_single_trials():
    hits = np.array([1, 0, 1, 1, 0, 1, 0, 0, 1, 1], float)
    trials = np.array([1, 1, 1, 1, 1, 1, 1, 0, 1, 1], float)
    got = clustered_proportion(hits, trials)
    lo, hi = wilson(6, 9)
    assert got["p"] == pytest.approx(6 / 9)
    assert (got["lo"], got["hi"]) == (lo, hi)


def test_clustered_is_wider_when_trials_in_a_replication_go_together():
    # 200 replications of 5 trials each, all-or-nothing: really 200 observations, not 1000
    rng = np.random.default_rng(1)
    all_or_none = rng.random(200) < 0.6
    hits, trials = 5.0 * all_or_none, np.full(200, 5.0)
    got = clustered_proportion(hits, trials)
    naive = wilson(hits.sum(), trials.sum())
    assert got["deff"] == pytest.approx(5.0, rel=0.05)
    assert got["hi"] - got["lo"] > 2 * (naive[1] - naive[0])
    lo200, hi200 = wilson(all_or_none.sum(), 200)
    assert got["lo"] == pytest.approx(lo200, abs=3e-3) and got["hi"] == pytest.approx(
        hi200, abs=3e-3
    )


# --- quantiles and histograms ---------------------------------------------------------------------------


def test_quantiles_with_never_done():
    assert quantiles([1, 2, 3], (0.5,)) == [2.0]
    assert quantiles([1, 2, 3], (0.5, 0.9), never=1) == [2.5, None]  # p90 falls among "never"
    assert quantiles([], (0.5,), never=3) == [None]
    assert quantiles([], (0.5,)) == [None]


def test_quantiles_match_known_distribution():
    rng = np.random.default_rng(7)
    x = rng.exponential(10.0, size=20000)
    med, p90 = quantiles(x, (0.5, 0.9))
    assert med == pytest.approx(10 * math.log(2), rel=0.03)
    assert p90 == pytest.approx(10 * math.log(10), rel=0.03)
    d = describe(x)
    assert d["mean"] == pytest.approx(10.0, rel=0.03)
    assert describe(x, never=1)["mean"] is None


def test_histogram_edges_and_counts():
    values = np.array([0.2, 1.5, 3.9, 4.0, 9.99, 10.0, 27.3])
    h = histogram(values)
    edges, counts = h["edges"], h["counts"]
    assert edges[0] == 0.0 and edges[-1] > values.max()
    assert len(counts) == len(edges) - 1 <= 31
    assert sum(counts) == len(values)
    width = edges[1] - edges[0]
    assert width in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10)
    assert all(math.isclose(b - a, width) for a, b in zip(edges, edges[1:]))
    assert histogram([]) == {"edges": [], "counts": []}
    same = histogram([3.0, 3.0])
    assert (
        sum(same["counts"]) == 2
        and same["counts"][-1] == 2
        and same["edges"][-2] <= 3.0 < same["edges"][-1]
    )
    assert bin_width(300) == 10.0 and bin_width(60) == 2.0


# --- paired differences -----------------------------------------------------------------------------------


def test_identical_inputs_give_exactly_zero():
    rng = np.random.default_rng(3)
    h = (rng.random(500) < 0.7).astype(float)
    t = np.ones(500)
    d = paired_ratio_difference(h, t, h.copy(), t.copy())
    assert d["delta"] == 0.0 and d["lo"] == 0.0 and d["hi"] == 0.0
    assert not excludes_zero(d["lo"], d["hi"])
    x = rng.exponential(30, 500)
    d = paired_ratio_difference(x, t, x.copy(), t)
    assert (d["delta"], d["lo"], d["hi"]) == (0.0, 0.0, 0.0)


def test_paired_difference_covers_the_known_delta():
    # common random numbers: the same uniform decides both plans' hits
    rng = np.random.default_rng(11)
    covered, trials, n = 0, 400, 300
    for _ in range(trials):
        u = rng.random(n)
        base, var = (u < 0.60).astype(float), (u < 0.65).astype(float)  # true delta 0.05
        d = paired_ratio_difference(var, np.ones(n), base, np.ones(n))
        covered += d["lo"] <= 0.05 <= d["hi"]
        assert d["lower"] == 0  # CRN: never worse replication by replication
    assert covered / trials >= 0.93


def test_paired_ratio_with_different_triggering():
    # a duty that falls due in fewer replications in the variant: ratio of hits to occurrences
    rng = np.random.default_rng(5)
    n = 4000
    tb = np.ones(n)
    tv = (rng.random(n) < 0.8).astype(float)
    hb = (rng.random(n) < 0.5) * tb
    hv = (rng.random(n) < 0.7) * tv
    d = paired_ratio_difference(hv, tv, hb, tb)
    assert d["delta"] == pytest.approx(hv.sum() / tv.sum() - hb.sum() / tb.sum())
    assert d["lo"] < 0.2 < d["hi"]
    assert d["continuity"] == 0.0


def test_small_discordant_counts_follow_mcnemar():
    n = 1000
    t = np.ones(n)
    for k, changed in ((4, False), (5, False), (6, True), (7, True)):
        base, var = np.zeros(n), np.zeros(n)
        var[:k] = 1
        d = paired_ratio_difference(var, t, base, t)
        assert excludes_zero(d["lo"], d["hi"]) is changed, k
        assert d["delta"] == pytest.approx(k / n)


def test_z95():
    assert Z95 == pytest.approx(1.959964, abs=1e-6)
