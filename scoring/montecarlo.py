"""Monte Carlo over replications, and plan-variant comparison with common random numbers.

`montecarlo(...)` runs N replications of a plan (simulator/replications.py) and summarises them
as the `drillsim montecarlo --json` object; `compare(...)` runs the base and each variant on the
same seeds and adds the paired differences (`drillsim compare --json`). Both shapes are
documented in docs/MONTECARLO.md; after-action reports read them.

Statistics: scoring/stats.py. Nothing here depends on how the replications were spread over
workers: the records arrive in replication order and every sum runs in that order.
"""

from __future__ import annotations

import csv

import numpy as np

from drillsim.simulator.loader import portable_ref, scenario_path
from drillsim.simulator.plan import Plan
from drillsim.simulator.replications import Batch, Job, RunInfo, plan_for, run_replications
from drillsim.words import t
from drillsim.words.formatting import level_word, pct

from . import paired
from .critical_path import CriticalPath, critical_path, restorers  # noqa: F401 (their home was here)
from .paired import Pairing
from .records import RecordsWriter
from .stats import (
    _f,
    clustered_from_sums,
    excludes_zero,
)
from .tally import (
    HIT,
    LATE,
    MISSED,
    OPEN,
    Reduction,
    Tally,
    basis,
    duty_rows,
    per_rep,
    service_rows,
)

# --- per-replication counts -----------------------------------------------------------------------


