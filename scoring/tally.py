"""One plan's replications reduced batch by batch, so that memory stays flat in their number.

`Tally.add(batch)` keeps of a batch only what the summary needs: per duty the counts of each
status, the moments of its per-replication hits and occurrences (for the clustered interval),
its times to done (float32, for the quantiles and the histogram), the deadlines that differ from
the obligation's own, the minutes late; per service the downtimes; the final levels' counts; the
critical path's sums. Batches may arrive in any order (workers finish out of order): a batch that
comes before its predecessors waits until they have come, and each is folded into one running
part in replication order (sums added in that order, arrays appended), so the figures do not
depend on how the replications were spread and nothing is kept per batch.

About 100 bytes a replication stay (payment_outage: 22 counted occurrences x 4 bytes of time to
done, plus its downtime), against about 2 KB for the full records. `paired=True` (compare) also
keeps each replication's hits and occurrences per duty and its RTO and downtime per service, as
small integer and float arrays, for the paired differences.

The times to done and the odd deadlines are kept in float32: a quantile or histogram can differ
from the float64 computation by at most a few 1e-5 minutes (a last-digit rounding of the
3-decimal figure, rarely; on the shipped scenarios at a few hundred replications, none did).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from drillsim.simulator.plan import Plan
from drillsim.simulator.replications import CODE, Batch

from .sketch import Exact, kept

HIT, LATE, MISSED, OPEN = CODE["hit"], CODE["late"], CODE["missed"], CODE["open"]
EPS = 1e-6


def basis(plan: Plan, oid: str) -> str:
    """'first': the first occurrence per incident; 'all': every occurrence pooled (recurring
    duties, `every_min`, and duties that fall due again, `retrigger`)."""
    ob = plan.procedure.obligations[oid]
    return "all" if (ob.every_min or ob.retrigger) else "first"


def per_rep(batch: Batch, rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    reps = batch.duties["rep"][rows] - batch.start
    return np.bincount(reps, weights=weights, minlength=batch.count).astype(float)


def duty_rows(batch: Batch, k: int, how: str) -> np.ndarray:
    occ = batch.duties
    mask = occ["ob"] == k
    if how == "first":
        mask &= occ["n"] == 1
    return np.flatnonzero(mask)


def service_rows(batch: Batch, s: int) -> dict[str, np.ndarray]:
    """Per replication: went down (0/1), RTO met (0/1), RTO decided (0/1), downtime (0 if not down)."""
    n = batch.count
    out = {k: np.zeros(n) for k in ("down", "met", "decided", "downtime")}
    rows = np.flatnonzero(batch.svc["svc"] == s)
    reps = batch.svc["rep"][rows] - batch.start
    met = batch.svc["rto_met"][rows]
    out["down"][reps] = 1.0
    out["met"][reps] = met == 1
    out["decided"][reps] = met >= 0
    out["downtime"][reps] = batch.svc["downtime"][rows]
    return out


@dataclass
class DutyPart:
    """One duty over one batch."""

    moments: np.ndarray  # sum h, sum t, sum h*h, sum h*t, sum t*t, reps with t > 0
    most: int  # the most occurrences in one replication
    status: np.ndarray  # occurrences by status code
    took: np.ndarray  # float32 minutes from falling due to done, of the done ones
    never: int
    deputy: int  # done ones met by someone acting for the role
    static: int  # occurrences whose deadline is the obligation's own deadline_min
    other_allowance: np.ndarray  # float32 deadline - fell due of the others
    late_by: np.ndarray  # float64 (few: only the late ones)
    shifted: np.ndarray | None = None  # hits against a moved deadline (paired, Tally.shifts)


@dataclass
class ServicePart:
    down: int
    met: int
    decided: int
    rows: int
    restored: int
    downtime: np.ndarray  # float64, of the replications where it went down, in order
    per_rep: dict[str, np.ndarray] | None = None  # paired: down, met, decided, downtime


@dataclass
class Part:
    start: int
    count: int
    duties: list[DutyPart]
    services: list[ServicePart]
    declared: dict[int, int]
    true_level: dict[int, int]
    events: int
    critical: dict = field(default_factory=dict)
    # paired: every duty's hits and occurrences per replication, one row a duty, for the paired
    # sums of all the duties at once; int8 when they fit (a part pickled back from a worker:
    # chemical_leak_drill's 57 duties x 25,000 replications, 2.9 MB instead of 5.7 MB)
    hits: np.ndarray | None = None
    trials: np.ndarray | None = None

    def __getstate__(self) -> dict:
        """Pickled (sent back from a pool worker): of the hits and occurrences only the rows of
        the duties that fell due (8 of chemical_leak_drill's 57 in a batch; hits <= occurrences),
        the others made again as zeros (__setstate__)."""
        state = dict(self.__dict__)
        if self.hits is not None and self.trials is not None:
            due = np.flatnonzero(self.trials.any(axis=1))
            state["hits"] = (self.hits.shape, due, self.hits[due], self.trials[due])
            state["trials"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        if state["hits"] is not None:
            shape, due, hits, trials = state["hits"]
            state["hits"], state["trials"] = (
                np.zeros(shape, hits.dtype),
                np.zeros(shape, trials.dtype),
            )
            state["hits"][due], state["trials"][due] = hits, trials
        self.__dict__.update(state)


def _counts(values: np.ndarray) -> dict[int, int]:
    """How many replications end at each level (int8 levels: a range of at most 256). Counted
    with bincount: np.unique would sort (slowly, at many equal int8 values) and import
    numpy.ma, about 41 M instructions, in every process that reduces a batch."""
    v = np.asarray(values).ravel().astype(np.int64)
    if not v.size:
        return {}
    lo = int(v.min())
    counts = np.bincount(v - lo)
    levels = np.flatnonzero(counts)
    return dict(zip((levels + lo).tolist(), counts[levels].tolist()))


class Tally:
    """The reduced records of one plan's replications (see the module's docstring)."""

    def __init__(
        self,
        plan: Plan,
        paired: bool = False,
        shifts: dict[str, float] | None = None,
        n: int | None = None,
    ):
        """shifts: per duty, minutes to move its deadlines by for a second hit count (a paired
        variant judged by the base's deadline). n: how many replications will come; beyond
        sketch.EXACT_MAX the times are kept in fixed-memory sketches (scoring/sketch.py)."""
        from .montecarlo import CriticalPath  # the critical path's rules live with the summary

        self.plan, self.paired, self.shifts = plan, paired, dict(shifts or {})
        self.obligations = list(plan.procedure.obligations)
        self.services = list(plan.procedure.services)
        self.bases = [basis(plan, o) for o in self.obligations]
        self.static = [plan.procedure.obligations[o].deadline_min for o in self.obligations]
        self.critical = CriticalPath(plan)
        self.waiting: dict[int, Part] = {}  # parts that came before their predecessors
        self.count = 0  # replications folded in: 0 … count-1
        self.acc = _Folded(len(self.obligations), len(self.services), kept(n))
        # a variant's sums paired with the base, set by scoring.paired.Pairing
        self.pairs: dict | None = None
        self.duty_ids: list[str] = []
        self.service_ids: list[str] = []

    def add(self, batch: Batch) -> Part:
        """Reduce a batch and fold it in (once its predecessors have come); its part, which a
        comparison pairs with the other plans' (scoring.paired)."""
        return self.take(self._reduce(batch))

    def take(self, part: Part) -> Part:
        """Fold in a batch's part reduced elsewhere (Reduction, in a worker process), once its
        predecessors have come."""
        self.waiting[part.start] = part
        while self.count in self.waiting:
            first = self.waiting.pop(self.count)
            self.acc.fold(first)
            self.count += first.count
        return part

    @property
    def n(self) -> int:
        return self.count + sum(p.count for p in self.waiting.values())

    def folded(self) -> _Folded:
        """Every replication's part, folded in replication order (all must have come)."""
        if self.waiting:
            first = min(self.waiting)
            raise ValueError(f"batches do not join: 0..{self.count} then {first}")
        return self.acc

    def _reduce(self, batch: Batch) -> Part:
        occ = batch.duties
        duties = []
        hits = trials = None
        if self.paired:
            hits = np.zeros((len(self.bases), batch.count), np.int16)
            trials = np.zeros((len(self.bases), batch.count), np.int16)
        # the rows of each duty, in order: one sort instead of a pass over all rows per duty
        by_duty = np.argsort(occ["ob"], kind="stable")
        bounds = np.searchsorted(occ["ob"][by_duty], np.arange(len(self.bases) + 1))
        for k, how in enumerate(self.bases):
            rows = by_duty[bounds[k] : bounds[k + 1]]
            if how == "first":
                rows = rows[occ["n"][rows] == 1]
            status = occ["status"][rows]
            trig, dead, done = occ["triggered"][rows], occ["deadline"][rows], occ["done"][rows]
            # counts as integers: their sums of squares and products are exact in any order
            # (and a float dot product goes through BLAS, whose threads cost more than the sum)
            reps = occ["rep"][rows] - batch.start
            t = np.bincount(reps, minlength=batch.count)
            h = np.bincount(reps[status == HIT], minlength=batch.count)
            finished = np.isfinite(done)
            allowance = dead - trig
            static = self.static[k]
            is_static = (
                np.abs(allowance - static) <= 1e-9
                if static is not None
                else np.zeros(rows.size, bool)
            )
            if hits is not None and trials is not None:
                hits[k], trials[k] = h, t
            moments = np.array(
                [h.sum(), t.sum(), (h * h).sum(), (h * t).sum(), (t * t).sum(), (t > 0).sum()]
            )
            duties.append(
                DutyPart(
                    moments,
                    int(t.max()) if t.size else 0,
                    np.bincount(status, minlength=4)[:4],
                    (done[finished] - trig[finished]).astype(np.float32),
                    int((~finished).sum()),
                    int(occ["deputy"][rows][finished].sum()),
                    int(is_static.sum()),
                    allowance[~is_static].astype(np.float32),
                    (done - dead)[status == LATE],
                    self._shifted(batch, rows, k, done, dead),
                )
            )
        if hits is not None and trials is not None and trials.size and trials.max() < 128:
            hits, trials = hits.astype(np.int8), trials.astype(np.int8)  # hits <= trials
        services = []
        for s in range(len(self.services)):
            c = service_rows(batch, s)
            down = c["down"] > 0
            rows = np.flatnonzero(batch.svc["svc"] == s)
            services.append(
                ServicePart(
                    int(down.sum()),
                    int(c["met"][c["decided"] > 0].sum()),
                    int(c["decided"].sum()),
                    int(rows.size),
                    int(np.isfinite(batch.svc["restored"][rows]).sum()),
                    c["downtime"][down],
                    {
                        "down": c["down"].astype(np.int8),
                        "met": c["met"].astype(np.int8),
                        "decided": c["decided"].astype(np.int8),
                        "downtime": c["downtime"],
                    }
                    if self.paired
                    else None,
                )
            )
        return Part(
            batch.start,
            batch.count,
            duties,
            services,
            _counts(batch.declared),
            _counts(batch.true_level),
            int(batch.events.sum()),
            self.critical.sums(batch),
            hits,
            trials,
        )

    def _shifted(self, batch, rows, k, done, dead) -> np.ndarray | None:
        shift = self.shifts.get(self.obligations[k])
        if not self.paired or shift is None:
            return None
        hit = (np.isfinite(done) & (done <= dead + shift + EPS)).astype(float)
        return per_rep(batch, rows, hit).astype(np.int16)

    # --- merged over the parts, in replication order ---------------------------------------------
    def duty(self, k: int) -> dict:
        """took and late_by: the times (sketch.Exact or sketch.Sketch); allowance: the median
        of the deadlines' allowances (None when none fell due)."""
        d = self.folded().duties[k]
        static = (self.static[k] or 0.0, d["static"])
        median = d["other_allowance"].median(extra=static)
        return {
            "moments": d["moments"],
            "most": d["most"],
            "status": d["status"],
            "took": d["took"],
            "never": d["never"],
            "deputy": d["deputy"],
            "allowance": median,
            "late_by": d["late_by"],
        }

    def service(self, s: int) -> dict:
        c = self.folded().services[s]
        return {
            "down": c["down"],
            "met": c["met"],
            "decided": c["decided"],
            "rows": c["rows"],
            "restored": c["restored"],
            "downtime": c["downtime"],
        }

    def levels(self, which: str) -> dict[int, int]:
        return dict(getattr(self.folded(), which))

    def events(self) -> int:
        return self.folded().events

    def critical_sums(self) -> dict | None:
        return self.folded().critical


_REDUCING: dict[tuple, Tally] = {}  # a process's tallies that reduce batches for Reduction


@dataclass(frozen=True)
class Reduction:
    """What montecarlo and compare do with a batch where it was computed (a worker process):
    its tally's reduction (Tally._reduce), so that only the part travels back and the workers
    share the reduction. Per job: (scenario, variants, paired, the shifts as pairs). Pickles;
    each process keeps a tally per plan, whose critical path's memo serves the next batches."""

    jobs: tuple[tuple[str, tuple[str, ...], bool, tuple[tuple[str, float], ...]], ...]

    def __call__(self, j: int, batch: Batch) -> Part:
        from drillsim.simulator.replications import plan_for

        scenario, variants, paired, shifts = self.jobs[j]
        plan = plan_for(scenario, variants)
        tally = _REDUCING.get(self.jobs[j])
        if tally is None or tally.plan is not plan:
            if len(_REDUCING) >= 32:  # a long-lived process (the console, a Dask worker)
                _REDUCING.clear()
            tally = _REDUCING[self.jobs[j]] = Tally(plan, paired, dict(shifts))
        return tally._reduce(batch)


class _Folded:
    """The parts folded together in replication order: what Tally's summary reads. Sums are
    added in the order the parts would have been summed (0 + first + second …), so the figures
    are the same, bit for bit, as summing the kept parts at the end."""

    def __init__(self, n_duties: int, n_services: int, times=Exact):
        self.duties: list[dict[str, Any]] = [
            {
                "moments": 0,
                "most": 0,
                "status": 0,
                "took": times(np.float32),
                "never": 0,
                "deputy": 0,
                "static": 0,
                "other_allowance": times(np.float32),
                "late_by": times(np.float64),
            }
            for _ in range(n_duties)
        ]
        self.services: list[dict[str, Any]] = [
            {
                "down": 0,
                "met": 0,
                "decided": 0,
                "rows": 0,
                "restored": 0,
                "downtime": times(np.float64),
            }
            for _ in range(n_services)
        ]
        self.declared: dict[int, int] = {}
        self.true_level: dict[int, int] = {}
        self.events = 0
        self.critical: dict | None = None

    def fold(self, part: Part) -> None:
        for d, p in zip(self.duties, part.duties):
            d["moments"] = d["moments"] + p.moments
            d["most"] = max(d["most"], p.most)
            d["status"] = d["status"] + p.status
            d["took"].add(p.took)
            d["never"] += p.never
            d["deputy"] += p.deputy
            d["static"] += p.static
            d["other_allowance"].add(p.other_allowance)
            d["late_by"].add(p.late_by)
        for c, sp in zip(self.services, part.services):
            for name in ("down", "met", "decided", "rows", "restored"):
                c[name] += getattr(sp, name)
            c["downtime"].add(sp.downtime)
        for which in ("declared", "true_level"):
            counts = getattr(self, which)
            for lv, c in getattr(part, which).items():
                counts[lv] = counts.get(lv, 0) + c
        self.events += part.events
        if self.critical is None:
            self.critical = {k: np.zeros_like(v) + v for k, v in part.critical.items()}
        else:
            self.critical = {k: self.critical[k] + v for k, v in part.critical.items()}
