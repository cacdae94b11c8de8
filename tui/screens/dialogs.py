"""Small modals: help (the keys) and the confirmation before ending an exercise."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from drillsim.words import Tr

from ..keys import localize
from ..widgets.textutil import pad

# (section, [(keys shown, i18n key of what they do)])
HELP = [
    (
        "help_clock",
        [
            ("␣", "key_pause"),
            ("+  -", "key_speed_long"),
            ("n", "key_next_inject"),
            (".", "key_step"),
        ],
    ),
    ("help_views", [("v", "key_view"), ("1-9", "key_views"), ("0", "key_facilitator")]),
    (
        "help_role",
        [
            ("r", "key_report"),
            ("g", "key_grade"),
            ("c", "key_classify"),
            ("t", "key_task"),
            ("o", "key_detail"),
            ("Tab  ↑↓", "key_scroll"),
        ],
    ),
    (
        "help_facilitator",
        [
            ("↑↓", "key_choose_inject"),
            ("i", "key_trigger"),
            ("x", "key_skip"),
            ("a", "key_rate"),
            ("w", "key_hotwash"),
            ("e", "key_end"),
        ],
    ),
    (
        "help_forms",
        [
            ("↑↓", "key_scroll"),
            ("␣", "key_toggle"),
            ("Tab", "key_next_field"),
            ("Enter", "submit"),
            ("Esc", "cancel"),
        ],
    ),
    ("help_lobby", [("↑↓  ␣  Tab", "key_scroll"), ("^s", "key_start")]),
    ("help_general", [("?", "key_help"), ("^q", "key_quit")]),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "close")]

    def __init__(self, tr: Tr, trainee: bool = False):
        """trainee: without the facilitator's keys, the clock's and the lobby's."""
        super().__init__(classes="help-screen")
        localize(self, tr)
        self.tr, self.trainee = tr, trainee

    def compose(self) -> ComposeResult:
        tr = self.tr
        hidden = {"help_clock", "help_facilitator", "help_lobby"} if self.trainee else set()
        sections = [
            (
                tr(title),
                [(key, tr(what)) for key, what in keys if not (self.trainee and key == "0")],
            )
            for title, keys in HELP
            if title not in hidden
        ]
        sections.append(
            (
                tr("help_modes"),
                [(tr(f"mode_name_{m}"), tr(f"mode_{m}")) for m in ("training", "exercise", "test")],
            )
        )
        key_w = max(cell_len(k) for _, rows in sections for k, _ in rows) + 2
        text = Text()
        for i, (title, rows) in enumerate(sections):
            if i:
                text.append("\n")
            text.append(title + "\n", style="bold underline")
            for key, what in rows:
                text.append(pad(key, key_w), style="bold cyan")
                text.append(what + "\n")
        text.rstrip()
        with Vertical(classes="dialog help"):
            yield Static(tr("help_title"), classes="form-title")
            with VerticalScroll(classes="help-body"):
                yield Static(text)
            yield Static(tr("help_close"), classes="form-keys")

    def on_mount(self) -> None:
        self.query_one(".help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("y", "answer(True)", "yes"), Binding("n,escape", "answer(False)", "no")]

    def __init__(self, tr: Tr, question: str):
        super().__init__(classes="confirm-screen")
        localize(self, tr)
        self.tr, self.question = tr, question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog confirm"):
            yield Static(self.question, classes="form-title")
            yield Static(self.tr("confirm_end_keys"), classes="form-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class DutyScreen(ModalScreen[None]):
    """A role's duties opened up (`o`): ↑↓ chooses one, the panel shows its clause, text, what it
    asks, what it counts from and its deadline (not in test mode)."""

    BINDINGS = [Binding("escape,o,q", "close", "close")]

    def __init__(self, tr: Tr, duties: list[tuple[str, str]], detail):
        """duties: [(obligation id, label)]; detail(obligation id) -> [(label, value)]."""
        super().__init__(classes="help-screen")
        localize(self, tr)
        self.tr, self.duties, self.detail = tr, duties, detail
        self.body = Static("", classes="duty-detail")

    def compose(self) -> ComposeResult:
        from textual.widgets import OptionList
        from textual.widgets.option_list import Option

        with Vertical(classes="dialog help"):
            yield Static(self.tr("detail_title"), classes="form-title")
            if self.duties:
                yield OptionList(
                    *[Option(label, id=str(i)) for i, (_, label) in enumerate(self.duties)],
                    classes="duty-list",
                    compact=True,
                )
            with VerticalScroll(classes="help-body"):
                yield self.body
            yield Static(self.tr("help_close"), classes="form-keys")

    def on_mount(self) -> None:
        if not self.duties:
            self.body.update(Text(self.tr("detail_none"), style="dim"))
            return
        from textual.widgets import OptionList

        olist = self.query_one(".duty-list", OptionList)
        olist.highlighted = 0
        olist.focus()
        self.show(0)

    def on_option_list_option_highlighted(self, event) -> None:
        self.show(int(event.option.id))

    def show(self, i: int) -> None:
        rows = self.detail(self.duties[i][0])
        w = max(cell_len(k) for k, _ in rows) + 2
        text = Text()
        for k, v in rows:
            text.append(pad(k, w), style="bold cyan")
            text.append(v + "\n")
        text.rstrip()
        self.body.update(text)

    def action_close(self) -> None:
        self.dismiss(None)
