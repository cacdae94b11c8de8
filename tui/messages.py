"""Engine news for the widgets, as Textual messages (dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message


@dataclass
class News(Message):
    """The simulation moved on (clock tick, step, human or facilitator action)."""

    events: list[dict] = field(default_factory=list)
    now: float = 0.0
