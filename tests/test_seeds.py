"""simulator.seeds computes numpy's SeedSequence state without numpy: the same words exactly."""

from __future__ import annotations

import random

import pytest
from numpy.random import SeedSequence

from drillsim.simulator.replications import seed_for
from drillsim.simulator.rng import Streams
from drillsim.simulator.seeds import Seed, as_seed


def test_the_same_state_as_numpy_for_many_seeds():
    r = random.Random(3)
    cases = [(0, ()), (1, ()), (1, (0,)), (2**32, (5,)), (2**128 - 1, (1, 2, 3))]
    for _ in range(500):
        entropy = r.choice([0, 1, 7, 2**32 - 1, 2**32, 2**64 + 3, r.getrandbits(r.randint(1, 160))])
        key = tuple(r.getrandbits(r.choice([1, 8, 32, 33, 70])) for _ in range(r.randint(0, 3)))
        cases.append((entropy, key))
    for entropy, key in cases:
        want = SeedSequence(entropy, spawn_key=key).generate_state(6).tolist()
        assert Seed(entropy, key).generate_state(6) == want, (entropy, key)


def test_replication_seeds_are_numpy_spawned_children():
    children = SeedSequence(42).spawn(30)
    for i, child in enumerate(children):
        assert seed_for(42, i).root() == child.generate_state(4).tobytes()
        # a numpy SeedSequence given instead keys the same draws
        assert Streams(child).uniform("x", 1) == Streams(seed_for(42, i)).uniform("x", 1)
    assert Streams(5).uniform("a") == Streams(SeedSequence(5)).uniform("a")


def test_bad_seeds_are_refused():
    with pytest.raises(ValueError):
        Seed(-1).root()
    with pytest.raises(TypeError):
        as_seed("7")