def obligation_counts(
    plan: Plan, batch: Batch, oid: str, how: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(hits per replication, occurrences per replication) of one duty, on its basis."""
    layout = batch.layout
    if oid not in layout.obligations:
        z = np.zeros(batch.count)
        return z, z
    rows = duty_rows(batch, layout.obligations.index(oid), how or basis(plan, oid))
    hit = (batch.duties["status"][rows] == HIT).astype(float)
    return per_rep(batch, rows, hit), per_rep(batch, rows)


def service_counts(batch: Batch, sid: str) -> dict[str, np.ndarray]:
    """Per replication: went down (0/1), RTO met (0/1), RTO decided (0/1), downtime (0 if not down)."""
    if sid not in batch.layout.services:
        return {k: np.zeros(batch.count) for k in ("down", "met", "decided", "downtime")}
    return service_rows(batch, batch.layout.services.index(sid))


# --- one plan's summary -------------------------------------------------------------------------------


def _obligation(plan: Plan, tally: Tally, k: int, n: int) -> dict:
    oid = tally.obligations[k]
    ob = plan.procedure.obligations[oid]
    d = tally.duty(k)
    hits, total, hh, ht, tt, reps = (float(x) for x in d["moments"])
    status = d["status"]
    share = lambda code: _f(status[code] / total) if total else None
    prop = clustered_from_sums(hits, total, hh, ht, tt, int(reps), d["most"]) if total else None
    took, never = d["took"], d["never"]
    late_by = d["late_by"]
    med, p90, p95 = took.quantiles((0.5, 0.9, 0.95), never=never)
    hist = took.histogram()
    hist["not_done"] = never
    return {
        "id": oid,
        "clause": ob.clause,
        "title": ob.title,
        "title_en": ob.title_en,
        "role": ob.role,
        "basis": tally.bases[k],
        "deadline_min": _f(d["allowance"], 3) if total else None,
        "triggered": int(reps),
        "occurrences": int(total),
        "p_triggered": _f(reps / n) if n else None,
        "p_hit": _f(prop["p"]) if prop else None,
        "ci95": [_f(prop["lo"]), _f(prop["hi"])] if prop else None,
        "p_late": share(LATE),
        "p_missed": share(MISSED),
        "p_open": share(OPEN),
        "p_by_deputy": _f(d["deputy"] / took.size) if took.size else None,
        "done_min": {"median": _f(med, 3), "p90": _f(p90, 3), "p95": _f(p95, 3)},
        "late_by_min": {
            k: v for k, v in late_by.describe().items() if k in ("mean", "median", "p90")
        }
        if late_by.size
        else None,
        "histogram": hist,
    }


def _service(plan: Plan, tally: Tally, s: int) -> dict:
    sid = tally.services[s]
    svc = plan.procedure.services[sid]
    c = tally.service(s)
    prop = clustered_from_sums(c["met"], c["decided"], 0, 0, 0, 0, 1) if c["decided"] else None
    downtime = c["downtime"]
    return {
        "service": sid,
        "name": svc.name,
        "name_en": svc.name_en,
        "rto_min": svc.rto_min,
        "down": c["down"],
        "p_rto_met": _f(prop["p"]) if prop else None,
        "ci95": [_f(prop["lo"]), _f(prop["hi"])] if prop else None,
        "p_restored": _f(c["restored"] / c["rows"]) if c["rows"] else None,
        "downtime_min": downtime.describe()
        if downtime.size
        else {"mean": None, "median": None, "p90": None, "p95": None},
        "histogram": downtime.histogram(),
    }


def _levels(counts: dict[int, int]) -> dict[str, float]:
    size = sum(counts.values())
    return {str(lv): _f(c / size) for lv, c in sorted(counts.items())} if size else {}


def summarise(
    plan: Plan,
    records: Batch | Tally,
    seed: int,
    variant_ids: list[str],
    variant_refs: list[str] | None = None,
) -> dict:
    """The `drillsim montecarlo --json` object for one plan's replications (their records, or
    the tally they were reduced to as they came)."""
    if isinstance(records, Batch):
        tally = Tally(plan)
        tally.add(records)
    else:
        tally = records
    n = tally.n
    sc = plan.scenario
    sums = tally.critical_sums()
    return {
        "kind": "montecarlo",
        "scenario": sc.id,
        "title": sc.title,
        "title_en": sc.title_en,
        "variants": list(variant_ids),
        "variant_refs": list(variant_refs if variant_refs is not None else variant_ids),
        "n": n,
        "seed": seed,
        "obligations": [_obligation(plan, tally, k, n) for k in range(len(tally.obligations))],
        "services": [_service(plan, tally, s) for s in range(len(tally.services))],
        "final_grade": _levels(tally.levels("declared")),
        "final_level_true": _levels(tally.levels("true_level")),
        "critical_path": tally.critical.result([sums] if sums is not None else [], n),
        "graded": plan.procedure.grading is not None,
        "events_per_replication": _f(tally.events() / n, 2) if n else None,
    }


# --- running ---------------------------------------------------------------------------------------


def variant_meta(ref: str) -> dict:
    """id, title and title_en of a variant file (its stem when it has no id)."""
    from drillsim.simulator.formats.yamlsrc import load  # not on every start: 98 M instructions
    from drillsim.simulator.loader import variant_path

    path = variant_path(ref)
    data, _ = load(path)
    data = data if isinstance(data, dict) else {}
    return {
        "id": str(data.get("id") or path.stem),
        "title": str(data.get("title", "")),
        "title_en": str(data.get("title_en", "")),
        "file": str(path),
    }


def _variant_metas(plan: Plan, refs) -> list[dict]:
    """variant_meta of each of `refs`, the variants `plan` was loaded with: as the loader read
    them (loader.py), without reading the files again."""
    known = plan.variant_meta
    return list(known) if len(known) == len(refs) else [variant_meta(v) for v in refs]


def _refs(scenario: str, variants) -> tuple[str, tuple[str, ...]]:
    """How workers and the JSON name a scenario and its variants (loader.portable_ref); a variant
    named by id is looked for beside the scenario first. One home for montecarlo and compare."""
    ref = portable_ref(scenario)
    near = (scenario_path(ref).parent,)
    return ref, tuple(portable_ref(v, "variant", near) for v in variants)


def _check_seed(seed) -> int:
    seed = int(seed)
    if seed < 0:
        raise ValueError("the seed must be a non-negative integer")
    return seed


def montecarlo(
    scenario: str,
    n: int,
    seed: int = 1,
    variants: tuple[str, ...] | list[str] = (),
    *,
    workers: int | None = None,
    batch: int | None = None,
    dask=None,
    progress=None,
    log_dir: str | None = None,
    info: RunInfo | None = None,
    records: str | None = None,
    fast: bool | None = None,
) -> dict:
    """N replications of the scenario (with any variants applied): the `montecarlo --json` object.

    The replications are reduced batch by batch as they finish (scoring.tally), so memory stays
    flat in N; `records`: also write every replication's records to this file (.csv, .jsonl or
    .parquet, scoring.records)."""
    seed, n = _check_seed(seed), int(n)
    if n < 1:
        raise ValueError("the number of replications must be at least 1")
    ref, vrefs = _refs(scenario, variants)
    plan = plan_for(ref, vrefs)  # problems in the files surface here, before any worker starts
    metas = _variant_metas(plan, vrefs)
    tally = Tally(plan, n=n)
    # the batches reduced where they are computed, unless every record is written here
    reduce = None if records else Reduction(((ref, vrefs, False, ()),))
    with RecordsWriter.open(records, [("", plan)]) as writer:

        def consume(_job: int, b) -> None:
            if reduce is not None:
                tally.take(b)
            else:
                writer.write(0, b)
                tally.add(b)

        run_replications(
            [Job(ref, vrefs, n, seed)],
            workers=workers,
            batch=batch,
            dask=dask,
            progress=progress,
            log_dir=log_dir,
            info=info,
            consume=consume,
            fast=fast,
            reduce=reduce,
        )
    return summarise(plan, tally, seed, [m["id"] for m in metas], list(vrefs))


def compare(
    scenario: str,
    variants: list[str],
    n: int,
    seed: int = 1,
    *,
    base_variants: tuple[str, ...] | list[str] = (),
    workers: int | None = None,
    batch: int | None = None,
    dask=None,
    progress=None,
    log_dir: str | None = None,
    info: RunInfo | None = None,
    records: str | None = None,
    fast: bool | None = None,
) -> dict:
    """The base and each variant on the same seeds (common random numbers), with the paired
    differences per duty and per service: the `compare --json` object. `base_variants` are
    applied to the base and to every variant alike (e.g. a scenario overlay to compare under).
    `records`: also write every replication's records of every plan to this file."""
    seed, n = _check_seed(seed), int(n)
    if n < 2:
        raise ValueError("a comparison needs at least 2 replications")
    if not variants:
        raise ValueError("name at least one variant to compare with the base")
    ref, common = _refs(scenario, base_variants)
    vrefs = list(_refs(scenario, variants)[1])
    base_plan = plan_for(ref, common)
    plans = [plan_for(ref, common + (v,)) for v in vrefs]
    common_ids = [m["id"] for m in _variant_metas(base_plan, common)]
    metas = [_variant_metas(p, common + (v,))[-1] for p, v in zip(plans, vrefs)]
    jobs = [Job(ref, common, n, seed)] + [Job(ref, common + (v,), n, seed) for v in vrefs]
    tallies = [Tally(base_plan, paired=True, n=n)] + [
        Tally(p, paired=True, shifts=deadline_shifts(base_plan, p), n=n) for p in plans
    ]
    pairing = Pairing(tallies)
    named = [("base", base_plan)] + [(m["id"], p) for m, p in zip(metas, plans)]
    reduce = None
    if not records:
        reduce = Reduction(
            tuple(
                (job.scenario, job.variants, True, tuple(sorted(t.shifts.items())))
                for job, t in zip(jobs, tallies)
            )
        )
    with RecordsWriter.open(records, named) as writer:

        def consume(j: int, b) -> None:
            if reduce is not None:
                pairing.add(j, tallies[j].take(b))
            else:
                writer.write(j, b)
                pairing.add(j, tallies[j].add(b))

        run_replications(
            jobs,
            workers=workers,
            batch=batch,
            dask=dask,
            progress=progress,
            log_dir=log_dir,
            info=info,
            consume=consume,
            fast=fast,
            reduce=reduce,
        )
    base = summarise(base_plan, tallies[0], seed, common_ids, list(common))
    out = {
        "kind": "compare",
        "scenario": base_plan.scenario.id,
        "title": base_plan.scenario.title,
        "title_en": base_plan.scenario.title_en,
        "n": n,
        "seed": seed,
        "base_variants": common_ids,
        "changed_rule": "changed: the 95% interval of the paired difference excludes 0",
        "base": base,
        "variants": [],
    }
    for meta, vref, plan, rec in zip(metas, vrefs, plans, tallies[1:]):
        out["variants"].append(
            {
                "id": meta["id"],
                "title": meta["title"],
                "title_en": meta["title_en"],
                "ref": vref,
                "result": summarise(
                    plan, rec, seed, common_ids + [meta["id"]], list(common) + [vref]
                ),
                "obligations": obligation_differences(base_plan, tallies[0], plan, rec),
                "services": service_differences(base_plan, tallies[0], plan, rec),
            }
        )
    return out


