"""The end: verdicts table, continuity outcomes, the saved log and its `drillsim score` result."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from drillsim.words import Tr
from drillsim.words.names import Names

from ..exercise import Exercise
from ..keys import localize
from ..teaching import action_text, advice_text, deadline_text, grade_feedback
from ..widgets.bars import KeyFooter, TitleBar
from ..widgets.facilitator import STATUS_STYLE


def _table(title: str) -> Table:
    """The score screen's tables: one plain style, the title left above."""
    return Table(
        expand=True,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
        title_style="bold",
        title=title,
        title_justify="left",
        padding=(0, 1),
    )


class ScoreScreen(Screen):
    BINDINGS = [
        Binding("a", "evaluate('rate')", "key_rate"),
        Binding("w", "evaluate('hotwash')", "key_hotwash"),
        Binding("q", "app.quit", "key_quit", show=False),
    ]

    def __init__(self, exercise: Exercise, tr: Tr, record=None, trainee: str | None = None):
        super().__init__(classes="score-screen")
        self.record, self.trainee = record, trainee
        localize(self, tr)
        self.ex, self.tr, self.names = exercise, tr, Names(exercise.plan, tr.lang)
        self.live = exercise.result()
        self.saved = exercise.saved_result()
        self.result = self.saved if self.saved is not None else self.live

    @property
    def same(self) -> bool:
        return self.saved is not None and self.saved == self.live

    def compose(self) -> ComposeResult:
        tr, n = self.tr, self.names
        yield TitleBar(
            Text(f" {tr('score_title')} · {n.scenario_title()}", style="bold"), id="title-bar"
        )
        with VerticalScroll(id="score-body"):
            yield Static(self.render_head(), id="score-head")
            if self.ex.humans:
                yield Static(self.render_debrief(), id="score-debrief")
            yield Static(self.render_verdicts(), id="score-verdicts")
            yield Static(self.render_continuity(), id="score-continuity")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#score-body").focus()

    # --- the hotwash comes after the end: ratings and notes go on being written ------------------
    def _evaluator(self) -> bool:
        """Whoever had the facilitator view (play, or a facilitator's or evaluator's join)."""
        screen = getattr(self.app, "exercise_screen", None)
        return "facilitator" in getattr(screen, "views", ())

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "evaluate":
            return self._evaluator()
        return True

    def action_evaluate(self, kind: str) -> None:
        from .forms import EVAL_FORMS, EvalForm

        if not self._evaluator() or kind not in EVAL_FORMS:
            return
        name = f"form-{kind}"
        if not self.app.is_screen_installed(name):
            self.app.install_screen(EVAL_FORMS[kind](self.ex, self.names, self.tr), name)

        def done(note: str | None) -> None:
            if note:
                self.notify(note, timeout=3, markup=False)
            self.query_one("#score-head", Static).update(self.render_head())

        form = self.app.get_screen(name)
        assert isinstance(form, EvalForm)
        form.reset()
        self.app.push_screen(name, done)

    def render_head(self) -> Text:
        tr, n, r = self.tr, self.names, self.result
        s = r["summary"]
        rate = "-" if s["sla_hit_rate"] is None else f"{s['sla_hit_rate']:.0%}"
        out = Text()
        reason = n.reason(self.ex.end_reason or "scenario end")
        out.append(
            tr("score_ended", reason=reason, t=f"{r['end_min']:g}") + f" · {n.mode(self.ex.mode)}"
            f" · {tr('seed_label', seed=r['seed'])}\n"
        )
        out.append(
            tr(
                "score_summary",
                hit=s["hit"],
                late=s["late"],
                missed=s["missed"],
                open=s["open"],
                not_triggered=s["not_triggered"],
                rate=rate,
            )
            + (tr("score_void", void=s["void"]) if s.get("void") else "")
            # no grading figures where nothing was graded (a procedure without grading)
            + (
                tr("score_grades", grades=f"{s['grades_correct']}/{s['grades']}")
                if s["grades"]
                else ""
            )
            + "\n",
            style="bold",
        )
        if self.ex.log_path is not None:
            out.append(tr("score_log", path=str(self.ex.log_path)) + "\n")
            ev = self.ex.evaluation
            if ev.saved:  # the evaluators' ratings, for `drillsim report LOG --ratings FILE`
                out.append(tr("score_ratings", path=str(ev.path)) + "\n")
            if self.same:
                out.append("✓ " + tr("score_same", path=str(self.ex.log_path)), style="green")
            else:
                out.append(tr("score_differs"), style="bold red")
        else:
            out.append(tr("score_no_log"), style="yellow")
        if self.record is not None:
            out.append("\n" + tr("trainee_saved", name=self.trainee), style="bold")
        return out

    def render_debrief(self):
        """The played roles' duties one by one: verdict, what the procedure asked, what to do
        differently first; then each of their grades, right or wrong and why."""
        tr, n, ex = self.tr, self.names, self.ex
        db = ex.debrief()
        table = _table(tr("debrief_title"))
        table.add_column(tr("col_clause"), no_wrap=True, overflow="ellipsis", max_width=15)
        table.add_column(tr("col_duty"), overflow="fold", ratio=2, min_width=14)
        table.add_column(tr("col_verdict"), no_wrap=True)
        table.add_column(tr("db_asked"), overflow="fold", ratio=2, min_width=12)
        table.add_column(tr("db_next"), overflow="fold", ratio=2, min_width=12)
        for item in db.items:
            e = item.entry
            ob = ex.proc.obligations[e["id"]]
            title = n.duty(e["id"]) + (f" #{e['occurrence']}" if e["occurrence"] > 1 else "")
            table.add_row(
                e["clause"],
                title,
                Text(n.status(e), style=STATUS_STYLE.get(e["status"], "")),
                tr("db_asked_fmt", what=action_text(ob, n, tr), deadline=deadline_text(ob, n, tr)),
                Text(advice_text(item, n, tr), style="" if item.advice == "keep" else "yellow"),
            )
        if not db.items:
            table.add_row("", Text(tr("debrief_none"), style="dim"), "", "", "")
        grades = Text()
        if db.grades:
            grades.append("\n" + tr("debrief_grades") + "\n", style="bold")
            for ev, check in db.grades:
                lines = grade_feedback(check, n, tr)
                grades.append(f" {n.clock(ev['t'])} ", style="bold")
                grades.append(lines[0][0] + "\n", style=lines[0][1])
                for text, style in lines[1:]:
                    grades.append("   " + text + "\n", style=style)
            grades.rstrip()
        return Group(Text(""), table, grades)

    def render_verdicts(self):
        tr, n = self.tr, self.names
        table = _table(tr("verdicts_table"))
        table.add_column(tr("col_clause"), no_wrap=True, overflow="ellipsis", max_width=15)
        table.add_column(
            f"{tr('col_duty')} ({tr('col_role')})", overflow="fold", ratio=1, min_width=16
        )
        table.add_column(tr("col_deadline"), no_wrap=True)
        table.add_column(tr("col_done"), no_wrap=True)
        table.add_column(tr("col_verdict"), no_wrap=True)
        multi = len(self.ex.sc.incidents) > 1
        for e in self.result["obligations"]:
            title = n.duty(e["id"]) + (
                f" #{e['occurrence']}" if e["occurrence"] and e["occurrence"] > 1 else ""
            )
            if multi and e["incident"]:
                title = f"[{e['incident']}] {title}"
            who = n.role(e["role"])
            if e["acted_by"] and e["acted_by"] != e["role"]:
                who += f" ({n.role(e['acted_by'])})"
            cell = Text(title)
            cell.append(f" ({who})", style="dim")
            table.add_row(
                e["clause"],
                cell,
                n.clock(e["deadline_at"]),
                n.clock(e["done_at"]),
                Text(n.status(e), style=STATUS_STYLE.get(e["status"], "")),
            )
        return table

    def render_continuity(self):
        tr, n = self.tr, self.names
        rows = self.result["continuity"]
        if not rows:
            return Text("\n" + tr("continuity_none"), style="dim")
        table = _table(tr("continuity"))
        for key in ("service", "down", "restored", "downtime", "rto", "rto_met"):
            table.add_column(tr(f"col_{key}"), no_wrap=True, overflow="ellipsis")
        for c in rows:
            met = (
                "rto_unknown"
                if c["rto_met"] is None
                else "rto_met"
                if c["rto_met"]
                else "rto_not_met"
            )
            style = "yellow" if c["rto_met"] is None else "green" if c["rto_met"] else "bold red"
            table.add_row(
                n.service(c["service"]),
                n.clock(c["down_at"]),
                n.clock(c["restored_at"]),
                f"{c['downtime_min']:g} {tr('min')}",
                f"{c['rto_min']:g} {tr('min')}",
                Text(tr(met), style=style),
            )
        return Group(Text(""), table)
