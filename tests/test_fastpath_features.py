"""The fast path's features one at a time, each on a small plan written here, replication by
replication against the engine (the shipped scenarios are in test_fastpath.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from drillsim.simulator import fastpath, fastpath_replay, fastpath_updates, replications
from drillsim.simulator.replications import STATUS, plan_for, run_batch

PROCEDURE = """\
id: tiny
title: tiny
source: written for the test
roles:
  desk:
    name: desk
    reaction: {dist: lognormal, median: 2, p90: 6}
    errors: {forget: 0.02, wrong_channel: 0.05, misgrade: 0.2}
  head: {name: head, reaction: {dist: lognormal, median: 3, p90: 8}}
  ops: {name: ops, reaction: {dist: lognormal, median: 2, p90: 5}}
channels:
  phone: {name: phone, latency: {dist: uniform, low: 0.2, high: 1.0}, failure: 0.05}
  oa:
    name: oa
    latency: {dist: uniform, low: 0.5, high: 2.0}
    failure: 0.01
    alternatives: [email]
  email: {name: email, latency: {dist: uniform, low: 1.0, high: 3.0}, failure: 0.01}
  chat:
    name: chat
    latency: {dist: uniform, low: 0.1, high: 0.5}
    failure: 0.01
    alternatives: [phone]
GRADING
attributes:
  outage_min: {description: minutes down}
  loud: {type: flag, default: false, description: loud}
tasks:
  fix:
    name: fix
    work: {dist: triangular, low: 5, mode: 20, high: 60}
    success: 0.8
    effects: {restore: [core]}
services:
  core: {name: core, rto_min: 60}
obligations:
  tell_head:
    clause: "t 1"
    title: tell the head by phone and in writing
    role: desk
    trigger: "reached('desk')"
    action: {do: report, to: [head], via: [phone, oa], via_mode: all}
    deadline_min: 10
  tell_ops:
    clause: "t 2"
    title: tell ops in writing
    role: desk
    trigger: "reached('desk')"
    action: {do: report, to: [ops], via: [oa]}
    deadline_min: 10
  fix_it:
    clause: "t 3"
    title: fix it
    role: ops
    trigger: "reached('ops')"
    action: {do: task, task: fix}
    deadline_min: 60
  head_ack:
    clause: "t 4"
    title: the head answers
    role: head
    trigger: "TRIGGER_ACK"
    action: {do: report, to: [desk], via: [chat]}
    deadline_min: 15
MORE"""

SCENARIO = """\
id: tiny_run
title: tiny run
procedures: [tiny]
duration_min: 180
incidents:
  main: {title: main}
timeline:
  - {at: 0, down: [core]}
EXTRA_TIMELINE
injects:
  alert: {at: 0, to: [desk], text: alert}
EXTRA
"""


def tiny(
    tmp_path: Path,
    extra: str = "",
    timeline: str = "",
    ack: str = "done('tell_head')",
    grading: str = "",
    more: str = "",
    replace: tuple = (),
) -> str:
    """A small plan: a desk reports to the head (phone and OA, OA falling back to e-mail) and to
    ops (OA), ops fixes the service, the head answers by chat; `extra` adds to the scenario,
    `grading` and `more` (obligations) to the procedure, `replace` (old, new) edits it."""
    (tmp_path / "procedures").mkdir(exist_ok=True)
    text = PROCEDURE.replace("TRIGGER_ACK", ack).replace("GRADING\n", grading)
    text = text.replace("MORE", more)
    for old, new in replace:
        assert old in text
        text = text.replace(old, new)
    (tmp_path / "procedures" / "tiny.yaml").write_text(text, encoding="utf-8")
    path = tmp_path / "tiny_run.yaml"
    text = SCENARIO.replace("EXTRA_TIMELINE\n", timeline).replace("EXTRA\n", extra)
    path.write_text(text, encoding="utf-8")
    return str(path)


def _rows(duties: dict, rep: int, names: list[str]) -> list:
    rows = np.flatnonzero(duties["rep"] == rep)
    return sorted(
        (
            names[duties["ob"][k]],
            int(duties["n"][k]),
            STATUS[duties["status"][k]],
            *(round(float(duties[c][k]), 6) for c in ("triggered", "deadline", "done", "met")),
        )
        for k in rows
    )


def same_as_the_engine(scenario: str, n: int = 300) -> dict:
    """Replications 100 … 100+n-1 both ways, row by row; the engine's rows per replication."""
    model = fastpath.check(plan_for(scenario, ()))
    fast = fastpath.compute(model, 7, 100, n)
    engine = run_batch(scenario, (), 7, 100, n)
    names = engine.layout.obligations
    out = {}
    for rep in range(100, 100 + n):
        mine, real = _rows(fast.rows, rep, names), _rows(engine.duties, rep, names)
        assert len(mine) == len(real), (rep, mine, real)
        for got, want in zip(mine, real):
            assert got[:3] == want[:3], (rep, got, want)
            assert np.allclose(got[3:], want[3:], atol=1e-9, equal_nan=True), (rep, got, want)
        out[rep] = real
    assert (fast.events == engine.events).all(), np.flatnonzero(fast.events != engine.events)
    assert (fast.true_level == engine.true_level).all()
    for k in engine.svc:
        assert np.allclose(fast.svc[k], engine.svc[k], equal_nan=True), k
    return out


