"""The compiled plan: what a run needs, checked once and shared by every replication.

`Plan` is what the loader (loader.py) makes of a scenario, its merged procedures and its
variants, held as plain records of the model (records.py: a plan, cached or not, is read
without pydantic). `Runtime` is what every run of that plan shares, built by the first run and kept on
the plan: samplers, the grader, the compiled conditions and the index of which conditions read
which fact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .agenda import report_needs
from .expressions import Condition, specialize
from .grading import Grader, defaults
from .records import record
from .rng import sampler

if TYPE_CHECKING:
    # the records have these models' attributes (model.plain makes them)
    from .model import Procedure, Scenario

# the work of a duty that names none: the record of `{dist: fixed, value: 1}`
ONE_MINUTE = record("Fixed", ("dist", "value"), ("fixed", 1))


@dataclass
class Plan:
    """Everything a run needs, checked once and shared by every replication."""

    ref: str  # the shipped id, or the scenario file's absolute path
    scenario: Scenario
    procedure: Procedure  # the scenario's procedures merged, overlays applied
    sources: list[dict]  # id, title, version and file of each procedure
    variants: list[str] = field(default_factory=list)
    conditions: dict[str, Condition] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)  # file -> sha256 of its content
    drawn: dict | None = (
        None  # a varied run's values drawn from the scenario's ranges (variation.py)
    )
    # id, title, title_en and file of each variant, as read when the plan was loaded (a
    # comparison names its variants without reading their YAML again: start-up)
    variant_meta: list[dict] = field(default_factory=list)
    _runtime: Runtime | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._runtime = None  # on the instance from the start: a run only fills it in

    def __getstate__(self) -> dict:
        # pickled (the plan cache, worker processes) without what a run builds again
        return {**self.__dict__, "_runtime": None}

    def condition(self, source: str) -> Condition:
        return self.conditions[source]

    @property
    def runtime(self) -> Runtime:
        """What every run of this plan shares; built by the first run."""
        if self._runtime is None:
            self._runtime = Runtime(self)
        return self._runtime


def _facts(cond, belief: bool) -> set:
    """The facts a condition reads; a change to any of them means evaluating it again."""
    out: set[tuple] = set()
    for name in cond.names:
        if name == "level":
            out.add(("declared",) if belief else ("level",))
        elif name in ("declared", "now"):
            out.add((name,))
        else:
            out.add(("attr", name))
    for func, arg in cond.calls:
        kind = {
            "down": "service",
            "restored": "service",
            "due": "ob",
            "done": "ob",
            "received": "ob",
        }.get(func, func)
        out.add((kind, arg))
    return out


class Runtime:
    """What every run of a plan shares, built once: samplers, grader, condition indexes."""

    def __init__(self, plan: Plan):
        proc, sc = plan.procedure, plan.scenario
        self.plan = plan
        self.grader = Grader(proc)
        self.needs = report_needs(proc)
        self.reaction = {r: sampler(role.reaction) for r, role in proc.roles.items()}
        self.latency = {c: sampler(ch.latency) for c, ch in proc.channels.items()}
        self.work = {}
        for oid, ob in proc.obligations.items():
            dist = ob.work or (
                proc.tasks[ob.action.task].work if ob.action.do == "task" else ONE_MINUTE
            )
            self.work[oid] = sampler(dist)
        self.task_work = {t: sampler(task.work) for t, task in proc.tasks.items()}
        # a report's channel chains: each tried in turn, its alternatives after it
        self.chains = {}
        for oid, ob in proc.obligations.items():
            act, ch = ob.action, proc.channels
            if act.do != "report":
                continue
            if act.via_mode == "all":
                self.chains[oid] = [[c, *ch[c].alternatives, c] for c in act.via]
            else:
                self.chains[oid] = [
                    list(
                        dict.fromkeys([*act.via, *(a for c in act.via for a in ch[c].alternatives)])
                    )
                ]
        self.order = {oid: i for i, oid in enumerate(proc.obligations)}
        self.order.update({j: i for i, j in enumerate(sc.injects)})
        self.order_key = self.order.__getitem__
        self.grading_duty = {
            oid for oid, ob in proc.obligations.items() if ob.action.do in ("grade", "classify")
        }
        self.belief_ids = [oid for oid in proc.obligations if oid not in self.grading_duty]
        cond = plan.condition
        self.trigger = {oid: cond(ob.trigger) for oid, ob in proc.obligations.items()}
        self.until = {oid: cond(ob.until) for oid, ob in proc.obligations.items() if ob.until}
        self.again_on = {
            oid: cond(ob.retrigger_on) for oid, ob in proc.obligations.items() if ob.retrigger_on
        }
        self.inject_when = {j: cond(inj.when) for j, inj in sc.injects.items() if inj.when}
        self.inject_unless = {
            j: cond(inj.unless_by) for j, inj in sc.injects.items() if inj.unless_by
        }
        self.change_unless = {i: cond(ch.unless) for i, ch in enumerate(sc.timeline) if ch.unless}
        # The same conditions compiled for the engine's contexts (triggers.Ctx): what a run
        # evaluates, each name and call a closure over the world's facts (no dispatch by name).
        from .triggers import READERS  # here: triggers reads this module

        def fast(c: Condition) -> Callable[[Any], Any]:
            return specialize(c, READERS)

        self.trigger_fn = {oid: fast(c) for oid, c in self.trigger.items()}
        self.again_fn = {oid: fast(c) for oid, c in self.again_on.items()}
        self.until_fn = {oid: fast(c) for oid, c in self.until.items()}
        self.inject_when_fn = {j: fast(c) for j, c in self.inject_when.items()}
        self.inject_unless_fn = {j: fast(c) for j, c in self.inject_unless.items()}
        self.change_unless_fn = {i: fast(c) for i, c in self.change_unless.items()}
        self.once = {oid for oid, ob in proc.obligations.items() if not ob.retrigger}
        # fact -> what reads it: (obligations on the facts, obligations on the beliefs,
        # conditional injects), so a change re-evaluates only those
        self.by_fact: dict[tuple, tuple[list, list, list]] = {("now",): ([], [], [])}
        self.candidates: dict[frozenset, tuple] = {}  # changed facts -> what to evaluate
        # whether a run's first evaluation (at minute 0, on the plan's own facts) changes
        # nothing: learnt by the first run with bots (world.World.start), then skipped
        self.quiet_start: bool | None = None
        for oid, c in self.trigger.items():
            again = self.again_on.get(oid)
            for f in _facts(c, belief=False) | (_facts(again, belief=False) if again else set()):
                self.by_fact.setdefault(f, ([], [], []))[0].append(oid)
            if oid not in self.grading_duty:
                for f in _facts(c, belief=True) | (_facts(again, belief=True) if again else set()):
                    self.by_fact.setdefault(f, ([], [], []))[1].append(oid)
        for j, c in self.inject_when.items():
            for f in _facts(c, belief=False):
                self.by_fact.setdefault(f, ([], [], []))[2].append(j)
        # fact -> recurring duties whose `until` reads it: when it starts to hold, the open
        # occurrence is void (the fact must be in by_fact for a change to be noticed at all)
        self.until_by_fact: dict[tuple, list[str]] = {}
        for oid, c in self.until.items():
            for f in _facts(c, belief=False):
                self.by_fact.setdefault(f, ([], [], []))
                self.until_by_fact.setdefault(f, []).append(oid)
        # The script (outages, absences, the timeline, timed injects) as timed steps (kind, what;
        # the world's SCRIPT_STEPS says what each kind does), in file order within a minute: one
        # SimPy event per minute, no process per item.
        steps: list[tuple[float, str, Any]] = [
            (o.start_min, "channel.down", o.channel) for o in sc.outages
        ]
        steps += [
            (o.until_min, "channel.up", o.channel) for o in sc.outages if o.until_min is not None
        ]
        for ab in sc.absences:
            # away since before the start: the deputy acts from minute 0, no handover time
            delay = 0.0 if ab.start_min is None else proc.roles[ab.role].handover_min
            steps += [
                (ab.begins, "absent", ab.role),
                (ab.begins + delay, "handover", ab.role),
            ]
            if ab.until_min is not None:
                steps.append((ab.until_min, "returned", ab.role))
        steps += [(ch.at, "change", i) for i, ch in enumerate(sc.timeline)]
        steps += [(inj.at, "inject", j) for j, inj in sc.injects.items() if inj.at is not None]
        self.script: dict[float, list[tuple[str, Any]]] = {}  # minute -> its steps, in order
        for t, step, arg in sorted(steps, key=lambda step: step[0]):
            self.script.setdefault(t, []).append((step, arg))
        start_h, start_m = map(int, sc.start_clock.split(":"))
        self.start_clock_min = start_h * 60 + start_m
        self.attributes = {
            inc: {**defaults(proc), **i.attributes} for inc, i in sc.incidents.items()
        }
