"""After-action reports of a scripted exercise: verdicts and numbers in JSON and HTML, timeline, languages."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from drillsim.cli import main
from drillsim.scoring.ratings import loads_ratings
from drillsim.scoring.report import build_report, render
from drillsim.scoring.verdicts import score
from drillsim.simulator.loader import load_actions, load_plan
from drillsim.simulator.runner import run_plan

FIX = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent


# --- a parsed HTML page ------------------------------------------------------------------------


class Page(HTMLParser):
    """Tables by id (rows of {attrs, cells}), every element's attributes, and the text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[dict]] = {}
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._table = None
        self._row = None
        self._cell = None
        self._depth = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self._table = self.tables.setdefault(attrs.get("id", f"anon{len(self.tables)}"), [])
        elif tag == "tr" and self._table is not None:
            self._row = {"attrs": attrs, "cells": []}
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._depth -= 1
            if self._depth == 0:
                self._table = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def rows(self, table: str, cls: str | None = None) -> list[dict]:
        return [
            r
            for r in self.tables[table]
            if cls is None or cls in r["attrs"].get("class", "").split()
        ]

    def with_class(self, cls: str, tag: str | None = None) -> list[dict]:
        return [
            a
            for t, a in self.elements
            if cls in a.get("class", "").split() and (tag is None or t == tag)
        ]


# --- the scripted exercise ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exercise(tmp_path_factory):
    """payment_outage with the duty supervisor, operations and the technical group scripted, others idle."""
    plan = load_plan("payment_outage")
    actions = load_actions(FIX / "payment_outage_actions.yaml", plan)
    log = tmp_path_factory.mktemp("ex") / "exercise.jsonl"
    session = run_plan(plan, seed=1, actions=actions, others="idle", log_path=log)
    return {
        "log": log,
        "plan": plan,
        "result": score(plan, session.events),
        "events": session.events,
    }


@pytest.fixture(scope="module")
def report_en(exercise):
    return build_report(exercise["log"], lang="en")


@pytest.fixture(scope="module")
def report_zh(exercise):
    return build_report(exercise["log"], lang="zh")


def entry(rep_json: dict, oid: str, n: int = 1) -> dict:
    return next(v for v in rep_json["verdicts"] if v["id"] == oid and v["occurrence"] == n)


def test_json_report_has_the_right_verdicts_and_numbers(exercise, report_en):
    data = json.loads(render(report_en, "json"))
    assert data["kind"] == "exercise" and data["scenario"]["id"] == "payment_outage"
    assert data["date"] == "2025-03-14"  # from the people's wall-clock stamps
    ops = entry(data, "report_l1_ops")
    assert (
        ops["status"],
        ops["late_by_min"],
        ops["triggered_at"],
        ops["deadline_at"],
        ops["done_at"],
    ) == ("late", 5.0, 70.0, 85.0, 90.0)
    assert entry(data, "report_l1_committee")["status"] == "missed"
    assert entry(data, "verify")["status"] == "hit" and entry(data, "verify")["done_at"] == 3.0
    assert entry(data, "regrade", 2)["late_by_min"] == 4.0
    activate = entry(data, "activate_l1_plan")
    assert activate["status"] == "late" and activate["delayed_by"]["id"] == "report_l1_ops"
    # operations had the report when the (late) phone call reached it, at 88.4: 3.4 min late
    assert activate["delayed_by"]["delay_min"] == pytest.approx(3.389, abs=1e-3)
    assert entry(data, "failover_within_5")["delayed_by"]["id"] == "activate_l1_plan"
    assert (
        # the coordination update open when the core system recovered at 115 is void, not missed
        data["totals"]["hit"] == 8 and data["totals"]["late"] == 4 and data["totals"]["missed"] == 6
    )
    # the same numbers as `drillsim score` (one source of judgement)
    by_key = {(o["id"], o["occurrence"]): o for o in exercise["result"]["obligations"]}
    for v in data["verdicts"]:
        o = by_key[(v["id"], v["occurrence"])]
        assert (v["status"], v["done_at"], v["deadline_at"]) == (
            o["status"],
            o["done_at"],
            o["deadline_at"],
        )
    (core,) = data["continuity"]
    assert (
        core["service"] == "core_system"
        and core["downtime_min"] == 115.0
        and core["rto_met"] is True
    )
    assert [g["correct"] for g in data["grading"]] == [True, True, True]
    played = {p["role"]: p["played_by"] for p in data["participants"]}
    assert played["duty_supervisor"] == "script" and played["vp"] == "idle"
    objectives = {o["id"]: o for o in data["objectives"]}
    assert [t["status"] for t in objectives["detect"]["tasks"]] == ["hit", "hit", "hit"]
    report_tasks = {t["obligation"]: t for t in objectives["report"]["tasks"]}
    assert report_tasks["report_l1_ops"]["status"] == "late"
    assert report_tasks["report_l1_ops"]["rating"] is None  # speed never sets a rating
    assert any(
        "E-mail" in line and "Operations" in line
        for line in report_tasks["report_l1_ops"]["occurrences"][0]["evidence"]
    )
    assert not data["rated"] and data["improvement_plan_source"] == "drafted"