def test_the_tiny_plan_without_the_new_features(tmp_path):
    rows = same_as_the_engine(tiny(tmp_path))
    assert sum(any(r[0] == "fix_it" and r[2] == "hit" for r in rows[k]) for k in rows) > 100


def test_a_channel_outage(tmp_path):
    """OA is down from minute 0 to 15: a written report sent meanwhile fails on arrival and goes
    by e-mail (its alternative); one sent after the outage goes by OA. The desk's report to ops
    by OA alone is tried three times (OA, e-mail, OA), so a slow desk reaches ops by OA again."""
    path = tiny(tmp_path, extra="outages:\n  - {channel: oa, from: 0, until: 15}\n")
    rows = same_as_the_engine(path)
    done = [r for rs in rows.values() for r in rs if r[0] == "tell_head" and r[2] == "hit"]
    assert len(done) > 200  # e-mail instead of OA, mostly on time


def test_received_a_part_of_a_report(tmp_path):
    """The head answers when the first part of the desk's report (phone or the written one)
    has reached him (`received`), not when both have (`done`): 000 §二(二)1's reading of the
    level-1 report, where operations' 10 minutes count from its first receipt."""
    path = tiny(
        tmp_path,
        ack="received('tell_head')",
        extra="outages:\n  - {channel: oa, from: 0, until: 15}\n",
    )
    rows = same_as_the_engine(path)
    before = 0
    for rs in rows.values():
        r = {x[0]: x for x in rs}
        if "head_ack" in r and not np.isnan(r["tell_head"][6]):
            before += r["head_ack"][3] < r["tell_head"][6] - 1e-9  # before the last part came
    assert before > 100


def test_timeline_steps_with_unless_and_service_conditions(tmp_path):
    """The outage's length grows at minutes 20 and 30 unless ops have restored the service by
    then (payment_outage's timeline); the head answers only while the service is down and has
    been for 30 minutes. Ops restore it before minute 30 in some replications, not in others."""
    steps = (
        "  - {at: 20, set: {outage_min: 20}, unless: \"restored('core')\"}\n"
        "  - {at: 30, set: {outage_min: 30}, unless: \"restored('core')\"}\n"
        "  - {at: 45, set: {loud: true}, unless: \"down('core')\"}\n"
    )
    path = tiny(
        tmp_path,
        timeline=steps,
        ack="reached('head') and (outage_min >= 30 and down('core') or loud)",
    )
    rows = same_as_the_engine(path)
    acks = [r for rs in rows.values() for r in rs if r[0] == "head_ack"]
    fixed = [r for rs in rows.values() for r in rs if r[0] == "fix_it" and r[5] < 30]
    assert len(acks) > 250 and fixed  # both branches taken
    assert {r[3] for r in acks} >= {30.0, 45.0}


GRADING = """\
grading:
  kind: rules
  default: 3
  levels: {1: one, 2: two, 3: three}
  rules:
    - {level: 1, when: "outage_min >= 30", clause: "t 0"}
    - {level: 2, when: "outage_min >= 10", clause: "t 0"}
"""
MARK = """\
  mark:
    clause: "t 5"
    title: grade the event
    role: desk
    trigger: "reached('desk')"
    action: {do: grade}
    deadline_min: 10
"""


