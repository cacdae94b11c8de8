"""Whatever `validate` accepts, `run` plays to the end: each class of plan that used to validate
and then crash or hang the run is now refused when the plan loads, naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillsim.cli import main
from drillsim.simulator.expressions import VARIABLE_TYPES, check_types, compile_condition
from drillsim.simulator.loader import PROCEDURES_DIR, SCENARIOS_DIR, VARIANTS_DIR

PROC = (PROCEDURES_DIR / "abnormal_event_000.yaml").read_text(encoding="utf-8")
SCEN = (SCENARIOS_DIR / "payment_outage.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def plan_files(tmp_path: Path, proc: str = PROC, scen: str = SCEN) -> Path:
    """The payment outage scenario with its procedure beside it, as a user's folder has them."""
    (tmp_path / "procedures").mkdir(exist_ok=True)
    (tmp_path / "procedures" / "abnormal_event_000.yaml").write_text(proc, encoding="utf-8")
    path = tmp_path / "payment_outage.yaml"
    path.write_text(scen, encoding="utf-8")
    return path


def validate(capsys, *files) -> tuple[int, str]:
    code = main(["validate", *map(str, files)])
    out = capsys.readouterr()
    return code, out.out + out.err


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


TRIGGER = """    trigger: "level == 1 and reached('duty_supervisor')"\n    action: {do: report, to: [ops_dept]"""


@pytest.mark.parametrize(
    "condition, message",
    [
        ("1/0 > 0", "`/` divides by a number written in the condition, not zero"),
        ("customers_affected % core_outage_min > 1", "`%` divides by a number written"),
        ("media > 5", "an ordering (< <= > >=) needs a number, but 'media' is a text"),
        ("level in 5", "`in` takes a written list, e.g. x in [1, 2], not '5'"),
        ("media * 99999999999 == 'x'", "`*` needs a number, but 'media' is a text"),
        ("media == 3", "'media' is a text and '3' a number: they are never equal"),
        ("level in ['1', 2]", "'level' is a number, but the list holds \"'1'\", a text"),
        ("-media", "`-` needs a number"),
        ("[1, 2]", "a list is only allowed after `in`"),
        ("key_system + 1 > 2", "`+` needs a number, but 'key_system' is a flag"),
    ],
)
def test_conditions_are_type_checked_against_the_attributes(tmp_path, capsys, condition, message):
    proc = edit(
        PROC, TRIGGER, TRIGGER.replace("level == 1 and reached('duty_supervisor')", condition)
    )
    path = plan_files(tmp_path, proc=proc)
    code, out = validate(capsys, path)
    assert code == 2
    where = f"{tmp_path / 'procedures' / 'abnormal_event_000.yaml'}:{line_of(proc, condition)}:"
    assert where in out
    assert "obligations.report_l1_ops.trigger: " + message in out


def test_well_typed_conditions_pass():
    types = {**VARIABLE_TYPES, "media": "text", "key_system": "flag", "n": "number"}
    for ok in (
        "level == 1 and reached('x')",
        "30 <= n / 2 <= 120 or media in ['regional', 'negative']",
        "key_system == true and not n",
        "n * 99999999999 > 5",
    ):
        assert check_types(ok, types) == [], ok


def test_a_condition_too_long_or_too_deep_is_refused():
    with pytest.raises(ValueError, match="at most 500 characters"):
        compile_condition("n + " * 200 + "1")
    with pytest.raises(ValueError):
        compile_condition("(" * 300 + "1" + ")" * 300)


