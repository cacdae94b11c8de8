"""The fast path: whole batches of replications as numpy arrays instead of SimPy processes.

For a plan whose duties form a timing network — each falls due once, when a combination of
`reached`, `done`, `due`, `received` and `injected` and of attributes (each changing at known
steps, to one value or several) first holds, and is met by its role's bot after a reaction, the
work and, for a report, the messages along its channel chains — every time in a replication is a sum, minimum or
maximum of the replication's draws. This module computes those for all replications at once, with
the engine's own keyed draws (rng.uniform_many over seeds.roots): replication i of the fast path is
replication i of the engine, draw for draw, so common random numbers still pair with the engine
and between plan variants. A condition need not be monotone: it is looked at after every change
of what it reads, as the engine looks at it, so `… and estimate < 100` falls due only in the
window where it holds.

`check(plan)` decides from the compiled plan whether the fast path models it: it refuses, with
the reasons, plans with classification, duties that recur or fall due again, conditions on a
service that can go down twice, conditions on the clock, absences, several
incidents, two script steps in one minute that change what one condition reads (the engine
looks between them), or two live duties that run the same task (the engine keys a task's draws by the
order of its runs). Two reports over the same line (sender, recipient, channel) are computed as
the engine plays them: it numbers the line's messages across duties and retries, so a message's
draws are those of its rank among the line's messages sent before it; a delivered message meets
every duty of the role it fits that had fallen due when it was sent; and a bot whose duty was met
so before a member took it up lets it be.

Grading is computed: `level` in a condition is the level the rules give (@level, a pseudo-
attribute changing with what the rules read) for a duty falling due, the declared one
(@declared, changed by each grade) for a bot taking it up (world.py: two readings).

A recurring update (every_min) is computed occurrence by occurrence (fastpath_updates), and
the few replications where its occurrences' messages may cross are played again event by event
as the engine plays them (fastpath_replay).

Queueing is computed, not left out: where a role holds more duties than it has members, the
members take them in the engine's order (earliest deadline, then first to ask; fastpath_queue). So
the fast path approximates nothing it accepts; times agree with the engine's to rounding (numpy's
round(x, 6) against Python's: the last bit of a float, never a verdict).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from drillsim.words import t as words_t

from .agenda import report_needs
from .fastpath_queue import Queues
from .fastpath_samplers import array_sampler
from .fastpath_updates import Look, Tables, every_min, recur, recurs_simply, update_room
from .limits import EPS
from .plan import ONE_MINUTE, Plan
from .rng import uniform_many
from .seeds import roots

_INF = math.inf


Reason = tuple  # (words key, {placeholder: value or a nested Reason or a list of them})


def _words(reason, lang: str) -> str:
    """A reason (or a part of one) in `lang`, by the wording catalogue (drillsim/words/cli.py)."""
    if isinstance(reason, list):
        return words_t("fp_and", lang).join(_words(r, lang) for r in reason)
    if not isinstance(reason, tuple):
        return str(reason)
    key, values = reason
    return words_t(key, lang, **{k: _words(v, lang) for k, v in values.items()})


class NotModelled(ValueError):
    """The fast path cannot model this plan; `reasons` says why, one sentence each (English;
    `text(lang)` in either language)."""

    def __init__(self, why: list[Reason]):
        by_text = {_words(r, "en"): r for r in why}
        self.why = [by_text[k] for k in sorted(by_text)]
        self.reasons = sorted(by_text)
        super().__init__("; ".join(self.reasons))

    def text(self, lang: str) -> str:
        return "; ".join(_words(r, lang) for r in self.why)


class Refused(ValueError):
    """`--fast` asked for a plan the fast path cannot model: its name and the reasons (English;
    `text(lang)` in either language)."""

    def __init__(self, name: str, cause: NotModelled):
        self.name, self.cause = name, cause
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        return words_t("fp_refused", lang, name=self.name, reasons=self.cause.text(lang))


def _ob(oid: str) -> Reason:
    return ("fp_obligation", {"id": oid})


# --- what the plan is, for the fast path ---------------------------------------------------------


@dataclass
class _Trigger:
    # ("reached", role) / ("done", ob) / ("due", ob) / ("received", ob) / ("injected", j) /
    # ("attr", name) / ("down", service) / ("restored", service)
    atoms: list[tuple[str, str]]
    radix: list[int]  # the values each atom takes: 2 for an event, an attribute's values
    table: np.ndarray  # the condition's truth per combination (mixed radix, atom 0 lowest)


@dataclass
class Model:
    """A plan as the fast path computes it (check() builds it)."""

    plan: Plan
    live: list[str]  # obligations whose trigger can hold, in file order
    triggers: dict[str, _Trigger]
    injects: dict[str, tuple]  # id -> (at or None, when trigger or None, unless trigger or None)
    steps: dict[int, _Trigger]  # timeline step -> its `unless` condition
    # attribute that changes during a run -> its values (the starting one first), and what
    # changes it: ("step", timeline index) / ("inject", id) / ("task", obligation), with the
    # value's index
    domains: dict[str, list]
    sources: dict[str, list[tuple[str, Any, int]]]
    order: list[str] = field(default_factory=list)  # live duties, each after what it waits for
    notes: list[str] = field(default_factory=list)
    belief: dict[str, _Trigger] = field(default_factory=dict)  # a bot's trigger (on @declared)
    grading: list[str] = field(default_factory=list)  # live duties that grade
    regrade: str | None = None  # the grading duty that falls due again on each escalation
    recurring: list[str] = field(default_factory=list)  # updates every N minutes
    until: dict[str, _Trigger] = field(default_factory=dict)  # their `until`


MAX_ROWS = 4096  # combinations of its events and attribute values a condition's table may have


class _Ctx:
    """Evaluates a condition for one combination of its atoms' values."""

    def __init__(self, attrs: dict, values: dict, domains: dict, alias: dict):
        self.attrs, self.values, self.domains, self.alias = attrs, values, domains, alias

    def var(self, name):
        name = self.alias.get(name, name)
        if ("attr", name) in self.values:
            return self.domains[name][self.values["attr", name]]
        return self.attrs[name]

    def call(self, func, arg):
        return bool(self.values.get((func, arg), 0))


def _compile(plan, source, what, attrs, domains, why, live, belief=False) -> _Trigger | None:
    """A condition as a table over its events and the values of the attributes that change, or
    None (and the reason in `why`). An obligation that cannot fall due is never due nor done.
    The table needs no monotony: the first moment a condition holds is one where something it
    reads changed, and each such moment is looked at (_first_true). `level` is the level the
    rules give (the pseudo-attribute @level), or on the beliefs (`belief`: what a bot acts on)
    the declared one (@declared), as triggers.Ctx reads it."""
    cond = plan.condition(source)
    atoms: list[tuple[str, str]] = []
    radix: list[int] = []
    n_why = len(why)
    alias = {"level": "@declared" if belief else "@level", "declared": "@declared"}
    for name in sorted(cond.names):
        if name == "now" or (name in alias and alias[name] not in domains):
            why.append(("fp_reads", {"what": what, "name": name}))
        elif name in alias:
            if ("attr", alias[name]) not in atoms:
                atoms.append(("attr", alias[name]))
                radix.append(len(domains[alias[name]]))
        elif name in domains:
            atoms.append(("attr", name))
            radix.append(len(domains[name]))
    for func, arg in sorted(cond.calls):
        if func not in ("reached", "done", "due", "injected", "received", "down", "restored"):
            why.append(("fp_reads", {"what": what, "name": f"{func}('{arg}')"}))
        elif func in ("down", "restored") and _downs(plan.scenario, arg) > 1:
            # down, restored, down again: more than one window the fast path does not follow
            why.append(("fp_down_again", {"what": what, "name": f"{func}('{arg}')"}))
        elif func in ("done", "due", "received") and arg not in live:
            continue  # never true: _Ctx answers False for an atom not in the list
        elif func == "received" and plan.procedure.obligations[arg].action.do != "report":
            continue  # only a report's duty is received
        atoms.append((func, arg))
        radix.append(2)
    if len(why) > n_why:
        return None
    rows = math.prod(radix)
    if rows > MAX_ROWS:
        why.append(("fp_rows", {"what": what, "rows": rows}))
        return None
    table = np.zeros(rows, dtype=bool)
    for i in range(rows):
        values, rest = {}, i
        for atom, r in zip(atoms, radix):
            values[atom], rest = rest % r, rest // r
        table[i] = bool(cond.fn(_Ctx(attrs, values, domains, alias)))
    return _Trigger(atoms, radix, table)


def _downs(sc, service: str) -> int:
    """How many steps of the script can take `service` down."""
    return sum(service in ch.down for ch in sc.timeline) + sum(
        service in inj.down for inj in sc.injects.values()
    )


