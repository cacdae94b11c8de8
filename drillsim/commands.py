"""Commands contributed by the tui and by later features; each registers a subparser."""
from __future__ import annotations

from .cli import _EXTRA_COMMANDS  # noqa: F401  (append builders: fn(subparsers) -> None)
