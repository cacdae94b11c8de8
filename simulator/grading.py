"""The level an incident's attributes give under a procedure's grading."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .expressions import compile_condition

if TYPE_CHECKING:
    from .model import Procedure


class _Attrs:
    __slots__ = ("values",)

    def __init__(self, values: dict):
        self.values = values

    def var(self, name):
        return self.values[name]

    def call(self, func, arg):  # grading rules read attributes only
        raise ValueError(f"{func}() cannot be used in a grading rule")


class Grader:
    """Compiled once per plan; `level(attributes)` is called on every attribute change."""

    def __init__(self, procedure: Procedure):
        g = procedure.grading
        self.kind = g.kind if g else None
        if g is not None and g.kind == "rules":
            self.default = g.default
            self.rules = sorted(
                ((r.level, compile_condition(r.when)) for r in g.rules), key=lambda x: x[0]
            )
            # the level is a function of the attributes the rules read: remembered by their values
            self.reads = tuple(sorted({n for _, c in self.rules for n in c.names}))
            self.memo: dict[tuple, int] = {}
        elif g is not None and g.kind == "matrix":
            self.row, self.column = g.row, g.column
            # looked up with whatever value the attributes hold (None when unset)
            self.cells: dict[Any, dict[Any, int]] = dict(g.cells)

    def level(self, attributes: dict) -> int:
        if self.kind == "rules":
            key = tuple([attributes[n] for n in self.reads])
            level = self.memo.get(key)
            if level is None:
                level = self._rules_level(attributes)
                if len(self.memo) < 65536:
                    self.memo[key] = level
            return level
        if self.kind == "matrix":
            return self.cells.get(attributes.get(self.row), {}).get(attributes.get(self.column), 0)
        return 0

    def _rules_level(self, attributes: dict) -> int:
        ctx = _Attrs(attributes)
        for level, cond in self.rules:  # most severe first
            if cond(ctx):
                return level
        return self.default


def defaults(procedure: Procedure) -> dict:
    return {name: a.default for name, a in procedure.attributes.items()}


def level_for(procedure: Procedure, attributes: dict) -> int:
    """The level for these attribute values, the others at their defaults."""
    unknown = set(attributes) - set(procedure.attributes)
    if unknown:
        raise KeyError(f"unknown attributes: {', '.join(sorted(unknown))}")
    return Grader(procedure).level({**defaults(procedure), **attributes})


# --- why a level: the criteria that decided it ------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """A grading rule (or matrix cell) and the facts it read, with their values."""

    level: int
    criterion: str  # the procedure's wording of the rule
    clause: str
    when: str  # the condition as written
    facts: tuple[tuple[str, object], ...]  # (attribute, value) the condition read
    criterion_en: str = ""  # the rule's wording in English, where the procedure gives it

    def reading(self, label: Callable[[str], str] = str) -> str:
        """The condition with each attribute named and given its value:
        `customers_affected > 5000` -> `客户数 5200 > 5000`."""
        values = dict(self.facts)

        def sub(m: re.Match) -> str:
            name = m.group(0)
            if name not in values:
                return name
            v = values[name]
            shown = f"{v:g}" if isinstance(v, float) else str(v)
            return f"{label(name)} {shown}"

        return _NAME.sub(sub, self.when)


@dataclass(frozen=True)
class GradeCheck:
    """A declared level against the rules, and why the rules give what they give."""

    declared: int
    level: int  # what the rules give on the facts
    deciding: tuple[Criterion, ...]  # the rules of `level` that hold (empty: the default level)
    default: bool  # no rule holds: the procedure's default level
    wanted: tuple[Criterion, ...] = ()  # declared more severe: that level's rules (none hold)

    @property
    def correct(self) -> bool:
        return self.declared == self.level

    @property
    def direction(self) -> str:
        """`right`, `too_mild` (a larger level number than the rules give) or `too_severe`."""
        if self.correct:
            return "right"
        return "too_mild" if self.declared > self.level else "too_severe"


_NAME = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")


def explain(procedure: Procedure, attributes: dict, declared: int) -> GradeCheck:
    """Why the rules give the level they give on these attributes, against the declared one.
    Matrix grading: the cell read, with the two attributes it is read by."""
    g = procedure.grading
    attrs = {**defaults(procedure), **attributes}
    if g is None:
        return GradeCheck(declared, 0, (), True)
    if g.kind == "matrix":
        row, col = attrs.get(g.row), attrs.get(g.column)
        level = g.cells.get(str(row), {}).get(str(col), 0)
        cell = Criterion(
            level,
            f"{g.row} × {g.column}",
            g.clause,
            f"{g.row}, {g.column}",
            ((g.row, row), (g.column, col)),
        )
        cells = tuple(
            Criterion(declared, f"{g.row} × {g.column}", g.clause, f"{r}, {c}", ())
            for r, cols in g.cells.items()
            for c, lv in cols.items()
            if lv == declared
        )
        return GradeCheck(declared, level, (cell,), False, cells if declared != level else ())
    held: dict[int, list[Criterion]] = {}
    for rule in g.rules:
        cond = compile_condition(rule.when)
        if cond(_Attrs(attrs)):
            facts = tuple((n, attrs[n]) for n in sorted(cond.names) if n in attrs)
            held.setdefault(rule.level, []).append(
                Criterion(
                    rule.level, rule.criterion, rule.clause, rule.when, facts, rule.criterion_en
                )
            )
    level = min(held) if held else g.default
    wanted: tuple[Criterion, ...] = ()
    if declared < level:  # declared more severe: what that level would have needed
        wanted = tuple(
            Criterion(
                r.level,
                r.criterion,
                r.clause,
                r.when,
                tuple((n, attrs[n]) for n in sorted(compile_condition(r.when).names) if n in attrs),
                r.criterion_en,
            )
            for r in g.rules
            if r.level == declared
        )
    return GradeCheck(declared, level, tuple(held.get(level, ())), not held, wanted)


def grade_checks(plan, events: list[dict]) -> list[tuple[dict, GradeCheck]]:
    """Each grade (or classify) event of a run with its check against the facts at that moment,
    the attributes rebuilt from the log (the scenario's starting values, then each change)."""
    proc = plan.procedure
    attrs = {inc: {**defaults(proc), **i.attributes} for inc, i in plan.scenario.incidents.items()}
    out = []
    for ev in events:
        if ev["type"] == "attributes":
            attrs[ev["incident"]].update(ev["set"])
        elif ev["type"] in ("grade", "classify"):
            out.append((ev, explain(proc, attrs[ev["incident"]], ev["level"])))
    return out
