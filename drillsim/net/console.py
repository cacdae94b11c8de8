"""`drillsim join URL --token T`: the console of `play`, as a client of the session server.

The console's logic is tui.exercise.Exercise, as in `play`; here its session is a
`RemoteSession`: events come from the server (only those this token may see), intents go to it,
and the clock is the server's. A role's token gets that role's view only; the facilitator's the
facilitator view with the clock, the injects and who has joined; an evaluator's the same view
without the clock and injects, with the rating and hotwash forms.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle, Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from drillsim.scoring.verdicts import score
from drillsim.simulator.agenda import Agenda
from drillsim.tui import app as tui_app
from drillsim.tui.app import DrillApp, PlaySetup
from drillsim.tui.exercise import Evaluation, Exercise
from drillsim.tui.screens.exercise import FACILITATOR, FACILITATOR_ACTIONS, ExerciseScreen
from drillsim.tui.widgets.bars import KeyBar

from .client import JoinError, Link

CLOCK_ACTIONS = ("toggle_clock", "faster", "slower", "next_inject", "step")


class RemoteSession:
    """The Session interface (now, events, advance, submit, trigger/skip, finish) over a Link."""

    def __init__(self, plan, send):
        self.plan, self._send = plan, send
        self.events: list[dict] = []
        self._read = 0
        self.world = SimpleNamespace(agenda=Agenda(plan.procedure))
        self.clock: dict = {"now": 0.0, "running": False, "speed": 1.0, "finished": False}
        self.result: dict | None = None
        self.finished = False

    @property
    def now(self) -> float:
        return float(self.clock.get("now", 0.0))

    def receive(self, msg: dict) -> None:
        for ev in msg["events"]:
            self.events.append(ev)
            self.world.agenda.feed(ev)
        self.clock = msg.get("clock") or self.clock
        if msg.get("result") is not None:
            self.result = msg["result"]

    def new_events(self) -> list[dict]:
        out = self.events[self._read :]
        self._read = len(self.events)
        if any(ev["type"] == "end" for ev in out):
            self.finished = True
        return out

    def advance(self, to: float) -> list[dict]:
        return self.new_events()  # the server's clock: what it sent so far

    def next_event_time(self) -> float:
        return float("inf")

    def submit(self, action) -> list[dict]:
        fields = action.model_dump(exclude={"at", "wall", "role"}, exclude_defaults=True)
        self._send({"type": "act", "role": action.role, **fields})
        return self.new_events()

    def trigger_inject(self, inject_id: str, by: str = "facilitator") -> list[dict]:
        self._send({"type": "inject", "id": inject_id})
        return self.new_events()

    def skip_inject(self, inject_id: str, by: str = "facilitator") -> list[dict]:
        self._send({"type": "inject", "id": inject_id, "skip": True})
        return self.new_events()

    def finish(self, reason: str = "facilitator") -> None:
        self._send({"type": "end"})


class RemoteEvaluation(Evaluation):
    """Ratings and hotwash notes checked here as in `play`, kept by the server (its ratings file)."""

    def __init__(self, plan, send):
        super().__init__(plan, None)
        self._send = send

    def rate(self, objective, obligation, rating, observation=""):
        item = super().rate(objective, obligation, rating, observation)
        self._send(
            {
                "type": "rate",
                "objective": objective,
                "obligation": obligation,
                "rating": rating,
                "observation": observation.strip(),
            }
        )
        return item

    def note(self, kind, text):
        super().note(kind, text)
        self._send({"type": "note", "kind": kind, "text": text.strip()})


class RemoteExercise(Exercise):
    def result(self) -> dict:
        """The server's score (a role's console holds only its own events)."""
        remote = self.session.result
        return remote if remote is not None else score(self.plan, self.session.events)

    def saved_result(self) -> dict | None:
        return None


class WaitScreen(Screen):
    """Before the exercise: connecting, asking for the join code, or waiting for the start."""

    BINDINGS = [Binding("s", "start", "Start", show=False)]

    def __init__(self, text: str, ask_code: bool = False):
        super().__init__(classes="loading-screen")
        self.text, self.ask_code = text, ask_code

    def compose(self) -> ComposeResult:
        with Middle():
            with Center():
                with Vertical(id="wait-box"):
                    yield Static(Text(self.text, style="bold"), id="wait-text")
                    if self.ask_code:
                        yield Input(placeholder="XXXXX-XXXXX", id="code", max_length=40)

    def say(self, text: str) -> None:
        self.query_one("#wait-text", Static).update(Text(text, style="bold"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        cast("ConsoleApp", self.app).got_code(event.value.strip())

    def action_start(self) -> None:
        cast("ConsoleApp", self.app).start_exercise_remote()


class RemoteExerciseScreen(ExerciseScreen):
    """The exercise screen of `play`, with one participant's views and the server's clock."""

    def __init__(self, exercise, tr, kind: str, role: str | None, send):
        # a role's token gets what `play --trainee` gives: its own view only, no facilitator
        # view composed at all, no facilitator or clock keys (the exercise holds that one role)
        super().__init__(exercise, tr, 1.0, True, None, trainee=kind == "role")
        self.kind, self.send = kind, send
        if kind != "role":  # the facilitator and evaluators: the facilitator view alone
            self.views, self.active = [FACILITATOR], FACILITATOR
            self.role_views.clear()
            self.key_bars = {  # again, now that the keys know the token's kind
                FACILITATOR: KeyBar(
                    [(k, tr(what)) for k, what in self.keys_for(FACILITATOR)],
                    id=f"keys-{FACILITATOR}",
                )
            }
        self.people = Static("", id="people")

    def compose(self) -> ComposeResult:
        yield from super().compose()
        if self.kind != "role":
            yield self.people

    def keys_for(self, view: str) -> list[tuple[str, str]]:
        keys = super().keys_for(view)
        if getattr(self, "kind", "role") == "facilitator":
            return keys
        drop = {"key_pause", "key_speed", "key_next_inject", "key_view"}
        if getattr(self, "kind", None) == "evaluator":
            drop |= {"key_trigger", "key_skip", "key_end"}
        return [(k, what) for k, what in keys if what not in drop]

    def pump(self) -> None:
        """What the server sent is in the session: show it (the screen's News path, as in play)."""
        self.clock.paused = not self.ex.session.clock.get("running")
        self.clock.speed = float(self.ex.session.clock.get("speed", 1.0))
        self._news(self.ex.advance(self.ex.now))

    def show_people(self, msg: dict) -> None:
        n, tr = self.names, self.tr
        parts = [tr("people_here")]
        for who in ("facilitator", "evaluator"):
            if msg.get(who):
                parts.append(f"{tr('view_facilitator') if who == FACILITATOR else who} ×{msg[who]}")
        for role, info in msg["roles"].items():
            if info["present"]:
                parts.append(f"{n.role(role)} ✓")
            elif info["player"] == "bot":
                parts.append(f"{n.role(role)} · {tr('people_bot')}")
        self.people.update(Text("  ".join(parts), no_wrap=True, overflow="ellipsis"))

    def tick(self) -> None:
        pass  # the clock is the server's: pump() shows what it sends

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in CLOCK_ACTIONS:
            return self.kind == "facilitator" and not self.ex.finished
        if action in FACILITATOR_ACTIONS and action != "evaluate":
            return self.kind == "facilitator" and not self.ex.finished
        if action == "evaluate":
            return self.kind != "role"
        return super().check_action(action, parameters)

    def action_toggle_clock(self) -> None:
        self.send({"type": "clock", "run": self.clock.paused})

    def action_faster(self) -> None:
        self.clock.faster()
        self.send({"type": "clock", "speed": self.clock.speed})

    def action_slower(self) -> None:
        self.clock.slower()
        self.send({"type": "clock", "speed": self.clock.speed})

    def action_next_inject(self) -> None:
        nxt = self.ex.next_inject()
        if nxt is None:
            self.notify(self.tr("no_next_inject"), severity="warning", markup=False)
            return
        self.send({"type": "clock", "run_to": nxt[0], "jump": True})

    def action_step(self) -> None:
        self.send({"type": "clock", "run_to": self.ex.now + 1.0, "jump": True})


class ConsoleApp(DrillApp):
    """The join console: connects, waits for the start, then the exercise screen of `play`."""

    CSS_PATH = str(Path(tui_app.__file__).with_name("drillsim.tcss"))  # play's, not a copy

    def __init__(self, url: str, token: str | None, lang: str, name: str | None = None, **kw):
        super().__init__(PlaySetup(lang=lang), tick_interval=None, **kw)
        self.url, self.token, self.join_name = url, token, name
        self.drill_welcome: dict | None = None  # a live drill: its own console takes over
        self.used_token: str | None = None
        self.not_here = False  # a drill's token in a browser tab: said so, nothing more
        self.link: Link | None = None
        self.remote: RemoteSession | None = None
        ask = token is None  # no token: the console asks for the join code
        self.wait = WaitScreen(self.tr("join_code" if ask else "join_connecting"), ask_code=ask)
        self.welcome: dict | None = None
        self.last_people: dict | None = None

    def on_mount(self, event) -> None:
        event.prevent_default()  # not play's start (lobby or exercise): connect first
        self.title = self.tr("app_title")
        self.push_screen(self.wait)
        if self.token is not None:
            self._connect(self.token)

    def got_code(self, code: str) -> None:
        if code and self.link is None:
            self.wait.say(self.tr("join_connecting"))
            self._connect(code)

    @work(exclusive=True, group="link")
    async def _connect(self, token: str) -> None:
        self.used_token = token
        self.link = Link(self.url, token, self.on_server, name=self.join_name)
        try:
            await self.link.run()
        except JoinError as exc:
            self.link = None
            if self.token is None and str(exc) == "unknown token":
                self.wait.say(self.tr("join_bad_code"))
                for field in self.wait.query(Input):
                    field.value = ""
                return
            self.problems = [f"join: {exc}"]
            self.exit(return_code=2)
        except ConnectionError as exc:
            self.problems = [f"join: {exc}"]
            self.exit(return_code=2)

    def send(self, msg: dict) -> None:
        link = self.link
        if link is None:
            return

        async def go() -> None:
            reply = await link.send(msg)
            if reply["type"] == "error":
                text = reply["message"]
                if reply.get("key") and reply["key"] in self.tr:
                    text = self.tr(reply["key"], **reply.get("values", {}))
                self.notify(text, severity="warning", markup=False)

        asyncio.ensure_future(go())

    async def on_server(self, msg: dict) -> None:
        kind = msg["type"]
        if self.not_here:  # what the server sent before the link closed
            return
        if kind == "welcome" and msg.get("drill"):
            if self.link is not None:
                self.link.close()
            if in_browser():  # one app per browser tab: the drill console cannot follow
                self.link, self.not_here = None, True
                if self.wait is not None:
                    self.wait.say(self.tr("join_drill_not_in_browser"))
                return
            self.drill_welcome = msg
            self.exit(return_code=0)
            return
        if kind == "welcome":
            first = self.welcome is None
            self.welcome = msg
            if first:
                await self._load_plan(msg)
            if not msg["clock"]["started"] and self.exercise is None:
                self._waiting()
        elif kind == "started" and self.welcome is not None:
            self.welcome.update(humans=msg["humans"], players=msg["players"])
        elif kind == "events":
            if self.remote is None:
                return
            self.remote.receive(msg)
            if self.exercise is None and msg["clock"].get("started"):
                self._open_remote()
            elif self.exercise_screen is not None:
                self.exercise_screen.pump()
        elif kind == "people":
            self.last_people = msg
            if self.exercise_screen is not None:
                self.exercise_screen.show_people(msg)
            elif self.exercise is None:
                self._waiting()

    async def _load_plan(self, welcome: dict) -> None:
        from drillsim.simulator.loader import load_plan

        self.plan = await asyncio.to_thread(
            load_plan, welcome["scenario"], welcome.get("variants", [])
        )
        self.remote = RemoteSession(self.plan, self.send)

    def _waiting(self) -> None:
        w = self.welcome or {}
        who = w.get("role") or w.get("kind", "")
        if w.get("kind") == "role":
            from drillsim.words.names import Names

            who = Names(self.plan, self.tr.lang).role(who)
        text = self.tr("join_waiting", who=who)
        if w.get("kind") == "facilitator":
            people = self.last_people or {"roles": {}}
            here = [r for r, i in people["roles"].items() if i["present"]]
            text += "\n" + self.tr("join_start_hint", here=", ".join(here) or "-")
        if self.wait is not None:
            for field in self.wait.query(Input):
                field.remove()
            self.wait.say(text)

    def start_exercise_remote(self) -> None:
        if (self.welcome or {}).get("kind") == "facilitator" and self.exercise is None:
            self.send({"type": "start"})

    def _open_remote(self) -> None:
        w = self.welcome
        if w is None:  # (events come after the welcome)
            return
        kind, role = w["kind"], w.get("role")
        humans = [role] if kind == "role" else list(w.get("humans") or [])
        ex = RemoteExercise(self.plan, humans, w["mode"], w["seed"], None, session=self.remote)
        if kind != "role":
            ex.evaluation = RemoteEvaluation(self.plan, self.send)
        self.exercise = ex
        self.exercise_screen = RemoteExerciseScreen(ex, self.tr, kind, role, self.send)
        self.switch_screen(self.exercise_screen)
        if self.last_people is not None:
            self.exercise_screen.show_people(self.last_people)
        self.exercise_screen.call_after_refresh(self.exercise_screen.pump)


def in_browser() -> bool:
    """Run by textual-serve for a browser tab (it sets the web driver)."""
    import os

    return "web_driver" in os.environ.get("TEXTUAL_DRIVER", "")


def run_console(url: str, token: str | None, lang: str, name: str | None = None) -> int:
    import sys

    app = ConsoleApp(url, token, lang, name=name)
    app.run()
    if app.link is not None:
        app.link.close()
    if app.drill_welcome is not None and app.used_token is not None:
        from .drill_console import run_drill_console

        return run_drill_console(url, app.used_token, app.drill_welcome, lang, name=name)
    for p in app.problems:
        print(f"drillsim {p}", file=sys.stderr)
    return 2 if app.problems else 0
