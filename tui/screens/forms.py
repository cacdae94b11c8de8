"""The role's actions as small keyboard forms: report, grade, classify, task.

Each is a modal: ↑↓ choose, space ticks a recipient, Tab moves to the next field, Enter submits,
Esc cancels. A form is built once per role and kind and reset each time it is shown (building
it anew would cost most of the keystroke's time). The choices are the procedure's (roles,
channels, levels, matrix values, the role's tasks); the exercise validates again and an error
is shown in the form, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from drillsim.scoring.ratings import RATINGS
from drillsim.words import Tr
from drillsim.words.names import Names

from ..exercise import HOTWASH, ActionError, Exercise
from ..keys import localize
from ..widgets.textutil import cut

Perform = Callable[..., str]  # perform(kind, **fields) -> confirmation note; raises ActionError


def _options(items: list[tuple[str, str]]) -> list[Option]:
    return [Option(label, id=value) for value, label in items]


def _chosen(olist: OptionList) -> str | None:
    if olist.highlighted is None or not olist.option_count:
        return None
    return olist.get_option_at_index(olist.highlighted).id


def _highlight(olist: OptionList, value: str | None) -> None:
    if not olist.option_count:
        return
    try:
        olist.highlighted = olist.get_option_index(value) if value is not None else 0
    except Exception:  # not among the options
        olist.highlighted = 0


class ActionForm(ModalScreen[str | None]):
    kind = ""
    title_key = ""
    BINDINGS = [
        Binding("escape", "cancel", "cancel"),
        Binding("enter", "submit", "submit", priority=True),
    ]

    def __init__(self, exercise: Exercise, role: str, names: Names, tr: Tr, perform: Perform):
        super().__init__(classes=f"form-screen form-{self.kind}")
        localize(self, tr)
        self.ex, self.role, self.names, self.tr, self.perform = exercise, role, names, tr, perform
        self.error = Static("", classes="form-error")
        self.heading = Static("", classes="form-title")
        self._ready = False
        self.incidents: OptionList | None = None
        if len(exercise.sc.incidents) > 1:
            self.incidents = OptionList(
                *_options(
                    [(i, cut(f"{i} {names.incident(i)}", 60)) for i in exercise.sc.incidents]
                ),
                classes="incidents",
                compact=True,
            )

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="form"):
            yield self.heading
            if self.incidents is not None:
                yield Static(tr("form_incident"), classes="field-label")
                yield self.incidents
            yield from self.fields()
            yield self.error
            yield Static(tr("form_keys"), classes="form-keys")

    def fields(self) -> ComposeResult:
        return iter(())

    def on_mount(self) -> None:
        self._ready = True
        self.reset()

    def reset(self) -> None:
        """Start from a clean form at the current time: called before the form is shown again, so
        that keys typed right after the one that opened it are not undone."""
        if not self._ready:
            return  # not mounted yet: on_mount resets it
        n = self.names
        self.heading.update(
            f"{self.tr(self.title_key)} — {n.role(self.role)} · {n.clock(self.ex.now)}"
        )
        self.error.update("")
        self.error.remove_class("-shown")
        if self.incidents is not None:
            _highlight(self.incidents, self.ex.default_incident(self.role))
        self.prepare()
        fields = self.query("OptionList, SelectionList, Input")
        if fields:  # none while the app is shutting down under a form mounted off screen
            fields.first().focus()

    def prepare(self) -> None:
        pass

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a list: submit (Enter is also a priority key of the form; this catches an Enter
        that arrives while the form is still being brought up)."""
        if isinstance(event.option_list, SelectionList):
            return
        event.stop()
        self.action_submit()

    def incident(self) -> str | None:
        return _chosen(self.incidents) if self.incidents is not None else None

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        if not self._ready:  # keys typed before the form was there did not reach it: no guessing
            return
        try:
            note = self.submit()
        except ActionError as exc:
            self.error.update(self.tr(exc.key, **exc.values))
            self.error.add_class("-shown")
            return
        self.dismiss(note)

    def submit(self) -> str:
        raise NotImplementedError


class ReportForm(ActionForm):
    kind, title_key = "report", "form_report"

    def __init__(self, *args):
        super().__init__(*args)
        n = self.names
        roles = [r for r in self.ex.proc.roles if r != self.role]
        self.recipients = SelectionList[str](
            *[Selection(n.role(r), r) for r in roles], classes="recipients", compact=True
        )
        self.channels = OptionList(
            *_options([(c, n.channel(c)) for c in self.ex.proc.channels]),
            classes="channels",
            compact=True,
        )
        self.note = Input(placeholder="…", classes="note", compact=True)

    def fields(self) -> ComposeResult:
        tr = self.tr
        with Horizontal(classes="form-row"):
            with Vertical(classes="form-col"):
                yield Static(tr("form_recipients"), classes="field-label")
                yield self.recipients
            with Vertical(classes="form-col"):
                yield Static(tr("form_channel"), classes="field-label")
                yield self.channels
                yield Static(tr("form_note"), classes="field-label")
                yield self.note

    def prepare(self) -> None:
        self.recipients.deselect_all()
        _highlight(self.recipients, None)
        _highlight(self.channels, None)
        self.note.value = ""
        self.note.cursor_blink = getattr(self.app, "cursor_blink", True)

    def submit(self) -> str:
        return self.perform(
            "report",
            to=list(self.recipients.selected),
            via=_chosen(self.channels),
            incident=self.incident(),
            text=self.note.value,
        )


