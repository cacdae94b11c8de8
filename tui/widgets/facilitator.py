"""The facilitator's view: the MSEL with delivered/pending state, live verdicts, every role's activity.

The tables are lines of text laid out to the panel's width (`textutil.columns`), not DataTables:
they are redrawn while the clock runs, and a DataTable redraws every cell whenever one changes.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import OptionList, RichLog, Static
from textual.widgets.option_list import Option

from drillsim.words import Tr
from drillsim.words.names import Names

from ..exercise import Exercise
from .textutil import columns

STATUS_STYLE = {
    "hit": "green",
    "late": "magenta",
    "missed": "bold red",
    "open": "yellow",
    "not_triggered": "dim",
    "void": "dim",
}
STATE_STYLE = {"pending": "yellow", "delivered": "green", "skipped": "dim"}


class MselList(OptionList):
    """The injects, one line each; the highlighted one is what trigger-now and skip act on."""


class VerdictPanel(VerticalScroll):
    pass


class ActivityLog(RichLog):
    pass


class FacilitatorView(Vertical):
    def __init__(self, exercise: Exercise, names: Names, tr: Tr, **kw):
        super().__init__(classes="facilitator-view", **kw)
        self.ex, self.names, self.tr = exercise, names, tr
        self.msel_head = Static("", classes="table-head")
        self.msel = MselList(id="msel", compact=True)
        # the highlighted inject in full: a table line cuts its text, and the facilitator needs
        # the expected action to judge what the players do with it
        self.inject_detail = Static("", id="inject-detail")
        self.msel_box = Vertical(
            self.msel_head, self.msel, self.inject_detail, id="msel-box", classes="fac-panel"
        )
        self.msel_box.border_title = tr("msel")
        self.verdict_head = Static("", classes="table-head")
        self.verdict_body = Static("", classes="table-body")
        self.verdicts = VerdictPanel(self.verdict_body, id="verdicts")
        self.verdict_box = Vertical(
            self.verdict_head, self.verdicts, id="verdict-box", classes="fac-panel"
        )
        self.verdict_box.border_title = tr("verdicts")
        self.activity = ActivityLog(
            id="activity", max_lines=1000, wrap=True, markup=False, min_width=20
        )
        self.activity.border_title = tr("activity")
        self._msel_rows: list[tuple] | None = None
        self._verdicts_shown: tuple | None = None
        self._widths: tuple[int, int] = (0, 0)
        self._logged = 0

    def compose(self) -> ComposeResult:
        with Horizontal(classes="fac-top"):
            yield self.msel_box
            yield self.verdict_box
        yield self.activity

    def on_mount(self) -> None:
        self.msel.add_options([Option("", id=row["id"]) for row in self.ex.msel()])
        self.msel.highlighted = 0 if self.msel.option_count else None
        self.refresh_view()

    def on_resize(self, _event) -> None:
        self.call_after_refresh(self._relayout)

    def _relayout(self) -> None:
        widths = (self.msel.size.width, self.verdicts.size.width)
        if widths != self._widths and 0 not in widths:
            self._widths = widths
            self.refresh_view(force=True)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list is self.msel:
            self.show_inject(event.option.id)

    def show_inject(self, jid: str | None) -> None:
        if jid is None:
            self.inject_detail.update("")
            return
        n, tr = self.names, self.tr
        expect = n.inject_expect(jid)
        text = Text()
        text.append(f"{jid} ", style="bold")
        text.append(" ".join(n.inject_text(jid).split()))
        text.append("\n" + tr("inject_expect", expect=expect or tr("inject_expect_none")))
        if expect:
            text.stylize("italic", len(text.plain) - len(expect), len(text.plain))
        self.inject_detail.update(text)

    def selected_inject(self) -> str | None:
        i = self.msel.highlighted
        return None if i is None else self.msel.get_option_at_index(i).id

    # --- MSEL ------------------------------------------------------------------------------------
    def _msel_cells(self, row) -> list[str]:
        tr, n = self.tr, self.names
        if row["at"] is None:
            at = tr("at_conditional")
        elif row["contingency"]:
            at = tr("at_contingency", time=n.clock(row["at"]))
        else:
            at = n.clock(row["at"])
        state = tr(f"state_{row['state']}")
        if row["state"] != "pending" and (row["at"] is None or abs(row["t"] - row["at"]) > 1e-6):
            state += " " + n.clock(row["t"])
        if row["by"]:
            state += "*"
        return [
            state,
            at,
            row["id"],
            n.roles(row["to"]),
            " ".join(n.inject_text(row["id"]).split()),
        ]

    def refresh_msel(self, force: bool = False) -> None:
        rows = self.ex.msel()
        key = [(r["state"], r["t"]) for r in rows]
        if not force and key == self._msel_rows:
            return
        self._msel_rows = key
        tr = self.tr
        width = self.msel.scrollable_content_region.width or 77
        head, lines, widths = columns(
            [tr(f"col_{c}") for c in ("state", "at", "inject", "to", "text")],
            [self._msel_cells(r) for r in rows],
            width,
            flex=4,
            max_widths={2: 18, 3: 16},
        )
        self.msel_head.update(Text(head, style="bold"), layout=False)
        for row, line in zip(rows, lines):
            state = self._msel_cells(row)[0]
            text = Text(line)
            text.stylize(STATE_STYLE[row["state"]], 0, len(state))
            self.msel.replace_option_prompt(row["id"], text)

    # --- verdicts ----------------------------------------------------------------------------------
    def refresh_verdicts(self, force: bool = False) -> None:
        n, tr = self.names, self.tr
        live = not self.ex.finished
        rows, styles = [], []
        multi = len(self.ex.sc.incidents) > 1
        for e in self.ex.live_verdicts():
            who = n.role(e["role"])
            if e["acted_by"] and e["acted_by"] != e["role"]:
                who += f" ({n.role(e['acted_by'])})"
            title = n.duty(e["id"]) + (
                f" #{e['occurrence']}" if e["occurrence"] and e["occurrence"] > 1 else ""
            )
            if multi and e["incident"]:
                title = f"[{e['incident']}] {title}"
            rows.append(
                [
                    n.status(e, live=live),
                    n.clock(e["deadline_at"]),
                    who,
                    title,
                    n.clock(e["done_at"]),
                    e["clause"],
                ]
            )
            styles.append(STATUS_STYLE.get(e["status"], ""))
        width = self.verdicts.scrollable_content_region.width or 77
        key = (width, tuple(map(tuple, rows)), tuple(styles))
        if not force and key == self._verdicts_shown:
            return
        grew = self._verdicts_shown is None or len(rows) != len(self._verdicts_shown[1])
        self._verdicts_shown = key
        head, lines, _ = columns(
            [tr(f"col_{c}") for c in ("verdict", "deadline", "role", "duty", "done", "clause")],
            rows,
            width,
            flex=3,
            max_widths={2: 12, 5: 14 if width >= 100 else 8},
        )
        self.verdict_head.update(Text(head, style="bold"), layout=False)
        body = Text()
        for i, (line, style) in enumerate(zip(lines, styles)):
            if i:
                body.append("\n")
            verdict_len = len(rows[i][0])
            body.append(line[:verdict_len], style=style)
            body.append(line[verdict_len:], style="dim" if style == "dim" else "")
        self.verdict_body.update(body, layout=grew or force)

    # --- refresh -----------------------------------------------------------------------------------
    def refresh_view(self, force: bool = False) -> None:
        self.refresh_msel(force)
        self.refresh_verdicts(force)
        # after the layout: a RichLog wraps a line at the width it has when the line is written
        self.call_after_refresh(self.log_events)

    def log_events(self) -> None:
        if not self.activity.size.width:
            return
        events = self.ex.session.events
        lines = []
        for ev in events[self._logged :]:
            line = self.describe(ev)
            if line is not None:
                lines.append(line)
        self._logged = len(events)
        width = self.activity.scrollable_content_region.width
        console = self.app.console
        for (
            when,
            text,
        ) in lines:  # wrapped here with a hanging indent: cheaper than a table per line
            indent = cell_len(when) + 1
            out = Text()
            for i, part in enumerate(text.wrap(console, max(10, width - indent), overflow="fold")):
                out.append(("\n" + " " * indent) if i else when + " ", style="dim")
                out.append_text(part)
            self.activity.write(out, width=width)

    def describe(self, ev: dict) -> tuple[str, Text] | None:
        tr, n, ex = self.tr, self.names, self.ex
        kind = ev["type"]
        style = ""
        if kind == "inject":
            text = tr("act_inject", inject=ev["inject"], to=n.roles(ev["to"]))
            if ev.get("by"):
                text += tr("act_inject_by")
            style = "cyan"
        elif kind == "inject.delivered":
            text = tr(
                "act_inject_delivered",
                inject=ev["inject"],
                who=n.role(ev["delivered_to"]),
                role=n.role(ev["to"]),
            )
        elif kind == "inject.skipped":
            text, style = tr("act_inject_skipped", inject=ev["inject"]), "dim"
        elif kind == "message.sent":
            text = tr(
                "act_sent", sender=n.role(ev["from"]), to=n.role(ev["to"]), via=n.channel(ev["via"])
            )
        elif kind == "message.failed":
            reason = tr("reason_outage" if ev["reason"] == "outage" else "reason_failed")
            text = tr(
                "act_failed",
                sender=n.role(ev["from"]),
                to=n.role(ev["to"]),
                via=n.channel(ev["via"]),
                reason=reason,
            )
            style = "red"
        elif kind == "grade":
            text = tr("act_grade", who=n.role(ev["actor"]), level=n.level(ev["level"]))
        elif kind == "classify":
            text = tr(
                "act_classify",
                who=n.role(ev["actor"]),
                impact=ev["impact"],
                urgency=ev["urgency"],
                level=n.level(ev["level"]),
            )
        elif kind == "task":
            text = tr(
                "act_task",
                who=n.role(ev["actor"]),
                task=n.task(ev["task"]),
                result=tr("task_ok" if ev["success"] else "task_failed"),
            )
            style = "" if ev["success"] else "red"
        elif kind == "due":
            text = tr(
                "act_due",
                duty=n.duty(ev["obligation"]),
                role=n.role(ev["role"]),
                deadline=n.clock(ev["deadline_at"]),
            )
            style = "yellow"
        elif kind == "void":
            ob = ex.plan.procedure.obligations[ev["obligation"]]
            text = tr(
                "act_void",
                duty=n.duty(ev["obligation"]),
                occurrence=tr("occurrence", n=ev["n"]),
                role=n.role(ob.role),
            )
            style = "dim"
        elif kind == "level":
            if ex.plan.procedure.grading is None:
                return None  # a procedure without grading has no levels to show
            text, style = tr("act_level", level=n.level(ev["level"])), "bold"
        elif kind == "attributes":
            text = tr("act_attributes", changes=", ".join(f"{k}={v}" for k, v in ev["set"].items()))
            style = "dim"
        elif kind in ("absent", "returned"):
            text = tr(f"act_{kind}", role=n.role(ev["role"]))
        elif kind == "handover":
            text = (
                tr("act_handback", role=n.role(ev["role"]))
                if ev["to"] == ev["role"]
                else tr("act_handover", role=n.role(ev["role"]), to=n.role(ev["to"]))
            )
        elif kind in ("service.down", "service.restored"):
            text = tr(
                "act_service_down" if kind == "service.down" else "act_service_restored",
                service=n.service(ev["service"]),
            )
            style = "red" if kind == "service.down" else "green"
        elif kind in ("channel.down", "channel.up"):
            text = tr(
                "act_channel_down" if kind == "channel.down" else "act_channel_up",
                channel=n.channel(ev["channel"]),
            )
            style = "red" if kind == "channel.down" else "green"
        elif kind == "end":
            text, style = tr("act_end", reason=n.reason(ev["reason"])), "bold"
        else:
            return None
        if kind in ("message.sent", "grade", "classify", "task") and (
            ev.get("from") in ex.roles or ev.get("actor") in ex.roles
        ):
            text = tr("act_human") + text
            style = style or "bold"
        if len(ex.sc.incidents) > 1 and ev.get("incident"):
            text = f"[{ev['incident']}] {text}"
        return n.clock(ev["t"]), Text(text, style=style)
