"""Engine throughput: drillsim against two SimPy models of the same scenario, and workers.

1. In this one process, replications per second of
   - the plain model: benchmarks/plain_simpy.py, payment_outage as a modeller would write it in
     SimPy (a numpy Generator drawn in event order, PriorityResources, timeouts, the procedure's
     logic as callbacks for this one scenario): the yardstick (aim: drillsim at least 0.8x);
   - the port: benchmarks/reference_simpy.py, payment_outage hand-written against SimPy
     with drillsim's design (the same keyed per-element draws, generic trigger re-evaluation);
     it agrees with drillsim replication by replication;
   - drillsim: simulator.replications.run_batch on payment_outage, i.e. what a Monte Carlo worker
     does per replication (run_plan with bots in every role and tracing off, + the compact record);
   - drillsim's run_plan with the full trace (every event of the log built, as `drillsim run`
     does), to show what tracing costs;
   interleaved in chunks of 50 replications within each round (the machine's speed drifts), and
   the median round's ratio. The port and drillsim are run on the same
   seeds and must agree replication by replication (duty statuses and downtime); the agreement
   is printed, so the ratio compares equal work (the plain model agrees in distribution only:
   tests/test_plain_reference.py).
2. `drillsim montecarlo payment_outage --engine` with --workers 1 and --workers 2 (separate processes, the
   real command), --repeat pairs run back to back, each started when other processes use less
   than 15% of the CPUs (waiting up to 2 minutes for that); replications per second as the
   command reports them (pool start-up included), the speed-up of each pair and their median
   (aim: at least 1.8x); all the JSON results must be identical. After each pair it also
   measures this machine's ceiling: the same batch of replications in two independent processes
   at once against one alone (on a shared or busy machine no 2-worker run can beat it).
3. With --instructions (needs valgrind): the same three models counted in CPU instructions per
   replication (callgrind), which no other load on the machine can disturb: on a shared VM the
   rates above move by 20% from run to run, the instruction counts not at all.

    .venv/bin/python benchmarks/bench_engine.py [-n 1000] [--rounds 5] [--mc-n 4000] [--repeat 3]
                                                [--instructions] [--json]

Timing needs a quiet machine; on a shared one run it several times. docs/MONTECARLO.md has the
last measured figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SCENARIO = "payment_outage"
CHUNK = 50
SUMMARY = re.compile(r"montecarlo: (\d+) replications in ([\d.]+) s \(([\d,]+)/s\)")


def engine_rates(n: int, rounds: int, seed: int = 1) -> dict:
    import numpy as np
    import plain_simpy
    import reference_simpy as ref

    from drillsim.simulator.loader import load_plan
    from drillsim.simulator.replications import STATUS, plan_for, run_batch, seed_for
    from drillsim.simulator.runner import run_plan

    params = ref.Params()
    plain_params = plain_simpy.Params()
    plan = plan_for(SCENARIO)
    load_plan(SCENARIO)
    # warm up all (imports, caches, the plan's compiled runtime)
    for i in range(20):
        ref.replicate(params, seed, i)
        plain_simpy.replicate(plain_params, seed, i)
    run_batch(SCENARIO, (), seed, 0, 20)

    def plain(start, count):
        for i in range(start, start + count):
            plain_simpy.replicate(plain_params, seed, i)

    def reference(start, count):
        for i in range(start, start + count):
            ref.replicate(params, seed, i)

    def drillsim(start, count):
        run_batch(SCENARIO, (), seed, start, count)

    def traced(start, count):
        for i in range(start, start + count):
            run_plan(plan, seed=seed_for(seed, i))

    models = {
        "plain": plain,
        "reference": reference,
        "drillsim": drillsim,
        "drillsim_traced": traced,
    }
    # Each round interleaves the models in chunks of CHUNK replications, so that all of them run
    # under the same conditions (on a shared VM the speed of one process drifts by 20% within
    # seconds); a round's ratio compares its totals, and the figure is the median round.
    wall = {k: [] for k in models}
    cpu = {k: [] for k in models}
    for r in range(rounds):
        wait_until_quiet(patience=30)
        spent = {k: [0.0, 0.0] for k in models}
        for start in range(r * n, (r + 1) * n, CHUNK):
            for name, fn in models.items():
                gc.collect()  # each model starts clean and pays for collecting its own garbage
                w, c = time.perf_counter(), time.process_time()
                fn(start, min(CHUNK, (r + 1) * n - start))
                gc.collect()
                spent[name][0] += time.perf_counter() - w
                spent[name][1] += time.process_time() - c
        for name, (w, c) in spent.items():
            wall[name].append(n / w)
            cpu[name].append(n / c)

    # the two models must be doing the same work: compare outcomes on the same seeds
    check = min(n, 300)
    batch = run_batch(SCENARIO, (), seed, 0, check)
    names = batch.layout.obligations
    agree_duties = agree_reps = 0
    for i in range(check):
        rep = ref.replicate(params, seed, i)
        rows = np.flatnonzero((batch.duties["rep"] == i) & (batch.duties["n"] == 1))
        mine = {names[batch.duties["ob"][k]]: STATUS[batch.duties["status"][k]] for k in rows}
        same = [mine.get(o, "not_triggered") == rep.status(o) for o in names]
        down = batch.svc["downtime"][batch.svc["rep"] == i]
        same.append(bool(down.size) and math.isclose(float(down[0]), rep.downtime(), abs_tol=1e-6))
        agree_duties += sum(same)
        agree_reps += all(same)
    events = float(batch.events.mean())

    med = {k: statistics.median(v) for k, v in wall.items()}
    ratios = [d / r for d, r in zip(wall["drillsim"], wall["reference"])]
    ratio = statistics.median(ratios)
    plain_ratios = [d / r for d, r in zip(wall["drillsim"], wall["plain"])]
    return {
        "plain_per_s": round(med["plain"], 1),
        "ratio_plain": round(statistics.median(plain_ratios), 3),
        "round_ratios_plain": [round(x, 3) for x in plain_ratios],
        "replications_per_round": n,
        "rounds": rounds,
        "chunk": CHUNK,
        "reference_per_s": round(med["reference"], 1),
        "drillsim_per_s": round(med["drillsim"], 1),
        "drillsim_traced_per_s": round(med["drillsim_traced"], 1),
        "ratio": round(ratio, 3),
        "round_ratios": [round(x, 3) for x in ratios],
        "overhead": round(1 / ratio, 3),
        "trace_cost": round(
            statistics.median(d / t for d, t in zip(wall["drillsim"], wall["drillsim_traced"])) - 1,
            3,
        ),
        "cpu": {
            "ratio": round(
                statistics.median(d / r for d, r in zip(cpu["drillsim"], cpu["reference"])), 3
            ),
            "ratio_plain": round(
                statistics.median(d / r for d, r in zip(cpu["drillsim"], cpu["plain"])), 3
            ),
        },
        "rounds_per_s": {k: [round(x, 1) for x in v] for k, v in wall.items()},
        "log_events_per_replication": round(events, 1),
        "agreement": {
            "replications": check,
            "identical_replications": agree_reps,
            "identical_outcomes": agree_duties,
            "outcomes": check * (len(names) + 1),
        },
    }


def _replicate(model: str, n: int, seed: int = 1):
    """Run n replications of one model after a short warm-up (what --instructions counts)."""
    import plain_simpy
    import reference_simpy as ref

    from drillsim.simulator.replications import run_batch

    params = ref.Params()
    plain_params = plain_simpy.Params()
    run_batch(SCENARIO, (), seed, 0, 5)
    for i in range(5):
        ref.replicate(params, seed, i)
        plain_simpy.replicate(plain_params, seed, i)
    if model == "plain":
        for i in range(n):
            plain_simpy.replicate(plain_params, seed, i)
    elif model == "reference":
        for i in range(n):
            ref.replicate(params, seed, i)
    else:
        run_batch(SCENARIO, (), seed, 0, n)


def instruction_counts(n: int = 100) -> dict:
    """CPU instructions per replication of each model, counted by valgrind's callgrind: the same
    process run with n replications less the same run with none (imports, warm-up)."""

    def count(model: str, reps: int) -> int:
        cmd = [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            str(Path(__file__).resolve()),
            "--_replicate",
            model,
            str(reps),
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        m = re.search(r"Collected : (\d+)", out.stderr)
        if out.returncode != 0 or not m:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
        return int(m.group(1))

    # once outside valgrind first: after a code change the plan cache misses once (its key covers
    # the simulator's code), and a miss in the 0-replication run would be subtracted from all
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--_replicate", "reference", "0"],
        cwd=ROOT,
        check=True,
    )
    base = count("reference", 0)
    plain_i, ref_i, ds_i = (count(m, n) - base for m in ("plain", "reference", "drillsim"))
    return {
        "replications": n,
        "plain_per_replication": round(plain_i / n),
        "ratio_plain": round(plain_i / ds_i, 3),
        "reference_per_replication": round(ref_i / n),
        "drillsim_per_replication": round(ds_i / n),
        "ratio": round(ref_i / ds_i, 3),
    }


def busy_fraction(seconds: float = 1.0) -> float | None:
    """Share of all CPUs busy over `seconds` (while this process sleeps: other processes' load)."""

    def sample():
        with open("/proc/stat") as fh:
            parts = [int(x) for x in fh.readline().split()[1:]]
        return sum(parts), parts[3] + (parts[4] if len(parts) > 4 else 0)

    try:
        t0, i0 = sample()
        time.sleep(seconds)
        t1, i1 = sample()
    except OSError:
        return None
    return 1 - (i1 - i0) / max(1, t1 - t0)


def wait_until_quiet(limit: float = 0.15, patience: float = 120.0) -> float | None:
    """Wait (up to `patience` s) until other processes use less than `limit` of the CPUs."""
    deadline = time.perf_counter() + patience
    busy = busy_fraction()
    while busy is not None and busy > limit and time.perf_counter() < deadline:
        busy = busy_fraction()
    return busy


_TIMED_BATCH = (
    "import sys, time; sys.path.insert(0, {root!r}); from drillsim.simulator.replications import run_batch; "
    "run_batch({scenario!r}, (), 1, 0, 20); t = time.perf_counter(); "
    "run_batch({scenario!r}, (), 1, {start}, {n}); print(time.perf_counter() - t)"
)


def machine_ceiling(n: int = 1000) -> float:
    """What this machine allows any 2-worker run to reach right now: the same work (a batch of n
    replications) in two independent processes at once against one alone, with no pool and no
    coordination. On a shared VM this moves from run to run, the 2-worker speed-up with it."""

    def start(k):
        code = _TIMED_BATCH.format(root=str(ROOT), scenario=SCENARIO, start=k * n, n=n)
        return subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT
        )

    alone = float(start(0).communicate()[0])
    both = [start(k) for k in (1, 2)]
    together = max(float(p.communicate()[0]) for p in both)
    return 2 * alone / together


