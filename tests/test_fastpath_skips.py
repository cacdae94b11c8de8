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


def test_draws_shared_between_plans_change_nothing(tmp_path, monkeypatch):
    """A comparison's plans draw the same keys for the same replications: a plan computed
    after another finds their draws kept (fastpath._DRAWS), and gets the batch it gets alone;
    a variant that changes a distribution or a chance draws those anew."""
    overlay = tmp_path / "office_faster.yaml"
    overlay.write_text(
        "id: office_faster\ntitle: office_faster\nbase: chemical_leak_drill\n"
        "procedure:\n  roles:\n    office: {reaction: {dist: lognormal, median: 1, p90: 3},"
        " errors: {forget: 0.2}}\n",
        encoding="utf-8",
    )
    base = fastpath.check(plan_for("chemical_leak_drill", ()))
    variant = fastpath.check(plan_for("chemical_leak_drill", (str(overlay),)))
    monkeypatch.setattr(fastpath, "_DRAWS", fastpath._Draws(1 << 30))
    fastpath.compute(variant, 5, 0, 2000)
    alone = fastpath.compute(variant, 5, 0, 2000)  # every draw from the memo now
    monkeypatch.setattr(fastpath, "_DRAWS", fastpath._Draws(1 << 30))
    fastpath.compute(base, 5, 0, 2000)
    kept = len(fastpath._DRAWS.items)
    after = fastpath.compute(variant, 5, 0, 2000)
    assert kept < len(fastpath._DRAWS.items) < 2 * kept  # its own few, the base's others
    monkeypatch.setattr(fastpath, "_DRAWS", fastpath._Draws(0))  # nothing kept
    fresh = fastpath.compute(variant, 5, 0, 2000)
    for got in (alone, after):
        for k in fresh.rows:
            assert got.rows[k].tobytes() == fresh.rows[k].tobytes(), k
        assert got.events.tobytes() == fresh.events.tobytes()
    assert not fastpath._DRAWS.items  # cap 0 keeps none
