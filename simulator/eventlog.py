"""The event log on disk: JSON Lines, one writer at a time, each line chained to the one before.

Every line is the event's JSON with one more field last, `"h"`: the SHA-256 (hex) of the previous
line's `h` followed by this line's JSON without `h` (the first line follows the empty string).
An edit, a deleted or an inserted line breaks the chain from that line on; re-simulating the run
from the header's seed and the recorded actions (scoring.integrity) tells what the events should
be. The chain is not a signature: whoever rewrites a log can recompute it, which is why the last
`h` (the head) is printed when a run ends, to be noted with the record.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from drillsim.words import t

from .errors import InputError, Problem
from .outputs import check_output

try:
    import fcntl
except ImportError:  # not on POSIX: no lock, the exists check still guards
    fcntl = None  # type: ignore[assignment]

MAX_LOG_BYTES = 256 * 1024 * 1024
# a served exercise's records of who joined, left, rated…: chained like any line, typed
# `session` and without `seq`, so that scoring and replay pass over them
SESSION = "session"
_TAIL = re.compile(r',"h":"([0-9a-f]{64})"\}$')


def dumps(ev: dict) -> str:
    return json.dumps(ev, ensure_ascii=False, separators=(",", ":"))


def link(prev: str, body: str) -> str:
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()


def _lock(fd: int, path: str | Path) -> None:
    if fcntl is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise InputError(
            [
                Problem(
                    str(path),
                    1,
                    1,
                    "is being written by another drillsim (the log is locked); "
                    "a log has one writer: choose another --log",
                )
            ]
        ) from None


def encode(events: list[dict]) -> tuple[bytes, str]:
    """The bytes a LogWriter writes for `events`, and the chain's head after them."""
    head, out = "", []
    for ev in events:
        body = dumps(ev)
        head = link(head, body)
        out.append(f'{body[:-1]},"h":"{head}"}}\n')
    return "".join(out).encode("utf-8"), head


class LogWriter:
    """Opens `path` for a new log: refused when it exists (unless `force`) or is one of the
    run's `inputs`; locked (flock) so that a second writer gets a clear error instead of
    interleaving into a corrupt file; the lock is taken before an old file is emptied."""

    def __init__(self, path: str | Path, *, force: bool = False, inputs: Iterable[str | Path] = ()):
        self.path = check_output(path, force=force, inputs=inputs)
        flags = os.O_WRONLY | os.O_CREAT | (0 if force else os.O_EXCL)
        try:
            fd = os.open(self.path, flags, 0o644)
        except FileExistsError:
            raise InputError(
                [Problem(str(path), 1, 1, "exists already; add --force to overwrite it")]
            ) from None
        except OSError as exc:
            raise InputError(
                [Problem(str(path), 1, 1, f"cannot write the log: {exc.strerror or exc}")]
            ) from None
        _lock(fd, path)
        os.ftruncate(fd, 0)
        self._fh = os.fdopen(fd, "w", encoding="utf-8")
        self.head = ""
        self._unsynced = False

    @classmethod
    def append(cls, path: str | Path, head: str) -> LogWriter:
        """Continue an existing log (a resumed session) whose last line's hash is `head`."""
        self = cls.__new__(cls)
        self.path = Path(path)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        _lock(fd, path)
        self._fh = os.fdopen(fd, "a", encoding="utf-8")
        self.head = head
        self._unsynced = False
        return self

    def write(self, ev: dict) -> None:
        body = dumps(ev)
        self.head = link(self.head, body)
        self._fh.write(f'{body[:-1]},"h":"{self.head}"}}\n')
        self._fh.flush()  # a crash loses nothing already recorded
        self._unsynced = True

    def sync(self) -> None:
        """Down to the disk (fsync): a served batch is made durable before anyone is shown it.
        Nothing written since the last sync, nothing to do: a server's clock ticks 20 times a
        second and most ticks write nothing (an fsync costs milliseconds on a busy disk)."""
        if self._unsynced and not self._fh.closed:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._unsynced = False

    def close(self) -> None:
        if not self._fh.closed:
            self.sync()
            self._fh.close()  # releases the lock


