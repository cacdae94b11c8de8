"""Replications, Monte Carlo statistics and plan-variant comparison (drillsim montecarlo / compare).

Small N throughout (a few hundred replications): the statistics are checked against cases with
known answers, the plumbing (seeds, batches, workers, Dask) against exact equality.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.random import SeedSequence

from drillsim.scoring import montecarlo as mc
from drillsim.scoring.verdicts import score
from drillsim.simulator.loader import load_plan
from drillsim.simulator.replications import (
    STATUS,
    Job,
    RunInfo,
    concat,
    plan_for,
    run_batch,
    run_replications,
    seed_for,
)
from drillsim.simulator.runner import run_plan

ROOT = Path(__file__).resolve().parent.parent
N = 200


def _variant(tmp: Path, name: str, body: str) -> str:
    path = tmp / f"{name}.yaml"
    path.write_text(f"id: {name}\ntitle: {name}\n" + body, encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def vdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("variants")


@pytest.fixture(scope="module")
def known(vdir):
    """The duty supervisor's reaction is exponential with mean 10 min, no errors, no queueing,
    verifying takes no time: `verify` (deadline 10) is met on time with probability 1 - e^-1;
    with its deadline cut to 5, 1 - e^-0.5."""
    exp = _variant(
        vdir,
        "exp_reaction",
        """
procedure:
  roles:
    duty_supervisor:
      members: 10
      reaction: {dist: exponential, mean: 10}
      errors: {forget: 0, misgrade: 0, wrong_channel: 0}
  tasks:
    verify: {work: {dist: fixed, value: 0}}
""",
    )
    d5 = _variant(
        vdir,
        "deadline5",
        """
procedure:
  obligations:
    verify: {deadline_min: 5}
