"""The paired differences of a comparison from running sums: memory flat in the number of
replications.

Each variant is paired with the base replication by replication (common random numbers). The
interval of a difference of ratios sum(h)/sum(t), variant minus base, is the delta method's on
the paired linearised values
    d_r = (hv[r] - p_var tv[r]) / mean(tv) - (hb[r] - p_base tb[r]) / mean(tb),
the estimate +- z sd(d)/sqrt(N). With t = 1 in every replication this is the ordinary normal
interval on the paired differences; proportions (h a hit indicator) and means (h a downtime, t =
1 where the service went down) go through the same formula. It needs, besides the two
ratios, the sum over replications of the squared linearised differences, which expands into
sums of products of the per-replication values: per side sum h, sum t, sum h^2, sum h t,
sum t^2, and across the sides sum hv hb, sum hv tb, sum tv hb, sum tv tb. `Pairing` takes each
plan's tally part (scoring.tally) as it comes, and as soon as every plan's part of the same
replications has come it adds their sums and drops the parts.

Hits, occurrences, RTO met and decided, went down: integers, summed as Python integers, and the
interval computed from them exactly (one rounding at the end): a variant equal to the base gives
exactly [0, 0], and the figures are those of the per-replication computation up to its own
rounding. Downtimes are floats: their sums are added batch by batch in replication order, and
the expansion is grouped so that a variant equal to the base still cancels to exactly 0.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from .stats import Z95

_KEYS = ("n", "Hv", "Tv", "Hb", "Tb", "vhh", "vht", "vtt", "bhh", "bht", "btt")
_CROSS = ("xhh", "xht", "xth", "xtt")


def batch_sums(hv, tv, hb, tb, exact: bool) -> dict[str, Any]:
    """One batch's sums of a pair of per-replication (hits, trials) arrays."""
    kind = int if exact else float
    hv, tv, hb, tb = (np.asarray(a, np.int64 if exact else np.float64) for a in (hv, tv, hb, tb))
    if not (hv.any() or tv.any() or hb.any() or tb.any()):  # e.g. a service down in no replication
        return _zero_sums(int(hv.size), exact)

    def s(a: np.ndarray) -> int | float:
        return kind(a.sum())

    diff = hv / np.where(tv > 0, tv, 1) - hb / np.where(tb > 0, tb, 1)
    return {
        "n": int(hv.size),
        "Hv": s(hv),
        "Tv": s(tv),
        "Hb": s(hb),
        "Tb": s(tb),
        "vhh": s(hv * hv),
        "vht": s(hv * tv),
        "vtt": s(tv * tv),
        "bhh": s(hb * hb),
        "bht": s(hb * tb),
        "btt": s(tb * tb),
        "xhh": s(hv * hb),
        "xht": s(hv * tb),
        "xth": s(tv * hb),
        "xtt": s(tv * tb),
        "higher": int((diff > 1e-12).sum()),
        "lower": int((diff < -1e-12).sum()),
        "same_t": bool(np.array_equal(tv, tb)),
        "all01": bool(_is01(tv) and _is01(hv) and _is01(hb)),
        "exact": exact,
    }


# joint values of a replication's (hv, tv, hb, tb) counted at once up to this many codes
_JOINT_MAX = 1 << 22


def exact_sums(hv, tv, hb, tb) -> list[dict[str, Any]]:
    """batch_sums(..., exact=True) of each row of four integer (rows x replications) arrays:
    the same figures, from how many replications have each joint value (hv, tv, hb, tb), which
    are few (mostly 0 and 1), counted at once over every row: each sum is its joint values'
    products times their counts, exact integers, and the replications higher and lower, the
    same trials and the 0/1 test are read off the joint values present."""
    hv, tv, hb, tb = (np.asarray(a) for a in (hv, tv, hb, tb))
    rows, n = hv.shape
    # a row all 0 in the four (a duty that fell due in neither plan: 49 of chemical_leak_drill's
    # 57 in a batch) has every sum 0: written down without counting its replications
    live = np.flatnonzero(hv.any(axis=1) | tv.any(axis=1) | hb.any(axis=1) | tb.any(axis=1))
    if live.size < rows:
        got = iter(exact_sums(hv[live], tv[live], hb[live], tb[live]))
        alive = set(live.tolist())
        return [next(got) if r in alive else _zero_sums(int(n)) for r in range(rows)]
    lo = min(int(a.min()) for a in (hv, tv, hb, tb)) if rows and n else 0
    k = max(int(a.max()) for a in (hv, tv, hb, tb)) + 1 if rows and n else 1
    if not rows or lo < 0 or rows * k**4 > _JOINT_MAX:
        return [batch_sums(hv[r], tv[r], hb[r], tb[r], True) for r in range(rows)]
    k4 = k**4
    code = hv.astype(np.int32)  # rows * k**4 codes fit (_JOINT_MAX)
    for a in (tv, hb, tb):
        code *= k
        code += a
    code += np.arange(rows, dtype=np.int32)[:, None] * k4
    counts = np.bincount(code.ravel(), minlength=rows * k4)
    nz = np.flatnonzero(counts)
    row, c = nz // k4, nz % k4
    cnt = counts[nz].astype(np.int64)
    jtb, c = c % k, c // k
    jhb, c = c % k, c // k
    jtv, jhv = c % k, c // k

    def total(values: np.ndarray) -> list[int]:
        acc = np.zeros(rows, np.int64)
        np.add.at(acc, row, cnt * values)
        return acc.tolist()

    sums = {
        "Hv": total(jhv),
        "Tv": total(jtv),
        "Hb": total(jhb),
        "Tb": total(jtb),
        "vhh": total(jhv * jhv),
        "vht": total(jhv * jtv),
        "vtt": total(jtv * jtv),
        "bhh": total(jhb * jhb),
        "bht": total(jhb * jtb),
        "btt": total(jtb * jtb),
        "xhh": total(jhv * jhb),
        "xht": total(jhv * jtb),
        "xth": total(jtv * jhb),
        "xtt": total(jtv * jtb),
    }
    diff = jhv / np.where(jtv > 0, jtv, 1) - jhb / np.where(jtb > 0, jtb, 1)
    higher, lower = total(diff > 1e-12), total(diff < -1e-12)
    other_t = np.bincount(row[jtv != jtb], minlength=rows)
    not01 = np.bincount(row[(jtv > 1) | (jhv > 1) | (jhb > 1)], minlength=rows)
    return [
        {
            "n": int(n),
            **{key: v[r] for key, v in sums.items()},
            "higher": higher[r],
            "lower": lower[r],
            "same_t": bool(other_t[r] == 0),
            "all01": bool(not01[r] == 0),
            "exact": True,
        }
        for r in range(rows)
    ]