def reopen(path: str | Path) -> tuple[LogWriter, list[dict], Chain]:
    """Continue a log (a resumed session): locked first, so that no other writer can slip in
    between reading it and appending to it; then read (events without `h`). A torn last line
    (the crash cut it) is cut off the file, so that the next line starts on its own. A log whose
    chain is broken or missing is refused: continuing it would vouch for what was changed."""
    writer = LogWriter.append(path, "")
    try:
        events, chain = read_log(path)
        if not chain.chained or chain.broken_at is not None:
            line = chain.broken_at or 1
            raise InputError(
                [
                    Problem(
                        str(path),
                        line,
                        1,
                        f"cannot be continued: {chain.describe()}; "
                        "`drillsim score --verify` says more",
                    )
                ]
            )
        fd = writer._fh.fileno()
        size = os.fstat(fd).st_size
        with open(path, "rb") as f:
            raw = f.read()
        whole = raw.rfind(b"\n") + 1
        if chain.torn:
            os.ftruncate(fd, whole)
        elif whole < size:  # the last line is whole but its newline was not written
            writer._fh.write("\n")
            writer._fh.flush()
    except BaseException:
        writer.close()
        raise
    writer.head = chain.head
    return writer, events, chain


@dataclass
class Chain:
    """What reading a log found about its integrity."""

    lines: int = 0
    chained: bool = False  # the lines carry `h` (logs of drillsim before the chain do not)
    broken_at: int | None = None  # first line whose hash does not follow
    kind: str | None = None  # header | edited | deleted | inserted (at broken_at)
    torn: bool = False  # the last line was cut off (a crash mid-write) and was left out
    ended: bool = False  # the log has its `end` event
    head: str = ""

    @property
    def intact(self) -> bool:
        return self.chained and self.broken_at is None

    def describe(self, lang: str = "en") -> str:
        if not self.chained:
            text = t("chain_none", lang)
        elif self.broken_at is None:
            text = t("chain_intact", lang, lines=self.lines)
        else:
            what = t(f"chain_{self.kind or 'edited'}", lang)
            text = t("chain_broken", lang, line=self.broken_at, what=what)
        return text + ("; " + t("chain_torn", lang) if self.torn else "")


def read_log(path: str | Path) -> tuple[list[dict], Chain]:
    """Events of a saved log (without `h`) and what its chain says. A torn last line is left out
    and reported; any other line that is not an event is an error naming its line and column."""
    from .formats.yamlsrc import read_limited  # here: writing a log needs no YAML reader

    path = Path(path)
    raw = read_limited(path, "log", MAX_LOG_BYTES)
    pieces = raw.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    chain, events = Chain(), list[dict]()
    prev, prev_seq = "", None
    for i, piece in enumerate(pieces, 1):
        last = i == len(pieces)
        try:
            line = piece.decode("utf-8")
        except UnicodeDecodeError as exc:
            if last and events:
                chain.torn = True
                break
            col = exc.start + 1
            raise InputError(
                [Problem(str(path), i, col, "not UTF-8 text: not a drillsim log, or damaged")]
            ) from None
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
            if not isinstance(ev, dict) or "type" not in ev or "t" not in ev:
                raise ValueError("not an event (needs `type` and `t`)")
        except ValueError as exc:
            if last and events:
                chain.torn = True
                break
            col = getattr(exc, "colno", 1)
            raise InputError([Problem(str(path), i, col, f"bad log line: {exc}")]) from None
        chain.lines = i
        stored = ev.pop("h", None)
        match = _TAIL.search(line) if stored is not None else None
        if match is not None:
            chain.chained = True
            body = line[: match.start()] + "}"
            if link(prev, body) != stored and chain.broken_at is None:
                chain.broken_at = i
                seq = ev.get("seq")
                if i == 1 or not events:
                    chain.kind = "header"
                elif isinstance(seq, int) and isinstance(prev_seq, int) and seq > prev_seq + 1:
                    chain.kind = "deleted"
                elif isinstance(seq, int) and isinstance(prev_seq, int) and seq <= prev_seq:
                    chain.kind = "inserted"
                else:
                    chain.kind = "edited"
            prev = stored
        elif chain.chained and chain.broken_at is None:
            chain.broken_at, chain.kind = i, "unchained"
        prev_seq = ev.get("seq")
        events.append(ev)
    if not events or events[0]["type"] != "start":
        raise InputError(
            [
                Problem(
                    str(path), 1, 1, "not a drillsim log (the first line must be the `start` event)"
                )
            ]
        )
    world = [ev for ev in events if ev["type"] != SESSION]
    chain.ended = world[-1]["type"] == "end"
    chain.head = prev
    return events, chain
