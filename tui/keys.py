"""Key bindings in the player's language: BINDINGS hold i18n keys as descriptions."""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding

from drillsim.words import Tr


def localize(node, tr: Tr) -> None:
    """Replace i18n keys in a node's binding descriptions (and groups) by their text."""
    bindings = node._bindings.key_to_bindings
    for key, items in list(bindings.items()):
        bindings[key] = [_one(b, tr) for b in items]


def _one(b: Binding, tr: Tr) -> Binding:
    group = b.group
    if group is not None and group.description in tr:
        group = Binding.Group(tr(group.description), compact=group.compact)
    return replace(
        b, description=tr(b.description) if b.description in tr else b.description, group=group
    )
