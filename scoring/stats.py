"""Statistics over replications: proportions with Wilson intervals, censored quantiles,
histograms for report charts, and paired differences for common-random-number comparisons.

Plain NumPy; every function takes arrays (or counts) and returns plain floats, lists and
None (JSON-ready), never NaN.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

Z95 = NormalDist().inv_cdf(0.975)  # 1.959963984540054


def _f(x, digits: int = 6):
    """A JSON-friendly float: None for None/NaN/inf, else rounded."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return round(x, digits) + 0.0  # + 0.0: no negative zero


# --- proportions -------------------------------------------------------------------------------


def wilson(k: float, n: float, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for k successes in n trials (k, n may be effective, non-integer)."""
    if n <= 0:
        return None
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    lo, hi = max(0.0, centre - half), min(1.0, centre + half)
    if k <= 0:
        lo = 0.0
    if k >= n:
        hi = 1.0
    return lo, hi


def _interval(k: float, n: float, z: float) -> tuple[float, float]:
    """wilson() where n > 0 is known."""
    ci = wilson(k, n, z)
    assert ci is not None
    return ci


def clustered_proportion(hits: np.ndarray, trials: np.ndarray, z: float = Z95) -> dict | None:
    """Proportion of hits among trials pooled over replications, with a 95% interval.

    `hits[r]` and `trials[r]` are replication r's counts. When no replication has more than one
    trial this is the plain Wilson interval on (sum hits, sum trials). When a replication can
    have several (a recurring duty), trials in one replication are not independent: the Wilson
    interval is taken on the effective sample size sum(trials) / deff, where the design effect
    deff (at least 1) compares the ratio estimator's between-replication variance with the
    binomial variance.
    """
    hits = np.asarray(hits, dtype=float)
    trials = np.asarray(trials, dtype=float)
    if trials.sum() <= 0:
        return None
    return clustered_from_sums(
        hits.sum(),
        trials.sum(),
        float(hits @ hits),
        float(hits @ trials),
        float(trials @ trials),
        int((trials > 0).sum()),
        float(trials.max()),
        z,
    )


def clustered_from_sums(
    k: float,
    total: float,
    hh: float,
    ht: float,
    tt: float,
    reps: int,
    most: float,
    z: float = Z95,
) -> dict | None:
    """clustered_proportion from sums over replications (what a running tally keeps): hits k,
    trials total, sum of hits^2, hits*trials and trials^2, replications with a trial, and the
    most trials in one replication."""
    if total <= 0:
        return None
    p = k / total
    if most <= 1:
        lo, hi = _interval(k, total, z)
        return {"p": p, "lo": lo, "hi": hi, "n_eff": total, "deff": 1.0}
    binom = p * (1 - p) / total
    if binom > 0 and reps > 1:
        # sum over replications of (hits - p trials)^2, expanded
        resid2 = max(0.0, hh - 2 * p * ht + p * p * tt)
        var = resid2 / (total * total) * reps / (reps - 1)
        deff = max(1.0, var / binom)
    elif binom > 0:
        deff = total  # one replication holds every trial: one independent observation
    else:
        deff = max(1.0, total / max(reps, 1))  # all hit or none: count replications, not trials
    n_eff = total / deff
    lo, hi = _interval(p * n_eff, n_eff, z)
    return {"p": p, "lo": lo, "hi": hi, "n_eff": n_eff, "deff": deff}


# --- distributions -------------------------------------------------------------------------------


def quantiles(
    values: np.ndarray, qs=(0.5, 0.9, 0.95), never: int = 0, presorted: bool = False
) -> list[float | None]:
    """Quantiles of `values` plus `never` observations that are infinite (never happened).

    A quantile that falls among the `never` ones is None: e.g. the p90 of the time to complete
    a duty that one replication in five never completed does not exist. presorted: `values`
    are sorted already (not sorted again).
    """
    values = np.asarray(values, dtype=float)
    if values.size + never == 0:
        return [None for _ in qs]
    values = values if presorted else np.sort(values)
    full = np.concatenate([values, np.full(never, np.inf)]) if never else values
    out: list[float | None] = []
    for q in qs:
        pos = q * (full.size - 1)
        lo, hi = math.floor(pos), math.ceil(pos)
        if not math.isfinite(full[hi]):
            out.append(None)
        else:
            out.append(float(full[lo] + (full[hi] - full[lo]) * (pos - lo)))
    return out


_NICE = (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440)


def bin_width(span: float, max_bins: int = 30) -> float:
    for w in _NICE:
        if span / w <= max_bins:
            return float(w)
    return float(10 ** math.ceil(math.log10(span / max_bins)))


def histogram(values: np.ndarray, max_bins: int = 30, presorted: bool = False) -> dict:
    """Counts on round-numbered edges from 0 (or below, for negative values), at most ~max_bins
    bins; bins are [a, b) except the last, which is closed. presorted: `values` are sorted."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return {"edges": [], "counts": []}
    edges = histogram_edges(float(values.min()), float(values.max()), max_bins)
    if presorted:  # what np.histogram does with edges after sorting: the same counts
        ends = [values.searchsorted(edges[:-1], "left"), values.searchsorted(edges[-1:], "right")]
        counts = np.diff(np.concatenate(ends))
    else:
        counts, _ = np.histogram(values, bins=edges)
    return {"edges": [_f(e, 6) for e in edges], "counts": [int(c) for c in counts]}


def histogram_edges(vmin: float, vmax: float, max_bins: int = 30) -> np.ndarray:
    """histogram()'s edges for values from vmin to vmax."""
    lo, hi = min(0.0, vmin), vmax
    w = bin_width(max(hi - lo, 1e-9), max_bins)
    start = math.floor(lo / w) * w
    nbins = max(1, math.floor((hi - start) / w) + 1)  # the max falls inside the last bin
    return start + w * np.arange(nbins + 1)


def describe(values: np.ndarray, never: int = 0) -> dict:
    """mean, median, p90, p95 (the mean only when nothing is `never`)."""
    values = np.asarray(values, dtype=float)
    med, p90, p95 = quantiles(values, (0.5, 0.9, 0.95), never)
    mean = float(values.mean()) if values.size and not never else None
    return {"mean": _f(mean, 4), "median": _f(med, 4), "p90": _f(p90, 4), "p95": _f(p95, 4)}


# --- paired differences (common random numbers) -----------------------------------------------------


def excludes_zero(lo: float | None, hi: float | None) -> bool:
    return bool(lo is not None and hi is not None and (lo > 0 or hi < 0))
