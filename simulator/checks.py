"""Cross-reference checks a schema cannot express, each naming its line.

A role, channel, task, service, obligation or inject that is referenced must be defined;
deputy chains must end; conditions must parse and name only known attributes and ids.
"""

from __future__ import annotations

from collections.abc import Container

from .errors import Problem
from .expressions import (
    FUNCTIONS,
    VARIABLE_TYPES,
    VARIABLES,
    Condition,
    ExpressionError,
    check_types,
    compile_condition,
)
from .formats.yamlsrc import KEY, Positions
from .model import MAX_RECURRENCES, Attribute, Procedure, Scenario, ScriptAction


def _unknown(kind: str, name: str, known) -> str:
    listed = ", ".join(sorted(map(str, known))) or "none"
    return f"unknown {kind} {name!r} (defined: {listed})"


def _condition(
    source: str,
    path: tuple,
    pos: Positions,
    proc: Procedure,
    scenario: Scenario | None = None,
    attributes_only: bool = False,
) -> list[Problem]:
    where = ".".join(map(str, path))
    try:
        cond = compile_condition(source)
    except ExpressionError as exc:
        return [pos.problem(path, f"{where}: {exc}")]
    types = {**VARIABLE_TYPES, **{n: a.type for n, a in proc.attributes.items()}}
    problems = [pos.problem(path, f"{where}: {e}") for e in check_types(source, types)]
    if attributes_only:  # a grading rule: the level comes from the attributes alone
        used = sorted({n for n in cond.names if n in VARIABLES} | {f"{f}()" for f, _ in cond.calls})
        if used:
            return [
                pos.problem(
                    path, f"{where}: a grading rule reads attributes only, not {', '.join(used)}"
                )
            ]
    for name in sorted(cond.names):
        if name not in proc.attributes and name not in VARIABLES:
            problems.append(
                pos.problem(path, f"{where}: condition names unknown attribute {name!r}")
            )
    targets: dict[str, Container[str] | None] = {
        "role": proc.roles,
        "obligation": proc.obligations,
        "service": proc.services,
        "inject": scenario.injects if scenario else None,
    }
    for func, arg in sorted(cond.calls):
        known = targets[FUNCTIONS[func]]
        if known is not None and arg not in known:
            problems.append(
                pos.problem(path, f"{where}: {func}(): " + _unknown(FUNCTIONS[func], arg, known))
            )
        elif func == "received" and arg in proc.obligations:
            if proc.obligations[arg].action.do != "report":
                problems.append(
                    pos.problem(path, f"{where}: received(): {arg!r} is not a report obligation")
                )
    return problems


def value_problem(attr: Attribute, value) -> str | None:
    """What is wrong with `value` for an attribute of this type (None: nothing)."""
    ok = {
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "text": isinstance(value, str),
        "flag": isinstance(value, bool),
    }[attr.type]
    if not ok:
        return f"{value!r} is not a {attr.type} (the attribute's type)"
    if attr.values is not None and value not in attr.values:
        return f"{value!r} is not one of {attr.values}"
    return None


