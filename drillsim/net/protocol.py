"""The messages between the session server and its clients: small JSON objects with a `type`.

What a client sends is untrusted input: it is size-limited (MAX_FRAME), parsed into strict
pydantic models (unknown fields and unknown types refused) and answered with an `error` when
it does not fit; it never reaches the exercise unvalidated. What the server sends is not
validated by the client beyond being JSON: the client trusts its server.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

MAX_FRAME = 64 * 1024  # a client frame; a whole actions file (hundreds of actions) fits
MAX_SERVER_FRAME = 64 * 1024 * 1024  # the server's replies carry event backlogs
MAX_SCRIPT = 2000  # actions in one script message
Name = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\-]+$")]
Text = Annotated[str, Field(max_length=4000)]


class _Msg(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ref: int | None = Field(None, description="echoed in the reply, to match it")


class Hello(_Msg):
    """The first message: who is joining. `have`: events already held (a rejoin)."""

    type: Literal["hello"]
    token: Annotated[str, Field(min_length=1, max_length=200)]
    have: int = Field(0, ge=0)
    client: Literal["console", "script", "bench"] = "console"
    name: Annotated[str, Field(min_length=1, max_length=80)] | None = None  # a drill's evaluator


class Act(_Msg):
    """A role's action, taken at the server's current simulated time."""

    type: Literal["act"]
    do: Literal["report", "grade", "classify", "task"]
    role: Name | None = None  # must be the token's own role when given
    incident: Name | None = None
    to: Annotated[list[Name], Field(max_length=50)] | None = None
    via: Name | None = None
    level: int | None = Field(None, ge=1, le=99)
    impact: Name | None = None
    urgency: Name | None = None
    category: Name | None = None
    task: Name | None = None
    text: Text = ""


class Script(_Msg):
    """An actions file for the token's role: each action is taken at its own `at`."""

    type: Literal["script"]
    actions: Annotated[list[dict], Field(max_length=MAX_SCRIPT)]


class Clock(_Msg):
    """Facilitator: run or pause the clock, set its speed, or run it to a minute and stop there
    (`jump`: at once, without waiting for the wall clock)."""

    type: Literal["clock"]
    run: bool | None = None
    speed: float | None = Field(None, ge=1, le=60)
    run_to: float | None = Field(None, ge=0, le=1_000_000)
    jump: bool = False


class Start(_Msg):
    """Facilitator: start the exercise; `bots`: the roles nobody joined that bots play (the
    others wait for a person). Without it, the server's --others decides."""

    type: Literal["start"]
    bots: Annotated[list[Name], Field(max_length=200)] | None = None


class Inject(_Msg):
    type: Literal["inject"]
    id: Name
    skip: bool = False


class End(_Msg):
    type: Literal["end"]


class Rate(_Msg):
    type: Literal["rate"]
    objective: Name
    obligation: Name | None = None
    rating: Annotated[str, Field(max_length=2)]
    observation: Text = ""


class Note(_Msg):
    type: Literal["note"]
    kind: Literal["strengths", "improvements", "feedback"]
    text: Text


class Drill(_Msg):
    """A live drill's intent, taken at the server's wall-clock time and recorded with who sent
    it (the token's person or post; `by`, when given, must be that)."""

    type: Literal["drill"]
    do: Literal["stamp", "correct", "note", "checkin", "visitor", "close"]
    milestone: Annotated[str, Field(max_length=80)] | None = None  # stamp: its key or id
    stamp: Annotated[str, Field(max_length=20)] | None = None  # correct, note: the stamp's id
    at_wall: Annotated[str, Field(max_length=40)] | None = None  # correct: ISO time it happened
    number: Annotated[str, Field(max_length=40)] | None = None  # checkin
    name: Annotated[str, Field(max_length=200)] | None = None  # visitor
    category: Literal["visitor", "contractor"] | None = None
    company: Annotated[str, Field(max_length=200)] = ""
    area: Annotated[str, Field(max_length=200)] = ""
    present: bool = True
    note: Text = ""
    by: Annotated[str, Field(max_length=80)] | None = None


class Sync(_Msg):
    """Send me the events again from `have` on; `role` (when given) must be the token's own."""

    type: Literal["sync"]
    role: Name | None = None
    have: int = Field(0, ge=0)


class Ping(_Msg):
    type: Literal["ping"]


Message = Annotated[
    Hello | Act | Script | Clock | Start | Inject | End | Rate | Note | Drill | Sync | Ping,
    Field(discriminator="type"),
]  # (spelled out again below for the type checker: an Annotated alias is not a union to it)
_ADAPTER: TypeAdapter = TypeAdapter(Message)


class BadMessage(Exception):
    pass


AnyMessage = Hello | Act | Script | Clock | Start | Inject | End | Rate | Note | Drill | Sync | Ping


def parse(data: str | bytes) -> AnyMessage:
    """A client frame -> its message; BadMessage with a short reason otherwise."""
    if len(data) > MAX_FRAME:
        raise BadMessage(f"message too large ({len(data)} bytes; at most {MAX_FRAME})")
    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadMessage(f"not JSON: {exc}") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        raise BadMessage("a message is a JSON object with a `type`")
    try:
        return _ADAPTER.validate_python(obj)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"][1:]) or "message"
        raise BadMessage(f"{obj['type']}: {where}: {err['msg']}") from None


def dump(msg: dict) -> str:
    return json.dumps(msg, ensure_ascii=False, separators=(",", ":"))
