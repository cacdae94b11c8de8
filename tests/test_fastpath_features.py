"""The fast path's features one at a time, each on a small plan written here, replication by
replication against the engine (the shipped scenarios are in test_fastpath.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from drillsim.simulator import fastpath
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


def test_recurring_updates_approximately(tmp_path):
    """A group posts progress every 20 minutes until the event is loud (a timeline step at
    minute 100: the update still open then is void): `--fast` computes it occurrence by
    occurrence, approximating how a late update's messages meet an earlier one (check():
    model.approx); the automatic choice refuses it. Replication by replication the same as the
    engine in most replications: where an update fails, the engine lets the next update's
    messages meet it (it is the earliest still open), which shifts every update after it."""
    path = tiny(
        tmp_path,
        replace=(
            (
                "roles:\n",
                "roles:\n  group:\n    name: group\n    members: 2\n"
                "    reaction: {dist: lognormal, median: 2, p90: 5}\n"
                "    errors: {wrong_channel: 0.05}\n",
            ),
        ),
        more=(
            '  updates:\n    clause: "t 8"\n    title: progress every 20 minutes\n'
            "    role: group\n    trigger: \"injected('alert')\"\n"
            "    action: {do: report, to: [desk, head], via: [chat]}\n"
            "    deadline_min: 20\n    every_min: 20\n    until: loud\n"
        ),
        timeline="  - {at: 100, set: {loud: true}}\n",
    )
    model = fastpath.check(plan_for(path, ()))
    assert model.approx and "each update is met by its own messages" in fastpath.approximations(
        model.approx, "en"
    )
    n = 300
    fast = fastpath.compute(model, 7, 100, n)
    engine = run_batch(path, (), 7, 100, n)
    names = engine.layout.obligations
    clean, differ = [], []
    for rep in range(100, 100 + n):
        mine, real = _rows(fast.rows, rep, names), _rows(engine.duties, rep, names)
        # no update missed or late: nothing for a later update's messages to meet, and the
        # approximation is exact there
        clean.append(all(r[2] in ("hit", "open") for r in real if r[0] == "updates"))
        differ.append(
            len(mine) != len(real)
            or any(
                a[:3] != b[:3] or not np.allclose(a[3:], b[3:], atol=1e-9, equal_nan=True)
                for a, b in zip(mine, real)
            )
        )
    assert not any(c and d for c, d in zip(clean, differ))
    same, cascades = sum(clean), sum(d for c, d in zip(clean, differ) if not c)
    assert same > 150 and cascades > 10  # both kinds of replication are there
    updates = engine.duties["ob"] == names.index("updates")
    assert engine.duties["n"][updates].max() >= 5  # 0, ~20, ~40, ~60, ~80: then void at 100
