"""Input errors: problems a user can fix, each named by file, line and column.

Every command prints them as FILE:LINE:COL: message and exits 2 (drillsim/cli.py).
"""

from __future__ import annotations

from dataclasses import dataclass


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

    def __reduce__(self):  # raised in a worker process, it reaches the parent whole
        return (type(self), (self.problems,))
