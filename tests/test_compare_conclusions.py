"""What `compare` and its reports claim: a change only where its own interval excludes zero, a
moved deadline told apart from a faster response, plain sentences first (zh and en), a printed
comparison that fits an A4 page, and the small print (BOM in CSV, 一级 in Chinese, no grading
figures for a procedure without grading)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drillsim.scoring import montecarlo as mc
from drillsim.scoring.conclusions import variant_conclusions
from drillsim.scoring.report import build_report
from drillsim.scoring.tables import width

FIX = Path(__file__).parent / "fixtures"
N = 60
JARGON = ("pp", "CI", "置信", "*")

_cache: dict = {}


def _variant(tmp_path_factory, name: str, body: str) -> str:
    path = tmp_path_factory.getbasetemp() / f"{name}.yaml"
    path.write_text(f"id: {name}\ntitle: {name}\nbase: payment_outage\n{body}", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    """One comparison: a variant that changes nothing, one that relaxes a deadline 15 -> 20."""
    same = _variant(tmp_path_factory, "same_as_base", "procedure: {}\n")
    relaxed = _variant(
        tmp_path_factory,
        "relaxed_committee",
        "procedure: {obligations: {report_l1_committee: {deadline_min: 20}}}\n",
    )
    return mc.compare("payment_outage", [same, relaxed], N, seed=3, workers=1)


def _v(result, vid):
    return next(v for v in result["variants"] if v["id"] == vid)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_variant_that_changes_nothing_is_said_to_change_nothing(result, lang):
    v = _v(result, "same_as_base")
    assert not any(d["changed"] or d["rule_changed"] for d in v["obligations"])
    assert not any(s["changed_rto"] or s["changed_downtime"] for s in v["services"])
    sentences = variant_conclusions(v, lang)
    nothing = {"zh": "没有使任何义务或服务产生超出随机波动的变化", "en": "changes no duty"}[lang]
    assert nothing in sentences[0]
    rto = {"zh": "RTO达成情况不受影响", "en": "is not affected"}[lang]
    assert any(rto in s for s in sentences[1:])
    assert not any(j in s for s in sentences for j in JARGON)


def test_a_relaxed_deadline_is_a_rule_change_not_a_faster_response(result):
    v = _v(result, "relaxed_committee")
    d = next(o for o in v["obligations"] if o["id"] == "report_l1_committee")
    assert d["rule_changed"] and d["deadline_base"] == {"min": 15}
    assert d["deadline_variant"] == {"min": 20}
    # the same draws, only the yardstick moved: judged by the old deadline nothing changed
    assert d["same_rule"]["p_hit"] == d["p_hit_base"] and not d["same_rule"]["changed"]
    assert d["p_hit_variant"] >= d["p_hit_base"]
    others = [o for o in v["obligations"] if o["id"] != "report_l1_committee"]
    assert not any(o["rule_changed"] for o in others)
    (en,) = [s for s in variant_conclusions(v, "en") if "changes the rule" in s]
    assert "from 15 min to 20 min" in en and "only the rule moved" in en
    (zh,) = [s for s in variant_conclusions(v, "zh") if "修改了" in s]
    assert "由15分钟改为20分钟" in zh and "只是规则变了" in zh
    text = mc.render(result, "en")
    (row,) = [line for line in text.splitlines() if line.startswith("rule ")]
    assert "15→20" in row and "000 §二(二)1" in row


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_printed_comparison_opens_with_sentences_and_fits_a4(result, lang):
    text = mc.render(result, lang)
    lines = text.splitlines()
    assert max(width(line) for line in lines) <= 100
    heading = {"zh": "结论:", "en": "Conclusions:"}[lang]
    first = lines.index(heading)
    assert lines[first + 1].startswith("- ")
    critical = {"zh": "关键路径", "en": "critical path"}[lang]
    assert sum(critical in line for line in lines) == len(result["variants"]) + 1
    assert "pp" not in text and "*" not in text


def test_the_rto_sentence_uses_the_rtos_own_interval(tmp_path):
    """Downtime moved but the RTO did not: no 'raises the chance of meeting the RTO'."""
    data = json.loads((FIX / "compare_payment_outage.json").read_text(encoding="utf-8"))
    for v in data["variants"]:
        v["services"][0].update(
            delta_p_rto_met=0.001,
            ci95=[-0.001, 0.002],
            changed=True,
            changed_rto=False,
            changed_downtime=True,
            delta_downtime_mean_min=-1.5,
            downtime_ci95=[-2.0, -1.0],
        )
    v = data["variants"][0]
    path = tmp_path / "cmp.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    for lang in ("zh", "en"):
        rep = build_report(path, lang=lang)
        assert not [s for s in rep["strengths"] if s["kind"] == "variant" and "service" in s]
        assert not any("RTO" in s and "raises" in s for s in rep["summary"])
        downtime = {"zh": "平均中断时长", "en": "mean downtime"}[lang]
        assert any(downtime in s for s in rep["summary"])
        assert rep["summary"][0] in variant_conclusions(v, lang)


def test_a_service_that_never_went_down_is_not_listed_as_recovered(tmp_path):
    data = json.loads((FIX / "montecarlo_payment_outage.json").read_text(encoding="utf-8"))
    data["services"][0].update(p_rto_met=None, ci95=None, down=0)
    path = tmp_path / "mc.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    rep = build_report(path, lang="zh")
    (line,) = [s for s in rep["summary"] if "核心业务系统" in s]
    assert "均未中断" in line and "RTO" not in line


def test_csv_has_a_byte_order_mark(result, tmp_path):
    path = tmp_path / "cmp.csv"
    mc.write_csv(result, str(path))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "值班主管".encode() not in raw[:3]
    assert "验证事件真实性" in raw.decode("utf-8-sig")


def test_chinese_levels_read_as_chinese_and_no_grading_shows_no_grading(result):
    zh = mc.render(result["base"], "zh")
    grade = next(line for line in zh.splitlines() if line.startswith("最终申报级别"))
    assert "一级" in grade and "1级" not in grade and "级 1" not in grade
    factory = mc.montecarlo("power_outage_8h", 4, seed=1, workers=1)
    assert factory["graded"] is False
    for lang, words in (("en", "final declared level"), ("zh", "最终申报级别")):
        assert words not in mc.render(factory, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_report_on_a_procedure_without_grading_has_no_grading_section(tmp_path, lang):
    from drillsim.scoring.report import render
    from drillsim.words import t

    factory = mc.montecarlo("power_outage_8h", 4, seed=1, workers=1)
    path = tmp_path / "factory.json"
    path.write_text(json.dumps(factory, ensure_ascii=False), encoding="utf-8")
    rep = build_report(path, lang=lang)
    assert rep["final_grade"] == []
    md, html = render(rep, "md"), render(rep, "html")
    assert t("sec_final_grade", lang) not in md and t("level_none", lang) not in md
    assert 'id="grading-section"' not in html
    # a graded procedure keeps it
    graded = build_report(FIX / "montecarlo_payment_outage.json", lang=lang)
    assert graded["final_grade"] and t("sec_final_grade", lang) in render(graded, "md")


def test_two_different_shares_never_read_the_same():
    from drillsim.scoring.conclusions import shares

    assert shares(0.956, 0.958) == ("95.6%", "95.8%")  # not 'from 96% to 96%'
    assert shares(0.72, 0.76) == ("72%", "76%")
    assert shares(0.5, 0.5) == ("50%", "50%")
    assert shares(None, 0.3) == ("-", "30%")
    v = {
        "title": "v",
        "obligations": [
            {
                "title": "d",
                "changed": True,
                "p_hit_base": 0.956,
                "p_hit_variant": 0.958,
                "delta_p_hit": 0.002,
                "ci95": [0.001, 0.003],
            }
        ],
        "services": [],
    }
    (en,) = variant_conclusions(v, "en")
    assert "95.8% of runs instead of 95.6%" in en
