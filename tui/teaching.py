"""The words of teaching: grade feedback, a duty opened up, the debrief's advice.

The judgement is elsewhere and pure (`simulator.grading.explain`, `scoring.debrief`); this puts
it in the player's language with the plan's names. No Textual here.
"""

from __future__ import annotations

from drillsim.scoring.debrief import Item
from drillsim.simulator.grading import Criterion, GradeCheck
from drillsim.simulator.model import Obligation
from drillsim.words import Tr
from drillsim.words.names import Names

MAX_NOT_MET = 3  # criteria listed for a level declared too severe


def _num(x: float) -> str:
    return f"{x:g}"


def grade_feedback(check: GradeCheck, n: Names, tr: Tr) -> list[tuple[str, str]]:
    """Lines (text, style): right or wrong, then the criterion and facts that decided it."""
    level = n.level(check.level)
    if check.correct:
        out = [(tr("fb_right", level=level), "bold green")]
    else:
        key = "fb_too_mild" if check.direction == "too_mild" else "fb_too_severe"
        out = [(tr(key, declared=n.level(check.declared), level=level), "bold red")]
    for c in check.deciding:
        out.append((because(c, n, tr), ""))
    if check.default:
        out.append((tr("fb_default", level=level), ""))
    if check.wanted:
        shown = [c for c in check.wanted if any(v for _, v in c.facts)] or list(check.wanted)
        criteria = n.sep.join(
            f"{n.criterion(c)} ({c.reading(n.attribute)})" for c in shown[:MAX_NOT_MET]
        )
        out.append((tr("fb_not_met", level=n.level(check.declared), criteria=criteria), "dim"))
    return out


def because(c: Criterion, n: Names, tr: Tr) -> str:
    """`Because 000 §一(一)1: 影响客户超过5000户 — 影响客户数 5200 > 5000 → 一级(重大)`."""
    g = n.proc.grading if n.proc is not None else None
    if g is not None and g.kind == "matrix":
        reading = " × ".join(f"{n.attribute(a)} {v}" for a, v in c.facts)
        return tr("fb_cell", clause=c.clause, reading=reading, level=n.level(c.level))
    return tr(
        "fb_because",
        clause=c.clause,
        criterion=n.criterion(c),
        reading=c.reading(n.attribute),
        level=n.level(c.level),
    )


def action_text(ob: Obligation, n: Names, tr: Tr) -> str:
    act = ob.action
    if act.do == "report":
        via = (n.sep if act.via_mode == "all" else "/").join(n.channel(c) for c in act.via)
        key = "asks_report_all" if act.via_mode == "all" and len(act.via) > 1 else "asks_report"
        return tr(key, to=n.roles(act.to), via=via)
    if act.do == "task":
        return tr("asks_task", task=n.task(act.task))
    return tr(f"asks_{act.do}")


def deadline_text(ob: Obligation, n: Names, tr: Tr) -> str:
    if ob.deadline_min is not None:
        out = tr("dl_min", n=_num(ob.deadline_min))
    elif ob.deadline_by_level is not None:
        spec = n.sep.join(
            f"{n.level(lv)} {tr('dl_min', n=_num(m))}"
            for lv, m in sorted(ob.deadline_by_level.items())
        )
        out = tr("dl_level", spec=spec)
    else:
        out = tr("dl_clock", clock=ob.deadline_clock)
    if ob.every_min:
        out += tr("dl_every", n=_num(ob.every_min))
    return out


def anchor_text(ob: Obligation, n: Names, tr: Tr) -> str:
    kind, _, ref = ob.anchor.partition(":")
    if kind == "start":
        return tr("anchor_start")
    if kind == "inject":
        return tr("anchor_inject", inject=ref)
    if kind == "done":
        return tr("anchor_done", duty=n.duty(ref, deadline=False))
    return tr("anchor_trigger", cond=ob.trigger)


def duty_detail(oid: str, n: Names, tr: Tr, mode: str) -> list[tuple[str, str]]:
    """(label, value) rows of a duty opened up: clause, text, what it asks, whom, what it counts
    from, its deadline (test mode: not shown), the procedure's note."""
    assert n.proc is not None  # a duty belongs to a plan
    ob = n.proc.obligations[oid]
    test = mode == "test"
    rows = [
        (tr("detail_clause"), ob.clause),
        (tr("detail_text"), n.duty(oid, deadline=not test)),
        (tr("detail_action"), action_text(ob, n, tr)),
        (tr("detail_role"), n.role(ob.role)),
        (tr("detail_from"), anchor_text(ob, n, tr)),
        (tr("detail_deadline"), tr("detail_hidden") if test else deadline_text(ob, n, tr)),
    ]
    if ob.note and not test:
        rows.append((tr("detail_note"), ob.note.strip()))
    return rows


def advice_text(item: Item, n: Names, tr: Tr) -> str:
    p = item.params
    if item.advice == "start_earlier":
        return tr("adv_start_earlier", due=n.clock(p["due"]), done=n.clock(p["done"]))
    if item.advice == "grade_first":
        c = p.get("criterion")
        return tr(
            "adv_grade_first",
            t=n.clock(p["t"]),
            level=n.level(p["level"]),
            criterion=n.criterion(c) if c is not None else n.level(p["level"]),
        )
    if item.advice == "report":
        via = "/".join(n.channel(c) for c in p["via"])
        return tr("adv_report", to=n.roles(p["to"]), via=via, deadline=n.clock(p["deadline"]))
    if item.advice == "switch":
        alt = "/".join(n.channel(c) for c in p["alt"])
        return tr("adv_switch", failed=n.channel(p["failed"]), alt=alt)
    if item.advice == "task":
        return tr("adv_task", task=n.task(p["task"]), deadline=n.clock(p["deadline"]))
    if item.advice == "grade":
        return tr("adv_grade", deadline=n.clock(p["deadline"]))
    return tr(f"adv_{item.advice}")
