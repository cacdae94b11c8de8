"""The SimPy port of the engine's design (benchmarks/reference_simpy.py) draws the engine's keyed
draws (simulator/rng.py, written out there) and follows the procedure, so it agrees with the engine
replication by replication: every first duty's verdict and the downtime, on the same seeds. The
engine benchmark's ratio to it compares exactly equal work only while this holds."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np

from drillsim.simulator.replications import STATUS, run_batch

_spec = importlib.util.spec_from_file_location(
    "reference_simpy", Path(__file__).resolve().parent.parent / "benchmarks" / "reference_simpy.py"
)
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)


def test_the_port_agrees_with_the_engine_replication_by_replication():
    params, seed, n = ref.Params(), 4, 120
    batch = run_batch("payment_outage", (), seed, 0, n)
    names = batch.layout.obligations
    d = batch.duties
    seen = set()
    for i in range(n):
        rep = ref.replicate(params, seed, i)
        rows = np.flatnonzero((d["rep"] == i) & (d["n"] == 1))
        mine = {names[d["ob"][k]]: STATUS[d["status"][k]] for k in rows}
        for ob in names:
            assert mine.get(ob, "not_triggered") == rep.status(ob), (i, ob)
            seen.add(rep.status(ob))
        down = batch.svc["downtime"][batch.svc["rep"] == i]
        assert math.isclose(float(down[0]), rep.downtime(), abs_tol=1e-6), i
    assert {"hit", "late", "missed", "not_triggered"} <= seen  # every kind of verdict compared