def deadline_spec(plan: Plan, oid: str) -> dict | None:
    """A duty's deadline as the compare JSON shows it: {"min": 15}, {"clock": "18:00"} or
    {"by_level": {"1": 15}}; None when the plan has no such obligation."""
    ob = plan.procedure.obligations.get(oid)
    if ob is None:
        return None
    if ob.deadline_min is not None:
        return {"min": ob.deadline_min}
    if ob.deadline_clock is not None:
        return {"clock": ob.deadline_clock}
    return {"by_level": {str(k): v for k, v in sorted(ob.deadline_by_level.items())}}


def _rule(plan: Plan, oid: str):
    ob = plan.procedure.obligations.get(oid)
    return None if ob is None else (deadline_spec(plan, oid), ob.anchor, ob.every_min)


def deadline_shifts(base_plan: Plan, plan: Plan) -> dict[str, float]:
    """Duties whose rule the variant changed, with minutes deadlines in both: how far to move the
    variant's deadlines to judge it by the base's (kept per replication by a paired tally)."""
    out = {}
    for oid in plan.procedure.obligations:
        db, dv = deadline_spec(base_plan, oid), deadline_spec(plan, oid)
        if db and dv and "min" in db and "min" in dv and _rule(base_plan, oid) != _rule(plan, oid):
            out[oid] = db["min"] - dv["min"]
    return out


