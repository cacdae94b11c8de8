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
from functools import lru_cache
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
    # a report of the obligation's latest duty has reached a recipient: for a report by several
    # channels ('phone + written'), when the first form arrives, before the duty is met
    "received": "obligation",
    "due": "obligation",  # the obligation has fallen due at least once
    "injected": "inject",  # the inject has been delivered
    "down": "service",  # the service is down now
    "restored": "service",  # the service went down and is back
}


class Context(Protocol):
    def var(self, name: str) -> Any: ...
    def call(self, func: str, arg: str) -> bool: ...


class Readers(Protocol):
    """What a kind of context offers to have conditions compiled for it (`specialize`): a
    closure reading each variable or call, instead of the generic `var`/`call` dispatch by name
    on every evaluation."""

    def var(self, name: str) -> Callable[[Any], Any]: ...
    def call(self, func: str, arg: str) -> Callable[[Any], Any]: ...
    def equals(self, name: str, const: Any, negate: bool) -> Callable[[Any], Any] | None:
        """`name == const` (`!=` when negate) as one closure, or None (then as any comparison)."""
        ...


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

    def __reduce__(self):
        # its closures do not pickle: a pickled plan (the plan cache) compiles it again, once
        # per process for a source that several plans share (a comparison's base and variants)
        return _recompiled, (self.source,)


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
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"a condition has at most {MAX_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            f"cannot parse condition {source!r}: {exc.msg}", exc.offset or 0
        ) from None
    except (RecursionError, MemoryError):
        raise ExpressionError("condition nested too deeply") from None
    names: set[str] = set()
    calls: set[tuple[str, str]] = set()
    try:
        fn = _compile(tree.body, names, calls)
    except RecursionError:
        raise ExpressionError("condition nested too deeply") from None
    return Condition(source, fn, frozenset(names), frozenset(calls))


@lru_cache(maxsize=4096)
def _recompiled(source: str) -> Condition:
    """A pickled condition compiled again: the same Condition for the same source (it is frozen
    and its closures hold only constants, so plans can share it)."""
    return compile_condition(source)


def specialize(cond: Condition, readers: Readers) -> Callable[[Any], Any]:
    """The condition compiled again for one kind of context, whose `readers` give a closure
    for each variable and call it reads (the engine's: triggers.READERS). Same value as
    `cond.fn` on the same facts; what it reads was checked when `cond` compiled."""
    tree = ast.parse(cond.source.strip(), mode="eval")
    return _compile(tree.body, set(), set(), readers)


# `x <op> constant` over a reader r, one closure per operator (no operator call per evaluation)
_CMP_CONST: dict[type, Callable[[Callable, Any], Callable[[Any], Any]]] = {
    ast.Eq: lambda r, k: lambda ctx: r(ctx) == k,
    ast.NotEq: lambda r, k: lambda ctx: r(ctx) != k,
    ast.Lt: lambda r, k: lambda ctx: r(ctx) < k,
    ast.LtE: lambda r, k: lambda ctx: r(ctx) <= k,
    ast.Gt: lambda r, k: lambda ctx: r(ctx) > k,
    ast.GtE: lambda r, k: lambda ctx: r(ctx) >= k,
}
_EQ = (ast.Eq, ast.NotEq)
# `x <op> y` over readers a and b
_CMP_TWO: dict[type, Callable[[Callable, Callable], Callable[[Any], Any]]] = {
    ast.Eq: lambda a, b: lambda ctx: a(ctx) == b(ctx),
    ast.NotEq: lambda a, b: lambda ctx: a(ctx) != b(ctx),
    ast.Lt: lambda a, b: lambda ctx: a(ctx) < b(ctx),
    ast.LtE: lambda a, b: lambda ctx: a(ctx) <= b(ctx),
    ast.Gt: lambda a, b: lambda ctx: a(ctx) > b(ctx),
    ast.GtE: lambda a, b: lambda ctx: a(ctx) >= b(ctx),
}


def _compile(
    node: ast.AST, names: set, calls: set, readers: Readers | None = None
) -> Callable[[Context], Any]:
    if readers is not None:
        fn = _special(node, readers)
        if fn is not None:
            return fn
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
        items = [_compile(e, names, calls, readers) for e in node.elts]
        return lambda ctx: tuple(f(ctx) for f in items)
    if isinstance(node, ast.BoolOp):
        # nested two-way closures: no generator per evaluation (conditions run on every event)
        parts = [_compile(v, names, calls, readers) for v in node.values]
        fn = parts[-1]
        for left in reversed(parts[:-1]):
            if isinstance(node.op, ast.And):
                fn = (lambda a, b: lambda ctx: a(ctx) and b(ctx))(left, fn)
            else:
                fn = (lambda a, b: lambda ctx: a(ctx) or b(ctx))(left, fn)
        return fn
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        inner = _compile(node.operand, names, calls, readers)
        if isinstance(node.op, ast.Not):
            return lambda ctx: not inner(ctx)
        return lambda ctx: -inner(ctx)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        op = _BINOPS[type(node.op)]
        left, right = (
            _compile(node.left, names, calls, readers),
            _compile(node.right, names, calls, readers),
        )
        return lambda ctx: op(left(ctx), right(ctx))
    if isinstance(node, ast.Compare):
        first = _compile(node.left, names, calls, readers)
        ops = []
        for op_node, comparator in zip(node.ops, node.comparators):
            if type(op_node) not in _CMPOPS:
                raise ExpressionError(
                    f"comparison {type(op_node).__name__} is not allowed", node.col_offset
                )
            ops.append((_CMPOPS[type(op_node)], _compile(comparator, names, calls, readers)))
        if len(ops) == 1:
            ((op, second),) = ops
            lhs, rhs = node.left, node.comparators[0]
            if isinstance(rhs, ast.Constant):  # the usual `level == 1`: fewer calls per evaluation
                const = rhs.value
                if isinstance(lhs, ast.Name) and lhs.id not in ("true", "false"):
                    name = lhs.id
                    return lambda ctx: op(ctx.var(name), const)
                return lambda ctx: op(first(ctx), const)
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