""",
    )
    return exp, d5


@pytest.fixture(scope="module")
def base_records():
    return run_replications([Job("payment_outage", (), N, 5)], workers=1)[0]


# --- seeds and batches -------------------------------------------------------------------------------


def test_child_seeds_do_not_depend_on_batching():
    children = SeedSequence(123).spawn(40)
    for i in (0, 1, 17, 39):
        assert np.array_equal(children[i].generate_state(4), seed_for(123, i).generate_state(4))
    whole = run_batch("payment_outage", (), 9, 0, 12)
    parts = concat(
        [run_batch("payment_outage", (), 9, 7, 5), run_batch("payment_outage", (), 9, 0, 7)]
    )
    for k in whole.duties:
        assert np.array_equal(whole.duties[k], parts.duties[k], equal_nan=True), k
    for k in whole.svc:
        assert np.array_equal(whole.svc[k], parts.svc[k], equal_nan=True), k
    assert np.array_equal(whole.declared, parts.declared) and np.array_equal(whole.end, parts.end)


def test_records_agree_with_drillsim_run():
    """The compact record of replication i is what `drillsim run` scores for child seed i."""
    plan = load_plan("payment_outage")
    batch = run_batch("payment_outage", (), 3, 0, 6)
    names = batch.layout.obligations
    for i in range(6):
        result = score(plan, run_plan(plan, seed=seed_for(3, i)).events)
        mine = sorted(
            (
                names[batch.duties["ob"][r]],
                int(batch.duties["n"][r]),
                STATUS[batch.duties["status"][r]],
                round(float(batch.duties["triggered"][r]), 3),
                None
                if math.isnan(batch.duties["done"][r])
                else round(float(batch.duties["done"][r]), 3),
            )
            for r in np.flatnonzero(batch.duties["rep"] == i)
        )
        r3 = lambda x: None if x is None else round(x, 3)
        theirs = sorted(
            (o["id"], o["occurrence"], o["status"], r3(o["triggered_at"]), r3(o["done_at"]))
            for o in result["obligations"]
            if o["status"] not in ("not_triggered", "void")  # void duties are not judged
        )
        assert mine == theirs
        rows = np.flatnonzero(batch.svc["rep"] == i)
        assert [
            (round(float(batch.svc["downtime"][r]), 3), int(batch.svc["rto_met"][r])) for r in rows
        ] == [
            (r3(c["downtime_min"]), {True: 1, False: 0, None: -1}[c["rto_met"]])
            for c in result["continuity"]
        ]


@pytest.mark.parametrize(
    "scenario", ["payment_outage", "warehouse_fire", "typhoon_warning", "vendor_data_leak"]
)
def test_a_run_without_trace_is_the_full_log_filtered(scenario):
    """Replications run without the trace: their events are exactly the full log's outcome
    events (same seq numbers), their agenda (fed without events) is the full run's, and the
    records built from either are identical."""
    from drillsim.simulator.world import OUTCOME

    plan = load_plan(scenario)
    for seed in (1, 2, 3):
        full = run_plan(plan, seed=seed_for(7, seed)).world
        lean = run_plan(plan, seed=seed_for(7, seed), trace=False).world
        assert lean.events == [e for e in full.events if e["type"] in OUTCOME]
        assert lean.agenda.all() == full.agenda.all() and lean.agenda.all()
        assert lean.agenda.voided == full.agenda.voided
        assert lean.n_events == len(full.events)
        assert len(lean.events) < len(full.events)
    traced = run_batch(scenario, (), 7, 0, 8, keep_events=True)
    lean = run_batch(scenario, (), 7, 0, 8)
    for k in traced.duties:
        assert np.array_equal(traced.duties[k], lean.duties[k], equal_nan=True), k
    for k in traced.svc:
        assert np.array_equal(traced.svc[k], lean.svc[k], equal_nan=True), k
    assert np.array_equal(traced.events, lean.events) and np.array_equal(
        traced.declared, lean.declared
    )
    assert [len(log) for log in traced.logs] == list(traced.events)


def test_one_and_two_workers_and_any_batches_give_identical_results():
    # on the engine (payment_outage would go to the fast path, whose batches are its own)
    one = mc.montecarlo("payment_outage", N, seed=11, workers=1, batch=50, fast=False)
    two = mc.montecarlo("payment_outage", N, seed=11, workers=2, batch=50, fast=False)
    odd = mc.montecarlo("payment_outage", N, seed=11, workers=2, batch=70, fast=False)
    assert one == two == odd
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)


def test_workers_start_by_fork_only_in_a_single_threaded_process(monkeypatch):
    """With another thread alive (the TUI, a Dask client) a forked worker could inherit a held
    lock: the pool then comes from the fork server, with the same results."""
    import threading

    from drillsim.simulator import replications

    with monkeypatch.context() as m:
        m.setattr(replications.threading, "active_count", lambda: 1)
        assert replications._pool_context().get_start_method() == "fork"
        m.setattr(replications.threading, "active_count", lambda: 2)
        assert replications._pool_context().get_start_method() == "forkserver"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert replications._pool_context().get_start_method() == "forkserver"
        info = replications.RunInfo()
        threaded = run_replications(
            [Job("payment_outage", (), 120, 4)], workers=2, batch=30, info=info, fast=False
        )[0]
    finally:
        stop.set()
    assert info.where == "local" and info.workers == 2 and info.batches == 4
    alone = run_replications([Job("payment_outage", (), 120, 4)], workers=1, fast=False)[0]
    for k in alone.duties:
        assert np.array_equal(alone.duties[k], threaded.duties[k], equal_nan=True), k


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_dask_local_cluster_equals_local_run(processes):
    """--dask: the same batches on a Dask cluster (worker threads sharing one plan cache, or worker
    processes that import run_batch by name) give exactly the local result."""
    import distributed  # installed by the dist extra that make test installs

    local = mc.montecarlo("payment_outage", 80, seed=4, workers=1, batch=20, fast=False)
    with distributed.LocalCluster(
        n_workers=2 if not processes else 1,
        threads_per_worker=2 if not processes else 1,
        processes=processes,
        dashboard_address=None,
    ) as cluster:
        remote = mc.montecarlo(
            "payment_outage", 80, seed=4, dask=cluster.scheduler_address, batch=20, fast=False
        )
    assert remote == local


# --- statistics with known answers ---------------------------------------------------------------------


def test_hit_probability_known_answer(known):
    exp, _ = known
    result = mc.montecarlo("payment_outage", 400, seed=2, variants=[exp], workers=1)
    verify = next(o for o in result["obligations"] if o["id"] == "verify")
    truth = 1 - math.exp(-1)
    assert verify["triggered"] == 400 and verify["deadline_min"] == 10
    assert verify["ci95"][0] <= truth <= verify["ci95"][1]
    assert abs(verify["p_hit"] - truth) < 0.06
    assert verify["p_missed"] == 0 and verify["p_hit"] + verify["p_late"] == pytest.approx(1)
    # time to done is the reaction itself: exponential, median 10 ln 2, p90 10 ln 10
    assert verify["done_min"]["median"] == pytest.approx(10 * math.log(2), rel=0.15)
    assert verify["done_min"]["p90"] == pytest.approx(10 * math.log(10), rel=0.15)
    assert sum(verify["histogram"]["counts"]) == 400


def test_paired_difference_known_answer_and_crn(known):
    """Cutting verify's deadline from 10 to 5 min: delta = e^-1 - e^-0.5, and with common random
    numbers no replication can do better with the shorter deadline."""
    exp, d5 = known
    result = mc.compare("payment_outage", [d5], 300, seed=8, base_variants=[exp], workers=1)
    d = next(o for o in result["variants"][0]["obligations"] if o["id"] == "verify")
    truth = math.exp(-1) - math.exp(-0.5)
    assert d["ci95"][0] <= truth <= d["ci95"][1]
    assert d["changed"] and d["replications_higher"] == 0
    assert d["delta_p_hit"] == pytest.approx(d["p_hit_variant"] - d["p_hit_base"])
    others = [o for o in result["variants"][0]["obligations"] if o["id"] != "verify"]
    assert all(o["delta_p_hit"] in (0.0, None) and not o["changed"] for o in others)


def test_identical_variant_gives_exactly_zero(vdir, base_records):
    same = _variant(vdir, "same_as_base", "procedure: {}\nscenario: {}\n")
    result = mc.compare("payment_outage", [same], N, seed=5, workers=1)
    v = result["variants"][0]
    compared = [d for d in v["obligations"] if d["p_hit_base"] is not None]
    assert len(compared) > len(v["obligations"]) // 2  # most duties fall due
    for d in compared:
        assert d["delta_p_hit"] == 0.0 and d["ci95"] == [0.0, 0.0] and d["changed"] is False, d
    assert all(d["delta_p_hit"] is None for d in v["obligations"] if d["p_hit_base"] is None)
    for d in v["services"]:
        assert d["delta_p_rto_met"] == 0.0 and d["ci95"] == [0.0, 0.0]
        assert (
            d["delta_downtime_mean_min"] == 0.0
            and d["downtime_ci95"] == [0.0, 0.0]
            and not d["changed"]
        )
    strip = lambda r: {k: val for k, val in r.items() if k not in ("variants", "variant_refs")}
    assert strip(v["result"]) == strip(result["base"])
    # and the base here is the same run as a plain montecarlo on the same seed
    assert strip(result["base"]) == strip(
        mc.summarise(plan_for("payment_outage"), base_records, 5, [])
    )


def _hits(plan, batch, oid):
    h, t = mc.obligation_counts(plan, batch, oid, "first")
    return h, t


def test_shorter_delay_never_lowers_that_duty_on_any_replication(vdir, base_records):
    """Common random numbers: a variant that only shortens the DR switch-over's work (and, in
    another, the operations department's reaction) keeps every draw; replication by replication
    the duty whose own delay was shortened is never worse, nor is the service it restores."""
    faster_dr = _variant(
        vdir,
        "faster_dr",
        """
