"""A recorded drill on a fake clock: verdicts, missing list, headcount time, corrections,
replay and resume after a crash."""

from __future__ import annotations

import json

import pytest

from drillsim.cli import main
from drillsim.scoring.verdicts import read_log, score
from drillsim.simulator.drill.live import DrillError, replay_drill, resume_drill, same_log
from tests.drill.kit import FakeClock, make_drill, plan, roster

EVAL, WARDEN = "评估员王", "引导员李"


def _by_id(result: dict) -> dict[str, dict]:
    return {e["id"]: e for e in result["obligations"] if e["status"] != "not_triggered"}


def _present():
    return [p for p in roster().people if p.present]


def run_recorded(log_path, clock: FakeClock):
    """The scripted drill: stamps by key, check-ins by number, a contractor, a closure."""
    d = make_drill(log_path, clock=clock)
    clock.at(0)
    d.stamp("1", EVAL)  # alarm: minute 0
    clock.at(1.5)
    d.stamp("2", EVAL)  # evacuation ordered
    clock.at(2)
    d.stamp("a", EVAL)  # discoverer told the department head
    clock.at(3)
    d.stamp("3", EVAL, note="119 接警员确认")  # 119 called
    clock.at(7.5)
    d.stamp("b", EVAL)  # department head told the factory head and the GM (GM away)
    clock.at(10)
    d.stamp("5", EVAL)  # everyone at the assembly point: exactly at the 10-minute deadline
    present = _present()
    for i, p in enumerate(present[:-2]):
        clock.at(11 + i / 200)
        d.checkin(p.number, WARDEN)
    clock.at(12)
    d.stamp("c", EVAL)  # the factory head forms the command group
    clock.at(18)
    d.add_visitor("Smith", "contractor", WARDEN, company="ACME 消防维保")
    clock.at(22)
    d.checkin(present[-2].number, WARDEN)
    clock.at(24)
    d.close_headcount(WARDEN, note="最后见到在仓库办公室")
    clock.at(30)
    d.tick()
    d.end(EVAL)
    return d


def test_recorded_drill_gives_the_expected_verdicts(tmp_path):
    log = tmp_path / "drill.jsonl"
    d = run_recorded(log, FakeClock())
    events = read_log(log)
    assert same_log(events, d.events)
    result = score(plan(), events)
    v = _by_id(result)
    got = {
        k: (e["status"], e["triggered_at"], e["deadline_at"], e["done_at"]) for k, e in v.items()
    }
    assert got == {
        "discoverer_report": ("hit", 0.0, 5.0, 2.0),
        "call_rescue": ("hit", 0.0, 5.0, 3.0),
        "dept_head_report_up": ("late", 2.0, 7.0, 7.5),
        "evacuate": ("hit", 0.0, 10.0, 10.0),
        "form_command_group": ("hit", 7.5, 17.5, 12.0),
        "direct_on_site": ("missed", 7.5, 22.5, None),
        "headcount": ("hit", 10.0, 25.0, 24.0),
        "patrol_site": ("open", 24.0, 54.0, None),
    }
    assert v["dept_head_report_up"]["late_by_min"] == 0.5
    assert v["form_command_group"]["acted_by"] == "factory_head"  # the GM is away (§5.3)
    hc = result["drill"]["headcount"]
    last = _present()[-1]
    assert hc["missing"] == [last.number]
    assert (hc["expected"], hc["accounted"]) == (len(_present()) + 1, len(_present()))
    assert hc["complete_at"] is None and hc["closed_at"] == 24.0
    assert hc["closed_note"] == "最后见到在仓库办公室" and hc["visitors"] == 1
    rows = {r["id"]: r for r in result["drill"]["milestones"]}
    assert rows["headcount_complete"]["auto"] and rows["headcount_complete"]["stamped_at"] == 24.0
    assert rows["called_119"]["note"] == "119 接警员确认"
    assert rows["last_person_out"]["status"] == "not_stamped"
    assert rows["assembly_reached"]["status"] == "hit"
    assert result["drill"]["people"] == {"evaluators": [EVAL], "wardens": [WARDEN]}


def test_headcount_complete_when_everyone_present_is_in(tmp_path):
    clock = FakeClock()
    d = make_drill(None, clock=clock)
    d.stamp("1", EVAL)
    clock.at(9)
    d.stamp("5", EVAL)
    for i, p in enumerate(_present()):
        clock.at(10 + i / 60)  # one a second
        d.checkin(p.number, WARDEN)
    n = len(_present())
    assert d.headcount.complete_at == round((10 * 60 + n - 1) / 60, 6)
    assert d.stamped["headcount_complete"] in d.stamps
    e = _by_id(score(plan(), d.events))["headcount"]
    assert e["done_at"] == d.headcount.complete_at and e["status"] == "hit"
    with pytest.raises(DrillError) as exc:
        d.checkin(_present()[0].number, WARDEN)
    assert exc.value.key == "already_in"


