"""What the engine does with bots, channels, deputies and injects, through small plan overlays."""

import textwrap

from drillsim.scoring.verdicts import score
from drillsim.simulator.loader import load_plan
from drillsim.simulator.model import ScriptAction
from drillsim.simulator.runner import run_plan
from tests.helpers import entry, run_scripted

S = "payment_outage"


def overlay(tmp_path, text: str, name="v.yaml") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def bots(tmp_path, text, seed=1):
    return run_scripted(S, [], others="bot", seed=seed, variants=(overlay(tmp_path, text),))


def events_of(variant_path, seed=1, others="bot", actions=()):
    plan = load_plan(S, [variant_path])
    return run_plan(plan, seed=seed, actions=list(actions), others=others).events


def test_a_role_that_always_forgets_misses_its_duties(tmp_path):
    res = bots(
        tmp_path,
        """
        id: forgetful
        procedure: {roles: {duty_supervisor: {errors: {forget: 1.0, misgrade: 0, wrong_channel: 0}}}}
    """,
    )
    for ob in ("verify", "initial_record", "mark_urgency", "report_l3"):
        assert entry(res, ob)["status"] == "missed"
    # nobody graded, so the bots never learn it is level 1: the level-1 chain is missed too
    assert entry(res, "report_l1_ops")["status"] == "missed"
    assert entry(res, "activate_l1_plan")["status"] == "not_triggered"


def test_a_misgrading_supervisor_sends_the_bots_down_the_wrong_path(tmp_path):
    res = bots(
        tmp_path,
        """
        id: misgrader
        procedure: {roles: {duty_supervisor: {errors: {forget: 0, misgrade: 1.0, wrong_channel: 0}}}}
    """,
    )
    assert res["grading"] and not any(g["correct"] for g in res["grading"])
    assert res["summary"]["grades_correct"] == 0


def test_wrong_channel_does_not_meet_a_duty(tmp_path):
    res = bots(
        tmp_path,
        """
        id: wrong_channel
        procedure:
          roles: {duty_supervisor: {errors: {forget: 0, misgrade: 0, wrong_channel: 1.0}}}
    """,
    )
    assert entry(res, "report_l3")["status"] == "missed"  # sent, but not by the OA form or e-mail


def test_a_failing_channel_makes_the_sender_use_an_alternative(tmp_path):
    path = overlay(
        tmp_path,
        """
        id: no_oa
        procedure: {channels: {oa: {failure: 1.0}}}
        scenario: {outages: []}
    """,
    )
    evs = events_of(path)
    failed = [e for e in evs if e["type"] == "message.failed" and e["via"] == "oa"]
    assert failed and all(e["reason"] == "failed" for e in failed)
    for f in failed:  # each failure is followed by the same message by e-mail
        assert any(
            e["type"] == "message.sent"
            and e["via"] == "email"
            and e["to"] == f["to"]
            and e["t"] >= f["t"]
            for e in evs
        )
    res = score(load_plan(S, [path]), evs)
    assert entry(res, "report_l3")["status"] in ("hit", "late")


def test_the_outage_makes_messages_fail_until_the_channel_is_back():
    plan = load_plan(S)
    acts = [
        ScriptAction(
            at=10, role="duty_supervisor", do="report", to=["direct_supervisor"], via="oa"
        ),
        ScriptAction(
            at=250, role="duty_supervisor", do="report", to=["direct_supervisor"], via="oa"
        ),
    ]
    evs = run_plan(plan, seed=1, actions=acts, others="idle").events
    outcomes = [
        (e["type"], e.get("reason"))
        for e in evs
        if e["type"] in ("message.failed", "message.delivered")
    ]
    assert outcomes == [
        ("message.failed", "outage"),
        ("message.delivered", None),
    ]  # OA is back at 240


def test_staffing_limits_parallel_work(tmp_path):
    def staffed(members):  # a reliable chain up to the technical group, two 20-minute tasks
        return bots(
            tmp_path,
            f"""
            id: staff_{members}
            procedure:
              roles:
                technical_group: {{members: {members}}}
                duty_supervisor: {{errors: {{forget: 0, misgrade: 0, wrong_channel: 0}}}}
                ops_dept: {{errors: {{forget: 0}}}}
              channels: {{phone: {{failure: 0}}, email: {{failure: 0}}, chat: {{failure: 0}}}}
              tasks:
                failover_dr: {{work: {{dist: fixed, value: 20}}, success: 1.0}}
                isolate_fault: {{work: {{dist: fixed, value: 20}}}}
        """,
            seed=2,
        )

    one, three = staffed(1), staffed(3)
    done = lambda r: sorted(
        entry(r, ob)["done_at"] - entry(r, ob)["triggered_at"]
        for ob in ("failover_within_5", "isolate_within_10")
    )
    a, b = done(one)
    c, d = done(three)
    assert b - a >= 20 - 1e-6  # one engineer: one task after the other
    assert d - c < 20  # three: side by side


