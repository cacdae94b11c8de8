"""A recurring update (every_min) on the fast path: its occurrences one after the other, each a
duty of its own ("updates#1", "updates#2" …), as Triggers._recur makes them.

Most replications are computed all at once on the reading that each occurrence is met by its
own bot's messages and that a line's messages go out in the order of the occurrences. The
engine meets a delivered message with the earliest open occurrence still lacking what it
brings (Agenda._message) and numbers a line's messages in the order they are sent: where a
batch's own results show a replication in which that reading may not hold (an occurrence not
yet met when a later bot's message arrives, two messages of one bot for one need, a line's
messages out of the occurrences' order, an `until` that stops holding after it held), that
replication is played again event by event as the engine plays it (fastpath_replay), with
the same draws. So nothing is approximated.
"""

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
    moments: Callable  # when what a condition reads changes
    attempt: Callable  # a line's k-th message's draws
    outage: Callable  # a message sent while its channel is down fails
    queues: Queues
    needs: dict  # agenda.report_needs


def every_min(plan: Plan, oid: str) -> float:
    every = plan.procedure.obligations[oid].every_min
    assert every is not None  # only a recurring duty's occurrences are computed so
    return float(every)


def first_deadline(plan: Plan, oid: str) -> float:
    """The first occurrence's deadline counts deadline_min from its trigger, each later one's
    every_min from the last (Triggers._fall_due, _recur)."""
    minutes = plan.procedure.obligations[oid].deadline_min
    assert minutes is not None  # recurs_simply
    return float(minutes)


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


def update_room(plan: Plan, oid: str, end: float) -> int:
    """Room for the occurrences of a run: each next one's bot waits until two thirds of the
    interval, so they come at least that far apart, and a few more (a replication that would
    need more is refused by replay, never cut short)."""
    return int(end // (every_min(plan, oid) * 2 / 3)) + 2


def recur(U: str, ids: list[str], model, n: int, end: float, tab: Tables, look: Look) -> dict:
    """A recurring update (Triggers._recur), occurrence after occurrence: the first falls due
    with its trigger (its bot takes it up then even where `until` holds already and nothing is
    owed: Triggers._check_belief); each next when the last was met (counting from when it was
    sent) or else at its deadline, unless `until` holds then or the run is over; its bot waits
    until a third of the interval before the deadline, reacts, queues, works and reports. The
    replications where the occurrences' messages may cross are played again
    (fastpath_replay). Returns each recipient's first delivery."""
    from .fastpath import _index, _report, _round  # not at the top: fastpath imports this module

    plan = model.plan
    obs, rt = plan.procedure.obligations, plan.runtime
    inf = np.full(n, _INF)

    def _clip(x):
        return np.where(x <= end, x, _INF)

    ob = obs[U]
    every = every_min(plan, U)
    first_dl = first_deadline(plan, U)
    until = model.until.get(U)
    needs = look.needs[U]
    t1_bot = _clip(look.first(model.triggers[U]))
    t1 = t1_bot
    if until is not None:  # its recurrence has already ended: nothing is owed
        t1 = np.where(until.table[_index(until, t1, look.value_at)] & np.isfinite(t1), _INF, t1)
    line_count: dict[tuple, Any] = {}
    chains = rt.chains[U]
    got_all: dict[str, np.ndarray] = {}
    prev, prev_deadline = None, inf
    # what shows a replication where the occurrences' messages may cross: per need, the
    # latest own cover of the occurrences before (that fell due); per line, its latest send
    cover_max = [np.full(n, -_INF) for _ in needs]
    line_last: dict[tuple, np.ndarray] = {}
    cross = np.zeros(n, dtype=bool)
    for sid in ids:
        if prev is None:
            trig_at, made, wait = t1, t1_bot, t1_bot
            deadline = trig_at + first_dl
            bot_deadline = t1_bot + first_dl
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
            deadline = bot_deadline = trig_at + every
        tab.due[sid] = trig_at
        tab.made_at[sid] = made
        d = tab.draws[sid]
        tab.prio[sid] = bot_deadline
        tab.asked[sid] = np.where(d["forgot"], _INF, _clip(wait + d["reaction"]))
        start_at = (
            tab.asked[sid] if ob.role not in look.queues.queued else look.queues.start(ob.role, sid)
        )
        # held back by the role's queue (the updates overlap): played again, where the queue
        # and the messages are followed together
        cross |= np.isfinite(start_at) & (start_at != tab.asked[sid])
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
        fell = np.isfinite(trig_at)
        need_send, need_arrive = [], []
        for j, (to, group) in enumerate(needs):
            best_arr, best_sent = inf, inf
            fits: Any = 0
            for to_, via, sent, arrive, delivered in out:
                if to_ == to and via in group:
                    better = delivered & (arrive < best_arr)
                    best_arr = np.where(better, arrive, best_arr)
                    best_sent = np.where(better, sent, best_sent)
                    fits = fits + delivered
            # an earlier occurrence still lacking this need when this one's message came
            # takes it; a second message of this one for the need may meet the next
            cross |= np.isfinite(best_arr) & (best_arr <= cover_max[j])
            cross |= np.asarray(fits) > 1
            cover_max[j] = np.where(fell, np.maximum(cover_max[j], best_arr), cover_max[j])
            need_send.append(best_sent)
            need_arrive.append(best_arr)
        last = np.where(fell, np.max(need_arrive, axis=0), _INF)  # no occurrence: meets nothing
        tab.done[sid] = tab.met_at[sid] = last
        tab.done_at[sid] = np.where(np.isfinite(last), np.max(need_send, axis=0), _INF)
        tab.received[sid] = np.where(fell, np.min(need_arrive, axis=0), _INF)
        span: dict[tuple, tuple] = {}  # a line's first and last send of this occurrence
        for to, via, sent, arrive, delivered in out:
            key = (ob.role, to, via)
            line_count[key] = line_count.get(key, 0) + np.isfinite(sent)
            t = np.where(delivered, arrive, _INF)
            got_all[to] = np.minimum(got_all[to], t) if to in got_all else t
            lo, hi = span.get(key, (inf, -inf))
            span[key] = (
                np.minimum(lo, sent),
                np.maximum(hi, np.where(np.isfinite(sent), sent, -_INF)),
            )
        for key, (lo, hi) in span.items():
            # the engine numbers a line's messages in the order they are sent
            before = line_last.get(key)
            if before is None:
                line_last[key] = hi
            else:
                cross |= np.isfinite(lo) & (lo <= before)
                line_last[key] = np.maximum(before, hi)
        prev, prev_deadline = sid, deadline
    # the occurrence open when `until` began to hold, its deadline not passed: void
    if until is not None:
        r = look.first(until)
        for m in look.moments(until):
            # `until` stops holding again after it held: the engine looks at each change
            m = np.broadcast_to(m, (n,))
            holds = until.table[_index(until, m, look.value_at)]
            cross |= np.isfinite(r) & np.isfinite(m) & (m > r) & ~holds
        for k, sid in enumerate(ids):
            later = tab.made_at[ids[k + 1]] if k + 1 < len(ids) else inf
            tab.void[sid] = (
                (tab.made_at[sid] <= r)
                & (later > r)
                & (tab.met_at[sid] > r)
                & (_round(tab.due[sid] + (first_dl if k == 0 else every)) > r + EPS)
                & np.isfinite(r)
            )
    cross |= np.isfinite(tab.made_at[ids[-1]])  # all the room used: the replay says if enough
    reps = np.flatnonzero(cross)
    if len(reps):
        from .fastpath_replay import replay

        replay(U, ids, model, end, tab, look, reps, got_all, t1_bot)
    return got_all
