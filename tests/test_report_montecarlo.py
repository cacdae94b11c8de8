"""Reports of replications: `drillsim report` on montecarlo and compare JSON (fixtures in tests/fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drillsim.cli import main
from drillsim.scoring.conclusions import points
from drillsim.scoring.report import build_report, input_kind, render
from drillsim.simulator.errors import InputError
from drillsim.words.formatting import ci, pct
from tests.test_report import Page

FIX = Path(__file__).resolve().parent / "fixtures"
MC = FIX / "montecarlo_payment_outage.json"
CMP = FIX / "compare_payment_outage.json"


@pytest.fixture(scope="module")
def mc_data():
    return json.loads(MC.read_text(encoding="utf-8"))


def test_kind_is_detected(tmp_path):
    assert input_kind(MC)[0] == "montecarlo" and input_kind(CMP)[0] == "compare"
    assert input_kind(tmp_path / "run.jsonl")[0] == "log"
    other = tmp_path / "x.json"
    other.write_text('{"kind": "something"}', encoding="utf-8")
    with pytest.raises(InputError, match="not an event log"):
        build_report(other)
    broken = tmp_path / "y.json"
    broken.write_text('{"kind": "montecarlo",\n  "n": }', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        build_report(broken)
    assert str(exc.value.problems[0]).startswith(f"{broken}:2:")


def test_montecarlo_report_numbers(mc_data):
    rep = build_report(MC, lang="en", date="2025-05-01")
    data = json.loads(render(rep, "json"))
    assert data["kind"] == "montecarlo" and data["date"] == "2025-05-01"
    ours = {o["id"]: o for o in data["obligations"]}
    for o in mc_data["obligations"]:
        assert ours[o["id"]]["p_hit"] == o["p_hit"] and ours[o["id"]]["ci95"] == o["ci95"]
    objectives = {o["id"]: o for o in data["objectives"]}
    assert [t["id"] for t in objectives["recover"]["tasks"]] == [
        "failover_within_5",
        "isolate_within_10",
    ]
    assert objectives["other"]["tasks"]  # duties in no objective are listed too
    failover = ours["failover_within_5"]
    assert failover["p_hit"] < 0.9  # below the target: drafted as an area for improvement
    afi = next(
        a
        for a in data["improvements"]
        if a.get("obligation") == "failover_within_5" and a["kind"] == "duty"
    )
    assert pct(failover["p_hit"], 1) in afi["text"] and "deadline of 5 min" in afi["text"]
    p_rto = pct(mc_data["services"][0]["p_rto_met"], 1)
    assert any(a["kind"] == "continuity" and p_rto in a["text"] for a in data["improvements"])
    top = max(mc_data["critical_path"], key=lambda c: c["share_of_downstream_lateness"])
    assert any(
        a["kind"] == "critical_path" and a["obligation"] == top["id"] for a in data["improvements"]
    )
    assert all(p["capability"] in ("planning", "equipment") for p in data["improvement_plan"])


def test_montecarlo_html_has_the_distributions(mc_data):
    page = Page(render(build_report(MC, lang="zh"), "html"))
    rows = {r["attrs"]["data-obligation"]: r for r in page.rows("objectives-table", "task")}
    verify = next(o for o in mc_data["obligations"] if o["id"] == "verify")
    assert float(rows["verify"]["attrs"]["data-p-hit"]) == verify["p_hit"]
    cells = rows["verify"]["cells"]
    assert pct(verify["p_hit"], 1) in cells and ci(verify["ci95"], 1) in cells
    histograms = page.with_class("histogram", "svg")
    with_data = [o for o in mc_data["obligations"] if sum(o["histogram"]["counts"])] + mc_data[
        "services"
    ]
    assert len(histograms) == len(with_data)
    markers = page.with_class("marker", "line")
    assert len(markers) == sum(1 for o in with_data if o.get("deadline_min") or o.get("rto_min"))
    assert page.with_class("bar", "rect")
    assert len(page.with_class("point", "circle")) == len(
        [o for o in mc_data["obligations"] if o["p_hit"] is not None]
    )
    levels = page.rows("final-grade")[1:]
    assert [float(r["attrs"]["data-p"]) for r in levels] == list(mc_data["final_grade"].values())
    assert any("一级(重大)" in r["cells"][0] for r in levels)
    (svc,) = page.rows("continuity", "service")
    assert float(svc["attrs"]["data-p"]) == mc_data["services"][0]["p_rto_met"]
    assert "关键路径" in "".join(page.text)


def test_compare_report_puts_the_variants_side_by_side():
    data = json.loads(CMP.read_text(encoding="utf-8"))
    rep = build_report(CMP, lang="en")
    page = Page(render(rep, "html"))
    rows = {
        r["attrs"]["data-obligation"]: r for r in page.rows("compare-obligations", "compare-row")
    }
    assert set(rows) == {o["id"] for o in data["base"]["obligations"]}
    # the duty the DR rehearsal changes most: base and variant side by side, marked as changed
    dr = next(v for v in data["variants"] if v["id"] == "tested_dr_switch")
    moved = max(dr["obligations"], key=lambda o: o["delta_p_hit"] or 0)
    assert moved["changed"] and moved["delta_p_hit"] > 0.1
    cells = rows[moved["id"]]["cells"]
    assert pct(moved["p_hit_base"], 1) in cells and pct(moved["p_hit_variant"], 1) in cells
    delta = points(moved["delta_p_hit"])  # "+45": points, no "pp" and no "*"
    assert any(c.startswith(delta + " (") and c.endswith("(a real change)") for c in cells)
    # each variant's histograms drawn over the base's (outline)
    assert page.with_class("overlay", "rect")
    titles = [g["title"] for g in rep["charts"]["histograms"]]
    assert titles == ["Base"] + [f"Base vs {v['title_en']}" for v in data["variants"]]
    changed = [s for s in rep["strengths"] if s["kind"] == "variant" and "obligation" in s]
    assert {(s["variant"], s["obligation"]) for s in changed} == {
        (v["id"], o["id"])
        for v in data["variants"]
        for o in v["obligations"]
        if o["changed"] and o["delta_p_hit"] > 0 and not o["rule_changed"]
    }
    md = render(rep, "md")
    assert "### Variants side by side" in md
    assert f"| {moved['title_en']} | {pct(moved['p_hit_base'], 1)} |" in md


def test_cli_report_on_results(tmp_path, capsys):
    out = tmp_path / "mc.html"
    assert main(["report", str(MC), "-o", str(out), "--lang", "en"]) == 0
    assert "Monte Carlo" in out.read_text(encoding="utf-8")
    assert main(["report", str(CMP), "--format", "md", "--lang", "zh", "--target", "0.8"]) == 0
    assert "预案变体对比" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:  # argparse: a usage error
        main(["report", str(MC), "--target", "2"])
    assert exc.value.code == 2


def test_results_without_a_known_scenario_still_render(tmp_path, mc_data):
    data = dict(mc_data, scenario="elsewhere_drill")
    path = tmp_path / "other.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    rep = build_report(path, lang="en")
    assert rep["objectives"][0]["id"] == "all"
    assert rep["objectives"][0]["tasks"][0]["title_local"] == mc_data["obligations"][0]["title_en"]
    assert "<svg" in render(rep, "html")
