"""`drillsim validate`: every kind of problem is named with its file, line and column."""

import subprocess
import sys
from pathlib import Path

import pytest

from drillsim.cli import main
from drillsim.simulator.errors import InputError
from drillsim.simulator.loader import (
    PROCEDURES_DIR,
    SCENARIOS_DIR,
    load_actions,
    load_plan,
    validate_file,
)

PROC = (PROCEDURES_DIR / "abnormal_event_000.yaml").read_text(encoding="utf-8")
SCEN = (SCENARIOS_DIR / "payment_outage.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def problems_for(tmp_path, text, name="proc.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [str(p) for p in validate_file(str(path))], str(path)


def edit(old, new, text=PROC):
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    "old, new, needle, message",
    [
        # YAML syntax
        (
            "    name: 值班主管\n",
            "    name: 值班主管: 主管\n",
            "name: 值班主管: 主管",
            "YAML syntax: mapping values are not allowed",
        ),
        # unknown field
        (
            "    handover_min: 3\n",
            "    handover_min: 3\n    hand_over: 5\n",
            "hand_over: 5",
            "roles.duty_supervisor.hand_over: unknown field",
        ),
        # wrong type
        (
            "    members: 3\n    reaction: {dist: lognormal, median: 3, p90: 10}",
            "    members: many\n    reaction: {dist: lognormal, median: 3, p90: 10}",
            "members: many",
            "roles.emergency_committee.members",
        ),
        # undefined role (deputy), channel, task, service, obligation
        (
            "    deputy: monitoring_operator\n",
            "    deputy: night_shift\n",
            "deputy: night_shift",
            "unknown role 'night_shift'",
        ),
        (
            "    action: {do: report, to: [direct_supervisor], via: [oa]}",
            "    action: {do: report, to: [direct_supervisor], via: [fax]}",
            "via: [fax]",
            "unknown channel 'fax'",
        ),
        (
            "    action: {do: task, task: verify}",
            "    action: {do: task, task: verfy}",
            "task: verfy",
            "unknown task 'verfy'",
        ),
        (
            '    effects: {restore: [core_system], set: {recovered: true}}\n    clause: "000 §二(三)1(1)"',
            '    effects: {restore: [core_sys], set: {recovered: true}}\n    clause: "000 §二(三)1(1)"',
            "restore: [core_sys]",
            "unknown service 'core_sys'",
        ),
        (
            "    trigger: \"done('legal_review')\"",
            "    trigger: \"done('legal_reveiw')\"",
            "done('legal_reveiw')",
            "unknown obligation 'legal_reveiw'",
        ),
        (
            "    trigger: \"done('legal_review')\"",
            "    trigger: \"received('legal_review')\"",
            "received('legal_review')",
            "received(): 'legal_review' is not a report obligation",
        ),
        # zero and negative deadlines
        (
            "    deadline_min: 15\n",
            "    deadline_min: 0\n",
            "deadline_min: 0",
            "must be greater than 0",
        ),
        (
            "    deadline_min: 15\n",
            "    deadline_min: -5\n",
            "deadline_min: -5",
            "must be greater than 0",
        ),
        # a condition that does not parse, and one that names an unknown attribute
        (
            "    trigger: \"done('legal_review')\"",
            "    trigger: \"done('legal_review') and\"",
            "done('legal_review') and",
            "cannot parse condition",
        ),
        (
            'core_outage_min > 120"',
            'core_outage_mins > 120"',
            "core_outage_mins > 120",
            "unknown attribute 'core_outage_mins'",
        ),
        (
            "    trigger: \"done('legal_review')\"",
            "    trigger: \"__import__('os')\"",
            "__import__",
            "only these functions may be called",
        ),
        # grading rules read attributes only; an attribute may not take a built-in variable's name
        (
            'core_outage_min > 120"',
            "core_outage_min > 120 or reached('duty_supervisor')\"",
            "or reached(",
            "a grading rule reads attributes only, not reached()",
        ),
        (
            "  loss_cny: {unit: CNY",
            "  now: {unit: min}\n  loss_cny: {unit: CNY",
            "now: {unit: min}",
            "attributes.now: 'now' is a built-in variable",
        ),
        # retrigger_on: a condition, and only with retrigger
        (
            "    retrigger_on: level ",
            "    retrigger_on: levle ",
            "retrigger_on: levle",
            "unknown attribute 'levle'",
        ),
        (
            "    retrigger: true\n    retrigger_on: level ",
            "    retrigger_on: level ",
            "retrigger_on: level     #",
            "retrigger_on: needs `retrigger: true`",
        ),
    ],
)
def test_procedure_problems_name_their_line(tmp_path, old, new, needle, message):
    text = edit(old, new)
    problems, path = problems_for(tmp_path, text)
    line = line_of(text, needle)
    assert any(p.startswith(f"{path}:{line}:") and message in p for p in problems), problems


def test_deputy_chain_that_loops(tmp_path):
    text = edit(
        "    reaction: {dist: lognormal, median: 3, p90: 8}\n"
        "    errors: {forget: 0.03, misgrade: 0.12, wrong_channel: 0.05}",
        "    deputy: duty_supervisor\n    reaction: {dist: lognormal, median: 3, p90: 8}\n"
        "    errors: {forget: 0.03, misgrade: 0.12, wrong_channel: 0.05}",
    )
    problems, path = problems_for(tmp_path, text)
    assert any(
        "deputy chain loops: duty_supervisor -> monitoring_operator -> duty_supervisor" in p
        and p.startswith(f"{path}:{line_of(text, 'deputy: monitoring_operator')}:")
        for p in problems
    ), problems


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    text = edit("    deputy: monitoring_operator\n", "    deputy: nobody\n")
    text = edit(
        "    action: {do: task, task: verify}", "    action: {do: task, task: nothing}", text
    )
    problems, _ = problems_for(tmp_path, text)
    assert len(problems) == 2


