"""payment_outage as a modeller would write it in plain SimPy: the yardstick for drillsim's speed.

Not a port of drillsim (that is benchmarks/reference_simpy.py, which copies the engine's design:
keyed BLAKE2b draws, generic trigger re-evaluation, a sub-process per report). This one is what
someone who knows SimPy would write for this one scenario and nothing else:

- one `numpy.random.Generator` per replication, drawn from in the order things happen (so there
  are no common random numbers between plan variants: a variant that changes one delay shifts
  every later draw);
- a `simpy.PriorityResource` per role for its members (priority = the duty's deadline), a
  `timeout` for every delay, one process per duty a role takes up;
- the procedure's logic written out as callbacks for this scenario ("when the report to
  operations is done and the event is declared level 1, operations activates the plan"), not
  read from the procedure's conditions; no event log, no agenda, no scoring beyond the statuses.

Same roles, messages, duties and outcomes as drillsim's bots (tests/test_plain_reference.py checks
that the on-time rates of every duty and the RTO rate agree with the engine's within Monte Carlo
error): the timeline and injects of scenarios/payment_outage.yaml; the duty supervisor verifies,
records and grades on the alert (misgrading with its error rate, 70% of the misgrades towards the
milder level), regrades when the event rises above the declared level, reports along the *declared*
level's path; each duty a reaction, a chance to forget, a member of the role, the work (tasks:
their distribution; reports and gradings: 1 min), then the action; messages along each channel's
alternatives (OA down 0-240 min, so written reports go by e-mail), up to 3 attempts, each with
its latency and failure rate, sometimes first on a wrong channel; operations activates the level-1
plan and notifies the groups; the technical group fails over (85%: restores the core system) and
isolates; coordination posts every 30 min until recovery; communication, legal and the statement;
the level-2 and level-3 follow-ups. Only the numbers are read from the procedure file.

    .venv/bin/python benchmarks/plain_simpy.py [-n 2000] [--seed 1]
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from statistics import NormalDist

import numpy as np
import simpy
import yaml

ROOT = Path(__file__).resolve().parent.parent
PROCEDURE = ROOT / "scenarios" / "procedures" / "abnormal_event_000.yaml"
END = 300.0
EPS = 1e-9
RTO = 120.0
_Z90 = NormalDist().inv_cdf(0.9)

# who reports what to whom: duty -> (recipients, via, every channel must be used)
REPORTS = {
    "report_l1_committee": (["emergency_committee"], ["phone", "oa"], True),
    "report_l1_ops": (["ops_dept"], ["phone", "oa"], True),
    "notify_groups": (
        ["technical_group", "coordination_group", "communication_group"],
        ["phone", "chat"],
        False,
    ),
    "report_l2": (["dept_head"], ["phone", "oa", "email"], False),
    "report_l2_vp": (["vp"], ["phone", "oa", "email"], False),
    "file_l2_with_ops": (["ops_dept"], ["oa", "email"], False),
    "report_l3": (["direct_supervisor"], ["oa"], False),
    "l3_progress_to_dept_head": (["dept_head"], ["oa", "email", "phone"], False),
    "coordination_updates": (["emergency_committee", "ops_dept"], ["chat"], False),
    "send_to_legal": (["legal_dept"], ["email", "oa", "phone"], False),
}
LEVEL_REPORTS = {
    1: ["report_l1_committee", "report_l1_ops"],
    2: ["report_l2", "report_l2_vp"],
    3: ["report_l3"],
}


class Params:
    """The numbers of abnormal_event_000: delays as numpy draw functions, rates, deadlines."""

    def __init__(self, path: Path = PROCEDURE):
        proc = yaml.safe_load(path.read_text(encoding="utf-8"))
        roles, channels = proc["roles"], proc["channels"]
        self.reaction = {r: self.dist(v["reaction"]) for r, v in roles.items()}
        self.members = {r: v.get("members", 1) for r, v in roles.items()}
        errors = {r: v.get("errors", {}) for r, v in roles.items()}
        self.forget = {r: e.get("forget", 0.0) for r, e in errors.items()}
        self.misgrade = {r: e.get("misgrade", 0.0) for r, e in errors.items()}
        self.wrong = {r: e.get("wrong_channel", 0.0) for r, e in errors.items()}
        self.channels = list(channels)
        self.latency = {c: (v["latency"]["low"], v["latency"]["high"]) for c, v in channels.items()}
        self.failure = {c: v.get("failure", 0.0) for c, v in channels.items()}
        self.alternatives = {c: v.get("alternatives", []) for c, v in channels.items()}
        self.success = {t: v.get("success", 1.0) for t, v in proc["tasks"].items()}
        self.role, self.deadline, self.work = {}, {}, {}
        for duty, ob in proc["obligations"].items():
            self.role[duty] = ob["role"]
            self.deadline[duty] = ob.get("deadline_min", 510.0)  # 18:00 from a 09:30 start
            act = ob["action"]
            task = act.get("task")
            self.work[duty] = self.dist(proc["tasks"][task]["work"]) if task else ("fixed", 1.0)
            if act["do"] == "task":
                self.work[duty] = (*self.work[duty], task)

    @staticmethod
    def dist(d: dict) -> tuple:
        if d["dist"] == "lognormal":
            return ("lognormal", math.log(d["median"]), math.log(d["p90"] / d["median"]) / _Z90)
        if d["dist"] == "triangular":
            return ("triangular", d["low"], d["mode"], d["high"])
        raise ValueError(d["dist"])


class Due:
    """A duty that fell due: its n-th occurrence, when, by when, done when, what was sent."""

    __slots__ = ("n", "at", "deadline", "done", "sent", "last")

    def __init__(self, n, at, deadline):
        self.n, self.at, self.deadline, self.done, self.sent, self.last = (
            n,
            at,
            deadline,
            None,
            set(),
            0.0,
        )


class Replication:
    def __init__(self, P: Params, rng: np.random.Generator):
        self.P, self.rng = P, rng
        self.env = env = simpy.Environment()
        self.staff = {r: simpy.PriorityResource(env, n) for r, n in P.members.items()}
        self.level, self.declared = 3, 0
        self.reached: set[str] = set()
        self.due: dict[str, list[Due]] = {}
        self.taken: set[str] = set()  # duties a role has taken up (once each)
        self.regraded_on = 0
        self.regrade_wanted = False
        self.restored_at = None

    # --- randomness: one generator, in the order things happen -------------------------------
    def draw(self, spec) -> float:
        kind = spec[0]
        if kind == "lognormal":
            return self.rng.lognormal(spec[1], spec[2])
        if kind == "triangular":
            return self.rng.triangular(spec[1], spec[2], spec[3])
        return spec[1]

    def chance(self, p) -> bool:
        return p > 0 and self.rng.random() < p

    # --- the scenario ------------------------------------------------------------------------------
    def run(self):
        self.env.process(self.script())
        self.env.run(until=END)
        return self

    def script(self):
        env = self.env
        self.arrive("duty_supervisor")  # the alert
        # 3 -> 2 at 30 min (core outage), 2 -> 1 at 70 min (5,200 customers); the media call at 130
        yield env.timeout(30)
        self.set_level(2)
        yield env.timeout(40)
        self.set_level(1)
        self.arrive("customer_service")
        yield env.timeout(60)
        self.arrive("communication_group")

    def set_level(self, level):
        self.level = level
        self.check_regrade()
        for duty in LEVEL_REPORTS[level]:
            self.fall_due(duty)

    def check_regrade(self):
        """A regrade falls due when the event rises above the declared level, and again at each
        further rise once the last one was made (even too mildly)."""
        wanted = self.declared != 0 and self.level < self.declared
        before, self.regrade_wanted = self.regrade_wanted, wanted
        if wanted and (not before or (self.done("regrade") and self.level != self.regraded_on)):
            self.fall_due("regrade")

    def done(self, duty) -> bool:
        occs = self.due.get(duty)
        return bool(occs) and occs[-1].done is not None

    def fall_due(self, duty, at=None, deadline=None):
        now = self.env.now
        occs = self.due.setdefault(duty, [])
        at = now if at is None else at
        occ = Due(len(occs) + 1, at, at + self.P.deadline[duty] if deadline is None else deadline)
        occs.append(occ)
        if duty == "regrade":
            self.regraded_on = self.level
            self.env.process(self.work(duty, occ.deadline, occ.n))
        elif duty == "coordination_updates":
            self.env.process(self.update_clock(occ.n))
        return occ

    def take_up(self, duty):
        """The role starts on a duty (once)."""
        if duty not in self.taken:
            self.taken.add(duty)
            self.env.process(self.work(duty, self.env.now + self.P.deadline[duty], 1))

    def arrive(self, role):
        if role in self.reached:
            return
        self.reached.add(role)
        if role == "duty_supervisor":
            for duty in ("verify", "initial_record", "mark_urgency"):
                self.fall_due(duty)
                self.take_up(duty)
            self.fall_due("report_l3")
        elif role == "coordination_group" and self.restored_at is None:  # until: recovered
            self.fall_due("coordination_updates")
            self.take_up("coordination_updates")
        elif role == "communication_group" and self.level == 1:
            self.fall_due("send_to_legal")
            if self.declared == 1:
                self.take_up("send_to_legal")
        elif role == "legal_dept" and self.level == 1:
            self.fall_due("legal_review")
            if self.declared == 1:
                self.take_up("legal_review")

    # --- a role at work on a duty -------------------------------------------------------------------
    def work(self, duty, deadline, n, wait_until=None):
        env, P = self.env, self.P
        role = P.role[duty]
        if wait_until is not None and wait_until > env.now:
            yield env.timeout(wait_until - env.now)
        yield env.timeout(self.draw(P.reaction[role]))
        if self.chance(P.forget[role]):
            return
        with self.staff[role].request(priority=deadline) as req:
            yield req
            occs = self.due.get(duty)
            if occs and occs[-1].n == n and occs[-1].done is not None:
                return  # someone else did it meanwhile
            spec = P.work[duty]
            yield env.timeout(self.draw(spec))
        if duty in REPORTS:
            self.report(role, duty)
        elif duty in ("mark_urgency", "regrade"):
            self.grade(role)
        else:
            self.task(duty, spec[-1])

    def first_open(self, duties, sent_at):
        for duty in duties:
            for occ in self.due.get(duty, ()):
                if occ.done is None and occ.at <= sent_at + EPS:
                    return duty, occ
        return None, None

    def met(self, duty, occ, at):
        occ.done = at
        env = self.env
        if duty == "report_l1_ops" and self.level == 1:
            self.fall_due("activate_l1_plan")
            self.fall_due("notify_groups")
            if self.declared == 1:
                self.take_up("activate_l1_plan")
                self.take_up("notify_groups")
        elif duty == "report_l2" and self.level == 2:
            self.fall_due("form_l2_team")
            self.fall_due("file_l2_with_ops")
            if self.declared == 2:
                self.take_up("form_l2_team")
                self.take_up("file_l2_with_ops")
        elif duty == "report_l3":
            for d in ("organize_l3_handling", "l3_progress_to_dept_head"):
                self.fall_due(d)
                self.take_up(d)
        elif duty == "activate_l1_plan":
            self.arrive("technical_group")  # the DR question in the chat group
            for d in ("failover_within_5", "isolate_within_10"):
                if d == "failover_within_5" and self.restored_at is not None:
                    continue
                self.fall_due(d)
                self.take_up(d)
        elif duty == "legal_review":
            self.fall_due("external_statement")
            self.take_up("external_statement")
        elif duty == "regrade":
            self.regraded_on = self.level
        elif duty == "coordination_updates" and self.restored_at is None and env.now < END:
            self.next_update(occ)

    # --- actions ------------------------------------------------------------------------------------
    def task(self, duty, task):
        ok = not self.chance(1.0 - self.P.success[task])
        tasks = [d for d in self.P.work if self.P.work[d][-1] == task]
        d, occ = self.first_open(tasks, self.env.now)
        if occ is not None:
            self.met(d, occ, self.env.now)
        if ok and task == "failover_dr" and self.restored_at is None:
            self.restored_at = self.env.now
            # the coordination updates end with the recovery: the one still open is void
            updates = self.due.get("coordination_updates")
            if updates and updates[-1].done is None:
                updates.pop()
                if not updates:
                    del self.due["coordination_updates"]

    def grade(self, role):
        level = self.level
        if self.chance(self.P.misgrade[role]):
            step = 1 if self.rng.random() < 0.7 else -1  # 70% towards the milder level
            if not 1 <= level + step <= 3:
                step = -step
            level += step
        self.declared = level
        d, occ = self.first_open(("mark_urgency", "regrade"), self.env.now)
        if occ is not None:
            self.met(d, occ, self.env.now)
        self.check_regrade()
        self.act_on_declared()

    def act_on_declared(self):
        """Roles go by the declared level: a misgrade sends them down the wrong path."""
        lv = self.declared
        for duty in LEVEL_REPORTS[lv]:
            self.take_up(duty)
        if lv == 1:
            if self.done("report_l1_ops"):
                self.take_up("activate_l1_plan")
                self.take_up("notify_groups")
            if "communication_group" in self.reached:
                self.take_up("send_to_legal")
            if "legal_dept" in self.reached:
                self.take_up("legal_review")
        elif lv == 2 and self.done("report_l2"):
            self.take_up("form_l2_team")
            self.take_up("file_l2_with_ops")

    def report(self, role, duty):
        P = self.P
        to, via, every = REPORTS[duty]
        if every:
            chains = [[c, *P.alternatives[c], c] for c in via]
        else:
            chains = [list(dict.fromkeys([*via, *(a for c in via for a in P.alternatives[c])]))]
        if self.chance(P.wrong[role]):
            allowed = {c for chain in chains for c in chain}
            others = [c for c in P.channels if c not in allowed]
            if others:
                pick = others[int(self.rng.random() * len(others))]
                chains = [[pick, *chain] for chain in chains]
        for recipient in to:
            for chain in chains:
                self.env.process(self.send(role, recipient, chain[:3]))

    def send(self, sender, to, chain):
        env, P = self.env, self.P
        for via in chain:
            sent_at = env.now
            lo, hi = P.latency[via]
            yield env.timeout(self.rng.uniform(lo, hi))
            failed = (via == "oa" and sent_at < 240) or self.chance(P.failure[via])
            if not failed:
                self.arrive(to)
                self.delivered(sender, to, via, sent_at)
                return

    def delivered(self, sender, to, via, sent_at):
        """The message counts towards its sender's earliest open report duty that it answers;
        the duty is met when every recipient has it (by phone and in writing where both are
        required), at the time the last of those messages was sent."""
        P = self.P
        for duty, (recipients, channels, every) in REPORTS.items():
            if P.role[duty] != sender or to not in recipients:
                continue
            need = None
            for c in channels:
                if via == c or via in P.alternatives[c]:
                    need = (to, c if every else "")
                    break
            if need is None:
                continue
            total = len(recipients) * (len(channels) if every else 1)
            for occ in self.due.get(duty, ()):
                if occ.done is not None or occ.at > sent_at + EPS or need in occ.sent:
                    continue
                occ.sent.add(need)
                occ.last = max(occ.last, sent_at)
                if len(occ.sent) == total:
                    self.met(duty, occ, occ.last)
                break

    # --- the coordination group's 30-minute updates ---------------------------------------------------
    def update_clock(self, n):
        """At an update's deadline, the next one falls due whether or not it was posted."""
        occ = self.due["coordination_updates"][n - 1]
        yield self.env.timeout(max(0.0, occ.deadline - self.env.now))
        occs = self.due.get("coordination_updates", ())
        if len(occs) == n and occs[-1] is occ and occ.done is None and self.restored_at is None:
            self.next_update(occ)

    def next_update(self, last):
        start = last.done if last.done is not None else last.deadline
        occ = self.fall_due("coordination_updates", at=start, deadline=start + 30.0)
        self.env.process(
            self.work("coordination_updates", occ.deadline, occ.n, wait_until=occ.deadline - 10.0)
        )

    # --- outcomes --------------------------------------------------------------------------------------
    def status(self, duty) -> str:
        occs = self.due.get(duty)
        if not occs:
            return "not_triggered"
        o = occs[0]
        if o.done is not None:
            return "hit" if o.done <= o.deadline + EPS else "late"
        return "open" if END < o.deadline - EPS else "missed"

    def rto_met(self) -> bool:
        return self.restored_at is not None and self.restored_at <= RTO + EPS


def replicate(P: Params, seed: int, i: int) -> Replication:
    return Replication(P, np.random.default_rng([seed, i])).run()


def main(argv=None):
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    P = Params()
    t = time.perf_counter()
    hits = rto = 0
    for i in range(args.n):
        r = replicate(P, args.seed, i)
        hits += r.status("report_l1_ops") == "hit"
        rto += r.rto_met()
    dt = time.perf_counter() - t
    print(
        f"plain SimPy: {args.n} replications in {dt:.2f} s = {args.n / dt:,.0f}/s; "
        f"P(report_l1_ops on time) {hits / args.n:.3f}; P(RTO met) {rto / args.n:.3f}"
    )


if __name__ == "__main__":
    sys.exit(main())
