"""Which duties hold up the chain in Monte Carlo: the critical path's sums over a batch.

Computed column by column over a whole batch (numpy arrays of every replication's incidents x
duties), not replication by replication: the same arithmetic, operation for operation, as the
per-replication walk it replaced (kept as the oracle in tests/critical_path_oracle.py), and each
duty's sums added in the same order, so the sums are the same bit for bit
(tests/test_critical_path.py). The one irregular step, the search behind a duty that never fell
due, depends only on which duties fell due and which were done, so it is worked out in Python
once per distinct pattern of those and applied to every replication with that pattern. The walk
back from a duty is made once per view however many chains end with it (_Walks), and each
duty's binding predecessor and delay passed on are worked out over the views where it fell due.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from drillsim.simulator.plan import Plan
from drillsim.simulator.replications import Batch

from .dependencies import dependencies
from .stats import _f
from .tally import EPS


def restorers(plan: Plan) -> dict[str, list[str]]:
    """Service -> the duties whose task restores it."""
    proc = plan.procedure
    out: dict[str, list[str]] = {s: [] for s in proc.services}
    for x, ob in proc.obligations.items():
        if ob.action.do == "task":
            for s in proc.tasks[ob.action.task].effects.restore:
                out.setdefault(s, []).append(x)
    return out


class _Views:
    """A batch's first occurrences as dense arrays: one row per duty, one column (a *view*) per
    replication and incident, in replication order and, within one, in the order its incidents
    first appear. NaN where the duty did not fall due."""

    def __init__(self, batch: Batch, n_ob: int):
        occ = batch.duties
        first = np.flatnonzero(occ["n"] == 1)
        # the first occurrences' columns: every row where every duty falls due once (most of
        # the fast path's batches), so no copies
        whole = first.size == occ["n"].size

        def col(k: str) -> np.ndarray:
            return occ[k] if whole else occ[k][first]

        rep = col("rep").astype(np.int64) - batch.start
        n_inc = max(len(batch.layout.incidents), int(occ["inc"].max(initial=0)) + 1)
        pair = rep * n_inc + col("inc")
        # where each (replication, incident) first appears among the rows, which come in
        # replication order: the views in that order
        at = np.full(batch.count * n_inc, first.size, np.int64)
        np.minimum.at(at, pair, np.arange(first.size))
        pairs = np.flatnonzero(at < first.size)
        pairs = pairs[np.argsort(at[pairs], kind="stable")]
        number = np.empty(at.size, np.int64)
        number[pairs] = np.arange(pairs.size)
        view = number[pair]
        n = self.n = pairs.size
        self.n_ob = n_ob
        self.rep = pairs // n_inc
        self.end = batch.end.astype(np.float64)[self.rep]
        cell = col("ob").astype(np.int64) * n + view
        self.present = np.zeros((n_ob, n), bool)
        self.present.ravel()[cell] = True
        self.trig, self.dead, self.done, self.met = (
            self._dense(cell, col(k), n, n_ob) for k in ("triggered", "deadline", "done", "met")
        )
        self.finished = np.isfinite(self.done)
        self._rows: dict[int, np.ndarray] = {}
        # the views of replication r: first[r] … first[r] + count[r] - 1
        self.first = np.searchsorted(self.rep, np.arange(batch.count))
        self.count = np.searchsorted(self.rep, np.arange(batch.count), side="right") - self.first

    def rows(self, duty: int) -> np.ndarray:
        """The views where the duty fell due, in order."""
        rows = self._rows.get(duty)
        if rows is None:
            rows = self._rows[duty] = np.flatnonzero(self.present[duty])
        return rows

    @staticmethod
    def _dense(cell, values, n, n_ob) -> np.ndarray:
        out = np.full((n_ob, n), np.nan)
        out.ravel()[cell] = values
        return out

    def at(self, what: np.ndarray, rows: np.ndarray, duty) -> np.ndarray:
        """what[duty, rows], through the flat index (faster than two index arrays)."""
        return what.ravel()[duty * self.n + rows]


class _Links:
    """Chains of links (duty, fell due at, allowance) for a set of views, step by step: step i of
    row k is its chain's i-th link when valid[i][k]."""

    def __init__(self, rows: np.ndarray):
        self.rows = rows
        self.duty: list[np.ndarray] = []
        self.trig: list[np.ndarray] = []
        self.allow: list[np.ndarray] = []
        self.valid: list[np.ndarray] = []

    def add(self, duty, trig, allow, valid) -> None:
        self.duty.append(duty)
        self.trig.append(trig)
        self.allow.append(allow)
        self.valid.append(valid)