def _same_rule(var: Tally, oid: str) -> dict | None:
    """Where the variant moved a duty's deadline (minutes to minutes): the variant's response
    against the base's deadline, paired with the base, so that a relaxed rule is not read as a
    faster response."""
    d = paired.difference((var.pairs or {}).get(("same_rule", oid)))
    if d is None:
        return None
    return {
        "p_hit": _f(d["var"]),
        "delta": _f(d["delta"]),
        "ci95": [_f(max(-1.0, d["lo"])), _f(min(1.0, d["hi"]))],
        "changed": excludes_zero(d["lo"], d["hi"]),
    }


def _paired(base_plan: Plan, base: Batch | Tally, plan: Plan, var: Batch | Tally) -> Tally:
    """The variant's tally with its sums paired with the base (compare's, or made here from
    the two plans' records)."""
    if isinstance(var, Tally) and var.pairs is not None:
        return var
    if not (isinstance(base, Batch) and isinstance(var, Batch)):
        raise ValueError("paired differences need both plans' records, or compare's tallies")
    tallies = [
        Tally(base_plan, paired=True),
        Tally(plan, paired=True, shifts=deadline_shifts(base_plan, plan)),
    ]
    pairing = Pairing(tallies)
    pairing.add(0, tallies[0].add(base))
    pairing.add(1, tallies[1].add(var))
    return tallies[1]


