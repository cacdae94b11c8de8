"""CPU time of Monte Carlo's aggregation: what `montecarlo` and `compare` do with the batches once
they are computed (the tally of each batch, the critical path's sums, the summary, the paired
differences), apart from computing them.

The batches are real records: where the fast path models the plan, its batches of 25,000
replications (FAST_CHUNK, what `montecarlo` gets from it); otherwise the engine's records of
`--real` replications, repeated with shifted replication numbers into batches of 25,000 (a
hundred thousand replications of the engine take about ten minutes of CPU). They are made
first, then `montecarlo(...)` and `compare(...)` run as the commands do, with the computation
replaced by handing them those batches: the figure is the CPU time of this process for the rest.

    .venv/bin/python benchmarks/bench_aggregate.py [-n 100000] [--rounds 3] [--oracle]

--oracle also times the critical path's sums the way they were computed before they were
vectorised (replication by replication, tests/critical_path_oracle.py) on one batch.
--end-to-end ROUNDS also runs `montecarlo chemical_leak_drill -n N` and `compare` of it and
the three variants benchmarks/bench_fastpath.py builds, at N each, as the commands do (the fast
path and the aggregation), with --workers 1 and 2, each run in a fresh process, rounds
interleaved: wall clock and CPU time (the process and its pool workers).
--instructions counts the CPU instructions of the critical path's sums on that batch (and with
--oracle of the old computation) under valgrind's callgrind, which no other load disturbs: a
process that loads the batch and runs them, less one that only loads it.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "payment_outage"
VARIANTS = ("tested_dr_switch", "sms_fallback", "trained_deputy")


def _batches(scenario: str, variants: tuple, n: int, real: int, seed: int):
    """(where they came from, the batches of 25,000) for n replications of the plan."""
    from drillsim.simulator import fastpath
    from drillsim.simulator.replications import (
        FAST_CHUNK,
        Batch,
        batches_of,
        concat,
        fast_batch,
        plan_for,
        run_batch,
    )

    plan = plan_for(scenario, variants)
    try:
        model = fastpath.check(plan)
    except fastpath.NotModelled:
        model = None
    out = []
    if model is not None:
        for start, count in batches_of(n, FAST_CHUNK):
            out.append(fast_batch(model, seed, start, count))
        return "fast path", out
    base = run_batch(scenario, variants, seed, 0, real)

    def shifted(start: int) -> Batch:
        occ = dict(base.duties, rep=base.duties["rep"] + start)
        svc = dict(base.svc, rep=base.svc["rep"] + start)
        return dataclasses.replace(base, start=start, duties=occ, svc=svc)

    for start, count in batches_of(n, FAST_CHUNK):
        if count % real:
            raise SystemExit(f"-n must be a multiple of --real ({real}) and of {FAST_CHUNK}")
        out.append(concat([shifted(s) for s in range(start, start + count, real)]))
    return f"the engine's {real} replications repeated", out


def _feeding(batches_per_job):
    """run_replications as montecarlo/compare call it, handing over the prepared batches."""

    def run(jobs, *, consume, info=None, reduce=None, **_):
        for j in range(len(jobs)):
            for b in batches_per_job[j]:
                consume(j, b if reduce is None else reduce(j, b))
        return []

    return run


_COUNTED = """
import pickle, sys
sys.path.insert(0, {root!r})
from drillsim.scoring.critical_path import CriticalPath
from drillsim.simulator.replications import plan_for
batch = pickle.load(open({path!r}, "rb"))
cp = CriticalPath(plan_for({scenario!r}))
if {what!r} == "vectorised":
    cp.sums(batch)
elif {what!r} == "oracle":
    from tests.critical_path_oracle import oracle_sums
    oracle_sums(cp, batch)
"""


def _instructions(batch, what: str) -> int:
    """CPU instructions of a process that loads the batch and runs `what` (callgrind)."""
    import pickle
    import re
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "batch.pkl")
        with open(path, "wb") as fh:
            pickle.dump(batch, fh)
        code = _COUNTED.format(root=str(ROOT), path=path, scenario=SCENARIO, what=what)
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
            + [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
        )
    found = re.search(r"Collected : (\d+)", out.stderr)
    if found is None:
        raise SystemExit("valgrind printed no instruction count")
    return int(found.group(1))


_END_TO_END = """
import json, os, resource, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {root!r})
from benchmarks.bench_fastpath import variant_files
from drillsim.scoring import montecarlo as mc
sc, n, workers, what = "chemical_leak_drill", {n}, {workers}, {what!r}
with tempfile.TemporaryDirectory() as tmp:
    paths = variant_files(Path(tmp), sc)
    mc.montecarlo(sc, 1000, 1, workers=1)  # imports and plans loaded, as a command has them
    for v in paths:
        mc.montecarlo(sc, 1000, 1, [v], workers=1)
    r0, w = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    if what == "compare":
        mc.compare(sc, paths, n, 1, workers=workers)
    else:
        mc.montecarlo(sc, n, 1, workers=workers)
    wall = time.perf_counter() - w
    r1, ch = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) + ch.ru_utime + ch.ru_stime
