"""Small SVG helpers shared by the timeline and the Monte Carlo charts (no external assets)."""

from __future__ import annotations

from html import escape

from drillsim.scoring.tables import clip
from drillsim.scoring.tables import width as display_width

CJK = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC','Hiragino Sans GB','WenQuanYi Micro Hei'"
LATIN = "'Segoe UI','Noto Sans','Helvetica Neue',Arial"
FONTS = f"{CJK},{LATIN},sans-serif"  # Chinese first: CJK glyphs and punctuation
FONTS_EN = (
    f"{LATIN},{CJK},sans-serif"  # English first: Latin quotes stay narrow, Chinese still renders
)


def fonts(lang: str) -> str:
    return FONTS if lang == "zh" else FONTS_EN


COLORS = {
    "hit": "#2e7d32",
    "late": "#e69100",
    "missed": "#c62828",
    "open": "#9e9e9e",
    "not_triggered": "#bdbdbd",
    "void": "#bdbdbd",
    "inject": "#00897b",
    "task": "#1a3d7c",
    "grade": "#7b1fa2",
    "msg": "#78909c",
    "failed": "#c62828",
    "grid": "#e0e0e0",
    "axis": "#616161",
    "text": "#212121",
    "band": "#f5f7fa",
    "absent": "#9e9e9e",
    "base": "#90a4ae",
    "variant": "#1565c0",
    "bar": "#5c7cba",
}
SERIES = ["#455a64", "#1565c0", "#ef6c00", "#6a1b9a", "#2e7d32", "#ad1457"]


def esc(text) -> str:
    return escape(str(text), quote=True)


def f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def open_svg(
    w: float, h: float, ident: str = "", cls: str = "", label: str = "", lang: str = "zh"
) -> str:
    attrs = f' id="{esc(ident)}"' if ident else ""
    attrs += f' class="{esc(cls)}"' if cls else ""
    attrs += f' aria-label="{esc(label)}"' if label else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img"{attrs} viewBox="0 0 {f(w)} {f(h)}" '
        f'width="{f(w)}" height="{f(h)}" font-family="{fonts(lang)}" font-size="11" '
        f'style="max-width:100%;height:auto">'
    )


def text(x, y, s, size=11, anchor="start", fill=None, weight=None, cls="", title=None) -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    extra += f' class="{cls}"' if cls else ""
    body = esc(s) + (f"<title>{esc(title)}</title>" if title else "")
    return (
        f'<text x="{f(x)}" y="{f(y)}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill or COLORS["text"]}"{extra}>{body}</text>'
    )


def nice_step(
    span: float, target: int = 10, steps=(1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480, 1440)
) -> float:
    for s in steps:
        if span / s <= target:
            return s
    return steps[-1]