def obligation_differences(
    base_plan: Plan, base: Batch | Tally, plan: Plan, var: Batch | Tally
) -> list[dict]:
    """Per duty: P(hit) in the variant minus the base, paired replication by replication (each
    plan's hits counted on that plan's basis for the duty); each plan's deadline, and whether the
    variant changed the rule (deadline, anchor, recurrence)."""
    var = _paired(base_plan, base, plan, var)
    assert var.pairs is not None
    out = []
    for oid in var.duty_ids:
        owner = base_plan if oid in base_plan.procedure.obligations else plan
        ob = owner.procedure.obligations[oid]
        how = basis(owner, oid)
        sums = var.pairs[("duty", oid)]
        d = paired.difference(sums)
        rule_changed = _rule(base_plan, oid) != _rule(plan, oid)
        out.append(
            {
                "id": oid,
                "clause": ob.clause,
                "title": ob.title,
                "title_en": ob.title_en,
                "basis": how,
                "deadline_base": deadline_spec(base_plan, oid),
                "deadline_variant": deadline_spec(plan, oid),
                "rule_changed": rule_changed,
                "same_rule": _same_rule(var, oid) if rule_changed else None,
                "p_hit_base": _f(sums["Hb"] / sums["Tb"]) if sums["Tb"] else None,
                "p_hit_variant": _f(sums["Hv"] / sums["Tv"]) if sums["Tv"] else None,
                "delta_p_hit": _f(d["delta"]) if d else None,
                "ci95": [_f(max(-1.0, d["lo"])), _f(min(1.0, d["hi"]))] if d else None,
                "changed": bool(d and excludes_zero(d["lo"], d["hi"])),
                "replications_higher": d["higher"] if d else None,
                "replications_lower": d["lower"] if d else None,
            }
        )
    return out


def service_differences(
    base_plan: Plan, base: Batch | Tally, plan: Plan, var: Batch | Tally
) -> list[dict]:
    """Per service: P(RTO met) and mean downtime in the variant minus the base, paired."""
    var = _paired(base_plan, base, plan, var)
    assert var.pairs is not None
    out = []
    for sid in var.service_ids:
        owner = base_plan if sid in base_plan.procedure.services else plan
        rto = paired.difference(var.pairs[("rto", sid)])
        down = paired.difference(var.pairs[("downtime", sid)])
        changed_rto = bool(rto and excludes_zero(rto["lo"], rto["hi"]))
        changed_down = bool(down and excludes_zero(down["lo"], down["hi"]))
        out.append(
            {
                "service": sid,
                "name": owner.procedure.services[sid].name,
                "name_en": owner.procedure.services[sid].name_en,
                "p_rto_met_base": _f(rto["base"]) if rto else None,
                "p_rto_met_variant": _f(rto["var"]) if rto else None,
                "delta_p_rto_met": _f(rto["delta"]) if rto else None,
                "ci95": [_f(max(-1.0, rto["lo"])), _f(min(1.0, rto["hi"]))] if rto else None,
                "downtime_mean_base": _f(down["base"], 4) if down else None,
                "downtime_mean_variant": _f(down["var"], 4) if down else None,
                "delta_downtime_mean_min": _f(down["delta"], 4) if down else None,
                "downtime_ci95": [_f(down["lo"], 4), _f(down["hi"], 4)] if down else None,
                "changed": changed_rto or changed_down,
                "changed_rto": changed_rto,
                "changed_downtime": changed_down,
                "replications_rto_higher": rto["higher"] if rto else None,
                "replications_rto_lower": rto["lower"] if rto else None,
            }
        )
    return out


# --- CSV -------------------------------------------------------------------------------------------------

CSV_COLUMNS = [
    "kind",
    "variant",
    "id",
    "clause",
    "title",
    "role",
    "basis",
    "deadline_min",
    "rto_min",
    "triggered",
    "p",
    "ci_lo",
    "ci_hi",
    "p_late",
    "p_missed",
    "p_open",
    "mean_min",
    "median_min",
    "p90_min",
    "p95_min",
    "delta_p",
    "delta_ci_lo",
    "delta_ci_hi",
    "delta_mean_min",
    "delta_mean_ci_lo",
    "delta_mean_ci_hi",
    "changed",
]


