"""Randomness by named stream.

Every draw is keyed by the element it belongs to (`"latency", channel, sender, recipient,
incident, attempt` …) and derived from the run's seed: the run's `SeedSequence` gives a
128-bit root (computed without numpy: simulator/seeds.py), and each draw is a keyed hash of
that root. A draw therefore depends only on its key, never on how many other draws came
before it, so a plan variant gets exactly the same draws for the same elements (common random
numbers) even when it reorders events.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from statistics import NormalDist

from .model import Distribution, Exponential, Fixed, LogNormal, Triangular, Uniform
from .seeds import as_seed

_Z90 = NormalDist().inv_cdf(0.9)
_inv_normal = NormalDist().inv_cdf
_blake2b = hashlib.blake2b


class Streams:
    def __init__(self, seed):
        """`seed`: an int, a seeds.Seed or a numpy SeedSequence."""
        self._root = as_seed(seed).root()

    def uniform(self, *key) -> float:
        """A draw in (0, 1) for this key."""
        digest = _blake2b("|".join(map(str, key)).encode(), key=self._root, digest_size=8).digest()
        return ((int.from_bytes(digest, "little") >> 11) + 0.5) / 9007199254740992.0

    def chance(self, p: float, *key) -> bool:
        return p > 0 and self.uniform(*key) < p


def sampler(dist: Distribution) -> Callable[[float], float]:
    """Inverse CDF of `dist`: maps a uniform draw to minutes, monotone in the draw."""
    if isinstance(dist, Fixed):
        value = dist.value
        return lambda u: value
    if isinstance(dist, Uniform):
        low, span = dist.low, dist.high - dist.low
        return lambda u: low + span * u
    if isinstance(dist, Triangular):
        a, c, b = dist.low, dist.mode, dist.high
        if b == a:
            return lambda u: a
        cut = (c - a) / (b - a)
        return lambda u: (
            a + math.sqrt(u * (b - a) * (c - a))
            if u < cut
            else b - math.sqrt((1 - u) * (b - a) * (b - c))
        )
    if isinstance(dist, LogNormal):
        mu, sigma = math.log(dist.median), math.log(dist.p90 / dist.median) / _Z90
        return lambda u: math.exp(mu + sigma * _inv_normal(u))
    if isinstance(dist, Exponential):
        mean = dist.mean
        return lambda u: -mean * math.log(1.0 - u)
    raise ValueError(f"unknown distribution {dist.dist}")