def _changes(sc, proc, live) -> dict[str, list[tuple[str, Any, Any]]]:
    """What changes each attribute during a run, in the engine's order within a minute (the
    timeline, then injects, in file order; then tasks)."""
    sources: dict[str, list[tuple]] = {}
    for i, ch in enumerate(sc.timeline):
        for k, v in ch.set.items():
            sources.setdefault(k, []).append(("step", i, v))
    for j, inj in sc.injects.items():
        for k, v in inj.set.items():
            sources.setdefault(k, []).append(("inject", j, v))
    for oid in live:
        ob = proc.obligations[oid]
        if ob.action.do == "task":
            for k, v in proc.tasks[ob.action.task].effects.set.items():
                sources.setdefault(k, []).append(("task", oid, v))
    return sources


def _same_minute(sc, readers: list[tuple[Reason | None, set]]) -> list[Reason]:
    """Two steps of the script in one minute that both change what one condition reads: the
    engine looks at the condition between them, the fast path only after the minute. A
    timeline step's `unless` (its reader names the step) is looked at before the minute's
    later steps: no other step of its minute may change what it reads."""
    changes: dict[float, list[tuple[Reason, set]]] = {}  # minute -> its steps and their facts
    for i, ch in enumerate(sc.timeline):
        facts = {("attr", k) for k in ch.set} | {("down", s) for s in ch.down}
        changes.setdefault(float(ch.at), []).append((("fp_step", {"i": i + 1}), facts))
    for j, inj in sc.injects.items():
        if inj.at is None:
            continue
        facts = {("attr", k) for k in inj.set} | {("injected", j)} | {("down", s) for s in inj.down}
        facts |= {("reached", r) for r in inj.to}
        changes.setdefault(float(inj.at), []).append((("fp_inject", {"id": j}), facts))
    out: dict[str, Reason] = {}
    for minute, steps in changes.items():
        for me, atoms in readers:
            hit = [step for step, facts in steps if facts & atoms and step != me]
            if len(hit) > 1 or (me is not None and hit and me in [s for s, _ in steps]):
                if me is not None and me not in hit:
                    hit = [me, *hit]
                reason = ("fp_same_minute", {"steps": hit, "t": f"{minute:g}"})
                out[repr(reason)] = reason
    return list(out.values())


def check(plan: Plan) -> Model:
    """The plan as the fast path models it, or NotModelled with every reason it cannot."""
    proc, sc, rt = plan.procedure, plan.scenario, plan.runtime
    why: list[Reason] = []
    if len(sc.incidents) != 1:
        raise NotModelled([("fp_incidents", {"n": len(sc.incidents)})])
    if sc.absences:
        why.append(("fp_absences", {}))
    if any(ob.action.do == "classify" for ob in proc.obligations.values()):
        why.append(("fp_classify", {}))
    regrade = _regrade(plan)
    for oid, ob in proc.obligations.items():
        what = _ob(oid)
        if (ob.retrigger or ob.retrigger_on) and oid != regrade:
            why.append(("fp_again", {"what": what}))
        if (ob.every_min or ob.until) and not recurs_simply(plan, oid):
            why.append(("fp_recurs", {"what": what}))
        if ob.deadline_by_level is not None:
            why.append(("fp_by_level", {"what": what}))
    attrs = rt.attributes[next(iter(sc.incidents))]
    # Which duties can fall due at all, and which attributes change during a run (from the
    # timeline, injects, and the tasks of duties that can fall due): to a fixed point, since a
    # task of a duty that never falls due changes nothing.
    live = list(proc.obligations)
    while True:
        changes = _changes(sc, proc, live)
        domains: dict[str, list] = {}
        sources: dict[str, list[tuple[str, Any, int]]] = {}
        for k, src in changes.items():
            values = [attrs.get(k)]
            for *_, v in src:
                if v not in values:
                    values.append(v)
            if len(values) == 1:
                continue  # set to the value it has: never changes
            domains[k] = values
            sources[k] = [(kind, ref, values.index(v)) for kind, ref, v in src]
        if proc.grading is not None:
            # the level the rules give (the starting one first) and the declared one (none first)
            start = rt.grader.level(attrs)
            levels = sorted({*proc.grading.levels, start, 0} - {start})
            domains["@level"] = [start, *levels]
            domains["@declared"] = [0, *sorted({*proc.grading.levels, start} - {0})]
        problems: list[Reason] = []
        triggers: dict[str, _Trigger] = {}
        belief: dict[str, _Trigger] = {}
        for oid in live:
            what = _ob(oid)
            ob = proc.obligations[oid]
            trig = _compile(plan, ob.trigger, what, attrs, domains, problems, live)
            if trig is None:
                continue
            triggers[oid] = belief[oid] = trig
            if ob.action.do != "grade" and "level" in plan.condition(ob.trigger).names:
                # a bot takes it up when it holds on the declared level (a grading duty's bot
                # when it falls due: the grader looks at the facts)
                b = _compile(plan, ob.trigger, what, attrs, domains, problems, live, belief=True)
                if b is not None:
                    belief[oid] = b
        still = [
            oid
            for oid in live
            if oid not in triggers or triggers[oid].table.any() or belief[oid].table.any()
        ]
        if still == live:
            break
        live = still
    why += problems
    injects: dict[str, tuple] = {}
    for j, inj in sc.injects.items():
        what = ("fp_inject", {"id": j})
        when = _compile(plan, inj.when, what, attrs, domains, why, live) if inj.when else None
        unless = (
            _compile(plan, inj.unless_by, what, attrs, domains, why, live)
            if inj.unless_by
            else None
        )
        injects[j] = (inj.at, when, unless)
    steps: dict[int, _Trigger] = {}
    for i, ch in enumerate(sc.timeline):
        if ch.unless:
            what = ("fp_step", {"i": i + 1})
            trig = _compile(plan, ch.unless, what, attrs, domains, why, live)
            if trig is not None:
                steps[i] = trig
    readers: list[tuple[Reason | None, set]] = [
        (None, set(t.atoms))
        for t in [
            *triggers.values(),
            *belief.values(),
            *(x for i in injects.values() for x in i[1:]),
        ]
        if t
    ]
    readers += [(("fp_step", {"i": i + 1}), set(t.atoms)) for i, t in steps.items()]
    why += _same_minute(sc, readers)
    if why:
        raise NotModelled(why)
    # a task's draws are keyed by the order of its runs: each must run at most once a run
    # (a message's are too, but computed by its rank among its key's messages: compute())
    tasks: dict[str, str] = {}
    for oid in live:
        act = proc.obligations[oid].action
        if act.do == "task":
            other = tasks.setdefault(act.task, oid)
            if other != oid:
                why.append(("fp_same_task", {"a": other, "b": oid, "task": act.task}))
    if why:
        raise NotModelled(why)
    grading = [oid for oid in live if proc.obligations[oid].action.do == "grade"]
    recurring = [oid for oid in live if proc.obligations[oid].every_min]
    until: dict[str, _Trigger] = {}
    for oid in recurring:
        ob = proc.obligations[oid]
        alone = all(proc.obligations[o].role != ob.role for o in live if o != oid)
        read = any((k, oid) in atoms for _, atoms in readers for k in ("done", "due", "received"))
        if not alone or read or belief[oid] is not triggers[oid]:
            why.append(("fp_recurs", {"what": _ob(oid)}))
            continue
        if ob.until:
            t = _compile(plan, ob.until, _ob(oid), attrs, domains, why, live)
            if t is not None:
                until[oid] = t
    if why:
        raise NotModelled(why)
    if regrade is not None and regrade in live:
        why += _regrade_fits(plan, regrade, triggers, readers, grading)
        if why:
            raise NotModelled(why)
    else:
        regrade = None
    return Model(
        plan,
        live,
        triggers,
        injects,
        steps,
        domains,
        sources,
        _order(plan, live, triggers, belief, grading),
        belief=belief,
        grading=grading,
        regrade=regrade,
        recurring=recurring,
        until=until,
    )


def _restores(plan: Plan, oid: str) -> list[str]:
    """The services duty `oid`'s task brings back."""
    act = plan.procedure.obligations[oid].action
    return list(plan.procedure.tasks[act.task].effects.restore) if act.do == "task" else []


def _regrade(plan: Plan) -> str | None:
    """The one grading duty that falls due again when the level changes (`retrigger_on:
    level`), if the plan has exactly one such duty."""
    found = [
        oid
        for oid, ob in plan.procedure.obligations.items()
        if ob.action.do == "grade" and ob.retrigger and (ob.retrigger_on or "").strip() == "level"
    ]
    return found[0] if len(found) == 1 else None