def check_procedure(proc: Procedure, pos: Positions, injects: dict | None = None) -> list[Problem]:
    """`injects`: the scenario's, when the procedure is checked as part of one."""
    p: list[Problem] = []
    roles, channels, tasks, services = proc.roles, proc.channels, proc.tasks, proc.services
    for rid, role in roles.items():
        if role.deputy is not None and role.deputy not in roles:
            p.append(
                pos.problem(
                    ("roles", rid, "deputy"),
                    f"roles.{rid}.deputy: " + _unknown("role", role.deputy, roles),
                )
            )
    for rid in roles:  # a deputy chain that comes back to where it started never ends
        seen, cur = [rid], roles[rid].deputy
        while cur is not None and cur in roles:
            if cur in seen:
                if cur == rid:
                    chain = " -> ".join(seen + [cur])
                    p.append(
                        pos.problem(
                            ("roles", rid, "deputy"),
                            f"roles.{rid}.deputy: deputy chain loops: {chain}",
                        )
                    )
                break
            seen.append(cur)
            cur = roles[cur].deputy
    for cid, ch in channels.items():
        for i, alt in enumerate(ch.alternatives):
            if alt not in channels:
                p.append(
                    pos.problem(
                        ("channels", cid, "alternatives", i),
                        f"channels.{cid}.alternatives: " + _unknown("channel", alt, channels),
                    )
                )
    for attr_id, attr in proc.attributes.items():
        if attr_id in VARIABLES:
            p.append(
                pos.problem(
                    ("attributes", attr_id),
                    f"attributes.{attr_id}: {attr_id!r} is a built-in "
                    f"variable of conditions ({', '.join(VARIABLES)}); rename it",
                )
            )
        # an implicit default (0) stands for "not set" whatever the type
        wrong = value_problem(attr, attr.default) if "default" in attr.model_fields_set else None
        if wrong:
            p.append(
                pos.problem(
                    ("attributes", attr_id, "default"), f"attributes.{attr_id}.default: {wrong}"
                )
            )
        if attr.values is not None and attr.type != "text":
            p.append(
                pos.problem(
                    ("attributes", attr_id, "values"),
                    f"attributes.{attr_id}.values: only a text attribute lists its values",
                )
            )
    g = proc.grading
    if g is not None and g.kind == "rules":
        for i, rule in enumerate(g.rules):
            if rule.level not in g.levels:
                p.append(
                    pos.problem(
                        ("grading", "rules", i, "level"),
                        f"grading.rules[{i}].level: {rule.level} is not a defined level",
                    )
                )
            p += _condition(
                rule.when, ("grading", "rules", i, "when"), pos, proc, attributes_only=True
            )
    elif g is not None:
        for axis in ("row", "column"):
            name = getattr(g, axis)
            axis_attr = proc.attributes.get(name)
            if axis_attr is None:
                p.append(
                    pos.problem(
                        ("grading", axis),
                        f"grading.{axis}: " + _unknown("attribute", name, proc.attributes),
                    )
                )
            elif axis_attr.values is not None:
                keys = g.cells if axis == "row" else {c for row in g.cells.values() for c in row}
                for k in keys:
                    if k not in axis_attr.values:
                        p.append(
                            pos.problem(
                                ("grading", "cells"),
                                f"grading.cells: {k!r} is not a value of {name} {axis_attr.values}",
                            )
                        )
        for row, cols in g.cells.items():
            for col, level in cols.items():
                if level not in g.levels:
                    p.append(
                        pos.problem(
                            ("grading", "cells", row, col),
                            f"grading.cells.{row}.{col}: {level} is not a defined level",
                        )
                    )
    for tid, task in tasks.items():
        for i, sid in enumerate(task.effects.restore):
            if sid not in services:
                p.append(
                    pos.problem(
                        ("tasks", tid, "effects", "restore", i),
                        f"tasks.{tid}.effects.restore: " + _unknown("service", sid, services),
                    )
                )
        for attr_id, value in task.effects.set.items():
            if attr_id not in proc.attributes:
                p.append(
                    pos.problem(
                        ("tasks", tid, "effects", "set", attr_id),
                        f"tasks.{tid}.effects.set: "
                        + _unknown("attribute", attr_id, proc.attributes),
                    )
                )
            elif wrong := value_problem(proc.attributes[attr_id], value):
                p.append(
                    pos.problem(
                        ("tasks", tid, "effects", "set", attr_id),
                        f"tasks.{tid}.effects.set.{attr_id}: {wrong}",
                    )
                )
    for sid, svc in services.items():
        for i, tid in enumerate(svc.recovery):
            if tid not in tasks:
                p.append(
                    pos.problem(
                        ("services", sid, "recovery", i),
                        f"services.{sid}.recovery: " + _unknown("task", tid, tasks),
                    )
                )
    for oid, ob in proc.obligations.items():
        base = ("obligations", oid)
        if ob.role not in roles:
            p.append(
                pos.problem(
                    base + ("role",), f"obligations.{oid}.role: " + _unknown("role", ob.role, roles)
                )
            )
        p += _condition(ob.trigger, base + ("trigger",), pos, proc)
        if ob.until:
            p += _condition(ob.until, base + ("until",), pos, proc)
        if ob.retrigger_on:
            p += _condition(ob.retrigger_on, base + ("retrigger_on",), pos, proc)
            if not ob.retrigger:
                p.append(
                    pos.problem(
                        base + ("retrigger_on",),
                        f"obligations.{oid}.retrigger_on: needs `retrigger: true`",
                    )
                )
        if ob.until and not ob.every_min:
            p.append(
                pos.problem(
                    base + ("until",),
                    f"obligations.{oid}.until: only a recurring duty (every_min) has `until`",
                )
            )
        act = ob.action
        if act.do == "report":
            for i, r in enumerate(act.to):
                if r not in roles:
                    p.append(
                        pos.problem(
                            base + ("action", "to", i),
                            f"obligations.{oid}.action.to: " + _unknown("role", r, roles),
                        )
                    )
            for i, c in enumerate(act.via):
                if c not in channels:
                    p.append(
                        pos.problem(
                            base + ("action", "via", i),
                            f"obligations.{oid}.action.via: " + _unknown("channel", c, channels),
                        )
                    )
        elif act.do == "task" and act.task not in tasks:
            p.append(
                pos.problem(
                    base + ("action", "task"),
                    f"obligations.{oid}.action.task: " + _unknown("task", act.task, tasks),
                )
            )
        elif act.do in ("grade", "classify") and proc.grading is None:
            p.append(
                pos.problem(
                    base + ("action",),
                    f"obligations.{oid}.action: `{act.do}` needs a `grading` section",
                )
            )
        if ob.deadline_by_level:
            levels = proc.grading.levels if proc.grading else {}
            for lvl in ob.deadline_by_level:
                if lvl not in levels:
                    p.append(
                        pos.problem(
                            base + ("deadline_by_level", lvl),
                            f"obligations.{oid}.deadline_by_level: {lvl} is not a defined level",
                        )
                    )
        kind, _, ref = ob.anchor.partition(":")
        if kind == "done" and ref not in proc.obligations:
            p.append(
                pos.problem(
                    base + ("anchor",),
                    f"obligations.{oid}.anchor: " + _unknown("obligation", ref, proc.obligations),
                )
            )
        if kind == "inject" and injects is not None and ref not in injects:
            p.append(
                pos.problem(
                    base + ("anchor",),
                    f"obligations.{oid}.anchor: "
                    + _unknown("inject", ref, injects)
                    + " in this scenario",
                )
            )
    return p


