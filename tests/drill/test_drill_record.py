"""The drill record in Chinese and English, as Markdown, HTML and .docx (reopened with
python-docx and its sections checked), with names left out on request."""

from __future__ import annotations

import functools

import pytest

from drillsim.cli import main
from drillsim.scoring.drill_record import drill_record
from drillsim.scoring.drill_record_render import render_docx, render_html, render_markdown
from drillsim.scoring.verdicts import read_log
from drillsim.words import t
from tests.drill.kit import FakeClock, plan, roster
from tests.drill.test_live_drill import run_recorded

SECTIONS = [
    "rec_sec_facts",
    "rec_sec_timeline",
    "rec_sec_steps",
    "rec_sec_headcount",
    "rec_sec_problems",
    "rec_sec_actions",
    "rec_sec_conclusion",
    "rec_sec_signoff",
]


@functools.cache
def _log(tmp_dir: str):
    from pathlib import Path

    log = Path(tmp_dir) / "drill.jsonl"
    run_recorded(log, FakeClock())
    return log


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    return _log(str(tmp_path_factory.mktemp("record")))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_record_content_in_both_languages(log, lang):
    events = read_log(log)
    rec = drill_record(plan(), events, lang=lang)
    facts = {f["key"]: f["value"] for f in rec["facts"]}
    assert facts["rec_date"] == "2026-11-27"
    assert facts["rec_time"].startswith("10:00:00 – 10:30:00")
    assert "评估员王" in facts["rec_evaluators"] and facts["rec_evaluators"].startswith("1")
    steps = {s["id"]: s for s in rec["steps"]}
    assert steps["assembly_reached"]["status"] == "hit"
    assert steps["dept_head_report_up"]["verdict"] == t("late_by", lang, m="0.5")
    assert steps["direct_on_site"]["status"] == "missed"
    assert steps["last_person_out"]["status"] == "not_stamped"
    last = [p for p in roster().people if p.present][-1]
    assert any(last.name in m for m in rec["headcount"]["missing"])
    assert rec["conclusion_grade"] == "not"  # a duty missed and one person missing
    owners = {a["owner"] for a in rec["actions"]}
    assert t("rec_h_due", lang) and all(a["due"] == "2026-12-27" for a in rec["actions"])
    assert len(owners) >= 2
    md = render_markdown(rec)
    for key in SECTIONS:
        assert f"## {t(key, lang)}" in md
    html = render_html(rec)
    assert html.count("<h2>") == len(SECTIONS)


def test_docx_reopens_with_its_sections_and_tables(log, tmp_path):
    import docx

    rec = drill_record(plan(), read_log(log), lang="zh", attachments=[str(log), "nope.jpg"])
    path = tmp_path / "record.docx"
    path.write_bytes(render_docx(rec))
    doc = docx.Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [t(k, "zh") for k in SECTIONS] + [t("rec_sec_attachments", "zh")]
    assert doc.paragraphs[0].text == t("rec_title", "zh")
    tables = doc.tables
    steps = next(tb for tb in tables if tb.rows[0].cells[0].text == t("rec_h_step", "zh"))
    evac = next(r for r in steps.rows if r.cells[0].text.startswith("疏散完成"))
    assert evac.cells[5].text == t("hit", "zh")
    sign = tables[-2]
    assert [r.cells[0].text for r in sign.rows[1:]] == rec["signoff"]
    attached = tables[-1]
    assert attached.rows[1].cells[0].text == str(log)
    assert attached.rows[2].cells[2].text == t("rec_not_found", "zh")


def test_names_can_be_left_out(log):
    rec = drill_record(plan(), read_log(log), lang="en", names=False)
    md = render_markdown(rec)
    last = [p for p in roster().people if p.present][-1]
    assert last.number in md and last.name not in md
    assert "评估员王" not in md and "evaluator 1" in md


def test_report_command_writes_docx_md_and_html(log, tmp_path, capsys):
    import docx

    out = tmp_path / "drill.docx"
    assert main(["--lang", "en", "report", str(log), "-o", str(out), "--attach", str(log)]) == 0
    doc = docx.Document(str(out))
    assert doc.paragraphs[0].text == t("rec_title", "en")
    md = tmp_path / "drill.md"
    assert main(["report", str(log), "-o", str(md), "--lang", "zh", "--no-names"]) == 0
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# " + t("rec_title", "zh"))
    assert t("rec_sec_prediction", "zh") in text  # the site's model, measured against


def test_the_drill_record_states_the_log_chain_in_every_format(log, tmp_path):
    import docx

    def facts_of(path) -> dict[str, str]:
        doc = docx.Document(str(path))
        table = doc.tables[0]
        return {r.cells[0].text: r.cells[1].text for r in table.rows}

    out = tmp_path / "intact.docx"
    assert main(["--lang", "en", "report", str(log), "-o", str(out)]) == 0
    assert facts_of(out)["Log integrity"].startswith("hash chain intact")
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    edited = tmp_path / "edited.jsonl"
    edited.write_text("".join([*lines[:3], lines[3].replace('"t":', '"t":1', 1), *lines[4:]]))
    out = tmp_path / "edited.docx"
    assert main(["--lang", "zh", "report", str(edited), "-o", str(out)]) == 0
    assert facts_of(out)["日志完整性"].startswith("哈希链在第4行断开")
    for fmt in ("md", "html"):
        page = tmp_path / f"edited.{fmt}"
        assert main(["--lang", "en", "report", str(edited), "-o", str(page)]) == 0
        assert "hash chain broken at line 4" in page.read_text(encoding="utf-8")
