"""Display-width helpers (Chinese characters take two cells)."""

from __future__ import annotations

from rich.cells import cell_len

from drillsim.scoring import tables


def cut(text: str, cols: int) -> str:
    """`text` (its runs of white space made single spaces) cut to at most `cols` cells, with an
    ellipsis when cut."""
    return clip(" ".join(text.split()), cols)


def clip(text: str, cols: int) -> str:
    """`text` cut to at most `cols` cells (as Textual renders them), with an ellipsis when cut."""
    return tables.clip(text, cols, measure=cell_len)


def pad(text: str, cols: int, right: bool = False) -> str:
    """`text` cut or padded to exactly `cols` cells."""
    text = cut(text, cols)
    space = " " * (cols - cell_len(text))
    return space + text if right else text + space


def columns(
    headers: list[str],
    rows: list[list[str]],
    width: int,
    flex: int,
    right: tuple[int, ...] = (),
    max_widths: dict[int, int] | None = None,
    gap: int = 1,
    min_flex: int = 10,
) -> tuple[str, list[str], list[int]]:
    """Lay out a small table as lines of text that line up with wide (Chinese) characters.

    Every column is as wide as its widest cell (at most max_widths[i]); column `flex` takes the
    width that is left. When that is less than `min_flex`, the columns named in max_widths give
    up cells, widest first (down to 6). No line is wider than `width`. Cheaper to draw than a
    rich Table, which matters for a panel redrawn on every clock tick. Also returns the widths."""
    max_widths = max_widths or {}
    n = len(headers)
    widths = []
    for i in range(n):
        w = max([cell_len(headers[i])] + [cell_len(r[i]) for r in rows])
        widths.append(min(w, max_widths.get(i, w)))
    natural_flex = widths[flex]

    def fixed() -> int:
        return sum(w for i, w in enumerate(widths) if i != flex) + gap * (n - 1)

    while width - fixed() < min(min_flex, natural_flex):
        shrinkable = [i for i in max_widths if i != flex and widths[i] > 6]
        if not shrinkable:
            break
        widths[max(shrinkable, key=lambda i: widths[i])] -= 1
    widths[flex] = max(0, min(natural_flex, width - fixed()))

    def line(cells):
        parts = [pad(c, widths[i], right=i in right) for i, c in enumerate(cells) if widths[i] > 0]
        return clip((" " * gap).join(parts).rstrip(), width) if width > 0 else ""

    return line(headers), [line(r) for r in rows], widths
