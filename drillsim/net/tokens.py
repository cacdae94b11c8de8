"""The join file: one secret per role, one for the facilitator, one for evaluators; for a live
drill, one for the facilitator (the EHS coordinator), one shared by evaluators (each gives a
name when joining), one per named evaluator and one for the wardens.

Tokens are long (`secrets.token_urlsafe`) for commands and scripts; each also has a join code,
short enough to type into the browser console (10 letters and digits, about 50 bits), with
failed attempts limited by the server. The file is created readable by its owner only.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from .views import EVALUATOR, FACILITATOR, ROLE, WARDEN, Who

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand
CODE_LEN = 10


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LEN))
    return f"{raw[:5]}-{raw[5:]}"


def norm_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def new_token() -> str:
    """A URL-safe secret that does not start with `-` (a command line would take it for an option)."""
    while True:
        token = secrets.token_urlsafe(24)
        if not token.startswith("-"):
            return token


def new_join(url: str, roles: list[str]) -> dict:
    join = {
        "url": url,
        "facilitator": new_token(),
        "evaluator": new_token(),
        "roles": {r: new_token() for r in roles},
    }
    join["codes"] = {new_code(): who for who in [FACILITATOR, EVALUATOR, *roles]}
    return join


def new_drill_join(url: str, evaluators: list[str]) -> dict:
    """A live drill's secrets: no roles (nobody plays a role; people stamp what they see)."""
    join = {
        "url": url,
        "drill": True,
        "facilitator": new_token(),
        "evaluator": new_token(),
        "evaluators": {name: new_token() for name in evaluators},
        "warden": new_token(),
        "roles": {},
    }
    labels = [FACILITATOR, EVALUATOR, WARDEN, *(Who(EVALUATOR, name=n).label for n in evaluators)]
    join["codes"] = {new_code(): label for label in labels}
    return join


def join_path(log_path: str | Path) -> Path:
    return Path(str(log_path) + ".join.json")


def write_join(path: str | Path, join: dict) -> None:
    """Owner-only from the first byte: created with mode 0600, never chmod'ed after."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(join, f, ensure_ascii=False, indent=2)
        f.write("\n")
    os.chmod(tmp, 0o600)  # umask could only have removed bits; make the mode exact
    os.replace(tmp, path)


def read_join(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def secrets_of(join: dict) -> tuple[dict[str, Who], dict[str, Who]]:
    """token -> who, and normalized join code -> who."""
    tokens = {join["facilitator"]: Who(FACILITATOR), join["evaluator"]: Who(EVALUATOR)}
    tokens.update({tok: Who(ROLE, r) for r, tok in join["roles"].items()})
    tokens.update({tok: Who(EVALUATOR, name=n) for n, tok in join.get("evaluators", {}).items()})
    if join.get("warden"):
        tokens[join["warden"]] = Who(WARDEN)
    by_label = {w.label: w for w in tokens.values()}
    codes = {norm_code(c): by_label[label] for c, label in join.get("codes", {}).items()}
    return tokens, codes


def token_of(join: dict, label: str) -> str:
    if label == FACILITATOR:
        return join["facilitator"]
    if label == EVALUATOR:
        return join["evaluator"]
    if label == WARDEN:
        return join["warden"]
    if label.startswith(EVALUATOR + ":"):
        return join["evaluators"][label.split(":", 1)[1]]
    return join["roles"][label]