def check_scenario(data: dict, pos: Positions, proc: Procedure) -> list[Problem]:
    sc = Scenario.model_validate(data)
    p: list[Problem] = []
    roles, channels, services, attrs = proc.roles, proc.channels, proc.services, proc.attributes

    def attr_values(where: tuple, values: dict):
        for k, v in values.items():
            if k not in attrs:
                p.append(
                    pos.problem(
                        where + (k, KEY),
                        ".".join(map(str, where)) + ": " + _unknown("attribute", k, attrs),
                    )
                )
            elif wrong := value_problem(attrs[k], v):
                p.append(pos.problem(where + (k,), ".".join(map(str, where + (k,))) + f": {wrong}"))

    def incident(where: tuple, iid):
        if iid is not None and iid not in sc.incidents:
            p.append(
                pos.problem(
                    where,
                    ".".join(map(str, where)) + ": " + _unknown("incident", iid, sc.incidents),
                )
            )
        if iid is None and len(sc.incidents) > 1:
            p.append(
                pos.problem(
                    where[:-1],
                    ".".join(map(str, where[:-1]))
                    + ": name the `incident` (this scenario has several)",
                )
            )

    for iid, inc in sc.incidents.items():
        attr_values(("incidents", iid, "attributes"), inc.attributes)
    for i, ch in enumerate(sc.timeline):
        incident(("timeline", i, "incident"), ch.incident)
        attr_values(("timeline", i, "set"), ch.set)
        for j, s in enumerate(ch.down):
            if s not in services:
                p.append(
                    pos.problem(
                        ("timeline", i, "down", j),
                        f"timeline[{i}].down: " + _unknown("service", s, services),
                    )
                )
        if ch.unless:
            p += _condition(ch.unless, ("timeline", i, "unless"), pos, proc, sc)
    for jid, inj in sc.injects.items():
        base = ("injects", jid)
        incident(base + ("incident",), inj.incident)
        for i, r in enumerate(inj.to):
            if r not in roles:
                p.append(
                    pos.problem(
                        base + ("to", i), f"injects.{jid}.to: " + _unknown("role", r, roles)
                    )
                )
        if inj.channel is not None and inj.channel not in channels:
            p.append(
                pos.problem(
                    base + ("channel",),
                    f"injects.{jid}.channel: " + _unknown("channel", inj.channel, channels),
                )
            )
        attr_values(base + ("set",), inj.set)
        for j, s in enumerate(inj.down):
            if s not in services:
                p.append(
                    pos.problem(
                        base + ("down", j),
                        f"injects.{jid}.down: " + _unknown("service", s, services),
                    )
                )
        for field in ("when", "unless_by"):
            if getattr(inj, field):
                p += _condition(getattr(inj, field), base + (field,), pos, proc, sc)
    for jid, v in sc.vary.items():
        base = ("vary", jid)
        target = sc.injects.get(jid)
        if target is None:
            p.append(pos.problem(base + (KEY,), "vary: " + _unknown("inject", jid, sc.injects)))
            continue
        if v.at is not None:
            if target.at is None:
                p.append(pos.problem(base + ("at",), f"vary.{jid}.at: {jid} is not a timed inject"))
            elif v.at.low < 0 or v.at.high > sc.duration_min:
                p.append(
                    pos.problem(
                        base + ("at",),
                        f"vary.{jid}.at: the range must lie within 0..{sc.duration_min:g} "
                        "(the scenario's length)",
                    )
                )
        for k in v.set:
            if k not in attrs:
                p.append(
                    pos.problem(
                        base + ("set", k, KEY),
                        f"vary.{jid}.set: " + _unknown("attribute", k, attrs),
                    )
                )
            elif attrs[k].type != "number":
                p.append(
                    pos.problem(
                        base + ("set", k), f"vary.{jid}.set.{k}: a range needs a number attribute"
                    )
                )
    for i, ab in enumerate(sc.absences):
        if ab.role not in roles:
            p.append(
                pos.problem(
                    ("absences", i, "role"),
                    f"absences[{i}].role: " + _unknown("role", ab.role, roles),
                )
            )
    for i, out in enumerate(sc.outages):
        if out.channel not in channels:
            p.append(
                pos.problem(
                    ("outages", i, "channel"),
                    f"outages[{i}].channel: " + _unknown("channel", out.channel, channels),
                )
            )
    for oid, ob in proc.obligations.items():
        if ob.every_min and sc.duration_min / ob.every_min > MAX_RECURRENCES:
            p.append(
                pos.problem(
                    ("duration_min",),
                    f"duration_min: {sc.duration_min:g} minutes would make obligation {oid} "
                    f"(every {ob.every_min:g} min) fall due more than {MAX_RECURRENCES:,} times",
                )
            )
    for i, obj in enumerate(sc.objectives):
        for j, oid in enumerate(obj.obligations):
            if oid not in proc.obligations:
                p.append(
                    pos.problem(
                        ("objectives", i, "obligations", j),
                        f"objectives[{i}].obligations: "
                        + _unknown("obligation", oid, proc.obligations),
                    )
                )
    if sc.drill is not None:
        p += _check_drill(sc, pos, proc, attr_values)
    return p


