"""A scenario's `drill:` section is checked like the rest: FILE:LINE:COL and the field."""

from __future__ import annotations

import pytest

from drillsim.simulator.errors import InputError
from drillsim.simulator.loader import load_plan, scenario_path


def test_a_bad_drill_section_names_file_line_and_field(tmp_path):
    text = scenario_path("warehouse_fire_drill").read_text(encoding="utf-8")
    bad = text.replace("meets: call_rescue", "meets: call_119").replace(
        "    all_clear:\n", "    all_clear:\n      after: nowhere\n"
    )
    path = tmp_path / "bad_drill.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_plan(str(path))
    lines = text.splitlines()
    meets_line = next(i for i, x in enumerate(lines, 1) if "meets: call_rescue" in x)
    messages = [str(p) for p in exc.value.problems]
    assert any(
        m.startswith(f"{path}:{meets_line}:")
        and "drill.milestones.called_119.meets: unknown obligation 'call_119'" in m
        for m in messages
    ), messages
    assert any(
        "drill.milestones.all_clear.after: unknown milestone 'nowhere'" in m for m in messages
    )


def test_a_live_drill_never_loses_or_delays_a_message():
    """A stamp says it happened: the loader makes every channel instant and reliable."""
    plan = load_plan("warehouse_fire_drill")
    for ch in plan.procedure.channels.values():
        assert ch.failure == 0 and ch.latency.dist == "fixed" and ch.latency.value == 0
    tabletop = load_plan("warehouse_fire")
    assert any(
        ch.failure > 0 or ch.latency.dist != "fixed" for ch in tabletop.procedure.channels.values()
    )
