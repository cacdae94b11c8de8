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

    A pass of the fixed point works it out again only in the replications where something it
    reads changed since the last pass (its trigger, `until`, the role's queue; none: the last
    pass's times stand), and each occurrence only where its bot comes (after the first few,
    about one in eight replications on payment_outage)."""
    from .fastpath import _index  # not at the top: fastpath imports this module

    plan = model.plan
    role = plan.procedure.obligations[U].role
    until = model.until.get(U)
    f = look.first(model.triggers[U])
    t1_bot = np.where(f <= end, f, _INF)
    # `until` after each change of what it reads (it holds between two changes as after the
    # first of them, and as at the start before any)
    changes = []
    start_holds = r = None
    if until is not None:
        for m in look.moments(until):
            m = np.broadcast_to(m, (n,))
            changes.append((m, until.table[_index(until, m, look.value_at)]))
        start_holds = np.broadcast_to(bool(until.table[0]), (n,))
    queued = role in look.queues.queued
    key = [t1_bot, *(x for pair in changes for x in pair)]
    if queued:
        key += [look.queues.waited[sid] for sid in ids]
    last = look.memo.get(U)
    got_last: dict | None = None
    moved = None
    if last is not None and len(last[0]) == len(key):
        got_last = last[1]
        moved = np.zeros(n, dtype=bool)
        for a, b in zip(last[0], key):
            moved |= a != b
    kept = None
    reps = np.arange(n)
    if moved is not None and got_last is not None and _VERIFY_SKIPS is not None:
        kept = _results(tab, ids, got_last)  # recomputed everywhere, then compared
    elif moved is not None and got_last is not None:
        if not moved.any():
            return got_last
        reps = np.flatnonzero(moved)
    if until is not None:
        r = look.first(until)
    sub = _Sub(U, ids, model, reps, end, look, tab.draws)
    sub.run(
        t1_bot[reps],
        [(m[reps], h[reps]) for m, h in changes],
        None if start_holds is None else start_holds[reps],
        None if r is None else r[reps],
    )
    got_all = sub.merge(tab, got_last, n)
    crossed = reps[sub.cross]
    if len(crossed):
        from .fastpath_replay import replay

        replay(U, ids, model, end, tab, look, crossed, got_all, t1_bot)
    look.memo[U] = (key, got_all)
    if kept is not None:
        assert moved is not None and _VERIFY_SKIPS is not None
        now = _results(tab, ids, got_all)
        same = ~moved
        for k in kept.keys() | now.keys():
            a = kept[k] if k in kept else _none_like(now[k])
            b = now[k] if k in now else _none_like(kept[k])
            if not np.array_equal(a[same], b[same], equal_nan=True):
                raise AssertionError(f"fast path: {U} reused but its times changed ({k})")
        _VERIFY_SKIPS.append(U)
    return got_all


def _none_like(a: np.ndarray) -> np.ndarray:
    """A message slot's array where none was sent: never sent, never delivered."""
    return np.zeros(len(a), dtype=bool) if a.dtype == bool else np.full(len(a), _INF)


def _results(tab: Tables, ids: list[str], got_all: dict) -> dict:
    """Everything recur() writes, as copies (_VERIFY_SKIPS)."""
    out: dict[tuple, np.ndarray] = {("got", to): np.array(a) for to, a in got_all.items()}
    for sid in ids:
        for name in ("due", "made_at", "prio", "asked", "act_at", "done", "met_at"):
            out[name, sid] = np.array(getattr(tab, name)[sid])
        for name in ("done_at", "received"):
            out[name, sid] = np.array(getattr(tab, name)[sid])
        if sid in tab.void:
            out["void", sid] = np.array(tab.void[sid])
        for slot, send in zip(tab.slots[sid], tab.sends[sid]):
            for x, a in zip(("sent", "arrive", "delivered"), send[2:]):
                out[x, sid, slot] = np.array(a)
    return out