def test_scenario_problems(tmp_path):
    proc_dir = tmp_path
    text = edit(
        "    to: [duty_supervisor]\n    channel: phone\n    text: 监控告警",
        "    to: [duty_superviser]\n    channel: pager\n    text: 监控告警",
        SCEN,
    )
    text = edit(
        "  - {channel: oa, from: 0, until: 240}",
        "  - {channel: oa, from: 0, until: 240, reason: IT}",
        text,
    )
    path = proc_dir / "scen.yaml"
    path.write_text(text, encoding="utf-8")
    problems = [str(p) for p in validate_file(str(path))]
    assert any(
        f":{line_of(text, 'reason: IT')}:" in p and "unknown field" in p for p in problems
    ), problems
    # the unknown-field error stops the model stage; fix it and the references are checked
    text = text.replace(", reason: IT", "")
    path.write_text(text, encoding="utf-8")
    problems = [str(p) for p in validate_file(str(path))]
    assert any(
        f":{line_of(text, 'duty_superviser')}:" in p and "unknown role 'duty_superviser'" in p
        for p in problems
    )
    assert any(
        f":{line_of(text, 'channel: pager')}:" in p and "unknown channel 'pager'" in p
        for p in problems
    )


def test_scenario_with_unknown_procedure_and_attribute(tmp_path):
    text = edit("procedures: [abnormal_event_000]", "procedures: [abnormal_event_999]", SCEN)
    problems, path = problems_for(tmp_path, text, "s.yaml")
    assert problems == [
        f"{path}:{line_of(text, 'abnormal_event_999')}:14: procedures[0]: unknown procedure 'abnormal_event_999'"
    ]
    text = edit(
        "customers_affected: 5200, complaints_day: 120}",
        "customers: 5200, complaints_day: 120}",
        SCEN,
    )
    problems, path = problems_for(tmp_path, text, "s2.yaml")
    assert any(
        f":{line_of(text, 'customers: 5200')}:" in p and "unknown attribute 'customers'" in p
        for p in problems
    ), problems


def test_unclosed_bracket_names_where_it_started(tmp_path):
    text = edit("    name: 值班主管\n", "    name: [值班主管\n")
    problems, path = problems_for(tmp_path, text)
    assert len(problems) == 1 and "YAML syntax" in problems[0]
    assert f"at line {line_of(text, 'name: [值班主管')}" in problems[0]


def test_empty_and_missing_files(tmp_path):
    problems, path = problems_for(tmp_path, "")
    assert problems == [f"{path}:1:1: the file is empty"]
    assert [str(p) for p in validate_file(str(tmp_path / "nope.yaml"))] == [
        f"{tmp_path / 'nope.yaml'}:1:1: no such file"
    ]


def test_actions_file_problems(tmp_path):
    plan = load_plan("payment_outage")
    path = tmp_path / "actions.yaml"
    path.write_text(
        "- {at: 3, role: duty_supervisor, do: task, task: verify}\n"
        "- {at: 5, role: cook, do: grade, level: 2}\n"
        "- {at: 6, role: duty_supervisor, do: report, to: [vp]}\n"
        "- {at: 7, role: duty_supervisor, do: grade, level: 7}\n"
        "- {at: -1, role: duty_supervisor, do: dance}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_actions(path, plan)
    lines = [str(p) for p in err.value.problems]
    assert any(l.startswith(f"{path}:2:") and "unknown role 'cook'" in l for l in lines), lines
    assert any(l.startswith(f"{path}:3:") and "needs via" in l for l in lines), lines
    assert any(l.startswith(f"{path}:4:") and "level: 7 is not a level" in l for l in lines), lines
    assert any(l.startswith(f"{path}:5:") and "[4] at" in l for l in lines), lines
    assert any(l.startswith(f"{path}:5:") and "[4] do" in l for l in lines), lines


def test_shipped_files_are_valid():
    files = sorted(map(str, SCENARIOS_DIR.glob("*.yaml"))) + sorted(
        map(str, PROCEDURES_DIR.glob("*.yaml"))
    )
    files += sorted(map(str, (SCENARIOS_DIR / "variants").glob("*.yaml")))
    assert len(files) >= 10
    for f in files:
        assert validate_file(f) == [], f


def test_validate_command_exit_codes(tmp_path, capsys):
    assert main(["validate", str(SCENARIOS_DIR / "payment_outage.yaml")]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(edit("    deadline_min: 15\n", "    deadline_min: 0\n"), encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    out = capsys.readouterr().out
    assert out.startswith(f"{bad}:") and "must be greater than 0" in out


def test_no_traceback_reaches_the_user(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: x\n  roles: [\n", encoding="utf-8")
    for args in (
        ["validate", str(bad)],
        ["run", str(bad)],
        ["describe", str(bad)],
        ["score", str(bad)],
        ["run", "no_such_scenario"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "drillsim", *args],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        assert proc.returncode == 2, (args, proc.stderr)
        said = proc.stdout + proc.stderr  # validate lists problems on stdout, others on stderr
        assert "Traceback" not in said and ("broken.yaml:" in said or "no_such_scenario" in said), (
            args,
            said,
        )