# chains attributed together, at most this many at once (memory: a few arrays of this size)
_CHAINS_AT_ONCE = 100_000
_MEMO_CAP = 20_000  # patterns whose searches are kept across batches


def _acyclic(deps: dict[int, list]) -> bool:
    state: dict[int, int] = {}  # 1 on the path, 2 done

    def visit(y: int) -> bool:
        state[y] = 1
        for x, _ in deps.get(y, ()):
            if state.get(x) == 1 or (x not in state and not visit(x)):
                return False
        state[y] = 2
        return True

    return all(state.get(y) == 2 or visit(y) for y in list(deps))


class _Walks:
    """The walk back along the binding predecessors from every duty that fell due, in every
    view (never through a duty twice), one row per such duty and view (`row` maps a cell
    duty * views + view to its row), and what a chain that ends with that walk needs of it: per
    step (a column) the duty and its allowance; the walk's length, the time its last duty fell
    due, its allowances added up from 0; and what the chain of the row's duty holds beyond the
    allowances (completion: when it was done, else the end): per step the time it held the
    chain (the first step's against the completion, the others' against the next duty's
    falling due), those that did (hot: positive), in order, and their sum."""

    def __init__(self, v: _Views, pred: np.ndarray, cells: np.ndarray, acyclic: bool):
        """cells: the cells (duty * views + view, in order) to walk back from."""
        n = v.n
        size = cells.size
        self.row = np.full(v.present.size, -1, np.int32)
        self.row[cells] = np.arange(size, dtype=np.int32)
        flat_pred, flat_trig, flat_dead = pred.ravel(), v.trig.ravel(), v.dead.ravel()
        done = v.done.ravel()[cells]
        view = cells % n
        duty = cells // n
        trig = flat_trig[cells]
        allow = flat_dead[cells] - trig
        self.completion = np.where(np.isfinite(done), done, v.end[view])
        first = (self.completion - trig) - allow
        positive = np.where(first > 0, first, 0.0)
        total = 0.0 + allow
        # what a walk adds up, carried along for the rows still walking (compacted each step)
        # and set down for each row where its walk ends
        self.positive, self.total = np.empty(size), np.empty(size)
        self.last, self.length = np.empty(size), np.empty(size, np.int64)
        act = np.arange(size)
        steps = [(act, duty, first, allow)]  # per step: its rows, duty, time held, allowance
        prev_trig, nxt, vw = trig, flat_pred[cells], view
        walked = [duty]
        while True:
            go = nxt >= 0
            if not acyclic:
                for before in walked:
                    go &= nxt != before
            if not go.all():
                stop = ~go
                ended = act[stop]
                self.positive[ended], self.total[ended] = positive[stop], total[stop]
                self.last[ended], self.length[ended] = prev_trig[stop], len(steps)
                act, nxt, vw = act[go], nxt[go], vw[go]
                prev_trig, positive, total = prev_trig[go], positive[go], total[go]
                if not acyclic:
                    walked = [w[go] for w in walked]
            if not act.size:
                break
            at = nxt * n + vw
            t = flat_trig[at]
            a = flat_dead[at] - t
            h = (prev_trig - t) - a
            positive = positive + np.where(h > 0, h, 0.0)
            total = total + a
            steps.append((act, nxt, h, a))
            if not acyclic:
                walked.append(nxt)
            prev_trig, nxt = t, flat_pred[at]
        self._steps = steps
        self._allow_cols: list[np.ndarray] | None = None
        # the hot steps of each row, row by row and in a row step by step (CSR): the row's
        # first step (its own duty) counts for a blocked duty's chain only
        hot = [h > 0 for _, _, h, _ in steps]
        who = np.concatenate([r[k] for (r, _, _, _), k in zip(steps, hot)])
        # each step's rows are in order: a stable sort merges the steps' runs row by row
        order = np.argsort(who, kind="stable")
        self.hot_start = np.zeros(size + 1, np.int64)
        np.cumsum(np.bincount(who, minlength=size), out=self.hot_start[1:])
        self.hot_duty = np.concatenate([d[k] for (_, d, _, _), k in zip(steps, hot)])[order]
        self.hot_held = np.concatenate([h[k] for (_, _, h, _), k in zip(steps, hot)])[order]
        self.first_hot = hot[0]

    def allow_cols(self) -> list[np.ndarray]:
        """Per step, every row's allowance (0 past its walk's end)."""
        if self._allow_cols is None:
            self._allow_cols = [self._steps[0][3]]
            for act, _, _, a in self._steps[1:]:
                col = np.zeros(self.length.size)
                col[act] = a
                self._allow_cols.append(col)
        return self._allow_cols

    def chains(self, rows, total, blocked):
        """Each chain's lateness split over its links (CriticalPath._attribute, for a duty's
        chain). rows: the walks the chains end with, each the chain of that walk's duty (its
        completion; total, blocked: 0.0 and False) or of a duty that never fell due blocked by
        it (its prefix's allowances added up; True: the chain's completion is the end, which is
        the walk's duty's completion too, as it was never done). The contributions, chain by
        chain and link by link: (duty, value, chain) arrays."""
        length = self.length[rows]
        if blocked.any():
            # the prefix's allowances first, then the walk's, in order
            b = np.flatnonzero(blocked)
            rb = rows[b]
            tb = total[b]
            for col in self.allow_cols():  # 0.0 past the walk's end: adds nothing
                tb = tb + col[rb]
            total = self.total[rows]
            total[b] = tb
        else:
            total = self.total[rows]
        positive = self.positive[rows]
        lateness = (self.completion[rows] - self.last[rows]) - total
        keep = (length >= 2) | blocked
        keep &= (lateness > EPS) & (positive > EPS)
        chain = np.flatnonzero(keep)
        r = rows[chain]
        lo = self.hot_start[r] + (self.first_hot[r] & ~blocked[chain])  # a duty's own overrun
        count = self.hot_start[r + 1] - lo  # is not passed downstream
        which = np.repeat(chain, count)
        at = np.repeat(lo - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
        part = np.where(positive < lateness, positive, lateness)
        return self.hot_duty[at], part[which] * self.hot_held[at] / positive[which], which


class CriticalPath:
    """Which duties hold up the chain: the delay each passes on, and its share of downstream lateness.

    Per replication and incident, each duty that fell due is linked to its *binding predecessor*:
    the duty it depends on (dependencies()) whose completion made it fall due at that moment.
    Following those links back gives the chain behind every duty, and the plan's cumulative
    deadline for it (the chain's start plus each link's own allowance). Downstream lateness is
    the time by which a duty was done after that cumulative deadline (a duty that never fell due
    because a duty it waits on was never done counts as done at the scenario's end), and, for a
    service, the time its downtime overran the RTO, along the chain of the duty that restored it
    (or should have). Each such lateness is split over the links in proportion to the time each
    held the chain beyond its own allowance; a duty's own overrun is its own lateness, not
    passed downstream, and is not counted for it (a restoring duty's is: the service is
    downstream of it).

    mean_delay_passed_min: over the replications where the duty fell due, the mean time it held
    the chain beyond its allowance before its first dependant fell due (0 when within its
    allowance; to the end when it was never done and its dependants never fell due).
    share_of_downstream_lateness: its part of all the downstream lateness so attributed.
    """

    def __init__(self, plan: Plan):
        proc = plan.procedure
        names = list(proc.obligations)
        services = list(proc.services)
        idx = {o: i for i, o in enumerate(names)}
        deps = {
            idx[y]: [(idx[x], kind) for x, kind in d.items() if x in idx]
            for y, d in dependencies(plan).items()
            if y in idx
        }
        dependants: dict[int, list[int]] = {}
        for y, d in deps.items():
            for x, _ in d:
                dependants.setdefault(x, []).append(y)
        static_dl = [proc.obligations[o].deadline_min or 0.0 for o in names]
        restore = {
            services.index(s): [idx[x] for x in xs if x in idx]
            for s, xs in restorers(plan).items()
            if s in services
        }
        restoring = {z for zs in restore.values() for z in zs}
        self.ctx = (proc, names, services, deps, dependants, static_dl, restore, restoring)
        # per batch: each view's pattern of duties fallen due and done (numbered), and each
        # pattern's bits as bytes; across batches (patterns repeat): the search behind a duty
        # that never fell due, per pattern and duty
        self._patterns: np.ndarray | None = None
        self._pattern_keys: list[bytes] = []
        # pattern's bits -> ((duties fallen due, done), duty -> search's result)
        self._blocked_memo: dict[bytes, tuple[tuple[set, set], dict[int, Any]]] = {}
        # across batches too: each pattern's head per duty that never fell due (_heads_of), the
        # heads (prefix, duty they wait on) numbered, and per head its duty, its prefix's length
        # and its prefix's allowances added up
        self._pattern_rows: dict[bytes, np.ndarray] = {}
        self._heads: list[tuple[tuple[int, ...], int]] = []
        self._head_id: dict[tuple[tuple[int, ...], int], int] = {}
        self._head_x = self._head_len = np.zeros(0, np.int64)
        self._head_total = np.zeros(0)
        self._radix = (2, 1, 1, 1)
        # binding predecessors are dependencies: without a cycle among those, a walk back can
        # never come to a duty twice and need not look
        self._acyclic = _acyclic(deps)
        if min(static_dl, default=0.0) < 0:  # the model's deadlines are not negative
            raise ValueError("a negative deadline")

    # --- one batch -------------------------------------------------------------------------------
    def sums(self, batch: Batch) -> dict:
        """One batch's sums (the batch's layout is the plan's)."""
        proc, names, services, deps, dependants, static_dl, restore, restoring = self.ctx
        n_ob = len(names)
        with np.errstate(invalid="ignore"):
            v = _Views(batch, n_ob)
            pred = self._pred(v)
            back = self._back(batch)
            passed_sum, passed_n, passed_pos = self._passed(v, pred, back)
            self._patterns = None
            if len(self._blocked_memo) > _MEMO_CAP:
                self._blocked_memo, self._pattern_rows = {}, {}
                self._heads, self._head_id = [], {}
            # the order key of a service's contributions: (replication, the duties' chains then
            # the services', the service's row, the duty, the link) in one integer
            self._radix = (2, max(v.n, batch.svc["svc"].size) + 1, n_ob + 1, 2 * n_ob + 2)
            duty, value, view = self._duty_chains(v, pred)
            service = self._services(batch, v, pred)
        attributed = np.zeros(n_ob)
        if service:
            # the services' contributions come after the duties' of the same replication
            s_duty, s_value, s_key = (np.concatenate(c) for c in zip(*service))
            s_order = np.argsort(s_key, kind="stable")
            rep = np.concatenate([v.rep[view] * 2, s_key[s_order] // np.prod(self._radix[1:])])
            order = np.argsort(rep, kind="stable")
            duty = np.concatenate([duty, s_duty[s_order]])[order]
            value = np.concatenate([value, s_value[s_order]])[order]
        # added one by one in the order the replication-by-replication walk added them
        np.add.at(attributed, duty, value)
        return {
            "attributed": attributed,
            "passed_sum": passed_sum,
            "passed_n": passed_n,
            "passed_pos": passed_pos,
        }

    def _duty_chains(self, v: _Views, pred) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The duties' chains' contributions, in the order the per-replication walk added them
        (view by view, in each view duty by duty, in each chain link by link): (duty, value,
        view) arrays.

        Each view's chains: one behind each duty that fell due and has a binding predecessor,
        and one behind each duty that never fell due because a duty it waits on (directly or
        through others that never fell due either) fell due and was never done: its prefix (the
        duties that never fell due, counted as falling due at the end with their nominal
        allowance) then the chain behind that head. Every chain is a walk back from a duty that
        fell due, so the walks are made once for every such duty of every view (_Walks) and
        each chain takes its walk's row; a prefix's links never hold the chain (their time
        beyond the allowance is minus the allowance, and allowances are not negative), so a
        prefix adds only its allowances, before the walk's, to the chain's total."""
        n_ob, n = v.n_ob, v.n
        empty = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64))
        if not n:
            return empty
        # the chains, view by view and in a view duty by duty
        starts = v.present & (pred >= 0)
        heads = self._head_table(v)  # (views, duties): the head behind each blocked duty, or -1
        chained = starts.T | (heads >= 0) if heads is not None else starts.T
        inst = np.flatnonzero(chained)
        if not inst.size:
            return empty
        walked = starts.ravel().copy()  # the walks: from each chain's duty or head
        if heads is not None:
            h = heads.ravel()[inst]
            waits = h >= 0
            walked[self._head_x[h[waits]] * n + inst[waits] // n_ob] = True
        walks = _Walks(v, pred, np.flatnonzero(walked), self._acyclic)
        duties, values, views = [], [], []
        for lo in range(0, inst.size, _CHAINS_AT_ONCE):
            part = inst[lo : lo + _CHAINS_AT_ONCE]
            view, y = part // n_ob, part % n_ob
            cell = y * n + view
            total = np.zeros(part.size)
            blocked = np.zeros(part.size, bool)
            if heads is not None:
                h = heads.ravel()[part]
                blocked = h >= 0
                hb = h[blocked]
                cell[blocked] = self._head_x[hb] * n + view[blocked]
                total[blocked] = self._head_total[hb]
            # a chain whose walk held nothing beyond the allowances passes nothing on (chains()
            # keeps positive > EPS only): most of them on some plans, so left out first
            rows = walks.row[cell]
            live = np.flatnonzero(walks.positive[rows] > EPS)
            d, val, which = walks.chains(rows[live], total[live], blocked[live])
            duties.append(d)
            values.append(val)
            views.append(view[live[which]])
        return np.concatenate(duties), np.concatenate(values), np.concatenate(views)

    def _head_table(self, v: _Views) -> np.ndarray | None:
        """Per view and duty that never fell due there: the number of its chain's head (a
        prefix and the duty that fell due and was never done it waits on, self._heads), -1
        where none; None when no duty waits on another."""
        deps = self.ctx[3]
        if not any(deps.values()):
            return None
        pattern = self._pattern(v)
        rows = []
        for p, bits in enumerate(self._pattern_keys):
            row = self._pattern_rows.get(bits)
            if row is None:
                row = self._pattern_rows[bits] = self._heads_of(p, bits)
            rows.append(row)
        if len(self._head_x) != len(self._heads):
            static_dl = self.ctx[5]
            self._head_x = np.array([x for _, x in self._heads], np.int64)
            self._head_len = np.array([len(prefix) for prefix, _ in self._heads], np.int64)
            totals = []
            for prefix, _ in self._heads:
                total = 0.0  # added in the chain's order, as the walk added them
                for d in prefix:
                    total += static_dl[d]
                totals.append(total)
            self._head_total = np.array(totals, np.float64)
        return np.stack(rows)[pattern]

    def _heads_of(self, p: int, bits: bytes) -> np.ndarray:
        """Pattern p's head number for each duty that never fell due in it (-1: none)."""
        n_ob = len(self.ctx[1])
        present = np.frombuffer(bits, bool)[:n_ob]
        row = np.full(n_ob, -1, np.int32)
        for y, dep in self.ctx[3].items():
            if dep and not present[y]:
                res = self._blocked(p, y)
                if res is not None:
                    if res not in self._head_id:
                        self._head_id[res] = len(self._heads)
                        self._heads.append(res)
                    row[y] = self._head_id[res]
        return row

    def _pred(self, v: _Views) -> np.ndarray:
        """Each view's binding predecessor of each duty that fell due (-1: none): among the duties
        it depends on, those whose completion (done), falling due (due) or message under way
        (reached) coincides with its falling due, the one that fell due last (the first listed
        of equals). Worked out over the views where the duty fell due only."""
        deps = self.ctx[3]
        n = v.n
        pred = np.full(v.present.shape, -1, np.int64)
        trig, met, present = v.trig.ravel(), v.met.ravel(), v.present.ravel()
        for y, dep in deps.items():
            if not dep:
                continue
            rows = v.rows(y)
            if not rows.size:
                continue
            ty = trig[y * n + rows]
            best = np.full(rows.size, -1, np.int64)
            best_trig = np.zeros(rows.size)
            for x, kind in dep:
                at = x * n + rows
                tx = trig[at]
                if kind == "done":
                    mx = met[at]
                    ok = np.isfinite(mx) & (np.abs(mx - ty) <= EPS)
                elif kind == "due":
                    ok = np.abs(tx - ty) <= EPS
                else:  # reached: its message reached the role while it was under way
                    mx = met[at]
                    ok = (tx <= ty + EPS) & (~np.isfinite(mx) | (mx >= ty - EPS))
                take = present[at] & ok & ((best < 0) | (tx > best_trig))
                best[take] = x
                best_trig[take] = tx[take]
            pred[y, rows] = best
        return pred

    @staticmethod
    def _back(batch: Batch) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Per service: (went down, restored at) per replication (inf: never restored)."""
        svc = batch.svc
        reps = svc["rep"].astype(np.int64) - batch.start
        out = {}
        for s in np.unique(svc["svc"]).tolist():
            rows = svc["svc"] == s
            down = np.zeros(batch.count, bool)
            at = np.full(batch.count, np.nan)
            down[reps[rows]] = True
            at[reps[rows]] = svc["restored"][rows]
            out[int(s)] = (down, np.where(np.isnan(at), np.inf, at))
        return out

    def _passed(self, v: _Views, pred: np.ndarray, back: dict):
        """mean_delay_passed_min's sums: per duty that others wait on or that restores a
        service, the time it held the chain beyond its allowance, added view by view (over the
        views where it fell due)."""
        _, names, _, _, dependants, _, restore, restoring = self.ctx
        n_ob, n = len(names), v.n
        passed_sum, passed_n, passed_pos = np.zeros(n_ob), np.zeros(n_ob), np.zeros(n_ob)
        trig, present, flat_pred = v.trig.ravel(), v.present.ravel(), pred.ravel()
        for x in range(n_ob):
            if x not in dependants and x not in restoring:
                continue
            rows = v.rows(x)
            if not rows.size:
                continue
            has_dep = np.zeros(rows.size, bool)
            first_dep = np.full(rows.size, np.inf)
            waiting = np.zeros(rows.size, bool)
            for y in dependants.get(x, ()):
                at = y * n + rows
                py = present[at]
                m = py & (flat_pred[at] == x)
                ty = trig[at]
                first_dep = np.where(m & (ty < first_dep), ty, first_dep)
                has_dep |= m
                waiting |= ~py
            dead = v.dead[x, rows]
            end = v.end[rows]
            held = np.where(has_dep, first_dep - dead, 0.0)
            held = np.where(~has_dep & ~v.finished[x, rows] & waiting, end - dead, held)
            for s, zs in restore.items():  # a restoring duty hands on to its service
                if x not in zs or s not in back:
                    continue
                down, at_s = back[s][0][v.rep[rows]], back[s][1][v.rep[rows]]
                never = down & ~np.isfinite(at_s)
                late = never & (end - dead > held)
                held = np.where(late, end - dead, held)
                then = down & np.isfinite(at_s) & (np.abs(v.done[x, rows] - at_s) <= EPS)
                held = np.where(then & (at_s - dead > held), at_s - dead, held)
            passed_sum[x] = np.cumsum(np.where(held > 0.0, held, 0.0))[-1]
            passed_n[x] = rows.size
            passed_pos[x] = np.count_nonzero(held > EPS)
        return passed_sum, passed_n, passed_pos

    def _walk(self, v: _Views, pred, rows, start, links: _Links) -> _Links:
        """Follow the binding predecessors from `start` (a duty that fell due in each row's view)
        back to the start of its chain, never through a duty twice."""
        cur, active = start.astype(np.int64), np.ones(rows.size, bool)
        chain: list[np.ndarray] = []
        while active.any():
            at = np.where(active, cur, 0)
            trig = v.at(v.trig, rows, at)
            links.add(at, trig, v.at(v.dead, rows, at) - trig, active)
            chain.append(at)
            nxt = v.at(pred, rows, at)
            go = active & (nxt >= 0)
            for before in chain:
                go &= nxt != before
            active, cur = go, nxt
        return links

    def _blocked_heads(self, v: _Views, rows, start: int):
        """For duties that never fell due (start, in each row's view) because a duty they wait on,
        directly or through others that never fell due either, fell due and was never done:
        the rows that have such a chain, the number of each one's chain head, and the heads,
        (the duties that never fell due from start on, the duty that fell due and was never
        done they wait on)."""
        none: tuple[np.ndarray, np.ndarray, list] = (rows[:0], rows[:0], [])
        if not rows.size:
            return none
        pattern = self._pattern(v)[rows]
        seen = np.zeros(len(self._pattern_keys), bool)
        seen[pattern] = True
        heads: dict = {}
        head_of = np.full(seen.size, -1, np.int64)
        for p in np.flatnonzero(seen).tolist():
            res = self._blocked(p, start)
            if res is not None:
                head_of[p] = heads.setdefault(res, len(heads))
        if not heads:
            return none
        found = head_of[pattern]
        keep = found >= 0
        return rows[keep], found[keep], list(heads)

    def _blocked_links(self, v: _Views, pred, rows, start: int) -> list[_Links]:
        """The chains of _blocked_heads, counting the duties that never fell due as falling due
        at the end with their nominal allowance. One _Links per distinct chain head, its rows
        in their order."""
        static_dl = self.ctx[5]
        kept, found, heads = self._blocked_heads(v, rows, start)
        out = []
        for h, (prefix, x) in enumerate(heads):
            r = kept[found == h]
            links = _Links(r)
            all_valid = np.ones(r.size, bool)
            for d in prefix:
                links.add(np.full(r.size, d), v.end[r], np.full(r.size, static_dl[d]), all_valid)
            out.append(self._walk(v, pred, r, np.full(r.size, x), links))
        return out

    def _pattern(self, v: _Views) -> np.ndarray:
        """Each view's pattern of duties fallen due and done, numbered."""
        if self._patterns is None:
            # Each view's bits (a duty fallen due, a duty done) packed into integers, 63 a word,
            # and the views grouped by a sort of those: numpy's unique over bool rows (axis=0)
            # compares the rows as bytes and took 0.9 s a batch of 25,000 at 57 duties.
            bits = np.concatenate([v.present, v.finished])
            words = []
            for lo in range(0, bits.shape[0], 63):
                w = np.zeros(v.n, np.int64)
                for i, row in enumerate(bits[lo : lo + 63]):
                    w |= row.astype(np.int64) << i
                words.append(w)
            order = np.lexsort(words[::-1])
            first = np.zeros(v.n, bool)  # in sorted order: a view unlike the one before it
            first[:1] = True
            for w in words:
                sw = w[order]
                first[1:] |= sw[1:] != sw[:-1]
            inverse = np.empty(v.n, np.int64)
            inverse[order] = np.cumsum(first) - 1
            uniq = np.ascontiguousarray(bits[:, order[first]].T)
            self._patterns = inverse
            self._pattern_keys = [u.tobytes() for u in uniq]
        return self._patterns

    @staticmethod
    def _sets(bits: np.ndarray, n_ob: int) -> tuple[set, set]:
        present = set(np.flatnonzero(bits[:n_ob]).tolist())
        return present, set(np.flatnonzero(bits[n_ob:]).tolist()) & present

    def _blocked(self, p: int, y: int):
        """(the duties that never fell due from y on, the duty that fell due and was never done
        they wait on) for views of pattern p, or None: a depth-first search over what y waits
        on, in the order of its dependencies."""
        bits = self._pattern_keys[p]
        memo = self._blocked_memo.get(bits)
        if memo is None:
            memo = self._blocked_memo[bits] = (
                self._sets(np.frombuffer(bits, bool), len(self.ctx[1])),
                {},
            )
        if y not in memo[1]:
            present, finished = memo[0]
            deps = self.ctx[3]
            seen: set[int] = set()

            def search(y: int):
                if y in seen:
                    return None
                seen.add(y)
                for x, _ in deps.get(y, ()):
                    if x in present:
                        if x in finished:
                            continue
                        return (y,), x
                    sub = search(x)
                    if sub is not None:
                        return (y,) + sub[0], sub[1]
                return None

            memo[1][y] = search(y)
        return memo[1][y]

    def _services(self, batch: Batch, v: _Views, pred) -> list:
        """Each service's time beyond its RTO, along the chain of the duty that restored it (the
        one that fell due last, where several did at that moment) or, never restored, of a
        restoring duty that fell due, or else that could not fall due."""
        proc, _, services, _, _, _, restore, _ = self.ctx
        svc = batch.svc
        out: list = []
        if not svc["svc"].size:
            return out
        lateness = (
            svc["downtime"]
            - np.array([float(proc.services[services[s]].rto_min) for s in range(len(services))])[
                svc["svc"].astype(np.int64)
            ]
        )
        reps = svc["rep"].astype(np.int64) - batch.start
        for s, zs in restore.items():
            srows = np.flatnonzero((svc["svc"] == s) & (lateness > EPS))
            if not srows.size or not zs:
                continue
            r = reps[srows]
            restored = svc["restored"][srows]
            fin = np.isfinite(restored)
            first, count = v.first[r], v.count[r]
            best_v = np.full(srows.size, -1, np.int64)
            best_z = np.full(srows.size, -1, np.int64)
            best_trig = np.zeros(srows.size)
            for k in range(int(count.max(initial=0))):
                has = k < count
                view = np.where(has, first + k, 0)
                for z in zs:
                    done, trig = v.done[z, view], v.trig[z, view]
                    cand = has & v.present[z, view] & (~fin | (np.abs(done - restored) <= EPS))
                    take = cand & ((best_v < 0) | (trig > best_trig))
                    best_v[take], best_z[take], best_trig[take] = view[take], z, trig[take]
            completion = np.where(fin, restored, v.end[np.where(best_v >= 0, best_v, 0)])
            ok = np.flatnonzero(best_v >= 0)
            if ok.size:
                links = self._walk(v, pred, best_v[ok], best_z[ok], _Links(best_v[ok]))
                out += self._attribute(
                    v, links, completion[ok], 1, srows[ok], 0, lateness[srows[ok]]
                )
            # never restored and no restoring duty fell due: the first one that could not
            todo = np.flatnonzero((best_v < 0) & ~fin)
            for k in range(int(count.max(initial=0))):
                if not todo.size:
                    break
                has = k < count[todo]
                todo_k = todo[has]
                view = first[todo_k] + k
                for z in zs:
                    if not todo_k.size:
                        break
                    hit = np.zeros(todo_k.size, bool)
                    for links in self._blocked_links(v, pred, view, z):
                        at = np.searchsorted(view, links.rows)  # rows of this k are distinct views
                        hit[at] = True
                        end = v.end[links.rows]
                        rows = srows[todo_k[at]]
                        out += self._attribute(v, links, end, 1, rows, 0, lateness[rows])
                    done_now = todo_k[hit]
                    todo = np.setdiff1d(todo, done_now, assume_unique=True)
                    todo_k, view = todo_k[~hit], view[~hit]
        return out

    def _attribute(
        self, v: _Views, links: _Links, completion, phase, position, item, lateness=None
    ) -> list:
        """Split each chain's lateness over its links in proportion to the time each held the
        chain beyond its allowance (a duty's chain: by how much its completion overran the
        chain's cumulative deadline, the duty's own link left out; a service's: the given
        lateness, the restoring duty's link included): the contributions to `attributed`, each with the keys that
        order them as the per-replication walk added them (replication; the duties' chains, then
        the services'; the view or the service's row; the duty; the link)."""
        zero = np.zeros(completion.size)
        total, n_links = zero.copy(), np.zeros(completion.size, np.int64)
        last = links.trig[0]
        uses, positive = [], zero.copy()
        prev = completion
        for trig, allow, valid in zip(links.trig, links.allow, links.valid):
            total = np.where(valid, total + allow, total)
            n_links += valid
            last = np.where(valid, trig, last)
            u = prev - trig - allow
            uses.append(u)
            positive = np.where(valid & (u > 0), positive + u, positive)
            prev = trig
        service = lateness is not None
        if lateness is None:
            lateness = completion - last - total
            keep = (n_links >= 2) & (lateness > EPS) & (positive > EPS)
        else:
            keep = positive > EPS
        part = np.where(positive < lateness, positive, lateness)
        out = []
        for i, (duty, u, valid) in enumerate(zip(links.duty, uses, links.valid)):
            if i == 0 and not service:
                continue
            take = np.flatnonzero(keep & valid & (u > 0))
            if take.size:
                two, places, items, steps = self._radix
                key = v.rep[links.rows[take]] * two + phase
                at = item[take] if isinstance(item, np.ndarray) else item
                key = ((key * places + np.asarray(position)[take]) * items + at) * steps + i
                out.append((duty[take], part[take] * u[take] / positive[take], key))
        return out

    # --- over every batch ------------------------------------------------------------------------
    def result(self, parts: list[dict], n: int) -> list[dict]:
        """The critical_path list from the sums of every batch (in replication order)."""
        proc, names, services, deps, dependants, static_dl, restore, restoring = self.ctx
        n_ob = len(names)
        attributed = sum((p["attributed"] for p in parts), np.zeros(n_ob))
        passed_sum = sum((p["passed_sum"] for p in parts), np.zeros(n_ob))
        passed_n = sum((p["passed_n"] for p in parts), np.zeros(n_ob))
        passed_pos = sum((p["passed_pos"] for p in parts), np.zeros(n_ob))
        total = attributed.sum()
        out = []
        for x in range(n_ob):
            if x not in dependants and x not in restoring:
                continue
            ob = proc.obligations[names[x]]
            out.append(
                {
                    "id": names[x],
                    "clause": ob.clause,
                    "title": ob.title,
                    "title_en": ob.title_en,
                    "mean_delay_passed_min": _f(passed_sum[x] / passed_n[x], 3)
                    if passed_n[x]
                    else None,
                    "p_passed_delay": _f(passed_pos[x] / passed_n[x]) if passed_n[x] else None,
                    "downstream_lateness_min": _f(attributed[x] / n, 3) if n else None,
                    "share_of_downstream_lateness": _f(attributed[x] / total) if total > 0 else 0.0,
                    "dependants": [names[y] for y in dependants.get(x, [])]
                    + [f"service:{services[s]}" for s, zs in restore.items() if x in zs],
                }
            )
        out.sort(
            key=lambda e: (
                -(e["share_of_downstream_lateness"] or 0),
                -(e["mean_delay_passed_min"] or 0),
            )
        )
        return out


def critical_path(plan: Plan, batch: Batch) -> list[dict]:
    """CriticalPath over one batch of records."""
    cp = CriticalPath(plan)
    return cp.result([cp.sums(batch)], batch.count)