def test_areas_for_improvement_trace_the_chain(report_en, report_zh):
    afis = {a.get("obligation"): a for a in report_en["improvements"] if a["kind"] == "duty"}
    failover = afis["failover_within_5"]
    assert failover["root"] == "report_l1_ops" and failover["caused_by"]["id"] == "activate_l1_plan"
    text = " ".join(failover["details"])
    assert "Operations triggers the level-1 plan" in text and "late by 7.6 min" in text
    assert "The delay started at “Level 1: report to operations management" in text
    ops = afis["report_l1_ops"]
    assert "late by 5 min" in ops["text"] and ops["role"] == "duty_supervisor"
    assert any("Phone → Operations management dept: 10:58 (late)" in d for d in ops["details"])
    assert any("11:00 (late)" in d for d in ops["details"])  # both parts late
    assert ops["capability"] == "training"
    # roles nobody played are summed up in one note, with no corrective action drafted
    (unplayed,) = [a for a in report_en["improvements"] if a["kind"] == "not_played"]
    assert "dept_head" not in {p["responsible_role"] for p in report_en["improvement_plan"]}
    assert set(unplayed["obligations"]) >= {
        "form_l2_team",
        "file_l2_with_ops",
        "organize_l3_handling",
    }
    zh = {a.get("obligation"): a for a in report_zh["improvements"] if a["kind"] == "duty"}
    assert "延误始于“一级:15分钟内电话+书面上报运营管理部”" in " ".join(
        zh["failover_within_5"]["details"]
    )
    caps = {p["capability"] for p in report_en["improvement_plan"]}
    assert (
        caps <= {"planning", "organization", "equipment", "training", "exercise"}
        and "exercise" in caps
    )


def test_html_tables_carry_the_verdicts(exercise, report_en):
    page = Page(render(report_en, "html"))
    tasks = {
        (r["attrs"]["data-obligation"], r["attrs"]["data-occurrence"]): r
        for r in page.rows("objectives-table", "task")
    }
    ops = tasks[("report_l1_ops", "1")]
    assert ops["attrs"]["data-status"] == "late" and float(ops["attrs"]["data-late"]) == 5.0
    assert (
        "late 5 min" in ops["cells"]
        and "10:55 (85′)" in ops["cells"]
        and "11:00 (90′)" in ops["cells"]
    )
    assert "not rated" in ops["cells"]
    assert tasks[("report_l1_committee", "1")]["attrs"]["data-status"] == "missed"
    assert tasks[("legal_review", "0")]["attrs"]["data-status"] == "not_triggered"
    verdicts = page.rows("verdicts", "verdict")
    assert len(verdicts) == len(exercise["result"]["obligations"])
    statuses = [r["attrs"]["data-status"] for r in verdicts]
    assert (
        statuses.count("hit") == 8 and statuses.count("late") == 4 and statuses.count("missed") == 6
    )
    (svc,) = page.rows("continuity", "service")
    assert svc["attrs"]["data-rto-met"] == "yes" and float(svc["attrs"]["data-downtime"]) == 115.0
    assert [r["attrs"]["data-correct"] for r in page.rows("grading", "grade")] == ["true"] * 3
    plan_rows = page.rows("improvement-plan", "plan-item")
    assert len(plan_rows) == len(report_en["improvement_plan"]) >= 3
    assert all(
        r["attrs"]["data-capability"]
        in ("planning", "organization", "equipment", "training", "exercise")
        for r in plan_rows
    )
    overview = {r["attrs"].get("data-key"): r["cells"][-1] for r in page.rows("overview-table")}
    assert overview["f_date"] == "2025-03-14" and overview["f_type"] == "tabletop exercise"
    assert "abnormal_event_000" in overview["f_procedures"] and "v1.0" in overview["f_procedures"]


