"""Plain-text tables that line up with Chinese (wide) characters, for the terminal."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable


def width(text: str) -> int:
    if text.isascii():  # every ASCII character is one column; most cells are ASCII
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, cols: int, measure: Callable[[str], int] = width) -> str:
    """Cut to at most `cols` display columns, with an ellipsis when cut. `measure` gives a
    string's width (the TUI passes the one its renderer uses)."""
    if measure(text) <= cols:
        return text
    out, used = [], 0
    for ch in text:
        w = measure(ch)
        if used + w > cols - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def fit(text: str, cols: int) -> str:
    """Cut to `cols` display columns (with an ellipsis) and pad to exactly that width."""
    text = clip(text, cols)
    return text + " " * (cols - width(text))


def table(headers: list[str], rows: list[list[str]], max_col: int = 48) -> str:
    cols = [
        min(max_col, max([width(h)] + [width(r[i]) for r in rows])) for i, h in enumerate(headers)
    ]
    line = lambda cells: "  ".join(fit(c, w) for c, w in zip(cells, cols)).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in cols])] + [line(r) for r in rows])
