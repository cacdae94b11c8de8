"""Run every benchmark in this folder (make bench). Not part of the tests: timing needs a quiet machine."""
import runpy
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here.parent))
for script in sorted(here.glob("bench_*.py")):
    print(f"== {script.name}", flush=True)
    runpy.run_path(str(script), run_name="__main__")
