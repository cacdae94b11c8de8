"""A bare-SimPy reference model of the payment_outage scenario, written directly against SimPy.

The yardstick for drillsim's engine (benchmarks/bench_engine.py): the same incident played by the
same simulated roles with the same delays, but hand-written for this one scenario — no YAML-driven
model, no condition language, no event log, no agenda. Only the numbers are read from the
procedure file (scenarios/procedures/abnormal_event_000.yaml, plain yaml.safe_load): each role's
reaction (lognormal by median/p90), members and error rates, each task's work (triangular) and
success, each channel's latency (uniform), failure rate and alternatives, each duty's deadline.

What it models, as drillsim's bots play it:
- the timeline and injects of scenarios/payment_outage.yaml (level 3 -> 2 at 30 min -> 1 at 70 min
  from customers affected; OA down 0-240 min; complaints, media call);
- the duty supervisor verifies, records and grades on receipt of the alert, regrades when the level
  rises above what was declared, and again at each further rise once a regrade was made
  rises, and reports along the level's path (level 3: direct supervisor by OA; level 2: VP and
  department head; level 1: emergency committee and operations by phone + written report);
- roles act on the *declared* level (a misgrade sends them down the wrong path), grading duties on
  the facts; each duty: reaction delay, a chance to forget it, a member of the role (priority by
  deadline), the work, then the action;
- reports go along each channel's alternatives (OA outage -> e-mail), up to 3 attempts per message,
  each with its latency and chance of failure, and sometimes first on a wrong channel;
- operations activates the level-1 plan and notifies the groups; the technical group fails over
  to DR (85% success, which restores the core system) and isolates the fault; coordination posts
  updates every 30 min until recovery; communication sends the statement to legal, legal reviews,
  communication publishes;
- the level-3 and level-2 follow-ups (direct supervisor, department head).

Randomness is per element, as in drillsim (simulator/rng.py), written out here: every draw mixes
the replication's 64-bit root (from its SeedSequence) with a 64-bit id of the element's key
("reaction", role, duty, incident, n …; a BLAKE2b of its text, once per key) by splitmix64's
finaliser, mapped through the inverse CDF. With the same keys, a replication of this model and of
drillsim with the same seed draw the same numbers.

    .venv/bin/python benchmarks/reference_simpy.py [-n 2000] [--seed 1]
"""

from __future__ import annotations

import hashlib
import math
import sys
import time
from pathlib import Path
from statistics import NormalDist

import numpy as np
import simpy
import yaml
from numpy.random import SeedSequence

ROOT = Path(__file__).resolve().parent.parent
PROCEDURE = ROOT / "scenarios" / "procedures" / "abnormal_event_000.yaml"
INC = "main"
END = 300.0
EPS = 1e-9
_inv = NormalDist().inv_cdf
_Z90 = NormalDist().inv_cdf(0.9)
_blake2b = hashlib.blake2b
_M64, _C1, _C2 = 0xFFFFFFFFFFFFFFFF, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_IDS: dict[tuple, int] = {}  # a draw's key -> its 64-bit id, once per process


# --- the numbers, from the procedure file ------------------------------------------------------------


def inverse_cdf(d: dict):
    kind = d["dist"]
    if kind == "fixed":
        v = float(d["value"])
        return lambda u: v
    if kind == "uniform":
        lo, span = float(d["low"]), float(d["high"]) - float(d["low"])
        return lambda u: lo + span * u
    if kind == "triangular":
        a, c, b = float(d["low"]), float(d["mode"]), float(d["high"])
        cut = (c - a) / (b - a)
        return lambda u: (
            a + math.sqrt(u * (b - a) * (c - a))
            if u < cut
            else b - math.sqrt((1 - u) * (b - a) * (b - c))
        )
    if kind == "lognormal":
        mu, sigma = math.log(d["median"]), math.log(d["p90"] / d["median"]) / _Z90
        return lambda u: math.exp(mu + sigma * _inv(u))
    if kind == "exponential":
        m = float(d["mean"])
        return lambda u: -m * math.log(1.0 - u)
    raise ValueError(kind)


