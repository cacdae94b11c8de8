"""The fast path's samplers: the engine's inverse CDFs (rng.sampler) over numpy arrays of draws,
so that replication i of the fast path gets the minutes replication i of the engine gets."""

from __future__ import annotations

import math

import numpy as np


def _inv_normal(p: np.ndarray) -> np.ndarray:
    """statistics.NormalDist().inv_cdf over an array (Wichura's AS241, as CPython computes it)."""
    q = p - 0.5
    out = np.empty_like(p)
    central = np.abs(q) <= 0.425
    if central.any():
        qc = q[central]
        r = 0.180625 - qc * qc
        num = (
            (
                (
                    (
                        (
                            (2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r
                            + 6.7265770927008700853e4
                        )
                        * r
                        + 4.5921953931549871457e4
                    )
                    * r
                    + 1.3731693765509461125e4
                )
                * r
                + 1.9715909503065514427e3
            )
            * r
            + 1.3314166789178437745e2
        ) * r + 3.3871328727963666080e0
        den = (
            (
                (
                    (
                        (
                            (5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r
                            + 3.9307895800092710610e4
                        )
                        * r
                        + 2.1213794301586595867e4
                    )
                    * r
                    + 5.3941960214247511077e3
                )
                * r
                + 6.8718700749205790830e2
            )
            * r
            + 4.2313330701600911252e1
        ) * r + 1.0
        out[central] = qc * num / den
    tail = ~central
    if tail.any():
        qt = q[tail]
        pt = p[tail]
        r = np.where(qt <= 0.0, pt, 1.0 - pt)
        r = np.sqrt(-np.log(r))
        near = r <= 5.0
        x = np.empty_like(r)
        rn = r[near] - 1.6
        x[near] = (
            (
                (
                    (
                        (
                            (
                                (7.74545014278341407640e-4 * rn + 2.27238449892691845833e-2) * rn
                                + 2.41780725177450611770e-1
                            )
                            * rn
                            + 1.27045825245236838258e0
                        )
                        * rn
                        + 3.64784832476320460504e0
                    )
                    * rn
                    + 5.76949722146069140550e0
                )
                * rn
                + 4.63033784615654529590e0
            )
            * rn
            + 1.42343711074968357734e0
        ) / (
            (
                (
                    (
                        (
                            (
                                (1.05075007164441684324e-9 * rn + 5.47593808499534494600e-4) * rn
                                + 1.51986665636164571966e-2
                            )
                            * rn
                            + 1.48103976427480074590e-1
                        )
                        * rn
                        + 6.89767334985100004550e-1
                    )
                    * rn
                    + 1.67638483018380384940e0
                )
                * rn
                + 2.05319162663775882187e0
            )
            * rn
            + 1.0
        )
        rf = r[~near] - 5.0
        x[~near] = (
            (
                (
                    (
                        (
                            (
                                (2.01033439929228813265e-7 * rf + 2.71155556874348757815e-5) * rf
                                + 1.24266094738807843860e-3
                            )
                            * rf
                            + 2.65321895265761230930e-2
                        )
                        * rf
                        + 2.96560571828504891230e-1
                    )
                    * rf
                    + 1.78482653991729133580e0
                )
                * rf
                + 5.46378491116411436990e0
            )
            * rf
            + 6.65790464350110377720e0
        ) / (
            (
                (
                    (
                        (
                            (
                                (2.04426310338993978564e-15 * rf + 1.42151175831644588870e-7) * rf
                                + 1.84631831751005468180e-5
                            )
                            * rf
                            + 7.86869131145613259100e-4
                        )
                        * rf
                        + 1.48753612908506148525e-2
                    )
                    * rf
                    + 1.36929880922735805310e-1
                )
                * rf
                + 5.99832206555887937690e-1
            )
            * rf
            + 1.0
        )
        out[tail] = np.where(qt < 0.0, -x, x)
    return out


def array_sampler(dist):
    """rng.sampler over arrays: uniform draws to minutes by the same inverse CDF."""
    # by the discriminator: a validated model and its record (records.py) both have it
    if dist.dist == "fixed":
        value = dist.value
        return lambda u: np.full_like(u, value)
    if dist.dist == "uniform":
        low, span = dist.low, dist.high - dist.low
        return lambda u: low + span * u
    if dist.dist == "triangular":
        a, c, b = dist.low, dist.mode, dist.high
        if b == a:
            return lambda u: np.full_like(u, a)
        cut = (c - a) / (b - a)
        return lambda u: np.where(
            u < cut,
            a + np.sqrt(u * (b - a) * (c - a)),
            b - np.sqrt(np.maximum(0.0, (1 - u) * (b - a) * (b - c))),
        )
    if dist.dist == "lognormal":
        mu = math.log(dist.median)
        sigma = math.log(dist.p90 / dist.median) / 1.2815515655446004
        return lambda u: np.exp(mu + sigma * _inv_normal(u))
    if dist.dist == "exponential":
        mean = dist.mean
        return lambda u: -mean * np.log(1.0 - u)
    raise ValueError(f"unknown distribution {dist.dist}")