procedure:
  tasks:
    failover_dr: {work: {dist: triangular, low: 1, mode: 2, high: 4}}
""",
    )
    faster_ops = _variant(
        vdir,
        "faster_ops",
        """
procedure:
  roles:
    ops_dept: {reaction: {dist: lognormal, median: 1, p90: 3}}
""",
    )
    base_plan = plan_for("payment_outage")
    recs = run_replications(
        [Job("payment_outage", (faster_dr,), N, 5), Job("payment_outage", (faster_ops,), N, 5)],
        workers=1,
    )
    checks = [
        (faster_dr, recs[0], ["failover_within_5"]),
        (faster_ops, recs[1], ["activate_l1_plan", "notify_groups"]),
    ]
    for vref, rec, duties in checks:
        plan = plan_for("payment_outage", (vref,))
        for oid in duties:
            hb, tb = _hits(base_plan, base_records, oid)
            hv, tv = _hits(plan, rec, oid)
            assert np.array_equal(tb, tv), oid  # falls due in the same replications
            assert np.all(hv >= hb), (oid, np.flatnonzero(hv < hb))
            assert (hv > hb).any(), oid  # and the change does something
        sb, sv = (
            mc.service_counts(base_records, "core_system"),
            mc.service_counts(rec, "core_system"),
        )
        assert np.all(sv["met"] >= sb["met"]) and np.all(sv["downtime"] <= sb["downtime"] + 1e-9)


def test_variant_that_adds_a_recovery_task(vdir):
    """An overlay can add a task, a recovery path and a duty; the comparison lists the new duty
    (no base figure, no difference) and shows what it does to the service."""
    standby = _variant(
        vdir,
        "standby_line",
        """
