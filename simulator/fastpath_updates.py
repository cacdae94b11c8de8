"""A recurring update (every_min) on the fast path: its occurrences one after the other, each a
duty of its own ("updates#1", "updates#2" …), as Triggers._recur makes them."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .fastpath_queue import Queues
from .limits import EPS
from .plan import Plan

_INF = math.inf


@dataclass
class Tables:
    """A batch's per-duty times and draws (fastpath._compute's, shared, not copied)."""

    due: dict
    act_at: dict
    done: dict
    done_at: dict
    met_at: dict
    received: dict
    sends: dict
    draws: dict
    prio: dict
    asked: dict
    made_at: dict  # when an update's occurrence was made (Triggers._recur)
    void: dict  # occurrences void: `until` held before their deadline


@dataclass
class Look:
    """What an update reads of the rest of the batch's computation."""

    first: Callable  # when a condition first holds
    value_at: Callable  # an atom's value at a time
    attempt: Callable  # a line's k-th message's draws
    outage: Callable  # a message sent while its channel is down fails
    queues: Queues
    needs: dict  # agenda.report_needs


def every_min(plan: Plan, oid: str) -> float:
    every = plan.procedure.obligations[oid].every_min
    assert every is not None  # only a recurring duty's occurrences are computed so
    return float(every)


def recipients(plan: Plan, oid: str) -> list[str]:
    act = plan.procedure.obligations[oid].action
    assert act.do == "report"  # check(): recurring reports only
    return list(act.to)


def recurs_simply(plan: Plan, oid: str) -> bool:
    """A recurring report with a deadline in minutes from its trigger, falling due once more
    after each occurrence (not on each escalation): what recur() computes."""
    ob = plan.procedure.obligations[oid]
    return bool(
        ob.every_min
        and ob.action.do == "report"
        and ob.deadline_min is not None
        and ob.anchor == "trigger"
        and not ob.retrigger
        and not ob.retrigger_on
    )


def recur(U: str, ids: list[str], model, n: int, end: float, tab: Tables, look: Look) -> dict:
    """A recurring update (Triggers._recur), occurrence after occurrence: the first falls
    due with its trigger; each next when the last was met (counting from when it was sent)
    or else at its deadline, unless `until` holds then or the run is over; its bot waits
    until a third of the interval before the deadline, reacts, queues, works and reports.
    Approximated (check(): model.approx): each occurrence is met by its own messages only,
    and a line's messages are numbered in the order of the occurrences."""
    from .fastpath import _index, _report, _round  # not at the top: fastpath imports this module

    plan = model.plan
    obs, rt = plan.procedure.obligations, plan.runtime
    inf = np.full(n, _INF)

    def _clip(x):
        return np.where(x <= end, x, _INF)

    ob = obs[U]
    every = every_min(plan, U)
    until = model.until.get(U)
    t1 = _clip(look.first(model.triggers[U]))
    if until is not None:  # its recurrence has already ended: nothing is owed
        t1 = np.where(until.table[_index(until, t1, look.value_at)] & np.isfinite(t1), _INF, t1)
    line_count: dict[tuple, Any] = {}
    chains = rt.chains[U]
    got_all: dict[str, np.ndarray] = {}
    prev, prev_deadline = None, inf
    for sid in ids:
        if prev is None:
            trig_at = made = wait = t1
        else:
            on_time = tab.met_at[prev] <= prev_deadline
            made = np.where(on_time, tab.met_at[prev], prev_deadline)
            # counts from the stamped send time of the last, or from its stamped deadline
            trig_at = _round(np.where(on_time, tab.done_at[prev], prev_deadline))
            ok = np.isfinite(tab.due[prev]) & (made < end)
            if until is not None:
                ok &= ~until.table[_index(until, np.where(ok, made, 0.0), look.value_at)]
            made = np.where(ok, made, _INF)
            trig_at = np.where(ok, trig_at, _INF)
            # a regular update is prepared towards its due time (Bot.work's timeout)
            wait = made + np.maximum(0.0, trig_at + every - every / 3 - made)
        deadline = trig_at + every
        tab.due[sid] = trig_at
        tab.made_at[sid] = made
        d = tab.draws[sid]
        tab.prio[sid] = deadline
        tab.asked[sid] = np.where(d["forgot"], _INF, _clip(wait + d["reaction"]))
        start_at = (
            tab.asked[sid] if ob.role not in look.queues.queued else look.queues.start(ob.role, sid)
        )
        a = _clip(start_at + d["work"])
        tab.act_at[sid] = a

        def numbered(sender, to, via, slot, sent, d=d):
            key = (sender, to, via)
            _oid, _to, c, p, i = slot
            seq = ([d["others"][p]] if p >= 0 else []) + list(chains[c])
            rank = line_count.get(key, 0) + 1 + sum(1 for v in seq[:i] if v == via)
            rank = np.broadcast_to(rank, (n,))
            lat, fail = look.attempt(key, 1)
            for r in np.unique(rank[np.isfinite(sent)]):
                if r != 1:
                    lat_r, fail_r = look.attempt(key, int(r))
                    lat = np.where(rank == r, lat_r, lat)
                    fail = np.where(rank == r, fail_r, fail)
            return lat, look.outage(via, sent, fail)

        out = _report(sid, recipients(plan, U), chains, d, a, numbered, ob.role, end)
        tab.sends[sid] = out
        need_send, need_arrive = [], []
        for to, group in look.needs[U]:
            best_arr, best_sent = inf, inf
            for to_, via, sent, arrive, delivered in out:
                if to_ == to and via in group:
                    better = delivered & (arrive < best_arr)
                    best_arr = np.where(better, arrive, best_arr)
                    best_sent = np.where(better, sent, best_sent)
            need_send.append(best_sent)
            need_arrive.append(best_arr)
        last = np.max(need_arrive, axis=0)
        tab.done[sid] = tab.met_at[sid] = last
        tab.done_at[sid] = np.where(np.isfinite(last), np.max(need_send, axis=0), _INF)
        tab.received[sid] = np.min(need_arrive, axis=0)
        for to, via, sent, arrive, delivered in out:
            key = (ob.role, to, via)
            line_count[key] = line_count.get(key, 0) + np.isfinite(sent)
            t = np.where(delivered, arrive, _INF)
            got_all[to] = np.minimum(got_all[to], t) if to in got_all else t
        prev, prev_deadline = sid, deadline
    # the occurrence open when `until` began to hold, its deadline not passed: void
    if until is not None:
        r = look.first(until)
        for k, sid in enumerate(ids):
            later = tab.made_at[ids[k + 1]] if k + 1 < len(ids) else inf
            tab.void[sid] = (
                (tab.made_at[sid] <= r)
                & (later > r)
                & (tab.met_at[sid] > r)
                & (_round(tab.due[sid] + every) > r + EPS)
                & np.isfinite(r)
            )
    return got_all
