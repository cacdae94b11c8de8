"""A run's seed: numpy's `SeedSequence` (entropy, spawn_key) in pure Python.

A headless run needs only the 64-bit root that `SeedSequence(entropy, spawn_key=…)
.generate_state(2)` gives (simulator/rng.py keys every draw with it). Importing numpy for that
costs about 0.15 s of a `drillsim run`, so the root is computed here by the same algorithm
(numpy/random/bit_generator.pyx: O'Neill's seed_seq hash mixing, pool of 4 words); the tests
compare it with numpy's for many seeds, so logs stay byte-identical. A numpy `SeedSequence`
passed in is read by its `entropy` and `spawn_key`. `roots` computes the same roots for a whole
range of replications at once over numpy arrays (the vectorised evaluator's seeds).
"""

from __future__ import annotations

from dataclasses import dataclass

_MASK = 0xFFFFFFFF
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_POOL = 4


def _words(n) -> list[int]:
    """An int (or a sequence of ints) as little-endian 32-bit words, as numpy coerces them."""
    if isinstance(n, int):
        if n < 0:
            raise ValueError("seeds must be non-negative")
        if n == 0:
            return [0]
        out = []
        while n:
            out.append(n & _MASK)
            n >>= 32
        return out
    return [w for item in n for w in _words(int(item))]


def _pool(entropy: int, spawn_key: tuple) -> list[int]:
    run = _words(entropy)
    spawn = _words(spawn_key)
    if spawn and len(run) < _POOL:
        run = run + [0] * (_POOL - len(run))
    return _mix_pool(run + spawn)


def _mix_pool(data: list) -> list:
    """The pool of 4 words from the entropy's words. Each word is an int or a numpy uint64 array
    of words below 2**32 (one per replication): the arithmetic below, masked to 32 bits, is the
    same for both."""
    const = _INIT_A

    def hashmix(value: int) -> int:
        nonlocal const
        value = value ^ const  # not ^=: an array would change in place
        const = (const * _MULT_A) & _MASK
        value = (value * const) & _MASK
        return value ^ (value >> 16)

    def mix(x: int, y: int) -> int:
        r = (_MIX_L * x - _MIX_R * y) & _MASK
        return r ^ (r >> 16)

    pool = [hashmix(data[i] if i < len(data) else 0) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, len(data)):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(data[src]))
    return pool


@dataclass(frozen=True)
class Seed:
    """The seed of one run: `SeedSequence(entropy, spawn_key=spawn_key)` without numpy."""

    entropy: int
    spawn_key: tuple[int, ...] = ()

    def generate_state(self, n_words: int) -> list[int]:
        return _state(_pool(self.entropy, self.spawn_key), n_words)

    def root64(self) -> int:
        """The 64-bit root of the run's keyed draws (= numpy's generate_state(1, np.uint64))."""
        lo, hi = self.generate_state(2)
        return lo | hi << 32

    def root(self) -> bytes:
        """The 128-bit root of the run's keyed draws (= numpy's generate_state(4).tobytes())."""
        return b"".join(w.to_bytes(4, "little") for w in self.generate_state(4))


def _state(pool: list, n_words: int) -> list:
    const = _INIT_B
    out = []
    for i in range(n_words):
        value = pool[i % _POOL] ^ const
        const = (const * _MULT_B) & _MASK
        value = (value * const) & _MASK
        out.append(value ^ (value >> 16))
    return out


def roots(entropy: int, start: int, count: int):
    """The 64-bit roots (`Seed(entropy, (i,)).root64()`) of replications start … start+count-1,
    as a numpy uint64 array, computed for all of them at once."""
    import numpy as np

    if start < 0 or start + count > 2**32:  # a spawn key of one 32-bit word, as below
        raise ValueError("replication numbers run from 0 to 2**32 - 1")
    run = _words(entropy)
    run = run + [0] * (_POOL - len(run))
    spawn = np.arange(start, start + count, dtype=np.uint64)
    lo, hi = _state(_mix_pool([*run, spawn]), 2)  # the entropy's words stay Python ints
    return lo | (hi << np.uint64(32))


def as_seed(seed) -> Seed:
    """An int, a Seed, or a numpy SeedSequence (read by its entropy and spawn_key) as a Seed."""
    if isinstance(seed, Seed):
        return seed
    if isinstance(seed, int):
        return Seed(int(seed))
    entropy = getattr(seed, "entropy", None)
    if not isinstance(entropy, int):
        raise TypeError(f"a seed is an int or a SeedSequence with an int entropy, not {seed!r}")
    return Seed(entropy, tuple(int(k) for k in getattr(seed, "spawn_key", ())))