procedure:
  tasks:
    standby_switch:
      name: 切换备用支付通道
      work: {dist: triangular, low: 5, mode: 10, high: 20}
      success: 0.9
      effects: {restore: [core_system], set: {recovered: true}}
  services:
    core_system: {recovery: [failover_dr, repair_fault, standby_switch]}
  obligations:
    standby_on_l2:
      clause: "variant"
      title: 二级时值班主管切换备用支付通道
      role: duty_supervisor
      trigger: "level == 2 and not recovered and reached('duty_supervisor')"
      action: {do: task, task: standby_switch}
      deadline_min: 30
""",
    )
    result = mc.compare("payment_outage", [standby], 60, seed=6, workers=1)
    v = result["variants"][0]
    new = v["obligations"][-1]
    assert new["id"] == "standby_on_l2" and new["p_hit_base"] is None and new["delta_p_hit"] is None
    assert new["p_hit_variant"] is not None and not new["changed"]
    assert [o["id"] for o in v["result"]["obligations"]][-1] == "standby_on_l2"
    svc = v["services"][0]
    assert svc["delta_p_rto_met"] > 0 and svc["delta_downtime_mean_min"] < 0 and svc["changed"]
    cp = {c["id"] for c in v["result"]["critical_path"]}
    assert "standby_on_l2" in cp  # it restores a service: on the critical path's list


# --- the JSON contract ------------------------------------------------------------------------------------

MC_KEYS = {
    "kind",
    "scenario",
    "title",
    "variants",
    "n",
    "seed",
    "obligations",
    "services",
    "final_grade",
    "critical_path",
}
OB_KEYS = {
    "id",
    "clause",
    "title",
    "title_en",
    "role",
    "deadline_min",
    "triggered",
    "p_hit",
    "ci95",
    "p_late",
    "p_missed",
    "done_min",
    "histogram",
}
SVC_KEYS = {"service", "name", "rto_min", "p_rto_met", "ci95", "downtime_min", "histogram"}
CP_KEYS = {"id", "clause", "mean_delay_passed_min", "share_of_downstream_lateness"}


def _check_montecarlo(r: dict, n: int):
    assert MC_KEYS <= set(r) and r["kind"] == "montecarlo" and r["n"] == n
    for o in r["obligations"]:
        assert OB_KEYS <= set(o), OB_KEYS - set(o)
        assert isinstance(o["triggered"], int) and 0 <= o["triggered"] <= n
        assert set(o["done_min"]) == {"median", "p90", "p95"}
        assert set(o["histogram"]) >= {"edges", "counts"}
        edges, counts = o["histogram"]["edges"], o["histogram"]["counts"]
        assert len(edges) == (len(counts) + 1 if counts else 0)
    rated = [o for o in r["obligations"] if o["p_hit"] is not None]
    assert rated
    for o in rated:
        lo, hi = o["ci95"]
        assert 0 <= lo <= o["p_hit"] <= hi <= 1
        assert o["p_hit"] + o["p_late"] + o["p_missed"] + o["p_open"] == pytest.approx(1, abs=1e-5)
    for s in r["services"]:
        assert SVC_KEYS <= set(s) and set(s["downtime_min"]) >= {"mean", "median", "p90", "p95"}
    assert sum(r["final_grade"].values()) == pytest.approx(1, abs=1e-5)
    assert all(CP_KEYS <= set(c) for c in r["critical_path"])
    shares = [c["share_of_downstream_lateness"] for c in r["critical_path"]]
    assert shares == sorted(shares, reverse=True)
    assert sum(shares) == pytest.approx(1, abs=1e-4) or sum(shares) == 0


def test_montecarlo_cli_json(capsys):
    from drillsim.cli import main

    assert (
        main(
            ["montecarlo", "payment_outage", "-n", "40", "--seed", "3", "--workers", "1", "--json"]
        )
        == 0
    )
    out, err = capsys.readouterr()
    r = json.loads(out)  # stdout is the JSON alone
    _check_montecarlo(r, 40)
    assert r["seed"] == 3 and r["scenario"] == "payment_outage" and r["variants"] == []
    assert "montecarlo: 40 replications" in err and "\r" not in err  # not a TTY: one summary line
    # the critical path names duties of the reporting chain, the heaviest first
    top = r["critical_path"][0]
    assert top["share_of_downstream_lateness"] > 0 and top["dependants"]


def test_compare_cli_json_and_csv(capsys, tmp_path):
    from drillsim.cli import main

    csv_path = tmp_path / "cmp.csv"
    assert (
        main(
            [
                "compare",
                "payment_outage",
                "tested_dr_switch",
                "sms_fallback",
                "-n",
                "60",
                "--workers",
                "1",
                "--quiet",
                "--json",
            ]
        )
        == 0
    )
    out, err = capsys.readouterr()
    assert err == ""
    r = json.loads(out)
    assert {"kind", "scenario", "n", "seed", "base", "variants"} <= set(r) and r[
        "kind"
    ] == "compare"
    _check_montecarlo(r["base"], 60)
    assert [v["id"] for v in r["variants"]] == ["tested_dr_switch", "sms_fallback"]
    for v in r["variants"]:
        assert {"id", "title", "result", "obligations", "services"} <= set(v)
        _check_montecarlo(v["result"], 60)
        for d in v["obligations"]:
            assert {"id", "clause", "title", "delta_p_hit", "ci95", "changed"} <= set(d)
        for d in v["services"]:
            assert {
                "service",
                "delta_p_rto_met",
                "ci95",
                "delta_downtime_mean_min",
                "changed",
            } <= set(d)
    dr = next(d for d in r["variants"][0]["obligations"] if d["id"] == "failover_within_5")
    assert (
        dr["changed"] and dr["delta_p_hit"] > 0.2
    )  # a rehearsed switch-over is met far more often
    assert (
        main(
            [
                "compare",
                "payment_outage",
                "tested_dr_switch",
                "-n",
                "30",
                "--workers",
                "1",
                "--quiet",
                "--csv",
                str(csv_path),
            ]
        )
        == 0
    )
    import csv

    rows = list(csv.DictReader(csv_path.open(encoding="utf-8-sig")))
    assert list(rows[0]) == mc.CSV_COLUMNS
    n_ob = len(load_plan("payment_outage").procedure.obligations)
    assert len(rows) == 2 * (n_ob + 1)
    assert {r["variant"] for r in rows} == {"", "tested_dr_switch"}
    assert {r["kind"] for r in rows} == {"obligation", "service"}
    svc = next(r for r in rows if r["kind"] == "service" and r["variant"] == "tested_dr_switch")
    assert float(svc["delta_p"]) > 0 and svc["changed"] in ("0", "1")


def test_montecarlo_cli_errors(capsys, tmp_path):
    from drillsim.cli import main

    assert main(["montecarlo", "payment_outage", "-n", "0"]) == 2
    assert "-n must be at least 1" in capsys.readouterr().err
    assert main(["montecarlo", "no_such_scenario", "-n", "5"]) == 2
    assert "unknown scenario" in capsys.readouterr().err
    assert main(["compare", "payment_outage", "no_such_variant", "-n", "5"]) == 2
    assert "unknown variant" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\nprocedure:\n  roles:\n    duty_supervisor: {members: 0}\n", encoding="utf-8"
    )
    assert main(["montecarlo", "payment_outage", "-n", "5", "--variant", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "Traceback" not in err
    assert (
        main(
            [
                "montecarlo",
                "payment_outage",
                "-n",
                "5",
                "--dask",
                "tcp://127.0.0.1:9",
                "--workers",
                "2",
            ]
        )
        == 2
    )
    assert "--workers is for local processes" in capsys.readouterr().err


def test_unreachable_dask_scheduler_is_a_sentence(capsys, monkeypatch):
    monkeypatch.setenv("DRILLSIM_DASK_TIMEOUT", "1s")
    from drillsim.cli import main

    assert (
        main(
            ["montecarlo", "payment_outage", "-n", "5", "--quiet", "--engine"]
            + ["--dask", "tcp://127.0.0.1:9"]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err and "Traceback" not in err


def test_text_output_and_shipped_variants(capsys):
    from drillsim.cli import main

    assert (
        main(
            [
                "--lang",
                "en",
                "compare",
                "payment_outage",
                "trained_deputy",
                "-n",
                "30",
                "--workers",
                "1",
                "--quiet",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "variant trained_deputy" in out and "P(RTO met)" in out
    for v in ("trained_deputy", "sms_fallback", "tested_dr_switch"):
        plan = load_plan("payment_outage", [v])
        assert plan.variants == [v]
    assert (
        load_plan("payment_outage", ["trained_deputy"]).procedure.roles["duty_supervisor"].members
        == 2
    )
    sms = load_plan("payment_outage", ["sms_fallback"]).procedure.channels
    assert "sms" in sms and sms["oa"].alternatives == ["email", "sms"]


def test_headless_modules_import_no_ui_and_no_dask():
    code = (
        "import sys, drillsim.simulator.replications, drillsim.scoring.stats, drillsim.scoring.montecarlo, "
        "drillsim.cmd_montecarlo;"
        "bad = [m for m in ('textual', 'rich', 'distributed') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_finished_replications_are_freed_without_the_cycle_collector():
    """run_batch unlinks each finished world, so reference counting frees nearly all of a run:
    the cyclic garbage collector (about a tenth of the time otherwise) has little left to do."""
    import gc

    run_batch("payment_outage", (), 3, 0, 2)
    gc.collect()
    gc.disable()
    try:
        run_batch("payment_outage", (), 3, 0, 100)
        left = gc.collect()
    finally:
        gc.enable()
    # 20 to 60 a replication, by the seeds' paths; about 250 without World.close()
    assert left < 100 * 100, left


@pytest.mark.parametrize(
    "lang, where, workers, expected",
    [
        (
            "en",
            "local",
            2,
            "200 replications in 2.0 s (100/s), 4 batches in this process and 1 local worker process",
        ),
        ("en", "local", 3, "in this process and 2 local worker processes"),
        (
            "en",
            "fast",
            1,
            "on the fast path (vectorised; exact for this plan, approximates nothing)",
        ),
        ("zh", "process", 1, "200 次重复,用时 2.0 秒(每秒 100 次),4 批,在本进程中运行"),
        ("zh", "dask", 5, "在 Dask 集群 tcp://h:8786 上运行(5 个工作进程)"),
    ],
)
def test_the_closing_line_speaks_the_chosen_language(lang, where, workers, expected):
    import io

    from drillsim.cmd_montecarlo import Progress

    info = RunInfo(batches=4, workers=workers, where=where, replications=200)
    info.seconds, info.extra["address"] = 2.0, "tcp://h:8786"
    out = io.StringIO()
    Progress("montecarlo", stream=out, enabled=False, lang=lang).finish(info)
    assert expected in out.getvalue()
