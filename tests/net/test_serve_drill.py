"""A live drill through the session server: two evaluators stamping and a warden checking in,
each from a client of its own, on the server's (fake) clock; every client sees the same live
verdicts, headcount and missing list; a token records only as itself."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess

import aiohttp

from drillsim.cli import main
from drillsim.scoring.verdicts import read_log, score
from drillsim.simulator.drill.live import replay_drill, same_log
from tests.drill.kit import ROSTER, FakeClock, plan, roster
from tests.drill.test_live_drill import _by_id

from .drill_kit import Person, ServedDrill, row
from .test_serve_authority import Raw
from .test_serve_resume import _spawn, _wait_file

EXPECTED = {  # the verdicts of the single-console recorded drill (tests/drill/test_live_drill.py)
    "discoverer_report": ("hit", 0.0, 5.0, 2.0),
    "call_rescue": ("hit", 0.0, 5.0, 3.0),
    "dept_head_report_up": ("late", 2.0, 7.0, 7.5),
    "evacuate": ("hit", 0.0, 10.0, 10.0),
    "form_command_group": ("hit", 7.5, 17.5, 12.0),
    "direct_on_site": ("missed", 7.5, 22.5, None),
    "headcount": ("hit", 10.0, 25.0, 24.0),
    "patrol_site": ("open", 24.0, 54.0, None),
}


def _present():
    return [p for p in roster().people if p.present]


def test_two_evaluators_and_a_warden_record_one_drill(tmp_path):
    log = tmp_path / "drill.jsonl"
    clock = FakeClock()
    present = _present()

    async def drill():
        served = await ServedDrill.start(log, clock)
        j = served.join
        try:
            async with (
                Person(served.url, j["facilitator"], name="EHS 陈") as boss,
                Person(served.url, j["evaluators"]["王工"]) as wang,
                Person(served.url, j["evaluator"], name="张工") as zhang,
                Person(served.url, j["warden"], name="李四") as warden,
            ):
                assert wang.link.welcome["drill"] and wang.link.welcome["by"] == "王工"
                assert zhang.link.welcome["by"] == "张工"
                clock.at(0)
                await boss.ok({"type": "start"})  # the alarm: minute 0
                clock.at(1.5)
                await wang.stamp("2")
                clock.at(2)
                await wang.stamp("a")
                clock.at(3)
                await wang.stamp("3", note="119 接警员确认")
                clock.at(7.5)
                await zhang.stamp("b")
                everyone = (boss, wang, zhang, warden)
                for p in everyone:  # a late report, live, on every screen
                    await p.seen(
                        lambda p: p.live and row(p.live, "dept_head_report_up")["status"] == "late"
                    )
                    assert row(p.live, "dept_head_report_up")["late_by_min"] == 0.5
                clock.at(10)
                await zhang.stamp("5")
                for i, person in enumerate(present[:-2]):
                    clock.at(11 + i / 200)
                    await warden.checkin(person.number)
                clock.at(12)
                await zhang.stamp("c")
                clock.at(18)
                await warden.ok(
                    {
                        "type": "drill",
                        "do": "visitor",
                        "name": "Smith",
                        "category": "contractor",
                        "company": "ACME 消防维保",
                    }
                )
                clock.at(22)
                await warden.checkin(present[-2].number)
                for p in everyone:  # the missing list: only the one not yet found
                    await p.seen(lambda p: p.live["headcount"]["missing"] == [present[-1].number])
                    assert p.clock["now"] == 22.0 and p.live["headcount"]["closed_at"] is None
                clock.at(23)
                for p in everyone:  # the clock moves on by itself: missed, live
                    await p.seen(lambda p: row(p.live, "direct_on_site")["status"] == "missed")
                clock.at(24)
                await warden.ok({"type": "drill", "do": "close", "note": "最后见到在仓库办公室"})
                clock.at(30)
                await boss.ok({"type": "end"})
                for p in everyone:
                    await p.seen(lambda p: p.clock.get("finished"))
                return [p.events for p in everyone], boss.live, j
        finally:
            await served.stop()

    seen, live, join = asyncio.run(drill())
    events = read_log(log)
    for mine in seen:  # every client holds the whole log, as written
        assert [e["seq"] for e in mine] == [e["seq"] for e in events]
    result = score(plan(), events)
    v = _by_id(result)
    got = {
        k: (e["status"], e["triggered_at"], e["deadline_at"], e["done_at"]) for k, e in v.items()
    }
    assert got == EXPECTED
    hc = result["drill"]["headcount"]
    assert hc["missing"] == [present[-1].number] and hc["closed_at"] == 24.0
    assert live["headcount"]["closed_at"] == 24.0
    stamps = {e["milestone"]: e["by"] for e in events if e["type"] == "stamp"}
    assert stamps["alarm_raised"] == "EHS 陈"
    assert {stamps[m] for m in ("evacuation_started", "called_119")} == {"王工"}
    assert stamps["assembly_reached"] == "张工"
    assert stamps["headcount_complete"] == "李四"
    assert result["drill"]["people"] == {
        "evaluators": ["EHS 陈", "张工", "王工"],
        "wardens": ["李四"],
    }
    tokens = [join["facilitator"], join["evaluator"], join["warden"], *join["evaluators"].values()]
    text = log.read_text(encoding="utf-8")
    assert not any(t in text for t in tokens)  # people, never tokens


def test_a_token_records_only_as_itself_and_only_its_post(tmp_path):
    log = tmp_path / "drill.jsonl"
    clock = FakeClock()

    async def drill():
        served = await ServedDrill.start(log, clock)
        j = served.join
        try:
            async with aiohttp.ClientSession() as http:
                async with (
                    Raw(http, served.url) as shared,
                    Raw(http, served.url) as wang,
                    Raw(http, served.url) as other,
                    Raw(http, served.url) as warden,
                    Raw(http, served.url) as boss,
                ):
                    # the shared evaluator token needs a name; a personal one is its own person
                    await shared.send({"type": "hello", "token": j["evaluator"]})
                    err = await shared.until("error")
                    assert err["fatal"] and "name" in err["message"]
                    await wang.send({"type": "hello", "token": j["evaluators"]["王工"]})
                    assert (await wang.until("welcome"))["by"] == "王工"
                    await other.send(
                        {"type": "hello", "token": j["evaluators"]["赵工"], "name": "王工"}
                    )
                    assert (await other.until("error"))["key"] == "err_as_other"
                    await warden.hello(j["warden"])
                    await boss.hello(j["facilitator"])
                    stamp = {"type": "drill", "do": "stamp", "milestone": "1"}
                    reply = await wang.ask(stamp, 1)
                    assert reply["key"] == "err_alarm_by_facilitator"
                    assert (await boss.ask({"type": "start"}, 1))["type"] == "ok"
                    clock.at(1)
                    reply = await wang.ask({**stamp, "milestone": "2", "by": "赵工"}, 2)
                    assert reply["type"] == "error" and reply["key"] == "err_as_other"
                    reply = await warden.ask({**stamp, "milestone": "2"}, 2)
                    assert reply["key"] == "err_not_your_post"
                    number = _present()[0].number
                    checkin = {"type": "drill", "do": "checkin", "number": number}
                    assert (await wang.ask(checkin, 3))["key"] == "err_not_your_post"
                    assert (await wang.ask({"type": "end"}, 4))["key"] == "err_not_your_post"
                    reply = await wang.ask({"type": "act", "do": "task", "task": "x"}, 5)
                    assert reply["key"] == "err_not_in_drill"
                    reply = await wang.ask({**stamp, "milestone": "2", "by": "王工"}, 6)
                    assert reply["type"] == "ok" and reply["event"]["by"] == "王工"
                    reply = await wang.ask({**stamp, "milestone": "2"}, 7)
                    assert reply["key"] == "err_already_stamped"
                    assert (await warden.ask(checkin, 3))["event"]["by"] == "warden"
        finally:
            await served.stop()

    asyncio.run(drill())
    events = read_log(log)
    assert [(e["milestone"], e["by"]) for e in events if e["type"] == "stamp"] == [
        ("alarm_raised", "facilitator"),
        ("evacuation_started", "王工"),
    ]
    assert [e["by"] for e in events if e["type"] == "checkin"] == ["warden"]


def test_kill_9_of_the_drill_server_then_resume_loses_no_stamp(tmp_path):
    """A real `drillsim serve --live` on the wall clock, killed mid-drill; `serve --resume`
    continues the log; the clients come back by themselves and carry on."""
    log = tmp_path / "drill.jsonl"
    jfile = tmp_path / "drill.jsonl.join.json"
    present = _present()
    server = _spawn(
        [
            "serve",
            "warehouse_fire_drill",
            "--live",
            "--roster",
            str(ROSTER),
            "--evaluator",
            "王工",
            "--log",
            log.name,
            "--port",
            "0",
        ],
        tmp_path,
        "serve1",
    )
    procs = [server]

    async def drill():
        _wait_file(jfile, server)
        join = json.loads(jfile.read_text())
        url = join["url"]
        async with (
            Person(url, join["facilitator"]) as boss,
            Person(url, join["evaluators"]["王工"]) as wang,
            Person(url, join["evaluator"], name="张工") as zhang,
            Person(url, join["warden"]) as warden,
        ):
            acked = [(await boss.ok({"type": "start"}))["event"]]
            acked.append(await wang.stamp("2"))
            acked.append(await zhang.stamp("a", note="电话通知"))
            for p in present[:3]:
                acked.append(await warden.checkin(p.number))
            await wang.seen(lambda w: len(w.events) >= acked[-1]["seq"] + 1)
            os.kill(server.pid, signal.SIGKILL)
            server.wait(10)
            with open(log, "ab") as f:  # the crash cut a line in half
                f.write(b'{"seq":999,"t":0.5,"type":"chec')
            await asyncio.sleep(0.5)  # the clients are reconnecting, in vain, for now
            procs.append(_spawn(["serve", "--resume", log.name], tmp_path, "serve2"))
            acked.append(await zhang.stamp("5"))  # sent once the server is back
            acked.append(await warden.checkin(present[3].number))
            reply = await wang.ask({"type": "drill", "do": "stamp", "milestone": "2"})
            assert reply["key"] == "err_already_stamped"  # the resumed drill knows it
            await boss.ok({"type": "end"})
            for p in (boss, wang, zhang, warden):
                await p.seen(lambda p: p.clock.get("finished"))
            return acked, [p.events for p in (boss, wang, zhang, warden)]

    try:
        acked, seen = asyncio.run(drill())
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
    assert "resumed" in (tmp_path / "serve2.out").read_text()
    events = read_log(log)
    assert (tmp_path / "drill.jsonl.torn").read_bytes().startswith(b'{"seq":999')
    by_seq = {e["seq"]: e for e in events}
    for ev in acked:  # every acknowledged stamp and check-in is in the log as acknowledged
        assert by_seq[ev["seq"]] == ev
    assert [e["type"] for e in events].count("session.resumed") == 1
    for mine in seen:  # nothing lost, nothing twice, on any client
        assert [e["seq"] for e in mine] == [e["seq"] for e in events]
    assert [e["seq"] for e in events] == list(range(len(events)))
    assert same_log(replay_drill(events).events, events)
    result = score(plan(), events)
    assert result["drill"]["headcount"]["accounted"] == 4
    assert {e["by"] for e in events if e["type"] == "stamp"} == {"facilitator", "王工", "张工"}
    assert main(["score", "--verify", str(log)]) == 0  # chain intact across the resume


def test_serve_live_refuses_what_is_not_a_drill(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    roster_arg = ["--roster", str(ROSTER)]
    assert main(["serve", "warehouse_fire", "--live", *roster_arg]) == 2
    assert "is not set up as a live drill" in capsys.readouterr().err
    assert main(["serve", "warehouse_fire_drill", "--live"]) == 2
    assert "--roster FILE is needed" in capsys.readouterr().err
    assert main(["serve", "payment_outage", *roster_arg]) == 2
    assert "are for a live drill (--live)" in capsys.readouterr().err
    assert main(["serve", "warehouse_fire_drill", "--live", *roster_arg, "--seed", "3"]) == 2
    assert "no seed or mode" in capsys.readouterr().err
    assert main(["serve", "warehouse_fire_drill", "--live", *roster_arg, "--force"]) == 2
    assert "never overwritten" in capsys.readouterr().err
    (tmp_path / "d.jsonl").write_text("", encoding="utf-8")
    assert main(["serve", "warehouse_fire_drill", "--live", *roster_arg, "--log", "d.jsonl"]) == 2
    assert "d.jsonl exists" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.join.json"))
