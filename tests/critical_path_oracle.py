"""The critical path's sums as they were computed before they were vectorised
(scoring/critical_path.py): one replication at a time, in Python. Kept verbatim as the oracle
that tests/test_critical_path.py holds the vectorised computation to, bit for bit."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from drillsim.scoring.tally import EPS
from drillsim.simulator.replications import Batch


@dataclass
class _Occ:
    trig: float
    dead: float
    done: float
    met: float


def _binding(o: _Occ, occs: dict[int, _Occ], dep) -> int | None:
    """The predecessor whose completion made this duty fall due, if any."""
    best = None
    for x, kind in dep:
        ox = occs.get(x)
        if ox is None:
            continue
        if kind == "done":
            ok = math.isfinite(ox.met) and abs(ox.met - o.trig) <= EPS
        elif kind == "due":
            ok = abs(ox.trig - o.trig) <= EPS
        else:  # reached: its message reached the role while it was under way
            ok = ox.trig <= o.trig + EPS and (not math.isfinite(ox.met) or ox.met >= o.trig - EPS)
        if ok and (best is None or ox.trig > occs[best].trig):
            best = x
    return best


class _Chains:
    """One replication's first occurrences of one incident, linked to their binding predecessors."""

    def __init__(self, occs: dict[int, _Occ], deps: dict, static_dl: list, end: float):
        self.occs, self.deps, self.static_dl, self.end = occs, deps, static_dl, end
        self.pred = {y: _binding(o, occs, deps.get(y, ())) for y, o in occs.items()}

    def links(self, y: int) -> list[tuple[int, float, float]]:
        """[(duty, fell due at, allowance)] from y back to the start of its chain."""
        out, seen = [], set()
        cur: int | None = y
        while cur is not None and cur not in seen:
            seen.add(cur)
            c = self.occs[cur]
            out.append((cur, c.trig, c.dead - c.trig))
            cur = self.pred[cur]
        return out

    def blocked(self, y: int, seen: set | None = None):
        """For a duty that never fell due because a duty it waits on (directly or through others
        that never fell due either) fell due and was never done: the links, counting the duties
        that never fell due as falling due at the end with their nominal allowance; else None."""
        seen = set() if seen is None else seen
        if y in seen:
            return None
        seen.add(y)
        for x, _ in self.deps.get(y, ()):
            ox = self.occs.get(x)
            if ox is not None:
                if math.isfinite(ox.done):
                    continue
                return [(y, self.end, self.static_dl[y])] + self.links(x)
            sub = self.blocked(x, seen)
            if sub is not None:
                return [(y, self.end, self.static_dl[y])] + sub
        return None


def _attribute(
    links, completion: float, lateness: float, attributed: np.ndarray, include_terminal: bool
) -> float:
    """Split `lateness` over the links in proportion to the time each held the chain beyond its
    allowance; return what could not be attributed."""
    uses = [completion - links[0][1] - links[0][2]]
    uses += [links[i - 1][1] - links[i][1] - links[i][2] for i in range(1, len(links))]
    positive = sum(u for u in uses if u > 0)
    if positive <= EPS:
        return lateness
    part = min(lateness, positive)
    for i, ((duty, _, _), u) in enumerate(zip(links, uses)):
        if u > 0 and (include_terminal or i > 0):
            attributed[duty] += part * u / positive
    return lateness - part


