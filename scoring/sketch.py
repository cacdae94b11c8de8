"""Distributions of times over replications: kept exactly, or, beyond EXACT_MAX replications, in a
fixed-memory summary whose quantiles are within a stated relative error.

`Exact` keeps every value (float32 pieces, scoring.tally.Chunks) and answers with the functions
of scoring/stats.py on the whole array: what Monte Carlo has always reported. `Sketch` keeps
counts in logarithmic buckets (as DDSketch does): a value x > 0 falls in bucket
k = ceil(log(x) / log(GAMMA)) and is read back as 2 GAMMA^k / (GAMMA + 1), which is within
ALPHA = 1e-4 of x relatively (0.01%: 0.01 minutes at 100 minutes); negative values likewise by
their magnitude, |x| < TINY as 0. Its memory depends on the range of the values, not on how many
there are (at most about 0.9 MB for values from 1e-6 to 1e4 minutes), the counts are integers
(the same whatever the order the values come in) and two sketches merge by adding counts. Its
minimum, maximum, count and sum are exact (ExactSum), so its mean is the exact mean rounded once.

Quantiles are read as `stats.quantiles` reads them (linear between the two order statistics
around the rank, None among the never-done), each order statistic replaced by its bucket's
value clamped to the exact minimum and maximum: so each is within ALPHA relatively of the
exact one. Histograms put each bucket's count in the bin of its value: a value within ALPHA of a
bin edge may be counted in the neighbouring bin.
"""

from __future__ import annotations

import math

import numpy as np

from .stats import _f, describe, histogram, histogram_edges, quantiles

EXACT_MAX = 100_000  # replications up to which every time is kept (and results are exact)
ALPHA = 1e-4
GAMMA = (1 + ALPHA) / (1 - ALPHA)
_LOG_GAMMA = math.log(GAMMA)
TINY = 1e-9


class Chunks:
    """An array that grows batch by batch: its pieces, joined into one now and then (so a
    million replications are a few arrays, not thousands), and at the end."""

    __slots__ = ("pieces", "dtype")

    def __init__(self, dtype):
        self.pieces: list[np.ndarray] = []
        self.dtype = dtype

    def add(self, values: np.ndarray) -> None:
        if values.size:
            self.pieces.append(values)
            if len(self.pieces) > 32:
                self.pieces = [np.concatenate(self.pieces)]

    def array(self) -> np.ndarray:
        return np.concatenate(self.pieces) if self.pieces else np.zeros(0, self.dtype)

    @property
    def nbytes(self) -> int:
        return sum(p.nbytes for p in self.pieces)


class Exact(Chunks):
    """Every value, read back as float64 and summarised by scoring/stats.py."""

    __slots__ = ("_sorted",)

    def __init__(self, dtype):
        super().__init__(dtype)
        self._sorted: np.ndarray | None = None

    def add(self, values: np.ndarray) -> None:
        super().add(values)
        self._sorted = None

    def values(self) -> np.ndarray:
        return self.array().astype(np.float64)

    def sorted(self) -> np.ndarray:
        """values(), sorted once for the summary's quantiles and histogram."""
        if self._sorted is None:
            self._sorted = np.sort(self.values())
        return self._sorted

    @property
    def size(self) -> int:
        return sum(p.size for p in self.pieces)

    def quantiles(self, qs, never: int = 0, extra: tuple[float, int] = (0.0, 0)):
        if not extra[1]:
            return quantiles(self.sorted(), qs, never=never, presorted=True)
        values = np.concatenate([np.full(extra[1], extra[0]), self.values()])
        return quantiles(values, qs, never=never)

    def histogram(self) -> dict:
        return histogram(self.sorted(), presorted=True)

    def median(self, extra: tuple[float, int] = (0.0, 0)) -> float | None:
        """np.median of the values and `extra` (a value and how many times it is there)."""
        if not self.size + extra[1]:
            return None
        return float(np.median(np.concatenate([np.full(extra[1], extra[0]), self.values()])))

    def describe(self, never: int = 0) -> dict:
        return describe(self.values(), never)


class _Buckets:
    """Counts of bucket keys lo … lo + len(counts) - 1, grown as keys come."""

    __slots__ = ("lo", "counts")

    def __init__(self):
        self.lo = 0
        self.counts = np.zeros(0, np.int64)

    def add(self, keys: np.ndarray) -> None:
        if not keys.size:
            return
        kmin, kmax = int(keys.min()), int(keys.max())
        if not self.counts.size:
            self.lo, self.counts = kmin, np.zeros(kmax - kmin + 1, np.int64)
        elif kmin < self.lo or kmax >= self.lo + self.counts.size:
            lo = min(kmin, self.lo)
            grown = np.zeros(max(kmax, self.lo + self.counts.size - 1) - lo + 1, np.int64)
            grown[self.lo - lo : self.lo - lo + self.counts.size] = self.counts
            self.lo, self.counts = lo, grown
        self.counts += np.bincount(keys - self.lo, minlength=self.counts.size)