class GradeForm(ActionForm):
    kind, title_key = "grade", "form_grade"

    def __init__(self, *args):
        super().__init__(*args)
        n = self.names
        self.levels = OptionList(
            *_options([(str(lv), f"{lv}  {n.level(lv)}") for lv in n.levels()]),
            classes="levels",
            compact=True,
        )

    def fields(self) -> ComposeResult:
        yield Static(self.tr("form_level"), classes="field-label")
        yield self.levels
        yield Static(self.tr("grade_criteria"), classes="field-label")
        with VerticalScroll(classes="criteria"):
            yield Static(self.criteria())

    def criteria(self) -> Text:
        """The grading rules of the procedure in use, by level, each with its clause."""
        n, tr, g = self.names, self.tr, self.ex.proc.grading
        out = Text()
        if g is None or g.kind != "rules":
            return out
        for rule in sorted(g.rules, key=lambda r: r.level):
            out.append(f"{n.level(rule.level)} ", style="bold")
            out.append(n.criterion(rule) or rule.when)
            out.append(f"  {rule.clause}\n", style="dim")
        if g.default:
            out.append(tr("grade_default", level=n.level(g.default)), style="dim")
        out.rstrip()
        return out

    def prepare(self) -> None:
        inc = self.incident() or next(iter(self.ex.sc.incidents))
        ev = self.ex.declared.get(inc)
        _highlight(self.levels, str(ev["level"]) if ev else None)

    def submit(self) -> str:
        level = _chosen(self.levels)
        return self.perform("grade", level=int(level) if level else None, incident=self.incident())


class ClassifyForm(ActionForm):
    kind, title_key = "classify", "form_classify"

    def __init__(self, *args):
        super().__init__(*args)
        impacts, urgencies, categories = self.ex.matrix()
        self.impact = OptionList(
            *_options([(v, v) for v in impacts]), classes="impact", compact=True
        )
        self.urgency = OptionList(
            *_options([(v, v) for v in urgencies]), classes="urgency", compact=True
        )
        self.category = (
            OptionList(
                *_options([("-", self.tr("blank"))] + [(v, v) for v in categories]),
                classes="category",
                compact=True,
            )
            if categories
            else None
        )
        self.preview = Static("", classes="preview")

    def fields(self) -> ComposeResult:
        tr = self.tr
        with Horizontal(classes="form-row"):
            with Vertical(classes="form-col narrow"):
                yield Static(tr("form_urgency"), classes="field-label")
                yield self.urgency
                yield Static(tr("form_impact"), classes="field-label")
                yield self.impact
                yield self.preview
            if self.category is not None:
                with Vertical(classes="form-col"):
                    yield Static(tr("form_category"), classes="field-label")
                    yield self.category

    def prepare(self) -> None:
        for olist in (self.impact, self.urgency, self.category):
            if olist is not None:
                _highlight(olist, None)
        self._preview()

    def on_option_list_option_highlighted(self, _event) -> None:
        self._preview()

    def _preview(self) -> None:
        impact, urgency = _chosen(self.impact), _chosen(self.urgency)
        if impact and urgency:
            self.preview.update(
                self.tr("form_gives", level=self.names.level(self.ex.matrix_level(impact, urgency)))
            )

    def submit(self) -> str:
        category = _chosen(self.category) if self.category is not None else None
        return self.perform(
            "classify",
            impact=_chosen(self.impact),
            urgency=_chosen(self.urgency),
            category=None if category in (None, "-") else category,
            incident=self.incident(),
        )


class TaskForm(ActionForm):
    kind, title_key = "task", "form_task"

    def __init__(self, *args):
        super().__init__(*args)
        n = self.names
        self.tasks = OptionList(
            *_options([(t, n.task(t)) for t in self.ex.tasks_for(self.role)]),
            classes="tasks",
            compact=True,
        )

    def fields(self) -> ComposeResult:
        yield Static(self.tr("form_task"), classes="field-label")
        yield self.tasks

    def prepare(self) -> None:
        _highlight(self.tasks, None)

    def submit(self) -> str:
        return self.perform("task", task=_chosen(self.tasks), incident=self.incident())


FORMS = {"report": ReportForm, "grade": GradeForm, "classify": ClassifyForm, "task": TaskForm}


# --- the evaluators' forms (facilitator view): rate a critical task, add a hotwash note --------------


