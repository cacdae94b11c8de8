"""The teaching parts, without a terminal: duty titles without deadlines, why a level (the
criterion and the fact, with the clause), what a role could know, the debrief's advice, trainee
records across sessions and their export."""

from __future__ import annotations

import csv
import glob
import io
import json
import re
from contextlib import redirect_stdout

import pytest
import yaml

from drillsim.cli import main as cli_main
from drillsim.scoring import trainee
from drillsim.scoring.debrief import debrief
from drillsim.simulator.grading import explain
from drillsim.simulator.knowledge import RoleKnowledge
from drillsim.simulator.loader import PROCEDURES_DIR, load_plan
from drillsim.simulator.model import ScriptAction
from drillsim.simulator.session import Session
from drillsim.simulator.titles import without_deadline

DS = "duty_supervisor"
TIME = re.compile(r"(\d+)\s*(分钟|小时|个月|min\b|h\b)(?!\s*or more)(?!以上)")


@pytest.fixture(autouse=True)
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


def test_no_shipped_title_keeps_a_deadline_once_stripped():
    files = sorted(glob.glob(str(PROCEDURES_DIR / "*.yaml")))
    assert len(files) == 4
    for path in files:
        for oid, ob in yaml.safe_load(open(path, encoding="utf-8"))["obligations"].items():
            for title in (ob["title"], ob.get("title_en", "")):
                plain = without_deadline(title)
                assert plain and not TIME.search(plain), (path, oid, plain)
    assert without_deadline("修理需8小时以上且影响交货时,部门负责人马上通知销售服务中心") == (
        "修理需8小时以上且影响交货时,部门负责人马上通知销售服务中心"
    )  # a condition, not a deadline
    assert without_deadline("Regrade within 10 min when the event escalates") == (
        "Regrade when the event escalates"
    )


@pytest.mark.parametrize("customers, level", [(5000, 2), (5001, 1), (999, 3), (1000, 2)])
def test_explain_names_the_criterion_and_the_fact_at_the_boundary(customers, level):
    proc = load_plan("payment_outage").procedure
    check = explain(proc, {"customers_affected": customers}, 2)
    assert check.level == level and check.correct == (level == 2)
    if level == 3:
        assert check.default and not check.deciding and check.direction == "too_severe"
        assert any(c.criterion == "影响客户1000-5000户" for c in check.wanted)
    else:
        (c,) = [c for c in check.deciding if "customers_affected" in dict(c.facts)]
        assert c.clause == ("000 §一(一)1" if level == 1 else "000 §一(二)1")
        assert dict(c.facts)["customers_affected"] == customers
        assert c.reading().startswith(
            f"{'1000 <= ' if level == 2 else ''}customers_affected {customers}"
        )


def test_explain_matrix_grading_reads_the_cell():
    proc = load_plan("service_desk_shift").procedure
    check = explain(proc, {"impact": "severe", "urgency": "high"}, 2)
    assert (check.level, check.direction) == (1, "too_mild")
    assert dict(check.deciding[0].facts) == {"urgency": "high", "impact": "severe"}


def _knowledge_run(actions, until):
    plan = load_plan("payment_outage")
    players = {r: "bot" for r in plan.procedure.roles}
    players[DS] = "human"
    s = Session(plan, 1, players)
    k = RoleKnowledge(plan, DS)
    for ev in s.new_events():
        k.feed(ev)
    for at, kw in actions:
        for ev in s.advance(at):
            k.feed(ev)
        for ev in s.submit(ScriptAction(at=at, role=DS, **kw)):
            k.feed(ev)
    for ev in s.advance(until):
        k.feed(ev)
    k.advance(until)
    return s, k


def test_a_role_sees_duties_from_what_it_was_told_and_declared():
    s, k = _knowledge_run([], 71)
    truth = {o.obligation for o in s.world.agenda.open}
    assert {"report_l1_ops", "report_l3", "report_l2"} <= truth  # due on the facts
    assert [o.obligation for o in k.open_duties()] == ["verify", "initial_record", "mark_urgency"]
    # the 5,200 customers were delivered to the role; the silent outage minutes were not
    assert k.attrs["main"]["customers_affected"] == 5200
    assert k.attrs["main"]["core_outage_min"] == 0
    s, k = _knowledge_run([(71, {"do": "grade", "level": 2})], 71)
    shown = {o.obligation: o for o in k.open_duties()}
    assert "report_l2" in shown and "regrade" in shown and "report_l1_ops" not in shown
    assert shown["report_l2"].deadline_at == 60.0  # the facts' deadline: due since minute 30
    assert k.real_of(shown["report_l2"]) is not None
    s, k = _knowledge_run([(5, {"do": "grade", "level": 2})], 6)
    l2 = next(o for o in k.open_duties() if o.obligation == "report_l2")
    assert k.real_of(l2) is None and l2.deadline_at == 35.0  # from the declared level only


