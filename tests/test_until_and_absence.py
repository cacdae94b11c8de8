"""Two engine rules the procedures rely on.

A recurring duty ends with its `until` condition: no occurrence falls due once it holds, and one
that fell due before and is still open when it starts to hold is void (no longer owed: neither
hit nor missed, counted as void) (000 §二(二)2: the coordination group's updates every 30 minutes "until recovery").

An absence known before the exercise: the deputy acts from the first minute with no handover;
a handover delay applies only to an absence that begins during the exercise (003 §5.3: the factory
head exercises the GM's powers when the GM is away).
"""

from __future__ import annotations

import yaml

from tests.helpers import entries, entry, run_scripted

SILENT = {  # every channel takes exactly one minute and never fails, so boundaries are exact
    "channels": {
        c: {"latency": {"dist": "uniform", "low": 1, "high": 1}, "failure": 0}
        for c in ("phone", "oa", "email", "chat")
    }
}


def _write(tmp_path, name: str, data: dict) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def coordination(tmp_path, told_at: float, recovered_at: float) -> str:
    """000 with the coordination group told at `told_at` (its first update due 30 min later)
    and the event recovered at `recovered_at`."""
    return _write(
        tmp_path,
        f"coord_{told_at:g}_{recovered_at:g}",
        {
            "id": "coordination_until",
            "title": "coordination updates until recovery",
            "procedures": ["abnormal_event_000"],
            "duration_min": 300,
            "incidents": {"main": {"attributes": {"customers_affected": 6000}}},
            "timeline": [{"at": recovered_at, "set": {"recovered": True}}],
            "injects": {
                "groups_told": {"at": told_at, "to": ["coordination_group"], "text": "成立协调组"}
            },
            "overrides": SILENT,
        },
    )


def post(at: float) -> dict:
    return {
        "at": at,
        "role": "coordination_group",
        "do": "report",
        "to": ["emergency_committee", "ops_dept"],
        "via": "chat",
    }


def updates(result: dict) -> list[tuple]:
    return [
        (e["triggered_at"], e["deadline_at"], e["status"])
        for e in entries(result, "coordination_updates")
    ]


def test_no_update_is_owed_after_recovery(tmp_path):
    """Posts at 50, 80 and 110, recovery at 130: the update that would be due at 140 is void."""
    path = coordination(tmp_path, 20, 130)
    r = run_scripted(path, [post(50), post(80), post(110)])
    assert updates(r) == [(20, 50, "hit"), (50, 80, "hit"), (80, 110, "hit"), (110, 140, "void")]
    assert r["summary"]["void"] == 1 and r["summary"]["missed"] == 0


def test_missed_updates_stay_missed_and_the_open_one_is_void(tmp_path):
    """Only the first post: the ones due at 80 and 110 are missed; the one due at 140 was still
    open when the event recovered at 130, so it is void."""
    r = run_scripted(coordination(tmp_path, 20, 130), [post(50)])
    assert updates(r) == [
        (20, 50, "hit"),
        (50, 80, "missed"),
        (80, 110, "missed"),
        (110, 140, "void"),
    ]
    assert r["summary"]["sla_hit_rate"] == round(1 / 3, 4)  # the void one is not judged


def test_an_update_due_exactly_at_recovery_is_still_owed(tmp_path):
    """Recovery at 110, the deadline of the third update: it had fallen due and was not open
    past its deadline, so it is judged (hit at 110), and nothing falls due after it."""
    r = run_scripted(coordination(tmp_path, 20, 110), [post(50), post(80), post(110)])
    assert updates(r)[-1] == (80, 110, "hit") and len(updates(r)) == 3


def test_an_update_that_is_void_every_time_is_void_not_untriggered(tmp_path):
    """Told at 20, recovered at 30: the only update (due at 50) fell due and became void; the
    verdicts say void, not 'not triggered', and nothing is judged."""
    r = run_scripted(coordination(tmp_path, 20, 30), [])
    assert updates(r) == [(20, 50, "void")]
    assert r["summary"]["void"] == 1 and r["summary"]["sla_hit_rate"] is None
    (e,) = entries(r, "coordination_updates")
    assert e["done_at"] is None and e["late_by_min"] is None and e["incident"] == "main"


def test_nothing_falls_due_when_until_already_holds(tmp_path):
    """The group is told after the event has recovered: no update is owed at all."""
    r = run_scripted(coordination(tmp_path, 60, 40), [])
    assert [e["status"] for e in entries(r, "coordination_updates")] == ["not_triggered"]


# --- absences known before the exercise ---------------------------------------------------------


def fire(tmp_path, absence: dict) -> str:
    return _write(
        tmp_path,
        "fire_" + "_".join(f"{k}{v}" for k, v in absence.items()),
        {
            "id": "gm_away_fire",
            "title": "fire, GM away",
            "procedures": ["factory_003"],
            "duration_min": 120,
            "incidents": {"main": {"attributes": {"hazard": "fire"}}},
            "absences": [absence],
            "injects": {"gm_told": {"at": 0, "to": ["gm"], "text": "仓库起火"}},
        },
    )


def command_group(at: float, role: str = "factory_head") -> dict:
    return {
        "at": at,
        "role": role,
        "do": "report",
        "to": ["command_group", "office"],
        "via": "phone",
    }


def test_gm_away_from_the_start_the_factory_head_acts_at_once(tmp_path):
    r = run_scripted(fire(tmp_path, {"role": "gm"}), [command_group(3)])
    e = entry(r, "form_command_group")
    assert (e["triggered_at"], e["deadline_at"], e["status"], e["acted_by"]) == (
        0,
        10,
        "hit",
        "factory_head",
    )


def test_an_absence_that_begins_during_the_exercise_has_a_handover(tmp_path):
    """The GM leaves at minute 0 of the exercise: the 5-minute handover (an assumption of
    factory_003) applies, so the factory head's order at 3 is not yet the GM's."""
    r = run_scripted(fire(tmp_path, {"role": "gm", "from": 0}), [command_group(3)])
    e = entry(r, "form_command_group")
    assert (e["triggered_at"], e["status"], e["acted_by"]) == (5, "missed", None)
    later = run_scripted(fire(tmp_path, {"role": "gm", "from": 0}), [command_group(6)])
    assert entry(later, "form_command_group")["status"] == "hit"