def csv_rows(result: dict) -> list[dict]:
    """One row per duty and per service (per variant for a comparison), columns CSV_COLUMNS."""
    if result["kind"] == "montecarlo":
        return _mc_rows(result, "")
    rows = _mc_rows(result["base"], "")
    for v in result["variants"]:
        od = {d["id"]: d for d in v["obligations"]}
        sd = {d["service"]: d for d in v["services"]}
        for row in _mc_rows(v["result"], v["id"]):
            if row["kind"] == "obligation" and row["id"] in od:
                d = od[row["id"]]
                row.update(
                    delta_p=d["delta_p_hit"],
                    delta_ci_lo=(d["ci95"] or [None, None])[0],
                    delta_ci_hi=(d["ci95"] or [None, None])[1],
                    changed=int(d["changed"]),
                )
            elif row["kind"] == "service" and row["id"] in sd:
                d = sd[row["id"]]
                row.update(
                    delta_p=d["delta_p_rto_met"],
                    delta_ci_lo=(d["ci95"] or [None, None])[0],
                    delta_ci_hi=(d["ci95"] or [None, None])[1],
                    delta_mean_min=d["delta_downtime_mean_min"],
                    delta_mean_ci_lo=(d["downtime_ci95"] or [None, None])[0],
                    delta_mean_ci_hi=(d["downtime_ci95"] or [None, None])[1],
                    changed=int(d["changed"]),
                )
            rows.append(row)
    return rows


def _mc_rows(mc: dict, variant: str) -> list[dict]:
    rows = []
    for o in mc["obligations"]:
        ci = o["ci95"] or [None, None]
        rows.append(
            {
                "kind": "obligation",
                "variant": variant,
                "id": o["id"],
                "clause": o["clause"],
                "title": o["title"],
                "role": o["role"],
                "basis": o["basis"],
                "deadline_min": o["deadline_min"],
                "triggered": o["triggered"],
                "p": o["p_hit"],
                "ci_lo": ci[0],
                "ci_hi": ci[1],
                "p_late": o["p_late"],
                "p_missed": o["p_missed"],
                "p_open": o["p_open"],
                "median_min": o["done_min"]["median"],
                "p90_min": o["done_min"]["p90"],
                "p95_min": o["done_min"]["p95"],
            }
        )
    for s in mc["services"]:
        ci = s["ci95"] or [None, None]
        dt = s["downtime_min"]
        rows.append(
            {
                "kind": "service",
                "variant": variant,
                "id": s["service"],
                "title": s["name"],
                "rto_min": s["rto_min"],
                "triggered": s["down"],
                "p": s["p_rto_met"],
                "ci_lo": ci[0],
                "ci_hi": ci[1],
                "mean_min": dt["mean"],
                "median_min": dt["median"],
                "p90_min": dt["p90"],
                "p95_min": dt["p95"],
            }
        )
    return rows


def write_csv(result: dict, path: str) -> int:
    rows = csv_rows(result)
    # with a byte-order mark, so that Excel opens the Chinese titles intact (as the MSEL export)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        w.writeheader()
        for row in rows:
            w.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in CSV_COLUMNS})
    return len(rows)


# --- text -----------------------------------------------------------------------------------------------


def _pct(p) -> str:
    return pct(p, 1)


