"""A played role's view: inbox, situation, open duties (with countdowns and hints in training)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from drillsim.simulator.agenda import on_time
from drillsim.words import Tr
from drillsim.words.formatting import num
from drillsim.words.names import Names

from ..exercise import Exercise, InboxItem
from ..teaching import grade_feedback
from .textutil import columns

MAX_HINTS = 2


class Panel(VerticalScroll):
    """A titled, keyboard-scrollable panel holding one Static."""

    def __init__(self, title: str, *, id: str, classes: str = ""):
        super().__init__(id=id, classes=("panel " + classes).strip())
        self.border_title = title
        self.body = Static("", classes="panel-body")

    def compose(self) -> ComposeResult:
        yield self.body


class RoleView(Vertical):
    def __init__(self, exercise: Exercise, role: str, names: Names, tr: Tr, **kw):
        super().__init__(classes="role-view", **kw)
        self.ex, self.role, self.names, self.tr = exercise, role, names, tr
        self.inbox = Panel(tr("inbox"), id=f"inbox-{role}", classes="inbox")
        self.situation = Panel(tr("situation"), id=f"situation-{role}", classes="situation")
        self.duties = Panel(tr("duties"), id=f"duties-{role}", classes="duties")
        self._seen = (-1, -1)
        self._duties_key: tuple | None = None
        self.hinted: set[tuple] = set()

    def on_resize(self, _event) -> None:
        self.call_after_refresh(self.refresh_view, True)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="role-top"):
            yield self.inbox
            yield self.situation
        yield self.duties

    @property
    def state(self):
        return self.ex.roles[self.role]

    # --- refresh -------------------------------------------------------------------------------
    def refresh_view(self, force: bool = False) -> list[tuple]:
        """Redraw; the inbox and situation only when something new happened.
        Returns the hints not given before: [((obligation, incident, n), minutes left)]."""
        key = (self.ex.events_seen, len(self.state.inbox))
        if force or key != self._seen:
            self._seen = key
            self.inbox.body.update(self.render_inbox())
            self.situation.body.update(self.render_situation())
            self.inbox.scroll_home(animate=False)
        duties, hints = self.render_duties()
        shown = self._shown_duties(duties)
        if force or shown != self._duties_key:
            # the panel's height depends on its number of lines only
            layout = (
                force
                or self._duties_key is None
                or len(shown) != len(self._duties_key)
                or any(
                    cell_len(a) != cell_len(b)
                    for a, b in zip(shown[:-1], self._duties_key[:-1])
                    if a.startswith("»")
                )
            )
            self._duties_key = shown
            self.duties.body.update(duties, layout=layout)
        new = [(key, left) for key, left in hints if key not in self.hinted]
        self.hinted.update(key for key, _ in new)
        return new

    @staticmethod
    def _shown_duties(text: Text) -> tuple:
        """What the duties panel shows, to skip redrawing it when nothing changed (one entry per line)."""
        return tuple(text.plain.split("\n")) + (tuple(text.spans),)

    # --- inbox ---------------------------------------------------------------------------------
    def render_inbox(self) -> Text:
        tr, n = self.tr, self.names
        items = self.state.inbox
        if not items:
            return Text(tr("inbox_empty"), style="dim")
        multi = len(self.ex.sc.incidents) > 1
        out = Text()
        for i, item in enumerate(reversed(items)):
            if i:
                out.append("\n")
            head, body, style = self._item(item)
            if multi:
                head += f" [{item.incident}]"
            if item.for_role:
                head += " " + tr("inbox_for", role=n.role(item.for_role))
            out.append(head + "\n", style=style)
            out.append(body)
        return out

    def _item(self, item: InboxItem) -> tuple[str, str, str]:
        tr, n = self.tr, self.names
        when = n.clock(item.t)
        if item.kind == "inject":
            assert item.inject is not None  # an inject's inbox item names it
            return (
                f"{when} {n.channel(item.channel)} · {n.inject_source(item.inject)}",
                n.inject_text(item.inject),
                "bold cyan",
            )
        if item.kind == "message":
            body = item.text or tr(
                "inbox_report", sender=n.role(item.sender), incident=n.incident(item.incident)
            )
            return f"{when} {n.channel(item.channel)} · {n.role(item.sender)}", body, "bold green"
        reason = tr("reason_outage" if item.reason == "outage" else "reason_failed")
        return (
            f"{when} ✗ {n.channel(item.channel)}",
            tr("inbox_failed", to=n.role(item.to), via=n.channel(item.channel), reason=reason),
            "bold red",
        )

    # --- situation -------------------------------------------------------------------------------
    def render_situation(self) -> Text:
        tr, n, ex, st = self.tr, self.names, self.ex, self.state
        out = Text()
        fb = ex.feedback.get(self.role) if ex.mode == "training" else None
        if fb is not None:  # training: right after a grade, whether it was right and why
            t, inc, check = fb
            out.append(f"{tr('fb_title')} {n.clock(t)}\n", style="bold underline")
            for text, style in grade_feedback(check, n, tr):
                out.append(" " + text + "\n", style=style)
        multi = len(ex.sc.incidents) > 1
        incidents = list(ex.sc.incidents)
        if multi:  # the incidents this role has heard of
            heard = list(dict.fromkeys(i.incident for i in st.inbox))
            incidents = heard
        for inc in incidents:
            out.append(f"{tr('sit_incident')} ", style="bold")
            out.append((f"[{inc}] " if multi else "") + n.incident(inc) + "\n")
            ev = ex.declared.get(inc)
            out.append(f"{tr('sit_declared')} ", style="bold")
            if ev is None:
                out.append(tr("sit_not_graded") + "\n", style="dim")
            else:
                who = tr("you") if ev["actor"] == self.role else n.role(ev["actor"])
                out.append(
                    f"{n.level(ev['level'])} ({tr('sit_by', who=who, time=n.clock(ev['t']))})\n"
                )
        if self.role in ex.absent:
            out.append(tr("sit_absent") + "\n", style="yellow")
        if st.acting_for:
            out.append(
                tr("sit_acting", roles=n.roles(sorted(st.acting_for))) + "\n", style="yellow"
            )
        out.append(tr("sit_reports") + "\n", style="bold underline")
        if not st.sent:
            out.append(" " + tr("sit_nothing") + "\n", style="dim")
        status_style = {"in_flight": "yellow", "delivered": "green", "failed": "red"}
        for s in list(st.sent.values())[-8:]:
            out.append(f" {n.clock(s.t)} → {n.role(s.to)} · {n.channel(s.via)} ")
            out.append(tr(f"msg_{s.status}") + "\n", style=status_style[s.status])
        if "task" in ex.allowed(self.role):
            out.append(tr("sit_tasks") + "\n", style="bold underline")
            if not st.tasks:
                out.append(" " + tr("sit_nothing") + "\n", style="dim")
            for t, task, ok, _inc in st.tasks[-6:]:
                out.append(f" {n.clock(t)} {n.task(task)} ")
                out.append(
                    tr("task_ok" if ok else "task_failed") + "\n", style="green" if ok else "red"
                )
        if st.channel_trouble:
            out.append(tr("sit_channels") + "\n", style="bold underline")
            for ch, t in st.channel_trouble.items():
                out.append(f" {n.channel(ch)} ({n.clock(t)})\n", style="red")
        out.rstrip()
        return out

    # --- duties --------------------------------------------------------------------------------
    def render_duties(self):
        """The open duties (and in training the ones met, with their verdict) as lines of text."""
        tr, n, ex = self.tr, self.names, self.ex
        mode, now = ex.mode, ex.now
        duties = ex.open_duties(self.role)
        done = ex.done_duties(self.role) if mode == "training" else []
        deadline = mode != "test"  # test mode: no deadline in any form, titles included
        if not duties and not done:
            return Text(tr("duties_none"), style="dim"), []
        headers = ([tr("col_clause")] if mode == "training" else []) + [tr("col_duty")]
        if mode != "test":
            headers += [tr("col_deadline"), tr("col_left")]
        multi = len(ex.sc.incidents) > 1
        rows, styles, hints, hint_lines = [], [], [], []
        for occ in duties:
            ob = ex.proc.obligations[occ.obligation]
            title = (f"[{occ.incident}] " if multi else "") + n.duty(
                occ.obligation, deadline=deadline
            )
            if occ.n > 1:
                title += f" #{occ.n}"
            left = occ.deadline_at - now
            row = ([ob.clause] if mode == "training" else []) + [title]
            style = ""
            if mode != "test":
                if left < 0:
                    left_text, style = tr("left_overdue", late=n.duration(-left)), "red"
                else:
                    left_text = n.duration(left)
                    if mode == "training" and ex.needs_hint(occ):
                        style = "yellow"
                row += [n.clock(occ.deadline_at), left_text]
            rows.append(row)
            styles.append(style)
            if mode == "training" and ex.needs_hint(occ):
                hints.append(((occ.obligation, occ.incident, occ.n), left))
                if left < 0:
                    hint = tr(
                        "hint_overdue",
                        duty=n.duty(occ.obligation),
                        late=n.duration(-left),
                        what=self.hint_what(occ),
                    )
                else:
                    hint = tr(
                        "hint",
                        duty=n.duty(occ.obligation),
                        left=n.duration(left),
                        what=self.hint_what(occ),
                    )
                hint_lines.append(("» " + hint, "bold red" if left < 0 else "bold yellow"))
        for occ in done:
            real = ex.real_of(self.role, occ)
            late = real is not None and not on_time(real.done_at, real.deadline_at)
            if real is None:  # it followed from what the role declared, not from the facts
                verdict = tr("done_not_required")
            elif late:
                verdict = tr("late_by", m=num(real.done_at - real.deadline_at))
            else:
                verdict = tr("hit")
            title = "✓ " + (f"[{occ.incident}] " if multi else "") + n.duty(occ.obligation)
            rows.append(
                [ex.proc.obligations[occ.obligation].clause, title, n.clock(occ.done_at), verdict]
            )
            styles.append("magenta" if late else "green" if real is not None else "dim")
        width = self.duties.body.size.width or 76
        flex = 1 if mode == "training" else 0
        head, lines, _ = columns(
            headers,
            rows,
            width,
            flex,
            right=(len(headers) - 1,) if mode != "test" else (),
            max_widths={0: 15} if mode == "training" else None,
        )
        out = Text()
        for text, style in hint_lines[:MAX_HINTS]:  # the most urgent (duties are in deadline order)
            out.append(text + "\n", style=style)
        out.append(head, style="bold")
        for line, style in zip(lines, styles):
            out.append("\n" + line, style=style)
        return out, hints

    def hint_what(self, occ) -> str:
        tr, n, ex = self.tr, self.names, self.ex
        act = ex.proc.obligations[occ.obligation].action
        if act.do == "report":
            needed = ex.still_needed(occ)
            to = list(dict.fromkeys(r for r, _ in needed)) or act.to
            vias = list(dict.fromkeys(tuple(chs) for _, chs in needed))
            failed = ex.failed_channels(self.role)
            parts = []
            for chs in vias:  # never suggest a channel the player has seen down
                ok = [c for c in chs if c not in failed]
                if ok:
                    parts.append("/".join(n.channel(c) for c in ok))
                else:
                    parts.append(tr("hint_retry", via="/".join(n.channel(c) for c in chs)))
            via = " + ".join(parts)
            return tr("hint_report", to=n.roles(to), via=via)
        if act.do == "grade":
            return tr("hint_grade")
        if act.do == "classify":
            return tr("hint_classify")
        return tr("hint_task", task=n.task(act.task))
