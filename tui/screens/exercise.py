"""The exercise: a view per played role and the facilitator's view, under one simulated clock.

The clock is a Textual timer (`set_interval(TICK_S)`) that advances the SimPy environment on
the UI thread; every change of the simulation reaches the widgets as a `News` message. Tests
drive the same code without a timer: `tick()`, `advance_by(minutes)` and the keys.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher

from drillsim.words import Tr
from drillsim.words.names import Names

from ..clock import Clock
from ..exercise import ActionError, Exercise
from ..keys import localize
from ..messages import News
from ..teaching import duty_detail, grade_feedback
from ..widgets.bars import ClockBar, KeyBar, TitleBar, ViewBar
from ..widgets.facilitator import FacilitatorView
from ..widgets.roleview import RoleView
from .dialogs import ConfirmScreen, DutyScreen
from .forms import EVAL_FORMS, FORMS, ActionForm, EvalForm

if TYPE_CHECKING:
    from ..app import DrillApp

FACILITATOR = "facilitator"
SPEED = Binding.Group("key_speed", compact=True)
FACILITATOR_ACTIONS = ("trigger", "skip", "end", "evaluate")


class ExerciseScreen(Screen):
    BINDINGS = [
        Binding("r", "act('report')", "key_report"),
        Binding("g", "act('grade')", "key_grade"),
        Binding("c", "act('classify')", "key_classify"),
        Binding("t", "act('task')", "key_task"),
        Binding("o", "duty_detail", "key_detail"),
        Binding("i", "trigger", "key_trigger"),
        Binding("x", "skip", "key_skip"),
        Binding("space", "toggle_clock", "key_pause", key_display="␣"),
        Binding("plus,equals_sign", "faster", "key_faster", key_display="+", group=SPEED),
        Binding("minus", "slower", "key_slower", key_display="-", group=SPEED),
        Binding("n", "next_inject", "key_next_inject"),
        Binding("full_stop", "step", "key_step", key_display=".", show=False),
        Binding("v", "next_view", "key_view"),
        Binding("e", "end", "key_end"),
        Binding("a", "evaluate('rate')", "key_rate"),
        Binding("w", "evaluate('hotwash')", "key_hotwash"),
        Binding("0", "view('facilitator')", "key_facilitator", show=False),
        *[Binding(str(i), f"view_n({i})", "key_views", show=False) for i in range(1, 10)],
    ]

    def __init__(
        self,
        exercise: Exercise,
        tr: Tr,
        speed: float = 1.0,
        paused: bool = True,
        tick_interval: float | None = None,
        trainee: bool = False,
    ):
        """trainee: a trainee's launch (`play --trainee`, a role token of a served session): no
        facilitator view, no facilitator keys, no control of the clock."""
        super().__init__(classes="exercise-screen")
        self.trainee = trainee
        localize(self, tr)
        self.ex, self.tr = exercise, tr
        self.names = Names(exercise.plan, tr.lang)
        self.clock = Clock(speed, paused)
        self.tick_interval = tick_interval
        self.views = [*exercise.humans] + ([] if trainee else [FACILITATOR])
        self.active = self.views[0]
        self.role_views = {
            r: RoleView(exercise, r, self.names, tr, id=f"role-{r}") for r in exercise.humans
        }
        self.facilitator = (
            None if trainee else FacilitatorView(exercise, self.names, tr, id="fac-view")
        )
        self.key_bars = {
            v: KeyBar([(k, tr(what)) for k, what in self.keys_for(v)], id=f"keys-{v}")
            for v in self.views
        }
        self._timer: Timer | None = None
        self._ended = False
        self._stale = False
        self._target = 0.0

    # --- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        ex, n, tr = self.ex, self.names, self.tr
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f" {n.scenario_title()}", style="bold")
        title.append(f"  · {n.mode(ex.mode)} · {tr('seed_label', seed=ex.seed)}")
        yield TitleBar(title, id="title-bar")
        with Horizontal(id="bar"):
            yield ViewBar(id="views")
            yield ClockBar(id="clock")
        with ContentSwitcher(initial=self._view_id(self.active), id="switcher"):
            for role, view in self.role_views.items():
                with Vertical(id=self._view_id(role), classes="view"):
                    yield view
                    yield self.key_bars[role]
            if self.facilitator is not None:
                with Vertical(id=self._view_id(FACILITATOR), classes="view"):
                    yield self.facilitator
                    yield self.key_bars[FACILITATOR]

    def _view_id(self, view: str) -> str:
        return "view--facilitator" if view == FACILITATOR else f"view-{view}"

    def keys_for(self, view: str) -> list[tuple[str, str]]:
        """The keys shown at the bottom of a view (all of them are in the help, `?`)."""
        clock = [("␣", "key_pause"), ("+-", "key_speed"), ("n", "key_next_inject")]
        general = [("?", "key_help"), ("^q", "key_quit")]
        if view == FACILITATOR:
            return [
                ("i", "key_trigger"),
                ("x", "key_skip"),
                ("a", "key_rate"),
                ("w", "key_hotwash"),
                ("e", "key_end"),
                *clock,
                *general,
            ]
        own = [
            (k, f"key_{kind}")
            for k, kind in (("r", "report"), ("g", "grade"), ("c", "classify"), ("t", "task"))
            if self._role_may(view, kind)
        ]
        own.append(("o", "key_detail"))
        if self.trainee:
            clock = []
        return (
            [*own, *clock, ("v", "key_view"), *general]
            if len(self.views) > 2
            else [*own, *clock, *general]
        )

    def _role_may(self, role: str, kind: str) -> bool:
        return kind in self.ex.allowed(role) and (kind != "task" or bool(self.ex.tasks_for(role)))

    def on_mount(self) -> None:
        if self.tick_interval:
            self._timer = self.set_interval(self.tick_interval, self.tick, pause=self.clock.paused)
        self.refresh_all()
        self.call_after_refresh(self._focus_view)
        self.set_timer(0.3, self._prepare_forms)

    def _focus_view(self) -> None:
        view = self.current_view
        target = view.inbox if isinstance(view, RoleView) else view.msel
        if not target.has_focus:
            target.focus()

    @property
    def current_view(self):
        return self.facilitator if self.active == FACILITATOR else self.role_views[self.active]

    # --- the clock -------------------------------------------------------------------------------
    def tick(self) -> None:
        """One beat of the clock timer: X * TICK_S / 60 simulated minutes at speed X."""
        if self.clock.paused or self.ex.finished:
            return
        # the exact target accumulates; the exercise rounds each step to the log's precision
        if abs(self.ex.now - self._target) > 1e-5:  # the clock jumped (a step, the next inject)
            self._target = self.ex.now
        self._target += self.clock.minutes_per_tick()
        self._news(self.ex.advance(self._target))

    def advance_by(self, minutes: float) -> None:
        self._news(self.ex.advance_by(minutes))

    def advance_to(self, t: float) -> None:
        self._news(self.ex.advance(t))

    def _news(self, events: list[dict]) -> None:
        self.post_message(News(events, self.ex.now))

    def on_news(self, message: News) -> None:
        if self.app.screen is self:
            self.refresh_all()
        else:  # a form or the help is on top: the clock only; the rest when it closes
            self._stale = True
            self.update_bars()
        if self.ex.finished and not self._ended:
            self._ended = True
            if self._timer is not None:
                self._timer.stop()
            cast("DrillApp", self.app).show_score()

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.refresh_all()

    def action_toggle_clock(self) -> None:
        if self.ex.finished:
            return
        paused = self.clock.toggle()
        if self._timer is not None:
            self._timer.pause() if paused else self._timer.resume()
        self.update_bars()

    def action_faster(self) -> None:
        self.clock.faster()
        self.update_bars()

    def action_slower(self) -> None:
        self.clock.slower()
        self.update_bars()

    def action_next_inject(self) -> None:
        if self.ex.finished:
            return
        nxt = self.ex.next_inject()
        if nxt is None:
            self.notify(self.tr("no_next_inject"), severity="warning", markup=False)
            return
        self.advance_to(nxt[0])

    def action_step(self) -> None:
        if not self.ex.finished:
            self.advance_by(1.0)

    # --- views -----------------------------------------------------------------------------------
    def show_view(self, view: str) -> None:
        if view not in self.views:
            return
        self.active = view
        self.query_one("#switcher", ContentSwitcher).current = self._view_id(view)
        self.refresh_all()
        self.refresh_bindings()
        self._focus_view()

    def action_view(self, view: str) -> None:
        self.show_view(view)

    def action_view_n(self, i: int) -> None:
        if i <= len(self.ex.humans):
            self.show_view(self.ex.humans[i - 1])

    def action_next_view(self) -> None:
        self.show_view(self.views[(self.views.index(self.active) + 1) % len(self.views)])

    def update_bars(self) -> None:
        tr, n, ex = self.tr, self.names, self.ex
        views = []
        for i, r in enumerate(ex.humans, 1):
            views.append(
                (
                    r,
                    str(i) if i < 10 else "",
                    n.role(r),
                    0 if r == self.active else ex.roles[r].unread,
                )
            )
        if not self.trainee:
            views.append((FACILITATOR, "0", tr("view_facilitator"), 0))
        self.query_one(ViewBar).show(views, self.active)
        state = "ended" if ex.finished else "paused" if self.clock.paused else "running"
        self.query_one(ClockBar).show(
            n.clock(ex.now, seconds=True),
            tr("clock_minute", t=f"{ex.now:.1f}"),
            tr("speed_fmt", x=self.clock.label()),
            state,
            tr(f"clock_{state}"),
        )

    def refresh_all(self, force: bool = False) -> None:
        view = self.current_view
        if isinstance(view, RoleView):
            self.ex.roles[view.role].unread = 0
            view.refresh_view(force)  # (training hints are in the duties panel, not in toasts)
        else:  # (the activity is written when shown, so that it wraps at the log's width)
            view.refresh_view()
        self.update_bars()

    # --- checks: which keys work where (and show in the footer) -------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "act":
            kind = parameters[0]
            return (
                self.active != FACILITATOR
                and not self.ex.finished
                and self._role_may(self.active, kind)
            )
        if action == "duty_detail":
            return self.active != FACILITATOR
        if action in FACILITATOR_ACTIONS:
            return self.active == FACILITATOR and not self.ex.finished and not self.trainee
        if action == "view" and self.trainee:
            return parameters[0] != FACILITATOR
        if action in ("toggle_clock", "faster", "slower", "next_inject", "step"):
            return not self.ex.finished and not self.trainee
        return True

    # --- role actions ------------------------------------------------------------------------------
    def action_act(self, kind: str) -> None:
        role = self.active
        if role == FACILITATOR or kind not in FORMS:
            return

        def done(note: str | None) -> None:
            if note:
                self.notify(note, timeout=2.5, markup=False)

        name = self._form(role, kind)
        cast(ActionForm, self.app.get_screen(name)).reset()
        self.app.push_screen(name, done)

    def _form(self, role: str, kind: str) -> str:
        """The form's screen name; built once per role and kind, and reset each time it is shown."""
        name = f"form-{kind}-{role}"
        if not self.app.is_screen_installed(name):

            def perform(kind_: str, **fields) -> str:
                events = self.ex.act(kind_, role, **fields)
                self._news(events)
                return self._confirmation(kind_, fields)

            self.app.install_screen(FORMS[kind](self.ex, role, self.names, self.tr, perform), name)
        return name

    def _prepare_forms(self) -> None:
        """Build every form of the played roles now, off the keystroke path: a form built when its
        key is pressed would miss the keys typed while it is being mounted (r ↓ ↓ … typed fast)."""
        for role in self.ex.humans:
            for kind in FORMS:
                if self._role_may(role, kind):
                    name = self._form(role, kind)
                    try:
                        self.app._get_screen(name)  # mounts an installed screen without showing it
                    except (
                        Exception
                    ):  # (a private Textual call: without it, forms mount when shown)
                        return
        for kind in EVAL_FORMS:
            try:
                self.app._get_screen(self._eval_form(kind))
            except Exception:
                return
        # What exists now (app, screens, plan, engine) lives as long as the exercise: keep it out of
        # the garbage collector's scans, whose pauses would otherwise land on keystrokes.
        self.set_timer(0.5, gc.freeze)

    def _confirmation(self, kind: str, fields: dict) -> str:
        n, tr = self.names, self.tr
        if kind == "report":
            return tr("ok_report", to=n.roles(fields["to"]), via=n.channel(fields["via"]))
        if kind in ("grade", "classify"):
            level = (
                fields["level"]
                if kind == "grade"
                else self.ex.matrix_level(fields["impact"], fields["urgency"])
            )
            note = tr(f"ok_{kind}", level=n.level(level))
            fb = self.ex.feedback.get(self.active)
            if self.ex.mode == "training" and fb is not None:  # right or wrong, and why
                note += "\n" + "\n".join(text for text, _ in grade_feedback(fb[2], n, tr)[:2])
            return note
        return tr("ok_task", task=n.task(fields["task"]))

    def action_duty_detail(self) -> None:
        """Open the role's duties (open ones, then those met in training): clause, text, what it
        asks, what it counts from, its deadline."""
        role = self.active
        if role == FACILITATOR:
            return
        n, ex = self.names, self.ex
        deadline = ex.mode != "test"
        occs = ex.open_duties(role) + (ex.done_duties(role) if ex.mode == "training" else [])
        duties = list(
            dict.fromkeys((o.obligation, n.duty(o.obligation, deadline=deadline)) for o in occs)
        )
        self.app.push_screen(
            DutyScreen(self.tr, duties, lambda oid: duty_detail(oid, n, self.tr, ex.mode))
        )

    # --- facilitator actions -------------------------------------------------------------------------
    def _inject_action(self, method: Callable[[str], list[dict]], note: str) -> None:
        if self.facilitator is None:  # a trainee's console
            return
        jid = self.facilitator.selected_inject()
        if jid is None:
            return
        try:
            events = method(jid)
        except ActionError as exc:
            self.notify(self.tr(exc.key, **exc.values), severity="warning", markup=False)
            return
        self.notify(self.tr(note, inject=jid), markup=False)
        self._news(events)

    def action_trigger(self) -> None:
        self._inject_action(self.ex.trigger, "trigger_done")

    def action_skip(self) -> None:
        self._inject_action(self.ex.skip, "skip_done")

    def action_evaluate(self, kind: str) -> None:
        """The evaluators' forms: rate a critical task (P/S/M/U/N/O) or add a hotwash note; each is
        written to the ratings file next to the log at once. The verdicts do not change."""
        if self.active != FACILITATOR or kind not in EVAL_FORMS:
            return

        def done(note: str | None) -> None:
            if note:
                self.notify(note, timeout=3, markup=False)

        name = self._eval_form(kind)
        cast(EvalForm, self.app.get_screen(name)).reset()
        self.app.push_screen(name, done)

    def _eval_form(self, kind: str) -> str:
        name = f"form-{kind}"
        if not self.app.is_screen_installed(name):
            self.app.install_screen(EVAL_FORMS[kind](self.ex, self.names, self.tr), name)
        return name

    def action_end(self) -> None:
        def answer(yes: bool | None) -> None:
            if yes:
                self.end_exercise()

        self.app.push_screen(ConfirmScreen(self.tr, self.tr("confirm_end")), answer)

    def end_exercise(self, reason: str = "facilitator") -> None:
        self._news(self.ex.end(reason))
