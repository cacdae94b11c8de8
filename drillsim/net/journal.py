"""The served exercise's log: one writer (the server), every batch fsync'd before it is shown.

World events come from the engine as they are emitted; session records (joined, left, resumed,
a script registered, a rating) are written between them by the server, typed `session` and
without `seq`, so scoring and replay pass over them. A participant is named by role (or
`facilitator`/`evaluator`), never by token.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SESSION = "session"


def dumps(ev: dict) -> str:
    return json.dumps(ev, ensure_ascii=False, separators=(",", ":"))


class Journal:
    def __init__(self, path: str | Path, append: bool = False):
        self.path = Path(path)
        self._f = open(self.path, "a" if append else "w", encoding="utf-8")

    def write(self, ev: dict) -> None:
        self._f.write(dumps(ev) + "\n")

    def sync(self) -> None:
        """Flush and fsync: what a client has been told is on disk before it is told."""
        if not self._f.closed:
            self._f.flush()
            os.fsync(self._f.fileno())

    def close(self) -> None:
        if not self._f.closed:
            self.sync()
            self._f.close()


def read_lines(path: str | Path) -> list[dict]:
    """The events of a log being resumed. A torn last line (no newline: the crash cut it) is
    cut off the file too, so that what is appended next starts a line of its own; any other
    bad line is an error (the log is not this server's to repair)."""
    path = Path(path)
    raw = path.read_bytes()
    whole = raw[: raw.rfind(b"\n") + 1]
    events = []
    for i, line in enumerate(whole.split(b"\n")[:-1], 1):
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
            if not isinstance(ev, dict) or "type" not in ev or "t" not in ev:
                raise ValueError("not an event (needs `type` and `t`)")
        except ValueError as exc:
            raise ValueError(f"{path}:{i}:1: bad log line: {exc}") from None
        events.append(ev)
    if len(whole) < len(raw):
        with open(path, "r+b") as f:
            f.truncate(len(whole))
    return events