def test_bots_act_on_the_declared_level(tmp_path):
    """The desk grades the event (misgrading it one step off in a fifth of the runs) and reports
    to ops once it is level 2 or worse: the duty falls due on the level the rules give (minute
    10), the desk's bot takes it up on the level it declared, so a desk that declared level 2 at
    once writes before the duty fell due (which does not meet it), and one that declared level 3
    never writes. The head answers the desk's report while the event is level 3: his bot only
    where level 3 was declared. Replication by replication, with the final declared level."""
    path = tiny(
        tmp_path,
        ack="level == 3 and done('tell_head')",
        grading=GRADING,
        more=MARK,
        replace=(
            (
                "trigger: \"reached('desk')\"\n    action: {do: report, to: [ops]",
                "trigger: \"level <= 2 and reached('desk')\"\n    action: {do: report, to: [ops]",
            ),
        ),
        timeline="  - {at: 10, set: {outage_min: 10}}\n  - {at: 30, set: {outage_min: 30}}\n",
    )
    rows = same_as_the_engine(path)
    tell = [r for rs in rows.values() for r in rs if r[0] == "tell_ops"]
    assert len(tell) == 300 and {r[3] for r in tell} == {10.0}
    # declared 3 (never writes) or 2 at once (writes before it fell due)
    assert sum(r[2] == "missed" for r in tell) > 270
    ack = [r[2] for rs in rows.values() for r in rs if r[0] == "head_ack"]
    assert ack.count("hit") > 100 and 20 < ack.count("missed") < 150
    model = fastpath.check(plan_for(path, ()))
    fast = fastpath.compute(model, 7, 100, 300)
    engine = run_batch(path, (), 7, 100, 300)
    assert (fast.declared == engine.declared).all()
    assert set(engine.declared.ravel().tolist()) >= {0, 2, 3}


REGRADE = """\
  regrade:
    clause: "t 6"
    title: regrade when the event escalates
    role: desk
    trigger: "declared != 0 and level < declared"
    retrigger: true
    retrigger_on: level
    action: {do: grade}
    deadline_min: 10
"""


def test_a_regrade_on_each_escalation(tmp_path):
    """payment_outage's regrade (000 §二(一)2(3)): level 3, 2 from minute 10, 1 from minute 30;
    the desk regrades within 10 minutes of each escalation above what it declared, again after
    a regrade that was too mild only when the event escalates further, its draws keyed by the
    level it answers. Replication by replication, occurrence by occurrence."""
    path = tiny(
        tmp_path,
        grading=GRADING,
        more=MARK + REGRADE,
        ack="level == 3 and done('tell_head')",
        timeline="  - {at: 10, set: {outage_min: 10}}\n  - {at: 30, set: {outage_min: 30}}\n",
    )
    rows = same_as_the_engine(path)
    counts = [sum(r[0] == "regrade" for r in rs) for rs in rows.values()]
    assert counts.count(2) > 150 and counts.count(1) + counts.count(3) > 10
    due = {r[3] for rs in rows.values() for r in rs if r[0] == "regrade"}
    assert {10.0, 30.0} <= due


def updates_plan(
    tmp_path: Path,
    errors: str = "wrong_channel: 0.05",
    chat_failure: float = 0.01,
    members: int = 2,
    deadline: int = 20,
    until: str | None = "loud",
) -> str:
    """The tiny plan with a group that posts progress to the desk and the head by chat every 20
    minutes until the event is loud (a timeline step at minute 100); its errors, the chat's
    failure rate, its members, the first update's deadline and `until` as given."""
    chat = "  chat:\n    name: chat\n    latency: {dist: uniform, low: 0.1, high: 0.5}\n"
    return tiny(
        tmp_path,
        replace=(
            (
                "roles:\n",
                f"roles:\n  group:\n    name: group\n    members: {members}\n"
                "    reaction: {dist: lognormal, median: 2, p90: 5}\n"
                f"    errors: {{{errors}}}\n",
            ),
            (chat + "    failure: 0.01\n", chat + f"    failure: {chat_failure}\n"),
        ),
        more=(
            '  updates:\n    clause: "t 8"\n    title: progress every 20 minutes\n'
            "    role: group\n    trigger: \"injected('alert')\"\n"
            "    action: {do: report, to: [desk, head], via: [chat]}\n"
            f"    deadline_min: {deadline}\n    every_min: 20\n"
            + (f"    until: {until}\n" if until else "")
        ),
        timeline="  - {at: 100, set: {loud: true}}\n",
    )


