"""The level an incident's attributes give under a procedure's grading."""

from __future__ import annotations

from typing import Any

from .expressions import compile_condition
from .model import MatrixGrading, Procedure, RulesGrading


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
        if isinstance(g, RulesGrading):
            self.default = g.default
            self.rules = sorted(
                ((r.level, compile_condition(r.when)) for r in g.rules), key=lambda x: x[0]
            )
            # the level is a function of the attributes the rules read: remembered by their values
            self.reads = tuple(sorted({n for _, c in self.rules for n in c.names}))
            self.memo: dict[tuple, int] = {}
        elif isinstance(g, MatrixGrading):
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
