"""The cache of validated plans (simulator/plancache.py): used only while it is what the files
say, ignored when corrupt, and a run from it is the run from the files."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drillsim.simulator import plancache
from drillsim.simulator.errors import InputError
from drillsim.simulator.loader import PROCEDURES_DIR, SCENARIOS_DIR, load_plan
from drillsim.simulator.runner import run_plan


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(plancache.ENV, str(folder))
    return folder


@pytest.fixture
def files(tmp_path):
    """payment_outage and its procedure, copied where the test may edit them."""
    (tmp_path / "procedures").mkdir()
    shutil.copy(SCENARIOS_DIR / "payment_outage.yaml", tmp_path / "payment_outage.yaml")
    shutil.copy(
        PROCEDURES_DIR / "abnormal_event_000.yaml",
        tmp_path / "procedures" / "abnormal_event_000.yaml",
    )
    return tmp_path


def entries(cache):
    return sorted((cache / "plans").glob("*.pickle"))


def test_a_second_load_comes_from_the_cache_and_runs_the_same(cache, files):
    scenario = str(files / "payment_outage.yaml")
    fresh = load_plan(scenario)
    assert len(entries(cache)) == 1
    cached = load_plan(scenario)
    assert cached is not fresh
    assert cached.hashes == fresh.hashes and cached.files == fresh.files
    assert cached.procedure == fresh.procedure and cached.scenario == fresh.scenario
    assert set(cached.conditions) == set(fresh.conditions)
    for seed in (1, 7):
        assert run_plan(cached, seed=seed).events == run_plan(fresh, seed=seed).events


def test_an_edited_file_is_validated_again(cache, files):
    scenario = str(files / "payment_outage.yaml")
    assert load_plan(scenario).procedure.obligations["verify"].deadline_min == 10
    proc = files / "procedures" / "abnormal_event_000.yaml"
    text = proc.read_text(encoding="utf-8")
    verify = "action: {do: task, task: verify}\n    deadline_min: 10"
    assert text.count(verify) == 1
    proc.write_text(
        text.replace(verify, verify.replace("10", "12")),
        encoding="utf-8",
    )
    assert load_plan(scenario).procedure.obligations["verify"].deadline_min == 12
    # an edit that breaks the file is reported, not hidden by the cache
    proc.write_text(text.replace("deadline_min: 10", "deadline_min: -1", 1), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_plan(scenario)
    assert "abnormal_event_000.yaml" in str(err.value.problems[0])


def test_a_procedure_that_now_resolves_elsewhere_is_loaded_from_there(cache, files, tmp_path):
    scenario = str(files / "payment_outage.yaml")
    assert load_plan(scenario).sources[0]["file"] == str(
        files / "procedures" / "abnormal_event_000.yaml"
    )
    # the scenario's own folder is searched before procedures/: a file put there now wins
    beside = files / "abnormal_event_000.yaml"
    shutil.copy(files / "procedures" / "abnormal_event_000.yaml", beside)
    assert load_plan(scenario).sources[0]["file"] == str(beside)


def test_a_corrupt_or_truncated_entry_is_ignored_and_replaced(cache, files):
    scenario = str(files / "payment_outage.yaml")
    fresh = load_plan(scenario)
    (entry,) = entries(cache)
    good = entry.read_bytes()
    for bad in (b"not a pickle", good[: len(good) // 2], b""):
        entry.write_bytes(bad)
        plan = load_plan(scenario)
        assert plan.procedure == fresh.procedure
        assert entry.read_bytes() != bad  # written again
    # a well-formed pickle of something else is no plan either
    import pickle

    entry.write_bytes(pickle.dumps({"hashes": 1}))
    assert load_plan(scenario).procedure == fresh.procedure


def test_caching_off_writes_nothing_and_an_unwritable_cache_is_skipped(
    tmp_path, monkeypatch, files
):
    monkeypatch.setenv(plancache.ENV, "off")
    assert plancache.folder() is None
    load_plan(str(files / "payment_outage.yaml"))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(plancache.ENV, str(blocker / "sub"))  # under a file: cannot be created
    assert load_plan(str(files / "payment_outage.yaml")).scenario.id == "payment_outage"


def test_variants_and_shipped_ids_have_entries_of_their_own(cache):
    base = load_plan("payment_outage")
    varied = load_plan("payment_outage", ["sms_fallback"])
    assert len(entries(cache)) == 2
    assert load_plan("payment_outage", ["sms_fallback"]).variants == varied.variants
    assert load_plan("payment_outage").variants == base.variants == []


def test_cached_plans_share_their_compiled_conditions_and_keep_their_variants_titles(cache):
    fresh = load_plan("payment_outage", ["sms_fallback"])
    assert fresh.variant_meta[0]["id"] == "sms_fallback" and fresh.variant_meta[0]["title_en"]
    load_plan("payment_outage")
    base, varied = load_plan("payment_outage"), load_plan("payment_outage", ["sms_fallback"])
    assert varied is not fresh and varied.variant_meta == fresh.variant_meta
    assert base.variant_meta == []
    shared = set(base.conditions) & set(varied.conditions)
    assert shared and set(fresh.conditions) == set(varied.conditions)
    for source in shared:  # one compiled condition for a source, not one per plan
        assert base.conditions[source] is varied.conditions[source]
        a, b = base.conditions[source], fresh.conditions[source]
        assert (a.source, a.names, a.calls) == (b.source, b.names, b.calls)


HEAVY = (
    "yaml",
    "numpy",
    "pydantic",
    "pydantic_core",
    "asyncio",
    "drillsim.simulator.checks",
    "drillsim.simulator.model",
    # the other commands' modules: `run` builds its own parser only
    *(f"drillsim.{m}" for m in ("cmd_play", "cmd_montecarlo", "cmd_report", "cmd_drill")),
    *(f"drillsim.{m}" for m in ("cmd_serve", "cmd_trainee")),
)


def test_run_reads_no_yaml_no_pydantic_and_no_numpy_with_a_cached_plan(cache):
    """What `drillsim run` imports when its plan is cached: no YAML reader, no pydantic (the plan
    is records), no plan checks, no numpy, no asyncio, no other command's module (start-up time,
    docs/PERFORMANCE.md); the first run, which validates, did import the readers."""
    code = (
        "import sys; from drillsim.cli import main; main(['run', 'payment_outage']); "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    env = {"DRILLSIM_CACHE": str(cache), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    assert {"yaml", "pydantic", "drillsim.simulator.model"} <= set(
        ast.literal_eval(first.stderr.strip().splitlines()[-1])
    )
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert second.returncode == 0, second.stderr
    assert second.stderr.strip().splitlines()[-1] == "[]"
    assert second.stdout == first.stdout


@pytest.mark.parametrize("module", ["agenda.py", "formats/yamlsrc.py", "model.py"])
def test_any_change_to_the_simulator_code_is_another_cache(tmp_path, monkeypatch, module):
    """An upgrade or an edited checkout never unpickles a plan the old code computed, whichever
    module of the package changed (a plan holds what agenda, grading … computed)."""
    package = Path(plancache.__file__).resolve().parent
    copy = tmp_path / "simulator"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(plancache, "__file__", str(copy / "plancache.py"))
    monkeypatch.setattr(plancache, "_code_digest", None)
    before = plancache._code()
    with open(copy / module, "a", encoding="utf-8") as fh:
        fh.write("\n# changed\n")
    monkeypatch.setattr(plancache, "_code_digest", None)
    assert plancache._code() != before
