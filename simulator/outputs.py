"""Files drillsim writes: never over what a user made unless told (`--force`), never over the
command's own input, whatever `--force` says."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError, Problem


def same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they would be
        return Path(a).resolve() == Path(b).resolve()


def check_output(
    path: str | Path, *, force: bool = False, inputs: Iterable[str | Path | None] = ()
) -> Path:
    """Raise InputError unless `path` may be written: it is none of `inputs`, and it does not
    exist yet (or `force`). Returns the path."""
    path = Path(path)
    for source in inputs:
        if source is not None and same_file(path, source):
            raise InputError(
                [
                    Problem(
                        str(path),
                        1,
                        1,
                        f"is an input of this command ({source}); write the output elsewhere",
                    )
                ]
            )
    if path.is_dir():
        raise InputError([Problem(str(path), 1, 1, "is a directory; name a file to write")])
    if path.exists() or path.is_symlink():
        if not force:
            raise InputError(
                [
                    Problem(
                        str(path),
                        1,
                        1,
                        "exists already; choose another name, or add --force to overwrite it",
                    )
                ]
            )
    return path


def write_text(
    path: str | Path,
    text: str,
    *,
    force: bool = False,
    inputs: Iterable[str | Path | None] = (),
) -> None:
    check_output(path, force=force, inputs=inputs).write_text(text, encoding="utf-8")


def write_bytes(
    path: str | Path,
    data: bytes,
    *,
    force: bool = False,
    inputs: Iterable[str | Path | None] = (),
) -> None:
    check_output(path, force=force, inputs=inputs).write_bytes(data)
