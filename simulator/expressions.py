"""A small, safe condition language for triggers, grading rules and injects.

Conditions are Python-like expressions (`outage_min > 120 or customers >= 5000`,
`reached('duty_supervisor') and level == 1`) parsed with `ast` and compiled into closures
over a whitelist of node types. Nothing is ever passed to `eval`: names are incident
attributes or the built-in variables, calls are only the functions below with one literal
identifier argument.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

# Built-in variables every condition can read, besides the procedure's attributes.
VARIABLES = {
    "level": "the level the grading rules give now (0: not an event)",
    "declared": "the level last declared by a role (0: none yet)",
    "now": "simulated minutes since the start",
}
# Functions and what their argument names.
FUNCTIONS = {
    "reached": "role",  # any news of this incident has reached the role
    "done": "obligation",  # the obligation's latest occurrence has been met
    "due": "obligation",  # the obligation has fallen due at least once
    "injected": "inject",  # the inject has been delivered
    "down": "service",  # the service is down now
    "restored": "service",  # the service went down and is back
}


class Context(Protocol):
    def var(self, name: str) -> Any: ...
    def call(self, func: str, arg: str) -> bool: ...


class ExpressionError(ValueError):
    def __init__(self, message: str, col: int = 0):
        super().__init__(message)
        self.col = col


@dataclass(frozen=True)
class Condition:
    source: str
    fn: Callable[[Context], Any]
    names: frozenset[str]
    calls: frozenset[tuple[str, str]]

    def __call__(self, ctx: Context) -> bool:
        return bool(self.fn(ctx))


_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
}
_CMPOPS = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def compile_condition(source: str) -> Condition:
    """Parse and compile; raises ExpressionError naming what is not allowed."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("empty condition")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            f"cannot parse condition {source!r}: {exc.msg}", exc.offset or 0
        ) from None
    names: set[str] = set()
    calls: set[tuple[str, str]] = set()
    fn = _compile(tree.body, names, calls)
    return Condition(source, fn, frozenset(names), frozenset(calls))


def _compile(node: ast.AST, names: set, calls: set) -> Callable[[Context], Any]:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
        value = node.value
        return lambda ctx: value
    if isinstance(node, ast.Name):
        name = node.id
        if name in ("true", "false"):
            value = name == "true"
            return lambda ctx: value
        names.add(name)
        return lambda ctx: ctx.var(name)
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_compile(e, names, calls) for e in node.elts]
        return lambda ctx: tuple(f(ctx) for f in items)
    if isinstance(node, ast.BoolOp):
        # nested two-way closures: no generator per evaluation (conditions run on every event)
        parts = [_compile(v, names, calls) for v in node.values]
        fn = parts[-1]
        for left in reversed(parts[:-1]):
            if isinstance(node.op, ast.And):
                fn = (lambda a, b: lambda ctx: a(ctx) and b(ctx))(left, fn)
            else:
                fn = (lambda a, b: lambda ctx: a(ctx) or b(ctx))(left, fn)
        return fn
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        inner = _compile(node.operand, names, calls)
        if isinstance(node.op, ast.Not):
            return lambda ctx: not inner(ctx)
        return lambda ctx: -inner(ctx)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        op = _BINOPS[type(node.op)]
        left, right = _compile(node.left, names, calls), _compile(node.right, names, calls)
        return lambda ctx: op(left(ctx), right(ctx))
    if isinstance(node, ast.Compare):
        first = _compile(node.left, names, calls)
        ops = []
        for op_node, comparator in zip(node.ops, node.comparators):
            if type(op_node) not in _CMPOPS:
                raise ExpressionError(
                    f"comparison {type(op_node).__name__} is not allowed", node.col_offset
                )
            ops.append((_CMPOPS[type(op_node)], _compile(comparator, names, calls)))
        if len(ops) == 1:
            ((op, second),) = ops
            left, right = node.left, node.comparators[0]
            if isinstance(
                right, ast.Constant
            ):  # the usual `level == 1`: fewer calls per evaluation
                value = right.value
                if isinstance(left, ast.Name) and left.id not in ("true", "false"):
                    name = left.id
                    return lambda ctx: op(ctx.var(name), value)
                return lambda ctx: op(first(ctx), value)
            return lambda ctx: op(first(ctx), second(ctx))

        def chain(ctx):
            left = first(ctx)
            for op, right_fn in ops:
                right = right_fn(ctx)
                if not op(left, right):
                    return False
                left = right
            return True

        return chain
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            allowed = ", ".join(FUNCTIONS)
            raise ExpressionError(f"only these functions may be called: {allowed}", node.col_offset)
        func = node.func.id
        if (
            node.keywords
            or len(node.args) != 1
            or not (isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))
        ):
            raise ExpressionError(
                f"{func}() takes one quoted {FUNCTIONS[func]} id, e.g. {func}('x')", node.col_offset
            )
        arg = node.args[0].value
        calls.add((func, arg))
        return lambda ctx: ctx.call(func, arg)
    raise ExpressionError(
        f"{type(node).__name__} is not allowed in a condition", getattr(node, "col_offset", 0)
    )
