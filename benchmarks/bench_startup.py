"""Start-up of `drillsim run payment_outage` (docs/PERFORMANCE.md, "Start-up").

Wall time of rounds interleaved in this process (`python -c pass`, a run with its plan cached, a
run validating its plan: DRILLSIM_CACHE=off), best and median, with the load average around
them; with --callgrind also the CPU instructions of each (valgrind), which load does not move.
The modules' bytecode is compiled first (as an installed wheel has it): this matters where
PYTHONDONTWRITEBYTECODE is set, which otherwise adds the compiling to every start.

    python benchmarks/bench_startup.py [--rounds 12] [--python PATH …] [--callgrind]
                                       [--compare N] [--no-run]

--compare N adds what a committee types, `drillsim compare chemical_leak_drill V1 V2 V3 -n N`
(the three variant files of bench_fastpath.variant_files, the pool of the default workers), and
the same at -n 2, which is all of it but the computation: Python's start, the imports, the four
plans loaded, the choice between the site and the duties, the pool started, the tables. With
--callgrind only the -n 2 line is counted (valgrind runs some 50x slower): the command's process,
and beside it each forked pool worker's count, which includes the parent's before the fork.
--no-run leaves out the `run` lines.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


# every command runs from the cache's folder: from a checkout's root, `-m drillsim` would import
# the checkout's drillsim/ whatever environment is measured
def _compile(python: str, cwd: str) -> None:
    folders = subprocess.run(
        [
            python,
            "-c",
            "import drillsim, drillsim.simulator, drillsim.scoring as s, os;"
            "print(*(os.path.dirname(m.__file__) for m in (drillsim, drillsim.simulator, s)))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    ).stdout.split()
    subprocess.run([python, "-m", "compileall", "-q", *folders], check=True, capture_output=True)


def _instructions(cmd: list[str], env: dict, cwd: str) -> str:
    out = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--trace-children=yes",
            "--callgrind-out-file=/dev/null",
            *cmd,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
    ).stderr
    # one "Collected" line per process, the command's own last (it waits for its workers); a
    # forked worker's count includes what its parent had executed before the fork, so the
    # counts are not summed: the workers' are shown beside the command's
    counts = [int(line.split()[-1]) for line in out.splitlines() if "Collected" in line]
    if not counts:
        return "?"
    workers = counts[:-1]
    each = ", ".join(f"{c / 1e6:,.0f}" for c in workers)
    each = f" (forked workers, from the command's start: {each} M)" if workers else ""
    return f"{counts[-1] / 1e6:,.0f} M{each}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument(
        "--python",
        action="append",
        help="an environment to measure (repeat it to interleave several: a before and an after)",
    )
    ap.add_argument("--callgrind", action="store_true", help="count instructions too")
    ap.add_argument("--compare", type=int, default=0, metavar="N", help="add compare -n N")
    ap.add_argument("--no-run", action="store_true", help="leave out the run lines")
    args = ap.parse_args()
    pythons = args.python or [sys.executable]
    cache = tempfile.mkdtemp(prefix="drillsim-bench-cache-")
    cases: dict[str, tuple[list[str], dict]] = {}
    slow: set[str] = set()  # not counted under callgrind
    variants: list[str] = []
    if args.compare:
        from pathlib import Path

        from bench_fastpath import variant_files

        variants = variant_files(Path(cache), "chemical_leak_drill")
    for i, python in enumerate(pythons):
        _compile(python, cache)
        run = [python, "-m", "drillsim", "run", "payment_outage"]
        mine = os.path.join(cache, str(i))  # one cache each: the entries differ in code
        tag = f" [{python}]" if len(pythons) > 1 else ""
        cases[f"python -c pass{tag}"] = ([python, "-c", "pass"], {})
        if not args.no_run:
            cases[f"run, plan cached{tag}"] = (run, {"DRILLSIM_CACHE": mine})
            off = {"DRILLSIM_CACHE": "off"}
            cases[f"run, plan validated (DRILLSIM_CACHE=off){tag}"] = (run, off)
        env = {**os.environ, "DRILLSIM_CACHE": mine}
        subprocess.run(run, env=env, check=True, capture_output=True, cwd=cache)  # fill it
        if args.compare:
            cmp = [python, "-m", "drillsim", "compare", "chemical_leak_drill", *variants]
            for n in (2, args.compare):
                name = f"compare, 4 plans cached, -n {n}{tag}"
                cases[name] = ([*cmp, "-n", str(n), "--quiet"], {"DRILLSIM_CACHE": mine})
                if n > 2:
                    slow.add(name)
            subprocess.run(
                [*cmp, "-n", "2"], env=env, check=True, capture_output=True, cwd=cache
            )  # the variants' plans cached too
    envs = {name: {**os.environ, **extra} for name, (_, extra) in cases.items()}
    times: dict[str, list[float]] = {name: [] for name in cases}
    load_before = os.getloadavg()
    for _ in range(args.rounds):
        for name, (cmd, _) in cases.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, env=envs[name], check=True, capture_output=True, cwd=cache)
            times[name].append(time.perf_counter() - t0)
    load_after = os.getloadavg()
    print(f"{args.rounds} interleaved rounds, bytecode compiled; {', '.join(pythons)}")
    before, after = (" ".join(f"{x:.2f}" for x in load) for load in (load_before, load_after))
    print(f"load average before {before}, after {after}")
    for name, (cmd, _) in cases.items():
        ts = times[name]
        count = ""
        if args.callgrind and name not in slow:
            count = f"  {_instructions(cmd, envs[name], cache)}"
        print(f"{name:42s} best {min(ts):.3f} s  median {statistics.median(ts):.3f} s{count}")
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
