"""The keyed draws (simulator/rng.py): counter-based, the same in numpy as in pure Python, and of
good quality — uniform, and independent between nearby keys and nearby seeds."""

from __future__ import annotations

import numpy as np
from numpy.random import SeedSequence

from drillsim.simulator.rng import Streams, key_id, mix, uniform_many
from drillsim.simulator.seeds import Seed, roots

N = 100_000


def _chi2(u: np.ndarray, bins: int = 100) -> float:
    counts = np.bincount((u * bins).astype(int), minlength=bins)
    expected = len(u) / bins
    return float(((counts - expected) ** 2 / expected).sum())


def _uniform_ok(u: np.ndarray):
    assert u.min() > 0 and u.max() < 1
    # 99 degrees of freedom: mean 99, sd 14; the bounds are 5 sd off
    assert 30 < _chi2(u) < 170
    assert abs(u.mean() - 0.5) < 5 * (1 / 12) ** 0.5 / len(u) ** 0.5


def _independent(a: np.ndarray, b: np.ndarray):
    assert abs(np.corrcoef(a, b)[0, 1]) < 5 / len(a) ** 0.5
    # and jointly uniform: a 10 x 10 grid of the pairs (99 degrees of freedom)
    cells = (a * 10).astype(int) * 10 + (b * 10).astype(int)
    assert 30 < _chi2((cells + 0.5) / 100) < 170


def test_a_draw_depends_on_its_key_and_seed_only():
    s = Streams(7)
    first = s.uniform("reaction", "duty_supervisor", "verify", "main", 1)
    for k in range(50):  # other draws in between change nothing
        s.uniform("work", k)
    assert s.uniform("reaction", "duty_supervisor", "verify", "main", 1) == first
    assert Streams(7).uniform("reaction", "duty_supervisor", "verify", "main", 1) == first
    assert Streams(8).uniform("reaction", "duty_supervisor", "verify", "main", 1) != first
    assert s.uniform("reaction", "duty_supervisor", "verify", "main", 2) != first
    # keys equal as dict keys give the same draw whichever was met first
    assert s.uniform("x", 1) == s.uniform("x", 1.0) == s.uniform("x", True)
    assert key_id(("x", 2)) == int.from_bytes(
        __import__("hashlib").blake2b(b"x|2", digest_size=8).digest(), "little"
    )


def test_numpy_draws_are_the_engines_bit_for_bit():
    for entropy in (0, 1, 42, 2**40 + 3):
        r = roots(entropy, 1000, 3000)
        for i in range(0, 3000, 173):
            seed = Seed(entropy, (1000 + i,))
            assert int(r[i]) == seed.root64()
            assert seed.root64() == int(
                SeedSequence(entropy, spawn_key=(1000 + i,)).generate_state(1, np.uint64)[0]
            )
        for key in (("reaction", "ops_dept", "report_l1_ops", "main", 1), ("latency", "oa", 3)):
            many = uniform_many(r, *key)
            for i in range(0, 3000, 173):
                assert many[i] == Streams(Seed(entropy, (1000 + i,))).uniform(*key)
                assert many[i] == mix(int(r[i]), key_id(key))


def test_uniform_over_seeds_and_over_keys():
    r = roots(1, 0, N)
    _uniform_ok(uniform_many(r, "reaction", "duty_supervisor", "verify", "main", 1))
    s = Streams(1)
    _uniform_ok(np.array([s.uniform("work", "r", i) for i in range(N)]))


def test_nearby_seeds_and_nearby_keys_are_independent():
    r = roots(3, 0, N + 1)
    u = uniform_many(r, "latency", "phone", "a", "b", "main", 1)
    _independent(u[:-1], u[1:])  # replication i and i+1, same key
    v = uniform_many(r, "latency", "phone", "a", "b", "main", 2)
    _independent(u, v)  # the same replication, the next attempt
    w = uniform_many(r, "work", "phone", "a", "b", "main", 1)
    _independent(u, w)  # the same replication, a key differing in its first word
    # entropy s and s+1 for the same replication and key
    _independent(
        uniform_many(roots(10, 0, N), "k"),
        uniform_many(roots(11, 0, N), "k"),
    )
    s = Streams(5)
    keys = np.array([s.uniform("misgrade", i) for i in range(N + 1)])
    _independent(keys[:-1], keys[1:])  # the same seed, consecutive counters in the key
