"""The fast path (simulator/fastpath.py) against the engine, in replications per second.

    .venv/bin/python benchmarks/bench_fastpath.py [--engine-n 1000] [--fast-n 100000]
                                                  [--compare-n 100000] [--rounds 3]

1. On every shipped scenario the fast path accepts: the engine's `run_batch` and the fast path's
   `compute` on the same seeds, CPU time of this process (on a shared VM the wall clock moves
   with other load), the best of --rounds interleaved rounds: replications per second each.
2. `montecarlo chemical_leak_drill` end to end (with the aggregation, scoring/tally.py).
3. `compare` of chemical_leak_drill and three plan variants (overlays written for the benchmark:
   the GM with two members, a faster office, a better trained first discoverer) at --compare-n.
4. The shipped scenarios it refuses, each with its reasons.

For instruction counts, which no other load disturbs, `--only engine|fast SCENARIO N` runs just
that (the plan loaded and warmed first) under callgrind; N less 0 replications, divided by N
(`--only compare SCENARIO N`: the fast path of the comparison of 3., N replications each plan):

    valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        .venv/bin/python benchmarks/bench_fastpath.py --only fast chemical_leak_drill 25000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from drillsim.scoring import montecarlo as mc
from drillsim.simulator import fastpath
from drillsim.simulator.loader import shipped_scenarios
from drillsim.simulator.replications import FAST_CHUNK, batches_of, plan_for, run_batch

VARIANTS = {
    "gm_two_members": "procedure:\n  roles:\n    gm: {members: 2}\n",
    "office_faster": (
        "procedure:\n  roles:\n    office: {reaction: {dist: lognormal, median: 1, p90: 3}}\n"
    ),
    "discoverer_trained": (
        "procedure:\n  roles:\n    discoverer: {errors: {forget: 0.01, wrong_channel: 0.01}}\n"
    ),
}


def variant_files(folder: Path, scenario: str) -> list[str]:
    """VARIANTS written as overlay files of `scenario` in `folder`: their paths."""
    paths = []
    for name, body in VARIANTS.items():
        p = folder / f"{name}.yaml"
        p.write_text(f"id: {name}\ntitle: {name}\nbase: {scenario}\n{body}", encoding="utf-8")
        paths.append(str(p))
    return paths


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine-n", type=int, default=1000)
    ap.add_argument("--fast-n", type=int, default=100_000)
    ap.add_argument("--compare-n", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", nargs=3, metavar=("WHAT", "SCENARIO", "N"))
    a = ap.parse_args(argv)
    if a.only:
        what, sc, n = a.only[0], a.only[1], int(a.only[2])
        model = fastpath.check(plan_for(sc, ()))
        run_batch(sc, (), 1, 0, 2)
        fastpath.compute(model, 1, 0, 100)
        if what == "compare":  # the fast path of a comparison: base + VARIANTS, batch by batch
            with tempfile.TemporaryDirectory() as tmp:
                models = [model] + [
                    fastpath.check(plan_for(sc, (p,))) for p in variant_files(Path(tmp), sc)
                ]
                for m in models:
                    fastpath.compute(m, 1, 0, 100)
                for s, c in batches_of(n, FAST_CHUNK):  # as run_replications orders them
                    for m in models:
                        fastpath.compute(m, 1, s, c)
        elif n and what == "engine":
            run_batch(sc, (), 1, 0, n)
        elif n:
            for s, c in batches_of(n, FAST_CHUNK):
                fastpath.compute(model, 1, s, c)
        return 0
    accepted, refused = [], {}
    for sc in [s["id"] for s in shipped_scenarios()]:
        try:
            accepted.append((sc, fastpath.check(plan_for(sc, ()))))
        except fastpath.NotModelled as exc:
            refused[sc] = exc.reasons
    for sc, model in accepted:
        run_batch(sc, (), 1, 0, 5)
        fastpath.compute(model, 1, 0, 100)

        def fast(model=model):
            for s, c in batches_of(a.fast_n, FAST_CHUNK):
                fastpath.compute(model, 1, s, c)

        e_times, f_times = [], []
        for _ in range(a.rounds):  # interleaved: a change in the machine's load hits both
            e_times.append(timed(lambda sc=sc: run_batch(sc, (), 1, 0, a.engine_n)))
            f_times.append(timed(fast))
        ew, ec = min(t[0] for t in e_times), min(t[1] for t in e_times)
        fw, fc = min(t[0] for t in f_times), min(t[1] for t in f_times)
        e_cpu, e_wall = a.engine_n / ec, a.engine_n / ew
        f_cpu, f_wall = a.fast_n / fc, a.fast_n / fw
        print(f"{sc}: engine {a.engine_n} replications, fast path {a.fast_n}, seed 1")
        print(f"  engine (run_batch)     {e_cpu:10,.0f} replications/s of CPU ({e_wall:,.0f} wall)")
        print(f"  fast path (compute)    {f_cpu:10,.0f} replications/s of CPU ({f_wall:,.0f} wall)")
        print(
            f"  ratio                  {f_cpu / e_cpu:10,.0f}x by CPU time"
            f" ({f_wall / e_wall:,.0f}x wall)"
        )
    sc = "chemical_leak_drill"
    mw, mcpu = timed(lambda: mc.montecarlo(sc, a.fast_n, 1))
    print(
        f"{sc} montecarlo -n {a.fast_n} end to end (fast path + aggregation):"
        f" {mw:.2f} s wall, {mcpu:.2f} s CPU"
    )
    with tempfile.TemporaryDirectory() as tmp:
        paths = variant_files(Path(tmp), sc)
        cw, cc = timed(lambda: mc.compare(sc, paths, a.compare_n, 1))
    print(
        f"{sc} compare base + {len(paths)} variants, -n {a.compare_n} each:"
        f" {cw:.2f} s wall, {cc:.2f} s CPU"
    )
    for sc, reasons in refused.items():
        print(f"{sc}: refused ({len(reasons)} reasons: {'; '.join(reasons[:3])}; …)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
