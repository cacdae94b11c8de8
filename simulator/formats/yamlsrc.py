"""Reading YAML safely while remembering where every value came from.

`load(path)` gives plain Python data plus a `Positions` map from a path inside the
document (a tuple of keys and indexes) to its file, line and column, so every later check
can name FILE:LINE:COL, even after overlays from other files were merged in.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, Problem

KEY = "__key__"  # path suffix for the position of a mapping key rather than its value


@dataclass
class Positions:
    file: str
    marks: dict[tuple, tuple[str, int, int]] = field(default_factory=dict)

    def at(self, path: tuple) -> tuple[str, int, int]:
        """File, line and column of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), (self.file, 1, 1))

    def problem(self, path: tuple, message: str) -> Problem:
        file, line, col = self.at(path)
        return Problem(file, line, col, message)

    def graft(self, other: Positions, prefix: tuple = ()) -> None:
        """Take `other`'s marks (of data merged in under `prefix`) over ours."""
        for path, mark in other.marks.items():
            if path:
                self.marks[prefix + path] = mark


_constructor = yaml.SafeLoader("")
# libyaml's parser when present: the same nodes and marks, many times faster
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Limits on what a file may cost to read (docs/FORMAT.md, "Limits"). The shipped files are at
# most 40 KB, 3,000 values and 8 levels deep; these leave room for any real plan while an
# alias bomb, a runaway file or a device fails fast and with a message.
MAX_BYTES = 2 * 1024 * 1024  # file size
MAX_VALUES = 100_000  # mappings, lists and scalars after aliases are expanded
MAX_DEPTH = 64  # nesting of mappings and lists
MAX_NUMBER = 10**15  # magnitude of any number; a larger one is a typo or an attack
_MERGE = "tag:yaml.org,2002:merge"


class _Budget:
    """Counts the values built, so that aliases cannot multiply a small file into a huge one."""

    def __init__(self, file: str):
        self.file, self.left = file, MAX_VALUES

    def spend(self, node: yaml.Node) -> None:
        self.left -= 1
        if self.left < 0:
            raise InputError(
                [
                    Problem(
                        *_mark(self.file, node),
                        f"the document expands to more than {MAX_VALUES:,} values "
                        "(aliases copy what they refer to); split it or use fewer aliases",
                    )
                ]
            )


def _mark(file: str, node: yaml.Node) -> tuple[str, int, int]:
    return (file, node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: yaml.Node, file: str):
    try:
        value = _constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError):  # e.g. an integer of thousands of digits
        raise InputError([Problem(*_mark(file, node), _out_of_range(node))]) from None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value or abs(value) > MAX_NUMBER:  # NaN, inf, or absurdly large
            raise InputError([Problem(*_mark(file, node), _out_of_range(node))])
    return value


def _out_of_range(node: yaml.Node) -> str:
    shown = node.value if len(node.value) <= 24 else node.value[:20] + "…"
    return f"number out of range: {shown} (numbers are finite and at most {MAX_NUMBER:.0e} in size)"


def _merge_sources(node: yaml.Node, file: str) -> list[yaml.MappingNode]:
    """The mappings a `<<:` key merges in, as yaml.safe_load takes them: one mapping or a list."""
    if isinstance(node, yaml.MappingNode):
        return [node]
    if isinstance(node, yaml.SequenceNode) and all(
        isinstance(n, yaml.MappingNode) for n in node.value
    ):
        return list(node.value)
    raise InputError([Problem(*_mark(file, node), "`<<` merges a mapping or a list of mappings")])