class ExactSum:
    """The exact sum of float64 values, as an integer count of 2**BASE: each value is its 53-bit
    mantissa times a power of two, summed per exponent in halves that cannot overflow int64. So
    the sum, and a mean from it, are the same however the values were cut into batches."""

    BASE = -1200  # below the smallest float64 exponent less the mantissa's bits

    def __init__(self):
        self.units = 0

    def add(self, values: np.ndarray) -> None:
        m, e = np.frexp(np.asarray(values, np.float64))
        if not e.size:
            return
        mant = (m * 2.0**53).astype(np.int64)  # exact: |m| < 1
        hi, lo = mant >> 26, mant & ((1 << 26) - 1)
        # summed per exponent: sorted by it and cut where it changes (np.unique would import
        # numpy.ma, about 41 M instructions a process)
        order = np.argsort(e)  # any order: the sums are exact integers
        e = e[order]
        starts = np.flatnonzero(np.concatenate(([True], e[1:] != e[:-1])))
        his = np.add.reduceat(hi[order], starts).tolist()
        los = np.add.reduceat(lo[order], starts).tolist()
        for exp, h, low in zip(e[starts].tolist(), his, los):
            self.units += ((h << 26) + low) << (exp - 53 - self.BASE)

    def value(self, divisor: int = 1) -> float:
        """The sum divided by divisor, rounded once."""
        from fractions import Fraction

        return float(Fraction(self.units, divisor << -self.BASE))


class Sketch:
    """Counts of values in logarithmic buckets (the module's docstring)."""

    def __init__(self, dtype=None):  # dtype: as Exact's (a sketch's counts have none)
        self.pos, self.neg = _Buckets(), _Buckets()
        self.zeros = 0
        self.size = 0
        self.total = ExactSum()
        self.lo, self.hi = math.inf, -math.inf

    def add(self, values: np.ndarray) -> None:
        values = np.asarray(values, np.float64)
        if not values.size:
            return
        self.size += values.size
        self.total.add(values)
        self.lo, self.hi = min(self.lo, float(values.min())), max(self.hi, float(values.max()))
        mag = np.abs(values)
        small = mag < TINY
        self.zeros += int(small.sum())
        keys = np.ceil(np.log(np.where(small, 1.0, mag)) / _LOG_GAMMA).astype(np.int64)
        self.pos.add(keys[(values > 0) & ~small])
        self.neg.add(keys[(values < 0) & ~small])

    def add_point(self, value: float, count: int) -> None:
        if count:
            self.add(np.full(count, float(value)))

    @property
    def nbytes(self) -> int:
        return self.pos.counts.nbytes + self.neg.counts.nbytes

    def _values(self) -> tuple[np.ndarray, np.ndarray]:
        """(bucket values ascending, their counts), the empty buckets left out."""

        def side(b: _Buckets, sign: float):
            keys = np.flatnonzero(b.counts) + b.lo
            return sign * 2 * GAMMA ** keys.astype(np.float64) / (GAMMA + 1), b.counts[keys - b.lo]

        nv, nc = side(self.neg, -1.0)
        pv, pc = side(self.pos, 1.0)
        values = np.concatenate([nv[::-1], [0.0], pv])
        counts = np.concatenate([nc[::-1], [self.zeros], pc])
        keep = counts > 0
        return np.clip(values[keep], self.lo, self.hi), counts[keep]

    def quantiles(self, qs, never: int = 0, extra: tuple[float, int] = (0.0, 0)):
        """As stats.quantiles of the values and `extra` (a value and how many times it is
        there) (module's docstring: within ALPHA relatively)."""
        size = self.size + extra[1]
        total = size + never
        if total == 0:
            return [None for _ in qs]
        values, counts = self._values()
        if extra[1]:
            at = int(np.searchsorted(values, extra[0]))
            values = np.insert(values, at, extra[0])
            counts = np.insert(counts, at, extra[1])
        ends = np.cumsum(counts)  # order statistics ends[i-1] … ends[i]-1 are values[i]
        least = min(self.lo, extra[0]) if extra[1] else self.lo
        most = max(self.hi, extra[0]) if extra[1] else self.hi

        def order(k: int) -> float:
            if k >= size:
                return math.inf
            if k == 0 or k == size - 1:  # the least and the greatest are known exactly
                return least if k == 0 else most
            return float(values[np.searchsorted(ends, k, side="right")])

        out: list[float | None] = []
        for q in qs:
            pos = q * (total - 1)
            lo, hi = math.floor(pos), math.ceil(pos)
            a, b = order(lo), order(hi)
            out.append(None if not math.isfinite(b) else a + (b - a) * (pos - lo))
        return out

    def median(self, extra: tuple[float, int] = (0.0, 0)) -> float | None:
        return self.quantiles((0.5,), extra=extra)[0] if self.size + extra[1] else None

    def histogram(self) -> dict:
        if not self.size:
            return {"edges": [], "counts": []}
        edges = histogram_edges(self.lo, self.hi)
        values, counts = self._values()
        binned, _ = np.histogram(values, bins=edges, weights=counts)
        return {"edges": [_f(e, 6) for e in edges], "counts": [int(c) for c in binned]}

    def describe(self, never: int = 0) -> dict:
        """As stats.describe: mean, median, p90, p95 (the mean only when nothing is `never`)."""
        med, p90, p95 = self.quantiles((0.5, 0.9, 0.95), never)
        mean = self.total.value(self.size) if self.size and not never else None
        return {"mean": _f(mean, 4), "median": _f(med, 4), "p90": _f(p90, 4), "p95": _f(p95, 4)}


def kept(n: int | None):
    """The class that keeps the times of n replications (None: unknown, kept exactly)."""
    return Sketch if n is not None and n > EXACT_MAX else Exact
