"""Logs are never clobbered, have one writer, and show tampering: the hash chain names the first
bad line, re-simulation says what the events should be, each kind of edit has its exit status."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from drillsim.cli import main
from drillsim.scoring.integrity import (
    HEADER_EDITED,
    LINE_EDITED,
    LINES_MISSING,
    NO_CHAIN,
    OK,
    RESIMULATION_DIFFERS,
)
from drillsim.simulator.errors import InputError
from drillsim.simulator.eventlog import LogWriter, link, read_log
from drillsim.simulator.loader import SCENARIOS_DIR


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    path = tmp_path_factory.mktemp("log") / "run.jsonl"
    assert main(["run", "payment_outage", "--seed", "3", "--log", str(path)]) == 0
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def write(tmp_path, lines, name="t.jsonl"):
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def verify(capsys, path) -> tuple[int, str]:
    code = main(["score", "--verify", str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


def index_of(lines, needle) -> int:
    return next(i for i, line in enumerate(lines) if needle in line)


def test_every_line_carries_the_hash_of_the_chain(recorded):
    prev = ""
    for line in recorded:
        ev = json.loads(line)
        body = line.rstrip("\n")
        body = body[: body.index(',"h":"')] + "}"
        assert ev["h"] == link(prev, body)
        prev = ev["h"]
    assert list(json.loads(recorded[-1]))[-1] == "h"  # the last field, after the event's own


def test_an_untouched_log_verifies(tmp_path, capsys, recorded):
    code, out = verify(capsys, write(tmp_path, recorded))
    assert code == OK
    assert f"hash chain intact ({len(recorded)} lines)" in out
    assert "re-simulation from seed 3 and the recorded actions gives the same events" in out


def test_an_edited_time_is_caught(tmp_path, capsys, recorded):
    lines = list(recorded)
    i = index_of(lines, '"type":"task"')
    lines[i] = re.sub(r'"t":[0-9.]+', '"t":1.5', lines[i], count=1)
    code, out = verify(capsys, write(tmp_path, lines))
    assert code == LINE_EDITED
    assert f"hash chain broken at line {i + 1}: the line was edited" in out
    assert f"re-simulation differs at line {i + 1} (task): `t` is 1.5 in the log" in out


def test_an_edited_deadline_is_caught(tmp_path, capsys, recorded):
    lines = list(recorded)
    i = index_of(lines, '"deadline_at"')
    lines[i] = re.sub(r'"deadline_at":[0-9.]+', '"deadline_at":999.0', lines[i], count=1)
    code, out = verify(capsys, write(tmp_path, lines))
    assert code == LINE_EDITED
    assert f"line {i + 1} (due): `deadline_at` is 999.0 in the log" in out
    # and plain `score` warns that the verdicts rest on a broken chain
    assert main(["score", str(tmp_path / "t.jsonl")]) == 0
    assert f"hash chain broken at line {i + 1}" in capsys.readouterr().err


def test_an_edited_seed_is_caught(tmp_path, capsys, recorded):
    lines = list(recorded)
    lines[0] = lines[0].replace('"seed":3', '"seed":4')
    code, out = verify(capsys, write(tmp_path, lines))
    assert code == HEADER_EDITED
    assert "hash chain broken at line 1: the start header (seed, scenario, players, files)" in out
    assert "re-simulation differs at line" in out


def test_a_deleted_line_is_caught(tmp_path, capsys, recorded):
    lines = list(recorded)
    del lines[20]
    code, out = verify(capsys, write(tmp_path, lines))
    assert code == LINES_MISSING
    assert "hash chain broken at line 21: line(s) before it were deleted" in out


def test_a_rechained_forgery_is_caught_by_resimulation(tmp_path, capsys, recorded):
    events = [json.loads(line) for line in recorded]
    for ev in events:
        ev.pop("h")
    i = next(i for i, ev in enumerate(events) if ev["type"] == "task")
    events[i]["t"] = 1.25
    path = tmp_path / "forged.jsonl"
    writer = LogWriter(path)
    for ev in events:
        writer.write(ev)
    writer.close()
    code, out = verify(capsys, path)
    assert code == RESIMULATION_DIFFERS
    assert "hash chain intact" in out and f"re-simulation differs at line {i + 1}" in out


def test_a_log_without_a_chain(tmp_path, capsys, recorded):
    lines = [re.sub(r',"h":"[0-9a-f]{64}"', "", line) for line in recorded]
    code, out = verify(capsys, write(tmp_path, lines))
    assert code == NO_CHAIN
    assert "no hash chain" in out and "gives the same events" in out


def test_a_torn_last_line_is_tolerated_and_reported(tmp_path, capsys, recorded):
    lines = [*recorded[:-1], recorded[-1][:25]]
    code, out = verify(capsys, write(tmp_path, lines))
    assert code == OK
    assert "the last line was torn (a crash mid-write) and is left out" in out
    assert "no `end` event" in out
    assert "gives the same events" in out  # as far as the log goes
    events, chain = read_log(tmp_path / "t.jsonl")
    assert chain.torn and chain.intact and len(events) == len(recorded) - 1


@pytest.mark.parametrize(
    "content, message",
    [
        ("\ufeff\x00\x01binary".encode("utf-16"), "1:1: not UTF-8 text: not a drillsim log"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "1:1: not UTF-8 text"),
        (b'{"seq":0,"t":0,"type":"start"}\n\x00\x00\x00\n{"seq":1}\n', "2:1: bad log line"),
    ],
)
def test_binary_and_utf16_logs_get_a_line_and_column(tmp_path, capsys, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    for command in (["score", str(path)], ["report", str(path)], ["score", "--verify", str(path)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert f"{path}:{message}" in err, (command, err)
        assert "internal error" not in err
    other = tmp_path / "bad.json"  # the report also takes replication results: same message
    other.write_bytes(content)
    assert main(["report", str(other)]) == 2
    assert "internal error" not in capsys.readouterr().err


def test_a_log_is_not_overwritten_without_force(tmp_path, capsys):
    log = tmp_path / "drill.jsonl"
    log.write_text("the record of an earlier exercise\n")
    assert main(["run", "payment_outage", "--log", str(log)]) == 2
    assert "exists already; choose another name, or add --force" in capsys.readouterr().err
    assert log.read_text() == "the record of an earlier exercise\n"
    assert main(["run", "payment_outage", "--log", str(log), "--force"]) == 0
    assert read_log(log)[1].intact


def test_a_command_never_writes_over_its_own_input(tmp_path, capsys):
    scenario = tmp_path / "payment_outage.yaml"
    shutil.copy(SCENARIOS_DIR / "payment_outage.yaml", scenario)
    before = scenario.read_bytes()
    for command in (
        ["run", str(scenario), "--log", str(scenario), "--force"],
        ["msel", "export", str(scenario), "-o", str(scenario), "--force"],
    ):
        assert main(command) == 2
        assert "is an input of this command" in capsys.readouterr().err
    csv = tmp_path / "msel.csv"
    assert main(["msel", "export", "payment_outage", "-o", str(csv)]) == 0
    csv_before = csv.read_bytes()
    assert main(["msel", "import", str(csv), "-o", str(csv), "--force"]) == 2
    assert "is an input of this command" in capsys.readouterr().err
    assert csv.read_bytes() == csv_before and scenario.read_bytes() == before
    own = tmp_path / "own.jsonl"  # a report never over the files its log's run read
    assert main(["run", str(scenario), "--log", str(own)]) == 0
    assert main(["report", str(own), "-o", str(scenario), "--force"]) == 2
    assert "is an input of this command" in capsys.readouterr().err
    assert scenario.read_bytes() == before
    log = tmp_path / "run.jsonl"
    assert main(["run", "payment_outage", "--log", str(log)]) == 0
    assert main(["report", str(log), "-o", str(log), "--force"]) == 2
    assert "is an input of this command" in capsys.readouterr().err
    assert main(["report", str(log), "-o", str(tmp_path / "aar.md")]) == 0
    assert "hash chain" not in capsys.readouterr().err  # an intact log gets no warning
    assert main(["report", str(log), "-o", str(tmp_path / "aar.md")]) == 2
    assert "exists already" in capsys.readouterr().err


def test_one_log_has_one_writer(tmp_path):
    path = tmp_path / "shared.jsonl"
    first = LogWriter(path)
    first.write({"seq": 0, "t": 0.0, "type": "start"})
    with pytest.raises(InputError) as exc:
        LogWriter(path, force=True)  # a second console given the same --log
    assert "is being written by another drillsim (the log is locked)" in str(exc.value)
    first.write({"seq": 1, "t": 1.0, "type": "end"})
    first.close()
    assert [e["seq"] for e in read_log(path)[0]] == [0, 1]  # the first writer's log is whole
    again = LogWriter(path, force=True)  # once it is closed, --force may take it over
    again.close()


def test_seed_must_not_be_negative(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "payment_outage", "--seed", "-1"])
    assert exc.value.code == 2
    assert "argument --seed: must be 0 or more" in capsys.readouterr().err


def test_the_ratings_file_is_never_overwritten_without_force_nor_an_input(tmp_path):
    from drillsim.net.room import Room
    from drillsim.simulator.loader import load_plan
    from drillsim.tui.exercise import Exercise

    plan = load_plan("payment_outage")
    log = tmp_path / "ex.jsonl"
    ratings = tmp_path / "ex.ratings.yaml"
    ratings.write_text("an earlier exercise's ratings\n")
    for start in (
        lambda force: Exercise(plan, ["duty_supervisor"], log_path=log, force=force),  # play
        lambda force: Room(plan, seed=1, mode="exercise", log_path=log, force=force),  # serve
    ):
        with pytest.raises(InputError, match="exists already"):
            start(False)
        assert not log.exists() and ratings.read_text() == "an earlier exercise's ratings\n"
    holder = LogWriter(log)  # another console is writing this log: --force takes nothing
    with pytest.raises(InputError, match="being written by another drillsim"):
        Exercise(plan, ["duty_supervisor"], log_path=log, force=True)
    assert ratings.exists()
    holder.close()
    ex = Exercise(plan, ["duty_supervisor"], log_path=log, force=True)
    assert not ratings.exists()  # the old exercise's ratings are not read as this one's
    ex.evaluation.note("strengths", "calm")
    assert "calm" in ratings.read_text(encoding="utf-8")
    ex.session.finish()
    # a ratings file that would be one of the plan's own files is refused, --force or not
    own = tmp_path / "own.yaml"
    shutil.copy(SCENARIOS_DIR / "payment_outage.yaml", own)
    mine = load_plan(str(tmp_path / "own.yaml"))
    own_ratings = tmp_path / "own.ratings.yaml"
    shutil.copy(own, own_ratings)
    mine.files.append(str(own_ratings))  # as if the plan had read it (a variant of that name)
    with pytest.raises(InputError, match="is an input of this command"):
        Exercise(mine, [], log_path=tmp_path / "own.jsonl", force=True)
    assert own_ratings.read_bytes() == own.read_bytes()


def test_montecarlo_outputs_are_not_overwritten_nor_an_input(tmp_path, capsys):
    scenario = tmp_path / "po.yaml"
    shutil.copy(SCENARIOS_DIR / "payment_outage.yaml", scenario)
    before = scenario.read_bytes()
    base = ["montecarlo", str(scenario), "-n", "2", "--workers", "1", "--quiet"]
    for flag in ("--csv", "--records"):
        assert main([*base, flag, str(scenario), "--force"]) == 2
        assert "is an input of this command" in capsys.readouterr().err
        assert scenario.read_bytes() == before
    records = tmp_path / "r.csv"
    records.write_text("earlier\n")
    assert main([*base, "--records", str(records)]) == 2
    assert "exists already" in capsys.readouterr().err and records.read_text() == "earlier\n"
    assert main([*base, "--records", str(records), "--force"]) == 0
    assert records.read_text(encoding="utf-8-sig") != "earlier\n"
