"""The served exercise: one simulation, one log, and what each participant may do to it.

No network here (server.py carries the messages): a `Room` takes validated messages from a
participant (`Who`), checks that participant may do that, and acts on the one `Exercise`
(tui.exercise, the same object `play` drives) at the current simulated time. The clock is the
server's: `tick(dt)` moves it on at the facilitator's speed, stopping at every scripted action
so that a script is played at exactly its `at`, as `drillsim run` plays it.

The exercise starts when the facilitator starts it (or first runs the clock): the roles
someone joined by then are played by people, the others by their bots or by nobody (they wait
for a person), as the facilitator chooses (`--others`, or the start message).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from pathlib import Path

from numpy.random import SeedSequence

from drillsim.scoring.verdicts import score
from drillsim.simulator.checks import check_action
from drillsim.simulator.errors import InputError, Problem
from drillsim.simulator.eventlog import SESSION, LogWriter, dumps, reopen
from drillsim.simulator.formats.yamlsrc import Positions
from drillsim.simulator.loader import load_plan
from drillsim.simulator.model import ScriptAction
from drillsim.simulator.plan import Plan
from drillsim.simulator.replay import interventions
from drillsim.simulator.session import Session
from drillsim.tui.exercise import ActionError, Exercise, claim_ratings, drop_stale, wall_now
from drillsim.words import Tr

from . import protocol as P
from .views import EVALUATOR, FACILITATOR, ROLE, Presence, Who, visible

EPS = 1e-9
OTHERS = ("bot", "wait")


class Refused(Exception):
    """What a participant asked for and may not do; the reply says why."""

    def __init__(self, message: str, key: str | None = None, values: dict | None = None):
        super().__init__(message)
        self.key, self.values = key, values or {}


def _seed(label):
    if isinstance(label, dict):
        return SeedSequence(label["entropy"], spawn_key=tuple(label["spawn_key"]))
    return label


class Room:
    def __init__(
        self,
        plan: Plan,
        *,
        seed: int | SeedSequence,
        mode: str,
        log_path: str | Path,
        others: str = "bot",
        speed: float = 1.0,
        wall_clock: Callable[[], str] = wall_now,
        force: bool = False,
        log: LogWriter | None = None,
    ):
        """The log is opened (and locked) now, not when the exercise starts: a second server
        given the same log is refused before it hands out a single token. `log` is the
        reopened log of a resumed session."""
        if others not in OTHERS:
            raise ValueError(f"--others: one of {', '.join(OTHERS)}")
        self.plan, self.proc = plan, plan.procedure
        self.seed, self.mode, self.log_path = seed, mode, Path(log_path)
        self.others, self.speed, self.wall_clock = others, speed, wall_clock
        self.ex: Exercise | None = None
        if log is None:
            stale = claim_ratings(self.log_path, force=force, inputs=plan.files)
            log = LogWriter(self.log_path, force=force, inputs=plan.files)
            if force:
                drop_stale(stale)
        self.log = log
        self._muted = False
        self.early: list[dict] = []  # session records before the log has its header
        self.present = Presence()
        self.players: dict[str, str] = {}
        self.running = False
        self.run_to: float | None = None
        self.queue: list[tuple[float, int, ScriptAction]] = []
        self.scripted: set[str] = set()
        self._order = 0
        self._sent = 0
        self._result: dict | None = None
        self._en = Tr("en")

    # --- state ------------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self.ex is not None

    @property
    def now(self) -> float:
        return self.ex.now if self.ex is not None else 0.0

    @property
    def finished(self) -> bool:
        return self.ex is not None and self.ex.finished

    @property
    def events(self) -> list[dict]:
        return self.ex.session.events if self.ex is not None else []

    @property
    def humans(self) -> list[str]:
        return list(self.ex.humans) if self.ex is not None else []

    def clock_state(self) -> dict:
        return {
            "now": self.now,
            "running": self.running and not self.finished,
            "speed": self.speed,
            "run_to": self.run_to,
            "started": self.started,
            "finished": self.finished,
        }

    def people(self) -> dict:
        """Who is here, as which role, and who plays each role (for the facilitator)."""
        roles = {}
        for r in self.proc.roles:
            kind = self.players.get(r)
            if kind is None:  # not started: what the role will be if the start were now
                kind = "human" if self.present.get(r) or self.others == "wait" else "bot"
            roles[r] = {"present": self.present.get(r, 0), "player": kind}
        return {
            "roles": roles,
            "facilitator": self.present.get(FACILITATOR, 0),
            "evaluator": self.present.get(EVALUATOR, 0),
        }

    def result(self) -> dict | None:
        """The score once the exercise has ended (sent to every console for its score screen)."""
        if self.finished and self._result is None:
            self._result = score(self.plan, self.events)
        return self._result

    # --- the log ----------------------------------------------------------------------------
    def _on_event(self, ev: dict) -> None:
        if not self._muted:
            self.log.write(ev)

    def record(self, what: str, who: Who | None = None, **fields) -> None:
        ev = {"t": self.now, "type": SESSION, "what": what}
        if who is not None:
            ev["who"] = who.label
        ev.update(fields)
        if self.started:
            self.log.write(ev)
        else:  # the log's first line is the exercise's header
            self.early.append(ev)

    def drain(self) -> list[dict]:
        """The events since the last drain, once they are on disk."""
        out = self.events[self._sent :]
        self._sent += len(out)
        self.log.sync()
        return out

    def backlog(self, who: Who, have: int = 0) -> list[dict]:
        see = visible(who, self.proc)
        mine = [ev for ev in self.events[: self._sent] if see(ev)]
        return mine[have:]

    def close(self) -> None:
        """Release the log; a log the exercise never started in is removed (it is empty)."""
        self.log.close()
        if not self.started:
            self.log_path.unlink(missing_ok=True)

    # --- presence ---------------------------------------------------------------------------
    def admit(self, who: Who, name: str | None) -> Who:
        """The participant a hello makes of a token (a tabletop names people by their token)."""
        return who

    def welcome_fields(self, who: Who) -> dict:
        return {}

    def live_state(self) -> dict | None:
        """A live drill's verdicts and headcount for every client; a tabletop has none."""
        return None

    def join(self, who: Who, client: str = "console") -> None:
        self.present.arrive(who)
        self.record("joined", who, client=client)

    def leave(self, who: Who) -> None:
        self.present.depart(who)
        self.record("left", who)

    # --- starting -----------------------------------------------------------------------------
    def start(self, bots: list[str] | None = None) -> None:
        if self.started:
            raise Refused("the exercise has already started")
        roles = self.proc.roles
        if bots is None:
            bots = [r for r in roles if self.others == "bot" and not self.present.get(r)]
        unknown = [r for r in bots if r not in roles]
        if unknown:
            raise Refused(f"no such role: {', '.join(unknown)}")
        self.players = {r: "bot" if r in bots else "human" for r in roles}
        session = Session(self.plan, self.seed, self.players, listeners=(self._on_event,))
        humans = [r for r, k in self.players.items() if k != "bot"]
        self.ex = Exercise(
            self.plan,
            humans,
            self.mode,
            self.seed if isinstance(self.seed, int) else 0,
            self.log_path,
            wall_clock=self.wall_clock,
            session=session,
        )
        self.record("opened", None, mode=self.mode, others=self.others)
        for ev in self.early:
            self.log.write({**ev, "t": 0.0})
        self.early.clear()

    # --- the clock ----------------------------------------------------------------------------
    def tick(self, dt: float) -> None:
        """`dt` wall-clock seconds have passed: move the clock on if it runs."""
        if not self.running or not self.started or self.finished:
            return
        target = self.now + self.speed * dt / 60.0
        if self.run_to is not None and target >= self.run_to - EPS:
            target, self.running, self.run_to = self.run_to, False, None
        self._advance(target)

    def _advance(self, target: float) -> None:
        ex = self.exercise
        while self.queue and self.queue[0][0] <= target + EPS and not ex.finished:
            at, _, action = heapq.heappop(self.queue)
            ex.advance(at)
            if ex.finished:
                break
            ex.perform(action)
        if not ex.finished:
            ex.advance(target)

    # --- what participants ask for ----------------------------------------------------------------
    def handle(self, who: Who, msg) -> dict:
        """Do what `msg` asks if `who` may; the reply's fields (raises Refused otherwise)."""
        kind = msg.type
        if kind == "ping":
            return {}
        if kind in ("act", "script"):
            if who.kind != ROLE:
                raise Refused(f"only a role's token may {kind}; this one is the {who.kind}'s")
            return self._act(who, msg) if kind == "act" else self._script(who, msg)
        if kind in ("rate", "note"):
            if who.kind == ROLE:
                raise Refused("only the facilitator and evaluators rate and write notes")
            return self._evaluate(who, msg)
        if who.kind != FACILITATOR:
            raise Refused(f"only the facilitator may send `{kind}`")
        if kind == "start":
            self.start(msg.bots)
            return {}
        if kind == "clock":
            return self._clock(who, msg)
        self._need_running()
        try:
            if kind == "inject":
                (self.exercise.skip if msg.skip else self.exercise.trigger)(msg.id)
            elif kind == "end":
                self.exercise.end("facilitator")
        except ActionError as exc:
            raise self._refused(exc) from None
        return {}

    @property
    def exercise(self) -> Exercise:
        """The exercise, once the facilitator has started it."""
        if self.ex is None:
            raise Refused("the exercise has not started yet (the facilitator starts it)")
        return self.ex

    def _need_running(self) -> None:
        if not self.started:
            raise Refused("the exercise has not started yet (the facilitator starts it)")
        if self.finished:
            raise Refused("the exercise has ended", "err_ended")

    def _refused(self, exc: ActionError) -> Refused:
        return Refused(self._en(exc.key, **exc.values), exc.key, exc.values)

    def _act(self, who: Who, msg: P.Act) -> dict:
        role = _role_of(who)
        if msg.role is not None and msg.role != role:
            raise Refused(f"this token is {role}'s: it cannot act as {msg.role}")
        self._need_running()
        if self.players.get(role) == "bot":
            raise Refused(f"{role} is played by its bot in this exercise")
        fields = msg.model_dump(exclude={"type", "ref", "role", "do"}, exclude_none=True)
        if msg.do != "report":
            fields.pop("text", None)
        try:
            self.exercise.act(msg.do, role, **fields)
        except ActionError as exc:
            raise self._refused(exc) from None
        return {}

    def _script(self, who: Who, msg: P.Script) -> dict:
        role = _role_of(who)
        if role in self.scripted:
            return {"already": True}  # a client sending its script again after a reconnect
        if self.players.get(role) == "bot":
            raise Refused(f"{role} is played by its bot in this exercise")
        if self.finished:
            raise Refused("the exercise has ended", "err_ended")
        actions = []
        for i, item in enumerate(msg.actions):
            item = dict(item)
            if item.setdefault("role", role) != role:
                raise Refused(f"[{i}] this token is {role}'s: it cannot act as {item['role']}")
            try:
                action = ScriptAction.model_validate(item)
            except ValueError as exc:
                raise Refused(f"[{i}] {exc.errors()[0]['msg']}") from None  # type: ignore[attr-defined]
            problems = check_action(action, self.proc, self.plan.scenario, Positions("<script>"))
            if problems:
                raise Refused(f"[{i}] {problems[0].message}")
            if action.at < self.now - EPS:
                raise Refused(f"[{i}] at {action.at:g} is past (the clock is at {self.now:g})")
            actions.append(action)
        self.scripted.add(role)
        self.record("script", who, actions=[a.model_dump(exclude_defaults=True) for a in actions])
        self._queue(actions)
        return {"scheduled": len(actions)}

    def _queue(self, actions: list[ScriptAction]) -> None:
        for a in sorted(actions, key=lambda a: a.at):
            heapq.heappush(self.queue, (a.at, self._order, a))
            self._order += 1

    def _clock(self, who: Who, msg: P.Clock) -> dict:
        if not self.started and (msg.run or msg.run_to is not None):
            self.start()
        if self.finished:
            raise Refused("the exercise has ended", "err_ended")
        if msg.speed is not None:
            self.speed = msg.speed
        if msg.run_to is not None:
            if msg.jump:
                self.running, self.run_to = False, None
                self._advance(max(msg.run_to, self.now))
            else:
                self.running, self.run_to = msg.run_to > self.now + EPS, msg.run_to
        elif msg.run is not None:
            self.running, self.run_to = msg.run, None
        self.record("clock", who, running=self.running, speed=self.speed)
        return {}

    def _evaluate(self, who: Who, msg) -> dict:
        if not self.started:
            raise Refused("the exercise has not started yet (the facilitator starts it)")
        ev = self.exercise.evaluation
        try:
            if msg.type == "rate":
                ev.rate(msg.objective, msg.obligation, msg.rating, msg.observation)
                self.record("rated", who, objective=msg.objective, obligation=msg.obligation)
            else:
                ev.note(msg.kind, msg.text)
                self.record("noted", who, kind=msg.kind)
        except ActionError as exc:
            raise self._refused(exc) from None
        return {}

    # --- after a crash ----------------------------------------------------------------------------
    @classmethod
    def resume(
        cls, log_path: str | Path, wall_clock: Callable[[], str] = wall_now, speed: float = 1.0
    ) -> Room:
        """Rebuild the exercise of a crashed server from its log: the recorded interventions
        replayed through the deterministic engine to the last recorded minute, checked event by
        event against the log, then the log continued where it stopped."""
        log_path = Path(log_path)
        log, events, _chain = reopen(log_path)
        try:
            return cls._rebuild(log, events, log_path, wall_clock, speed)
        except BaseException:
            log.close()
            raise

    @classmethod
    def _rebuild(
        cls,
        log: LogWriter,
        events: list[dict],
        log_path: Path,
        wall_clock: Callable[[], str],
        speed: float,
    ) -> Room:
        header = events[0]
        world = [ev for ev in events if ev["type"] != SESSION]
        records = [ev for ev in events if ev["type"] == SESSION]
        opened = next((r for r in records if r["what"] == "opened"), {})
        clocks = [r for r in records if r["what"] == "clock"]
        plan = load_plan(header["scenario_ref"], header.get("variants", []))
        room = cls(
            plan,
            seed=_seed(header["seed"]),
            mode=opened.get("mode", plan.scenario.mode),
            log_path=log_path,
            others=opened.get("others", "bot"),
            speed=clocks[-1]["speed"] if clocks else speed,
            wall_clock=wall_clock,
            log=log,
        )
        room._muted = True  # the replayed events are in the log already
        room.players = dict(header["players"])
        session = Session(plan, room.seed, room.players, listeners=(room._on_event,))
        humans = [r for r, k in room.players.items() if k != "bot"]
        seed_n = room.seed if isinstance(room.seed, int) else 0
        ex = Exercise(
            plan, humans, room.mode, seed_n, log_path, wall_clock=wall_clock, session=session
        )
        room.ex = ex
        for t, kind, payload in interventions(world):
            ex.advance(t)
            if kind == "end":
                ex.end(payload)
            if ex.finished:
                break
            if kind == "action":
                ex.perform(payload)
            elif kind == "inject":
                ex.trigger(payload)
            else:
                ex.skip(payload)
        ex.advance(max(ev["t"] for ev in events))
        made = session.events
        for i, ev in enumerate(world):
            if i >= len(made) or dumps(made[i]) != dumps(ev):
                raise InputError(
                    [
                        Problem(
                            str(log_path),
                            1 + events.index(ev),
                            1,
                            f"the log does not replay (event seq {ev.get('seq', i)} differs): "
                            "was it written by another version of drillsim?",
                        )
                    ]
                )
        room._muted = False
        for ev in made[len(world) :]:
            log.write(ev)
        room._sent = len(made)
        room.scripted = {r["who"] for r in records if r["what"] == "script"}
        for rec in records:
            if rec["what"] == "script":
                actions = [ScriptAction.model_validate(a) for a in rec["actions"]]
                done = sum(
                    1
                    for ev in made
                    if ev["type"] == "action" and ev["role"] == rec["who"] and ev["t"] >= rec["t"]
                )
                room._queue(actions[done:])
        if room.ex.evaluation.path is not None and room.ex.evaluation.path.exists():
            from drillsim.scoring.ratings import load_ratings

            room.ex.evaluation.ratings = load_ratings(room.ex.evaluation.path)
        room.record("resumed", None, events=len(made))
        log.sync()
        return room


def _role_of(who: Who) -> str:
    """The role a role's token acts as (only role tokens reach the acting messages)."""
    if who.role is None:
        raise Refused(f"a {who.kind} token does not act for a role")
    return who.role
