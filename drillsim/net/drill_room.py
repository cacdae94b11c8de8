"""A live drill served to several people (`drillsim serve SCENARIO --live --roster FILE`).

The same `SessionServer` carries it as it carries a tabletop `Room`: this class has the room's
interface (start, tick, handle, drain, backlog, clock_state …) over one `LiveDrill`, the object
`drillsim drill` drives. Evaluators stamp, correct and annotate; wardens check people in, add
visitors and close the headcount; the facilitator (the EHS coordinator) raises the alarm, ends
the drill and may do anything. Every intent is taken on the server's clock (the wall clock 1x,
or a test's fake clock) and recorded with who sent it: the token's person (a personal evaluator
token, or the name given when joining on the shared one) or its post, never the token. The log
is the drill's own (LogWriter: hash-chained, one writer); each batch is fsync'd before anyone is
told of it, so `serve --resume LOG` after a `kill -9` continues with every stamp a client saw.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from drillsim.scoring.drill import live_summary
from drillsim.scoring.verdicts import read_log, score
from drillsim.simulator.drill.live import (
    SEED,
    DrillError,
    LiveDrill,
    iso,
    local_now,
    parse_wall,
    resume_drill,
)
from drillsim.simulator.drill.roster import Roster
from drillsim.simulator.plan import Plan
from drillsim.words import Tr

from . import protocol as P
from .room import Refused
from .views import EVALUATOR, FACILITATOR, ROLE, WARDEN, Presence, Who

MODE = "drill"
# which posts may send which intent (the facilitator may send all of them)
MAY = {
    "stamp": {EVALUATOR},
    "correct": {EVALUATOR},
    "note": {EVALUATOR},
    "checkin": {WARDEN},
    "visitor": {WARDEN},
    "close": {WARDEN},
}


class DrillRoom:
    def __init__(
        self,
        plan: Plan,
        roster: Roster,
        log_path: str | Path,
        clock: Callable[[], datetime] = local_now,
        drill: LiveDrill | None = None,
    ):
        self.plan, self.proc = plan, plan.procedure
        self.log_path = Path(log_path)
        self.drill = drill or LiveDrill(plan, roster, log_path=self.log_path, clock=clock)
        self.roster = self.drill.roster
        self.seed, self.mode = SEED, MODE
        self.players: dict[str, str] = {}
        self.humans: list[str] = []
        self.scripted: set[str] = set()
        self.present = Presence()
        self._sent = 0
        self._result: dict | None = None
        self._live_key: tuple | None = None
        self._live: dict | None = None
        self._en = Tr("en")

    # --- state ---------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self.drill.started

    @property
    def finished(self) -> bool:
        return self.drill.finished

    @property
    def now(self) -> float:
        return self.drill.session.now if self.drill.session is not None else 0.0

    @property
    def events(self) -> list[dict]:
        return self.drill.events

    def clock_state(self) -> dict:
        d = self.drill
        return {
            "now": self.now,
            "running": self.started and not self.finished,
            "speed": 1.0,
            "run_to": None,
            "started": self.started,
            "finished": self.finished,
            "wall_start": iso(d.wall_start) if d.wall_start is not None else None,
        }

    def people(self) -> dict:
        """Who is here: by post, and the evaluators' names."""
        posts = [label.split(":", 1) for label in self.present for _ in range(self.present[label])]
        return {
            "roles": {},
            **{k: sum(1 for p in posts if p[0] == k) for k in (FACILITATOR, EVALUATOR, WARDEN)},
            "names": sorted({p[1] for p in posts if len(p) == 2}),
        }

    def result(self) -> dict | None:
        if self.finished and self._result is None:
            self._result = score(self.plan, self.events)
        return self._result

    def live_state(self) -> dict | None:
        """The verdicts, headcount and missing list now (`scoring.drill.live_summary`, the
        console's and `score`'s function), recomputed when an event or the second changed."""
        if not self.started:
            return None
        key = (len(self.events), self.now)
        if self._live_key != key:
            self._live_key = key
            self._live = live_summary(self.plan, self.events, self.now)
        return self._live

    def welcome_fields(self, who: Who) -> dict:
        """What a drill console needs besides the room's common welcome."""
        return {"drill": True, "by": who.by, "roster": self.roster.to_log()}

    # --- the log -------------------------------------------------------------------------
    def drain(self) -> list[dict]:
        """The events since the last drain, once they are on disk (fsync'd)."""
        out = self.events[self._sent :]
        self._sent += len(out)
        session = self.drill.session
        if out and session is not None and session._log is not None:
            session._log.sync()
        return out

    def backlog(self, who: Who, have: int = 0) -> list[dict]:
        return self.events[: self._sent][have:]

    def close(self) -> None:
        self.drill.close()

    # --- presence ------------------------------------------------------------------------
    def admit(self, who: Who, name: str | None) -> Who:
        """The participant a hello makes of a token: a role has no place in a drill; a personal
        evaluator token joins as its own person only; the shared one needs a name."""
        if who.kind == ROLE:
            raise Refused("a live drill has no roles")
        name = (name or "").strip() or None
        if who.name is not None:
            if name is not None and name != who.name:
                raise Refused(
                    f"this token is {who.name}'s; it cannot join as {name}",
                    "err_as_other",
                    {"who": who.name, "other": name},
                )
            return who
        if who.kind == EVALUATOR and name is None:
            raise Refused(
                "the shared evaluator token needs a name: drillsim join URL --token T --name NAME"
            )
        return Who(who.kind, None, name) if name else who

    def join(self, who: Who, client: str = "console") -> None:
        self.present.arrive(who)

    def leave(self, who: Who) -> None:
        self.present.depart(who)

    # --- the clock -----------------------------------------------------------------------
    def tick(self, dt: float) -> None:
        """The drill's clock is the wall clock: move on to it (`dt` is not needed)."""
        self.drill.tick()

    # --- what participants ask for -------------------------------------------------------
    def handle(self, who: Who, msg) -> dict:
        kind = msg.type
        if kind == "ping":
            return {}
        try:
            if kind == "start":
                self._may(who, "stamp", self.drill.alarm)
                return {"event": self.drill.raise_alarm(who.by)}
            if kind == "end":
                self._may(who, "end")
                self.drill.end(who.by)
                return {}
            if kind == "drill":
                return self._intent(who, msg)
        except DrillError as exc:
            raise Refused(
                self._en(f"err_{exc.key}", **exc.values), f"err_{exc.key}", exc.values
            ) from None
        raise Refused(f"a live drill has no `{kind}`", "err_not_in_drill", {"what": kind})

    def _may(self, who: Who, what: str, milestone: str | None = None) -> None:
        if who.kind != FACILITATOR and who.kind not in MAY.get(what, ()):
            raise Refused(
                f"this token ({who.by}) may not {what}",
                "err_not_your_post",
                {"who": who.by, "what": self._en(f"drill_what_{what}")},
            )
        if milestone == self.drill.alarm and who.kind != FACILITATOR and not self.started:
            raise Refused(
                "the facilitator (the EHS coordinator) raises the alarm", "err_alarm_by_facilitator"
            )

    def _intent(self, who: Who, msg: P.Drill) -> dict:
        if msg.by is not None and msg.by != who.by:
            raise Refused(
                f"this token is {who.by}'s: it cannot record as {msg.by}",
                "err_as_other",
                {"who": who.by, "other": msg.by},
            )
        d, by = self.drill, who.by
        milestone = d.milestone(msg.milestone).id if msg.do == "stamp" and msg.milestone else None
        self._may(who, msg.do, milestone)
        if msg.do == "stamp":
            if milestone is None:
                raise Refused("stamp: which milestone?")
            return {"event": d.stamp(milestone, by, msg.note)}
        if msg.do in ("correct", "note") and not msg.stamp:
            raise Refused(f"{msg.do}: which stamp?")
        if msg.do == "correct":
            try:
                when = parse_wall(msg.at_wall or "")
            except ValueError:
                raise Refused("correct: at_wall is an ISO time (2026-11-27T10:09:30+08:00)")
            if when.tzinfo is None and d.wall_start is not None:
                when = when.replace(tzinfo=d.wall_start.tzinfo)
            return {"event": d.correct(msg.stamp or "", when, by, msg.note)}
        if msg.do == "note":
            return {"event": d.note(msg.stamp or "", msg.note, by)}
        if msg.do == "checkin":
            return {"event": d.checkin(msg.number or "", by)}
        if msg.do == "visitor":
            ev = d.add_visitor(
                msg.name or "",
                msg.category or "visitor",
                by,
                company=msg.company,
                area=msg.area,
                present=msg.present,
            )
            return {"event": ev}
        return {"event": d.close_headcount(by, msg.note)}

    # --- after a crash -------------------------------------------------------------------
    @classmethod
    def resume(cls, log_path: str | Path, clock: Callable[[], datetime] = local_now) -> DrillRoom:
        """The drill of a crashed server from its log (`resume_drill`: replayed, checked line by
        line, a torn last line set aside in LOG.torn), continuing to append to it."""
        drill = resume_drill(read_log(log_path), log_path, clock=clock, by="server")
        room = cls(drill.plan, drill.roster, log_path, drill=drill)
        room.drain()  # what the log holds was on disk before: clients ask for it by `have`
        return room
