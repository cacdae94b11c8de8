"""The drill console played by keystrokes (Pilot) on a fake clock."""

from __future__ import annotations

import asyncio

from drillsim.scoring.verdicts import read_log, score
from drillsim.tui.drill_console import DrillConsole
from tests.drill.kit import FakeClock, make_drill, plan, roster


def _cell(app, row: str, col: str) -> str:
    table = app.query_one("#milestones")
    return str(table.get_cell(row, col))


def test_console_stamps_checks_in_corrects_and_closes(tmp_path):
    log = tmp_path / "drill.jsonl"
    clock = FakeClock()
    drill = make_drill(log, clock=clock)
    app = DrillConsole(drill, evaluator="评估员王", lang="en", tick_interval=None)
    present = [p for p in roster().people if p.present]

    async def play():
        async with app.run_test(size=(150, 45)) as pilot:
            assert "Waiting for the alarm" in str(app.query_one("#drill-bar").render())
            await pilot.press("5")  # nothing before the alarm
            assert not drill.started
            await pilot.press("1")
            assert drill.started and drill.stamped == {"alarm_raised": "s1"}
            clock.at(2)
            app.tick()
            await pilot.press("a")  # the discoverer told the department head
            clock.at(12)
            app.tick()
            await pilot.press("5")  # evacuation complete: stamped late
            await pilot.pause()
            assert _cell(app, "assembly_reached", "drill_col_verdict") == "late 2 min"
            # the evaluator's watch said 10:09:30: correct the last stamp
            await pilot.press("ctrl+e")
            await pilot.pause()
            time_box = app.screen.query_one("#ask-time")
            assert time_box.value == "10:12:00"
            time_box.value = "10:09:30"
            await pilot.press("enter", "enter")  # stamp id (kept), time, then the note
            await pilot.press(*"watch", "enter")
            await pilot.pause()
            assert _cell(app, "assembly_reached", "drill_col_verdict") == "hit"
            # a note on the last stamp
            await pilot.press("ctrl+n", *"ok", "enter")
            # check in by number, then by a unique name
            await pilot.press("slash", *present[0].number, "enter")
            await pilot.press(*present[1].name, "enter")
            await pilot.pause()
            assert set(drill.headcount.accounted) == {present[0].number, present[1].number}
            await pilot.press("escape")
            # a contractor added at the assembly point
            await pilot.press("plus", *"Smith", "enter", "c", "backspace", "c", "enter")
            await pilot.press(*"ACME", "enter", "enter", "enter")
            await pilot.pause()
            assert drill.headcount.people["V1"].kind == "contractor"
            assert "V1" in drill.headcount.accounted
            clock.at(20)
            app.tick()
            await pilot.press("exclamation_mark", "y")
            await pilot.pause()
            assert drill.headcount.closed is not None
            assert "closed by the warden" in str(app.query_one("#headcount").render())
            await pilot.press("ctrl+x", "y")
            await pilot.pause()
            assert drill.finished

    asyncio.run(play())
    events = read_log(log)
    kinds = [ev["type"] for ev in events]
    assert kinds.count("stamp") == 4  # alarm, discoverer, evacuation, headcount (auto on closing)
    assert kinds.count("stamp.corrected") == 1 and kinds.count("stamp.note") == 1
    result = score(plan(), events)
    evac = next(e for e in result["obligations"] if e["id"] == "evacuate")
    assert (evac["done_at"], evac["status"]) == (9.5, "hit")
    assert len(result["drill"]["headcount"]["missing"]) == len(present) - 2


def test_drill_command_refuses_bad_input(tmp_path, capsys):
    from drillsim.cli import main

    assert main(["drill", "warehouse_fire", "--roster", "x.csv"]) == 2
    assert "not set up as a live drill" in capsys.readouterr().err
    bad = tmp_path / "roster.csv"
    bad.write_text("name,employee_number,department\nA,1,X\n", encoding="utf-8")
    assert main(["drill", "warehouse_fire_drill", "--roster", str(bad)]) == 2
    assert f"{bad}:1:1: missing column 'area'" in capsys.readouterr().err
    log = tmp_path / "drill.jsonl"
    log.write_text("{}\n", encoding="utf-8")
    good = str(tmp_path / "ok.csv")
    (tmp_path / "ok.csv").write_text("name,employee_number,department,area\nA,1,X,Y\n", "utf-8")
    assert main(["drill", "warehouse_fire_drill", "--roster", good, "--log", str(log)]) == 2
    assert "the log exists; continue it with --resume" in capsys.readouterr().err


def test_drill_resume_command_continues_the_log_in_the_console(tmp_path, monkeypatch):
    """`drillsim drill --resume LOG` after the console died: the command resumes the log and
    opens the console on it; a key stamps on, and the log holds the old stamps and the new."""
    from datetime import datetime, timedelta

    from drillsim.cli import main

    log = tmp_path / "drill.jsonl"
    clock = FakeClock(datetime.now().astimezone() - timedelta(minutes=3))
    d = make_drill(log, clock=clock)
    d.stamp("1", "评估员王")
    clock.at(1)
    d.stamp("a", "评估员王")
    d.session._log._fh.close()  # the console died (the system closes its file)
    seen = {}

    def run(self):  # the console as `drill` opens it, played by keys under Pilot
        async def play():
            async with self.run_test(size=(150, 45)) as pilot:
                seen["resumed"] = sorted(self.drill.stamps)
                await pilot.press("5")
                await pilot.pause()
                await pilot.press("ctrl+q")

        asyncio.run(play())

    monkeypatch.setattr(DrillConsole, "run", run)
    assert main(["drill", "--resume", str(log), "--evaluator", "评估员赵"]) == 0
    assert seen["resumed"] == ["s1", "s2"]
    events = read_log(log)
    stamps = [(e["id"], e["milestone"], e["by"]) for e in events if e["type"] == "stamp"]
    assert stamps == [
        ("s1", "alarm_raised", "评估员王"),
        ("s2", "discoverer_report", "评估员王"),
        ("s3", "assembly_reached", "评估员赵"),
    ]
    resumed = next(e for e in events if e["type"] == "session.resumed")
    assert resumed["by"] == "评估员赵"
    assert main(["score", "--verify", str(log)]) == 0
