"""Randomness by named stream.

Every draw is keyed by the element it belongs to (`"latency", channel, sender, recipient,
incident, attempt` …) and derived from the run's seed, counter-based: a draw depends only on its
key and the seed, never on how many other draws came before it, so a plan variant gets exactly
the same draws for the same elements (common random numbers) even when it reorders events.

How, cheaply: the run's `SeedSequence` gives a 64-bit root (its first two state words, computed
without numpy: simulator/seeds.py); each distinct key is hashed once per process to a 64-bit id
(BLAKE2b of its text: stable across processes and Python hash seeds, unlike `hash()`); a draw
is splitmix64's finaliser applied to root XOR id, its top 53 bits as a float in (0, 1). That is a
few integer operations per draw in pure Python (a keyed BLAKE2b per draw cost ~15,000 CPU
instructions), and the same function over numpy uint64 arrays of roots (`uniform_many`) gives
the vectorised evaluator (simulator/fastpath.py) exactly the engine's draws, replication by
replication. tests/test_rng.py checks the mixer's uniformity and the independence of nearby keys
and seeds.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from statistics import NormalDist
from typing import TYPE_CHECKING

from .seeds import as_seed

if TYPE_CHECKING:
    import numpy as np

    from .model import Distribution

_Z90 = NormalDist().inv_cdf(0.9)
_inv_normal = NormalDist().inv_cdf
_M64 = 0xFFFFFFFFFFFFFFFF
_C1, _C2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB  # splitmix64's finaliser (Stafford's mix13)
_UNIT = 2.0**-53

# key -> its 64-bit id, per process. Keys are made of a plan's names and small counters, so the
# distinct keys of a plan are bounded; the cap only guards callers that key by replication.
_IDS: dict[tuple, int] = {}
_IDS_CAP = 1 << 18


def _text(part) -> str:
    # Keys equal as dict keys (1, 1.0, True) must get the same id whichever is met first.
    if isinstance(part, bool) or (isinstance(part, float) and part.is_integer()):
        return str(int(part))
    return str(part)


def key_id(key: tuple) -> int:
    """The 64-bit id of a draw's key: the same in every process and every Python."""
    kid = _IDS.get(key)
    if kid is None:
        text = "|".join(map(_text, key)).encode()
        kid = int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")
        if len(_IDS) >= _IDS_CAP:
            _IDS.clear()
        _IDS[key] = kid
    return kid


def mix(root: int, kid: int) -> float:
    """The draw in (0, 1) of the key with id `kid` in the run with 64-bit root `root`."""
    z = root ^ kid
    z = ((z ^ (z >> 30)) * _C1) & _M64
    z = ((z ^ (z >> 27)) * _C2) & _M64
    return (((z ^ (z >> 31)) >> 11) + 0.5) * _UNIT


def uniform_many(roots: np.ndarray, *key) -> np.ndarray:
    """`mix` over a uint64 array of replications' roots: each replication's draw for this key,
    bit for bit the float `Streams(seed).uniform(*key)` gives."""
    import numpy as np

    z = roots ^ np.uint64(key_id(key))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_C1)  # uint64 arrays wrap: the & _M64 above
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_C2)
    z = (z ^ (z >> np.uint64(31))) >> np.uint64(11)
    return (z.astype(np.float64) + 0.5) * _UNIT


class Streams:
    __slots__ = ("_root",)

    def __init__(self, seed):
        """`seed`: an int, a seeds.Seed or a numpy SeedSequence."""
        self._root = as_seed(seed).root64()

    def uniform(self, *key) -> float:
        """A draw in (0, 1) for this key (`mix` inlined: 92 draws a replication)."""
        kid = _IDS.get(key)
        if kid is None:
            kid = key_id(key)
        z = self._root ^ kid
        z = ((z ^ (z >> 30)) * _C1) & _M64
        z = ((z ^ (z >> 27)) * _C2) & _M64
        return (((z ^ (z >> 31)) >> 11) + 0.5) * _UNIT

    def chance(self, p: float, *key) -> bool:
        return p > 0 and self.uniform(*key) < p


def sampler(dist: Distribution) -> Callable[[float], float]:
    """Inverse CDF of `dist`: maps a uniform draw to minutes, monotone in the draw."""
    # by the discriminator: a validated model and its record (records.py) both have it
    if dist.dist == "fixed":
        value = dist.value
        return lambda u: value
    if dist.dist == "uniform":
        low, span = dist.low, dist.high - dist.low
        return lambda u: low + span * u
    if dist.dist == "triangular":
        a, c, b = dist.low, dist.mode, dist.high
        if b == a:
            return lambda u: a
        cut = (c - a) / (b - a)
        return lambda u: (
            a + math.sqrt(u * (b - a) * (c - a))
            if u < cut
            else b - math.sqrt((1 - u) * (b - a) * (b - c))
        )
    if dist.dist == "lognormal":
        mu, sigma = math.log(dist.median), math.log(dist.p90 / dist.median) / _Z90
        return lambda u: math.exp(mu + sigma * _inv_normal(u))
    if dist.dist == "exponential":
        mean = dist.mean
        return lambda u: -mean * math.log(1.0 - u)
    raise ValueError(f"unknown distribution {dist.dist}")