def test_debrief_advice_per_duty():
    plan = load_plan("payment_outage")
    players = {r: "bot" for r in plan.procedure.roles}
    players[DS] = "human"
    s = Session(plan, 1, players)
    s.advance(1)
    s.submit(ScriptAction(at=1, role=DS, do="task", task="verify"))
    s.submit(ScriptAction(at=1, role=DS, do="grade", level=3))
    s.submit(ScriptAction(at=1, role=DS, do="report", to=["direct_supervisor"], via="oa"))
    s.advance(14)
    s.submit(ScriptAction(at=14, role=DS, do="task", task="initial_record"))
    s.advance(300)
    db = debrief(plan, s.events, [DS], 300.0)
    advice = {
        (i.entry["id"], i.entry["occurrence"]): (i.entry["status"], i.advice) for i in db.items
    }
    assert advice[("verify", 1)] == ("hit", "keep")
    assert advice[("initial_record", 1)] == ("late", "start_earlier")
    assert advice[("report_l3", 1)] == ("missed", "switch")  # OA failed; e-mail was the way
    assert advice[("report_l1_ops", 1)] == ("missed", "grade_first")
    item = next(i for i in db.items if i.entry["id"] == "report_l1_ops")
    assert item.params["level"] == 1 and item.params["criterion"].criterion == "影响客户超过5000户"
    assert [(ev["level"], c.correct) for ev, c in db.grades] == [(3, True)]


def _session(plan, rate_hits: bool):
    players = {r: "bot" for r in plan.procedure.roles}
    players[DS] = "human"
    s = Session(plan, 1, players)
    s.advance(1)
    if rate_hits:
        s.submit(ScriptAction(at=1, role=DS, do="task", task="verify"))
    s.advance(300)
    from drillsim.scoring.verdicts import score

    return score(plan, s.events)


def test_a_trainee_record_across_two_sessions_and_its_export(data_home, tmp_path):
    plan = load_plan("payment_outage")
    first = trainee.session_entry(
        plan, _session(plan, False), [DS], "training", "2026-01-02T09:00:00+08:00", None
    )
    second = trainee.session_entry(
        plan, _session(plan, True), [DS], "training", "2026-01-09T09:00:00+08:00", "b.jsonl"
    )
    path = trainee.add_session("李明", first)
    assert path == data_home / "drillsim" / "trainees" / "李明.json"
    trainee.add_session("李明", second)
    record = trainee.load("李明")
    assert [s["date"][:10] for s in record["sessions"]] == ["2026-01-02", "2026-01-09"]
    verify = next(p for p in trainee.progress(record) if p.clause == "000 §二(一)2(1)")
    assert (verify.due, verify.hit, verify.rates, verify.trend) == (2, 1, [0.0, 1.0], 1.0)
    assert {d["id"] for d in record["sessions"][0]["duties"]} >= {"verify", "mark_urgency"}
    assert all(d["id"] in plan.procedure.obligations for d in record["sessions"][0]["duties"])
    # the CLI: progress and the next scenario; the export of every trainee
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli_main(["--lang", "en", "trainee", "李明"]) == 0
    text = out.getvalue()
    assert "Trainee progress: 李明" in text and "000 §二(一)2(1)" in text and "↑ +100 pp" in text
    assert "Next: payment_outage in training mode" in text
    with redirect_stdout(io.StringIO()):
        assert cli_main(["--lang", "zh", "trainee", "--export", str(tmp_path / "all.csv")]) == 0
        assert cli_main(["trainee", "--export", str(tmp_path / "all.html")]) == 0
        assert cli_main(["trainee", "--export", str(tmp_path / "all.md")]) == 0
    raw = (tmp_path / "all.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["trainee"] for r in rows} == {"李明"}
    assert {r["date"][:10] for r in rows} == {"2026-01-02", "2026-01-09"}
    assert "李明" in (tmp_path / "all.html").read_text(encoding="utf-8")
    assert "| 000 §二(一)2(1) |" in (tmp_path / "all.md").read_text(encoding="utf-8")
    # an export never overwrites: not an earlier export without --force, never a trainee's record
    assert cli_main(["trainee", "--export", str(tmp_path / "all.csv")]) == 2
    assert (tmp_path / "all.csv").read_bytes() == raw
    own = data_home / "drillsim" / "trainees" / "李明.json"
    kept = own.read_bytes()
    assert cli_main(["trainee", "--export", str(own), "--force"]) == 2
    assert own.read_bytes() == kept
    with redirect_stdout(io.StringIO()):
        assert cli_main(["trainee", "--export", str(tmp_path / "all.csv"), "--force"]) == 0
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli_main(["trainee", "李明", "--json"]) == 0
    assert json.loads(out.getvalue())["next"]["scenario"] == "payment_outage"


def test_bad_trainee_names_are_refused(capsys):
    assert trainee.check_name("../x") and trainee.check_name("") and trainee.check_name("a/b")
    assert trainee.check_name("li_ming") is None and trainee.check_name("王 芳") is None
    assert cli_main(["trainee", "../etc"]) == 2
    assert "not a usable name" in capsys.readouterr().err


def test_suggestions():
    catalog = [
        {"id": "payment_outage", "clauses": ["000"]},
        {"id": "vendor_data_leak", "clauses": ["002"]},
    ]
    assert trainee.suggest({"sessions": []}, catalog)["reason"] == "first"
    perfect = {
        "scenario": "payment_outage",
        "mode": "training",
        "duties": [{"clause": "000 §x", "status": "hit"}],
        "grades": [],
    }
    tip = trainee.suggest({"sessions": [perfect]}, catalog)
    assert (tip["scenario"], tip["mode"], tip["reason"]) == ("payment_outage", "exercise", "harder")
    weak = {
        **perfect,
        "duties": [{"clause": "002 §y", "status": "missed"}, {"clause": "000 §x", "status": "hit"}],
    }
    tip = trainee.suggest({"sessions": [weak]}, catalog)
    assert (tip["scenario"], tip["reason"], tip["clause"]) == (
        "vendor_data_leak",
        "weakest",
        "002 §y",
    )