class Params:
    """Delays, error rates, capacities and deadlines of abnormal_event_000, read once."""

    def __init__(self, path: Path = PROCEDURE):
        proc = yaml.safe_load(path.read_text(encoding="utf-8"))
        one = inverse_cdf({"dist": "fixed", "value": 1})
        self.roles = list(proc["roles"])
        self.reaction = {
            r: inverse_cdf(v.get("reaction", {"dist": "fixed", "value": 1}))
            for r, v in proc["roles"].items()
        }
        self.members = {r: int(v.get("members", 1)) for r, v in proc["roles"].items()}
        self.forget = {
            r: float(v.get("errors", {}).get("forget", 0)) for r, v in proc["roles"].items()
        }
        self.misgrade = {
            r: float(v.get("errors", {}).get("misgrade", 0)) for r, v in proc["roles"].items()
        }
        self.wrong = {
            r: float(v.get("errors", {}).get("wrong_channel", 0)) for r, v in proc["roles"].items()
        }
        self.channels = list(proc["channels"])
        self.latency = {
            c: inverse_cdf(v.get("latency", {"dist": "fixed", "value": 0.5}))
            for c, v in proc["channels"].items()
        }
        self.failure = {c: float(v.get("failure", 0)) for c, v in proc["channels"].items()}
        self.alternatives = {
            c: list(v.get("alternatives", [])) for c, v in proc["channels"].items()
        }
        tasks = proc["tasks"]
        self.success = {t: float(v.get("success", 1)) for t, v in tasks.items()}
        self.duties = {}
        for oid, ob in proc["obligations"].items():
            act = ob["action"]
            work = inverse_cdf(tasks[act["task"]]["work"]) if act["do"] == "task" else one
            if act["do"] == "report":
                if act.get("via_mode", "any") == "all":
                    chains = [[c, *self.alternatives[c], c] for c in act["via"]]
                    groups = [{c, *self.alternatives[c]} for c in act["via"]]
                else:
                    chain = list(
                        dict.fromkeys(
                            [*act["via"], *(a for c in act["via"] for a in self.alternatives[c])]
                        )
                    )
                    chains, groups = [chain], [set(chain)]
                needs = [(r, g) for r in act["to"] for g in groups]
            else:
                chains, needs = [], []
            self.duties[oid] = {
                "role": ob["role"],
                "do": act["do"],
                "task": act.get("task"),
                "to": act.get("to", []),
                "chains": chains,
                "needs": needs,
                "work": work,
                "deadline": ob.get("deadline_min"),
                "every": ob.get("every_min"),
                "retrigger": bool(ob.get("retrigger")),
                "grading": act["do"] == "grade",
            }


# --- one replication ----------------------------------------------------------------------------------


def level_of(a: dict) -> int:
    """The procedure's grading rules for the attributes this scenario moves."""
    if (
        a["core"] > 120
        or a["customers"] > 5000
        or a["complaints"] >= 200
        or a["media"] == "negative"
    ):
        return 1
    if 30 <= a["core"] <= 120 or 1000 <= a["customers"] <= 5000 or 50 <= a["complaints"] < 200:
        return 2
    return 3


class Occ:
    __slots__ = ("n", "trig", "deadline", "done", "sent")

    def __init__(self, n, trig, deadline):
        self.n, self.trig, self.deadline, self.done, self.sent = n, trig, deadline, None, {}


