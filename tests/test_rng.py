"""The keyed draws (simulator/rng.py): counter-based, the same in numpy as in pure Python, and of
good quality — uniform, and independent between nearby keys and nearby seeds."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.random import SeedSequence

from drillsim.simulator.rng import Block, BlockSeed, Streams, key_id, mix, uniform_many
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


def test_a_block_gives_each_replication_the_draws_of_its_own_seed():
    """rng.Block (a batch's draws computed a key at a time over all its replications) changes
    what a draw costs, never what it is: keys computed when the block is made, keys computed when
    first drawn, and keys equal as dict keys all give Streams(Seed(entropy, (i,)))'s draws."""
    known = [("reaction", "ops_dept", "report_l1_ops", "main", 1), ("latency", "oa", 3)]
    block = Block(2**40 + 3, 500, 40, keys=known)
    assert set(block.columns) == set(known)
    later = [("work", "ops_dept", "x", "main", 2), ("misgrade", 7), ("x", 1)]
    for i in range(500, 540):
        seed = block.seed(i)
        assert isinstance(seed, BlockSeed) and seed.spawn_key == (i,)
        plain = Seed(2**40 + 3, (i,))
        assert seed.root64() == plain.root64() and seed.generate_state(4) == plain.generate_state(4)
        mine, theirs = Streams(seed), Streams(plain)
        for key in [*known, *later]:
            assert mine.uniform(*key) == theirs.uniform(*key), (i, key)
        assert mine.uniform("x", 1.0) == mine.uniform("x", True) == theirs.uniform("x", 1)
        assert mine.chance(0.5, "forget", i) == theirs.chance(0.5, "forget", i)
    assert set(later) <= set(block.columns)  # each computed once, for the whole block
    with pytest.raises(IndexError):
        block.seed(540)


def test_a_batch_in_a_block_logs_what_single_runs_log():
    """run_batch draws through a block (batches of 8 or more); every replication's full log is
    the one `run_plan` gives for its seed alone, byte for byte, in the first batch of a plan (keys
    computed when first drawn) and in the next (keys of the last batch computed at once)."""
    from drillsim.simulator.eventlog import dumps
    from drillsim.simulator.replications import _KEYS, plan_for, run_batch, seed_for
    from drillsim.simulator.runner import run_plan

    plan = plan_for("payment_outage")
    _KEYS.pop(("payment_outage", ()), None)
    for start in (0, 10):
        batch = run_batch("payment_outage", (), 4, start, 10, keep_events=True)
        assert batch.logs is not None
        assert len(_KEYS[("payment_outage", ())]) > 50  # what the next batch computes at once
        for k, log in enumerate(batch.logs):
            alone = run_plan(plan, seed=seed_for(4, start + k)).events
            assert [dumps(e) for e in log] == [dumps(e) for e in alone]