class EvalForm(ModalScreen[str | None]):
    """Like the action forms (↑↓ choose, Tab next field, Enter submit, Esc cancel), but for the
    evaluators: what they enter goes to the ratings file, never to the exercise's log."""

    kind = ""
    title_key = ""
    BINDINGS = ActionForm.BINDINGS

    def __init__(self, exercise: Exercise, names: Names, tr: Tr):
        super().__init__(classes=f"form-screen form-{self.kind}")
        localize(self, tr)
        self.ex, self.ev, self.names, self.tr = exercise, exercise.evaluation, names, tr
        self.error = Static("", classes="form-error")
        self.heading = Static("", classes="form-title")
        self._ready = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield self.heading
            yield from self.fields()
            yield self.error
            yield Static(self.tr("form_keys"), classes="form-keys")

    def fields(self) -> ComposeResult:
        return iter(())

    on_mount = ActionForm.on_mount
    on_option_list_option_selected = ActionForm.on_option_list_option_selected
    action_cancel = ActionForm.action_cancel
    action_submit = ActionForm.action_submit

    def reset(self) -> None:
        if not self._ready:
            return
        self.heading.update(f"{self.tr(self.title_key)} · {self.names.clock(self.ex.now)}")
        self.error.update("")
        self.error.remove_class("-shown")
        self.prepare()
        fields = self.query("OptionList, Input")
        if fields:  # none when the app shuts down while the form mounts
            fields.first().focus()

    def prepare(self) -> None:
        pass

    def submit(self) -> str:
        raise NotImplementedError


def _target_id(objective: str, obligation: str | None) -> str:
    return f"{objective}/{obligation or ''}"


class RateForm(EvalForm):
    kind, title_key = "rate", "form_rate"

    def __init__(self, *args):
        super().__init__(*args)
        self.targets = OptionList(
            *_options([(_target_id(o, ob), "") for o, ob in self.ev.targets()]),
            classes="targets",
            compact=True,
        )
        self.ratings = OptionList(
            *_options([(r, f"{r:<4}{self.tr('rating_' + r.replace('/', ''))}") for r in RATINGS]),
            classes="ratings",
            compact=True,
        )
        self.observation = Input(placeholder="…", classes="observation", compact=True)

    def fields(self) -> ComposeResult:
        tr = self.tr
        yield Static(tr("form_rate_target"), classes="field-label")
        yield self.targets
        with Horizontal(classes="form-row"):
            with Vertical(classes="form-col ratings-col"):
                yield Static(tr("form_rating"), classes="field-label")
                yield self.ratings
            with Vertical(classes="form-col"):
                yield Static(tr("form_observation"), classes="field-label")
                yield self.observation

    def _label(self, objective: str, obligation: str | None) -> Text:
        n = self.names
        done = self.ev.rating_of(objective, obligation)
        mark = f"[{done.rating}]" if done is not None and done.rating else "[ ]"
        if obligation is None:
            text = f"{objective}: {n.objective(objective)}"
        else:
            text = f"  · {obligation}: {n.duty(obligation)}"
        return Text(cut(f"{mark:<6}{text}", 72))  # (a Text: "[S]" is no markup)

    def prepare(self) -> None:
        for i, (objective, obligation) in enumerate(self.ev.targets()):
            self.targets.replace_option_prompt_at_index(i, self._label(objective, obligation))
        _highlight(self.targets, _chosen(self.targets))  # the last one rated stays chosen
        _highlight(self.ratings, None)
        self.observation.value = ""
        self.observation.cursor_blink = getattr(self.app, "cursor_blink", True)

    def submit(self) -> str:
        target = _chosen(self.targets)
        if target is None:
            raise ActionError("err_rate_target")
        objective, obligation = target.split("/")
        rating = _chosen(self.ratings)
        self.ev.rate(objective, obligation or None, rating, self.observation.value)
        return self.tr(
            "ok_rate", task=obligation or objective, rating=rating, file=str(self.ev.path or "-")
        )


class HotwashForm(EvalForm):
    kind, title_key = "hotwash", "form_hotwash"

    def __init__(self, *args):
        super().__init__(*args)
        self.kinds = OptionList(
            *_options([(k, self.tr(f"hotwash_{k}")) for k in HOTWASH]),
            classes="kinds",
            compact=True,
        )
        self.text = Input(placeholder="…", classes="hotwash-text", compact=True)

    def fields(self) -> ComposeResult:
        yield Static(self.tr("form_hotwash_kind"), classes="field-label")
        yield self.kinds
        yield Static(self.tr("form_hotwash_text"), classes="field-label")
        yield self.text

    def prepare(self) -> None:
        _highlight(self.kinds, None)
        self.text.value = ""
        self.text.cursor_blink = getattr(self.app, "cursor_blink", True)

    def submit(self) -> str:
        kind = _chosen(self.kinds)
        self.ev.note(kind, self.text.value)
        return self.tr("ok_hotwash", kind=self.tr(f"hotwash_{kind}"), file=str(self.ev.path or "-"))


EVAL_FORMS = {"rate": RateForm, "hotwash": HotwashForm}
