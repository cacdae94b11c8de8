"""Monte Carlo keeps freed memory in the process (simulator/freed_memory.py): a batch's arrays,
dropped and made again for the next batch, reuse the same pages instead of page-faulting anew."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from drillsim.simulator import replications

# ten arrays of 5 MB alive at once, dropped, made again: the page faults of ten such batches
_BATCHES = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    from drillsim.simulator.freed_memory import keep_freed_memory
    kept = keep_freed_memory() if sys.argv[1] == "keep" else None
    def batch():
        return [np.ones(5 << 17) for _ in range(10)]
    batch(); batch()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        batch()
    print(kept, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    """
)


def _faults(how: str) -> tuple[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", _BATCHES, how], capture_output=True, text=True, check=True
    )
    kept, faults = out.stdout.split()
    return kept, int(faults)


def test_batches_reuse_freed_pages():  # on Linux with glibc, where drillsim runs
    kept, faults = _faults("keep")
    assert kept == "True"
    # 10 batches of 50 MB are 128,000 pages if each came afresh
    assert faults < 1_000


def test_run_replications_keeps_freed_memory(monkeypatch):
    calls = []
    monkeypatch.setattr(replications, "keep_freed_memory", lambda: calls.append(1) or True)
    jobs = [replications.Job("chemical_leak_drill", (), 4, 1)]
    replications.run_replications(jobs, workers=1, fast=False)
    assert calls == [1]
