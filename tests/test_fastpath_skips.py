"""The fast path's passes after the first recompute only the duties whose inputs changed
(simulator/fastpath.py, `inputs`): every duty it skips, recomputed, gives what it kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillsim.simulator import fastpath
from drillsim.simulator.replications import plan_for

VARIANTS = Path(__file__).resolve().parents[1] / "scenarios" / "variants"

PLANS = [
    ("chemical_leak_drill", ()),
    ("power_outage_8h", ()),
    ("typhoon_warning", ()),
    ("payment_outage", ()),
    ("payment_outage", (str(VARIANTS / "tested_dr_switch.yaml"),)),
    ("payment_outage", (str(VARIANTS / "grading_training.yaml"),)),
]


@pytest.mark.parametrize(("scenario", "variants"), PLANS)
def test_skipped_duties_recomputed_are_unchanged(monkeypatch, scenario, variants):
    model = fastpath.check(plan_for(scenario, variants))
    plain = fastpath.compute(model, 3, 40, 1500)
    checked: list[str] = []
    monkeypatch.setattr(fastpath, "_VERIFY_SKIPS", checked)
    again = fastpath.compute(model, 3, 40, 1500)  # AssertionError where a skip was wrong
    assert checked, "no duty was skipped: the check checked nothing"
    for k in plain.rows:
        assert plain.rows[k].tobytes() == again.rows[k].tobytes(), k
    assert plain.events.tobytes() == again.events.tobytes()
