"""The fast path (simulator/fastpath.py) against the engine, in replications per second.

    .venv/bin/python benchmarks/bench_fastpath.py [--scenario chemical_leak_drill] [--engine-n 1000]
                                                  [--fast-n 100000] [--compare-n 100000]

1. The engine's `run_batch` and the fast path's `compute` on the same seeds, CPU time of this
   process (on a shared VM the wall clock moves with other load): replications per second each.
2. `montecarlo` end to end (with the aggregation, scoring/tally.py) on the fast path.
3. `compare` of the base and three plan variants (overlays written for the benchmark: the GM with
   two members, a faster office, a better trained first discoverer) at --compare-n each.
4. payment_outage: refused, and why.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from drillsim.scoring import montecarlo as mc
from drillsim.simulator import fastpath
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


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="chemical_leak_drill")
    ap.add_argument("--engine-n", type=int, default=1000)
    ap.add_argument("--fast-n", type=int, default=100_000)
    ap.add_argument("--compare-n", type=int, default=100_000)
    a = ap.parse_args(argv)
    sc = a.scenario
    model = fastpath.check(plan_for(sc, ()))
    run_batch(sc, (), 1, 0, 5)
    fastpath.compute(model, 1, 0, 100)
    ew, ec = timed(lambda: run_batch(sc, (), 1, 0, a.engine_n))

    def fast():
        for s, c in batches_of(a.fast_n, FAST_CHUNK):
            fastpath.compute(model, 1, s, c)

    fw, fc = timed(fast)
    e_cpu, e_wall, f_cpu, f_wall = a.engine_n / ec, a.engine_n / ew, a.fast_n / fc, a.fast_n / fw
    print(f"{sc}: engine {a.engine_n} replications, fast path {a.fast_n}, seed 1")
    print(f"  engine (run_batch)     {e_cpu:10,.0f} replications/s of CPU ({e_wall:,.0f} wall)")
    print(f"  fast path (compute)    {f_cpu:10,.0f} replications/s of CPU ({f_wall:,.0f} wall)")
    print(
        f"  ratio                  {f_cpu / e_cpu:10,.0f}x by CPU time ({f_wall / e_wall:,.0f}x wall)"
    )
    mw, mcpu = timed(lambda: mc.montecarlo(sc, a.fast_n, 1))
    print(
        f"  montecarlo -n {a.fast_n} end to end (fast path + aggregation): {mw:.2f} s wall, {mcpu:.2f} s CPU"
    )
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, body in VARIANTS.items():
            p = Path(tmp) / f"{name}.yaml"
            p.write_text(f"id: {name}\ntitle: {name}\nbase: {sc}\n{body}", encoding="utf-8")
            paths.append(str(p))
        cw, cc = timed(lambda: mc.compare(sc, paths, a.compare_n, 1))
    print(
        f"  compare base + {len(paths)} variants, -n {a.compare_n} each: {cw:.2f} s wall, {cc:.2f} s CPU"
    )
    try:
        fastpath.check(plan_for("payment_outage", ()))
    except fastpath.NotModelled as exc:
        print(
            f"payment_outage: refused ({len(exc.reasons)} reasons: {'; '.join(exc.reasons[:3])}; …)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