def test_timeline_chart_is_produced_and_not_empty(exercise, report_en):
    page = Page(render(report_en, "html"))
    svgs = [a for t, a in page.elements if t == "svg" and a.get("id") == "timeline"]
    assert len(svgs) == 1 and "Noto Sans CJK SC" in svgs[0]["font-family"]
    events = exercise["events"]
    assert len(page.with_class("msg-sent")) == sum(1 for e in events if e["type"] == "message.sent")
    assert len(page.with_class("task", "rect")) == sum(1 for e in events if e["type"] == "task")
    assert len(page.with_class("grade", "path")) == 3
    assert len(page.with_class("inject", "path")) >= 6
    deadlines = page.with_class("deadline")
    due = [o for o in exercise["result"]["obligations"] if o["triggered_at"] is not None]
    assert len(deadlines) == len(due)
    missed = [d for d in deadlines if "missed" in d["class"].split()]
    assert missed and all(d["stroke"] == "#c62828" for d in missed)
    assert all(
        d["stroke"] == "#2e7d32"
        for d in deadlines
        if "hit" in d["class"].split() and d.get("stroke")
    )
    labels = [a for a in page.with_class("role-label")]
    assert len(labels) >= 8


def test_both_languages_render(report_en, report_zh, tmp_path):
    en, zh = render(report_en, "html"), render(report_zh, "html")
    assert "After-Action Report / Improvement Plan" in en and "Duty supervisor" in en
    assert (
        "应急演练评估报告" in zh
        and "值班主管" in zh
        and "存在的问题" in zh
        and "整改措施计划" in zh
    )
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en
    md_zh, md_en = render(report_zh, "md"), render(report_en, "md")
    assert "## 一、演练基本情况" in md_zh and "## 1. Exercise overview" in md_en
    assert "| 一级:15分钟内电话+书面上报运营管理部 |" in md_zh
    for html in (en, zh):  # one self-contained file that prints
        assert "@media print" in html and "@page" in html
        assert "<script" not in html and "<link" not in html and "<img" not in html
        assert html.count("http") == html.count("http://www.w3.org/2000/svg")


def test_ratings_are_shown_beside_the_timing(exercise):
    plan = exercise["plan"]
    ratings = loads_ratings(
        """
evaluator: 王工
tasks:
  - {objective: report, rating: S, observation: "一级上报迟5分钟,但OA宕机后及时改用邮件"}
  - {objective: report, obligation: report_l1_ops, rating: P, observation: "电话报告及时,书面报告稍晚"}
  - {obligation: verify, rating: m, observation: 核实步骤不完整}
hotwash:
  strengths: [值班主管沟通清晰]
  improvements: [书面报告模板不好找]
  feedback: [希望增加夜班场景]
improvement_plan:
  - {issue: 书面上报迟延, corrective_action: 制作邮件报告模板, capability: planning,
     responsible_role: ops_dept, due: 2025-04-30}
""",
        plan,
    )
    rep = build_report(exercise["log"], ratings=ratings, lang="zh")
    page = Page(render(rep, "html"))
    tasks = {r["attrs"]["data-obligation"]: r for r in page.rows("objectives-table", "task")}
    # a late duty rated P, an on-time one rated M: the report shows both, neither overrides the other
    assert (
        tasks["report_l1_ops"]["attrs"]["data-status"] == "late"
        and tasks["report_l1_ops"]["attrs"]["data-rating"] == "P"
    )
    assert (
        tasks["verify"]["attrs"]["data-status"] == "hit"
        and tasks["verify"]["attrs"]["data-rating"] == "M"
    )
    assert tasks["report_l3"]["attrs"]["data-rating"] == ""
    (obj_row,) = [
        r
        for r in page.rows("objectives-table", "objective-row")
        if r["attrs"]["data-objective"] == "report"
    ]
    assert obj_row["attrs"]["data-rating"] == "S"
    (item,) = page.rows("improvement-plan", "plan-item")
    assert item["cells"][1:] == [
        "书面上报迟延",
        "制作邮件报告模板",
        "预案/计划",
        "运营管理部",
        "2025-04-30",
    ]
    text = "".join(page.text)
    assert "希望增加夜班场景" in text and "王工" in text
    assert rep["rating_counts"] == {"P": 1, "S": 1, "M": 1, "U": 0, "N/O": 0}


