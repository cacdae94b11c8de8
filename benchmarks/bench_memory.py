"""Peak memory of Monte Carlo against the number of replications (flat: aggregated as it goes).

1. Real runs: `montecarlo("payment_outage", n, workers=1)` (what `drillsim montecarlo
   payment_outage -n N --workers 1` does) for a few n, each in a fresh process; its peak
   resident set (ru_maxrss) and how long it took. `--fast-real`: the same for a scenario the
   fast path models (`--fast-scenario`, default power_outage_8h), up to a million and more.
2. The aggregation at a million: a million replications of the engine take about an hour on two
   cores, so the parent's side is measured on its own: real records of 500 replications of
   payment_outage, fed to the tally again and again (their replication numbers shifted) as
   batches of 500, up to n, then the summary; peak resident set of that process. The workers
   keep nothing between batches, so this is what grows with n, if anything. `--compare`: the
   same for compare's side, the base and one variant (tested_dr_switch) paired.
3. What the records alone would take, kept whole (as before the tally): bytes a replication.

    .venv/bin/python benchmarks/bench_memory.py [--real 500 2000 8000] [--fed 10000 100000 1000000]
        [--compare 10000 100000 1000000] [--fast-real 100000 1000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_REAL = """
import json, resource, sys, time
from drillsim.scoring.montecarlo import montecarlo
t = time.perf_counter()
montecarlo("payment_outage", {n}, 1, workers=1)
print(json.dumps({{"n": {n}, "seconds": time.perf_counter() - t,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

_FAST_REAL = """
import json, resource, sys, time
from drillsim.scoring.montecarlo import montecarlo
t = time.perf_counter()
montecarlo("{scenario}", {n}, 1, workers=1, fast=True)
print(json.dumps({{"n": {n}, "seconds": time.perf_counter() - t,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

_FED = """
import dataclasses, json, resource, time
from drillsim.scoring import montecarlo as mc
from drillsim.scoring.paired import Pairing
from drillsim.scoring.tally import Tally
from drillsim.simulator.replications import plan_for, run_batch
variants = {variants}
plans = [plan_for("payment_outage", v) for v in variants]
size = 500
real = [run_batch("payment_outage", v, 1, 0, size) for v in variants]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.perf_counter()
tallies = [Tally(plans[0], paired=len(plans) > 1, n={n})] + [
    Tally(p, paired=True, shifts=mc.deadline_shifts(plans[0], p), n={n}) for p in plans[1:]
]
pairing = Pairing(tallies) if len(plans) > 1 else None
for start in range(0, {n}, size):
    for j, (tally, r) in enumerate(zip(tallies, real)):
        occ = dict(r.duties, rep=r.duties["rep"] + start)
        svc = dict(r.svc, rep=r.svc["rep"] + start)
        part = tally.add(dataclasses.replace(r, start=start, duties=occ, svc=svc))
        if pairing:
            pairing.add(j, part)
results = [mc.summarise(p, tally, 1, []) for p, tally in zip(plans, tallies)]
if pairing:
    mc.obligation_differences(plans[0], tallies[0], plans[1], tallies[1])
    mc.service_differences(plans[0], tallies[0], plans[1], tallies[1])
assert results[0]["n"] == {n}
print(json.dumps({{"n": {n}, "seconds": time.perf_counter() - t, "before_mb": before,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

_RECORDS = """
import json
from drillsim.simulator.replications import run_batch
b = run_batch("payment_outage", (), 1, 0, 500)
size = sum(a.nbytes for a in b.duties.values()) + sum(a.nbytes for a in b.svc.values())
print(json.dumps({"bytes_per_replication": size / 500}))
"""


def _run(code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--real", type=int, nargs="*", default=[500, 2000, 8000])
    ap.add_argument("--fed", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--compare", type=int, nargs="*", default=[])
    ap.add_argument("--fast-real", type=int, nargs="*", default=[])
    ap.add_argument("--fast-scenario", default="power_outage_8h")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    one, two = ((),), ((), ("tested_dr_switch",))
    figures = {
        "real": [_run(_REAL.format(n=n)) for n in args.real],
        "fast_real": [
            _run(_FAST_REAL.format(n=n, scenario=args.fast_scenario)) for n in args.fast_real
        ],
        "fed": [_run(_FED.format(n=n, variants=one)) for n in args.fed],
        "compare": [_run(_FED.format(n=n, variants=two)) for n in args.compare],
        "records": _run(_RECORDS),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print("montecarlo payment_outage --workers 1, peak resident set of the process:")
    for r in figures["real"]:
        print(f"  n = {r['n']:>9,}  {r['peak_mb']:7.1f} MB  ({r['seconds']:.1f} s)")
    if figures["fast_real"]:
        print(f"montecarlo {args.fast_scenario} --workers 1 --fast, peak resident set:")
    for r in figures["fast_real"]:
        print(f"  n = {r['n']:>9,}  {r['peak_mb']:7.1f} MB  ({r['seconds']:.1f} s)")
    for key, what in (("fed", "montecarlo's"), ("compare", "compare's (base and one variant)")):
        if figures[key]:
            print(f"{what} tally fed real records (500 replications repeated), then the summary:")
        for r in figures[key]:
            print(
                f"  n = {r['n']:>9,}  {r['peak_mb']:7.1f} MB  "
                f"(before feeding {r['before_mb']:.1f} MB; {r['seconds']:.1f} s)"
            )
    per = figures["records"]["bytes_per_replication"]
    print(
        f"the records kept whole instead: {per:.0f} bytes a replication, "
        f"{per * 1e6 / 2**20:,.0f} MB at a million (before any summary)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