def _crossed(rows: list) -> bool:
    """An update met by a message sent after the next update fell due: a late message of its
    own bot or, where it failed, one of a later bot's (the earliest update still open takes a
    delivered message: Agenda._message)."""
    ups = sorted(r for r in rows if r[0] == "updates")
    return any(a[5] > b[3] + 1e-9 for a, b in zip(ups, ups[1:]) if not np.isnan(a[5]))


def test_recurring_updates(tmp_path):
    """The group's progress updates occurrence by occurrence, replication by replication the
    engine's: each falls due when the last was met or at its deadline, the one open at minute
    100 (loud) is void, a late update's bot prepares it towards its due time. The automatic
    choice takes the plan."""
    path = updates_plan(tmp_path)
    model = fastpath.check(plan_for(path, ()))
    assert model.recurring == ["updates"]
    assert replications._fast_models([replications.Job(path, (), 10, 1)], required=False)
    rows = same_as_the_engine(path)
    counts = [sum(r[0] == "updates" for r in rs) for rs in rows.values()]
    assert max(counts) >= 5  # 0, ~20, ~40, ~60, ~80: then void at 100
    statuses = {r[2] for rs in rows.values() for r in rs if r[0] == "updates"}
    assert statuses >= {"hit", "late"}


@pytest.mark.parametrize(
    "kind",
    ["crossing", "one member, no until", "first deadline 25"],
)
def test_recurring_updates_whose_messages_cross(tmp_path, kind):
    """Where an update's messages fail or its bot forgets, the engine lets a later update's
    messages meet it (it is the earliest still open), which shifts every update after it, and
    numbers a line's messages in the order they are sent: those replications are played again
    event by event (fastpath_replay), replication by replication the engine's. With errors and
    failures far above the shipped plans' so that many replications cross; with a group of one
    member (its updates queue), with no `until` (updates to the end of the run), with the first
    deadline other than the interval."""
    args = {
        "crossing": {"errors": "forget: 0.3, wrong_channel: 0.1", "chat_failure": 0.3},
        "one member, no until": {
            "errors": "forget: 0.2",
            "chat_failure": 0.5,
            "members": 1,
            "until": None,
        },
        "first deadline 25": {"errors": "forget: 0.1", "chat_failure": 0.3, "deadline": 25},
    }[kind]
    path = updates_plan(tmp_path, **args)
    played = []
    real = fastpath_replay.replay

    def spy(U, ids, model, end, tab, look, reps, got_all, t1_bot):
        played.append(len(reps))
        return real(U, ids, model, end, tab, look, reps, got_all, t1_bot)

    fastpath_replay.replay = spy
    try:
        rows = same_as_the_engine(path, 200)
    finally:
        fastpath_replay.replay = real
    assert sum(_crossed(rs) for rs in rows.values()) > 10
    assert max(played) > 20  # replications played again, not left to the batch's reading
    statuses = {r[2] for rs in rows.values() for r in rs if r[0] == "updates"}
    assert statuses >= {"hit", "late", "missed"}


@pytest.mark.parametrize("plan", ["payment_outage", "crossing"])
def test_an_update_reused_in_a_pass_is_what_recomputing_it_gives(tmp_path, monkeypatch, plan):
    """A pass of the fixed point where nothing an update reads changed reuses the last pass's
    occurrences (fastpath_updates.recur): recomputed there (_VERIFY_SKIPS), they are the same,
    and so is the batch."""
    if plan == "crossing":
        path = updates_plan(tmp_path, errors="forget: 0.3, wrong_channel: 0.1", chat_failure=0.3)
    else:
        path = plan
    model = fastpath.check(plan_for(path, ()))
    plain = fastpath.compute(model, 3, 40, 1500)
    checked: list[str] = []
    monkeypatch.setattr(fastpath_updates, "_VERIFY_SKIPS", checked)
    again = fastpath.compute(model, 3, 40, 1500)  # AssertionError where a reuse was wrong
    assert checked, "no pass reused the updates: the check checked nothing"
    for k in plain.rows:
        assert plain.rows[k].tobytes() == again.rows[k].tobytes(), k
    assert plain.events.tobytes() == again.events.tobytes()
