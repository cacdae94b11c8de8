"""The plain SimPy model of payment_outage (benchmarks/plain_simpy.py) models what drillsim does.

It is the yardstick of the engine's speed, so it must do the same work: its outcome rates (each
duty falling due and being met on time, the RTO met) must agree with the engine's within Monte
Carlo error. The two draw differently (one numpy Generator in event order against keyed draws),
so they agree only in distribution: compared as independent samples.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np

from drillsim.simulator.replications import CODE, run_batch

N = 1500
Z = 4.0  # about 40 comparisons: a false alarm at |z| > 4 is a 1-in-400 event for the lot

_spec = importlib.util.spec_from_file_location(
    "plain_simpy", Path(__file__).resolve().parent.parent / "benchmarks" / "plain_simpy.py"
)
plain_simpy = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(plain_simpy)


def _z(p: float, q: float, n: int) -> float:
    se = math.sqrt((p * (1 - p) + q * (1 - q)) / n)
    return 0.0 if se == 0 and p == q else (p - q) / max(se, 1e-12)


def test_plain_model_agrees_with_the_engine_within_monte_carlo_error():
    batch = run_batch("payment_outage", (), 11, 0, N)
    occ = batch.duties
    first = occ["n"] == 1
    params = plain_simpy.Params()
    runs = [plain_simpy.replicate(params, 5, i) for i in range(N)]
    compared = []
    for k, duty in enumerate(batch.layout.obligations):
        rows = first & (occ["ob"] == k)
        engine = {
            "triggered": rows.sum() / N,
            "hit": (occ["status"][rows] == CODE["hit"]).sum() / N,
            "missed": (occ["status"][rows] == CODE["missed"]).sum() / N,
        }
        statuses = [r.status(duty) for r in runs]
        plain = {
            "triggered": sum(s != "not_triggered" for s in statuses) / N,
            "hit": statuses.count("hit") / N,
            "missed": statuses.count("missed") / N,
        }
        for what in engine:
            z = _z(plain[what], engine[what], N)
            compared.append((duty, what, engine[what], plain[what], z))
    rto_engine = float(np.mean(batch.svc["rto_met"] == 1))
    rto_plain = sum(r.rto_met() for r in runs) / N
    compared.append(("core_system", "rto_met", rto_engine, rto_plain, _z(rto_plain, rto_engine, N)))
    off = [c for c in compared if abs(c[4]) > Z]
    assert not off, off
    # the comparison has something to compare: most duties are met on time in most replications
    hits = {c[0]: c[2] for c in compared if c[1] == "hit"}
    assert 0.6 < hits["report_l1_ops"] < 0.85 and 0.2 < hits["failover_within_5"] < 0.45
    assert 0.55 < rto_plain < 0.8
