"""`drillsim compare` on a live drill's scenario with a site: which comparison runs is said, and
chosen by the flags or by what the named variants change, never silently the other one."""

from __future__ import annotations

import json

import pytest

from drillsim.cli import main
from drillsim.scoring.site_variants import what_changes

GM_TWO = "id: gm_two\ntitle: gm_two\nbase: {base}\nprocedure:\n  roles:\n    gm: {{members: 2}}\n"
# exit B as the base has it (open): an overlay that changes nothing
SAME_SITE = (
    "id: same_site\ntitle: same_site\nbase: warehouse_fire_drill\n"
    "scenario:\n  drill:\n    site_changes: {}\n"
)
BOTH = (
    "id: both\ntitle: both\nbase: warehouse_fire_drill\n"
    "scenario:\n  drill:\n    site_changes:\n      exits: {B: {blocked: true}}\n"
    "procedure:\n  roles:\n    gm: {members: 2}\n"
)


@pytest.fixture
def variants(tmp_path):
    paths = {}
    for name, body in {
        "chem_gm_two": GM_TWO.format(base="chemical_leak_drill"),
        "fire_gm_two": GM_TWO.format(base="warehouse_fire_drill"),
        "same_site": SAME_SITE,
        "both": BOTH,
    }.items():
        p = tmp_path / f"{name}.yaml"
        p.write_text(body, encoding="utf-8")
        paths[name] = str(p)
    return paths


def test_what_a_variant_changes_is_read_from_the_plans(variants):
    assert what_changes("warehouse_fire_drill", "exit_b_blocked") == (True, False)
    assert what_changes("warehouse_fire_drill", variants["fire_gm_two"]) == (False, True)
    assert what_changes("warehouse_fire_drill", variants["both"]) == (True, True)
    assert what_changes("warehouse_fire_drill", variants["same_site"]) == (False, False)


def test_duty_variants_of_a_drill_get_the_monte_carlo_and_are_told_so(variants, capsys):
    args = ["chemical_leak_drill", variants["chem_gm_two"], "-n", "40", "--workers", "1"]
    assert main(["--lang", "en", "compare", *args, "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["kind"] == "compare"
    assert "change no part of the site: the Monte Carlo of the duties" in err
    assert "--site for the evacuation model" in err
    assert main(["--lang", "zh", "compare", *args, "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["kind"] == "compare"
    assert "所列变体不改变场地,故按职责做蒙特卡洛比较" in err
    # --duties says it outright: nothing to tell; --quiet silences the note as the progress line
    assert main(["--lang", "en", "compare", *args, "--json", "--duties"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["kind"] == "compare" and "Monte Carlo" not in err
    assert main(["--lang", "en", "compare", *args, "--json", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_site_asks_for_the_evacuation_model_whatever_the_variants(variants, capsys):
    args = ["chemical_leak_drill", variants["chem_gm_two"], "-n", "20", "--json", "--site"]
    assert main(["compare", *args]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["site"] == "factory_site" and "kind" not in out
    assert (
        out[variants["chem_gm_two"]]["difference"]["headcount"]["mean"] == 0.0
    )  # the site is the base's


def test_site_variants_get_the_evacuation_model_and_duties_the_monte_carlo(capsys):
    args = ["warehouse_fire_drill", "exit_b_blocked", "-n", "20", "--seed", "3"]
    assert main(["--lang", "en", "compare", *args]) == 0
    out = capsys.readouterr().out
    assert out.startswith("A live drill's scenario") and "--duties for the Monte Carlo" in out
    assert main(["--lang", "zh", "compare", *args]) == 0
    assert "按职责的蒙特卡洛比较请加 --duties" in capsys.readouterr().out
    assert main(["compare", *args, "--duties", "--json", "--workers", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "compare"


def test_a_mix_of_site_and_duty_variants_is_refused_naming_them(variants, capsys):
    mixed = ["warehouse_fire_drill", "exit_b_blocked", variants["fire_gm_two"], "-n", "20"]
    assert main(["--lang", "en", "compare", *mixed]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "change the site (exit_b_blocked) and the duties" in err
    assert variants["fire_gm_two"] in err and "add --site" in err and "--duties" in err
    assert main(["--lang", "zh", "compare", *mixed]) == 2
    err = capsys.readouterr().err
    assert "请加 --site" in err and "exit_b_blocked" in err
    # one variant that changes both is as ambiguous
    assert main(["compare", "warehouse_fire_drill", variants["both"], "-n", "20"]) == 2
    assert "add --site" in capsys.readouterr().err
    # a variant that changes nothing goes with the others
    assert main(["compare", "warehouse_fire_drill", "exit_b_blocked", variants["same_site"]]) == 0
    assert capsys.readouterr().out.startswith("A live drill's scenario")


def test_site_on_a_scenario_without_one_and_both_flags_are_refused(capsys):
    assert main(["--lang", "en", "compare", "payment_outage", "sms_fallback", "--site"]) == 2
    err = capsys.readouterr().err
    assert "--site: payment_outage has no `drill.site` layout" in err
    assert main(["--lang", "zh", "compare", "payment_outage", "sms_fallback", "--site"]) == 2
    assert "没有 `drill.site` 场地布局" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["compare", "warehouse_fire_drill", "exit_b_blocked", "--site", "--duties"])
    assert exc.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
