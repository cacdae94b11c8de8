"""Property: the shipped plans, mutated as careless or hostile hands would (keys dropped, renamed
and retyped, extreme numbers, odd strings, aliases), get `validate` exit 0 or a clean exit 2 —
never an internal error — and every mutant that validates runs to the end.

CI runs a quick profile (about a minute on a shared 2-core machine); for a long local hunt:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz_plans.py -p no:cacheprovider
"""

from __future__ import annotations

import copy
import os
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from drillsim.cli import main
from drillsim.simulator.loader import PROCEDURES_DIR, SCENARIOS_DIR

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    database=None,  # nothing written into the repository
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "long", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
PROFILE = PROFILE if PROFILE in ("ci", "long") else "ci"

PLANS = {  # scenario -> its procedure: a rules-graded and a matrix-graded plan
    "payment_outage": "abnormal_event_000",
    "service_desk_shift": "itsm_incident_001",
}
DATA = {
    name: yaml.safe_load((folder / f"{name}.yaml").read_text(encoding="utf-8"))
    for names, folder in ((PLANS, SCENARIOS_DIR), (PLANS.values(), PROCEDURES_DIR))
    for name in names
}

NUMBERS = st.sampled_from(
    [0, -1, 1, 0.5, 1e-9, 1e-300, 59.999, 1e15, 10**15 + 1, 10**40, float("inf"), float("nan")]
)
ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "99:99",
        "25:99",
        "24:00",
        "x" * 300,
        "inject:nonexistent",
        "done:nowhere",
        "1/0",
        "level in 5",
        "media > 5",
        "media * 99999999999",
        "reached('nobody')",
        "__import__('os')",
        "level ==",
        "值班主管",
        "\u202etxt",
        "true",
        "null",
    ]
)
VALUES = st.one_of(
    NUMBERS,
    ODD_TEXT,
    st.booleans(),
    st.none(),
    st.builds(list),  # a fresh one each time: a later mutation may change it in place
    st.builds(dict),
    st.lists(st.integers(-3, 3), max_size=3),
    st.text(max_size=12),
)


def paths(node, prefix=(), inside=frozenset()):
    """Every path to a value inside `node` (not into a value that contains itself again)."""
    out = [prefix] if prefix else []
    if id(node) in inside:
        return out
    inside = inside | {id(node)}
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths(value, prefix + (key,), inside)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += paths(value, prefix + (i,), inside)
    return out


def at(node, path):
    for part in path:
        node = node[part]
    return node


def mutate(data, root, draw):
    """One mutation of `root` (in place); returns what it did, for the failure report."""
    path = draw(st.sampled_from(paths(root)))
    parent, last = at(root, path[:-1]), path[-1]
    kind = draw(st.sampled_from(["drop", "rename", "retype", "retype", "alias", "self"]))
    if kind == "drop":
        del parent[last]
    elif kind == "rename" and isinstance(parent, dict):
        new = draw(st.one_of(ODD_TEXT, st.from_regex(r"[a-z_]{1,8}", fullmatch=True)))
        if new not in parent:
            parent[new] = parent.pop(last)
    elif kind == "alias":  # the same object twice: the YAML gets an anchor and an alias
        other = draw(st.sampled_from(paths(root)))
        if other[: len(path)] != path:
            parent[last] = at(root, other)
            return f"{kind} {path} = {other}"
    elif kind == "self" and isinstance(parent[last], (dict, list)):
        value = parent[last]
        if isinstance(value, dict):  # a value that contains itself
            value["again"] = value
        else:
            value.append(value)
    else:
        parent[last] = draw(VALUES)
    return f"{kind} {path}"


def quiet(argv) -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue() + err.getvalue()


@settings(settings.get_profile(PROFILE))
@given(data=st.data())
def test_mutated_plans_validate_cleanly_and_what_validates_runs(data):
    scenario = data.draw(st.sampled_from(sorted(PLANS)), label="scenario")
    procedure = PLANS[scenario]
    target = data.draw(st.sampled_from([scenario, procedure]), label="file")
    files = {scenario: copy.deepcopy(DATA[scenario]), procedure: copy.deepcopy(DATA[procedure])}
    done = [mutate(data, files[target], data.draw) for _ in range(data.draw(st.integers(1, 3)))]
    note(f"{target}: {done}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "procedures").mkdir()
        scen_path = folder / f"{scenario}.yaml"
        proc_path = folder / "procedures" / f"{procedure}.yaml"
        for name, path in ((scenario, scen_path), (procedure, proc_path)):
            try:
                text = yaml.safe_dump(files[name], allow_unicode=True, sort_keys=False)
            except (yaml.YAMLError, RecursionError):  # not even expressible as YAML
                return
            path.write_text(text, encoding="utf-8")
        for checked in (proc_path, scen_path):
            code, out = quiet(["validate", str(checked)])
            assert code in (0, 2), out
            assert "internal error" not in out and "Traceback" not in out, out
            assert code == 0 or out.startswith(str(folder)), out  # FILE:LINE:COL: message
        # the scenario (with the procedure beside it) validated: it runs to the end; it did not:
        # run refuses it just as cleanly
        run_code, run_out = quiet(["run", str(scen_path), "--json"])
        assert "internal error" not in run_out and "Traceback" not in run_out, run_out
        assert run_code == (0 if code == 0 else 2), run_out
