"""A run's seed: numpy's `SeedSequence` (entropy, spawn_key) in pure Python.

A headless run needs only the 128-bit root that `SeedSequence(entropy, spawn_key=…)
.generate_state(4)` gives (simulator/rng.py keys every draw with it). Importing numpy for that
costs about 0.15 s of a `drillsim run`, so the root is computed here by the same algorithm
(numpy/random/bit_generator.pyx: O'Neill's seed_seq hash mixing, pool of 4 words); the tests
compare it with numpy's for many seeds, so logs stay byte-identical. A numpy `SeedSequence`
passed in is read by its `entropy` and `spawn_key`.
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
    data = run + spawn
    const = _INIT_A

    def hashmix(value: int) -> int:
        nonlocal const
        value ^= const
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
        pool = _pool(self.entropy, self.spawn_key)
        const = _INIT_B
        out = []
        for i in range(n_words):
            value = pool[i % _POOL] ^ const
            const = (const * _MULT_B) & _MASK
            value = (value * const) & _MASK
            out.append(value ^ (value >> 16))
        return out

    def root(self) -> bytes:
        """The 128-bit root of the run's keyed draws (= numpy's generate_state(4).tobytes())."""
        return b"".join(w.to_bytes(4, "little") for w in self.generate_state(4))


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
