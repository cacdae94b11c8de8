"""One plan's replications reduced batch by batch, so that memory stays flat in their number.

`Tally.add(batch)` keeps of a batch only what the summary needs: per duty the counts of each
status, the moments of its per-replication hits and occurrences (for the clustered interval),
its times to done (float32, for the quantiles and the histogram), the deadlines that differ from
the obligation's own, the minutes late; per service the downtimes; the final levels' counts; the
critical path's sums. Batches may arrive in any order (workers finish out of order); the parts
are put back in replication order when the summary is made, so the figures do not depend on how
the replications were spread.

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

import numpy as np

from drillsim.simulator.plan import Plan
from drillsim.simulator.replications import CODE, Batch

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
    hits: np.ndarray | None = None  # per replication (paired)
    trials: np.ndarray | None = None
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


def _counts(values: np.ndarray) -> dict[int, int]:
    levels, counts = np.unique(np.asarray(values).ravel(), return_counts=True)
    return {int(lv): int(c) for lv, c in zip(levels, counts)}


class Tally:
    """The reduced records of one plan's replications (see the module's docstring)."""

    def __init__(self, plan: Plan, paired: bool = False, shifts: dict[str, float] | None = None):
        """shifts: per duty, minutes to move its deadlines by for a second hit count (a paired
        variant judged by the base's deadline)."""
        from .montecarlo import CriticalPath  # the critical path's rules live with the summary

        self.plan, self.paired, self.shifts = plan, paired, dict(shifts or {})
        self.obligations = list(plan.procedure.obligations)
        self.services = list(plan.procedure.services)
        self.bases = [basis(plan, o) for o in self.obligations]
        self.static = [plan.procedure.obligations[o].deadline_min for o in self.obligations]
        self.critical = CriticalPath(plan)
        self.parts: dict[int, Part] = {}

    def add(self, batch: Batch) -> None:
        self.parts[batch.start] = self._reduce(batch)

    @property
    def n(self) -> int:
        return sum(p.count for p in self.parts.values())

    def ordered(self) -> list[Part]:
        parts = sorted(self.parts.values(), key=lambda p: p.start)
        for a, b in zip(parts, parts[1:]):
            if a.start + a.count != b.start:
                raise ValueError(
                    f"batches do not join: {a.start}..{a.start + a.count} then {b.start}"
                )
        return parts

    def _reduce(self, batch: Batch) -> Part:
        occ = batch.duties
        duties = []
        for k, how in enumerate(self.bases):
            rows = duty_rows(batch, k, how)
            status = occ["status"][rows]
            trig, dead, done = occ["triggered"][rows], occ["deadline"][rows], occ["done"][rows]
            t = per_rep(batch, rows)
            h = per_rep(batch, rows, (status == HIT).astype(float))
            finished = np.isfinite(done)
            allowance = dead - trig
            static = self.static[k]
            is_static = (
                np.abs(allowance - static) <= 1e-9
                if static is not None
                else np.zeros(rows.size, bool)
            )
            moments = np.array([h.sum(), t.sum(), h @ h, h @ t, t @ t, (t > 0).sum()])
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
                    h.astype(np.int16) if self.paired else None,
                    t.astype(np.int16) if self.paired else None,
                    self._shifted(batch, rows, k, done, dead),
                )
            )
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
        )

    def _shifted(self, batch, rows, k, done, dead) -> np.ndarray | None:
        shift = self.shifts.get(self.obligations[k])
        if not self.paired or shift is None:
            return None
        hit = (np.isfinite(done) & (done <= dead + shift + EPS)).astype(float)
        return per_rep(batch, rows, hit).astype(np.int16)

    # --- merged over the parts, in replication order ---------------------------------------------
    def duty(self, k: int) -> dict:
        parts = [p.duties[k] for p in self.ordered()]
        cat = lambda name: (
            np.concatenate([getattr(p, name) for p in parts]) if parts else np.zeros(0)
        )
        return {
            "moments": sum(p.moments for p in parts),
            "most": max((p.most for p in parts), default=0),
            "status": sum(p.status for p in parts),
            "took": cat("took").astype(np.float64),
            "never": sum(p.never for p in parts),
            "deputy": sum(p.deputy for p in parts),
            "allowance": np.concatenate(
                [np.full(sum(p.static for p in parts), self.static[k] or 0.0)]
                + [p.other_allowance.astype(np.float64) for p in parts]
            ),
            "late_by": cat("late_by"),
        }

    def service(self, s: int) -> dict:
        parts = [p.services[s] for p in self.ordered()]
        return {
            "down": sum(p.down for p in parts),
            "met": sum(p.met for p in parts),
            "decided": sum(p.decided for p in parts),
            "rows": sum(p.rows for p in parts),
            "restored": sum(p.restored for p in parts),
            "downtime": np.concatenate([p.downtime for p in parts]),
        }

    def counts(self, oid: str, shifted: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(hits, occurrences) per replication of one duty (paired tallies only); shifted: the
        hits against its deadline moved by shifts[oid]."""
        if oid not in self.obligations:
            return np.zeros(self.n), np.zeros(self.n)
        k = self.obligations.index(oid)
        parts = [p.duties[k] for p in self.ordered()]
        return (
            np.concatenate([p.shifted if shifted else p.hits for p in parts]).astype(float),
            np.concatenate([p.trials for p in parts]).astype(float),
        )

    def service_counts(self, sid: str) -> dict[str, np.ndarray]:
        """Per replication: down, met, decided, downtime (paired tallies only)."""
        if sid not in self.services:
            return {k: np.zeros(self.n) for k in ("down", "met", "decided", "downtime")}
        s = self.services.index(sid)
        parts = [p.services[s].per_rep or {} for p in self.ordered()]
        return {k: np.concatenate([p[k] for p in parts]).astype(float) for k in parts[0]}

    def levels(self, which: str) -> dict[int, int]:
        out: dict[int, int] = {}
        for p in self.ordered():
            for lv, c in getattr(p, which).items():
                out[lv] = out.get(lv, 0) + c
        return out

    def events(self) -> int:
        return sum(p.events for p in self.parts.values())
