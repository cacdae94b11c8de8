"""Run every benchmark in this folder (make bench). Not part of the tests: timing needs a quiet machine."""

import runpy
import sys
from pathlib import Path


def main() -> None:
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))
    for script in sorted(here.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":  # worker processes that import this module must not rerun everything
    main()