class Replication:
    def __init__(self, P: Params, seed):
        self.P = P
        ss = seed if isinstance(seed, SeedSequence) else SeedSequence(int(seed))
        self.root = int(ss.generate_state(1, np.uint64)[0])
        self.env = env = simpy.Environment()
        self.attrs = {
            "core": 0,
            "customers": 120,
            "complaints": 3,
            "media": "none",
            "recovered": False,
        }
        self.level, self.declared = 3, 0
        self.reached: set[str] = set()
        self.oa_down = False
        self.down, self.restored_at = True, None  # the core system is down from the start
        self.occ: dict[str, list[Occ]] = {}  # duties that fell due (the facts)
        self.seen_truth: dict[str, bool] = {}
        self.regraded_on = None  # the level the regrade duty last fell due or was met on
        self.draws_at: dict[int, int] = {}  # regrade occurrences at each level
        self.seen_belief: dict[str, bool] = {}
        self.belief_n: dict[str, int] = {}
        self.bot_has: set[str] = set()
        self.attempts: dict[tuple, int] = {}
        self.injected: set[str] = set()
        self.members = {r: simpy.PriorityResource(env, capacity=P.members[r]) for r in P.roles}
        self.messages = 0
        self.dirty = {"all"}
        self.order = {d: i for i, d in enumerate(P.duties)}
        # triggers: (facts) -> bool, with lv the level the reader goes by
        done = self.done
        R = self.reached
        self.triggers = {
            "verify": lambda lv: "duty_supervisor" in R,
            "initial_record": lambda lv: "duty_supervisor" in R,
            "mark_urgency": lambda lv: "duty_supervisor" in R,
            "regrade": lambda lv: self.declared != 0 and self.level < self.declared,
            "report_l1_committee": lambda lv: lv == 1 and "duty_supervisor" in R,
            "report_l1_ops": lambda lv: lv == 1 and "duty_supervisor" in R,
            "activate_l1_plan": lambda lv: lv == 1 and self.received("report_l1_ops"),
            "notify_groups": lambda lv: lv == 1 and self.received("report_l1_ops"),
            "report_l2": lambda lv: lv == 2 and "duty_supervisor" in R,
            "report_l2_vp": lambda lv: lv == 2 and "duty_supervisor" in R,
            "form_l2_team": lambda lv: lv == 2 and done("report_l2"),
            "file_l2_with_ops": lambda lv: lv == 2 and done("report_l2"),
            "report_l3": lambda lv: lv == 3 and "duty_supervisor" in R,
            "organize_l3_handling": lambda lv: done("report_l3"),
            "l3_progress_to_dept_head": lambda lv: done("report_l3"),
            "coordination_updates": lambda lv: (
                "coordination_group" in R and not self.attrs["recovered"]  # until: recovered
            ),
            "legal_review": lambda lv: lv == 1 and "legal_dept" in R,
            "external_statement": lambda lv: done("legal_review"),
            "send_to_legal": lambda lv: lv == 1 and "communication_group" in R,
            "failover_within_5": lambda lv: (
                done("activate_l1_plan") and not self.attrs["recovered"]
            ),
            "isolate_within_10": lambda lv: done("activate_l1_plan"),
        }

    # randomness by element
    def u(self, *key) -> float:
        kid = _IDS.get(key)
        if kid is None:
            text = "|".join(map(str, key)).encode()
            kid = _IDS[key] = int.from_bytes(_blake2b(text, digest_size=8).digest(), "little")
        z = self.root ^ kid
        z = ((z ^ (z >> 30)) * _C1) & _M64
        z = ((z ^ (z >> 27)) * _C2) & _M64
        return (((z ^ (z >> 31)) >> 11) + 0.5) * 2.0**-53

    def chance(self, p, *key) -> bool:
        return p > 0 and self.u(*key) < p

    def received(self, duty) -> bool:
        """A part of the duty's latest occurrence has reached its recipient (the first receipt)."""
        occs = self.occ.get(duty)
        return bool(occs) and bool(occs[-1].sent)

    def done(self, duty) -> bool:
        occs = self.occ.get(duty)
        return bool(occs) and occs[-1].done is not None

    # --- the script -------------------------------------------------------------------------------
    def run(self):
        env = self.env
        env.process(self.script())
        env.run(until=END)
        return self

    def script(self):
        env = self.env
        self.oa_down = True
        self.inject("alert", ["duty_supervisor"])
        self.evaluate()
        for t, change, inject in (
            (10, {"core": 10, "customers": 400}, None),
            (25, {"complaints": 30}, ("complaints", ["duty_supervisor"])),
            (30, {"core": 30, "customers": 900}, None),
            (40, None, ("forty_minutes", ["duty_supervisor"])),
            (60, {"core": 60, "customers": 2600}, None),
            (
                70,
                {"customers": 5200, "complaints": 120},
                ("customer_surge", ["duty_supervisor", "customer_service"]),
            ),
            (90, {"core": 90}, None),
            (95, None, ("ops_chases", ["duty_supervisor"])),
            (121, {"core": 121}, None),
            (130, {"media": "negative"}, ("media_call", ["communication_group"])),
            (180, {"core": 180}, None),
            (240, None, None),
        ):
            yield env.timeout(t - env.now)
            if t == 240:
                self.oa_down = False
                continue
            timeline = inject is None  # timeline steps stop once the core system is back
            if inject is not None:
                if inject[0] == "ops_chases" and self.done("report_l1_ops"):
                    continue
                self.inject(*inject)
            if change is not None and not (
                timeline and self.restored_at is not None and "core" in change
            ):
                self.set(change)
            self.evaluate()

    def inject(self, name, to):
        self.injected.add(name)
        self.reach(to)

    def reach(self, roles):
        for r in roles:
            if r not in self.reached:
                self.reached.add(r)
                self.dirty.add("reached:" + r)

    def set(self, change):
        self.attrs.update(change)
        level = level_of(self.attrs)
        if level != self.level:
            self.level = level
            self.dirty.add("level")

    # --- duties ----------------------------------------------------------------------------------------
    # Which duties' triggers read which fact (written out by hand for this scenario), so a change
    # re-evaluates only those: on the facts for falling due, on the declared level for the bots.
    _L = [
        "regrade",
        "report_l1_committee",
        "report_l1_ops",
        "activate_l1_plan",
        "notify_groups",
        "report_l2",
        "report_l2_vp",
        "form_l2_team",
        "file_l2_with_ops",
        "report_l3",
        "legal_review",
        "send_to_legal",
    ]
    READS = {
        "reached:duty_supervisor": [
            "verify",
            "initial_record",
            "mark_urgency",
            "report_l1_committee",
            "report_l1_ops",
            "report_l2",
            "report_l2_vp",
            "report_l3",
        ],
        "reached:coordination_group": ["coordination_updates"],
        "reached:legal_dept": ["legal_review"],
        "reached:communication_group": ["send_to_legal"],
        "done:report_l1_ops": ["activate_l1_plan", "notify_groups"],
        "done:report_l2": ["form_l2_team", "file_l2_with_ops"],
        "done:report_l3": ["organize_l3_handling", "l3_progress_to_dept_head"],
        "done:legal_review": ["external_statement"],
        "done:activate_l1_plan": ["failover_within_5", "isolate_within_10"],
        "recovered": ["failover_within_5", "coordination_updates"],
    }
    TRUTH = {**READS, "level": _L, "declared": ["regrade"]}
    BELIEF = {**READS, "declared": [d for d in _L if d != "regrade"]}

    def touch(self, fact):
        self.dirty.add(fact)

    def evaluate(self):
        """Duties fall due on the facts; bots take up theirs on what was declared. Until nothing changes."""
        P = self.P
        order = self.order
        while self.dirty:
            facts, self.dirty = self.dirty, set()
            if "all" in facts:
                truth = belief = list(self.triggers)
            else:
                truth = sorted(
                    {d for f in facts for d in self.TRUTH.get(f, ())}, key=order.__getitem__
                )
                belief = sorted(
                    {d for f in facts for d in self.BELIEF.get(f, ())}, key=order.__getitem__
                )
            for duty in truth:
                spec = P.duties[duty]
                now = self.triggers[duty](self.level)
                before = self.seen_truth.get(duty, False)
                self.seen_truth[duty] = now
                if now and not before and (duty not in self.occ or spec["retrigger"]):
                    self.fall_due(duty, len(self.occ.get(duty, ())) + 1)
                elif (
                    now
                    and duty == "regrade"
                    and self.done("regrade")
                    and self.level != self.regraded_on
                ):
                    self.fall_due(
                        duty, len(self.occ[duty]) + 1
                    )  # a further rise: retrigger_on level
            for duty in belief:
                spec = P.duties[duty]
                if spec["grading"]:
                    continue
                now = self.triggers[duty](self.declared)
                before = self.seen_belief.get(duty, False)
                self.seen_belief[duty] = now
                if now and not before:
                    n = self.belief_n.get(duty, 0)
                    if n and not spec["retrigger"]:
                        continue
                    self.belief_n[duty] = n + 1
                    self.assign(duty, n + 1, self.deadline(duty))
            if (
                "done:activate_l1_plan" in facts
                and "dr_question" not in self.injected
                and self.done("activate_l1_plan")
            ):
                self.inject("dr_question", ["technical_group"])

    def deadline(self, duty):
        spec = self.P.duties[duty]
        if spec["deadline"] is not None:
            return self.env.now + spec["deadline"]
        return 510.0 if duty == "l3_progress_to_dept_head" else math.inf  # 18:00 from a 09:30 start

    def fall_due(self, duty, n, trig=None, deadline=None):
        spec = self.P.duties[duty]
        occ = Occ(
            n,
            self.env.now if trig is None else trig,
            self.deadline(duty) if deadline is None else deadline,
        )
        self.occ.setdefault(duty, []).append(occ)
        self.dirty.add("done:" + duty)
        if duty == "regrade":
            self.regraded_on = self.level
        if spec["every"]:
            self.later(occ.deadline - self.env.now, lambda: self.recur(duty, n))
        if spec["grading"] or (n > 1 and duty in self.bot_has and spec["every"]):
            self.assign(duty, n, occ.deadline)

    def later(self, delay, fn):
        def fire(_):
            fn()
            self.evaluate()

        self.env.timeout(max(0.0, delay)).callbacks.append(fire)

    def recur(self, duty, n):
        occs = self.occ.get(duty)
        if not occs or occs[-1].n != n or self.attrs["recovered"] or self.env.now >= END:
            return
        last = occs[-1]
        start = last.done if last.done is not None else last.deadline
        self.fall_due(duty, n + 1, trig=start, deadline=start + self.P.duties[duty]["every"])

    def met(self, duty, occ, t):
        occ.done = t
        self.dirty.add("done:" + duty)
        if duty == "regrade":
            self.regraded_on = self.level
        if self.P.duties[duty]["every"]:
            self.recur(duty, occ.n)

    def assign(self, duty, n, deadline):
        self.bot_has.add(duty)
        draw = n
        if self.P.duties[duty]["retrigger"]:  # draws keyed by the level it answers (regrade)
            k = self.draws_at[self.level] = self.draws_at.get(self.level, 0) + 1
            draw = f"L{self.level}.{k}"
        self.env.process(self.work(self.P.duties[duty]["role"], duty, n, deadline, draw))

    def work(self, role, duty, n, deadline, draw):
        env, P, spec = self.env, self.P, self.P.duties[duty]
        if n > 1 and spec["every"]:
            yield env.timeout(max(0.0, deadline - spec["every"] / 3 - env.now))
        yield env.timeout(P.reaction[role](self.u("reaction", role, duty, INC, draw)))
        if self.chance(P.forget[role], "forget", role, duty, INC, draw):
            return
        with self.members[role].request(priority=deadline) as req:
            yield req
            occs = self.occ.get(duty)
            if occs and occs[-1].n == n and occs[-1].done is not None:
                return
            yield env.timeout(spec["work"](self.u("work", role, duty, INC, draw)))
        if spec["do"] == "task":
            self.task(duty, spec["task"])
        elif spec["do"] == "grade":
            self.grade(role, duty, draw)
        else:
            yield from self.report(role, duty, draw, spec)
        self.evaluate()

    def _answer(self, kind, match):
        """The earliest open duty of this kind this action meets (as drillsim's agenda does)."""
        for duty, occs in self.occ.items():
            spec = self.P.duties[duty]
            if spec["do"] == kind and match(spec):
                for occ in occs:
                    if occ.done is None and occ.trig <= self.env.now + EPS:
                        self.met(duty, occ, self.env.now)
                        return

    def task(self, duty, task):
        key = ("task", task, INC)
        attempt = self.attempts[key] = self.attempts.get(key, 0) + 1
        ok = not self.chance(1.0 - self.P.success[task], "task", task, INC, attempt)
        self._answer("task", lambda spec: spec["task"] == task)
        if ok and task in ("failover_dr", "repair_fault") and self.restored_at is None:
            self.restored_at = self.env.now
            self.attrs["recovered"] = True
            self.dirty.add("recovered")
            updates = self.occ.get("coordination_updates")
            last = updates[-1] if updates else None
            if last is not None and last.done is None and last.deadline > self.env.now + EPS:
                updates.pop()  # void: the update not yet due is no longer owed
                if not updates:
                    del self.occ["coordination_updates"]

    def grade(self, role, duty, n):
        level = self.level
        if self.chance(self.P.misgrade[role], "misgrade", role, duty, INC, n):
            i = level - 1
            step = 1 if self.u("misgrade-way", role, duty, INC, n) < 0.7 else -1
            if not 0 <= i + step < 3:
                step = -step
            level = i + step + 1
        self.declared = level
        self.dirty.add("declared")
        self._answer("grade", lambda spec: True)

    def report(self, role, duty, n, spec):
        P = self.P
        chains = spec["chains"]
        if self.chance(P.wrong[role], "wrong-channel", role, duty, INC, n):
            allowed = {c for chain in chains for c in chain}
            others = [c for c in P.channels if c not in allowed]
            if others:
                pick = others[int(self.u("wrong-pick", role, duty, INC, n) * len(others))]
                chains = [[pick] + chain for chain in chains]
        yield self.env.all_of(
            [
                self.env.process(self.attempt(role, to, chain))
                for to in spec["to"]
                for chain in chains
            ]
        )

    def attempt(self, role, to, chain):
        for via in chain[:3]:
            ok = yield self.send(role, to, via)
            if ok:
                return

    def send(self, sender, to, via):
        env, P = self.env, self.P
        key = (sender, to, via)
        attempt = self.attempts[key] = self.attempts.get(key, 0) + 1
        self.messages += 1
        sent_at = env.now
        latency = P.latency[via](self.u("latency", via, sender, to, INC, attempt))
        failed = (via == "oa" and self.oa_down) or self.chance(
            P.failure[via], "fail", via, sender, to, INC, attempt
        )
        result = env.event()

        def arrive(_):
            if failed:
                result.succeed(False)
            else:
                self.delivered(sender, to, via, sent_at)
                self.reach((to,))
                result.succeed(True)
            self.evaluate()

        env.timeout(latency).callbacks.append(arrive)
        return result

    def delivered(self, sender, to, via, sent_at):
        """A delivered message counts towards the report duties of its sender that it answers."""
        for duty, occs in self.occ.items():
            spec = self.P.duties[duty]
            if spec["do"] != "report" or spec["role"] != sender:
                continue
            for occ in occs:  # the earliest open occurrence it answers
                if occ.done is not None or occ.trig > sent_at + EPS:
                    continue
                answered = False
                for i, (recipient, channels) in enumerate(spec["needs"]):
                    if i not in occ.sent and recipient == to and via in channels:
                        occ.sent[i] = sent_at
                        answered = True
                if len(occ.sent) == len(spec["needs"]):
                    self.met(duty, occ, max(occ.sent.values()))
                if answered:
                    self.dirty.add("done:" + duty)  # what reads received() looks again
                    break

    # --- results ---------------------------------------------------------------------------------------
    def status(self, duty) -> str:
        occs = self.occ.get(duty)
        if not occs:
            return "not_triggered"
        o = occs[0]
        if o.done is not None:
            return "hit" if o.done <= o.deadline + EPS else "late"
        return "open" if END < o.deadline - EPS else "missed"

    def downtime(self) -> float:
        return self.restored_at if self.restored_at is not None else END


def replicate(P: Params, seed: int, i: int) -> Replication:
    return Replication(P, SeedSequence(seed, spawn_key=(i,))).run()


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
        rto += r.downtime() <= 120 + 1e-9
    dt = time.perf_counter() - t
    print(
        f"reference: {args.n} replications in {dt:.2f} s = {args.n / dt:,.0f}/s; "
        f"P(report_l1_ops on time) {hits / args.n:.3f}; P(RTO met) {rto / args.n:.3f}"
    )


if __name__ == "__main__":
    sys.exit(main())
