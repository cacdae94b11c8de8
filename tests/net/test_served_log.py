"""The served log is written by the one log writer (simulator.eventlog): locked, chained, and
continued on resume only when its chain holds."""

from __future__ import annotations

import pytest

from drillsim.net.room import Room
from drillsim.net.views import FACILITATOR, Who
from drillsim.simulator.errors import InputError
from drillsim.simulator.eventlog import read_log
from drillsim.simulator.loader import load_plan


def _room(log, **kw) -> Room:
    return Room(load_plan("payment_outage"), seed=1, mode="exercise", log_path=log, **kw)


def _played(log) -> None:
    room = _room(log)
    room.join(Who(FACILITATOR))
    room.start()
    room._advance(30.0)
    room.drain()
    room.close()


def test_a_second_room_on_the_same_log_is_refused_while_the_first_holds_it(tmp_path):
    log = tmp_path / "s.jsonl"
    first = _room(log)
    try:
        with pytest.raises(InputError, match="being written by another drillsim"):
            _room(log, force=True)
    finally:
        first.close()
    assert not log.exists()  # never started: nothing recorded, nothing left behind
    with pytest.raises(InputError, match="exists already"):
        log.write_text("mine\n")
        _room(log)
    assert log.read_text() == "mine\n"


def test_the_log_is_chained_from_its_header_and_session_records_are_kept(tmp_path):
    log = tmp_path / "s.jsonl"
    _played(log)
    events, chain = read_log(log)
    assert chain.intact and not chain.torn
    assert events[0]["type"] == "start"
    assert [e["what"] for e in events if e["type"] == "session"][:2] == ["opened", "joined"]


def test_resume_continues_the_chain_and_refuses_a_changed_or_unchained_log(tmp_path):
    log = tmp_path / "s.jsonl"
    _played(log)
    before = len(read_log(log)[0])
    room = Room.resume(log)
    assert room.now == 30.0
    room._advance(40.0)
    room.drain()
    room.close()
    events, chain = read_log(log)
    assert chain.intact and len(events) > before
    assert events[before]["type"] == "session" and events[before]["what"] == "resumed"
    assert max(e["t"] for e in events) > 30.0  # the engine's events after the resume, chained

    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    edited = tmp_path / "edited.jsonl"
    edited.write_text("".join(lines[:5] + [lines[5].replace('"t":', '"t":1', 1)] + lines[6:]))
    with pytest.raises(InputError) as exc:
        Room.resume(edited)
    assert exc.value.problems[0].line == 6
    assert "cannot be continued" in exc.value.problems[0].message

    unchained = tmp_path / "old.jsonl"
    unchained.write_text("".join(line.split(',"h":')[0] + "}\n" for line in lines))
    with pytest.raises(InputError, match="no hash chain"):
        Room.resume(unchained)


def test_a_batch_is_fsynced_once_and_a_tick_that_wrote_nothing_is_not(tmp_path, monkeypatch):
    from drillsim.simulator import eventlog

    calls: list[int] = []
    real = eventlog.os.fsync
    monkeypatch.setattr(eventlog.os, "fsync", lambda fd: (calls.append(fd), real(fd)))
    room = _room(tmp_path / "s.jsonl")
    room.start()
    room.drain()
    assert len(calls) == 1  # the header and the first events: one fsync for the batch
    room.drain()
    room.drain()
    assert len(calls) == 1  # nothing new: no fsync
    room._advance(30.0)
    room.drain()
    assert len(calls) == 2
    room.close()


def test_the_moving_clock_alone_is_sent_at_most_every_fifth_of_a_second():
    from drillsim.net.server import CLOCK_EVERY_S, Conn, SessionServer

    due = SessionServer._clock_due
    running = {"now": 1.0, "running": True, "speed": 60.0, "run_to": None, "started": True}
    conn = Conn(None, Who(FACILITATOR), "console", lambda ev: True)
    conn.clock, conn.clock_at = running, 100.0
    assert not due(conn, running, 100.0)  # nothing changed
    moved = {**running, "now": 1.05}
    assert not due(conn, moved, 100.0 + CLOCK_EVERY_S / 2)
    assert due(conn, moved, 100.0 + CLOCK_EVERY_S)
    assert due(conn, {**moved, "running": False}, 100.01)  # paused: at once
    assert due(conn, {**moved, "speed": 30.0}, 100.01)  # another speed: at once
    stopped = {**running, "running": False}
    conn.clock = stopped
    assert due(conn, {**stopped, "now": 2.0}, 100.01)  # a step of a stopped clock: at once


def test_serve_refuses_an_existing_log_or_join_file_and_names_resume(tmp_path, monkeypatch, capsys):
    from drillsim.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.jsonl").write_text("mine\n", encoding="utf-8")
    assert main(["serve", "payment_outage", "--log", "s.jsonl"]) == 2
    assert "s.jsonl exists" in capsys.readouterr().err
    assert (tmp_path / "s.jsonl").read_text(encoding="utf-8") == "mine\n"
    (tmp_path / "t.jsonl.join.json").write_text("{}", encoding="utf-8")
    assert main(["serve", "payment_outage", "--log", "t.jsonl"]) == 2
    err = capsys.readouterr().err
    assert "t.jsonl.join.json exists" in err and "drillsim serve --resume t.jsonl" in err
    assert not (tmp_path / "t.jsonl").exists()
