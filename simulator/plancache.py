"""A cache of validated plans, so that `drillsim run` does not read, check and validate the
same YAML again on every start.

A plan is loaded once (loader.load_plan: YAML, pydantic validation, the cross-reference checks,
the conditions compiled) and pickled into the user's cache folder (`$DRILLSIM_CACHE`, else
`$XDG_CACHE_HOME/drillsim`, else `~/.cache/drillsim`; `DRILLSIM_CACHE=off` turns it off), under a
name derived from what was asked (scenario and variant references, the files they resolve to,
the folders searched) and from drillsim's own code (the Python version, the version files of
pydantic and PyYAML, which decide what a file says, and the content of every module of the
simulator package, which defines, reads, checks and compiles a plan: an upgrade or an edited
checkout is another cache). An entry is used only when every file
the plan was built from still has the SHA-256 recorded in it and the scenario's procedures still
resolve to the same files; anything else (an edited file, a new file that now shadows one, a
truncated or corrupt entry, another drillsim) means loading from the files again. Writing is
atomic (a temporary file renamed into place) and a cache that cannot be written is skipped.

A plan holds plain records (records.py), so reading an entry imports neither pydantic nor the
YAML reader: that is most of what a cached start saves.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .plan import Plan

ENV = "DRILLSIM_CACHE"
FORMAT = 2  # bump when what is pickled changes shape in a way the code fingerprint misses
_code_digest: str | None = None


def folder() -> Path | None:
    """Where plans are cached, or None when caching is off."""
    where = os.environ.get(ENV)
    if where is not None:
        return None if where.strip().lower() in ("", "0", "off", "no", "false") else Path(where)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "drillsim"


def _code() -> str:
    global _code_digest
    if _code_digest is None:
        # BLAKE2b: a third of SHA-256's instructions where the CPU has no SHA extension, and this
        # reads the whole package on every start (a name for the cache, not a signature)
        h = hashlib.blake2b(f"{FORMAT}|{sys.version}".encode())
        # the whole package, not a list of the modules thought to matter today: a plan holds what
        # agenda, grading, expressions … computed, and the YAML reader decides what it says
        # (os.walk and open, not Path.rglob: this runs on every start, pathlib costs 3x as much)
        here = os.path.dirname(os.path.realpath(__file__))
        for folder, subfolders, names in os.walk(here):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in sorted(n for n in names if n.endswith(".py")):
                with open(os.path.join(folder, name), "rb") as fh:
                    h.update(fh.read())
        # the readers' versions by their version files, found without importing them (importing
        # pydantic to ask would cost the start-up the cache saves)
        for package, name in (("pydantic", "version.py"), ("yaml", "__init__.py")):
            spec = importlib.util.find_spec(package)
            if spec is not None and spec.origin:
                h.update((Path(spec.origin).parent / name).read_bytes())
        _code_digest = h.hexdigest()
    return _code_digest


def _digest(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def entry(request: tuple) -> Path | None:
    """The cache file for a request (what load_plan was asked and what it resolved)."""
    where = folder()
    if where is None:
        return None
    name = hashlib.sha256(repr((_code(), request)).encode()).hexdigest()[:40]
    return where / "plans" / f"{name}.pickle"


def get(path: Path | None, procedures_of) -> Plan | None:
    """The cached plan at `path` if it is still what the files say, else None.

    procedures_of(plan): the files the scenario's procedures resolve to now, in order (a
    procedure file added in a folder searched first must be seen)."""
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            plan = pickle.load(fh)
    except Exception:  # missing, truncated, corrupt, or of classes that changed: load anew
        return None
    try:
        for f, digest in plan.hashes.items():
            if _digest(f) != digest:
                return None
        if procedures_of(plan) != [s["file"] for s in plan.sources]:
            return None
    except Exception:  # an entry of another shape
        return None
    return plan


def put(path: Path | None, plan: Plan) -> None:
    if path is None:
        return
    import tempfile  # here: a run from the cache writes nothing and needs no tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".plan-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(plan, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # a cache that cannot be written (read-only home, full disk): no cache
        return