def _build(node: yaml.Node, path: tuple, marks: dict, file: str, budget: _Budget, active: set):
    budget.spend(node)
    marks[path] = _mark(file, node)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if id(node) in active:
            raise InputError(
                [Problem(*_mark(file, node), "an alias refers to a value that contains it")]
            )
        if len(path) >= MAX_DEPTH:
            raise InputError(
                [Problem(*_mark(file, node), f"nested more than {MAX_DEPTH} levels deep")]
            )
        active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [
                    _build(item, path + (i,), marks, file, budget, active)
                    for i, item in enumerate(node.value)
                ]
            out: dict = {}
            merged: list[yaml.MappingNode] = []
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    merged += _merge_sources(value_node, file)
                    continue
                key = _scalar(key_node, file) if isinstance(key_node, yaml.ScalarNode) else None
                key_mark = _mark(file, key_node)
                if not isinstance(key, (str, int, float, bool)):
                    raise InputError([Problem(*key_mark, "a key must be a plain value")])
                if key in out:
                    raise InputError([Problem(*key_mark, f"duplicate key {key!r}")])
                out[key] = _build(value_node, path + (key,), marks, file, budget, active)
                marks[path + (key, KEY)] = key_mark
            # merged keys never override the mapping's own, and earlier sources win (YAML 1.1)
            for source in merged:
                sub: dict = {}
                more = _build(source, path, sub, file, budget, active)
                for key, value in more.items():
                    if key not in out:
                        out[key] = value
                        for p, m in sub.items():
                            if p[: len(path) + 1] == path + (key,):
                                marks[p] = m
            return out
        finally:
            active.discard(id(node))
    return _scalar(node, file)


def _at(file: str, event: yaml.Event) -> tuple[str, int, int]:
    mark = event.start_mark
    return (file, 1, 1) if mark is None else (file, mark.line + 1, mark.column + 1)


def _check_shape(text: str, file: str) -> None:
    """Nesting and size of the document before it is composed: the composer recurses, and a
    deeply nested file must be refused before it can exhaust the stack."""
    depth, count = 0, 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(
                    [Problem(*_at(file, event), f"nested more than {MAX_DEPTH} levels deep")]
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        count += 1
        if count > 2 * MAX_VALUES:
            raise InputError(
                [
                    Problem(
                        *_at(file, event),
                        f"more than {MAX_VALUES:,} values; split the file",
                    )
                ]
            )


def load_text(text: str, file: str) -> tuple[Any, Positions]:
    marks: dict = {}
    try:
        _check_shape(text, file)
        node = yaml.compose(text, Loader=_Loader)
        if node is None:
            raise InputError([Problem(file, 1, 1, "the file is empty")])
        data = _build(node, (), marks, file, _Budget(file), set())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML syntax: {exc.problem or exc}"
        ctx = exc.context_mark
        if exc.context and ctx is not None and ctx.line + 1 != line:
            message += f" ({exc.context} at line {ctx.line + 1}, column {ctx.column + 1})"
        raise InputError([Problem(file, line, col, message)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(file, 1, 1, f"YAML: {exc}")]) from None
    return data, Positions(file, marks)


def read_limited(path: str | Path, what: str = "file", limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. Devices, FIFOs and sockets are
    refused before they are opened (reading /dev/zero never ends, opening a FIFO blocks)."""
    path = Path(path)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise InputError([Problem(str(path), 1, 1, f"is a directory, not a {what}")])
        if not stat.S_ISREG(st.st_mode):
            raise InputError(
                [Problem(str(path), 1, 1, "not a regular file (a device, FIFO or socket)")]
            )
        if st.st_size > limit:
            raise InputError(
                [
                    Problem(
                        str(path),
                        1,
                        1,
                        f"too large: {st.st_size:,} bytes (a {what} may have at most {limit:,})",
                    )
                ]
            )
        # O_NONBLOCK: should the path have become a FIFO since the stat, open does not block
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise InputError([Problem(str(path), 1, 1, "not a regular file")])
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise InputError([Problem(str(path), 1, 1, "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(str(path), 1, 1, f"is a directory, not a {what}")]) from None
    except OSError as exc:
        raise InputError(
            [Problem(str(path), 1, 1, f"cannot read: {exc.strerror or exc}")]
        ) from None
    if len(data) > limit:
        raise InputError(
            [Problem(str(path), 1, 1, f"too large (a {what} may have at most {limit:,} bytes)")]
        )
    return data


def load(path: str | Path) -> tuple[Any, Positions]:
    path = Path(path)
    raw = read_limited(path, "YAML file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            [Problem(str(path), line, col, "not UTF-8 text (save the file as UTF-8)")]
        ) from None
    return load_text(text.removeprefix("\ufeff"), str(path))
