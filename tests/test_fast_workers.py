"""The fast path's batches spread over worker processes, as the engine's are, each reduced
(scoring.tally.Reduction) where it was computed: the same results, byte for byte, as in one
process."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import pytest

from drillsim.scoring import montecarlo as mc
from drillsim.simulator import replications
from drillsim.simulator.replications import Job, RunInfo, run_replications


@pytest.fixture
def small_chunks(monkeypatch):
    # batches of 1,500 instead of 25,000: several batches from a few thousand replications
    monkeypatch.setattr(replications, "FAST_CHUNK", 1500)


@dataclass
class Where:
    pid: int
    start: int
    count: int
    rows: int


def where_reduced(j: int, batch) -> Where:  # module level: pickles to the pool by name
    return Where(os.getpid(), batch.start, batch.count, int(batch.duties["rep"].size))


def test_fast_batches_are_computed_and_reduced_in_workers(small_chunks):
    got: list[tuple[int, Where]] = []
    info = RunInfo()
    out = run_replications(
        [Job("chemical_leak_drill", (), 9000, 2)],
        workers=2,
        info=info,
        consume=lambda j, w: got.append((j, w)),
        reduce=where_reduced,
    )
    assert out == []
    assert (info.where, info.workers, info.batches) == ("fast", 2, 6)
    assert sum(w.count for _, w in got) == 9000 and all(w.rows > 0 for _, w in got)
    # each batch claimed by exactly one process (the pool's queued claims past the last find none)
    assert sorted(w.start for _, w in got) == list(range(0, 9000, 1500))
    pids = {w.pid for _, w in got}
    assert os.getpid() in pids and len(pids) == 2  # this process and one pool worker


def test_montecarlo_on_two_workers_is_the_one_process_result(small_chunks):
    one = mc.montecarlo("chemical_leak_drill", 6000, 3, workers=1)
    info = RunInfo()
    two = mc.montecarlo("chemical_leak_drill", 6000, 3, workers=2, info=info)
    assert (info.where, info.workers) == ("fast", 2)
    assert json.dumps(two, ensure_ascii=False) == json.dumps(one, ensure_ascii=False)


def test_compare_on_two_workers_is_the_one_process_result(small_chunks, tmp_path):
    v = tmp_path / "office_faster.yaml"
    v.write_text(
        "id: office_faster\ntitle: office_faster\nbase: chemical_leak_drill\nprocedure:\n"
        "  roles:\n    office: {reaction: {dist: lognormal, median: 1, p90: 3}}\n",
        encoding="utf-8",
    )
    one = mc.compare("chemical_leak_drill", [str(v)], 4500, 5, workers=1)
    info = RunInfo()
    two = mc.compare("chemical_leak_drill", [str(v)], 4500, 5, workers=2, info=info)
    assert (info.where, info.workers, info.batches) == ("fast", 2, 6)
    assert json.dumps(two, ensure_ascii=False) == json.dumps(one, ensure_ascii=False)
    assert two["variants"][0]["obligations"]  # a comparison with its paired differences