def _zero_sums(n: int, exact: bool = True) -> dict[str, Any]:
    """batch_sums of n replications whose four values are all 0."""
    zero = {key: 0 if exact else 0.0 for key in _KEYS[1:] + _CROSS}
    return {"n": n, **zero, "higher": 0, "lower": 0, "same_t": True, "all01": True, "exact": exact}


def _is01(x: np.ndarray) -> bool:
    return bool(np.all((x == 0) | (x == 1)))


def add(acc: dict | None, part: dict) -> dict:
    """acc + one batch's sums (acc None: the first)."""
    if acc is None:
        return dict(part)
    out = {k: acc[k] + part[k] for k in _KEYS + _CROSS + ("higher", "lower")}
    out["same_t"] = acc["same_t"] and part["same_t"]
    out["all01"] = acc["all01"] and part["all01"]
    out["exact"] = acc["exact"]
    return out


def difference(s: dict | None, z: float = Z95) -> dict | None:
    """The paired interval of a difference of ratios, from the sums (module docstring)."""
    if s is None:
        return None
    n, Hv, Tv, Hb, Tb = s["n"], s["Hv"], s["Tv"], s["Hb"], s["Tb"]
    if n == 0 or Tv <= 0 or Tb <= 0:
        return None
    p_var, p_base = Hv / Tv, Hb / Tb
    delta = p_var - p_base
    if n < 2:
        se = math.inf
    elif s["exact"]:
        # sum over replications of d_r^2 = n^2 X / (Tv Tb)^4, X an integer (module docstring)
        a2 = Tv * Tv * s["vhh"] - 2 * Tv * Hv * s["vht"] + Hv * Hv * s["vtt"]
        b2 = Tb * Tb * s["bhh"] - 2 * Tb * Hb * s["bht"] + Hb * Hb * s["btt"]
        ab = Tv * Tb * s["xhh"] - Tv * Hb * s["xht"] - Hv * Tb * s["xth"] + Hv * Hb * s["xtt"]
        x = Tb**4 * a2 - 2 * Tv * Tv * Tb * Tb * ab + Tv**4 * b2
        se = math.sqrt(float(Fraction(n * x, (n - 1) * (Tv * Tb) ** 4)))
    else:
        # d_r = al hv + be tv + ga hb + de tb; grouped so that equal sides cancel exactly
        al, be = n / Tv, -(Hv * n / Tv) / Tv
        ga, de = -(n / Tb), (Hb * n / Tb) / Tb
        g1 = (al * al * s["vhh"] + ga * ga * s["bhh"]) + 2 * al * ga * s["xhh"]
        g2 = (be * be * s["vtt"] + de * de * s["btt"]) + 2 * be * de * s["xtt"]
        g3 = (2 * al * be * s["vht"] + 2 * ga * de * s["bht"]) + (
            2 * al * de * s["xht"] + 2 * be * ga * s["xth"]
        )
        se = math.sqrt(max(0.0, (g1 + g2) + g3) / (n * (n - 1)))
    higher, lower = s["higher"], s["lower"]
    # Hit indicators of a duty that fell due in the same replications in both plans: the paired
    # differences are -1/0/+1 and the normal interval is too narrow when only a handful of
    # replications differ. Widen it by 1/T (T: replications where it fell due), which makes
    # "excludes 0" agree with McNemar's exact test at small counts (5 of 5 discordant in one
    # direction: not a change; 6 of 6: a change). None when no replication differs: [0, 0].
    cc = 1.0 / Tv if (higher or lower) and s["same_t"] and s["all01"] else 0.0
    return {
        "delta": delta,
        "lo": delta - z * se - cc,
        "hi": delta + z * se + cc,
        "se": se,
        "var": p_var,
        "base": p_base,
        "higher": higher,
        "lower": lower,
        "continuity": cc,
    }