def histogram(
    hist: dict,
    *,
    w=300,
    h=120,
    marker=None,
    marker_label="",
    color=None,
    title="",
    xlabel="",
    xmax=None,
    xmin=None,
    ident="",
    no_data="no data",
    lang="zh",
    overlay=None,
    overlay_color=None,
) -> str:
    """Bars of `hist` ({edges, counts}) with a red dashed line at `marker` (a deadline or an RTO).

    With `overlay` (another histogram, e.g. the base plan's) both are drawn as shares of their runs,
    the overlay as an outline over the bars, on the same axis.
    """
    series = [(hist, color or COLORS["bar"], "fill")]
    if overlay and overlay.get("counts"):
        series.append((overlay, overlay_color or COLORS["base"], "outline"))
    left, right, top, bottom = 34, 10, 18 if title else 8, 30
    pw, ph = w - left - right, h - top - bottom
    out = [open_svg(w, h, ident, "chart histogram", title, lang)]
    if title:
        out.append(text(4, 12, clip(title, int((w - 8) / 6.6)), size=11, weight="600", title=title))
    edges_all = [e for hh, _, _ in series for e in (hh.get("edges") or [])]
    if len(hist.get("edges") or []) < 2 or not hist.get("counts") or sum(hist["counts"]) == 0:
        out.append(text(w / 2, top + ph / 2, no_data, anchor="middle", fill=COLORS["open"]))
        out.append("</svg>")
        return "".join(out)
    lo = xmin if xmin is not None else min(edges_all + ([marker] if marker is not None else []))
    hi = xmax if xmax is not None else max(edges_all + ([marker] if marker is not None else []))
    if hi <= lo:
        hi = lo + 1
    x = lambda v: left + (min(max(v, lo), hi) - lo) / (hi - lo) * pw
    shares = len(series) > 1
    heights = []
    for hh, _, _ in series:
        total = sum(hh["counts"]) or 1
        heights.append([c / total if shares else c for c in hh["counts"]])
    top_value = max(max(v) for v in heights) or 1
    out.append(
        f'<line x1="{f(left)}" y1="{f(top + ph)}" x2="{f(left + pw)}" y2="{f(top + ph)}" stroke="{COLORS["axis"]}"/>'
    )
    for (hh, c, style), values in zip(series, heights):
        edges = hh["edges"]
        for i, v in enumerate(values):
            if v <= 0:
                continue
            x0, x1 = x(edges[i]), x(edges[i + 1])
            bh = v / top_value * ph
            label = f"{f(edges[i])}–{f(edges[i + 1])}: {hh['counts'][i]}"
            if style == "fill":
                out.append(
                    f'<rect class="bar" x="{f(x0 + 0.5)}" y="{f(top + ph - bh)}" width="{f(max(x1 - x0 - 1, 0.8))}" '
                    f'height="{f(bh)}" fill="{c}" data-count="{hh["counts"][i]}"><title>{esc(label)}</title></rect>'
                )
            else:
                out.append(
                    f'<rect class="bar overlay" x="{f(x0 + 0.5)}" y="{f(top + ph - bh)}" '
                    f'width="{f(max(x1 - x0 - 1, 0.8))}" height="{f(bh)}" fill="none" stroke="{c}" '
                    f'stroke-width="1.5" data-count="{hh["counts"][i]}"><title>{esc(label)}</title></rect>'
                )
    step = nice_step(hi - lo, 6)
    tick = (int(lo // step) + (lo % step > 0)) * step
    while tick <= hi + 1e-9:
        out.append(
            f'<line x1="{f(x(tick))}" y1="{f(top + ph)}" x2="{f(x(tick))}" y2="{f(top + ph + 3)}" '
            f'stroke="{COLORS["axis"]}"/>'
        )
        out.append(
            text(x(tick), top + ph + 13, f(tick), size=9, anchor="middle", fill=COLORS["axis"])
        )
        tick += step
    out.append(
        text(
            left - 4,
            top + 8,
            f"{top_value * 100:.0f}%" if shares else str(int(top_value)),
            size=9,
            anchor="end",
            fill=COLORS["axis"],
        )
    )
    out.append(text(left - 4, top + ph, "0", size=9, anchor="end", fill=COLORS["axis"]))
    if xlabel:
        out.append(text(left + pw / 2, h - 3, xlabel, size=9, anchor="middle", fill=COLORS["axis"]))
    if marker is not None:
        mx = x(marker)
        out.append(
            f'<line class="marker" x1="{f(mx)}" y1="{f(top - 2)}" x2="{f(mx)}" y2="{f(top + ph)}" '
            f'stroke="{COLORS["missed"]}" stroke-width="2" stroke-dasharray="4 2"/>'
        )
        anchor = "end" if mx > left + pw * 0.7 else "start"
        out.append(
            text(
                mx + (-3 if anchor == "end" else 3),
                top + 9,
                f"{marker_label} {f(marker)}",
                size=9,
                anchor=anchor,
                fill=COLORS["missed"],
            )
        )
    out.append("</svg>")
    return "".join(out)


def intervals(
    rows: list[dict],
    series: list[str],
    *,
    w=1100,
    label_cols=60,
    ident="",
    title="",
    lang="zh",
    target: float | None = None,
    target_label: str = "",
) -> str:
    """A forest plot: per row, for each series, a dot at p and a whisker over its 95% interval (0..100%)."""
    left, right, top = 8 + label_cols * 6.2, 20, 24
    row_h = 10 + 9 * len(series)
    h = top + row_h * len(rows) + 40
    pw = w - left - right
    x = lambda p: left + p * pw
    out = [open_svg(w, h, ident, "chart intervals", title, lang)]
    for k in range(0, 11):
        gx = x(k / 10)
        out.append(
            f'<line x1="{f(gx)}" y1="{top - 4}" x2="{f(gx)}" y2="{f(top + row_h * len(rows))}" '
            f'stroke="{COLORS["grid"]}"/>'
        )
        if k % 2 == 0:
            out.append(
                text(gx, top - 8, f"{k * 10}%", size=9, anchor="middle", fill=COLORS["axis"])
            )
    if target is not None:
        tx = x(target)
        out.append(
            f'<line class="target" x1="{f(tx)}" y1="{top - 4}" x2="{f(tx)}" y2="{f(top + row_h * len(rows))}" '
            f'stroke="{COLORS["missed"]}" stroke-dasharray="4 3"/>'
        )
        out.append(
            text(
                tx + 3,
                top + row_h * len(rows) + 11,
                f"{target_label} {target * 100:.0f}%",
                size=9,
                fill=COLORS["missed"],
            )
        )
    for i, row in enumerate(rows):
        y0 = top + i * row_h
        if i % 2:
            out.append(
                f'<rect x="0" y="{f(y0)}" width="{f(w)}" height="{f(row_h)}" fill="{COLORS["band"]}" opacity="0.6"/>'
            )
        out.append(
            text(6, y0 + row_h / 2 + 4, clip(row["label"], label_cols), size=10, title=row["label"])
        )
        for j, name in enumerate(series):
            v = row["values"][j]
            if v is None or v.get("p") is None:
                continue
            y = y0 + 9 + j * 9
            color = SERIES[j % len(SERIES)]
            lo, hi = v.get("ci") or [v["p"], v["p"]]
            out.append(
                f'<line x1="{f(x(lo))}" y1="{f(y)}" x2="{f(x(hi))}" y2="{f(y)}" stroke="{color}" stroke-width="2"/>'
            )
            out.append(
                f'<circle class="point" cx="{f(x(v["p"]))}" cy="{f(y)}" r="3.5" fill="{color}" data-p="{v["p"]}">'
                f"<title>{esc(name)}: {v['p']:.3f} [{lo:.3f}, {hi:.3f}]</title></circle>"
            )
    ly = top + row_h * len(rows) + 22
    lx = left
    for j, name in enumerate(series):
        color = SERIES[j % len(SERIES)]
        out.append(f'<circle cx="{f(lx)}" cy="{f(ly - 4)}" r="4" fill="{color}"/>')
        out.append(text(lx + 8, ly, clip(name, 30), size=10))
        lx += 30 + min(display_width(name), 30) * 6.5
    out.append("</svg>")
    return "".join(out)


def bars(items: list[tuple[str, float]], *, w=420, ident="", title="", lang="zh") -> str:
    """Horizontal bars of probabilities (e.g. the final level's distribution)."""
    left, top, row_h = 150, 8, 20
    h = top + row_h * len(items) + 8
    pw = w - left - 50
    out = [open_svg(w, h, ident, "chart bars", title, lang)]
    for i, (label, p) in enumerate(items):
        y = top + i * row_h
        out.append(text(left - 6, y + 13, clip(label, 22), anchor="end", title=label))
        out.append(
            f'<rect class="bar" x="{left}" y="{f(y + 3)}" width="{f(max(p, 0) * pw)}" height="{row_h - 6}" '
            f'fill="{COLORS["bar"]}" data-p="{p}"/>'
        )
        out.append(text(left + max(p, 0) * pw + 4, y + 13, f"{p * 100:.1f}%", size=10))
    out.append("</svg>")
    return "".join(out)