def oracle_sums(cp, batch: Batch) -> dict:
    """CriticalPath.sums as it was: replication by replication, in Python."""
    proc, names, services, deps, dependants, static_dl, restore, restoring = cp.ctx
    n_ob = len(names)
    attributed = np.zeros(n_ob)  # downstream lateness minutes, summed over replications
    passed_sum, passed_n, passed_pos = np.zeros(n_ob), np.zeros(n_ob), np.zeros(n_ob)
    unattributed = 0.0
    occ, svc = batch.duties, batch.svc
    first = np.flatnonzero(occ["n"] == 1)
    cuts = np.searchsorted(occ["rep"][first] - batch.start, np.arange(batch.count + 1))
    svc_cuts = np.searchsorted(svc["rep"] - batch.start, np.arange(batch.count + 1))
    cols = [occ[k][first].tolist() for k in ("inc", "ob", "triggered", "deadline", "done", "met")]

    for r in range(batch.count):
        end = float(batch.end[r])
        by_inc: dict[int, dict[int, _Occ]] = {}
        for j in range(cuts[r], cuts[r + 1]):
            by_inc.setdefault(cols[0][j], {})[cols[1][j]] = _Occ(
                cols[2][j], cols[3][j], cols[4][j], cols[5][j]
            )
        views = {inc: _Chains(occs, deps, static_dl, end) for inc, occs in by_inc.items()}
        # when each service that went down in this replication came back (inf: never)
        back = {
            int(svc["svc"][k]): float(svc["restored"][k])
            for k in range(svc_cuts[r], svc_cuts[r + 1])
        }
        for view in views.values():
            occs = view.occs
            first_dep: dict[int, float] = {}
            for y, x in view.pred.items():
                if x is not None:
                    first_dep[x] = min(first_dep.get(x, math.inf), occs[y].trig)
            for x, o in occs.items():
                if x not in dependants and x not in restoring:
                    continue
                held = 0.0
                if x in first_dep:
                    held = first_dep[x] - o.dead
                elif not math.isfinite(o.done) and any(
                    d not in occs for d in dependants.get(x, ())
                ):
                    held = end - o.dead
                for s, zs in restore.items():  # a restoring duty hands on to its service
                    if x in zs and s in back:
                        t = back[s]
                        if not math.isfinite(t):
                            held = max(held, end - o.dead)
                        elif abs(o.done - t) <= EPS:
                            held = max(held, t - o.dead)
                passed_sum[x] += max(0.0, held)
                passed_n[x] += 1
                passed_pos[x] += held > EPS
            for y in range(n_ob):
                oy = occs.get(y)
                if oy is not None:
                    if view.pred[y] is None:
                        continue  # the start of a chain: its lateness is its own
                    links: list[tuple[int, float, float]] | None = view.links(y)
                    completion = oy.done if math.isfinite(oy.done) else end
                elif deps.get(y):
                    links = view.blocked(y)
                    completion = end
                else:
                    continue
                if not links or len(links) < 2:
                    continue
                lateness = completion - links[-1][1] - sum(link[2] for link in links)
                if lateness > EPS:
                    unattributed += _attribute(
                        links, completion, lateness, attributed, include_terminal=False
                    )
        for srow in range(svc_cuts[r], svc_cuts[r + 1]):
            s = int(svc["svc"][srow])
            lateness = float(svc["downtime"][srow]) - proc.services[services[s]].rto_min
            if lateness <= EPS:
                continue
            restored = float(svc["restored"][srow])
            links, completion = None, end
            if math.isfinite(restored):
                completion = restored
                found = [
                    (view, z)
                    for view in views.values()
                    for z in restore.get(s, [])
                    if z in view.occs and abs(view.occs[z].done - restored) <= EPS
                ]
            else:
                found = [
                    (view, z)
                    for view in views.values()
                    for z in restore.get(s, [])
                    if z in view.occs
                ]
            if found:
                view, z = max(found, key=lambda vz: vz[0].occs[vz[1]].trig)
                links = view.links(z)
            elif not math.isfinite(restored):
                for view in views.values():
                    for z in restore.get(s, []):
                        links = view.blocked(z)
                        if links:
                            break
                    if links:
                        break
            if links:
                unattributed += _attribute(
                    links, completion, lateness, attributed, include_terminal=True
                )
            else:
                unattributed += lateness

    return {
        "attributed": attributed,
        "passed_sum": passed_sum,
        "passed_n": passed_n,
        "passed_pos": passed_pos,
    }