def test_messages_to_an_absent_role_go_to_its_deputy_after_handover(tmp_path):
    path = overlay(
        tmp_path,
        """
        id: absent_head
        procedure: {roles: {dept_head: {deputy: vp, handover_min: 4}}}
        scenario: {absences: [{role: dept_head, from: 0}]}
    """,
    )
    acts = [ScriptAction(at=40, role="duty_supervisor", do="report", to=["dept_head"], via="phone")]
    evs = events_of(path, others="idle", actions=acts)
    (handover,) = [e for e in evs if e["type"] == "handover"]
    assert handover["role"] == "dept_head" and handover["to"] == "vp" and handover["t"] == 4
    (delivered,) = [e for e in evs if e["type"] == "message.delivered"]
    assert delivered["to"] == "dept_head" and delivered["delivered_to"] == "vp"


def test_timed_conditional_and_contingency_injects():
    plan = load_plan(S)
    evs = run_plan(plan, seed=1, others="idle").events
    fired = {e["inject"]: e["t"] for e in evs if e["type"] == "inject"}
    skipped = {e["inject"] for e in evs if e["type"] == "inject.skipped"}
    assert fired["alert"] == 0 and fired["customer_surge"] == 70
    assert fired["ops_chases"] == 95  # nobody reported level 1: the contingency fires
    assert "dr_question" not in fired  # conditional: the plan was never activated
    acts = [
        ScriptAction(at=72, role="duty_supervisor", do="report", to=["ops_dept"], via="phone"),
        ScriptAction(at=73, role="duty_supervisor", do="report", to=["ops_dept"], via="email"),
        ScriptAction(at=80, role="ops_dept", do="task", task="activate_l1_plan"),
    ]
    evs = run_plan(plan, seed=1, actions=acts, others="idle").events
    fired = {e["inject"]: e["t"] for e in evs if e["type"] == "inject"}
    skipped = {e["inject"] for e in evs if e["type"] == "inject.skipped"}
    assert "ops_chases" in skipped and "ops_chases" not in fired
    assert fired["dr_question"] == 80  # fires the moment its condition holds


def test_the_level_follows_the_facts_and_a_restored_service_stops_the_clock():
    plan = load_plan(S)
    evs = run_plan(plan, seed=1, others="idle").events
    levels = [(e["t"], e["level"]) for e in evs if e["type"] == "level"]
    assert levels == [(0, 3), (30, 2), (70, 1)]
    acts = [ScriptAction(at=20, role="technical_group", do="task", task="repair_fault")]
    evs = run_plan(plan, seed=1, actions=acts, others="idle").events
    assert [(e["t"], e["level"]) for e in evs if e["type"] == "level"] == [(0, 3), (70, 1)]


def test_a_role_without_deputy_gets_held_news_when_it_returns(tmp_path):
    path = overlay(
        tmp_path,
        """
        id: away_then_back
        procedure: {roles: {duty_supervisor: {deputy: null}}}
        scenario: {absences: [{role: duty_supervisor, from: 0, until: 12}]}
    """,
    )
    evs = events_of(path, others="idle")
    (held,) = [e for e in evs if e["type"] == "inject.delivered" and e["inject"] == "alert"]
    assert held["t"] == 12 and held["delivered_to"] == "duty_supervisor"
    res = score(load_plan(S, [path]), evs)
    assert entry(res, "verify")["triggered_at"] == 12


def test_a_roles_members_take_duties_in_order_of_deadline():
    """_Members behaves as a SimPy PriorityResource: a free member goes on at once; the waiting
    duties are taken earliest deadline first, ties in the order they asked; none is lost."""
    import simpy

    from drillsim.simulator.bots import _Members

    env = simpy.Environment()
    members, log = _Members(env, capacity=2), []

    def duty(name, asks_at, deadline, work):
        yield env.timeout(asks_at)
        wait = members.acquire(deadline)
        if wait is not None:
            yield wait
        log.append((name, env.now))
        try:
            yield env.timeout(work)
        finally:
            members.release()

    for args in [
        ("a", 0, 50, 10),
        ("b", 0, 40, 20),
        ("c", 1, 90, 5),
        ("d", 2, 30, 5),
        ("e", 3, 30, 5),
        ("f", 4, 10, 1),
    ]:
        env.process(duty(*args))
    env.run()
    # a and b start at once; at 10 (a done) the most urgent waiting is f (deadline 10), then d and
    # e (30, in order of asking) as members free up, c (90) last
    assert log == [("a", 0), ("b", 0), ("f", 10), ("d", 11), ("e", 16), ("c", 20)]
    assert members.free == 2 and not members.waiting


def test_a_regrade_draws_by_the_level_it_answers_not_its_position(monkeypatch):
    """Common random numbers for a duty that falls due again: its draws are keyed by the level
    it answers. Whether the regrade at the rise to level 1 is the duty's first occurrence (the
    rise to level 2 needed none) or its second, its draws are keyed "L1.1"."""
    from drillsim.simulator.world import World

    seen = []
    original = World._draw_key

    def spy(self, oid, inc, n):
        key = original(self, oid, inc, n)
        if oid == "regrade":
            seen.append((n, self.level[inc], key))
        return key

    monkeypatch.setattr(World, "_draw_key", spy)
    plan = load_plan(S)
    for seed in range(1, 80):
        run_plan(plan, seed=seed)
    assert seen and all(key == f"L{level}.1" for _, level, key in seen)
    assert {n for n, level, _ in seen if level == 1} == {1, 2}
    # once-only duties keep the occurrence number
    monkeypatch.undo()
    world = run_plan(plan, seed=1).world
    assert world._draw_key("verify", "main", 1) == 1
