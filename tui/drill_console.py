"""The drill console of `drillsim drill`: milestones stamped with one key, check-ins at the
assembly point, live verdicts on the real clock.

The drill itself is `simulator.drill.live.LiveDrill`; this screen only reads it and calls its
methods. The verdicts shown are `scoring.drill.milestone_rows` over the drill's (corrected)
events with the run's end at the current minute, the same code `drillsim score` and the drill
record use. The clock is a Textual timer that moves the drill on to the wall clock's minute
once a second; tests pass `tick_interval=None` and a fake clock and call `tick()`.
"""

from __future__ import annotations

import asyncio

from rich.cells import cell_len
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, RichLog, Static

from drillsim.scoring.drill import milestone_rows
from drillsim.scoring.verdicts import obligations
from drillsim.simulator.drill.live import DrillError, LiveDrill, corrected_events
from drillsim.words import Tr
from drillsim.words.formatting import num

from .keys import localize

MISSING_SHOWN = 12


class Ask(ModalScreen[dict | None]):
    """A few text fields; Enter on the last submits, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, fields: list[tuple[str, str, str]]):
        super().__init__(classes="drill-ask")
        self.heading, self.fields = title, fields
        self.error = Static("", classes="ask-error")

    def compose(self) -> ComposeResult:
        with Vertical(classes="ask"):
            yield Static(Text(self.heading, style="bold"))
            for name, label, value in self.fields:
                yield Static(label, classes="ask-label")
                yield Input(value=value, id=f"ask-{name}", compact=True)
            yield self.error

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        i = inputs.index(event.input)
        if i + 1 < len(inputs):
            inputs[i + 1].focus()
            return
        self.dismiss(
            {name: self.query_one(f"#ask-{name}", Input).value for name, _, _ in self.fields}
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "yes", "yes"),
        Binding("n,escape", "no", "no"),
    ]

    def __init__(self, text: str, keys: str):
        super().__init__(classes="drill-ask")
        self.text, self.keys = text, keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="ask"):
            yield Static(self.text)
            yield Static(self.keys, classes="ask-label")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


class DrillConsole(App):
    CSS_PATH = "drill.tcss"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("slash", "search", "key_checkin", key_display="/"),
        Binding("plus", "visitor", "key_visitor", key_display="+"),
        Binding("exclamation_mark", "close_headcount", "key_close_headcount", key_display="!"),
        Binding("ctrl+n", "note", "key_note", key_display="^n"),
        Binding("ctrl+e", "correct", "key_correct", key_display="^e"),
        Binding("ctrl+x", "end_drill", "key_end_drill", key_display="^x"),
        # own action names: App's action_back and action_quit are coroutines with other duties
        Binding("escape", "clear_entry", "key_back", show=False),
        Binding("ctrl+q", "leave", "key_quit_drill", key_display="^q", priority=True),
    ]

    def __init__(
        self,
        drill: LiveDrill,
        *,
        evaluator: str,
        lang: str = "en",
        tick_interval: float | None = 1.0,
        log_label: str = "",
    ):
        super().__init__()
        self.drill, self.evaluator, self.lang = drill, evaluator, lang
        self.tr = Tr(lang)
        localize(self, self.tr)
        self.tick_interval = tick_interval
        self.log_label = log_label
        self.last_stamp: str | None = None
        self._note_for: str | None = None

    # --- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        tr = self.tr
        yield Static("", id="drill-bar")
        with Horizontal(id="drill-main"):
            table: DataTable = DataTable(id="milestones", cursor_type="row", zebra_stripes=True)
            table.border_title = tr("drill_milestones")
            yield table
            with Vertical(id="drill-side"):
                hc = Static("", id="headcount")
                hc.border_title = tr("drill_headcount")
                yield hc
                yield Input(placeholder=tr("drill_search"), id="search", compact=True)
                yield Static("", id="matches")
        log = RichLog(id="records", wrap=True, max_lines=500)
        log.border_title = tr("drill_stamps")
        yield log
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.tr("drill_title")
        table = self.query_one("#milestones", DataTable)
        tr = self.tr
        # the verdict and the times first: a long milestone title must not push them off screen
        for col in ("drill_col_key", "drill_col_verdict", "drill_col_stamped", "drill_col_due"):
            table.add_column(tr(col), key=col)
        table.add_column(tr("drill_col_milestone"), key="drill_col_milestone")
        for m in self.drill.milestones:
            table.add_row(m.key, "", "", "", m.title(self.drill.plan, self.lang), key=m.id)
        table.focus()
        if self.tick_interval:
            self.set_interval(self.tick_interval, self.tick)
        self.refresh_view()

    # --- the clock -------------------------------------------------------------------------
    def tick(self) -> None:
        self.drill.tick()
        self.refresh_view()

    # --- keys ------------------------------------------------------------------------------
    def on_key(self, event) -> None:
        if isinstance(self.focused, Input) or self.screen is not self.screen_stack[0]:
            return
        key = event.character
        if key and key in self.drill.by_key:
            event.stop()
            self._do(lambda: self.drill.stamp(key, self.evaluator), self._stamped)

    def _do(self, fn, then=None):
        """Call the drill; `then(event)` once it took the entry. A served drill answers later
        (a future of the server's reply), a local one at once."""
        try:
            result = fn()
        except DrillError as exc:
            self.notify(self.tr(f"err_{exc.key}", **exc.values), severity="warning")
            self.refresh_view()
            return None
        if isinstance(result, asyncio.Future):
            result.add_done_callback(lambda fut: self._replied(fut.result(), then))
            return result
        if then is not None:
            then(result)
        self.refresh_view()
        return result

    def _replied(self, reply: dict, then) -> None:
        if reply["type"] == "error":
            key = reply.get("key") or ""
            text = self.tr(key, **reply.get("values", {})) if key in self.tr else reply["message"]
            self.notify(text, severity="warning", markup=False)
        elif then is not None and reply.get("event") is not None:
            then(reply["event"])
        self.refresh_view()

    def _stamped(self, ev: dict) -> None:
        self.last_stamp = ev["id"]
        m = self.drill.by_id[ev["milestone"]]
        self.records(
            self.tr(
                "drill_stamped",
                id=ev["id"],
                milestone=m.title(self.drill.plan, self.lang),
                wall=self._wall(ev["t"]),
            )
        )

    def records(self, line: str) -> None:
        self.query_one("#records", RichLog).write(line)

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_entry(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        self._note_for = None
        search.placeholder = self.tr("drill_search")
        self.query_one("#matches", Static).update("")
        self.query_one("#milestones", DataTable).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "search" or self._note_for is not None:
            return
        q = event.value.strip()
        found = self.drill.find(q, limit=8) if q else []
        self.query_one("#matches", Static).update(
            "\n".join(
                f"{p.number} {p.name} · {p.department} · {p.area}"
                + (" ✓" if p.number in self.drill.headcount.accounted else "")
                for p in found
            )
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search":
            return
        text = event.value.strip()
        if self._note_for is not None:
            sid, self._note_for = self._note_for, None
            if text:
                self._do(
                    lambda: self.drill.note(sid, text, self.evaluator),
                    lambda _ev: self.records(self.tr("drill_note_saved", id=sid)),
                )
            self.action_clear_entry()
            return
        if not text:
            return
        found = self.drill.find(text, limit=8)
        exact = [p for p in found if p.number.casefold() == text.casefold()]
        pick = exact[:1] or (found if len(found) == 1 else [])
        if not pick:
            key, values = (
                ("drill_no_match", {"q": text})
                if not found
                else (
                    "drill_matches",
                    {"n": len(found), "names": ", ".join(f"{p.number} {p.name}" for p in found)},
                )
            )
            self.notify(self.tr(key, **values), severity="warning")
            return
        p = pick[0]

        def checked(_ev: dict) -> None:
            self.records(self.tr("drill_checked_in", name=p.name, number=p.number))
            event.input.value = ""

        self._do(lambda: self.drill.checkin(p.number, self.evaluator), checked)

    def action_note(self) -> None:
        if self.last_stamp is None:
            return
        self._note_for = self.last_stamp
        search = self.query_one("#search", Input)
        search.value = ""
        search.placeholder = self.tr("drill_note_for", id=self.last_stamp)
        search.focus()

    def action_correct(self) -> None:
        if not self.drill.started:
            return
        tr = self.tr
        sid = self.last_stamp or ""
        wall = self.drill.wall_of(self.drill.corrected_minute(sid)) if sid else None
        fields = [
            ("stamp", tr("drill_correct_stamp"), sid),
            ("time", tr("drill_correct_time"), wall.strftime("%H:%M:%S") if wall else ""),
            ("note", tr("drill_correct_note"), ""),
        ]
        self.push_screen(Ask(tr("drill_correct_title"), fields), self._corrected)

    def _corrected(self, answer: dict | None) -> None:
        if not answer:
            return
        try:
            hh, mm, ss = (int(x) for x in answer["time"].strip().split(":"))
            when = self.drill.wall_start.replace(hour=hh, minute=mm, second=ss)
        except (ValueError, AttributeError):
            self.notify(self.tr("drill_bad_time"), severity="warning")
            return
        sid = answer["stamp"].strip()
        self._do(
            lambda: self.drill.correct(sid, when, self.evaluator, answer["note"].strip()),
            lambda ev: self.records(
                self.tr("drill_corrected", id=sid, wall=self._wall(ev["at"]), by=ev["by"])
            ),
        )

    def action_visitor(self) -> None:
        tr = self.tr
        fields = [
            ("name", tr("drill_visitor_name"), ""),
            ("kind", tr("drill_visitor_kind"), "v"),
            ("company", tr("drill_visitor_company"), ""),
            ("area", tr("drill_visitor_area"), ""),
            ("present", tr("drill_visitor_present"), "y"),
        ]
        self.push_screen(Ask(tr("drill_visitor_title"), fields), self._visitor)

    def _visitor(self, answer: dict | None) -> None:
        if not answer:
            return
        kind = {"v": "visitor", "c": "contractor"}.get(answer["kind"].strip().lower()[:1], "?")
        present = answer["present"].strip().lower()[:1] in ("y", "是", "")
        self._do(
            lambda: self.drill.add_visitor(
                answer["name"],
                kind,
                self.evaluator,
                company=answer["company"],
                area=answer["area"],
                present=present,
            ),
            lambda ev: self.records(f"{ev['number']} {ev['name']} ({ev['category']})"),
        )

    def action_close_headcount(self) -> None:
        if not self.drill.started or self.drill.headcount.done:
            self._do(lambda: self.drill.close_headcount(self.evaluator))
            return
        missing = self.drill.headcount.missing()
        text = self.tr(
            "drill_close_confirm", n=len(missing), names=self._names(missing, MISSING_SHOWN)
        )

        def close(yes: bool | None) -> None:
            if yes:
                self._do(lambda: self.drill.close_headcount(self.evaluator))

        self.push_screen(Confirm(text, self.tr("drill_yes_no")), close)

    def action_end_drill(self) -> None:
        if not self.drill.started or self.drill.finished:
            return

        def end(yes: bool | None) -> None:
            if yes:
                self._do(lambda: self.drill.end(self.evaluator))

        self.push_screen(Confirm(self.tr("drill_end_confirm"), self.tr("drill_yes_no")), end)

    def action_leave(self) -> None:
        self.drill.close()
        self.exit(return_code=0)

    # --- showing the state -------------------------------------------------------------
    def _wall(self, minute: float | None) -> str:
        if minute is None or self.drill.wall_start is None:
            return ""
        return self.drill.wall_of(minute).strftime("%H:%M:%S")

    def _names(self, people, limit: int) -> str:
        text = ", ".join(f"{p.number} {p.name}" for p in people[:limit])
        if len(people) > limit:
            text += " " + self.tr("drill_more", n=len(people) - limit)
        return text

    def _verdict(self, row: dict) -> Text:
        status = row["status"]
        if status == "late":
            return Text(self.tr("late_by", m=num(row["late_by_min"])), style="bold red")
        style = {"hit": "green", "missed": "bold red", "open": "yellow", "stamped": "green"}
        key = f"drill_st_{status}" if status in ("stamped", "not_stamped") else status
        return Text(self.tr(key), style=style.get(status, "dim"))

    def rows(self) -> list[dict]:
        d = self.drill
        if not d.started:
            return []
        events = corrected_events(d.plan, d.events)
        end = d.session.now
        return milestone_rows(d.plan, events, obligations(d.plan, events, end), end)

    def refresh_view(self) -> None:
        d, tr = self.drill, self.tr
        bar = self.query_one("#drill-bar", Static)
        sc = d.plan.scenario
        title = sc.title if self.lang == "zh" else (sc.title_en or sc.title)
        if not d.started:
            alarm = d.by_id[d.alarm].title(d.plan, self.lang)
            bar.update(Text(f"{title}\n" + tr("drill_waiting", alarm=alarm), style="bold"))
        elif d.finished:
            bar.update(Text(f"{title}\n" + tr("drill_ended_banner", log=self.log_label)))
        else:
            now = d.session.now
            clock = tr("drill_clock", wall=self._wall(now), t=num(now))
            bar.update(Text(f"{title}\n{clock}", style="bold"))
        table = self.query_one("#milestones", DataTable)
        for row in self.rows():
            due = (
                f"{self._wall(row['deadline_at'])} (+{num(row['deadline_at'])}′)"
                if row["deadline_at"] is not None
                else ""
            )
            stamped = self._wall(row["stamped_at"])
            if row["corrections"]:
                stamped += " ✎"
            if row["auto"]:
                stamped += f" ({tr('drill_auto')})"
            table.update_cell(row["id"], "drill_col_due", due, update_width=True)
            table.update_cell(row["id"], "drill_col_stamped", stamped, update_width=True)
            table.update_cell(row["id"], "drill_col_verdict", self._verdict(row), update_width=True)
        self.query_one("#headcount", Static).update(self._headcount_text())

    def _headcount_text(self) -> Text:
        hc, tr = self.drill.headcount, self.tr
        missing = hc.missing()
        out = Text()
        out.append(
            tr(
                "drill_total",
                accounted=len(hc.accounted),
                expected=len(hc.expected),
                missing=len(missing),
            )
            + "\n",
            style="bold",
        )
        if hc.complete_at is not None:
            out.append(tr("drill_complete", wall=self._wall(hc.complete_at)) + "\n", style="green")
        elif hc.closed is not None:
            out.append(
                tr("drill_closed", wall=self._wall(hc.closed["t"]), n=len(hc.closed["missing"]))
                + "\n",
                style="bold red",
            )
        for by in ("department", "area"):
            for g in hc.groups(by):
                style = "green" if g.accounted == g.expected else ""
                pad = " " * max(1, 16 - cell_len(g.name))  # CJK names are two cells a character
                out.append(f"{g.name}{pad}{g.accounted:>3}/{g.expected:<3}\n", style=style)
            out.append("\n")
        if missing:  # who is missing, area by area: where the search would start
            out.append(tr("drill_missing", names="") + "\n", style="bold red")
            shown = 0
            for g in hc.groups("area"):
                if g.missing and shown < MISSING_SHOWN:
                    names = self._names(g.missing, MISSING_SHOWN - shown)
                    out.append(f"{g.name}: {names}\n", style="red")
                    shown += len(g.missing)
        return out
