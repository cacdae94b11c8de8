"""The one small interface through which people and scripts play: advance, submit, read.

The TUI uses it in-process; a network client could use the same calls. Actions are taken at
the current simulated time after everything else due at that time has happened, which is
exactly what a replay of the actions (a script) does, so a played exercise replays byte for
byte from its seed and its actions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError, Problem
from .eventlog import LogWriter, dumps
from .plan import Plan
from .seeds import Seed, as_seed
from .world import PLAYERS, World

if TYPE_CHECKING:
    from .model import ScriptAction

VERSION = "0.1.0"


def seed_label(seed: int | Seed):
    """An int seed as itself; a Seed or numpy SeedSequence as its entropy and spawn key."""
    if isinstance(seed, int):
        return int(seed)
    seed = as_seed(seed)
    return {"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}


class Session:
    def __init__(
        self,
        plan: Plan,
        seed: int | Seed = 1,
        players: dict[str, str] | None = None,
        log_path: str | Path | None = None,
        listeners: tuple[Callable[[dict], None], ...] = (),
        trace: bool = True,
        force: bool = False,
        inputs: Iterable[str | Path] = (),
    ):
        """`trace=False` (replications): keep only the outcome events (world.OUTCOME); no log
        file or listeners then."""
        players = dict(players or {})
        bad = {
            r: k for r, k in players.items() if k not in PLAYERS or r not in plan.procedure.roles
        }
        if bad:
            raise ValueError(f"unknown roles or players: {bad}")
        self.plan = plan
        # the log must be new (or `force`) and none of the plan's files or `inputs`; it is
        # locked while the session writes it (simulator.eventlog)
        self._log: LogWriter | None = (
            LogWriter(log_path, force=force, inputs=[*plan.files, *inputs]) if log_path else None
        )
        self.log_head = ""  # the last line's hash once the log is closed
        self._read = 0
        writers = (self._write,) if self._log is not None else ()
        self.world = World(plan, seed, players, listeners=(*writers, *listeners), trace=trace)
        try:  # (_guard's work, without its context manager: this runs once a replication)
            self.world.start(self._header(seed) if trace else {})  # untraced, not kept
        except (TypeError, ArithmeticError) as exc:
            raise self._stopped(exc) from None
        self.finished = False

    def _header(self, seed) -> dict:
        plan, sc = self.plan, self.plan.scenario
        return {
            "scenario": sc.id,
            "scenario_ref": plan.ref,
            "variants": plan.variants,
            "procedures": [{"id": s["id"], "version": s["version"]} for s in plan.sources],
            "seed": seed_label(seed),
            "players": self.world.players,
            "duration_min": sc.duration_min,
            "drillsim": VERSION,
            "files": [{"path": f, "sha256": h} for f, h in plan.hashes.items()],
            **({"drawn": plan.drawn} if plan.drawn is not None else {}),
        }

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """The plan's checks make conditions and values safe to evaluate; should one still fail
        while the run plays, the user gets a sentence naming the scenario, not an internal error."""
        try:
            yield
        except (TypeError, ArithmeticError) as exc:
            raise self._stopped(exc) from None

    def _stopped(self, exc: Exception) -> InputError:
        where = self.plan.files[0] if self.plan.files else self.plan.ref
        return InputError(
            [
                Problem(
                    where,
                    1,
                    1,
                    f"the run stopped at minute {self.world.env.now:g}: a condition or value "
                    f"of the plan could not be evaluated ({type(exc).__name__}: {exc})",
                )
            ]
        )

    @property
    def now(self) -> float:
        return self.world.env.now

    @property
    def events(self) -> list[dict]:
        return self.world.events

    def _write(self, ev: dict):
        if self._log is not None:
            self._log.write(ev)

    def advance(self, to: float) -> list[dict]:
        """Run the simulation to simulated time `to` (capped at the end); return the new events."""
        env, end = self.world.env, self.plan.scenario.duration_min
        to = min(to, end)
        if not self.finished:
            try:  # (_guard's work, without its context manager: see __init__)
                if to > env.now:
                    env.run(until=to)
                while env.peek() <= to:
                    env.step()
            except (TypeError, ArithmeticError) as exc:
                raise self._stopped(exc) from None
            if env.now >= end:
                self.finish()
        return self.new_events()

    def next_event_time(self) -> float:
        return self.world.env.peek()

    def submit(self, action: ScriptAction) -> list[dict]:
        """Take a player's action now."""
        if self.finished:
            raise RuntimeError("the exercise has ended")
        with self._guard():
            self.world.perform(action)
        return self.new_events()

    def trigger_inject(self, inject_id: str, by: str = "facilitator") -> list[dict]:
        """Deliver a pending inject now (the facilitator's trigger-now)."""
        with self._guard():
            self.world.fire_inject(inject_id, by=by)
            self.world.evaluate()
        return self.new_events()

    def skip_inject(self, inject_id: str, by: str = "facilitator") -> list[dict]:
        """Drop a pending inject: it will not be delivered."""
        with self._guard():
            self.world.skip_inject(inject_id, by=by)
            self.world.evaluate()
        return self.new_events()

    def new_events(self) -> list[dict]:
        out = self.world.events[self._read :]
        self._read = len(self.world.events)
        return out

    def finish(self, reason: str = "scenario end"):
        if not self.finished:
            self.finished = True
            self.world.emit("end", reason=reason)
            if self._log is not None:
                self._log.close()
                self.log_head = self._log.head
                self._log = None


__all__ = ["Session", "dumps", "seed_label"]  # dumps: the log's JSON, kept here for importers
