"""Byte-for-byte check of `montecarlo --json` and `compare --json` across a change of the
aggregation (scoring/tally.py, critical_path.py, paired.py, the worker pool): run once with
--write on the code before, once with --check on the code after.

    .venv/bin/python benchmarks/check_aggregate_json.py --write DIR   # before the change
    .venv/bin/python benchmarks/check_aggregate_json.py --check DIR   # after: every file identical

The cases: montecarlo of the three scenarios the fast path models (several seeds, more than one
batch of 25,000), compare of chemical_leak_drill with bench_fastpath.py's three variants (1 and
2 workers, two seeds), and payment_outage with its shipped variants on the engine (batches of
the engine's records, several services, deadlines moved by a variant). The JSON is printed as
the commands print it (json.dumps, ensure_ascii=False, indent=2). --quick: fewer, smaller cases.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VARIANT_DIR = Path("/tmp/drillsim-check-aggregate-variants")  # fixed: the JSON names the files


def cases(quick: bool) -> list[tuple[str, str, tuple, dict]]:
    from benchmarks.bench_fastpath import variant_files

    VARIANT_DIR.mkdir(parents=True, exist_ok=True)
    chem = variant_files(VARIANT_DIR, "chemical_leak_drill")
    po = ["tested_dr_switch", "sms_fallback", "trained_deputy"]
    n = 30_000 if quick else 60_000
    out = [
        ("mc-chem-s1", "montecarlo", ("chemical_leak_drill", n, 1), {"workers": 1}),
        ("mc-power-s3", "montecarlo", ("power_outage_8h", n, 3), {"workers": 1}),
        ("mc-typhoon-s2", "montecarlo", ("typhoon_warning", n, 2), {"workers": 1}),
        ("cmp-chem-s1", "compare", ("chemical_leak_drill", chem, n, 1), {"workers": 1}),
        ("cmp-chem-s7-w2", "compare", ("chemical_leak_drill", chem, n, 7), {"workers": 2}),
        ("cmp-po-engine-s1", "compare", ("payment_outage", po, 300, 1), {"fast": False}),
        ("mc-po-engine-s4", "montecarlo", ("payment_outage", 300, 4), {"fast": False}),
    ]
    if not quick:
        out += [
            ("mc-chem-s9-w2", "montecarlo", ("chemical_leak_drill", 100_000, 9), {"workers": 2}),
            ("cmp-chem-s2-100k", "compare", ("chemical_leak_drill", chem, 100_000, 2), {}),
            ("mc-power-s1-1", "montecarlo", ("power_outage_8h", 1, 1), {"workers": 1}),
            (
                "cmp-po-grading-s2",
                "compare",
                ("payment_outage", ["grading_training"], 200, 2),
                {"fast": False, "batch": 70},
            ),
        ]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", metavar="DIR")
    mode.add_argument("--check", metavar="DIR")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args(argv)
    from drillsim.scoring import montecarlo as mc

    folder = Path(a.write or a.check)
    folder.mkdir(parents=True, exist_ok=True)
    bad = 0
    for name, what, args, kw in cases(a.quick):
        if a.only and name not in a.only:
            continue
        t0 = time.perf_counter()
        result = getattr(mc, what)(*args, **kw)
        text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
        path = folder / f"{name}.json"
        took = time.perf_counter() - t0
        if a.write:
            path.write_text(text, encoding="utf-8")
            print(f"{name:22} written ({took:.1f} s)")
        else:
            same = path.exists() and path.read_text(encoding="utf-8") == text
            bad += not same
            print(f"{name:22} {'identical' if same else 'DIFFERENT'} ({took:.1f} s)")
            if not same:
                (folder / f"{name}.new.json").write_text(text, encoding="utf-8")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