@pytest.mark.parametrize("seconds, status", [(600, "hit"), (606, "late")])
def test_evacuation_deadline_boundary(seconds, status):
    """003 §6.1.4: evacuated within 10 min of the office learning of it: 10.0 hit, 10.1 late."""
    clock = FakeClock()
    d = make_drill(None, clock=clock)
    d.stamp("1", EVAL)
    clock.at(seconds / 60)
    d.stamp("assembly_reached", EVAL)
    e = _by_id(score(plan(), d.events))["evacuate"]
    assert (e["deadline_at"], e["done_at"], e["status"]) == (10.0, seconds / 60, status)


def test_a_correction_keeps_the_original_and_moves_what_followed(tmp_path):
    log = tmp_path / "drill.jsonl"
    clock = FakeClock()
    d = make_drill(log, clock=clock)
    d.stamp("1", EVAL)
    clock.at(12)
    original = d.stamp("5", EVAL)  # stamped late: the evaluator was busy
    before = _by_id(score(plan(), d.events))
    assert before["evacuate"]["status"] == "late"
    assert before["headcount"]["deadline_at"] == 27.0
    clock.at(14)
    d.correct(original["id"], clock.start.replace(minute=9, second=30), "评估员赵", note="看表")
    d.end(EVAL)
    events = read_log(log)
    recorded = [ev for ev in events if ev["type"] == "stamp" and ev["id"] == original["id"]]
    assert recorded == [original]  # the original is kept as it was
    fix = next(ev for ev in events if ev["type"] == "stamp.corrected")
    assert (fix["stamp"], fix["at"], fix["by"], fix["note"]) == (
        original["id"],
        9.5,
        "评估员赵",
        "看表",
    )
    after = score(plan(), events)
    v = _by_id(after)
    assert (v["evacuate"]["status"], v["evacuate"]["done_at"]) == ("hit", 9.5)
    assert v["headcount"]["deadline_at"] == 24.5  # 15 min from the corrected evacuation
    row = next(r for r in after["drill"]["milestones"] if r["id"] == "assembly_reached")
    assert (row["recorded_at"], row["stamped_at"]) == (12.0, 9.5)
    assert row["corrections"][0]["by"] == "评估员赵"
    clock2 = FakeClock()
    d2 = make_drill(None, clock=clock2)
    d2.stamp("1", EVAL)
    clock2.at(5)
    with pytest.raises(DrillError) as exc:
        d2.correct("s1", clock2.start.replace(minute=6), EVAL)  # not in the future
    assert exc.value.key == "bad_correction"


def test_refusals():
    clock = FakeClock()
    d = make_drill(None, clock=clock)
    with pytest.raises(DrillError) as exc:
        d.stamp("5", EVAL)
    assert exc.value.key == "alarm_first"
    d.stamp("1", EVAL)
    with pytest.raises(DrillError) as exc:
        d.stamp("1", EVAL)
    assert exc.value.key == "already_stamped"
    with pytest.raises(DrillError) as exc:
        d.checkin("NOPE", WARDEN)
    assert exc.value.key == "unknown_person"
    with pytest.raises(DrillError) as exc:
        d.stamp("z", EVAL)
    assert exc.value.key == "unknown_milestone"


def test_the_log_replays_and_a_crash_loses_no_stamp(tmp_path):
    log = tmp_path / "drill.jsonl"
    clock = FakeClock()
    d = make_drill(log, clock=clock)
    d.stamp("1", EVAL)
    clock.at(2)
    d.stamp("a", EVAL)
    clock.at(4)
    d.checkin(_present()[0].number, WARDEN)
    # the console dies: nothing closed, half a line written; the system closes the dead
    # process's file, which releases its lock on the log
    d.session._log._fh.close()
    with open(log, "a", encoding="utf-8") as f:
        f.write('{"seq":99,"t":4.5,"type":"chec')
    events = read_log(log)
    assert [ev["id"] for ev in events if ev["type"] == "stamp"] == ["s1", "s2"]
    clock.at(6)
    resumed = resume_drill(events, log, clock=clock, by=EVAL)
    assert (tmp_path / "drill.jsonl.torn").read_text(encoding="utf-8").startswith('{"seq":99')
    assert resumed.headcount.accounted == {_present()[0].number: (4.0, WARDEN)}
    clock.at(8)
    resumed.stamp("5", EVAL)
    resumed.end(EVAL)
    final = read_log(log)
    assert [ev["id"] for ev in final if ev["type"] == "stamp"] == ["s1", "s2", "s3"]
    assert any(ev["type"] == "session.resumed" for ev in final)
    assert same_log(replay_drill(final).events, final)
    assert _by_id(score(plan(), final))["evacuate"]["done_at"] == 8.0
    assert main(["score", "--verify", str(log)]) == 0


def test_score_command_reads_a_drill_log(tmp_path, capsys):
    log = tmp_path / "drill.jsonl"
    run_recorded(log, FakeClock())
    assert main(["score", str(log), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["drill"]["headcount"]["closed_at"] == 24.0
    assert out["summary"]["hit"] == 5