def _check_drill(sc: Scenario, pos: Positions, proc: Procedure, attr_values) -> list[Problem]:
    p: list[Problem] = []
    drill = sc.drill
    if drill is None:
        return p
    for mid, m in drill.milestones.items():
        base = ("drill", "milestones", mid)
        if m.meets is not None and m.meets not in proc.obligations:
            p.append(
                pos.problem(
                    base + ("meets",),
                    f"drill.milestones.{mid}.meets: "
                    + _unknown("obligation", m.meets, proc.obligations),
                )
            )
        if m.after is not None and m.after not in drill.milestones:
            p.append(
                pos.problem(
                    base + ("after",),
                    f"drill.milestones.{mid}.after: "
                    + _unknown("milestone", m.after, drill.milestones),
                )
            )
        attr_values(base + ("set",), m.set)
    for j, oid in enumerate(drill.obligations or []):
        if oid not in proc.obligations:
            p.append(
                pos.problem(
                    ("drill", "obligations", j),
                    "drill.obligations: " + _unknown("obligation", oid, proc.obligations),
                )
            )
    return p


def check_variant(data, pos: Positions) -> list[Problem]:
    if not isinstance(data, dict):
        return [
            pos.problem(
                (),
                "a variant is a mapping with `id`, `title` and a `procedure` and/or `scenario` overlay",
            )
        ]
    p = []
    allowed = {"id", "title", "title_en", "description", "base", "procedure", "scenario"}
    for key in data:
        if key not in allowed:
            p.append(
                pos.problem(
                    (key, KEY), f"{key}: unknown field (a variant has {', '.join(sorted(allowed))})"
                )
            )
    for key in ("procedure", "scenario"):
        if key in data and not isinstance(data[key], dict):
            p.append(pos.problem((key,), f"{key}: expected a mapping (the overlay)"))
    if "id" not in data:
        p.append(pos.problem((), "id: required field is missing"))
    for key in ("id", "base", "title", "title_en", "description"):
        if key in data and not isinstance(data[key], str):
            p.append(pos.problem((key,), f"{key}: expected text, got {data[key]!r}"))
    for key in ("id", "base"):
        value = data.get(key)
        if isinstance(value, str) and not (
            len(value.encode()) <= 255 and value.strip() and "\0" not in value
        ):
            p.append(
                pos.problem(
                    (key,), f"{key}: a name of 1 to 255 bytes (a file name or a shipped id)"
                )
            )
    return p


