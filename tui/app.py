"""The Textual app of `drillsim play`: lobby -> exercise (role views + facilitator) -> score."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static

from drillsim.words import Tr

from .clock import TICK_S
from .keys import localize

if TYPE_CHECKING:  # the engine and the models are imported after the first frame is on screen
    from drillsim.simulator.plan import Plan

    from .exercise import Exercise
    from .screens.exercise import ExerciseScreen


def wall_now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class LoadingScreen(Screen):
    """The first frame, on screen while the engine is imported and the scenario loaded."""

    def __init__(self, text: str):
        super().__init__(classes="loading-screen")
        self.text = text

    def compose(self) -> ComposeResult:
        with Middle():
            with Center():
                yield Static(Text(self.text, style="bold"), id="loading")


@dataclass
class PlaySetup:
    """What `drillsim play` was asked for. With no `plan` (and no `exercise`) the lobby opens."""

    lang: str = "en"
    plan: Plan | None = None
    exercise: Exercise | None = None
    roles: list[str] = field(default_factory=list)
    mode: str | None = None  # None: the scenario's own mode
    speed: float = 1.0
    seed: int = 1
    log: str | Path | None = None  # None: drillsim-<scenario>-<seed>-<time>.jsonl here
    force: bool = False  # overwrite an existing log
    run: bool = False  # start with the clock running
    scenario: str | None = None  # lobby: the scenario to highlight
    variants: list[str] = field(default_factory=list)
    catalog: list[str] | None = None  # lobby: offer only these shipped scenarios (None: all)
    # a trainee's launch: no facilitator view or keys, no control of the clock (a session
    # server sets it for every role token); `trainee_name` also keeps a trainee record
    trainee: bool = False
    trainee_name: str | None = None
    vary: bool = False  # draw the scenario's `vary` ranges from the seed


class DrillApp(App):
    CSS_PATH = "drillsim.tcss"
    ENABLE_COMMAND_PALETTE = False
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide"), (160, "-xwide")]
    BINDINGS = [
        Binding("question_mark,f1", "help", "key_help", key_display="?"),
        Binding("ctrl+q", "quit", "key_quit", key_display="^q", priority=True),
    ]

    def __init__(
        self,
        setup: PlaySetup,
        *,
        tick_interval: float | None = TICK_S,
        wall_clock: Callable[[], str] = wall_now,
        cursor_blink: bool = True,
        started: Callable[[], datetime] = datetime.now,
    ):
        """tick_interval=None: no clock timer (tests move the clock by `tick()`/`advance_by()`/keys).
        wall_clock stamps human actions; started names the default log file."""
        super().__init__()
        self.setup = setup
        self.tr = Tr(setup.lang)
        localize(self, self.tr)
        self.tick_interval, self.wall_clock, self.cursor_blink = (
            tick_interval,
            wall_clock,
            cursor_blink,
        )
        self.started = started
        self.exercise: Exercise | None = setup.exercise
        self.exercise_screen: ExerciseScreen | None = None
        self.record_path: Path | None = None  # the trainee record this session was added to
        self.record_error: str | None = None
        self.problems: list[
            str
        ] = []  # why the exercise could not start (printed by `drillsim play`)

    def on_mount(self) -> None:
        self.title = self.tr("app_title")
        s = self.setup
        if self.exercise is not None:
            self._open(self.exercise, s.speed, not s.run and not s.trainee)
        elif s.plan is not None:
            self.start_exercise(s.plan, s.roles, s.mode or s.plan.scenario.mode, s.speed, s.seed)
        else:
            self.push_screen(
                LoadingScreen(f"drillsim · {self.tr('lobby_loading')} {s.scenario or ''}")
            )
            self._load()

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        """Import the engine, load the scenario and set the exercise up, off the UI thread."""
        from drillsim.simulator.errors import InputError
        from drillsim.simulator.loader import load_plan, shipped_scenarios

        s = self.setup
        if not s.scenario:
            catalog = [c for c in shipped_scenarios() if s.catalog is None or c["id"] in s.catalog]
            self.call_from_thread(self._lobby, catalog)
            return
        try:
            plan = load_plan(s.scenario, s.variants)
            unknown = [r for r in s.roles if r not in plan.procedure.roles]
            if unknown:
                raise ValueError(
                    f"unknown role(s) {', '.join(unknown)}; {plan.scenario.id} has: "
                    f"{', '.join(plan.procedure.roles)}"
                )
            exercise = self._exercise(plan, s.roles, s.mode or plan.scenario.mode, s.seed)
        except InputError as exc:
            self.call_from_thread(self._fail, [str(p) for p in exc.problems])
        except (ValueError, OSError) as exc:
            self.call_from_thread(self._fail, [str(exc)])
        else:
            self.call_from_thread(self._open, exercise, s.speed, not s.run and not s.trainee)

    def _fail(self, problems: list[str]) -> None:
        self.problems = problems
        self.exit(return_code=2)

    def _lobby(self, catalog: list[dict]) -> None:
        from .screens.lobby import LobbyScreen

        s = self.setup
        self.switch_screen(
            LobbyScreen(
                self.tr, catalog, s.scenario, s.roles, s.mode, s.speed, s.seed, s.variants, s.log
            )
        )

    def _exercise(
        self, plan: Plan, roles: list[str], mode: str, seed: int, log: str | Path | None = None
    ) -> Exercise:
        from .exercise import Exercise, default_log_path

        log = log or self.setup.log or default_log_path(plan.scenario.id, seed, self.started())
        if self.setup.vary:
            from drillsim.simulator.variation import vary

            plan = vary(plan, seed)
        return Exercise(
            plan, roles, mode, seed, log, wall_clock=self.wall_clock, force=self.setup.force
        )

    def start_exercise(
        self,
        plan: Plan,
        roles: list[str],
        mode: str,
        speed: float,
        seed: int,
        log: str | Path | None = None,
    ) -> Exercise:
        """Raises InputError (the log exists, or is an input …) before anything is shown."""
        self.exercise = self._exercise(plan, roles, mode, seed, log)
        self._open(self.exercise, speed, not self.setup.run and not self.setup.trainee)
        return self.exercise

    def _open(self, exercise: Exercise, speed: float, paused: bool) -> None:
        from .screens.exercise import ExerciseScreen

        self.exercise = exercise
        self.exercise_screen = ExerciseScreen(
            exercise, self.tr, speed, paused, self.tick_interval, trainee=self.setup.trainee
        )
        if len(self.screen_stack) > 1:
            self.switch_screen(self.exercise_screen)
        else:
            self.push_screen(self.exercise_screen)

    def show_score(self) -> None:
        from .screens.score import ScoreScreen

        assert self.exercise is not None  # the score follows an exercise
        name = self.setup.trainee_name
        if name and self.record_path is None:
            try:
                self.record_path = self.exercise.record_session(name)
            except OSError as exc:  # the exercise and its log stay; the record is what failed
                self.record_error = f"trainee record not saved: {exc}"
        self.switch_screen(ScoreScreen(self.exercise, self.tr, self.record_path, name))

    def action_help(self) -> None:
        from .screens.dialogs import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        if not self.is_screen_installed("help"):  # built once, shown again and again
            self.install_screen(HelpScreen(self.tr, trainee=self.setup.trainee), "help")
        self.push_screen("help")

    # --- for tests and benchmarks: the clock without a timer ---------------------------------------
    @property
    def playing(self) -> ExerciseScreen:
        """The exercise's screen, once an exercise has started."""
        if self.exercise_screen is None:
            raise RuntimeError("no exercise has started")
        return self.exercise_screen

    def tick(self, n: int = 1) -> None:
        for _ in range(n):
            self.playing.tick()

    def advance_by(self, minutes: float) -> None:
        self.playing.advance_by(minutes)

    def advance_to(self, t: float) -> None:
        self.playing.advance_to(t)
