"""A recurring update's occurrences in one replication, event by event as the engine plays
them: for the few replications of a batch where the occurrences' messages may cross
(fastpath_updates.recur finds them), with the batch's own draws and the times of everything
else as the batch computed them.

What it follows of the engine: Triggers._fall_due and _recur (an occurrence falls due when the
last was met or at its deadline, unless `until` holds or the run is over), _check_until (the
occurrence open when `until` comes to hold, its deadline not passed, is void), Bot.work (the
prepared wait, reaction, forgetting, a member of the role in order of deadline, the check that
the occurrence was met meanwhile, the work, the report over each chain, at most three tries),
Messages.send (a line's messages numbered in the order they are sent) and Agenda._message (a
delivered message meets the earliest open occurrence, fallen due by when it was sent, that
still lacks a need it fits).
"""

from __future__ import annotations

import heapq
import math
from typing import Any

import numpy as np

from .limits import EPS
from .stamps import stamp

_INF = math.inf
_MAX_ATTEMPTS = 3  # bots._MAX_ATTEMPTS


class _Occurrence:
    __slots__ = ("k", "due", "deadline_at", "made", "sent", "done_at", "met_at", "received")

    def __init__(self, k: int, due: float, deadline_at: float, made: float):
        self.k, self.due, self.deadline_at, self.made = k, due, deadline_at, made
        self.sent: dict[int, float] = {}
        self.done_at = _INF
        self.met_at = _INF
        self.received = _INF


def replay(U: str, ids: list[str], model, end: float, tab, look, reps, got_all, t1_bot) -> None:
    """Play replications `reps` again and write their results over the batch's (tab, got_all,
    in place; the arrays copied first, since one array may stand for several)."""
    from .fastpath import _index  # not at the top: fastpath imports fastpath_updates
    from .fastpath_updates import every_min, first_deadline, recipients

    plan = model.plan
    ob = plan.procedure.obligations[U]
    role = ob.role
    members = plan.procedure.roles[role].members
    until = model.until.get(U)
    # `until` per replication: whether it holds from the start, and its value after each
    # change of what it reads
    h0: Any = None
    changes: list = []
    if until is not None:
        h0 = until.table[_index(until, np.full(len(t1_bot), -1.0), look.value_at)]
        for m in look.moments(until):
            m = np.broadcast_to(m, t1_bot.shape)
            changes.append((m, until.table[_index(until, m, look.value_at)]))
    chains = plan.runtime.chains[U]
    to_list = recipients(plan, U)
    needs = look.needs[U]
    every, first_dl = every_min(plan, U), first_deadline(plan, U)
    n = len(t1_bot)
    seen: set[int] = set()

    def own(a, dtype=float):
        """The array itself, or a copy where it also stands for another (inf for several)."""
        if id(a) in seen or np.ndim(a) == 0:
            a = np.array(np.broadcast_to(a, (n,)), dtype=dtype)
        seen.add(id(a))
        return a

    for name in ("due", "made_at", "prio", "asked", "act_at", "done_at", "received"):
        table = getattr(tab, name)
        for sid in ids:
            table[sid] = own(table[sid])
    for sid in ids:
        tab.done[sid] = tab.met_at[sid] = own(tab.met_at[sid])  # met when done, for a report
        tab.void[sid] = own(tab.void.get(sid, np.zeros(n, bool)), bool)
        tab.sends[sid] = [
            (to, via, own(s), own(a), own(d, bool)) for to, via, s, a, d in tab.sends[sid]
        ]
    for to in list(got_all):
        got_all[to] = own(got_all[to])
    for i in reps.tolist():
        if until is None:
            timeline: list[tuple[float, bool]] = []
            start_holds = False
        else:
            timeline = sorted((float(m[i]), bool(h[i])) for m, h in changes if math.isfinite(m[i]))
            start_holds = bool(h0[i])
        _Play(
            i,
            U,
            ids,
            role,
            members,
            end,
            every,
            first_dl,
            chains,
            to_list,
            needs,
            tab,
            look,
            timeline,
            start_holds,
        ).run(float(t1_bot[i]), got_all)