def check_action(a: ScriptAction, proc: Procedure, sc: Scenario, pos: Positions) -> list[Problem]:
    p = []
    if a.role not in proc.roles:
        p.append(pos.problem(("role",), "role: " + _unknown("role", a.role, proc.roles)))
    if a.incident is not None and a.incident not in sc.incidents:
        p.append(
            pos.problem(
                ("incident",), "incident: " + _unknown("incident", a.incident, sc.incidents)
            )
        )
    if a.incident is None and len(sc.incidents) > 1:
        p.append(
            pos.problem(
                ("incident",), f"incident: name the incident (one of {', '.join(sc.incidents)})"
            )
        )
    for i, r in enumerate(a.to or []):
        if r not in proc.roles:
            p.append(pos.problem(("to", i), "to: " + _unknown("role", r, proc.roles)))
    if a.via is not None and a.via not in proc.channels:
        p.append(pos.problem(("via",), "via: " + _unknown("channel", a.via, proc.channels)))
    if a.task is not None and a.task not in proc.tasks:
        p.append(pos.problem(("task",), "task: " + _unknown("task", a.task, proc.tasks)))
    g = proc.grading
    if a.do in ("grade", "classify") and g is None:
        p.append(pos.problem(("do",), f"do: this plan has no grading to {a.do} by"))
    elif a.do == "grade" and g is not None and a.level not in g.levels:
        p.append(
            pos.problem(
                ("level",),
                f"level: {a.level} is not a level of this plan ({', '.join(map(str, g.levels))})",
            )
        )
    elif a.do == "classify" and g is not None and g.kind == "matrix":
        row = g.cells.get(a.urgency) if a.urgency is not None else None
        if row is None:
            p.append(
                pos.problem(("urgency",), f"urgency: {a.urgency!r} is not one of {list(g.cells)}")
            )
        elif a.impact not in row:
            p.append(pos.problem(("impact",), f"impact: {a.impact!r} is not one of {list(row)}"))
    return p


def compile_all(proc: Procedure, sc: Scenario) -> dict[str, Condition]:
    sources = [ob.trigger for ob in proc.obligations.values()]
    sources += [ob.until for ob in proc.obligations.values() if ob.until]
    sources += [ob.retrigger_on for ob in proc.obligations.values() if ob.retrigger_on]
    if proc.grading is not None and proc.grading.kind == "rules":
        sources += [r.when for r in proc.grading.rules]
    sources += [ch.unless for ch in sc.timeline if ch.unless]
    sources += [s for inj in sc.injects.values() for s in (inj.when, inj.unless_by) if s]
    return {s: compile_condition(s) for s in sources}