@pytest.mark.parametrize(
    "where, old, new, needle, message",
    [
        (
            "proc",
            "  customers_affected: {description: 影响客户数 customers affected}",
            "  customers_affected: {default: lots, description: 影响客户数 customers affected}",
            "default: lots",
            "attributes.customers_affected.default: 'lots' is not a number (the attribute's type)",
        ),
        (
            "scen",
            "customers_affected: 120,",
            "customers_affected: many,",
            "customers_affected: many",
            "incidents.main.attributes.customers_affected: 'many' is not a number",
        ),
        (
            "scen",
            "set: {complaints_day: 30}",
            "set: {complaints_day: true}",
            "set: {complaints_day: true}",
            "injects.complaints.set.complaints_day: True is not a number",
        ),
        (
            "proc",
            "    deadline_min: 10\n  initial_record:",
            "    deadline_min: .inf\n  initial_record:",
            "deadline_min: .inf",
            "number out of range: .inf",
        ),
        (
            "proc",
            "    deadline_min: 10\n  initial_record:",
            "    deadline_min: 600000\n  initial_record:",
            "deadline_min: 600000",
            "obligations.verify.deadline_min: Input should be less than or equal to 525600",
        ),
        (
            "scen",
            "duration_min: 300",
            "duration_min: 400000",
            "duration_min: 400000",
            "duration_min: 400000 minutes would make obligation coordination_updates (every 30 min) "
            "fall due more than 10,000 times",
        ),
        (
            "proc",
            "    every_min: 30\n",
            "    every_min: 0.000000001\n",
            "every_min: 0.000000001",
            "obligations.coordination_updates.every_min: Input should be greater than or equal to 1",
        ),
        (
            "proc",
            "reaction: {dist: lognormal, median: 2, p90: 6}",
            "reaction: {dist: lognormal, median: 1.0e-300, p90: 500000}",
            "p90: 500000",
            "roles.duty_supervisor.reaction: p90 is too many times the median (draws would overflow)",
        ),
        (
            "scen",
            'start_clock: "09:30"',
            'start_clock: "99:99"',
            'start_clock: "99:99"',
            "start_clock: '99:99' is not a time of day (HH:MM, 00:00 to 23:59)",
        ),
        (
            "proc",
            'deadline_clock: "18:00"',
            'deadline_clock: "25:99"',
            'deadline_clock: "25:99"',
            "obligations.l3_progress_to_dept_head.deadline_clock: '25:99' is not a time of day",
        ),
        (
            "scen",
            "{channel: oa, from: 0, until: 240}",
            "{channel: oa, from: 100, until: 40}",
            "from: 100, until: 40",
            "outages.0: `until` (40) must be after `from` (100)",
        ),
        (
            "proc",
            "    deadline_min: 10\n  initial_record:",
            "    deadline_min: 10\n    anchor: inject:nonexistent\n  initial_record:",
            "anchor: inject:nonexistent",
            "obligations.verify.anchor: unknown inject 'nonexistent'",
        ),
        (
            "scen",
            "id: payment_outage",
            "id: " + "x" * 300,
            "id: xxx",
            "id: String should have at most 64 characters",
        ),
    ],
)
def test_plans_that_would_not_run_are_refused(tmp_path, capsys, where, old, new, needle, message):
    proc = edit(PROC, old, new) if where == "proc" else PROC
    scen = edit(SCEN, old, new) if where == "scen" else SCEN
    path = plan_files(tmp_path, proc, scen)
    code, out = validate(capsys, path)
    assert code == 2, out
    text, file = (
        (proc, tmp_path / "procedures" / "abnormal_event_000.yaml")
        if where == "proc"
        else (scen, path)
    )
    assert f"{file}:{line_of(text, needle)}:" in out, out
    assert message in out
    assert "internal error" not in out
    code = main(["run", str(path)])
    assert code == 2  # and run says the same, not an internal error
    assert message in capsys.readouterr().err


def test_variant_fields_are_checked(tmp_path, capsys):
    variant = (VARIANTS_DIR / "trained_deputy.yaml").read_text(encoding="utf-8")
    path = tmp_path / "v.yaml"
    path.write_text(edit(variant, "base: payment_outage", "base: true"), encoding="utf-8")
    code, out = validate(capsys, path)
    assert code == 2
    assert (
        f"{path}:{line_of(path.read_text(), 'base: true')}:7: base: expected text, got True" in out
    )
    path.write_text(edit(variant, "base: payment_outage", "base: " + "b" * 300), encoding="utf-8")
    code, out = validate(capsys, path)
    assert code == 2 and "base: a name of 1 to 255 bytes" in out


def test_validate_needs_files_and_does_not_pass_an_unchecked_list(tmp_path, capsys):
    code, out = validate(capsys)
    assert code == 2 and "name the files to check" in out
    actions = tmp_path / "acts.yaml"
    actions.write_text("- {at: 1, role: duty_supervisor, do: grade, level: 3}\n")
    code, out = validate(capsys, actions)
    assert code == 2
    assert f"{actions}:1:1: a YAML list is an actions file" in out
    assert "ok" not in out.split(":")[-1]
    code = main(["validate", "--actions", str(actions), "--scenario", "payment_outage"])
    assert code == 0


def test_a_run_that_fails_anyway_is_a_clean_error(tmp_path, capsys, monkeypatch):
    """Belt and braces: should an evaluation fail while the run plays, the user gets FILE: message
    and exit 2, not an internal error."""
    from drillsim.simulator import triggers

    def broken(c):
        raise TypeError("'<' not supported between instances of 'str' and 'int'")

    # what the engine evaluates: the conditions compiled with these readers (plan.Runtime)
    monkeypatch.setattr(triggers._Readers, "var", staticmethod(lambda name: broken))
    monkeypatch.setattr(triggers._Readers, "equals", staticmethod(lambda *_: broken))
    code = main(["run", "payment_outage"])
    err = capsys.readouterr().err
    assert code == 2
    assert "payment_outage.yaml:1:1: the run stopped at minute 0" in err
    assert "internal error" not in err


def test_shipped_plans_still_validate(capsys):
    files = sorted(SCENARIOS_DIR.glob("*.yaml")) + sorted(PROCEDURES_DIR.glob("*.yaml"))
    files += sorted(VARIANTS_DIR.glob("*.yaml"))
    code, out = validate(capsys, *files)
    assert code == 0, out
