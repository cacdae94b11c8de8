"""The exercise's timeline as an inline SVG: roles as rows, marks for what happened, deadlines as lines.

Top lanes show the context (the level the rules gave, channel outages, services down); each
role's row shows injects it received (teal triangles), its tasks (squares) and gradings
(diamonds), the messages it sent (a dot, a line to the recipient's row, a red cross when the
message failed), its absences (hatched), and every duty that fell due on it: a thin bar from
falling due to the deadline and a vertical line at the deadline — green met, amber late (the
bar runs on in amber to the time it was done), red missed.
"""

from __future__ import annotations

from drillsim.scoring.tables import width as display_width
from drillsim.words import t
from drillsim.words.formatting import num
from drillsim.words.names import Names

from .svg import COLORS, clip, esc, f, nice_step, open_svg, text

W, LABEL, RIGHT = 1160, 200, 28
ROW, LANE = 30, 16
# A long exercise (the 900-minute fire) would squeeze its first half hour — alarm, 119 call,
# evacuation — into a few pixels: past LONG minutes the axis gives the first ZOOM minutes
# ZOOM_SHARE of the width, and the rest the remainder.
LONG, ZOOM, ZOOM_SHARE = 480.0, 30.0, 0.35


def time_axis(end: float, pw: float):
    """(x of a minute relative to the plot's left edge, ticks, the zoomed span or None)."""
    if end <= LONG:
        step = nice_step(end, 14, (5, 10, 15, 20, 30, 60, 120, 240))
        ticks = [i * step for i in range(int(end // step + 1e-9) + 1)]
        return (lambda tm: min(max(tm, 0.0), end) / end * pw), ticks, None
    left = ZOOM_SHARE * pw

    def x(tm):
        tm = min(max(tm, 0.0), end)
        if tm <= ZOOM:
            return tm / ZOOM * left
        return left + (tm - ZOOM) / (end - ZOOM) * (pw - left)

    step = nice_step(end - ZOOM, 9, (30, 60, 120, 240, 480))
    ticks = [0.0, 5.0, 10.0, 15.0, 20.0, 25.0, ZOOM]
    tick = (ZOOM // step + 1) * step
    while tick <= end + 1e-9:
        if tick - ZOOM >= step / 2:
            ticks.append(tick)
        tick += step
    return x, ticks, ZOOM


def timeline_svg(plan, events: list[dict], result: dict, lang: str) -> str:
    names = Names(plan, lang)
    proc = plan.procedure
    end = max(result.get("end_min") or 0.0, max((ev["t"] for ev in events), default=0.0), 1.0)
    order = list(proc.roles)

    # which roles take part
    used: set[str] = set()
    msgs: dict[int, dict] = {}
    for ev in events:
        k = ev["type"]
        if k == "inject":
            used.update(ev.get("to", []))
        elif k == "inject.delivered":
            used.add(ev.get("delivered_to") or ev["to"])
        elif k in ("task", "grade", "classify"):
            used.add(ev["actor"])
        elif k == "message.sent":
            used.update((ev["from"], ev["to"]))
            msgs[ev["msg"]] = {"sent": ev}
        elif k in ("message.delivered", "message.failed") and ev["msg"] in msgs:
            msgs[ev["msg"]][k.split(".")[1]] = ev
            if k == "message.delivered":
                used.add(ev["delivered_to"])
        elif k in ("absent", "due"):
            used.add(ev["role"])
    rows = [r for r in order if r in used]
    if not rows and not events:
        return f'<p class="empty">{esc(t("tl_empty", lang))}</p>'

    # context lanes
    lanes: list[tuple[str, list[tuple[float, float | None, str]]]] = []
    # the level the rules gave, one lane per incident that became an event
    level_spans: dict[str, list[list]] = {}
    for ev in events:
        if ev["type"] == "level":
            spans = level_spans.setdefault(ev["incident"], [])
            if spans:
                spans[-1][1] = ev["t"]
            spans.append([ev["t"], None, ev["level"]])
    level_lanes = [(inc, spans) for inc, spans in level_spans.items() if any(s[2] for s in spans)]
    channel_down: dict[str, list] = {}
    service_down: dict[str, list] = {}
    for ev in events:
        if ev["type"] == "channel.down":
            channel_down.setdefault(ev["channel"], []).append([ev["t"], None])
        elif ev["type"] == "channel.up" and channel_down.get(ev["channel"]):
            channel_down[ev["channel"]][-1][1] = ev["t"]
        elif ev["type"] == "service.down":
            service_down.setdefault(ev["service"], []).append([ev["t"], None])
        elif ev["type"] == "service.restored" and service_down.get(ev["service"]):
            service_down[ev["service"]][-1][1] = ev["t"]
    for c, spans in channel_down.items():
        lanes.append(
            (
                t("tl_channel_down", lang, channel=names.channel(c)),
                [(a, b, "channel") for a, b in spans],
            )
        )
    for s, spans in service_down.items():
        lanes.append(
            (
                t("tl_service_down", lang, service=names.service(s)),
                [(a, b, "service") for a, b in spans],
            )
        )

    top = 10
    level_y = top
    lanes_y = level_y + len(level_lanes) * (LANE + 2) + (2 if level_lanes else 0)
    rows_y = lanes_y + len(lanes) * (LANE + 2) + 8
    axis_y = rows_y + ROW * len(rows)
    legend_y = axis_y + 44
    pw = W - LABEL - RIGHT
    rel, ticks, zoomed = time_axis(end, pw)
    x = lambda tm: LABEL + rel(tm)
    cy = {r: rows_y + i * ROW + ROW / 2 for i, r in enumerate(rows)}

    out = [""]  # the opening tag, once the height is known
    out.append(
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{COLORS["absent"]}" stroke-width="2"/></pattern></defs>'
    )
    # row bands, labels, grid
    for i, r in enumerate(rows):
        y0 = rows_y + i * ROW
        if i % 2 == 0:
            out.append(
                f'<rect x="0" y="{f(y0)}" width="{W}" height="{ROW}" fill="{COLORS["band"]}"/>'
            )
        name = names.role(r)
        out.append(text(8, y0 + ROW / 2 + 4, clip(name, 30), size=11, cls="role-label", title=name))
    if zoomed is not None:
        zx = x(zoomed)
        out.append(
            f'<line class="zoom-edge" x1="{f(zx)}" y1="{f(lanes_y - 14)}" x2="{f(zx)}" y2="{f(axis_y)}" '
            f'stroke="{COLORS["axis"]}" stroke-dasharray="4 3"/>'
        )
        out.append(
            text(
                zx - 4,
                lanes_y - 6,
                t("tl_zoom", lang, m=num(zoomed)),
                size=9,
                anchor="end",
                fill=COLORS["axis"],
            )
        )
    for tick in ticks:
        gx = x(tick)
        out.append(
            f'<line x1="{f(gx)}" y1="{f(lanes_y - 4)}" x2="{f(gx)}" y2="{f(axis_y)}" stroke="{COLORS["grid"]}"/>'
        )
        out.append(
            text(gx, axis_y + 14, f"{num(tick)}′", size=10, anchor="middle", fill=COLORS["axis"])
        )
        out.append(
            text(gx, axis_y + 27, names.clock(tick), size=9, anchor="middle", fill=COLORS["axis"])
        )
    out.append(
        f'<line x1="{LABEL}" y1="{f(axis_y)}" x2="{f(LABEL + pw)}" y2="{f(axis_y)}" stroke="{COLORS["axis"]}"/>'
    )
    out.append(
        text(LABEL - 8, axis_y + 14, t("tl_time", lang), size=10, anchor="end", fill=COLORS["axis"])
    )

    # context: levels, outages, services down
    level_fill = {1: "#ef9a9a", 2: "#ffcc80", 3: "#fff59d", 4: "#e6ee9c", 5: "#dcedc8"}
    multi = len(plan.scenario.incidents) > 1
    for k, (inc, spans) in enumerate(level_lanes):
        y: float = level_y + k * (LANE + 2)
        label = (
            f"{t('h_level', lang)} · {names.incident_tagged(inc)}" if multi else t("h_level", lang)
        )
        out.append(text(8, y + 12, clip(label, 30), size=10, fill=COLORS["axis"], title=label))
        for a, b, lvl in spans:
            if not lvl:
                continue
            x0, x1 = x(a), x(b if b is not None else end)
            out.append(
                f'<rect class="lane level" x="{f(x0)}" y="{f(y)}" width="{f(max(x1 - x0, 1))}" height="{LANE}" '
                f'fill="{level_fill.get(lvl, "#eeeeee")}" stroke="#ffffff"><title>{esc(names.level(lvl))} '
                f"{esc(names.clock(a))}</title></rect>"
            )
            short = proc.grading.levels.get(lvl, f"L{lvl}") if proc.grading else f"L{lvl}"
            cols = int((x1 - x0 - 6) / 6.5)
            if cols >= 2:
                out.append(text(x0 + 4, y + 12, clip(str(short), cols), size=10, weight="600"))
    for i, (label, lane_spans) in enumerate(lanes):
        y = lanes_y + i * (LANE + 2)
        out.append(text(8, y + 12, clip(label, 30), size=10, fill=COLORS["axis"], title=label))
        for a, b, kind in lane_spans:
            x0, x1 = x(a), x(b if b is not None else end)
            color = "#b0bec5" if kind == "channel" else "#ef9a9a"
            out.append(
                f'<rect class="lane {kind}" x="{f(x0)}" y="{f(y)}" width="{f(max(x1 - x0, 1))}" height="{LANE}" '
                f'fill="{color}"><title>{esc(label)} {esc(names.clock(a))}–{esc(names.clock(b))}</title></rect>'
            )

    # absences
    for ev in events:
        if ev["type"] == "absent" and ev["role"] in cy:
            back = next(
                (
                    e["t"]
                    for e in events
                    if e["type"] == "returned" and e["role"] == ev["role"] and e["t"] >= ev["t"]
                ),
                end,
            )
            x0, x1 = x(ev["t"]), x(back)
            out.append(
                f'<rect class="absent" x="{f(x0)}" y="{f(cy[ev["role"]] - ROW / 2 + 2)}" width="{f(max(x1 - x0, 1))}" '
                f'height="{ROW - 4}" fill="url(#hatch)" opacity="0.5"><title>{esc(t("tl_absent", lang))} '
                f"{esc(names.clock(ev['t']))}–{esc(names.clock(back))}</title></rect>"
            )

    # duties: allowance bars and deadline lines
    for e in result["obligations"]:
        if e["triggered_at"] is None or e["role"] not in cy:
            continue
        y = cy[e["role"]]
        status = e["status"]
        color = COLORS[status]
        tip = (
            f"{names.duty(e['id'])} ({e['clause']}) — {names.status(e)}"
            + f"; {names.clock(e['triggered_at'])} → {names.clock(e['deadline_at'])}"
            + (
                f"; {t('h_done', lang)} {names.clock(e['done_at'])}"
                if e["done_at"] is not None
                else ""
            )
        )
        x0, xd = x(e["triggered_at"]), x(e["deadline_at"])
        out.append(
            f'<line class="allowance {status}" x1="{f(x0)}" y1="{f(y + 10)}" x2="{f(xd)}" y2="{f(y + 10)}" '
            f'stroke="{color}" stroke-width="2" opacity="0.45"/>'
        )
        if status == "late":
            out.append(
                f'<line class="overrun" x1="{f(xd)}" y1="{f(y + 10)}" x2="{f(x(e["done_at"]))}" y2="{f(y + 10)}" '
                f'stroke="{COLORS["late"]}" stroke-width="3"/>'
            )
        if e["deadline_at"] <= end + 1e-9:
            out.append(
                f'<line class="deadline {status}" data-obligation="{esc(e["id"])}" data-t="{e["deadline_at"]}" '
                f'x1="{f(xd)}" y1="{f(y - ROW / 2 + 3)}" x2="{f(xd)}" y2="{f(y + ROW / 2 - 3)}" stroke="{color}" '
                f'stroke-width="{3 if status == "missed" else 2}"><title>{esc(tip)}</title></line>'
            )
        else:
            xe = LABEL + pw
            out.append(
                f'<path class="deadline {status}" data-obligation="{esc(e["id"])}" data-t="{e["deadline_at"]}" '
                f'd="M{f(xe)} {f(y + 6)} l8 4 l-8 4 z" fill="{color}"><title>{esc(tip)}</title></path>'
            )

    # messages
    for m in msgs.values():
        s = m["sent"]
        if s["from"] not in cy:
            continue
        xs, ys = x(s["t"]), cy[s["from"]]
        tip = f"{names.clock(s['t'])} {names.role(s['from'])} → {names.role(s['to'])} ({names.channel(s['via'])})"
        if "delivered" in m and m["delivered"]["delivered_to"] in cy:
            d = m["delivered"]
            xr, yr = x(d["t"]), cy[d["delivered_to"]]
            out.append(
                f'<line class="msg-line" x1="{f(xs)}" y1="{f(ys)}" x2="{f(xr)}" y2="{f(yr)}" stroke="{COLORS["msg"]}" '
                f'stroke-width="1" opacity="0.6"/>'
            )
            out.append(
                f'<circle class="mark msg-delivered" data-t="{d["t"]}" cx="{f(xr)}" cy="{f(yr)}" r="2.5" '
                f'fill="{COLORS["msg"]}"><title>{esc(tip)} ✓ {esc(names.clock(d["t"]))}</title></circle>'
            )
        elif "failed" in m:
            fl = m["failed"]
            xf = x(fl["t"])
            out.append(
                f'<line class="msg-line failed" x1="{f(xs)}" y1="{f(ys)}" x2="{f(xf)}" y2="{f(ys)}" '
                f'stroke="{COLORS["failed"]}" stroke-dasharray="3 2"/>'
            )
            out.append(
                f'<path class="mark msg-failed" data-t="{fl["t"]}" d="M{f(xf - 4)} {f(ys - 4)} l8 8 m0 -8 l-8 8" '
                f'stroke="{COLORS["failed"]}" stroke-width="2"><title>{esc(tip)} ✗ {esc(fl.get("reason", ""))}'
                f"</title></path>"
            )
        out.append(
            f'<circle class="mark msg-sent" data-t="{s["t"]}" cx="{f(xs)}" cy="{f(ys)}" r="3.5" fill="#ffffff" '
            f'stroke="{COLORS["msg"]}" stroke-width="1.5"><title>{esc(tip)}</title></circle>'
        )

    # injects, tasks, gradings
    for ev in events:
        k = ev["type"]
        if k == "inject":
            inj = plan.scenario.injects.get(ev["inject"])
            body = (inj.text if lang == "zh" else inj.text_en or inj.text) if inj else ev["inject"]
            for r in ev.get("to", []):
                if r in cy:
                    xi, yi = x(ev["t"]), cy[r]
                    out.append(
                        f'<path class="mark inject" data-t="{ev["t"]}" d="M{f(xi - 5)} {f(yi - 12)} h10 l-5 8 z" '
                        f'fill="{COLORS["inject"]}"><title>{esc(names.clock(ev["t"]))} {esc(ev["inject"])}: '
                        f"{esc(body)}</title></path>"
                    )
        elif k == "task" and ev["actor"] in cy:
            xa, ya = x(ev["t"]), cy[ev["actor"]]
            ok = ev.get("success", True)
            out.append(
                f'<rect class="mark task" data-t="{ev["t"]}" x="{f(xa - 4)}" y="{f(ya - 4)}" width="8" height="8" '
                f'fill="{COLORS["task"] if ok else "#ffffff"}" stroke="{COLORS["task"]}" stroke-width="1.5">'
                f"<title>{esc(names.clock(ev['t']))} {esc(names.task(ev['task']))}</title></rect>"
            )
        elif k in ("grade", "classify") and ev["actor"] in cy:
            xa, ya = x(ev["t"]), cy[ev["actor"]]
            out.append(
                f'<path class="mark grade" data-t="{ev["t"]}" d="M{f(xa)} {f(ya - 6)} l6 6 l-6 6 l-6 -6 z" '
                f'fill="{COLORS["grade"]}"><title>{esc(names.clock(ev["t"]))} {esc(names.level(ev.get("level")))}'
                f"</title></path>"
            )

    # legend (wraps onto a second line when it does not fit)
    lx, ly = LABEL, legend_y

    def item(svg: str, label: str):
        nonlocal lx, ly
        wide = 26 + display_width(label) * 5.8
        if lx + wide > W - RIGHT:
            lx, ly = LABEL, ly + 20
        out.append(f'<g transform="translate({f(lx)},{f(ly)})">{svg}</g>')
        out.append(text(lx + 14, ly + 4, label, size=10))
        lx += wide

    item(f'<path d="M-5 -6 h10 l-5 8 z" fill="{COLORS["inject"]}"/>', t("tl_inject", lang))
    item(f'<rect x="-4" y="-4" width="8" height="8" fill="{COLORS["task"]}"/>', t("tl_task", lang))
    item(f'<path d="M0 -6 l6 6 l-6 6 l-6 -6 z" fill="{COLORS["grade"]}"/>', t("tl_grade", lang))
    item(
        f'<circle r="3.5" fill="#fff" stroke="{COLORS["msg"]}" stroke-width="1.5"/>',
        t("tl_sent", lang),
    )
    item(f'<circle r="2.5" fill="{COLORS["msg"]}"/>', t("tl_delivered", lang))
    item(
        f'<path d="M-4 -4 l8 8 m0 -8 l-8 8" stroke="{COLORS["failed"]}" stroke-width="2"/>',
        t("tl_failed", lang),
    )
    for status, key in (
        ("hit", "tl_deadline_hit"),
        ("late", "tl_deadline_late"),
        ("missed", "tl_deadline_missed"),
    ):
        item(
            f'<line x1="0" y1="-8" x2="0" y2="8" stroke="{COLORS[status]}" stroke-width="2.5"/>',
            t(key, lang),
        )
    item('<rect x="-5" y="-6" width="10" height="12" fill="url(#hatch)"/>', t("tl_absent", lang))
    out[0] = open_svg(W, ly + 16, "timeline", "timeline", t("sec_timeline", lang), lang)
    out.append("</svg>")
    return "".join(out)