def _num(x, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _title(item: dict, lang: str) -> str:
    return item.get("title_en") or item["title"] if lang == "en" else item["title"]


def render(result: dict, lang: str = "en") -> str:
    """The readable summary `drillsim montecarlo` and `drillsim compare` print."""
    from .tables import table

    w = lambda key, **kw: t(key, lang, **kw)
    if result["kind"] == "compare":
        return _render_compare(result, lang)
    out = [
        f"{result['scenario']}: {_title(result, lang)}  ({result['n']} {w('mc_reps')}, "
        f"{w('mc_seed')} {result['seed']}"
        + (f", {w('mc_variants')}: {', '.join(result['variants'])}" if result["variants"] else "")
        + ")"
    ]
    rows = []
    for o in result["obligations"]:
        ci = o["ci95"]
        d = o["done_min"]
        rows.append(
            [
                o["clause"],
                _title(o, lang) + (f" ({w('mc_all')})" if o["basis"] == "all" else ""),
                _pct(o["p_triggered"]),
                _num(o["deadline_min"], 0),
                "-" if o["p_hit"] is None else f"{_pct(o['p_hit'])} [{_pct(ci[0])}, {_pct(ci[1])}]",
                _pct(o["p_late"]),
                _pct(o["p_missed"]),
                f"{_num(d['median'])}/{_num(d['p90'])}/{_num(d['p95'])}",
            ]
        )
    out.append(
        table(
            [
                w("col_clause"),
                w("col_duty"),
                w("mc_due"),
                w("col_deadline"),
                w("mc_p_hit"),
                w("late"),
                w("missed"),
                w("mc_done"),
            ],
            rows,
            max_col=46,
        )
    )
    if result["services"]:
        rows = []
        for s in result["services"]:
            ci, d = s["ci95"], s["downtime_min"]
            name = s.get("name_en") or s["name"] if lang == "en" else s["name"]
            rows.append(
                [
                    name,
                    _num(s["rto_min"], 0),
                    "-"
                    if s["p_rto_met"] is None
                    else f"{_pct(s['p_rto_met'])} [{_pct(ci[0])}, {_pct(ci[1])}]",
                    f"{_num(d['mean'])}/{_num(d['median'])}/{_num(d['p90'])}/{_num(d['p95'])}",
                ]
            )
        out += ["", table([w("col_service"), w("col_rto"), w("mc_p_rto"), w("mc_downtime")], rows)]
    if result.get("graded", True):
        grades = ", ".join(
            f"{w('mc_none') if k == '0' else level_word(k, lang)}: {_pct(v)}"
            for k, v in sorted(result["final_grade"].items())
        )
        out += ["", f"{w('mc_grade')}: {grades}"]
    cp = [c for c in result["critical_path"] if c["share_of_downstream_lateness"]][:6]
    if cp:
        rows = [
            [
                c["clause"],
                _title(c, lang),
                f"{_num(c['mean_delay_passed_min'])} {w('min')}",
                _pct(c["share_of_downstream_lateness"]),
            ]
            for c in cp
        ]
        out += [
            "",
            w("mc_critical") + ":",
            table(
                [w("col_clause"), w("col_duty"), w("mc_passed"), w("mc_share")], rows, max_col=60
            ),
        ]
    return "\n".join(out)


def _signed(delta, ci, scale: float, unit: str = "", max_digits: int = 2) -> str:
    """+1.2 (+0.4…+2.0) unit, with more decimals (up to `max_digits`) when everything would
    round to 0.0."""
    vals = [delta * scale, ci[0] * scale, ci[1] * scale]
    m = max(abs(v) for v in vals)
    digits = 1 if m >= 0.95 or m == 0 else 2 if m >= 0.095 else 3 if m >= 0.0095 else 4
    digits = min(digits, max_digits)
    f = lambda v: f"{round(v, digits) + 0.0:+.{digits}f}"
    return f"{f(vals[0])} ({f(vals[1])}…{f(vals[2])})" + (f" {unit}" if unit else "")


def _points(delta, ci) -> str:
    return "-" if delta is None else _signed(delta, ci, 100)


def _deadline_cell(d: dict) -> str:
    b, v = d.get("deadline_base"), d.get("deadline_variant")
    show = lambda x: (
        "-" if x is None else _num(x["min"], 0) if "min" in x else x.get("clock") or "*"
    )
    return show(b) if b == v else f"{show(b)}→{show(v)}"


def _critical_rows(result: dict, lang: str, top: int = 5) -> list[list[str]]:
    cp = [c for c in result.get("critical_path", []) if c["share_of_downstream_lateness"]][:top]
    return [
        [
            c["clause"],
            _title(c, lang),
            f"{_num(c['mean_delay_passed_min'])} {t('min', lang)}",
            _pct(c["share_of_downstream_lateness"]),
        ]
        for c in cp
    ]


def _render_compare(result: dict, lang: str) -> str:
    """Plain sentences first, then the tables; fits an A4 page (at most 100 columns)."""
    from .conclusions import variant_conclusions
    from .tables import table, width

    w = lambda key, **kw: t(key, lang, **kw)
    out = [
        f"{result['scenario']}: {_title(result, lang)}",
        f"({result['n']} {w('mc_reps')} {w('mc_base')}+{w('mc_variant')}, "
        f"{w('mc_seed')} {result['seed']}; {w('mc_changed_note')})",
    ]
    cp_heads = [w("col_clause"), w("col_duty"), w("mc_passed"), w("mc_share")]
    for v in result["variants"]:
        out += [""] + _wrap(f"== {w('mc_variant')} {v['id']}: {_title(v, lang)}", 98, width)
        out.append(f"{w('cc_heading')}:")
        for sentence in variant_conclusions(v, lang):
            out += _wrap(f"- {sentence}", 98, width)
        rows = []
        for d in v["obligations"]:
            if d["delta_p_hit"] is None and d["p_hit_base"] is None and d["p_hit_variant"] is None:
                continue
            mark = w("mc_rule") if d.get("rule_changed") else w("mc_yes") if d["changed"] else ""
            rows.append(
                [
                    mark,
                    d["clause"],
                    _title(d, lang),
                    _deadline_cell(d),
                    _pct(d["p_hit_base"]),
                    _pct(d["p_hit_variant"]),
                    _points(d["delta_p_hit"], d["ci95"]),
                ]
            )
        heads = [
            w("mc_changed"),
            w("col_clause"),
            w("col_duty"),
            w("col_deadline"),
            w("mc_base"),
            w("mc_variant"),
            w("mc_delta"),
        ]
        out += ["", table(heads, rows, max_col=25)]
        rows = []
        for d in v["services"]:
            if d["p_rto_met_base"] is None and d["p_rto_met_variant"] is None:
                continue  # down in no run of either plan
            mark = w("mc_yes") if d.get("changed_rto") or d.get("changed_downtime") else ""
            name = d.get("name_en") or d["name"] if lang == "en" else d["name"]
            rows.append(
                [
                    mark,
                    name,
                    f"{_pct(d['p_rto_met_base'])}→{_pct(d['p_rto_met_variant'])}",
                    _points(d["delta_p_rto_met"], d["ci95"]),
                    "-"
                    if d["delta_downtime_mean_min"] is None
                    else _signed(d["delta_downtime_mean_min"], d["downtime_ci95"], 1, w("min")),
                ]
            )
        if rows:
            heads = [
                w("mc_changed"),
                w("col_service"),
                w("mc_p_rto_short"),
                w("mc_delta"),
                w("mc_downtime_short"),
            ]
            out += ["", table(heads, rows, max_col=26)]
        cp = _critical_rows(v["result"], lang)
        if cp:
            out += ["", w("mc_critical") + ":", table(cp_heads, cp, max_col=30)]
    cp = _critical_rows(result["base"], lang)
    if cp:
        out += ["", f"{w('mc_base')} — {w('mc_critical')}:", table(cp_heads, cp, max_col=30)]
    return "\n".join(out)


def _wrap(text: str, cols: int, width) -> list[str]:
    """Break a sentence into lines of at most `cols` display columns (Chinese has no spaces,
    so break anywhere; English at spaces where it can)."""
    lines, cur = [], ""
    for ch in text:
        if width(cur + ch) > cols:
            cut = cur.rfind(" ") if " " in cur[len(cur) // 2 :] else -1
            if cut > 0:
                lines.append(cur[:cut].rstrip())
                cur = "  " + cur[cut + 1 :]
            else:
                lines.append(cur)
                cur = "  "
        cur += ch
    lines.append(cur)
    return lines
