"""The paired ratio difference over per-replication arrays: what `compare` computed before its
running sums (scoring/paired.py), kept as the tests' oracle for them and for the interval's own
properties."""

from __future__ import annotations

import math

import numpy as np

from drillsim.scoring.stats import Z95


def paired_ratio_difference(
    h_var: np.ndarray, t_var: np.ndarray, h_base: np.ndarray, t_base: np.ndarray, z: float = Z95
) -> dict | None:
    """Difference of two ratios sum(h)/sum(t), variant minus base, paired by replication.

    Per replication r the variant and the base share their random numbers, so the difference is
    estimated from the paired linearised values
        d_r = (h_var[r] - p_var t_var[r]) / mean(t_var) - (h_base[r] - p_base t_base[r]) / mean(t_base)
    (the delta method for a ratio of means); the 95% interval is the estimate +- z sd(d)/sqrt(N).
    With t = 1 in every replication this is the ordinary normal interval on the paired
    differences h_var - h_base; with identical inputs it is exactly [0, 0]. Proportions (h a hit
    indicator) and means (h a downtime, t = 1 where the service went down) go through the same
    formula.
    """
    h_var, t_var = np.asarray(h_var, float), np.asarray(t_var, float)
    h_base, t_base = np.asarray(h_base, float), np.asarray(t_base, float)
    n = h_var.size
    if n == 0 or t_var.sum() <= 0 or t_base.sum() <= 0:
        return None
    p_var, p_base = h_var.sum() / t_var.sum(), h_base.sum() / t_base.sum()
    delta = p_var - p_base
    d = (h_var - p_var * t_var) / t_var.mean() - (h_base - p_base * t_base) / t_base.mean()
    se = math.sqrt(float(d @ d) / (n * (n - 1))) if n > 1 else math.inf
    diff = h_var / np.where(t_var > 0, t_var, 1) - h_base / np.where(t_base > 0, t_base, 1)
    higher, lower = int((diff > 1e-12).sum()), int((diff < -1e-12).sum())
    # Hit indicators of a duty that fell due in the same replications in both plans: the paired
    # differences are -1/0/+1 and the normal interval is too narrow when only a handful of
    # replications differ. Widen it by the continuity correction 1/T (T: replications where it
    # fell due), which makes "excludes 0" agree with McNemar's exact test at small counts
    # (5 of 5 discordant replications in one direction: not a change; 6 of 6: a change).
    # No correction when no replication differs: the interval is then exactly [0, 0].
    cc = 0.0
    if (
        (higher or lower)
        and np.array_equal(t_var, t_base)
        and _is01(t_var)
        and _is01(h_var)
        and _is01(h_base)
    ):
        cc = 1.0 / t_var.sum()
    lo, hi = delta - z * se - cc, delta + z * se + cc
    return {
        "delta": delta,
        "lo": lo,
        "hi": hi,
        "se": se,
        "var": p_var,
        "base": p_base,
        "higher": higher,
        "lower": lower,
        "continuity": cc,
    }


def _is01(x: np.ndarray) -> bool:
    return bool(np.all((x == 0) | (x == 1)))
