"""The two bars at the top: what is being played, and the views with the simulated clock."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.content import Content
from textual.widgets import Footer, Static


class TitleBar(Static):
    """One line: app, scenario title, mode and seed."""


class Bar(Static):
    """A one-line bar redrawn only when its text changes, and laid out again only when its width
    changes (the clock redraws ten times a second; a layout of the whole screen each time would
    cost more than the simulation)."""

    _shown: tuple | None = None

    def show_text(self, text: Text) -> None:
        key = (text.plain, tuple(text.spans))
        if key == self._shown:
            return
        width_changed = self._shown is None or cell_len(self._shown[0]) != text.cell_len
        self._shown = key
        self.update(text, layout=width_changed)


class ViewBar(Bar):
    """The views (one per played role, then the facilitator) with their keys and unread counts."""

    def show(self, views: list[tuple[str, str, str, int]], active: str) -> None:
        """views: (view id, key, label, unread)."""
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, (vid, key, label, unread) in enumerate(views):
            if i:
                text.append(" │ ", style="dim")
            part = f" {key} {label}" + (f" ({unread})" if unread else "") + " "
            style = "bold reverse" if vid == active else ("bold yellow" if unread else "")
            text.append(part, style=style)
        self.show_text(text)


class ClockBar(Bar):
    """The simulated clock: time of day, minute, speed and state."""

    def show(
        self, clock_text: str, minute_text: str, speed_text: str, state: str, state_text: str
    ) -> None:
        text = Text(no_wrap=True, justify="right")
        text.append(clock_text, style="bold")
        text.append(f" · {minute_text} · {speed_text} ")
        style = {"paused": "black on yellow", "running": "black on green", "ended": "white on red"}[
            state
        ]
        text.append(f" {state_text} ", style=style)
        self.show_text(text)


class KeyBar(Static):
    """A view's keys, drawn once: the keys a view offers do not change while it is shown, and
    a Footer would rebuild itself (tens of milliseconds) each time the view changes."""

    def __init__(self, keys: list[tuple[str, str]], **kw):
        super().__init__(
            Content.assemble(
                *[
                    part
                    for i, (key, what) in enumerate(keys)
                    for part in ((("  " if i else " "), (key, "bold $accent"), " " + what))
                ]
            ),
            classes="key-bar",
            **kw,
        )


class KeyFooter(Footer):
    """The footer with the keys, rebuilt only when the keys on offer change.

    Textual's Footer recomposes on every bindings update (each focus change publishes one), which
    costs tens of milliseconds; here one rebuild is scheduled at most, and none when the same keys
    are shown."""

    _pending = False
    _shown_keys: tuple | None = None

    def bindings_changed(self, screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._pending:
            return
        if self.is_attached and screen is self.screen:
            self._pending = True
            self.call_after_refresh(self._rebuild)

    def _keys(self) -> tuple:
        return tuple(
            (b.key, b.description, enabled)
            for (_, b, enabled, _) in self.screen.active_bindings.values()
            if b.show
        )

    async def _rebuild(self) -> None:
        self._pending = False
        if not self.is_attached or not self.is_mounted:
            return
        try:
            keys = self._keys()
        except Exception:  # the screen is going away
            return
        if keys != self._shown_keys:
            self._shown_keys = keys
            await self.recompose()
