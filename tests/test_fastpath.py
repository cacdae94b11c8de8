"""The fast path (simulator/fastpath.py): replication by replication the engine's result where it
accepts a plan, the same rates within Monte Carlo error on every shipped scenario it accepts, and
a refusal with the reasons where it cannot model a plan."""

from __future__ import annotations

import json
import math
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest

from drillsim.cli import main
from drillsim.simulator import fastpath, fastpath_replay, fastpath_samplers
from drillsim.simulator.replications import STATUS, plan_for, run_batch

SCENARIOS = sorted(
    p.stem for p in (Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml")
)


def _accepted() -> list[str]:
    out = []
    for sc in SCENARIOS:
        try:
            fastpath.check(plan_for(sc, ()))
        except fastpath.NotModelled:
            continue
        out.append(sc)
    return out


def _rows(duties: dict, rep: int, names: list[str]) -> dict:
    rows = np.flatnonzero(duties["rep"] == rep)
    return {
        names[duties["ob"][k]]: (
            STATUS[duties["status"][k]],
            *(float(duties[c][k]) for c in ("triggered", "deadline", "done", "met")),
        )
        for k in rows
    }


def _same_as_the_engine(scenario: str, variants: tuple, n: int):
    """Compute replications 100 … 100+n-1 both ways and check them row by row; the rows."""
    model = fastpath.check(plan_for(scenario, variants))
    fast = fastpath.compute(model, 7, 100, n)
    engine = run_batch(scenario, variants, 7, 100, n)
    names = engine.layout.obligations
    rows = {}
    for rep in range(100, 100 + n):
        mine, real = _rows(fast.rows, rep, names), _rows(engine.duties, rep, names)
        assert mine.keys() == real.keys(), rep
        for ob, want in real.items():
            got = mine[ob]
            assert got[0] == want[0], (rep, ob, got, want)
            assert np.allclose(got[1:], want[1:], atol=1e-9, equal_nan=True), (rep, ob)
        rows[rep] = real
    assert (fast.events == engine.events).all()
    assert (fast.true_level == engine.true_level).all()
    for k in engine.svc:
        assert np.allclose(fast.svc[k], engine.svc[k], equal_nan=True)
    return rows


def test_replication_by_replication_the_engines_result():
    n = 250
    rows = _same_as_the_engine("chemical_leak_drill", (), n)
    queued = 0
    for real in rows.values():
        gm = [real[o][3] for o in ("form_command_group", "direct_on_site") if o in real]
        queued += len(gm) == 2  # the GM (one member) works its two duties one after the other
    assert queued > n / 2  # the role queues in most replications, and the fast path follows it


def test_an_attribute_that_takes_several_values():
    """power_outage_8h: the repair estimate grows 120 → 360 → 600 minutes, and the 8-hour rule
    (003 §6.3.2, `expected_repair_min >= 480`) reads it: the duties of the rule fall due when the
    estimate reaches 600, replication by replication as on the engine."""
    rows = _same_as_the_engine("power_outage_8h", (), 200)
    told = [r["utility_tell_sales"] for r in rows.values() if "utility_tell_sales" in r]
    assert len(told) > 150 and all(t[1] >= 150 for t in told)  # estimate_10h comes at 150


def test_two_reports_over_the_same_line():
    """typhoon_warning: the office reports the typhoon warning and the anomaly to the GM, both
    by phone (003 §6.1.1, §6.1.4): the engine numbers the office → GM phone calls across the two duties (the
    second call gets the second draws), a call of either meets both duties when both are due,
    and a bot that finds its duty met already lets it be. Replication by replication."""
    rows = _same_as_the_engine("typhoon_warning", (), 300)
    both = [r for r in rows.values() if "warn_report_gm" in r and "report_anomaly" in r]
    one_call = [r for r in both if r["warn_report_gm"][3] == r["report_anomaly"][3]]
    assert len(both) > 250 and one_call  # some duties met by the other duty's call


def test_a_condition_that_becomes_false_again(tmp_path):
    """A trigger that holds only while the estimate is under 100 minutes: the office's duty falls
    due when the office hears of the outage before the first estimate (120, at minute 20), and
    never when it hears of it after; the fast path looks at the condition at every change."""
    overlay = tmp_path / "window.yaml"
    overlay.write_text(
        "id: window\ntitle: window\nbase: power_outage_8h\nprocedure:\n  obligations:\n"
        "    utility_confirm:\n"
        "      trigger: \"reached('office') and expected_repair_min < 100\"\n",
        encoding="utf-8",
    )
    rows = _same_as_the_engine("power_outage_8h", (str(overlay),), 300)
    due = [r["utility_confirm"][1] for r in rows.values() if "utility_confirm" in r]
    assert 0 < len(due) < 300 and max(due) < 20


def test_inverse_normal_is_the_standard_librarys():
    p = np.concatenate([np.linspace(1e-12, 1 - 1e-12, 20001), [1e-300, 0.02425, 0.975, 0.5]])
    want = np.array([NormalDist().inv_cdf(x) for x in p])
    assert np.allclose(fastpath_samplers._inv_normal(p), want, rtol=1e-14, atol=1e-14)


def test_draws_of_some_replications_are_those_of_the_whole_batch():
    """A wrong channel's branch and a retry draw only their replications' latencies and
    failures (fastpath._compute's attempt_in): the same bits as the whole batch's draws, for
    every distribution, whatever the subset's size and place."""
    from drillsim.simulator.model import Exponential, Fixed, LogNormal, Triangular, Uniform
    from drillsim.simulator.rng import uniform_many
    from drillsim.simulator.seeds import roots

    dists = [
        Fixed(dist="fixed", value=2.0),
        Uniform(dist="uniform", low=1.0, high=4.0),
        Triangular(dist="triangular", low=1.0, mode=2.0, high=6.0),
        LogNormal(dist="lognormal", median=2.0, p90=9.0),
        Exponential(dist="exponential", mean=3.0),
    ]
    seeds = roots(7, 100, 5000)
    rng = np.random.default_rng(1)
    for dist in dists:
        draw = fastpath_samplers.array_sampler(dist)
        whole = draw(uniform_many(seeds, "latency", "phone", "gm", 3))
        for size in (1, 2, 3, 5, 7, 9, 16, 17, 33, 700):
            rows = np.sort(rng.choice(len(seeds), size, replace=False))
            part = draw(uniform_many(seeds[rows], "latency", "phone", "gm", 3))
            assert part.tobytes() == whole[rows].tobytes(), (dist.dist, size)


def _z(p1: float, n1: int, p2: float, n2: int) -> float:
    # the pooled rate kept at least one replication of the smaller sample away from 0 and 1:
    # a rate of 1 in 20,000 against 1 in 600 is not a difference 600 replications can show
    floor = 1 / min(n1, n2)
    p = min(max((p1 * n1 + p2 * n2) / (n1 + n2), floor), 1 - floor)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return (p1 - p2) / se


def _z_means(f: np.ndarray, e: np.ndarray) -> float:
    """Two samples of per-replication counts (an obligation that falls due several times a
    replication): the difference of their means in standard errors, each variance kept at
    least that of one replication in the smaller sample differing."""
    floor = 1 / min(len(f), len(e))
    var = max(f.var(), floor) / len(f) + max(e.var(), floor) / len(e)
    return float((f.mean() - e.mean()) / math.sqrt(var))


# payment_outage's plan variants (scenarios/variants/), the committee's question
VARIANTS = [
    ("payment_outage", (v,))
    for v in ("tested_dr_switch", "sms_fallback", "trained_deputy", "grading_training")
]


def test_rates_agree_with_the_engine_on_every_shipped_scenario_it_accepts():
    accepted = _accepted()
    assert "chemical_leak_drill" in accepted  # what the fast path is for: not an empty loop
    assert "payment_outage" in accepted
    for sc, variants in [(sc, ()) for sc in accepted] + VARIANTS:
        model = fastpath.check(plan_for(sc, variants))
        # a plan with recurring updates (payment_outage) costs more a replication: fewer of
        # them, the engine's side (the smaller sample) sets the test's power anyway
        n_fast = 5_000 if model.recurring else 20_000
        n_engine = 400 if variants else 600
        fast = fastpath.compute(model, 11, 0, n_fast)
        engine = run_batch(sc, variants, 12, 0, n_engine)  # other seeds: independent samples
        names = engine.layout.obligations
        checked = 0
        for i, ob in enumerate(names):
            f, e = fast.rows["ob"] == i, engine.duties["ob"] == i
            for what, fm, em in [
                ("due", f, e),
                ("hit", f & (fast.rows["status"] == 0), e & (engine.duties["status"] == 0)),
                ("late", f & (fast.rows["status"] == 1), e & (engine.duties["status"] == 1)),
                ("missed", f & (fast.rows["status"] == 2), e & (engine.duties["status"] == 2)),
            ]:
                cf = np.bincount(fast.rows["rep"][fm], minlength=n_fast)
                ce = np.bincount(engine.duties["rep"][em], minlength=n_engine)
                if max(cf.max(initial=0), ce.max(initial=0)) > 1:  # several a replication
                    z = _z_means(cf, ce)
                else:
                    z = _z(fm.sum() / n_fast, n_fast, em.sum() / n_engine, n_engine)
                assert abs(z) < 4, (sc, variants, ob, what, z)
                checked += 1
        for s in set(engine.svc["svc"].tolist()) | set(fast.svc["svc"].tolist()):
            z = _z(
                (fast.svc["rto_met"][fast.svc["svc"] == s] == 1).sum() / n_fast,
                n_fast,
                (engine.svc["rto_met"][engine.svc["svc"] == s] == 1).sum() / n_engine,
                n_engine,
            )
            assert abs(z) < 4, (sc, variants, s, z)
        assert checked >= 4 * len(model.live)
        for level in range(4):  # the final declared level too (0 throughout without grading)
            z = _z(
                (fast.declared == level).mean(), n_fast, (engine.declared == level).mean(), n_engine
            )
            assert abs(z) < 4, (sc, variants, "declared", level, z)


def test_plans_it_cannot_model_are_refused_with_the_reasons(capsys):
    with pytest.raises(fastpath.NotModelled) as got:
        fastpath.check(plan_for("vendor_data_leak", ()))
    assert got.value.reasons == [
        "obligation impact_assessment has a deadline by level",
        "obligation restore_service has a deadline by level",
    ]
    assert main(["montecarlo", "vendor_data_leak", "-n", "5", "--fast"]) == 2
    err = capsys.readouterr().err
    assert "--fast: the fast path cannot model vendor_data_leak" in err and "Traceback" not in err
    with pytest.raises(fastpath.NotModelled, match="absences"):
        fastpath.check(plan_for("warehouse_fire_drill", ()))
    # in the chosen language, every reason by the wording catalogue
    assert main(["montecarlo", "vendor_data_leak", "-n", "5", "--fast", "--lang", "zh"]) == 2
    err = capsys.readouterr().err
    assert "--fast:快速路径无法计算 vendor_data_leak:义务 impact_assessment 的时限按级别而定" in err
    assert got.value.text("en") == "; ".join(got.value.reasons)
    with pytest.raises(fastpath.NotModelled) as fire:
        fastpath.check(plan_for("warehouse_fire", ()))
    assert fire.value.text("zh") == "人员缺席(代理人与暂存的消息)"


def test_payment_outage_and_its_variants_replication_by_replication():
    """payment_outage's coordination updates (000 §二(二)2: every 30 minutes until recovery)
    and everything else, replication by replication the engine's, on the base plan; and on
    the base and every shipped variant, each replication of the first 4,000 that the fast path
    played again event by event (where the updates' messages may cross: fastpath_replay)."""
    rows = _same_as_the_engine("payment_outage", (), 150)
    assert sum("coordination_updates" in r for r in rows.values()) > 20
    for variants in [(), *(v for _sc, v in VARIANTS)]:
        played: list[int] = []
        real = fastpath_replay.replay

        def spy(U, ids, model, end, tab, look, reps, got_all, t1_bot, played=played):
            played.extend(reps.tolist())
            return real(U, ids, model, end, tab, look, reps, got_all, t1_bot)

        fastpath_replay.replay = spy
        try:
            fast = fastpath.compute(
                fastpath.check(plan_for("payment_outage", variants)), 7, 0, 4000
            )
        finally:
            fastpath_replay.replay = real
        reps = sorted(set(played))
        assert 4 <= len(reps) < 100, variants  # a few in a hundred, not none, not most
        for rep in reps[:12]:
            engine = run_batch("payment_outage", variants, 7, rep, 1)
            names = engine.layout.obligations
            mine, want = _rows(fast.rows, rep, names), _rows(engine.duties, rep, names)
            assert mine.keys() == want.keys(), (variants, rep)
            for ob, w in want.items():
                assert mine[ob][0] == w[0], (variants, rep, ob, mine[ob], w)
                assert np.allclose(mine[ob][1:], w[1:], atol=1e-9, equal_nan=True), (rep, ob)
            assert fast.events[rep] == engine.events[0], (variants, rep)


@pytest.mark.parametrize("args", [[], ["--variant", "tested_dr_switch"]])
def test_payment_outage_chosen_automatically_and_approximating_nothing(capsys, args):
    """The automatic choice takes payment_outage (and a variant) on the fast path, says it is
    exact, and gives the engine's result."""
    cmd = ["montecarlo", "payment_outage", *args, "-n", "200", "--seed", "3", "--json"]
    assert main(cmd) == 0
    out = capsys.readouterr()
    assert "fast path (vectorised; exact for this plan, approximates nothing)" in out.err
    auto = json.loads(out.out)
    assert main([*cmd, "--engine"]) == 0
    out = capsys.readouterr()
    assert "fast path" not in out.err
    assert auto == json.loads(out.out)


@pytest.mark.parametrize("scenario", ["chemical_leak_drill", "power_outage_8h", "typhoon_warning"])
def test_chosen_automatically_where_exact_and_the_same_result_as_the_engine(capsys, scenario):
    args = ["montecarlo", scenario, "-n", "300", "--seed", "5", "--json"]
    assert main(args) == 0
    out = capsys.readouterr()
    assert "fast path" in out.err
    auto = json.loads(out.out)
    assert main([*args, "--engine"]) == 0
    out = capsys.readouterr()
    assert "fast path" not in out.err
    engine = json.loads(out.out)
    assert auto == engine