def _regrade_fits(plan: Plan, oid: str, triggers: dict, readers: list, grading: list) -> list:
    """What keeps a regrade's occurrences one after the other, as the fast path computes them:
    it cannot fall due before a level was declared (so the first grade is another duty's), at
    most one other duty grades (once), and no condition reads the regrade's own duties."""
    why: list[Reason] = []
    what = _ob(oid)
    trig = triggers[oid]
    if ("attr", "@declared") not in trig.atoms:
        why.append(("fp_again", {"what": what}))
    else:
        pos = trig.atoms.index(("attr", "@declared"))
        mult = math.prod(trig.radix[:pos])
        rows = np.arange(len(trig.table))
        if trig.table[(rows // mult) % trig.radix[pos] == 0].any():
            why.append(("fp_again", {"what": what}))
    others = [g for g in grading if g != oid]
    if len(others) > 1 or any(plan.procedure.obligations[g].retrigger for g in others):
        why.append(("fp_again", {"what": what}))
    if any(
        (kind, arg) in atoms
        for _, atoms in readers
        for kind in ("done", "due", "received")
        for arg in (oid,)
    ) or any((k, oid) in t.atoms for t in triggers.values() for k in ("done", "due")):
        why.append(("fp_again", {"what": what}))
    return why


def _order(
    plan: Plan,
    live: list[str],
    triggers: dict[str, _Trigger],
    belief: dict[str, _Trigger],
    grading: list[str],
) -> list[str]:
    """The live duties with each after the duties its trigger waits for (done, due, a report
    reaching a role), so that one pass over them mostly computes a replication's times; the
    passes that follow only confirm them (or, where a role queues, correct them). A cycle keeps
    file order."""
    obs = plan.procedure.obligations
    reporters: dict[str, list[str]] = {}
    for oid in live:
        act = obs[oid].action
        if act.do == "report":
            for to in act.to:
                reporters.setdefault(to, []).append(oid)
    after: dict[str, list[str]] = {}
    for oid in live:
        deps = []
        for kind, arg in triggers[oid].atoms + belief[oid].atoms:
            if kind in ("done", "due", "received") and arg in triggers:
                deps.append(arg)
            elif (kind, arg) == ("attr", "@declared"):
                deps += grading
            elif kind == "reached":
                deps += reporters.get(arg, [])
            elif kind in ("down", "restored"):
                deps += [o for o in live if arg in _restores(plan, o)]
        after[oid] = deps
    out: list[str] = []
    state: dict[str, int] = {}

    def visit(oid: str):
        if state.get(oid):
            return  # placed, or on the path (a cycle)
        state[oid] = 1
        for dep in after[oid]:
            visit(dep)
        state[oid] = 2
        out.append(oid)

    for oid in live:
        visit(oid)
    return out


# --- computing a batch ---------------------------------------------------------------------------


def _first_true(trig: _Trigger, moments: list, value_at, n: int) -> np.ndarray:
    """When the condition first holds: at the start, or at one of the moments something it reads
    changes (`moments`), looked at after that change (value_at(atom, t): the atom's value at t)."""
    if trig.table[0]:
        return np.zeros(n)
    if len(trig.atoms) == 1 and trig.atoms[0][0] not in ("attr", "down"):
        # one moment, when the atom turns true (most triggers: a role reached, a duty done)
        t = moments[0]
        return np.where(np.isfinite(t), t, _INF) if trig.table[1] else np.full(n, _INF)
    best = np.full(n, _INF)
    for t in moments:
        ok = trig.table[_index(trig, t, value_at)] & np.isfinite(t)
        best = np.where(ok & (t < best), t, best)
    return best


def _index(trig: _Trigger, t, value_at):
    """The row of the condition's table for the values its atoms have at t."""
    idx: Any = 0
    mult = 1
    for atom, r in zip(trig.atoms, trig.radix):
        idx = idx + value_at(atom, t) * mult
        mult *= r
    return idx


def _round(x: np.ndarray) -> np.ndarray:
    return np.round(x, 6)


def _same(a, b) -> bool:
    """Equal values: arrays, or lists, tuples and dicts of them (identity first: what a pass
    left as it was is the same object)."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    if isinstance(a, (list, tuple)):
        return (
            isinstance(b, (list, tuple))
            and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b))
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _kept(old, new):
    """`old` where it equals `new`: so that what did not change stays the same object."""
    return old if old is not None and _same(old, new) else new


# Tests set it to a list: a duty whose inputs did not change is then recomputed anyway, checked
# unchanged (AssertionError otherwise) and its id appended.
_VERIFY_SKIPS: list | None = None


@dataclass
class FastBatch:
    rows: dict[str, np.ndarray]  # the Batch's duty columns
    svc: dict[str, np.ndarray]
    true_level: np.ndarray
    events: np.ndarray
    declared: np.ndarray  # the level last declared at the end (0: none), (n, 1)


PIECE = 8192  # replications computed at once: the arrays of a plan like payment_outage (a
# regrade's and an update's occurrences each a row) take ~40 KB a replication while computed


def compute(model: Model, entropy: int, start: int, count: int) -> FastBatch:
    """Replications start … start+count-1, in pieces of at most PIECE computed at once (each
    replication's result does not depend on the others: the same batch whatever the pieces)."""
    with np.errstate(invalid="ignore"):  # inf - inf where something never happens: nan, unused
        parts = [
            _compute(model, entropy, s, min(PIECE, start + count - s))
            for s in range(start, start + max(count, 1), PIECE)
        ]
    if len(parts) == 1:
        return parts[0]
    return FastBatch(
        {k: np.concatenate([p.rows[k] for p in parts]) for k in parts[0].rows},
        {k: np.concatenate([p.svc[k] for p in parts]) for k in parts[0].svc},
        np.concatenate([p.true_level for p in parts]),
        np.concatenate([p.events for p in parts]),
        np.concatenate([p.declared for p in parts]),
    )


def _dist_key(dist) -> tuple:
    """What a distribution's inverse CDF depends on (a variant may change it)."""
    names = ("value", "low", "mode", "high", "median", "p90", "mean")
    return (dist.dist, *(getattr(dist, k, None) for k in names))


class _Draws:
    """The draws of the last pieces computed, by (piece, how, key), at most `cap` bytes: in a
    comparison the plans compute the same replications one after another and draw the same
    keys for them (common random numbers), so each plan after the first finds most of its
    draws here (a variant that changes a distribution or a chance draws anew). Read-only
    arrays: a caller that wrote into one would change another plan's draws."""

    def __init__(self, cap: int) -> None:
        self.cap, self.size = cap, 0
        self.items: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, memo_key: tuple, make) -> np.ndarray:
        with self.lock:
            got = self.items.get(memo_key)
            if got is not None:
                self.items.move_to_end(memo_key)
                return got
        out = make()
        out.flags.writeable = False
        with self.lock:
            if memo_key not in self.items:
                self.items[memo_key] = out
                self.size += out.nbytes
            while self.size > self.cap:
                _, old = self.items.popitem(last=False)
                self.size -= old.nbytes
        return out


_DRAWS = _Draws(40 << 20)  # a batch of payment_outage draws about 30 MB, chemical_leak_drill 8


def _compute(model: Model, entropy: int, start: int, count: int) -> FastBatch:
    plan = model.plan
    proc, sc, rt = plan.procedure, plan.scenario, plan.runtime
    inc = next(iter(sc.incidents))
    end = float(sc.duration_min)
    n = count
    seeds = roots(entropy, start, count)
    inf = np.full(n, _INF)

    piece = (entropy, start, count)

    def sample(dist, *key) -> np.ndarray:
        """The minutes of the draws of `key` by `dist`'s inverse CDF."""
        return _DRAWS.get(
            (piece, _dist_key(dist), key), lambda: array_sampler(dist)(uniform_many(seeds, *key))
        )

    def pick_of(among: int, *key) -> np.ndarray:
        """Which of `among` channels the draw of `key` picks."""
        return _DRAWS.get(
            (piece, ("pick", among), key),
            lambda: (uniform_many(seeds, *key) * among).astype(np.int64),
        )

    def below(p: float, *key) -> np.ndarray:
        """Where the draw of `key` is under p."""
        return _DRAWS.get((piece, ("<", p), key), lambda: uniform_many(seeds, *key) < p)

    live = model.live
    obs = proc.obligations
    needs = report_needs(proc)

    def duty_draws(oid: str, key: Any) -> dict[str, Any]:
        """A duty's draws, keyed as bots.Bot.work keys them (`key`: its occurrence)."""
        ob = obs[oid]
        role = proc.roles[ob.role]
        d: dict[str, Any] = {
            "reaction": sample(role.reaction, "reaction", ob.role, oid, inc, key),
            "work": sample(_work_dist(plan, oid), "work", ob.role, oid, inc, key),
            "forgot": below(role.errors.forget, "forget", ob.role, oid, inc, key)
            if role.errors.forget > 0
            else np.zeros(n, dtype=bool),
        }
        act = ob.action
        if act.do == "grade":
            p = role.errors.misgrade
            d["misgrade"] = (
                below(p, "misgrade", ob.role, oid, inc, key) if p > 0 else np.zeros(n, bool)
            )
            d["milder"] = below(0.7, "misgrade-way", ob.role, oid, inc, key)
        if act.do == "task":
            task = proc.tasks[act.task]
            p = 1.0 - task.success
            d["ok"] = ~below(p, "task", act.task, inc, 1) if p > 0 else np.ones(n, dtype=bool)
        elif act.do == "report":
            chains = rt.chains[oid]
            allowed = {c for chain in chains for c in chain}
            others = [c for c in proc.channels if c not in allowed]
            pick = np.full(n, -1)
            if role.errors.wrong_channel > 0 and others:
                wrong = below(role.errors.wrong_channel, "wrong-channel", ob.role, oid, inc, key)
                k = pick_of(len(others), "wrong-pick", ob.role, oid, inc, key)
                pick = np.where(wrong, k, -1)
            d["others"], d["pick"] = others, pick
            d["by_pick"] = _by_pick(pick, len(others))  # drawn once: _report's every pass
        return d

    draws: dict[str, dict[str, Any]] = {oid: duty_draws(oid, 1) for oid in live}
    # Every message a report could send, by the engine's attempt key (sender, recipient,
    # channel): the engine numbers a key's messages across duties and retries (Messages.send),
    # so a message's draws are those of its rank among the key's messages sent before it.
    key_slots: dict[tuple, list[tuple]] = {}
    for oid in live:
        ob = obs[oid]
        if ob.action.do != "report":
            continue
        for slot, via in _slots(oid, ob.action.to, rt.chains[oid], draws[oid]["others"]):
            key_slots.setdefault((ob.role, slot[1], via), []).append(slot)
    # Where a line's messages all belong to one chain of one duty (its wrong-channel branches
    # exclude one another), a message's rank is its place in its branch; only lines that two
    # duties or two chains share need the ranks counted from the send times.
    static_rank: dict[tuple, int] = {}
    shared: set[tuple] = set()
    for key, slots in key_slots.items():
        if len({(oid, c) for oid, _to, c, _p, _i in slots}) > 1:
            shared.add(key)
            continue
        for slot in slots:
            static_rank[slot] = 1 + sum(1 for o in slots if o[:4] == slot[:4] and o[4] < slot[4])
    slot_sent: dict[tuple, np.ndarray] = {}
    msg_draws: dict[tuple, tuple] = {}

    def attempt_in(key, k, rows):
        """attempt(key, k) in these replications alone: a wrong channel's branch and a retry
        after a failure (a few replications) draw only theirs (the draws are elementwise: the
        same bits as the whole batch's), unless the whole batch's are made already."""
        got = msg_draws.get((key, k))
        if got is not None:
            return got[0][rows], got[1][rows]
        sender, to, via = key
        ch = proc.channels[via]
        mine = seeds[rows]
        lat = array_sampler(ch.latency)(uniform_many(mine, "latency", via, sender, to, inc, k))
        if ch.failure > 0:
            return lat, uniform_many(mine, "fail", via, sender, to, inc, k) < ch.failure
        return lat, np.zeros(len(rows), dtype=bool)

    def attempt(key, k):
        if (key, k) not in msg_draws:
            sender, to, via = key
            ch = proc.channels[via]
            lat = sample(ch.latency, "latency", via, sender, to, inc, k)
            fail = (
                below(ch.failure, "fail", via, sender, to, inc, k)
                if ch.failure > 0
                else np.zeros(n, dtype=bool)
            )
            msg_draws[key, k] = (lat, fail)
        return msg_draws[key, k]

    # a message sent while its channel is down fails on arrival (reason "outage"; the script's
    # steps of a minute run before a bot's, so one sent at the outage's first minute is in it)
    down_windows: dict[str, list[tuple[float, float]]] = {}
    for o in sc.outages:
        until = _INF if o.until_min is None else float(o.until_min)
        down_windows.setdefault(o.channel, []).append((float(o.start_min), until))

    def message(sender, to, via, slot, sent, sub):
        """A message's latency and failure where it is sent at `sent` (inf where it is not):
        over the replications `sub` alone (`sent` too), unless None."""
        key = (sender, to, via)
        if sub is None:
            lat, fail = _message(key, slot, sent)
        elif key not in shared:
            lat, fail = attempt_in(key, static_rank[slot], sub)
        else:  # its rank among the line's messages: counted from the sends over all
            whole = np.full(n, _INF)
            whole[sub] = sent
            lat, fail = _message(key, slot, whole)
            lat, fail = lat[sub], fail[sub]
        return lat, outage(via, sent, fail)

    def outage(via, sent, fail):
        for lo, hi in down_windows.get(via, ()):
            fail = fail | ((sent >= lo) & (sent < hi))
        return fail

    def _message(key, slot, sent):
        if key not in shared:
            return attempt(key, static_rank[slot])
        slot_sent[slot] = sent
        slots = key_slots[key]
        mine = slots.index(slot)
        # the rank among the line's messages matters only where this one is sent (elsewhere
        # the caller reads neither its latency nor its failure): counted there alone
        sent_at = np.flatnonzero(np.isfinite(sent))
        here = sent[sent_at]
        rank = np.ones(len(sent_at), dtype=np.int64)
        for i, other in enumerate(slots):
            if i != mine and other in slot_sent:
                s = slot_sent[other][sent_at]
                rank += (s < here) | ((s == here) & (i < mine) & np.isfinite(s))
        lat, fail = attempt(key, 1)
        later = [int(k) for k in np.unique(rank) if k > 1]
        if later:
            lat, fail = lat.copy(), fail.copy()
        for k in later:
            at_k = sent_at[rank == k]
            lat_k, fail_k = attempt(key, k)
            lat[at_k], fail[at_k] = lat_k[at_k], fail_k[at_k]
        return lat, fail

    # the fixed point: every time from the current estimate of the others, until none moves
    due = {oid: inf for oid in live}
    act_at = {oid: inf for oid in live}  # the action (after the work)
    done = {oid: inf for oid in live}  # the event that met it (unrounded)
    done_at = {oid: inf for oid in live}  # its done_at (rounded; a report's send time)
    met_at = {oid: inf for oid in live}
    received = {oid: inf for oid in live}  # a report's first delivery that met a part of it
    ok_at = {oid: inf for oid in live}  # a task's success
    sends: dict[str, list] = {
        oid: [] for oid in live
    }  # (arrival, delivered, sent) of every message
    reached = {r: inf for r in proc.roles}
    fired = {j: inf for j in sc.injects}
    step_at = {i: inf for i in range(len(sc.timeline))}  # when each timeline step is taken
    svc_down = {s: inf for s in proc.services}
    svc_back = {s: inf for s in proc.services}
    attr_src: dict[str, list] = {k: [] for k in model.domains}  # (times, value index) each

    def atom_time(atom):
        kind, arg = atom
        if kind == "reached":
            return reached[arg]
        if kind == "done":
            return done[arg] if arg in done else inf
        if kind == "due":
            return due[arg] if arg in due else inf
        if kind == "received":
            return received[arg]
        if kind == "restored":
            return svc_back[arg]
        return fired[arg]

    def value_at(atom, t):
        if atom[0] == "down":  # down, then perhaps restored: true in between
            went, back = svc_down[atom[1]], svc_back[atom[1]]
            return ((went <= t) & ~(back <= t)).astype(np.int64)
        if atom[0] != "attr":
            return (atom_time(atom) <= t).astype(np.int64)
        idx: Any = 0
        last: Any = -_INF
        for times, vi in attr_src[atom[1]]:
            take = (times <= t) & (times >= last)  # the latest change; in a tie, the later step
            idx = np.where(take, vi, idx)
            last = np.where(take, times, last)
        return idx

    def moments(trig):
        out = []
        for atom in trig.atoms:
            if atom[0] == "attr":
                out += [times for times, _ in attr_src[atom[1]]]
            elif atom[0] == "down":
                out += [svc_down[atom[1]], svc_back[atom[1]]]
            else:
                out.append(atom_time(atom))
        return out

    def first(trig):
        return _first_true(trig, moments(trig), value_at, n)

    def holds_at(trig, at):
        return trig.table[_index(trig, np.full(n, float(at)), value_at)]

    def clip(t):
        return np.where(t <= end, t, _INF)

    def source_times(kind, ref):
        if kind == "step":
            return step_at[ref]
        if kind == "inject":
            return fired[ref]
        return ok_at[ref]

    reporters: dict[str, list[str]] = {}
    arrivals: dict[str, dict[str, np.ndarray]] = {}  # report -> role -> its first delivery
    for oid in live:
        act = obs[oid].action
        if act.do == "report":
            arrivals[oid] = {to: inf for to in act.to}
            for to in act.to:
                reporters.setdefault(to, []).append(oid)
    # a regrade's occurrences, each a duty of its own here: "regrade#1", "regrade#2" …
    R = model.regrade
    regrade_ids = [f"{R}#{k}" for k in range(1, len(model.domains["@level"]) + 1)] if R else []
    occurrences = list(regrade_ids)
    kind_of: dict[str, str] = {sid: str(R) for sid in regrade_ids}
    for sid in regrade_ids:
        for table in (due, act_at, done, done_at, met_at, received, ok_at):
            table[sid] = inf
        sends[sid] = []
        draws[sid] = {"work": np.zeros(n)}
    # a recurring update's occurrences, each a duty of its own here: "updates#1" …
    updates = {
        U: [f"{U}#{k}" for k in range(1, update_room(plan, U, end) + 1)] for U in model.recurring
    }
    for U, ids in updates.items():
        for k, sid in enumerate(ids, 1):
            kind_of[sid] = U
            for table in (due, act_at, done, done_at, met_at, received, ok_at):
                table[sid] = inf
            sends[sid] = []
            draws[sid] = duty_draws(U, k)
        occurrences += ids
    asked = {oid: inf for oid in [*live, *occurrences]}
    prio = {oid: inf for oid in [*live, *occurrences]}  # a bot's deadline when it took the duty up
    queues = Queues(  # roles with more duties than members: their duties
        model,
        [o for o in live if o != R and o not in updates] + occurrences,
        kind_of,
        asked,
        prio,
        draws,
        inf,
    )
    graders = [g for g in model.grading if g != R] + regrade_ids
    declared_as = {g: np.zeros(n, dtype=np.int64) for g in graders}  # index in @declared
    slot_draws: dict[str, dict] = {}  # a regrade's draws by their key ("L2.1": level, count)
    made_at: dict[str, np.ndarray] = {}  # when an update's occurrence was made (Triggers._recur)
    void: dict[str, np.ndarray] = {}  # occurrences void: `until` held before their deadline

    def regrade_draws(key: str) -> dict:
        if key not in slot_draws:
            assert R is not None
            ob = obs[R]
            role = proc.roles[ob.role]
            p, q = role.errors.forget, role.errors.misgrade
            slot_draws[key] = {
                "reaction": sample(role.reaction, "reaction", ob.role, R, inc, key),
                "work": sample(_work_dist(plan, R), "work", ob.role, R, inc, key),
                "forgot": below(p, "forget", ob.role, R, inc, key) if p > 0 else np.zeros(n, bool),
                "misgrade": below(q, "misgrade", ob.role, R, inc, key)
                if q > 0
                else np.zeros(n, bool),
                "milder": below(0.7, "misgrade-way", ob.role, R, inc, key),
            }
        return slot_draws[key]

    def regrades():
        """Each occurrence of the regrade: it falls due at the first moment something its
        trigger reads changed where the trigger holds and either did not just before or the
        last occurrence was met and the level moved since (Triggers._check_truth); its bot,
        keyed by the level it answers and how often it has at that level (Bots._draw_key),
        reacts, queues, works and declares."""
        assert R is not None
        trig = model.triggers[R]
        levels = np.asarray(model.domains["@level"])
        prev_due = np.full(n, -_INF)
        prev_done = inf
        at_level: dict[int, np.ndarray] = {}
        others = [(act_at[g], declared_as[g]) for g in graders if g not in kind_of]
        for i, sid in enumerate(regrade_ids):
            # what was declared before this occurrence: the other duties' grades and the
            # occurrences before it (this pass's), not its own nor later ones (they come after)
            attr_src["@declared"] = others + [(act_at[g], declared_as[g]) for g in regrade_ids[:i]]
            moms = moments(trig)
            lvl_done = value_at(("attr", "@level"), np.where(np.isfinite(prev_done), prev_done, 0))
            best = inf
            for m in moms:
                m = np.broadcast_to(m, (n,))
                ok = np.isfinite(m) & (m > prev_due) & (m < best)
                if not ok.any():
                    continue
                now_t = trig.table[_index(trig, m, value_at)]
                before_t = trig.table[_index(trig, np.nextafter(m, -_INF), value_at)]
                moved = (prev_done <= m) & (value_at(("attr", "@level"), m) != lvl_done)
                best = np.where(ok & now_t & (~before_t | moved), m, best)
            f = clip(best)
            if (np.isfinite(f) & ~(prev_done <= f) & np.isfinite(prev_due)).any():
                # fell due again while the last was open: grades would meet them out of turn
                raise NotModelled([("fp_again", {"what": _ob(R)})])
            due[sid] = f
            lvl = levels[value_at(("attr", "@level"), np.where(np.isfinite(f), f, 0))]
            count = np.zeros(n, dtype=np.int64)
            for v in np.unique(lvl[np.isfinite(f)]):
                count = np.where(lvl == v, at_level.get(int(v), 0) + 1, count)
            for v in np.unique(lvl[np.isfinite(f)]):
                at_level[int(v)] = np.where(
                    (lvl == v) & np.isfinite(f), count, at_level.get(int(v), 0)
                )
            d: dict[str, Any] = {k: np.zeros(n) for k in ("reaction", "work")}
            d |= {k: np.zeros(n, dtype=bool) for k in ("forgot", "misgrade", "milder")}
            fell = np.isfinite(f)
            for v, c in sorted(set(zip(lvl[fell].tolist(), count[fell].tolist()))):
                sel = fell & (lvl == v) & (count == c)
                dd = regrade_draws(f"L{v}.{c}")
                for k in d:
                    d[k] = np.where(sel, dd[k], d[k])
            draws[sid] = d
            dl = _deadline(plan, R, f, fired, done_at, n)
            prio[sid] = np.where(np.isfinite(dl), dl, _INF)
            asked[sid] = np.where(d["forgot"], _INF, clip(f + d["reaction"]))
            role = obs[R].role
            start_at = asked[sid] if role not in queues.queued else queues.start(role, sid)
            a = clip(start_at + d["work"])
            act_at[sid] = done[sid] = done_at[sid] = met_at[sid] = a
            level_now = levels[value_at(("attr", "@level"), a)]
            declared_as[sid] = _declare(plan, model, level_now, d)
            prev_due, prev_done = np.where(fell, f, prev_due), a
        attr_src["@declared"] = [(act_at[g], declared_as[g]) for g in graders]

    stamps: dict[int, tuple] = {}  # id of a send time -> (it, rounded as stamped, + EPS)

    def stamped(sent: np.ndarray) -> np.ndarray:
        """A message's send time as the agenda stamps it, plus EPS: worked out once a pass."""
        got = stamps.get(id(sent))
        if got is None or got[0] is not sent:
            got = stamps[id(sent)] = (sent, _round(sent) + EPS)
        return got[1]

    def meets(oid, senders, due_r):
        """Per need of report `oid`: the send and arrival times of the first delivery that meets
        it among the messages of `senders` (a delivered message meets every need it fits of
        the role's duties that had fallen due when it was sent: Agenda._message)."""
        need_send, need_arrive = [], []
        for to, group in needs[oid]:
            best_arr, best_sent = inf, inf
            for other in senders:
                for to_, via, sent, arrive, delivered, rows in sends[other]:
                    if to_ != to or via not in group or not delivered.any():
                        continue
                    # a message sent before the duty fell due does not meet it (a bot may act
                    # on a declared level before the facts reach it)
                    if rows is None:
                        better = delivered & (arrive < best_arr) & (due_r <= stamped(sent))
                        best_arr = np.where(better, arrive, best_arr)
                        best_sent = np.where(better, sent, best_sent)
                        continue
                    better = delivered & (arrive < best_arr[rows]) & (due_r[rows] <= stamped(sent))
                    if better.any():
                        if best_arr is inf:  # (inf is shared: written into, a copy)
                            best_arr, best_sent = inf.copy(), inf.copy()
                        best_arr[rows[better]] = arrive[better]
                        best_sent[rows[better]] = sent[better]
            need_send.append(best_sent)
            need_arrive.append(best_arr)
        return need_send, need_arrive

    same_role = {  # the reports of each duty's role: their messages may meet it
        oid: [o for o in live if obs[o].role == obs[oid].role and o in arrivals] for oid in live
    }
    tables = Tables(
        due, act_at, done, done_at, met_at, received, sends, draws, prio, asked, made_at, void
    )
    look = Look(first, value_at, moments, attempt, outage, queues, needs)
    # Whose messages a report's own times depend on: its role's other reports (meets) and the
    # duties with a message on a line it shares (_message counts their sends, and its own sent
    # on that line the last time it was computed).
    mates: dict[str, list[str]] = {}
    for oid in arrivals:
        mine = {k for k, slots in key_slots.items() if k in shared and oid in (s[0] for s in slots)}
        owners = {s[0] for k in mine for s in key_slots[k]}
        mates[oid] = [o for o in live if (o in same_role[oid] and o != oid) or o in owners]

    def inputs(oid: str) -> list:
        """Everything a duty's computation below reads that a pass can change: where none of it
        changed since the duty was last computed, its times are what they were (each pass
        after the first mostly confirms them)."""
        ob = obs[oid]
        sig: list = []
        trig, b = model.triggers[oid], model.belief[oid]
        for kind, arg in trig.atoms + (b.atoms if b is not trig else []):
            if kind == "attr":
                sig.append(attr_src[arg])
            elif kind == "down":
                sig += [svc_down[arg], svc_back[arg]]
            else:
                sig.append(atom_time((kind, arg)))
        kind, _, ref = ob.anchor.partition(":")
        if kind == "inject":
            sig.append(fired[ref])
        elif kind == "done":
            sig.append(done_at.get(ref))
        sig.append(queues.waited.get(oid))
        if ob.action.do == "grade":
            sig.append(attr_src["@level"])
        for o in mates.get(oid, ()):
            sig.append(sends[o])
        return sig

    def duty(oid: str, keep) -> None:
        """A duty's times this pass: when it falls due, when its bot asks for a member, when
        the work starts (the role's queue) and ends, and what the action does. `keep(table,
        value)`: stores value for oid in table (the old array where equal)."""
        ob = obs[oid]
        d = draws[oid]
        f = clip(first(model.triggers[oid]))
        keep(due, f)
        # the bot takes it up when its trigger holds on what was declared (a grading
        # duty's when it falls due), with the deadline it then has as its priority
        b = model.belief[oid]
        taken = f if b is model.triggers[oid] else clip(first(b))
        dl = _deadline(plan, oid, taken, fired, done_at, n)
        keep(prio, np.where(np.isfinite(dl), dl, _INF))
        keep(asked, np.where(d["forgot"], _INF, clip(taken + d["reaction"])))
        queue = queues.queued.get(ob.role)
        if queue is None:
            start_at = asked[oid]
        else:
            start_at = queues.start(ob.role, oid)
        a = clip(start_at + d["work"])
        if oid in arrivals and len(same_role[oid]) > 1:
            # met by another duty's messages before a member took it up: the bot lets it
            # be (Bot.work), and the member goes straight on
            others = [o for o in same_role[oid] if o != oid]
            by_others = np.max(meets(oid, others, _round(f))[1], axis=0)
            skip = by_others < start_at
            busy = np.where(skip, 0.0, d["work"])
            d["busy"] = d["busy"] if "busy" in d and _same(d["busy"], busy) else busy
            a = np.where(skip, _INF, a)
        keep(act_at, a)
        act = ob.action
        if act.do in ("task", "grade"):
            # the action meets the duty if it had fallen due by then (Agenda._action)
            met = np.where(_round(f) <= _round(a) + EPS, a, _INF)
            keep(done, met)
            keep(done_at, met)
            keep(met_at, met)
        if act.do == "task":
            keep(ok_at, np.where(d["ok"], a, _INF))
        elif act.do == "grade":
            level_now = np.asarray(model.domains["@level"])[value_at(("attr", "@level"), a)]
            keep(declared_as, _declare(plan, model, level_now, d))
        else:
            assert act.do == "report"  # check() refused classifying
            keep(sends, _report(oid, act.to, rt.chains[oid], d, a, message, ob.role, end))
            need_send, need_arrive = meets(oid, same_role[oid], _round(f))
            last_arrival = np.max(need_arrive, axis=0)
            keep(received, np.min(need_arrive, axis=0))
            keep(done, last_arrival)  # the delivery that completed it
            keep(done_at, np.where(np.isfinite(last_arrival), np.max(need_send, axis=0), _INF))
            keep(met_at, last_arrival)
            got: dict[str, np.ndarray] = {}
            for to, _via, _sent, arrive, delivered, rows in sends[oid]:
                t = np.where(delivered, arrive, _INF)
                if rows is None:
                    got[to] = np.minimum(got[to], t) if to in got else t
                else:  # after the recipient's first message (over all): an array of this duty's
                    got[to][rows] = np.minimum(got[to][rows], t)
            keep(arrivals, got)
            for to in got:
                reached[to] = _kept(reached[to], reach(to))

    def settled(oid: str) -> None:
        """A duty whose inputs did not change (under _VERIFY_SKIPS: recomputed and checked)."""
        if _VERIFY_SKIPS is None:
            return
        outs: list[dict[str, Any]] = [due, prio, asked, act_at, done, done_at, met_at, ok_at]
        outs += [received, sends, arrivals, declared_as]
        old = [t.get(oid) for t in outs] + [draws[oid].get("busy"), dict(reached)]
        duty(oid, lambda table, value: table.__setitem__(oid, value))
        new = [t.get(oid) for t in outs] + [draws[oid].get("busy"), dict(reached)]
        if not _same(old, new):
            raise AssertionError(f"fast path: {oid} skipped but its times changed")
        _VERIFY_SKIPS.append(oid)

    last_inputs: dict[str, list] = {}
    constant_steps = {  # timeline steps without a condition: at their minute in every pass
        i: np.full(n, float(ch.at) if ch.at <= end else _INF)
        for i, ch in enumerate(sc.timeline)
        if i not in model.steps
    }
    level_memo: list = [None, None]  # @level's sources last computed from, and the result
    settled_on: list | None = None  # what the queues were last worked out from
    for round_no in range(4 * (len(live) + len(sc.injects)) + 8):
        before = [
            *due.values(),
            *done.values(),
            *received.values(),
            *act_at.values(),
            *reached.values(),
            *fired.values(),
            *step_at.values(),
            *svc_back.values(),
            *declared_as.values(),
            *queues.waited.values(),
        ]
        stamps.clear()  # (what this pass sends: the last pass's arrays mostly gone)
        # the timeline's steps, each at its minute unless its condition holds then
        last_step_at, step_at = step_at, {}
        for i, ch in enumerate(sc.timeline):
            t = constant_steps.get(i)
            if t is None:
                t = np.full(n, float(ch.at) if ch.at <= end else _INF)
                t = np.where(holds_at(model.steps[i], ch.at), _INF, t)
            step_at[i] = _kept(last_step_at[i], t)
        attr_src = {
            k: [(source_times(kind, ref), vi) for kind, ref, vi in src]
            for k, src in model.sources.items()
        }
        if "@level" in model.domains:
            # the level the rules give after each change, in the order of the changes; the
            # declared one after each grade
            if level_memo[0] is None or not _same(level_memo[0], attr_src):
                level_memo[:] = [dict(attr_src), _level_path(plan, model, attr_src, n)[2]]
            attr_src["@level"] = level_memo[1]
            attr_src["@declared"] = [(act_at[g], declared_as[g]) for g in graders]
        # injects
        new_fired = {}
        for j, (at, when, unless) in model.injects.items():
            if at is not None:
                t = np.full(n, float(at))
                if unless is not None:
                    t = np.where(holds_at(unless, at), _INF, t)
            else:
                t = first(when)
            new_fired[j] = _kept(fired[j], clip(t))
        fired = new_fired
        new_down, new_back = _down_back(plan, model, step_at, fired, ok_at, n)
        svc_down = {s: _kept(svc_down[s], v) for s, v in new_down.items()}
        svc_back = {s: _kept(svc_back[s], v) for s, v in new_back.items()}
        # what reaches each role: the injects, and every report's deliveries (this pass's where
        # computed, else the last pass's)
        reach_base = {r: inf for r in proc.roles}
        for j, inj in sc.injects.items():
            for r in inj.to:
                reach_base[r] = np.minimum(reach_base[r], fired[j])

        def reach(role):
            t = reach_base[role]
            for oid in reporters.get(role, ()):
                t = np.minimum(t, arrivals[oid][role])
            return t

        reached = {r: _kept(reached[r], reach(r)) for r in proc.roles}
        # duties, each after what it waits for
        for oid in model.order:
            if oid == R:
                regrades()
                continue
            if oid in updates:
                got = arrivals[oid] = recur(oid, updates[oid], model, n, end, tables, look)
                for to in got:
                    reached[to] = reach(to)
                continue
            now = inputs(oid)
            if oid in last_inputs and _same(last_inputs[oid], now):
                settled(oid)
                continue
            last_inputs[oid] = now
            if round_no == 0:  # nothing to keep yet
                duty(oid, lambda table, value, oid=oid: table.__setitem__(oid, value))
            else:
                duty(
                    oid,
                    lambda table, value, oid=oid: table.__setitem__(
                        oid, _kept(table.get(oid), value)
                    ),
                )
        # the queues again, unless none of their duties' asks, deadlines and work moved
        asks = [
            (asked[o], prio[o], draws[o].get("busy", draws[o]["work"]))
            for oids in queues.queued.values()
            for o in oids
        ]
        if not _same(asks, settled_on):
            held = dict(queues.waited)
            queues.settle()
            for oid, w in queues.waited.items():
                queues.waited[oid] = _kept(held[oid], w)
            settled_on = asks
        after = [
            *due.values(),
            *done.values(),
            *received.values(),
            *act_at.values(),
            *reached.values(),
            *fired.values(),
            *step_at.values(),
            *svc_back.values(),
            *declared_as.values(),
            *queues.waited.values(),
        ]
        if all(_same(x, y) for x, y in zip(before, after)):
            break
    else:
        raise RuntimeError("the fast path's times did not settle")

    # the rows, as replications.record makes them: a duty and occurrence a column of (n, K)
    # tables, each replication's row then sorted as the engine's agenda lists its duties
    listed = [o for o in live if o != R and o not in updates] + occurrences
    K = len(listed)
    ob_index = {o: i for i, o in enumerate(proc.obligations)}
    reps = np.arange(start, start + count, dtype=np.int32)
    events = np.full(n, 2 + 1, dtype=np.int64)  # start, level, end
    fells = np.empty((n, K), dtype=bool)
    fall = np.empty((n, K))  # when the duty (its obligation's first occurrence) fell due
    trig_t, dl_t, done_t, met_t = (np.empty((n, K)) for _ in range(4))
    ob_k = np.empty(K, dtype=np.int16)
    nth_k = np.empty(K, dtype=np.int16)
    for c, oid in enumerate(listed):
        real = kind_of.get(oid, oid)
        ob = obs[real]
        f = due[oid]
        # the agenda lists an obligation's occurrences together, where its first fell due
        same = [o for o in occurrences if kind_of[o] == real] if oid in kind_of else [oid]
        group = due[same[0]]
        k = same.index(oid) + 1
        fell = np.isfinite(f)
        deadline = _deadline(plan, real, f, fired, done_at, n)
        if real in updates and k > 1:  # each later update's counts every_min (Triggers._recur)
            deadline = f + every_min(plan, real)
        fell &= np.isfinite(deadline)
        if oid in void:
            events += void[oid]  # void
            events += fell & void[oid]  # its due, then no row
            fell &= ~void[oid]
        fells[:, c] = fell
        fall[:, c] = np.where(fell, group, _INF)
        ob_k[c], nth_k[c] = ob_index[real], k
        trig_t[:, c] = _round(f)
        dl_t[:, c] = _round(deadline)
        done_t[:, c] = np.where(np.isfinite(done[oid]), _round(done_at[oid]), np.nan)
        met_t[:, c] = np.where(np.isfinite(met_at[oid]), _round(met_at[oid]), np.nan)
        events += fell  # due
        if ob.action.do == "grade":
            events += np.isfinite(act_at[oid])  # grade
        if ob.action.do == "task":
            events += np.isfinite(act_at[oid])  # task
            if proc.tasks[ob.action.task].effects.set:
                events += np.isfinite(ok_at[oid])  # attributes
        for msg in sends[oid]:  # an update's messages: over all replications (fastpath_updates)
            sent, arrive, over = msg[2], msg[3], msg[5] if len(msg) > 5 else None
            sent_arrived = np.isfinite(sent).view(np.int8) + np.isfinite(arrive).view(np.int8)
            if over is None:
                events += sent_arrived  # message.sent, message.delivered or message.failed
            else:
                events[over] += sent_arrived
    for j, inj in sc.injects.items():
        events += np.isfinite(fired[j]) * (1 + bool(inj.set))  # its services: _services
        skipped = np.isinf(fired[j]) & (model.injects[j][2] is not None)
        events += skipped
    for i, ch in enumerate(sc.timeline):
        events += np.isfinite(step_at[i]) * bool(ch.set)  # its services: _services
    for o in sc.outages:  # channel.down, channel.up
        events += (o.start_min <= end) + (o.until_min is not None and o.until_min <= end)
    # the engine's agenda lists a replication's duties in the order they fell due (an
    # obligation's occurrences by their number, then in the order above): a stable sort of
    # each replication's row, the duties that did not fall due (inf) last and left out
    by = np.lexsort((np.broadcast_to(nth_k, (n, K)), fall), axis=1)
    # each row's place in the (n, K) tables, flat: one take from each table (a gather by two
    # index arrays works the flat places out again for every table)
    by += np.arange(0, n * K, K)[:, None]
    flat = by.ravel()
    flat = flat.compress(fells.ravel().take(flat))  # (compress: a mask's [] is slower)
    rep_i = flat // K
    col_i = flat - rep_i * K
    dl = dl_t.ravel().take(flat)
    dn = done_t.ravel().take(flat)
    # 0 met in time, 1 late, 2 open, 3 open and not yet due at the end (an undone duty's dn
    # is nan: not <=, so 1, then + 1, + 1 where not yet due)
    status = (~(dn <= dl + EPS)).view(np.int8)
    undone = np.isnan(dn)
    status += undone.view(np.int8)
    status += (undone & (end < dl - EPS)).view(np.int8)
    rows: dict[str, np.ndarray] = {
        "rep": reps.take(rep_i),
        "ob": ob_k.take(col_i),
        "inc": np.zeros(len(rep_i), dtype=np.int16),
        "n": nth_k.take(col_i),
        "triggered": trig_t.ravel().take(flat),
        "deadline": dl,
        "done": dn,
        "met": met_t.ravel().take(flat),
        "status": status,
        "deputy": np.zeros(len(rep_i), dtype=np.int8),
    }
    svc_cols, svc_events = _services(plan, svc_down, svc_back, reps, end, n)
    events += svc_events
    final, changes = _levels(plan, model, attr_src, n)
    events += changes
    declared = np.zeros(n, dtype=np.int8)
    if model.grading:
        idx = value_at(("attr", "@declared"), np.full(n, end))
        declared = np.asarray(model.domains["@declared"], dtype=np.int8)[idx]
    return FastBatch(rows, svc_cols, final.reshape(n, 1), events, declared.reshape(n, 1))


def _levels(plan: Plan, model: Model, attr_src: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The level at the end of each replication and how often it changed (a `level` event
    each)."""
    level, count, _ = _level_path(plan, model, attr_src, n)
    return level, count


def _level_path(plan: Plan, model: Model, attr_src: dict, n: int) -> tuple:
    """The level at the end, how often it changed, and the level after each change of what
    the grading rules read, as @level's sources: (times, index in @level's values) in the
    order of the changes (each replication's own order: the latest at a moment wins)."""
    rt = plan.runtime
    grader = rt.grader
    attrs = rt.attributes[next(iter(plan.scenario.incidents))]
    start = grader.level(attrs)
    reads = (
        grader.reads
        if grader.kind == "rules"
        else (grader.row, grader.column)
        if grader.kind == "matrix"
        else ()
    )
    changing = [k for k in reads if k in model.domains]
    if not changing:
        return np.full(n, start, dtype=np.int8), np.zeros(n, dtype=np.int64), []
    # the level of every combination of the changing attributes' values
    radix = [len(model.domains[k]) for k in changing]
    lut = np.zeros(math.prod(radix), dtype=np.int8)
    for code in range(len(lut)):
        values, rest = dict(attrs), code
        for k, r in zip(changing, radix):
            values[k], rest = model.domains[k][rest % r], rest // r
        lut[code] = grader.level(values)
    index = np.zeros(max(int(lut.max()), start) + 1, dtype=np.int64)
    for i, v in enumerate(model.domains.get("@level", [start])):
        if 0 <= v < len(index):
            index[v] = i
    steps = [(i, times, vi) for i, k in enumerate(changing) for times, vi in attr_src[k]]
    times = np.stack([np.broadcast_to(t, (n,)) for _, t, _ in steps])  # (changes, n)
    order = np.argsort(times, axis=0, kind="stable")  # in a tie, the engine's order of steps
    which = np.array([i for i, _, _ in steps])
    value = np.array([vi for _, _, vi in steps])
    mult = np.cumprod([1, *radix[:-1]])
    cur = np.zeros((len(changing), n), dtype=np.int64)
    cols = np.arange(n)
    level = np.full(n, start, dtype=np.int8)
    count = np.zeros(n, dtype=np.int64)
    # only the changes of the level itself: the c-th change of each replication in row c
    ch_t = np.full((len(steps), n), _INF)
    ch_l = np.zeros((len(steps), n), dtype=np.int64)
    for step in range(len(steps)):
        s = order[step]
        t = times[s, cols]
        happened = np.isfinite(t)
        a = which[s]
        cur[a, cols] = np.where(happened, value[s], cur[a, cols])
        now = lut[(cur * mult[:, None]).sum(axis=0)]
        moved = happened & (now != level)
        rows = count[moved]
        ch_t[rows, cols[moved]] = t[moved]
        ch_l[rows, cols[moved]] = index[now[moved]]
        count += moved
        level = np.where(happened, now, level)
    path = [(ch_t[c], ch_l[c]) for c in range(int(count.max(initial=0)))]
    return level, count, path


def _declare(plan: Plan, model: Model, level: np.ndarray, d: dict) -> np.ndarray:
    """The level a bot declares (Bot._grade), as an index in @declared's values: the level the
    rules give, or after a misgrade one step off, towards the milder level 7 times in 10, the
    other way at either end."""
    assert plan.procedure.grading is not None  # check() gives @level only to a grading plan
    levels = sorted(plan.procedure.grading.levels)
    pos = np.zeros(len(level), dtype=np.int64)  # a level not among them counts as the first
    for i, v in enumerate(levels):
        pos = np.where(level == v, i, pos)
    step = np.where(d["milder"], 1, -1)
    step = np.where((pos + step < 0) | (pos + step >= len(levels)), -step, step)
    inside = (pos + step >= 0) & (pos + step < len(levels))
    moved = np.asarray(levels)[np.clip(pos + step, 0, len(levels) - 1)]
    out = np.where(d["misgrade"] & inside, moved, level)
    values = model.domains["@declared"]
    idx = np.zeros(len(level), dtype=np.int64)
    for i, v in enumerate(values):
        idx = np.where(out == v, i, idx)
    return idx


def _work_dist(plan: Plan, oid: str):
    ob = plan.procedure.obligations[oid]
    if ob.work is not None:
        return ob.work
    if ob.action.do == "task":
        return plan.procedure.tasks[ob.action.task].work
    return ONE_MINUTE


def _slots(oid, recipients, chains, others):
    """Every message a report could send, in the engine's order: ((obligation, recipient,
    chain, wrong pick, attempt in the chain), channel)."""
    for to in recipients:
        for c, chain in enumerate(chains):
            for p in [-1, *range(len(others))]:
                seq = ([others[p]] if p >= 0 else []) + list(chain)
                for i, via in enumerate(seq[:3]):
                    yield (oid, to, c, p, i), via


def _by_pick(pick: np.ndarray, others: int) -> tuple:
    """Where the right channel is taken first, and the replications that pick each wrong one."""
    return pick < 0, [np.flatnonzero(pick == p) for p in range(others)]


def _report(oid, recipients, chains, d, at, message, role, end):
    """Every message of a report made at `at`: (to, via, sent, arrival, delivered, rows), the
    arrays over the replications `rows` (None: all of them; inf where it was not sent). Each
    (recipient, chain) is tried in turn, the next channel after a failure, at most 3; a wrong
    channel picked first. A wrong channel's branch and a retry are worked and kept over their
    few replications only (_whole makes them arrays over all)."""
    out = []
    t: Any = None
    sub: Any = None
    empty = False
    right, picked = d.get("by_pick") or _by_pick(d["pick"], len(d["others"]))
    for (_, to, c, p, i), via in _slots(oid, recipients, chains, d["others"]):
        slot = (oid, to, c, p, i)
        if i == 0:
            # a wrong channel picked first is rare: its branch is worked on its replications only
            sub = None if p < 0 else picked[p]
            t = np.where(right, at, _INF) if sub is None else at[sub]
            empty = sub is not None and not len(sub)
        if empty:
            continue  # no replication picked this wrong channel
        if sub is None:
            sent = np.where(t <= end, t, _INF)
            lat, fail = message(role, to, via, slot, sent, None)
            arrive = sent + lat
            arrive = np.where(arrive <= end, arrive, _INF)
            delivered = np.isfinite(arrive) & ~fail
            out.append((to, via, sent, arrive, delivered, None))
            t = np.where(np.isfinite(arrive) & fail, arrive, _INF)
        else:
            sent_s = np.where(t <= end, t, _INF)
            lat_s, fail_s = message(role, to, via, slot, sent_s, sub)
            arr_s = sent_s + lat_s
            arr_s = np.where(arr_s <= end, arr_s, _INF)
            out.append((to, via, sent_s, arr_s, np.isfinite(arr_s) & ~fail_s, sub))
            t = np.where(np.isfinite(arr_s) & fail_s, arr_s, _INF)
        # the next channel is tried only where this one failed (a few replications): there
        # alone (inf elsewhere, as if worked on all of them; never skipped, even if none)
        retry = np.flatnonzero(np.isfinite(t))
        sub, t = (retry, t[retry]) if sub is None else (sub[retry], t[retry])
    return out


def _whole(msg: tuple, n: int) -> tuple:
    """A message of _report as arrays over all n replications: (to, via, sent, arrival,
    delivered)."""
    to, via, sent, arrive, delivered, rows = msg
    if rows is None:
        return to, via, sent, arrive, delivered
    s, a, d = np.full(n, _INF), np.full(n, _INF), np.zeros(n, dtype=bool)
    s[rows], a[rows], d[rows] = sent, arrive, delivered
    return to, via, s, a, d


def _deadline(plan, oid, f, fired, done_at, n):
    ob = plan.procedure.obligations[oid]
    kind, _, ref = ob.anchor.partition(":")
    anchor = f
    if kind == "start":
        anchor = np.zeros(n)
    elif kind == "inject":
        anchor = np.where(fired[ref] <= f, fired[ref], f)
    elif kind == "done":
        d = _round(done_at[ref]) if ref in done_at else np.full(n, _INF)
        anchor = np.where(d <= f, d, f)  # met (and so rounded) before it fell due
    if ob.deadline_min is not None:
        return anchor + ob.deadline_min
    assert ob.deadline_clock is not None  # check() refused deadlines by level
    hh, mm = map(int, ob.deadline_clock.split(":"))
    start_clock = plan.runtime.start_clock_min
    clock_now = start_clock + anchor
    target = (clock_now // 1440) * 1440 + hh * 60 + mm
    target = np.where(target < clock_now, target + 1440, target)
    return np.where(np.isfinite(f), target - start_clock, _INF)


def _down_back(plan, model, step_at, fired, ok_at, n) -> tuple[dict, dict]:
    """When each service goes down (the first step of the script that takes it down) and when
    it is back (the first success of a task that restores it, after it went down)."""
    proc, sc = plan.procedure, plan.scenario
    downs, backs = {}, {}
    for sid in proc.services:
        down = np.full(n, _INF)
        for i, ch in enumerate(sc.timeline):
            if sid in ch.down:
                down = np.minimum(down, step_at[i])
        for j, inj in sc.injects.items():
            if sid in inj.down:
                down = np.minimum(down, fired[j])
        restored = np.full(n, _INF)
        for oid in model.live:
            if sid in _restores(plan, oid):
                t = ok_at[oid]
                restored = np.where((t >= down) & (t < restored), t, restored)
        downs[sid], backs[sid] = down, np.where(np.isfinite(down), restored, _INF)
    return downs, backs


def _services(plan, svc_down, svc_back, reps, end, n):
    proc = plan.procedure
    events = np.zeros(n, dtype=np.int64)
    cols: dict[str, list] = {k: [] for k in ("rep", "svc", "down", "restored", "downtime", "rto")}
    for si, (sid, service) in enumerate(proc.services.items()):
        down, restored = svc_down[sid], svc_back[sid]
        if not np.isfinite(down).any():
            continue
        went = np.isfinite(down)
        back = np.isfinite(restored)
        events += went.astype(np.int64) + back
        downtime = np.where(back, _round(restored), end) - _round(down)
        rto = np.where(
            back,
            (downtime <= service.rto_min + EPS).astype(np.int8),
            np.where(downtime > service.rto_min, 0, -1),
        ).astype(np.int8)
        at = np.flatnonzero(went)
        cols["rep"].append(reps[at])
        cols["svc"].append(np.full(len(at), si, dtype=np.int16))
        cols["down"].append(_round(down[at]))
        cols["restored"].append(np.where(back, _round(restored), np.nan)[at])
        cols["downtime"].append(downtime[at])
        cols["rto"].append(rto[at])

    def cat(k, dtype):
        return np.concatenate(cols[k]).astype(dtype) if cols[k] else np.zeros(0, dtype)

    rep = cat("rep", np.int32)
    order = np.argsort(rep, kind="stable")
    return {
        "rep": rep[order],
        "svc": cat("svc", np.int16)[order],
        "down": cat("down", np.float64)[order],
        "restored": cat("restored", np.float64)[order],
        "downtime": cat("downtime", np.float64)[order],
        "rto_met": cat("rto", np.int8)[order],
    }, events
