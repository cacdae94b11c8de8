"""stamp(x) is round(x, 6) to the last bit: the log's times must not change with it."""

import random

from drillsim.simulator.stamps import stamp


def _same(x: float) -> None:
    got, want = stamp(x), round(x, 6)
    assert repr(got) == repr(want), (x, got, want)  # repr: -0.0 and 0.0 differ


def test_random_minutes() -> None:
    rng = random.Random(15)
    for _ in range(100_000):
        _same(rng.uniform(0, 2000))
        _same(rng.uniform(-5, 5))


def test_halves_and_edges() -> None:
    # exact halves of the sixth decimal (ties), their neighbours, zero's signs, huge and odd values
    for k in range(0, 200_000, 7):
        for x in (k * 0.5e-6, k * 0.5e-6 + 1e-12, -k * 0.5e-6, k / 1e6 + 5e-7):
            _same(x)
    for x in (0.0, -0.0, 1e-7, -1e-7, -3e-7, 2.5e-6, 123456.0000005, 1e7 + 0.5e-6, 1e12, 1e300):
        _same(x)
    assert stamp(float("inf")) == float("inf")
    assert stamp(float("nan")) != stamp(float("nan"))  # NaN stays NaN