class Pairing:
    """Each variant's paired sums against the base, per duty and service, from the tallies'
    parts as they come (tallies[0] is the base's). Sets `pairs` on each variant's tally:
    key -> sums, keys ("duty", id), ("same_rule", id), ("rto", service), ("downtime", service)."""

    def __init__(self, tallies: list):
        self.tallies = tallies
        self.parts: dict[int, dict[int, dict]] = {}  # start -> plan -> its per-replication counts
        # start -> (replications, each variant's sums), waiting for their predecessors
        self.done: dict[int, tuple[int, list[dict]]] = {}
        self.count = 0
        base = tallies[0]
        for tally in tallies[1:]:
            tally.pairs = {}
            tally.duty_ids = list(base.obligations) + [
                o for o in tally.obligations if o not in base.obligations
            ]
            tally.service_ids = list(base.services) + [
                s for s in tally.services if s not in base.services
            ]

    def add(self, j: int, part) -> None:
        self.parts.setdefault(part.start, {})[j] = _counts(self.tallies[j], part)
        mine = self.parts[part.start]
        if len(mine) < len(self.tallies):
            return
        del self.parts[part.start]
        self.done[part.start] = (
            part.count,
            [
                self._sums(mine[0], mine[j], self.tallies[j], part.count)
                for j in range(1, len(self.tallies))
            ],
        )
        while self.count in self.done:  # float sums added in replication order
            count, sums = self.done.pop(self.count)
            for tally, s in zip(self.tallies[1:], sums):
                for key, value in s.items():
                    tally.pairs[key] = add(tally.pairs.get(key), value)
            self.count += count

    @staticmethod
    def _sums(base: dict, var: dict, tally, count: int) -> dict:
        zero = np.zeros(count, np.int16)
        out: dict[Any, Any] = {}
        # every duty at once: the plans' rows of hits and occurrences in the order of duty_ids
        matrices = [_rows(side, tally.duty_ids, zero) for side in (var, base)]
        (hv, tv), (hb, tb) = matrices
        duty = exact_sums(hv, tv, hb, tb)
        shifted = [oid for oid in tally.duty_ids if oid in var["shifted"]]
        where = {oid: i for i, oid in enumerate(tally.duty_ids)}
        at = [where[oid] for oid in shifted]
        same_rule = iter(
            exact_sums(np.stack([var["shifted"][o] for o in shifted]), tv[at], hb[at], tb[at])
            if shifted
            else []
        )
        for i, oid in enumerate(tally.duty_ids):
            out[("duty", oid)] = duty[i]
            if oid in var["shifted"]:
                out[("same_rule", oid)] = next(same_rule)
        svc = []
        for sid in tally.service_ids:
            b = base["svc"].get(sid)
            v = var["svc"].get(sid)
            b = b or {"down": zero, "met": zero, "decided": zero, "downtime": zero}
            v = v or {"down": zero, "met": zero, "decided": zero, "downtime": zero}
            svc.append((v, b))
        cols = [(v["met"], v["decided"], b["met"], b["decided"]) for v, b in svc]
        rto = iter(exact_sums(*(np.stack([c[i] for c in cols]) for i in range(4))) if svc else [])
        for sid, (v, b) in zip(tally.service_ids, svc):
            out[("rto", sid)] = next(rto)
            out[("downtime", sid)] = batch_sums(
                v["downtime"], v["down"], b["downtime"], b["down"], False
            )
        return out


def _rows(side: dict, ids: list[str], zero: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A plan's (hits, occurrences) per duty of ids (zeros for a duty it does not have) and
    replication: its part's own arrays when its duties are ids."""
    if side["ids"] == ids and side["hits"] is not None:
        return side["hits"], side["trials"]
    pairs = [side["duty"].get(oid, (zero, zero)) for oid in ids]
    return np.stack([h for h, _ in pairs]), np.stack([t for _, t in pairs])


def _counts(tally, part) -> dict:
    """What pairing needs of one plan's part: per duty its hits and occurrences per replication
    (and the hits against the base's deadline), per service its per-replication columns."""
    return {
        "ids": tally.obligations,
        "hits": part.hits,
        "trials": part.trials,
        "duty": {o: (h, t) for o, h, t in zip(tally.obligations, part.hits, part.trials)},
        "shifted": {
            o: d.shifted for o, d in zip(tally.obligations, part.duties) if d.shifted is not None
        },
        "svc": {s: sp.per_rep for s, sp in zip(tally.services, part.services)},
    }
