"""The hit/late rule (next to the duty, simulator/agenda.py) and the RTO rule (next to the service,
simulator/model.py): defined once, at their boundaries."""

from __future__ import annotations

import pytest

from drillsim.simulator.agenda import Duty, on_time
from drillsim.simulator.model import Service


@pytest.mark.parametrize(
    ("done", "hit"), [(14.9, True), (15.0, True), (15.0 + 1e-12, True), (15.1, False)]
)
def test_hit_late_boundary(done, hit):
    assert on_time(done, 15.0) is hit
    occ = Duty("o", "main", 1, triggered_at=0.0, deadline_at=15.0, done_at=done)
    assert occ.status(end=60.0) == ("hit" if hit else "late")


def test_a_duty_not_done_is_open_before_its_deadline_and_missed_after():
    occ = Duty("o", "main", 1, triggered_at=0.0, deadline_at=15.0)
    assert occ.status(end=14.9) == "open"
    assert occ.status(end=15.0) == "missed"


@pytest.mark.parametrize(
    ("downtime", "restored", "met"),
    [
        (120.0, True, True),  # restored exactly at the RTO: met
        (120.1, True, False),
        (120.0, False, None),  # still down at the RTO: not decided yet
        (120.1, False, False),  # still down past it: not met, whatever comes
        (30.0, False, None),
    ],
)
def test_rto_boundary(downtime, restored, met):
    svc = Service(name="支付接口", rto_min=120)
    assert svc.rto_met(downtime, restored) is met