print(json.dumps({{"wall": wall, "cpu": cpu}}))
"""


def _end_to_end(n: int, rounds: int) -> None:
    """montecarlo and compare of chemical_leak_drill end to end, 1 and 2 workers (docstring)."""
    import json
    import subprocess

    got: dict[tuple[str, int], list[dict]] = {}
    for _ in range(rounds):
        for what in ("montecarlo", "compare"):
            for workers in (1, 2):
                code = _END_TO_END.format(root=str(ROOT), n=n, workers=workers, what=what)
                out = subprocess.run(
                    [sys.executable, "-c", code], capture_output=True, text=True, check=True
                )
                got.setdefault((what, workers), []).append(json.loads(out.stdout))
    print(
        f"chemical_leak_drill end to end (fast path + aggregation), n = {n:,} each, "
        f"median of {rounds} interleaved rounds (wall; CPU of the process and its workers)"
    )
    for (what, workers), runs in got.items():
        label = "montecarlo" if what == "montecarlo" else "compare, base + 3 variants"
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        print(
            f"  {label:28} --workers {workers}  {wall:6.2f} s wall  {cpu:6.2f} s CPU  "
            f"{[round(r['wall'], 2) for r in runs]}"
        )


def _cpu(fn) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--real", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--oracle", action="store_true")
    ap.add_argument("--instructions", action="store_true")
    ap.add_argument("--end-to-end", type=int, metavar="ROUNDS", default=0)
    args = ap.parse_args(argv)
    if args.end_to_end:
        _end_to_end(args.n, args.end_to_end)
        return 0

    from drillsim.scoring import montecarlo as mc
    from drillsim.scoring.critical_path import CriticalPath
    from drillsim.simulator.replications import plan_for

    where, base = _batches(SCENARIO, (), args.n, args.real, args.seed)
    plans = [_batches(SCENARIO, (v,), args.n, args.real, args.seed)[1] for v in VARIANTS]
    plan = plan_for(SCENARIO)
    cp = CriticalPath(plan)
    one = base[0]

    figures: dict[str, list[float]] = {"critical": [], "montecarlo": [], "compare": []}
    for _ in range(args.rounds):  # interleaved rounds
        figures["critical"].append(_cpu(lambda: cp.sums(one)))
        mc.run_replications = _feeding([base])
        figures["montecarlo"].append(_cpu(lambda: mc.montecarlo(SCENARIO, args.n, args.seed)))
        mc.run_replications = _feeding([base, *plans])
        figures["compare"].append(
            _cpu(lambda: mc.compare(SCENARIO, list(VARIANTS), args.n, args.seed))
        )
    med = {k: statistics.median(v) for k, v in figures.items()}
    rows = one.duties["rep"].size / one.count
    print(
        f"{SCENARIO}, n = {args.n:,} ({where}; {rows:.1f} duty rows a replication), "
        f"CPU seconds of this process, median of {args.rounds} rounds"
    )
    print(
        f"  critical path's sums, one batch of {one.count:,}    {med['critical']:7.3f} s  "
        f"{[round(x, 3) for x in figures['critical']]}"
    )
    print(
        f"  montecarlo: aggregation and summary          {med['montecarlo']:7.3f} s  "
        f"{[round(x, 3) for x in figures['montecarlo']]}"
    )
    print(
        f"  compare, base + {len(VARIANTS)} variants: aggregation     {med['compare']:7.3f} s  "
        f"{[round(x, 3) for x in figures['compare']]}"
    )
    if args.oracle:
        sys.path.insert(0, str(ROOT))
        from tests.critical_path_oracle import oracle_sums

        took = _cpu(lambda: oracle_sums(cp, one))
        print(
            f"  before (replication by replication), one batch of {one.count:,}: {took:.3f} s "
            f"({took / med['critical']:.0f}x)"
        )
    if args.instructions:
        base = _instructions(one, "load")
        ours = _instructions(one, "vectorised") - base
        line = f"  CPU instructions (valgrind), critical path's sums of {one.count:,}: {ours / 1e6:,.0f} M"
        if args.oracle:
            old = _instructions(one, "oracle") - base
            line += f"; replication by replication {old / 1e6:,.0f} M ({old / ours:.0f}x)"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