def _special(node: ast.AST, readers: Readers) -> Callable[[Any], Any] | None:
    """What `readers` compile differently: names and calls (their readers), and a single
    comparison of two of them or of one with a constant (no operator call); None: as usual."""
    if isinstance(node, ast.Name) and node.id not in ("true", "false"):
        return readers.var(node.id)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return readers.call(node.func.id, node.args[0].value)  # type: ignore[attr-defined]
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMP_TWO:
        lhs, rhs, op = node.left, node.comparators[0], type(node.ops[0])
        if isinstance(lhs, ast.Name) and isinstance(rhs, ast.Constant) and op in _EQ:
            fn = readers.equals(lhs.id, rhs.value, op is ast.NotEq)
            if fn is not None:
                return fn
        left = _compile(lhs, set(), set(), readers)
        if isinstance(rhs, ast.Constant):
            return _CMP_CONST[op](left, rhs.value)
        return _CMP_TWO[op](left, _compile(rhs, set(), set(), readers))
    return None


# --- types ------------------------------------------------------------------------------
# Conditions are checked against the declared attribute types when the plan loads, so that a
# condition that validates cannot fail while the run plays (text against a number, a list where
# a value is expected, a division by zero).

NUMBER, TEXT, FLAG, LIST = "number", "text", "flag", "list"
VARIABLE_TYPES = {"level": NUMBER, "declared": NUMBER, "now": NUMBER}
MAX_LENGTH = 500  # characters of one condition; the shipped ones have at most 170


def check_types(source: str, types: dict[str, str]) -> list[ExpressionError]:
    """Problems of type in a condition that compiles; `types` gives each name's type (names
    missing from it are reported elsewhere and take any type here)."""
    problems: list[ExpressionError] = []
    tree = ast.parse(source.strip(), mode="eval")
    _type_of(tree.body, types, problems)
    return problems


def _type_of(node: ast.AST, types: dict, problems: list) -> str | None:
    def bad(message: str) -> None:
        problems.append(ExpressionError(message, getattr(node, "col_offset", 0)))

    def need(sub: ast.AST, want: str, what: str) -> str | None:
        got = _type_of(sub, types, problems)
        if got is not None and got != want:
            problems.append(
                ExpressionError(
                    f"{what} needs a {want}, but {ast.unparse(sub)!r} is a {got}",
                    getattr(sub, "col_offset", 0),
                )
            )
        return got

    if isinstance(node, ast.Constant):
        return (
            FLAG
            if isinstance(node.value, bool)
            else TEXT
            if isinstance(node.value, str)
            else NUMBER
        )
    if isinstance(node, ast.Name):
        if node.id in ("true", "false"):
            return FLAG
        return types.get(node.id)
    if isinstance(node, (ast.List, ast.Tuple)):
        bad("a list is only allowed after `in`, e.g. impact in ['high', 'severe']")
        return LIST
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _type_of(value, types, problems)
        return FLAG
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            _type_of(node.operand, types, problems)
            return FLAG
        need(node.operand, NUMBER, "`-`")
        return NUMBER
    if isinstance(node, ast.BinOp):
        sign = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}
        what = f"`{sign.get(type(node.op), '?')}`"
        need(node.left, NUMBER, what)
        need(node.right, NUMBER, what)
        if isinstance(node.op, (ast.Div, ast.Mod)) and not (
            isinstance(node.right, ast.Constant)
            and isinstance(node.right.value, (int, float))
            and not isinstance(node.right.value, bool)
            and node.right.value != 0
        ):
            bad(f"{what} divides by a number written in the condition, not zero and not a name")
        return NUMBER
    if isinstance(node, ast.Compare):
        left = node.left
        for op, right in zip(node.ops, node.comparators):
            if isinstance(op, (ast.In, ast.NotIn)):
                ltype = _type_of(left, types, problems)
                if not isinstance(right, (ast.List, ast.Tuple)):
                    problems.append(
                        ExpressionError(
                            f"`in` takes a written list, e.g. x in [1, 2], not {ast.unparse(right)!r}",
                            right.col_offset,
                        )
                    )
                    _type_of(right, types, problems)
                else:
                    for item in right.elts:
                        itype = _type_of(item, types, problems)
                        if None not in (ltype, itype) and itype != ltype:
                            problems.append(
                                ExpressionError(
                                    f"{ast.unparse(left)!r} is a {ltype}, but the list holds "
                                    f"{ast.unparse(item)!r}, a {itype}",
                                    item.col_offset,
                                )
                            )
            elif isinstance(op, (ast.Eq, ast.NotEq)):
                ltype = _type_of(left, types, problems)
                rtype = _type_of(right, types, problems)
                if None not in (ltype, rtype) and ltype != rtype:
                    bad(
                        f"{ast.unparse(left)!r} is a {ltype} and {ast.unparse(right)!r} a "
                        f"{rtype}: they are never equal"
                    )
            else:
                need(left, NUMBER, "an ordering (< <= > >=)")
                need(right, NUMBER, "an ordering (< <= > >=)")
            left = right
        return FLAG
    if isinstance(node, ast.Call):
        return FLAG
    return None
