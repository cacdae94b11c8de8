"""Reading YAML safely while remembering where every value came from.

`load(path)` gives plain Python data plus a `Positions` map from a path inside the
document (a tuple of keys and indexes) to its file, line and column, so every later check
can name FILE:LINE:COL, even after overlays from other files were merged in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

KEY = "__key__"  # path suffix for the position of a mapping key rather than its value


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class InputError(Exception):
    """Bad input a user can fix; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


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


def _build(node: yaml.Node, path: tuple, marks: dict, file: str):
    marks[path] = (file, node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = _constructor.construct_object(key_node, deep=True)
            key_mark = (file, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key, (str, int, float, bool)):
                raise InputError([Problem(*key_mark, "a key must be a plain value")])
            if key in out:
                raise InputError([Problem(*key_mark, f"duplicate key {key!r}")])
            out[key] = _build(value_node, path + (key,), marks, file)
            marks[path + (key, KEY)] = key_mark
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), marks, file) for i, item in enumerate(node.value)]
    return _constructor.construct_object(node, deep=True)


def load_text(text: str, file: str) -> tuple[object, Positions]:
    marks: dict = {}
    try:
        node = yaml.compose(text, Loader=_Loader)
        if node is None:
            raise InputError([Problem(file, 1, 1, "the file is empty")])
        data = _build(node, (), marks, file)
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


def load(path: str | Path) -> tuple[object, Positions]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(str(path), 1, 1, "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(str(path), 1, 1, "is a directory, not a YAML file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(path), 1, 1, f"cannot read: {exc}")]) from None
    return load_text(text, str(path))
