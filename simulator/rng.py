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

In blocks, for a batch of replications (`Block`, what `replications.run_batch` uses): the batch's
roots come from `seeds.roots` at once, and the draws of a set of keys for every replication of the
batch are computed together over numpy arrays (at the start, the keys the plan's previous batch
drew; later, keys met since); a replication's draw is then a look-up. The mixer on Python ints
costs about 6,000 CPU instructions a draw, the look-up a few hundred and the block about 200 per
key and replication. The numbers are the same either way (tested): blocks change what a draw
costs, never what it is.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from statistics import NormalDist
from typing import TYPE_CHECKING

from .seeds import Seed, as_seed
from .seeds import roots as batch_roots

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

    return _mixed(roots ^ np.uint64(key_id(key)))  # a new array: `roots` is left as it was


def _mixed(z: np.ndarray) -> np.ndarray:
    """`mix`'s finaliser over a uint64 array of root XOR id (changed in place), as floats in
    (0, 1)."""
    import numpy as np

    s30, s27, s31, s11, c1, c2 = _consts()
    t = np.empty_like(z)  # each shift into one spare array: no new array a step
    z ^= np.right_shift(z, s30, out=t)
    z *= c1  # uint64 arrays wrap: the & _M64 of `mix`
    z ^= np.right_shift(z, s27, out=t)
    z *= c2
    z ^= np.right_shift(z, s31, out=t)
    z >>= s11
    out = z.astype(np.float64)
    out += 0.5
    out *= _UNIT
    return out


_CONSTS: tuple = ()


def _consts() -> tuple:
    """The mixer's shifts and multipliers as numpy uint64 (made once: numpy is imported late)."""
    global _CONSTS
    if not _CONSTS:
        import numpy as np

        _CONSTS = tuple(np.uint64(x) for x in (30, 27, 31, 11, _C1, _C2))
    return _CONSTS


class Block:
    """The keyed draws of replications start … start+count-1 of one entropy (a batch), computed
    a set of keys at a time for all of them: `columns[key][k]` is replication start+k's draw.

    `keys`: keys to compute when the block is made (those a previous batch of the same plan
    drew). A key drawn that is not computed yet is drawn alone (`mix`) and noted; the keys noted
    are computed together when the next replication starts, once there are a few of them or
    every 16 replications (a numpy pass costs about what a dozen single draws cost, however
    many keys it computes)."""

    def __init__(self, entropy: int, start: int, count: int, keys=()):
        self.entropy, self.start, self.count = int(entropy), int(start), int(count)
        self.roots = batch_roots(self.entropy, self.start, self.count)
        self._roots = self.roots.tolist()
        self.columns: dict[tuple, list[float]] = {}
        self.pending: set[tuple] = set()
        keys = list(keys)
        if keys:
            self._fill(keys)

    def _fill(self, keys: list[tuple]):
        import numpy as np

        ids = np.fromiter((key_id(k) for k in keys), dtype=np.uint64, count=len(keys))
        table = _mixed(ids[:, None] ^ self.roots[None, :]).tolist()  # a row per key
        self.columns.update(zip(keys, table))

    def seed(self, i: int) -> BlockSeed:
        """The seed of replication i (start <= i < start+count): `Seed(entropy, (i,))`, which a
        `Streams` draws from through this block."""
        k = i - self.start
        if not 0 <= k < self.count:
            raise IndexError(f"replication {i} is not in {self.start}..{self.start + self.count}")
        pending = self.pending
        if pending and (len(pending) >= 4 or k % 16 == 0):
            self._fill(list(pending))
            pending.clear()
        seed = object.__new__(BlockSeed)  # frozen: filled in directly (a dataclass init is slow)
        seed.__dict__.update(
            entropy=self.entropy, spawn_key=(i,), root_64=self._roots[k], block=self, k=k
        )
        return seed


class BlockSeed(Seed):
    """Replication `block.start + k`'s seed, equal to `Seed(entropy, (i,))` in what it gives: its
    root computed with the block's, its draws looked up in the block's columns."""

    root_64: int
    block: Block
    k: int

    def root64(self) -> int:
        return self.root_64


_NO_COLUMNS: dict[tuple, list[float]] = {}  # never written: a Streams outside any block


class Streams:
    __slots__ = ("_root", "_columns", "_k", "_block")

    def __init__(self, seed):
        """`seed`: an int, a seeds.Seed (a BlockSeed draws through its block) or a numpy
        SeedSequence."""
        seed = as_seed(seed)
        self._root = seed.root64()
        if isinstance(seed, BlockSeed):
            self._block: Block | None = seed.block
            self._columns, self._k = seed.block.columns, seed.k
        else:
            self._block, self._columns, self._k = None, _NO_COLUMNS, 0

    def uniform(self, *key) -> float:
        """A draw in (0, 1) for this key (in a block, a look-up; else `mix` inlined)."""
        column = self._columns.get(key)
        if column is not None:
            return column[self._k]
        if self._block is not None:
            self._block.pending.add(key)
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