class _Play:
    """One replication's occurrences of the update, played as the engine plays them."""

    def __init__(
        self,
        i,
        U,
        ids,
        role,
        members,
        end,
        every,
        first_dl,
        chains,
        to_list,
        needs,
        tab,
        look,
        timeline,
        start_holds,
    ):
        self.i, self.U, self.ids, self.role = i, U, ids, role
        self.end, self.every, self.first_dl = end, every, first_dl
        self.chains, self.to_list, self.needs = chains, to_list, needs
        self.tab, self.look = tab, look
        self.timeline, self.start_holds = timeline, start_holds
        self.queue: list = []  # (time, order, seq, callback, args)
        self.seq = 0
        self.free = members
        self.waiting: list = []  # (deadline, asked, k)
        self.asked_n = 0
        self.duties: list[_Occurrence] = []  # not void, in the order they fell due
        self.open: list[_Occurrence] = []
        self.lines: dict[tuple, int] = {}
        self.deadline: dict[int, float] = {}  # each bot's deadline (its priority)
        self.void: set[int] = set()
        self.made_duties: dict[int, _Occurrence] = {}  # every occurrence made, void ones too
        self.got: dict[str, float] = {}
        # per occurrence: its bot's messages by slot, (sent, arrival, delivered)
        self.sent: dict[int, dict[tuple, tuple]] = {}
        self.made: dict[int, float] = {}
        self.asked: dict[int, float] = {}
        self.acted: dict[int, float] = {}
        self.via: dict[tuple, str] = {}  # each message slot's channel

    # --- the event queue --------------------------------------------------------------------

    def at(self, t: float, fn, *args, order: int = 1) -> None:
        if t <= self.end:
            self.seq += 1
            heapq.heappush(self.queue, (t, order, self.seq, fn, args))

    def holds(self, t: float) -> bool:
        """`until` at t (after the changes at t)."""
        now = self.start_holds
        for m, h in self.timeline:
            if m > t:
                break
            now = h
        return now

    def run(self, t1: float, got_all: dict) -> None:
        if math.isfinite(t1):
            self.at(t1, self.fall_due, t1)
        for m, h in self.timeline:
            if h:
                self.at(m, self.check_until, m, order=0)  # Triggers.evaluate looks first
        while self.queue:
            t, _o, _s, fn, args = heapq.heappop(self.queue)
            fn(t, *args)
        self.write(got_all)

    # --- Triggers ---------------------------------------------------------------------------

    def latest(self) -> _Occurrence | None:
        return self.duties[-1] if self.duties else None

    def fall_due(self, now: float, t1: float) -> None:
        deadline = now + self.first_dl
        if not self.holds(now):
            self.make(1, stamp(now), stamp(deadline), now, deadline)
        self.assign(1, now, deadline)  # the bot takes it up on the trigger (_check_belief)

    def make(self, k: int, due: float, deadline_at: float, now: float, deadline: float) -> None:
        if k > len(self.ids):
            from .fastpath import NotModelled, _ob

            raise NotModelled([("fp_recurs", {"what": _ob(self.U)})])
        duty = _Occurrence(k, due, deadline_at, now)
        self.made_duties[k] = duty
        self.duties.append(duty)
        self.open.append(duty)
        self.made[k] = now
        self.at(now + (deadline - now), self.recur, k)

    def recur(self, now: float, k: int) -> None:
        latest = self.latest()
        if latest is None or latest.k != k or self.holds(now) or now >= self.end:
            return
        start = latest.done_at if math.isfinite(latest.done_at) else latest.deadline_at
        deadline = start + self.every
        self.make(k + 1, stamp(start), stamp(deadline), now, deadline)
        self.assign(k + 1, now, deadline)

    def check_until(self, now: float, _m: float) -> None:
        duty = self.latest()
        if duty is None or math.isfinite(duty.done_at) or duty.deadline_at <= now + EPS:
            return
        if self.holds(now):
            self.void.add(duty.k)
            self.duties.remove(duty)
            self.open.remove(duty)

    # --- the bot ----------------------------------------------------------------------------

    def draw(self, k: int, name: str):
        return self.tab.draws[self.ids[k - 1]][name][self.i]

    def assign(self, k: int, now: float, deadline: float) -> None:
        self.deadline[k] = deadline
        wait = now
        if k > 1:  # a regular update is prepared towards its due time
            wait = now + max(0.0, deadline - self.every / 3 - now)
        self.at(wait + float(self.draw(k, "reaction")), self.ask, k)

    def ask(self, now: float, k: int) -> None:
        if self.draw(k, "forgot"):
            return
        self.asked[k] = now
        if self.free and not self.waiting:
            self.free -= 1
            self.take_up(now, k)
        else:
            self.asked_n += 1
            heapq.heappush(self.waiting, (self.deadline[k], self.asked_n, k))

    def release(self, now: float) -> None:
        if self.waiting:
            k = heapq.heappop(self.waiting)[2]
            self.at(now, self.take_up, k)  # the member goes straight on to it
        else:
            self.free += 1

    def take_up(self, now: float, k: int) -> None:
        duty = self.latest()
        if duty is not None and duty.k == k and math.isfinite(duty.done_at):
            self.release(now)  # somebody else met it meanwhile
            return
        self.at(now + float(self.draw(k, "work")), self.worked, k)

    def worked(self, now: float, k: int) -> None:
        self.release(now)
        self.acted[k] = now
        d = self.tab.draws[self.ids[k - 1]]
        pick = int(d["pick"][self.i])
        for to in self.to_list:
            for c, chain in enumerate(self.chains):
                seq = ([d["others"][pick]] if pick >= 0 else []) + list(chain)
                self.send(now, k, to, c, pick, seq[:_MAX_ATTEMPTS], 0)

    # --- messages and the agenda ------------------------------------------------------------

    def send(self, now: float, k: int, to: str, c: int, p: int, seq: list, j: int) -> None:
        via = seq[j]
        key = (self.role, to, via)
        rank = self.lines[key] = self.lines.get(key, 0) + 1
        lat, fail = self.look.attempt(key, rank)
        i = self.i
        failed = bool(self.look.outage(via, np.array([now]), np.array([bool(fail[i])]))[0])
        arrive = now + float(lat[i])
        arrive_in = arrive if arrive <= self.end else _INF
        self.via[(to, c, p, j)] = via
        self.sent.setdefault(k, {})[(to, c, p, j)] = (
            now,
            arrive_in,
            not failed and arrive <= self.end,
        )
        self.at(arrive, self.arrived, k, to, c, p, seq, j, now, failed)

    def arrived(self, now, k, to, c, p, seq, j, sent, failed) -> None:
        if not failed:
            self.got[to] = min(self.got.get(to, _INF), now)
            self.deliver(now, to, seq[j], stamp(sent))
        elif j + 1 < len(seq):
            self.send(now, k, to, c, p, seq, j + 1)

    def deliver(self, now: float, to: str, via: str, sent_at: float) -> None:
        for duty in self.open:
            if duty.due > sent_at + EPS:
                continue
            hit = False
            for n, (recipient, channels) in enumerate(self.needs):
                if recipient == to and n not in duty.sent and via in channels:
                    duty.sent[n] = sent_at
                    hit = True
            if not hit:
                continue
            duty.received = min(duty.received, now)
            if len(duty.sent) == len(self.needs):
                duty.done_at, duty.met_at = max(duty.sent.values()), now
                self.open.remove(duty)
                self.recur(now, duty.k)  # Triggers._on_met
            return  # one message answers one occurrence of the obligation

    # --- the results, over the batch's ---------------------------------------------------------

    def write(self, got_all: dict) -> None:
        tab, i = self.tab, self.i
        for k, sid in enumerate(self.ids, 1):
            duty = self.made_duties.get(k)
            tab.made_at[sid][i] = self.made.get(k, _INF)
            tab.void[sid][i] = k in self.void
            tab.due[sid][i] = duty.due if duty is not None else _INF
            tab.prio[sid][i] = self.deadline.get(k, _INF)
            tab.asked[sid][i] = self.asked.get(k, _INF)
            tab.act_at[sid][i] = self.acted.get(k, _INF)
            met = duty.met_at if duty is not None else _INF
            tab.done[sid][i] = tab.met_at[sid][i] = met
            tab.done_at[sid][i] = duty.done_at if duty is not None else _INF
            tab.received[sid][i] = duty.received if duty is not None else _INF
            mine = self.sent.get(k, {})
            slots = tab.slots[sid]
            for (_to, _via, s, a, d), slot in zip(tab.sends[sid], slots):
                s[i], a[i], d[i] = mine.pop(slot, (_INF, _INF, False))
            for slot, (sent, arrive, delivered) in mine.items():  # a slot no other replication has
                n = len(tab.due[sid])
                s, a, d = np.full(n, _INF), np.full(n, _INF), np.zeros(n, dtype=bool)
                s[i], a[i], d[i] = sent, arrive, delivered
                tab.sends[sid].append((slot[0], self.via[slot], s, a, d))
                slots.append(slot)
        for to in got_all:
            got_all[to][i] = self.got.get(to, _INF)
