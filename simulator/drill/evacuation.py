"""A SimPy evacuation model of the site: what the drill's times should be.

Each person is a process: pre-movement time, a walk to the nearest open exit of their area,
a queue at the exit, whose flow capacity is `flow_per_m` x the effective width (the hydraulic
model of the SFPE Handbook: a door passes one person every 1 / (F x We) seconds), the walk on
to the assembly point, and a queue for the wardens who check people in there. One replication
gives, in minutes from the alarm: when each area is clear (its last person through an exit),
when the last person is out, when the last arrives at the assembly point, when each area's
people are all checked in and when the headcount is complete. Many replications give their
distributions.

Draws are keyed by replication and person (`simulator.rng.Streams`), so a site variant (exit B
blocked) gets the same pre-movement times and walking speeds for the same people: the
comparison is paired, as the plan comparisons are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from drillsim.simulator.rng import Streams, sampler

from .site import Site

METRICS = ("all_out", "assembly", "headcount")


@dataclass
class Outcome:
    clear: dict[str, float] = field(default_factory=dict)  # area -> last person out, minutes
    checked: dict[str, float] = field(default_factory=dict)  # area -> last checked in
    all_out: float = 0.0
    assembly: float = 0.0
    headcount: float = 0.0
    by_exit: dict[str, int] = field(default_factory=dict)


def head_counts(site: Site, areas_of_people: dict[str, int] | None = None) -> dict[str, int]:
    """People per area: the roster's present-today count where given, else the site's."""
    out = {}
    for name, area in site.areas.items():
        n = (areas_of_people or {}).get(name, area.people)
        out[name] = int(n or 0)
    return out


def nearest_open_exit(site: Site, area: str) -> tuple[str, float]:
    options = [(d, e) for e, d in site.areas[area].exits.items() if not site.exits[e].blocked]
    d, e = min(options)
    return e, d


def run_once(site: Site, counts: dict[str, int], wardens: int, streams: Streams, rep: int):
    env = simpy.Environment()
    exits = {e: simpy.Resource(env, capacity=1) for e in site.exits}
    service = {e: 1.0 / (site.flow_per_m * site.effective_width(e)) for e in site.exits}
    desk = simpy.Resource(env, capacity=max(1, wardens))
    speed = sampler(site.walking_speed)
    checkin = sampler(site.checkin_s)
    out = Outcome()

    def person(area: str, k: int, pre_of, exit_id: str, dist: float):
        key = (rep, area, k)
        pre = pre_of(streams.uniform("premovement", *key))
        v = speed(streams.uniform("speed", *key))
        yield env.timeout(pre + dist / v)
        with exits[exit_id].request() as req:
            yield req
            yield env.timeout(service[exit_id])
        now = env.now / 60
        out.clear[area] = max(out.clear.get(area, 0.0), now)
        out.all_out = max(out.all_out, now)
        out.by_exit[exit_id] = out.by_exit.get(exit_id, 0) + 1
        yield env.timeout(site.exits[exit_id].to_assembly_m / v)
        out.assembly = max(out.assembly, env.now / 60)
        with desk.request() as req:
            yield req
            yield env.timeout(checkin(streams.uniform("checkin", *key)))
        now = env.now / 60
        out.checked[area] = max(out.checked.get(area, 0.0), now)
        out.headcount = max(out.headcount, now)

    for name, n in counts.items():
        a = site.areas[name]
        pre_of = sampler(a.premovement or site.premovement)
        exit_id, dist = nearest_open_exit(site, name)
        for k in range(n):
            env.process(person(name, k, pre_of, exit_id, dist))
    env.run()
    return out


@dataclass
class Prediction:
    """n replications: each metric's values (minutes), in replication order."""

    site: str
    n: int
    seed: int
    counts: dict[str, int]
    wardens: int
    values: dict[
        str, np.ndarray
    ]  # 'all_out', 'assembly', 'headcount', 'clear:<area>', 'checked:<area>'
    exits_used: dict[str, float]  # exit -> mean people through it

    def stats(self, metric: str) -> dict:
        v = self.values[metric]
        return {
            "mean": round(float(v.mean()), 3),
            "p5": round(float(np.percentile(v, 5)), 3),
            "p50": round(float(np.percentile(v, 50)), 3),
            "p95": round(float(np.percentile(v, 95)), 3),
        }

    def rank(self, metric: str, measured: float) -> float:
        """Share of the predicted values at or below a measured time."""
        return round(float((self.values[metric] <= measured + 1e-9).mean()), 4)

    def to_dict(self) -> dict:
        return {
            "site": self.site,
            "n": self.n,
            "seed": self.seed,
            "counts": self.counts,
            "wardens": self.wardens,
            "exits_used": self.exits_used,
            "metrics": {m: self.stats(m) for m in self.values},
        }


def predict(
    site: Site,
    areas_of_people: dict[str, int] | None = None,
    wardens: int | None = None,
    n: int = 200,
    seed: int = 1,
) -> Prediction:
    counts = head_counts(site, areas_of_people)
    w = site.wardens or wardens or 1
    streams = Streams(seed)
    values: dict[str, list[float]] = {m: [] for m in METRICS}
    for name in counts:
        values[f"clear:{name}"] = []
        values[f"checked:{name}"] = []
    used: dict[str, int] = {}
    for rep in range(n):
        o = run_once(site, counts, w, streams, rep)
        for m in METRICS:
            values[m].append(getattr(o, m))
        for name in counts:
            values[f"clear:{name}"].append(o.clear.get(name, 0.0))
            values[f"checked:{name}"].append(o.checked.get(name, 0.0))
        for e, k in o.by_exit.items():
            used[e] = used.get(e, 0) + k
    return Prediction(
        site.id,
        n,
        seed,
        counts,
        w,
        {m: np.asarray(v) for m, v in values.items()},
        {e: round(k / n, 2) for e, k in sorted(used.items())},
    )


def compare(base: Prediction, other: Prediction) -> dict:
    """Paired differences (other - base) on the same draws: mean and 95% interval per metric."""
    out = {}
    for m in base.values:
        if m not in other.values:
            continue
        d = other.values[m] - base.values[m]
        half = 1.96 * float(d.std(ddof=1)) / np.sqrt(len(d)) if len(d) > 1 else 0.0
        out[m] = {
            "mean": round(float(d.mean()), 3),
            "ci95": [round(float(d.mean()) - half, 3), round(float(d.mean()) + half, 3)],
        }
    return out