_TIMES = ("due", "made_at", "prio", "asked", "act_at", "met_at", "done_at", "received")


class _Sub:
    """The update's occurrences in some replications of the batch (`reps`), each occurrence
    only where its bot comes; merge() writes them over the batch's."""

    def __init__(self, U, ids, model, reps, end, look, draws):
        plan = model.plan
        self.U, self.ids, self.reps, self.end, self.look = U, ids, reps, end, look
        self.ob = plan.procedure.obligations[U]
        self.role = self.ob.role
        self.every, self.first_dl = every_min(plan, U), first_deadline(plan, U)
        self.needs = look.needs[U]
        self.chains = plan.runtime.chains[U]
        self.to_list = recipients(plan, U)
        self.draws = draws
        m = len(reps)
        self.m = m
        self.times: dict[str, dict[str, np.ndarray]] = {}  # sid -> table -> times in reps
        self.sends: dict[str, list] = {}  # sid -> [(slot, to, via, sent, arrive, delivered)]
        self.got = {to: np.full(m, _INF) for to in self.to_list}
        self.void: dict[str, np.ndarray] = {}
        self.cross = np.zeros(m, dtype=bool)

    def holds(self, t: np.ndarray) -> np.ndarray:
        """`until` at t, from its changes (the same as looking at it then)."""
        now, latest = self.start_holds, np.full(len(t), -_INF)
        for m, h in self.changes:
            take = (m <= t) & (m >= latest)
            now = np.where(take, h, now)
            latest = np.where(take, m, latest)
        return now

    def run(self, t1_bot, changes, start_holds, r) -> None:
        from .fastpath import _report, _round, _slots, _whole  # fastpath imports this module

        self.changes, self.start_holds = changes, start_holds
        look, end, every, m = self.look, self.end, self.every, self.m
        until = start_holds is not None
        inf = np.full(m, _INF)
        t1 = t1_bot
        if until:  # its recurrence has already ended: nothing is owed
            t1 = np.where(self.holds(t1) & np.isfinite(t1), _INF, t1)
        role, chains, to_list, reps = self.role, self.chains, self.to_list, self.reps
        queues = look.queues
        queued = role in queues.queued
        line_count: dict[tuple, np.ndarray] = {}  # a line's messages so far
        # what shows a replication where the occurrences' messages may cross: per need, the
        # latest own cover of the occurrences before (that fell due); per line, its latest send
        cover_max = [np.full(m, -_INF) for _ in self.needs]
        line_last: dict[tuple, np.ndarray] = {}
        cross = self.cross
        busy = np.full(m, -_INF)  # until when the bots so far are at work
        prev, prev_deadline = None, inf
        for k, sid in enumerate(self.ids):
            t: dict[str, np.ndarray] = {}
            self.times[sid] = t
            if prev is None:
                trig_at, made = t1, t1_bot
                deadline = t1 + self.first_dl
                t["prio"] = t1_bot + self.first_dl
                rows = np.flatnonzero(np.isfinite(t1_bot))
                wait = t1_bot[rows]
            else:
                p = self.times[prev]
                on_time = p["met_at"] <= prev_deadline
                made = np.where(on_time, p["met_at"], prev_deadline)
                # counts from the stamped send time of the last, or from its stamped deadline
                trig_at = _round(np.where(on_time, p["done_at"], prev_deadline))
                ok = np.isfinite(p["due"]) & (made < end)
                if until:
                    ok &= ~self.holds(np.where(ok, made, 0.0))
                made = np.where(ok, made, _INF)
                trig_at = np.where(ok, trig_at, _INF)
                deadline = t["prio"] = trig_at + every
                rows = np.flatnonzero(ok)
                # a regular update is prepared towards its due time (Bot.work's timeout)
                mm, tr = made[rows], trig_at[rows]
                wait = mm + np.maximum(0.0, tr + every - every / 3 - mm)
            t["due"], t["made_at"] = trig_at, made
            if not len(rows):  # no bot in any of these: neither this occurrence nor a later
                for rest in self.ids[k:]:
                    self.times[rest] = {x: inf for x in _TIMES}
                    self.sends[rest] = []
                break
            # this occurrence where its bot comes (`rows`; in the batch `at`)
            at = reps[rows]
            d = self.draws[sid]
            dr = {x: d[x][at] for x in ("reaction", "work", "forgot", "pick")}
            dr["others"] = d["others"]
            asked = np.where(dr["forgot"], _INF, wait + dr["reaction"])
            asked = np.where(asked <= end, asked, _INF)
            t["asked"] = _spread(asked, rows, m)
            start_at = asked
            if queued:
                start_at = queues.start_where(sid, asked, at)
                # held back by the role's queue (the updates overlap): played again, where the
                # queue and the messages are followed together
                cross[rows] |= np.isfinite(start_at) & (start_at != asked)
            # a bot that asks while an earlier one is at work: the role's members may all be
            # busy (the role's queue is left to this: fastpath_queue.Queues), played again
            held = busy[rows]
            cross[rows] |= np.isfinite(asked) & (asked < held)
            a = start_at + dr["work"]
            a = np.where(a <= end, a, _INF)
            busy[rows] = np.maximum(held, np.where(np.isfinite(a), a, -_INF))
            t["act_at"] = _spread(a, rows, m)
            counts = {line: c[rows] for line, c in line_count.items()}

            def numbered(sender, to, via, slot, sent, sub, dr=dr, counts=counts, at=at):
                """fastpath._compute's message(): a line's message by its rank (over `sub`
                alone, `sent` too, unless None)."""
                if sub is None:
                    return ranked(sender, to, via, slot, sent, dr, counts, at)
                whole = np.full(len(at), _INF)
                whole[sub] = sent
                lat, fail = ranked(sender, to, via, slot, whole, dr, counts, at)
                return lat[sub], fail[sub]

            def ranked(sender, to, via, slot, sent, dr, counts, at):
                line = (sender, to, via)
                _oid, _to, c, p, i = slot
                seq = ([dr["others"][p]] if p >= 0 else []) + list(chains[c])
                before = counts.get(line)
                lat, fail = look.attempt(line, 1)
                lat, fail = lat[at], fail[at]
                skip = sum(1 for v in seq[:i] if v == via)
                if before is None and skip == 0:
                    return lat, look.outage(via, sent, fail)
                rank = (0 if before is None else before) + 1 + skip
                rank = np.broadcast_to(rank, sent.shape)
                for rk in np.unique(rank[np.isfinite(sent)]):
                    if rk != 1:
                        lat_r, fail_r = look.attempt(line, int(rk))
                        lat = np.where(rank == rk, lat_r[at], lat)
                        fail = np.where(rank == rk, fail_r[at], fail)
                return lat, look.outage(via, sent, fail)

            out = [
                _whole(msg, len(a))
                for msg in _report(sid, to_list, chains, dr, a, numbered, role, end)
            ]
            # its messages' slots, in the order of `out` (a wrong channel's branch only where
            # one of these replications picked it: fastpath._report)
            slots = [
                slot[1:]
                for slot, _via in _slots(sid, to_list, chains, dr["others"])
                if slot[3] < 0 or (dr["pick"] == slot[3]).any()
            ]
            fell = np.isfinite(trig_at[rows])
            no = np.full(len(rows), _INF)
            need_send, need_arrive = [], []
            crossed = np.zeros(len(rows), dtype=bool)
            for j, (to, group) in enumerate(self.needs):
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
            last = np.where(fell, np.max(need_arrive, axis=0), _INF)  # none due: meets nothing
            t["met_at"] = _spread(last, rows, m)
            sent_last = np.where(np.isfinite(last), np.max(need_send, axis=0), _INF)
            t["done_at"] = _spread(sent_last, rows, m)
            t["received"] = _spread(np.where(fell, np.min(need_arrive, axis=0), _INF), rows, m)
            sends = []
            span: dict[tuple, tuple] = {}  # a line's first and last send of this occurrence
            for slot, (to, via, sent, arrive, delivered) in zip(slots, out):
                line = (role, to, via)
                if line not in line_count:
                    line_count[line] = np.zeros(m, dtype=np.int64)
                line_count[line][rows] += np.isfinite(sent)
                got = self.got[to]
                got[rows] = np.minimum(got[rows], np.where(delivered, arrive, _INF))
                lo, hi = span.get(line, (no, np.full(len(rows), -_INF)))
                hi = np.maximum(hi, np.where(np.isfinite(sent), sent, -_INF))
                span[line] = (np.minimum(lo, sent), hi)
                on = np.zeros(m, dtype=bool)
                on[rows] = delivered
                sends.append((slot, to, via, _spread(sent, rows, m), _spread(arrive, rows, m), on))
            self.sends[sid] = sends
            for line, (lo, hi) in span.items():
                # the engine numbers a line's messages in the order they are sent
                before = line_last.get(line)
                if before is None:
                    before = line_last[line] = np.full(m, -_INF)
                was = before[rows]
                crossed |= np.isfinite(lo) & (lo <= was)
                before[rows] = np.maximum(was, hi)
            cross[rows] |= crossed
            prev, prev_deadline = sid, deadline
        # the occurrence open when `until` began to hold, its deadline not passed: void
        if until:
            for mo, h in changes:
                # `until` stops holding again after it held: the engine looks at each change
                cross |= np.isfinite(r) & np.isfinite(mo) & (mo > r) & ~h
            for k, sid in enumerate(self.ids):
                t = self.times[sid]
                later = self.times[self.ids[k + 1]]["made_at"] if k + 1 < len(self.ids) else inf
                dl = self.first_dl if k == 0 else every
                self.void[sid] = (
                    (t["made_at"] <= r)
                    & (later > r)
                    & (t["met_at"] > r)
                    & (_round(t["due"] + dl) > r + EPS)
                    & np.isfinite(r)
                )
        cross |= np.isfinite(self.times[self.ids[-1]]["made_at"])  # all the room used

    def merge(self, tab: Tables, got_last: dict | None, n: int) -> dict:
        """Write these replications' times over the batch's (new arrays: the fixed point
        compares the last pass's with these), the others' kept; each recipient's first
        delivery over the batch."""
        reps, whole = self.reps, self.m == n

        def over(old, new, fill=_INF):
            if whole:
                return new
            out = np.array(old if old is not None else np.full(n, fill))
            out[reps] = new
            return out

        for sid in self.ids:
            t = self.times[sid]
            for name in _TIMES:
                getattr(tab, name)[sid] = over(getattr(tab, name).get(sid), t[name])
            tab.done[sid] = tab.met_at[sid]
            if sid in self.void:
                tab.void[sid] = over(tab.void.get(sid), self.void[sid], False)
            # each message slot: these replications' sends over the others'
            old = dict(zip(tab.slots.get(sid, []), tab.sends.get(sid, []))) if not whole else {}
            new = {slot: rest for slot, *rest in self.sends[sid]}
            slots, sends = [], []
            for slot in [*old, *(s for s in new if s not in old)]:
                if slot in new:
                    to, via, s, a, dd = new[slot]
                else:
                    to, via = old[slot][:2]
                    s, a, dd = _INF, _INF, False
                before = old.get(slot)
                sends.append(
                    (
                        to,
                        via,
                        over(None if before is None else before[2], s),
                        over(None if before is None else before[3], a),
                        over(None if before is None else before[4], dd, False),
                    )
                )
                slots.append(slot)
            tab.slots[sid], tab.sends[sid] = slots, sends
        return {
            to: over(None if got_last is None else got_last[to], g) for to, g in self.got.items()
        }


def _spread(values: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """Values of some replications (`rows`) over the batch, inf in the others."""
    out = np.full(n, _INF)
    out[rows] = values
    return out
