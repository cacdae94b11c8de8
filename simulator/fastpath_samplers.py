"""The fast path's samplers: the engine's inverse CDFs (rng.sampler) over numpy arrays of draws,
so that replication i of the fast path gets the minutes replication i of the engine gets.

Each polynomial is evaluated in place (Horner's rule, one array for the running value): the same
floating-point operations, in the same order, as the expressions they stand for, so the same
bits, without a new array for every step."""

from __future__ import annotations

import math

import numpy as np

# statistics.NormalDist().inv_cdf's coefficients (Wichura's AS241), highest power first
_CENTRAL_NUM = (
    2.5090809287301226727e3,
    3.3430575583588128105e4,
    6.7265770927008700853e4,
    4.5921953931549871457e4,
    1.3731693765509461125e4,
    1.9715909503065514427e3,
    1.3314166789178437745e2,
    3.3871328727963666080e0,
)
_CENTRAL_DEN = (
    5.2264952788528545610e3,
    2.8729085735721942674e4,
    3.9307895800092710610e4,
    2.1213794301586595867e4,
    5.3941960214247511077e3,
    6.8718700749205790830e2,
    4.2313330701600911252e1,
    1.0,
)
_NEAR_NUM = (
    7.74545014278341407640e-4,
    2.27238449892691845833e-2,
    2.41780725177450611770e-1,
    1.27045825245236838258e0,
    3.64784832476320460504e0,
    5.76949722146069140550e0,
    4.63033784615654529590e0,
    1.42343711074968357734e0,
)
_NEAR_DEN = (
    1.05075007164441684324e-9,
    5.47593808499534494600e-4,
    1.51986665636164571966e-2,
    1.48103976427480074590e-1,
    6.89767334985100004550e-1,
    1.67638483018380384940e0,
    2.05319162663775882187e0,
    1.0,
)
_FAR_NUM = (
    2.01033439929228813265e-7,
    2.71155556874348757815e-5,
    1.24266094738807843860e-3,
    2.65321895265761230930e-2,
    2.96560571828504891230e-1,
    1.78482653991729133580e0,
    5.46378491116411436990e0,
    6.65790464350110377720e0,
)
_FAR_DEN = (
    2.04426310338993978564e-15,
    1.42151175831644588870e-7,
    1.84631831751005468180e-5,
    7.86869131145613259100e-4,
    1.48753612908506148525e-2,
    1.36929880922735805310e-1,
    5.99832206555887937690e-1,
    1.0,
)


def _horner(x: np.ndarray, coeffs: tuple) -> np.ndarray:
    """((c0 * x + c1) * x + c2) * x + … over an array, in one new array."""
    out = x * coeffs[0]
    out += coeffs[1]
    for c in coeffs[2:]:
        out *= x
        out += c
    return out


def _ratio(x: np.ndarray, num: tuple, den: tuple) -> np.ndarray:
    out = _horner(x, num)
    out /= _horner(x, den)
    return out


def _inv_normal(p: np.ndarray) -> np.ndarray:
    """statistics.NormalDist().inv_cdf over an array (Wichura's AS241, as CPython computes it).
    The central formula is computed for every draw (most are central) and the tails' over
    theirs, written over it."""
    q = p - 0.5
    r = q * q
    np.subtract(0.180625, r, out=r)
    out = _horner(r, _CENTRAL_NUM)
    out *= q  # q * num / den
    out /= _horner(r, _CENTRAL_DEN)
    tail = np.flatnonzero(~(np.abs(q) <= 0.425))
    if len(tail):
        qt = q[tail]
        pt = p[tail]
        rt = np.where(qt <= 0.0, pt, 1.0 - pt)
        rt = np.sqrt(-np.log(rt))
        near = rt <= 5.0
        x = np.empty_like(rt)
        x[near] = _ratio(rt[near] - 1.6, _NEAR_NUM, _NEAR_DEN)
        far = ~near
        if far.any():
            x[far] = _ratio(rt[far] - 5.0, _FAR_NUM, _FAR_DEN)
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

        def lognormal(u):
            x = _inv_normal(u)
            x *= sigma  # exp(mu + sigma * x), in place
            x += mu
            return np.exp(x, out=x)

        return lognormal
    if dist.dist == "exponential":
        mean = dist.mean
        return lambda u: -mean * np.log(1.0 - u)
    raise ValueError(f"unknown distribution {dist.dist}")