def command_rate(workers: int, n: int, seed: int = 1) -> dict:
    cmd = [
        str(ROOT / ".venv" / "bin" / "drillsim"),
        "montecarlo",
        SCENARIO,
        "-n",
        str(n),
        "--seed",
        str(seed),
        "--workers",
        str(workers),
        "--engine",  # the engine's workers, even where the fast path models the plan
        "--json",
    ]
    busy = wait_until_quiet()
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    m = SUMMARY.search(out.stderr)
    return {
        "workers": workers,
        "replications": n,
        "wall_s": round(wall, 2),
        "run_s": float(m.group(2)),
        "per_s": float(m.group(3).replace(",", "")),
        "other_load_before": None if busy is None else round(busy, 2),
        "result": json.loads(out.stdout),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "-n", type=int, default=1000, help="replications per round and model (default 1000)"
    )
    ap.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="alternating rounds (default 5; the median is reported)",
    )
    ap.add_argument(
        "--mc-n",
        type=int,
        default=4000,
        help="replications for the 1 vs 2 workers runs (default 4000)",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="pairs of --workers 1 and 2 runs; the median speed-up is reported (default 3)",
    )
    ap.add_argument("--skip-workers", action="store_true", help="only the in-process comparison")
    ap.add_argument("--skip-engine", action="store_true", help="only the 1 vs 2 workers runs")
    ap.add_argument(
        "--instructions",
        action="store_true",
        help="also count CPU instructions per replication under valgrind (a few minutes)",
    )
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--_replicate", nargs=2, metavar=("MODEL", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._replicate:
        _replicate(args._replicate[0], int(args._replicate[1]))
        return 0

    figures = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_avg": list(os.getloadavg()),
        }
    }
    if not args.skip_engine:
        figures["engine"] = engine_rates(args.n, args.rounds)
        if args.instructions:
            figures["engine"]["instructions"] = instruction_counts()
    if not args.skip_workers:
        ones, twos, ceilings = [], [], []
        for _ in range(args.repeat):  # pairs run back to back: each sees the same machine
            ones.append(command_rate(1, args.mc_n))
            twos.append(command_rate(2, args.mc_n))
            ceilings.append(round(machine_ceiling(), 3))
        pairs = [round(two["per_s"] / one["per_s"], 3) for one, two in zip(ones, twos)]
        figures["workers"] = {
            "replications": args.mc_n,
            "repeats": args.repeat,
            "speedup": statistics.median(pairs),
            "pair_speedups": pairs,
            "wall_speedups": [
                round(one["wall_s"] / two["wall_s"], 3) for one, two in zip(ones, twos)
            ],
            "one_worker_per_s": statistics.median(r["per_s"] for r in ones),
            "two_workers_per_s": statistics.median(r["per_s"] for r in twos),
            "all_per_s": {"1": [r["per_s"] for r in ones], "2": [r["per_s"] for r in twos]},
            "other_load_before": {
                "1": [r["other_load_before"] for r in ones],
                "2": [r["other_load_before"] for r in twos],
            },
            "identical_results": all(r["result"] == ones[0]["result"] for r in ones + twos),
            "machine_ceiling": ceilings,
        }
    figures["machine"]["load_avg_after"] = list(os.getloadavg())
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    ok = lambda cond: "ok" if cond else "BELOW AIM"
    e = figures.get("engine")
    if e:
        print(
            f"{SCENARIO}, {e['rounds']} rounds x {e['replications_per_round']} replications, "
            f"{e['log_events_per_replication']} log events per replication, median of rounds"
        )
        print(f"  plain SimPy model           {e['plain_per_s']:8,.0f} replications/s")
        print(f"  SimPy port of the design    {e['reference_per_s']:8,.0f} replications/s")
        print(f"  drillsim (worker's batch)   {e['drillsim_per_s']:8,.0f} replications/s")
        print(
            f"  drillsim with full trace    {e['drillsim_traced_per_s']:8,.0f} replications/s "
            f"(as `drillsim run`; tracing off is {100 * e['trace_cost']:.0f}% faster)"
        )
        print(
            f"  ratio drillsim/plain        {e['ratio_plain']:8.2f}x  (median round of "
            f"{e['round_ratios_plain']}; aim >= 0.80x) {ok(e['ratio_plain'] >= 0.8)}"
        )
        print(
            f"  ratio drillsim/port         {e['ratio']:8.2f}x  (median round of {e['round_ratios']}; "
            f"overhead {e['overhead']:.2f}x)"
        )
        print(
            f"  by CPU time of this process: ratio to plain {e['cpu']['ratio_plain']:.2f}x, "
            f"to port {e['cpu']['ratio']:.2f}x"
        )
        if "instructions" in e:
            i = e["instructions"]
            print(
                f"  CPU instructions per replication (valgrind, {i['replications']} replications): plain "
                f"{i['plain_per_replication'] / 1e6:.2f} M, port {i['reference_per_replication'] / 1e6:.2f} M, "
                f"drillsim {i['drillsim_per_replication'] / 1e6:.2f} M; ratio to plain {i['ratio_plain']:.2f}x, "
                f"to port {i['ratio']:.2f}x"
            )
        a = e["agreement"]
        print(
            f"  port and drillsim, same seeds:  {a['identical_replications']}/{a['replications']} replications "
            f"identical ({a['identical_outcomes']}/{a['outcomes']} duty statuses and downtimes)"
        )
    if "workers" in figures:
        w = figures["workers"]
        print(
            f"drillsim montecarlo {SCENARIO} -n {w['replications']}, {w['repeats']} pairs of runs "
            f"(1 worker {w['all_per_s']['1']}, 2 workers {w['all_per_s']['2']} replications/s; "
            f"other processes' CPU share before each: {w['other_load_before']})"
        )
        print(
            f"  --workers 1                 {w['one_worker_per_s']:8,.0f} replications/s  (median)"
        )
        print(
            f"  --workers 2                 {w['two_workers_per_s']:8,.0f} replications/s  (median)"
        )
        print(
            f"  speed-up                    {w['speedup']:8.2f}x  (median of the pairs {w['pair_speedups']}; "
            f"wall {w['wall_speedups']}; aim >= 1.8x) {ok(w['speedup'] >= 1.8)}; "
            f"identical results: {w['identical_results']}"
        )
        print(
            f"  this machine's ceiling      {statistics.median(w['machine_ceiling']):8.2f}x  (median; the same "
            f"replications in 2 independent processes vs 1, after each pair: {w['machine_ceiling']})"
        )
    m = figures["machine"]
    print(
        f"machine: Python {m['python']}, {m['cpus']} CPUs, load average {m['load_avg'][0]:.2f} before, "
        f"{m['load_avg_after'][0]:.2f} after"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
