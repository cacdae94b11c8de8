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
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .fastpath_queue import Queues
from .limits import EPS
from .plan import Plan

_INF = math.inf

# Tests set it to a list: a pass whose inputs did not change then recomputes the update anyway,
# checks the result unchanged and appends the update's id
_VERIFY_SKIPS: list | None = None


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
    slots: dict = field(default_factory=dict)  # an update's sends: (to, chain, pick, try) each


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
    memo: dict = field(default_factory=dict)  # an update's inputs and result in the last pass


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
    (fastpath_replay). Returns each recipient's first delivery.

    Each occurrence is worked out only for the replications where its bot comes (after the
    first few, about one in eight on payment_outage), and not at all in a pass of the fixed
    point where nothing it reads changed (its trigger, `until`, the role's queue): the last
    pass's times stand."""
    from .fastpath import (
        _index,
        _report,
        _round,
        _slots,
    )  # not at the top: fastpath imports this module

    plan = model.plan
    obs, rt = plan.procedure.obligations, plan.runtime
    ob = obs[U]
    role = ob.role
    until = model.until.get(U)
    f = look.first(model.triggers[U])
    t1_bot = np.where(f <= end, f, _INF)
    # `until` after each change of what it reads: with its value at the start (the same in
    # every pass), when it holds at any moment
    changes = []
    if until is not None:
        for m in look.moments(until):
            m = np.broadcast_to(m, (n,))
            changes.append((m, until.table[_index(until, m, look.value_at)]))
    queued = role in look.queues.queued
    key = [t1_bot, *(x for pair in changes for x in pair)]
    if queued:
        key += [look.queues.waited[sid] for sid in ids]
    last = look.memo.get(U)
    kept = None
    if last is not None and len(last[0]) == len(key):
        if all(np.array_equal(a, b) for a, b in zip(last[0], key)):
            if _VERIFY_SKIPS is None:
                return last[1]
            kept = _results(tab, ids, last[1])

    inf = np.full(n, _INF)
    every = every_min(plan, U)
    first_dl = first_deadline(plan, U)
    needs = look.needs[U]
    chains = rt.chains[U]
    to_list = recipients(plan, U)
    t1 = t1_bot
    if until is not None:  # its recurrence has already ended: nothing is owed
        t1 = np.where(until.table[_index(until, t1, look.value_at)] & np.isfinite(t1), _INF, t1)
    line_count: dict[tuple, np.ndarray] = {}  # a line's messages so far
    got_all: dict[str, np.ndarray] = {to: np.full(n, _INF) for to in to_list}
    # what shows a replication where the occurrences' messages may cross: per need, the
    # latest own cover of the occurrences before (that fell due); per line, its latest send
    cover_max = [np.full(n, -_INF) for _ in needs]
    line_last: dict[tuple, np.ndarray] = {}
    cross = np.zeros(n, dtype=bool)
    prev, prev_deadline = None, inf
    for k, sid in enumerate(ids):
        if prev is None:
            trig_at, made = t1, t1_bot
            deadline = t1 + first_dl
            tab.prio[sid] = t1_bot + first_dl
            rows = np.flatnonzero(np.isfinite(t1_bot))
            wait = t1_bot[rows]
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
            deadline = tab.prio[sid] = trig_at + every
            rows = np.flatnonzero(ok)
            # a regular update is prepared towards its due time (Bot.work's timeout)
            m, tr = made[rows], trig_at[rows]
            wait = m + np.maximum(0.0, tr + every - every / 3 - m)
        tab.due[sid] = trig_at
        tab.made_at[sid] = made
        if not len(rows):  # no bot in any replication: neither this occurrence nor a later
            for rest in ids[k:]:
                for table in (tab.due, tab.made_at, tab.prio, tab.asked, tab.act_at, tab.done):
                    table[rest] = inf
                for table in (tab.met_at, tab.done_at, tab.received):
                    table[rest] = inf
                tab.sends[rest], tab.slots[rest] = [], []
            break
        # this occurrence where its bot comes (`rows`), then spread over the batch
        d = tab.draws[sid]
        dr = {x: d[x][rows] for x in ("reaction", "work", "forgot", "pick")}
        dr["others"] = d["others"]
        asked = np.where(dr["forgot"], _INF, wait + dr["reaction"])
        asked = np.where(asked <= end, asked, _INF)
        tab.asked[sid] = _spread(asked, rows, n)  # what the queue reads
        start_at = asked
        if queued:
            start_at = look.queues.start(role, sid)[rows]
            # held back by the role's queue (the updates overlap): played again, where the
            # queue and the messages are followed together
            cross[rows] |= np.isfinite(start_at) & (start_at != asked)
        a = start_at + dr["work"]
        a = np.where(a <= end, a, _INF)
        tab.act_at[sid] = _spread(a, rows, n)
        counts = {line: c[rows] for line, c in line_count.items()}

        def numbered(sender, to, via, slot, sent, dr=dr, counts=counts, rows=rows):
            line = (sender, to, via)
            _oid, _to, c, p, i = slot
            seq = ([dr["others"][p]] if p >= 0 else []) + list(chains[c])
            before = counts.get(line)
            lat, fail = look.attempt(line, 1)
            lat, fail = lat[rows], fail[rows]
            skip = sum(1 for v in seq[:i] if v == via)
            if before is None and skip == 0:
                return lat, look.outage(via, sent, fail)
            rank = (0 if before is None else before) + 1 + skip
            rank = np.broadcast_to(rank, sent.shape)
            for r in np.unique(rank[np.isfinite(sent)]):
                if r != 1:
                    lat_r, fail_r = look.attempt(line, int(r))
                    lat = np.where(rank == r, lat_r[rows], lat)
                    fail = np.where(rank == r, fail_r[rows], fail)
            return lat, look.outage(via, sent, fail)

        out = _report(sid, to_list, chains, dr, a, numbered, role, end)
        # its messages' slots, in the order of `out` (a wrong channel's branch only where some
        # replication picked it: fastpath._report)
        tab.slots[sid] = [
            slot[1:]
            for slot, _via in _slots(sid, to_list, chains, dr["others"])
            if slot[3] < 0 or (dr["pick"] == slot[3]).any()
        ]
        fell = np.isfinite(trig_at[rows])
        no = np.full(len(rows), _INF)
        need_send, need_arrive = [], []
        crossed = np.zeros(len(rows), dtype=bool)
        for j, (to, group) in enumerate(needs):
            best_arr, best_sent = no, no
            fits: Any = 0
            for to_, via, sent, arrive, delivered in out:
                if to_ == to and via in group:
                    better = delivered & (arrive < best_arr)
                    best_arr = np.where(better, arrive, best_arr)
                    best_sent = np.where(better, sent, best_sent)
                    fits = fits + delivered
            # an earlier occurrence still lacking this need when this one's message came
            # takes it; a second message of this one for the need may meet the next
            cover = cover_max[j][rows]
            crossed |= np.isfinite(best_arr) & (best_arr <= cover)
            crossed |= np.asarray(fits) > 1
            cover_max[j][rows] = np.where(fell, np.maximum(cover, best_arr), cover)
            need_send.append(best_sent)
            need_arrive.append(best_arr)
        last = np.where(fell, np.max(need_arrive, axis=0), _INF)  # no occurrence: meets nothing
        tab.done[sid] = tab.met_at[sid] = _spread(last, rows, n)
        sent_last = np.where(np.isfinite(last), np.max(need_send, axis=0), _INF)
        tab.done_at[sid] = _spread(sent_last, rows, n)
        tab.received[sid] = _spread(np.where(fell, np.min(need_arrive, axis=0), _INF), rows, n)
        sends = []
        span: dict[tuple, tuple] = {}  # a line's first and last send of this occurrence
        for to, via, sent, arrive, delivered in out:
            line = (role, to, via)
            if line not in line_count:
                line_count[line] = np.zeros(n, dtype=np.int64)
            line_count[line][rows] += np.isfinite(sent)
            got = got_all[to]
            got[rows] = np.minimum(got[rows], np.where(delivered, arrive, _INF))
            lo, hi = span.get(line, (no, np.full(len(rows), -_INF)))
            hi = np.maximum(hi, np.where(np.isfinite(sent), sent, -_INF))
            span[line] = (np.minimum(lo, sent), hi)
            on = np.zeros(n, dtype=bool)
            on[rows] = delivered
            sends.append((to, via, _spread(sent, rows, n), _spread(arrive, rows, n), on))
        tab.sends[sid] = sends
        for line, (lo, hi) in span.items():
            # the engine numbers a line's messages in the order they are sent
            before = line_last.get(line)
            if before is None:
                before = line_last[line] = np.full(n, -_INF)
            was = before[rows]
            crossed |= np.isfinite(lo) & (lo <= was)
            before[rows] = np.maximum(was, hi)
        cross[rows] |= crossed
        prev, prev_deadline = sid, deadline
    # the occurrence open when `until` began to hold, its deadline not passed: void
    if until is not None:
        r = look.first(until)
        for m, holds in changes:
            # `until` stops holding again after it held: the engine looks at each change
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
    look.memo[U] = (key, got_all)
    if kept is not None:
        now = _results(tab, ids, got_all)
        if len(now) != len(kept) or not all(
            np.array_equal(a, b, equal_nan=True) for a, b in zip(now, kept)
        ):
            raise AssertionError(f"fast path: {U} reused but its times changed")
        assert _VERIFY_SKIPS is not None
        _VERIFY_SKIPS.append(U)
    return got_all


def _results(tab: Tables, ids: list[str], got_all: dict) -> list:
    """Everything recur() writes, as copies (_VERIFY_SKIPS)."""
    out = [np.array(got_all[to]) for to in sorted(got_all)]
    for sid in ids:
        for table in (tab.due, tab.made_at, tab.prio, tab.asked, tab.act_at, tab.done):
            out.append(np.array(table[sid]))
        for table in (tab.met_at, tab.done_at, tab.received, tab.void):
            out.append(np.array(table.get(sid, False)))
        out += [np.array(x) for send in tab.sends[sid] for x in send[2:]]
    return out


def _spread(values: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """Values of some replications (`rows`) over the batch, inf in the others."""
    out = np.full(n, _INF)
    out[rows] = values
    return out
