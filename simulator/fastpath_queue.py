"""A role's queue on the fast path: where a role holds more duties than it has members, the
members take them in the engine's order (earliest deadline, then first to ask: bots._Members),
for all replications of a batch at once."""

from __future__ import annotations

import math

import numpy as np

_INF = math.inf


class Queues:
    """The roles of a batch that hold more duties than they have members (`queued`: role ->
    its duties), and where their queues held a duty back (`waited`: inf where it did not)."""

    def __init__(self, model, duties, kind_of, asked, prio, draws, inf) -> None:
        # kind_of: an occurrence's obligation (a regrade's, an update's)
        proc = model.plan.procedure
        queued: dict[str, list[str]] = {}
        for oid in duties:
            queued.setdefault(proc.obligations[kind_of.get(oid, oid)].role, []).append(oid)
        # a role whose duties are all a recurring update's occurrences is left to the update
        # (fastpath_updates: where its bots overlap, the replication is played again)
        updates = set(model.recurring)
        self.queued = {
            r: oids
            for r, oids in queued.items()
            if len(oids) > proc.roles[r].members
            and not all(kind_of.get(o) in updates for o in oids)
        }
        self.model, self.asked, self.prio, self.draws = model, asked, prio, draws
        self.waited: dict[str, np.ndarray] = {
            oid: inf for oids in self.queued.values() for oid in oids
        }
        self.memo: dict[str, tuple] = {}

    def start(self, role: str, oid: str) -> np.ndarray:
        """When a queued role's duty starts: where the queue worked out at the end of the last
        pass held it back, then; elsewhere when it asks. Worked out once a pass (settle)
        rather than after each duty: at the fixed point it is the queue of these very asks."""
        asked = self.asked
        w = self.waited.get(oid)
        return asked[oid] if w is None else np.where(np.isfinite(w), w, asked[oid])

    def start_where(self, oid: str, asked: np.ndarray, at: np.ndarray) -> np.ndarray:
        """start() in some replications of the batch (`at`), their asks given."""
        w = self.waited.get(oid)
        if w is None:
            return asked
        w = w[at]
        return np.where(np.isfinite(w), w, asked)

    def settle(self) -> None:
        for role, oids in self.queued.items():
            start = member_starts(
                self.model, role, oids, self.asked, self.prio, self.draws, self.memo
            )
            for oid in oids:
                self.waited[oid] = np.where(start[oid] > self.asked[oid], start[oid], _INF)


def member_starts(model, role, oids, asked, prios, draws, memo) -> dict:
    """When each of a role's duties starts its work: at once while a member is free; else, when
    one is released, the waiting duty with the earliest deadline (then the first to ask) goes
    on — bots._Members, non-preemptive, for all replications at once. Only the replications
    where the role's duties overlap more than its members are worked through; `memo` keeps the
    last answer per role (a pass that changes none of its duties' asks gets it again)."""
    plan = model.plan
    members = plan.procedure.roles[role].members
    ask = np.stack([asked[o] for o in oids])  # (k, n)
    prio = np.stack([prios[o] for o in oids])
    work = np.stack([draws[o].get("busy", draws[o]["work"]) for o in oids])
    last = memo.get(role)
    if last is not None and all(np.array_equal(x, y) for x, y in zip(last, (ask, prio, work))):
        return last[3]
    start = ask.copy()
    # a replication where some duty asks while another is in work is one where the role may
    # queue (with one member, is one where it queues); elsewhere each starts when it asks
    cols = np.flatnonzero(_overlap(ask, work))
    if members > 1 and len(cols):
        # there, where `members` others are in work when one asks (each started at its ask)
        sub_ask, sub_work = ask[:, cols], work[:, cols]
        busy = np.zeros(sub_ask.shape, dtype=np.int64)
        for j in range(len(oids)):
            hit = (sub_ask[j] <= sub_ask) & (sub_ask < sub_ask[j] + sub_work[j])
            hit[j] = False  # a duty does not wait for itself
            busy += hit
        cols = cols[((busy >= members) & np.isfinite(sub_ask)).any(axis=0)]
    if len(cols):
        start[:, cols] = queue_starts(ask[:, cols], prio[:, cols], work[:, cols], members)
    out = {o: start[i] for i, o in enumerate(oids)}
    memo[role] = (ask, prio, work, out)
    return out


def _overlap(ask: np.ndarray, work: np.ndarray) -> np.ndarray:
    """Per replication: does some duty ask (finite) while one that asked before it (in a tie,
    the one listed first) is still in work, each started at its ask."""
    k = len(ask)
    if k > 4:  # many duties: their asks sorted, each against the latest end before it
        by_ask = np.argsort(ask, axis=0, kind="stable")
        a_s = np.take_along_axis(ask, by_ask, 0)
        busy_until = np.maximum.accumulate(np.take_along_axis(ask + work, by_ask, 0), axis=0)
        return ((a_s[1:] < busy_until[:-1]) & np.isfinite(a_s[1:])).any(axis=0)
    # a few: pair by pair (a sort of so short columns costs more than all the pairs)
    out = np.zeros(ask.shape[1], dtype=bool)
    for i in range(k):
        for j in range(i + 1, k):
            first = ask[i] <= ask[j]  # i before j
            later = np.where(first, ask[j], ask[i])
            ends = np.where(first, ask[i] + work[i], ask[j] + work[j])
            out |= (later < ends) & np.isfinite(later)
    return out


def queue_starts(ask, prio, work, members) -> np.ndarray:
    k, n = ask.shape
    free = np.zeros((members, n))  # when each member is next free
    waiting = np.isfinite(ask)
    start = np.full((k, n), _INF)
    cols = np.arange(n)
    for _ in range(k):
        if not waiting.any():
            break
        m = free.argmin(axis=0)
        t_free = free[m, cols]
        queued = waiting & (ask <= t_free)
        any_queued = queued.any(axis=0)
        # among those waiting when the member frees: the earliest deadline, then the first
        # to ask; otherwise the next to ask, who finds the member free
        key_q = np.where(queued, prio, _INF)
        best_prio = key_q.min(axis=0)
        tie = queued & (prio == best_prio)
        pick_q = np.where(tie, ask, _INF).argmin(axis=0)
        pick_n = np.where(waiting, ask, _INF).argmin(axis=0)
        pick = np.where(any_queued, pick_q, pick_n)
        at = np.flatnonzero(waiting[pick, cols])  # where one is taken (indices: a mask's []
        p = pick[at]  # is slower, and it is used five times)
        s = np.maximum(ask[p, at], t_free[at])
        start[p, at] = s
        free[m[at], at] = s + work[p, at]
        waiting[p, at] = False
    return start