def test_cli_writes_html_markdown_json_and_a_template(exercise, tmp_path, capsys):
    log = str(exercise["log"])
    assert main(["report", log, "-o", str(tmp_path / "aar.html")]) == 0
    assert (tmp_path / "aar.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["--lang", "zh", "report", log, "-o", str(tmp_path / "aar.md")]) == 0
    md = (tmp_path / "aar.md").read_text(encoding="utf-8")
    assert "![五、演练过程时间线](aar.timeline.svg)" in md
    assert (tmp_path / "aar.timeline.svg").read_text(encoding="utf-8").startswith("<svg")
    capsys.readouterr()
    assert main(["report", log, "--format", "json", "--lang", "en"]) == 0
    assert json.loads(capsys.readouterr().out)["lang"] == "en"
    template = tmp_path / "ratings.yaml"
    assert main(["report", log, "--ratings-template", str(template)]) == 0
    r = loads_ratings(template.read_text(encoding="utf-8"), exercise["plan"])
    critical = {(o.id, x) for o in exercise["plan"].scenario.objectives for x in o.obligations}
    assert {(t.objective, t.obligation) for t in r.tasks if t.obligation} == critical
    assert all(t.rating is None for t in r.tasks)
    assert r.improvement_plan and r.scenario == "payment_outage"
    # the filled-in template drives the report
    filled = template.read_text(encoding="utf-8").replace("    rating: null", "    rating: S", 1)
    template.write_text(filled, encoding="utf-8")
    assert main(["report", log, "--ratings", str(template), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["rating_counts"]["S"] == 1


def test_cli_bad_ratings_file_is_file_line_col(exercise, tmp_path, capsys):
    bad = tmp_path / "r.yaml"
    bad.write_text("evaluator: x\ntasks:\n  - {obligation: verfy, rating: P}\n", encoding="utf-8")
    assert main(["report", str(exercise["log"]), "--ratings", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3:18: tasks[0].obligation: unknown obligation 'verfy'" in err
    assert "Traceback" not in err


def test_dates(exercise, tmp_path):
    rep = build_report(exercise["log"], lang="en", date="2024-01-02")
    assert rep["date"] == "2024-01-02"
    # no wall-clock stamps: the log file's date
    lines = [
        l for l in exercise["log"].read_text(encoding="utf-8").splitlines() if '"wall"' not in l
    ]
    plain = tmp_path / "plain.jsonl"
    plain.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import datetime as dt
    import os

    os.utime(plain, (dt.datetime(2023, 6, 5, 12).timestamp(),) * 2)
    assert build_report(plain, lang="en")["date"] == "2023-06-05"


def test_scoring_never_imports_the_ui():
    code = (
        "import sys; import drillsim.scoring.report, drillsim.scoring.ratings, "
        "drillsim.scoring.report.montecarlo_report, drillsim.simulator.formats.msel, drillsim.cmd_report; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich') "
        "or m.startswith('drillsim.tui')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_an_absent_role_and_its_deputy_are_named():
    plan = load_plan("payment_outage", [str(ROOT / "tests" / "data" / "gm_absent_duty.yaml")])
    from drillsim.scoring.report.model import exercise_report

    rep = exercise_report(plan, run_plan(plan, seed=1).events, lang="en")
    verify = next(a for a in rep["improvements"] if a.get("obligation") == "verify")
    assert (
        "Duty supervisor was absent; the duty passed to the deputy Monitoring operator."
        in verify["details"]
    )
    assert (
        verify["capability"] == "organization"
        and "deputy arrangement" in verify["corrective_action"]
    )
    assert any(v["acted_by"] == "monitoring_operator" for v in rep["verdicts"])
    html = render(rep, "html")
    assert "Monitoring operator for Duty supervisor" in html


def test_several_incidents_and_per_incident_ratings(tmp_path):
    plan = load_plan("service_desk_shift")
    log = tmp_path / "shift.jsonl"
    run_plan(plan, seed=4, log_path=log)
    ratings = loads_ratings(
        "tasks:\n  - {obligation: classify, incident: t2, rating: U, observation: P1定成P2}\n"
        "  - {obligation: classify, rating: P}\n",
        plan,
    )
    rep = build_report(log, ratings=ratings, lang="zh")
    page = Page(render(rep, "html"))
    rows = [
        r
        for r in page.rows("objectives-table", "task")
        if r["attrs"]["data-obligation"] == "classify"
    ]
    by_incident = {r["attrs"]["data-incident"]: r["attrs"]["data-rating"] for r in rows}
    assert by_incident["t2"] == "U" and by_incident["t1"] == "P"
    assert "t2" in rows[0]["cells"] or any("t2" in r["cells"] for r in rows)  # the incident column
    lanes = page.with_class("level", "rect")
    assert len({a["y"] for a in lanes}) == 8  # one level lane per ticket


def test_a_pass_fail_test(tmp_path, exercise):
    variant = tmp_path / "as_test.yaml"
    variant.write_text(
        "id: as_test\nbase: payment_outage\nscenario: {mode: test}\n", encoding="utf-8"
    )
    plan = load_plan("payment_outage", [str(variant)])
    actions = load_actions(FIX / "payment_outage_actions.yaml", plan)
    from drillsim.scoring.report.model import exercise_report

    rep = exercise_report(
        plan, run_plan(plan, seed=1, actions=actions, others="idle").events, lang="en"
    )
    passed = {o["id"]: o["passed"] for o in rep["objectives"]}
    assert passed["detect"] is True and passed["report"] is False
    assert any(s.startswith("Test result: FAIL (1 of 6 objectives passed") for s in rep["summary"])
    assert "pass/fail test" in render(rep, "html")


def test_ratings_date_is_a_fallback(exercise, tmp_path):
    plan = exercise["plan"]
    lines = [
        l for l in exercise["log"].read_text(encoding="utf-8").splitlines() if '"wall"' not in l
    ]
    plain = tmp_path / "plain.jsonl"
    plain.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = loads_ratings("date: 2022-02-02\n", plan)
    assert build_report(plain, ratings=r)["date"] == "2022-02-02"
    assert (
        build_report(exercise["log"], ratings=r)["date"] == "2025-03-14"
    )  # people's stamps come first


# --- the log's integrity, stated in the report itself ---------------------------------------------


def _variant(lines: list[str], kind: str) -> list[str]:
    if kind == "edited":  # a done time moved on line 6
        return [*lines[:5], lines[5].replace('"t":', '"t":1', 1), *lines[6:]]
    if kind == "unchained":  # an older drillsim's log
        return [line.split(',"h":')[0] + "}\n" for line in lines]
    if kind == "torn":
        return [*lines, '{"seq":999,"t":3']
    return lines


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    "kind,status,line,words",
    [
        ("intact", "intact", None, {"en": "hash chain intact", "zh": "哈希链完整"}),
        ("edited", "broken", 6, {"en": "hash chain broken at line 6", "zh": "哈希链在第6行断开"}),
        ("unchained", "none", None, {"en": "no hash chain", "zh": "没有哈希链"}),
        ("torn", "intact", None, {"en": "last line was torn", "zh": "最后一行不完整"}),
    ],
)
def test_the_report_states_the_log_chain(exercise, tmp_path, lang, kind, status, line, words):
    lines = exercise["log"].read_text(encoding="utf-8").splitlines(keepends=True)
    log = tmp_path / f"{kind}.jsonl"
    log.write_text("".join(_variant(lines, kind)), encoding="utf-8")
    rep = build_report(log, lang=lang)
    assert rep["log_integrity"]["status"] == status
    assert rep["log_integrity"]["broken_at"] == line
    assert rep["log_integrity"]["torn_last_line"] == (kind == "torn")
    text = words[lang]
    row = next(r for r in Page(render(rep, "html")).rows("overview-table") if text in r["cells"][1])
    assert row["cells"][0] == ("日志完整性" if lang == "zh" else "Log integrity")
    assert ("warn" in row["attrs"].get("class", "")) == (kind != "intact")
    md = render(rep, "md")
    marked = f"**{rep['log_integrity']['text']}**" if kind != "intact" else text
    assert marked in md
    assert json.loads(render(rep, "json"))["log_integrity"]["text"] == rep["log_integrity"]["text"]
