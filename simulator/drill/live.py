"""A live drill on the real clock: stamps, check-ins and corrections as events of the exercise's
own log.

Nothing runs until the alarm is stamped: that moment is minute 0 and the log's `start` event
records its wall-clock time. From then on simulated minutes are wall minutes (1x). Every role is
played by people (`human`); a stamp of a duty performs the duty's action for its role at that
minute, so the agenda, `drillsim score` and the report judge it like any other action. The
clock is injected (`clock()` returns an aware datetime), so tests run the drill on a fake clock.

A drill log replays like any other: the people's part is the stamps, check-ins, visitors,
closures, notes and corrections, each carrying its wall-clock evidence; everything else follows
from them (`replay_drill`). A correction never rewrites what was recorded: it is one more event,
and the corrected reading of the log (`corrected_events`) plays the stamps at their corrected
minutes, with the original minute kept on the stamp as `was`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from drillsim.simulator.eventlog import LogWriter, encode
from drillsim.simulator.loader import load_plan
from drillsim.simulator.model import ScriptAction
from drillsim.simulator.plan import Plan
from drillsim.simulator.session import Session, dumps

from .headcount import Headcount
from .milestones import Milestone, alarm, headcount_milestone, milestones
from .roster import Person, Roster, find

SEED = 1  # every role is played by people: nothing is drawn but task success (1 in 003)
# events that people made; replay takes them again (stamps marked `auto` follow from check-ins)
INTENTS = frozenset(
    {"stamp", "checkin", "visitor", "headcount.closed", "stamp.note", "stamp.corrected"}
)
RECORDS = frozenset({"session.resumed"})  # kept in the log, no effect on the drill


class DrillError(Exception):
    """An evaluator's request the drill cannot take; `key`/`values` name the i18n message."""

    def __init__(self, key: str, **values):
        super().__init__(key if not values else f"{key}: {values}")
        self.key, self.values = key, values


def local_now() -> datetime:
    return datetime.now().astimezone()


def iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def parse_wall(text: str) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


class DrillSession(Session):
    """The exercise's session with the drill's facts in its `start` event."""

    def __init__(self, plan: Plan, drill_header: dict, log_path=None):
        self.drill_header = drill_header
        players = {r: "human" for r in plan.procedure.roles}
        super().__init__(plan, SEED, players, log_path=log_path)

    def _header(self, seed) -> dict:
        return {**super()._header(seed), "drill": self.drill_header}


class DrillOutline:
    """What a drill console reads of a drill's plan and roster (its milestones, the alarm, the
    headcount), the same whether the drill runs here (LiveDrill) or on a server (RemoteDrill)."""

    def __init__(self, plan: Plan, roster: Roster):
        self.plan, self.roster = plan, roster
        self.milestones = milestones(plan)
        self.by_id: dict[str, Milestone] = {m.id: m for m in self.milestones}
        self.by_key: dict[str, Milestone] = {m.key: m for m in self.milestones if m.key}
        self.alarm = alarm(plan)
        self.headcount_id = headcount_milestone(plan)
        self.headcount = Headcount(roster)
        self.wall_start: datetime | None = None


class LiveDrill(DrillOutline):
    def __init__(
        self,
        plan: Plan,
        roster: Roster,
        log_path: str | Path | None = None,
        clock: Callable[[], datetime] = local_now,
    ):
        if plan.scenario.drill is None:
            raise DrillError("not_a_drill", scenario=plan.scenario.id)
        super().__init__(plan, roster)
        self.clock = clock
        self.log_path = log_path
        self.session: DrillSession | None = None
        self.stamps: dict[str, dict] = {}  # stamp id -> its event
        self.stamped: dict[str, str] = {}  # observed milestone -> stamp id
        self.corrections: dict[str, list[dict]] = {}  # stamp id -> its corrections, in order
        self.notes: dict[str, list[dict]] = {}
        self._n = 0
        self._auto_ids: dict[str, str] = {}  # replay: milestone -> id its auto stamp had
        self._auto_held: set[str] = set()  # corrected replay: auto stamps placed by hand

    # --- time ---------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self.session is not None

    @property
    def finished(self) -> bool:
        return self.session is not None and self.session.finished

    def minute_of(self, when: datetime) -> float:
        """Wall-clock time as the drill's minute, to the second."""
        assert self.wall_start is not None
        return round(round((when - self.wall_start).total_seconds()) / 60, 6)

    def now(self) -> float:
        if self.session is None:
            return 0.0
        return max(self.minute_of(self.clock()), self.session.now)

    def wall_of(self, minute: float) -> datetime:
        from datetime import timedelta

        assert self.wall_start is not None
        return self.wall_start + timedelta(minutes=minute)

    def tick(self) -> list[dict]:
        """Move the drill on to the wall clock's minute; return the new events."""
        if self.session is None or self.session.finished:
            return []
        return self.session.advance(self.now())

    def new_events(self) -> list[dict]:
        return self.session.new_events() if self.session is not None else []

    @property
    def events(self) -> list[dict]:
        return self.session.events if self.session is not None else []

    # --- the alarm: the drill starts ------------------------------------------------------
    def _open(self, wall_start: datetime, header: dict | None = None):
        self.wall_start = wall_start
        drill_header = header or {
            "wall_start": iso(wall_start),
            "roster": self.roster.to_log(),
        }
        self.session = DrillSession(self.plan, drill_header, log_path=self.log_path)

    def raise_alarm(self, by: str, note: str = "") -> dict:
        if self.session is not None:
            raise DrillError("drill_started")
        now = self.clock()
        self._open(now)
        # what the scenario has at minute 0 comes first, as in replay
        self.live_session.advance(0.0)
        return self._stamp(self.alarm, by, note, iso(now))

    # --- stamps --------------------------------------------------------------------------
    def milestone(self, key_or_id: str) -> Milestone:
        m = self.by_key.get(key_or_id) or self.by_id.get(key_or_id)
        if m is None:
            raise DrillError("unknown_milestone", milestone=key_or_id)
        return m

    def stamp(self, key_or_id: str, by: str, note: str = "") -> dict:
        """Stamp a milestone now."""
        m = self.milestone(key_or_id)
        if self.session is None:
            if m.id == self.alarm:
                return self.raise_alarm(by, note)
            raise DrillError("alarm_first")
        self._live()
        if m.kind == "observed" and m.id in self.stamped:
            first = self.stamps[self.stamped[m.id]]
            raise DrillError("already_stamped", milestone=m.id, t=first["t"])
        if m.kind == "duty":
            duty = self.live_session.world.agenda.latest(m.id, self._incident())
            if duty is not None and duty.done_at is not None:
                raise DrillError("already_stamped", milestone=m.id, t=duty.done_at)
        return self._stamp(m.id, by, note, iso(self.clock()))

    @property
    def live_session(self) -> DrillSession:
        """The drill's session: there once the alarm was raised (or the log was read back)."""
        if self.session is None:
            raise DrillError("alarm_first")
        return self.session

    def _live(self) -> float:
        """Advance to now before a person's entry; refuse it once the drill has ended."""
        if self.session is None:
            raise DrillError("alarm_first")
        if self.session.finished:
            raise DrillError("drill_ended")
        t = self.now()
        self.session.advance(t)
        if self.session.finished:
            raise DrillError("drill_ended")
        return t

    def _incident(self) -> str:
        return next(iter(self.plan.scenario.incidents))

    def _stamp(
        self,
        mid: str,
        by: str,
        note: str,
        wall: str,
        sid: str | None = None,
        auto: bool = False,
        was: float | None = None,
    ) -> dict:
        world = self.live_session.world
        m = self.by_id[mid]
        if sid is None:
            sid = self._auto_ids.get(mid) if auto else None
            sid = sid or f"s{self._n + 1}"
        self._n = max(self._n, int(sid[1:]))
        fields: dict = {"id": sid, "milestone": mid}
        if m.obligation:
            fields["obligation"] = m.obligation
        fields.update(by=by, wall=wall)
        if note:
            fields["note"] = note
        if auto:
            fields["auto"] = True
        if was is not None:
            fields["was"] = was
        ev = world.emit("stamp", **fields)
        self.stamps[sid] = ev
        if m.kind == "observed":
            self.stamped[mid] = sid
        if m.obligation:
            self._perform(m.obligation, wall)
        if m.observed is not None and m.observed.set:
            world.set_attributes(self._incident(), dict(m.observed.set), cause=f"stamp:{mid}")
        world.evaluate()
        return ev

    def _perform(self, oid: str, wall: str):
        """The duty's action, taken by its role (or the deputy acting for it) now."""
        world = self.live_session.world
        ob = self.plan.procedure.obligations[oid]
        act = ob.action
        who = world.actor(ob.role) or ob.role
        base = {"at": world.env.now, "role": who, "wall": wall}
        if act.do == "task":
            world.perform(ScriptAction(**base, do="task", task=act.task))
        elif act.do == "report":
            for via in act.via if act.via_mode == "all" else act.via[:1]:
                world.perform(ScriptAction(**base, do="report", to=list(act.to), via=via))

    def correct(self, sid: str, when: datetime, by: str, note: str = "") -> dict:
        """Say that stamp `sid` really happened at `when`; the original stays in the log."""
        if sid not in self.stamps:
            raise DrillError("unknown_stamp", stamp=sid)
        now = self._live()
        at = self.minute_of(when)
        if at < 0 or at > now + 1e-9:
            raise DrillError("bad_correction", at=at)
        fields = {"stamp": sid, "at": at, "at_wall": iso(when), "by": by, "wall": iso(self.clock())}
        if note:
            fields["note"] = note
        return self._record("stamp.corrected", fields)

    def note(self, sid: str, text: str, by: str) -> dict:
        if sid not in self.stamps:
            raise DrillError("unknown_stamp", stamp=sid)
        self._live()
        return self._record(
            "stamp.note", {"stamp": sid, "note": text, "by": by, "wall": iso(self.clock())}
        )

    def _record(self, kind: str, fields: dict) -> dict:
        ev = self.live_session.world.emit(kind, **fields)
        target = self.corrections if kind == "stamp.corrected" else self.notes
        if kind in ("stamp.corrected", "stamp.note"):
            target.setdefault(fields["stamp"], []).append(ev)
        return ev

    def corrected_minute(self, sid: str) -> float:
        fixes = self.corrections.get(sid)
        return fixes[-1]["at"] if fixes else self.stamps[sid]["t"]

    # --- headcount -----------------------------------------------------------------------
    def find(self, query: str, limit: int = 20) -> list[Person]:
        """On the roster or added on the spot: by number first, then by number or name."""
        return find(self.headcount.people.values(), query, limit)

    def checkin(self, number: str, by: str) -> dict:
        self._live()
        if number not in self.headcount.people:
            raise DrillError("unknown_person", number=number)
        if number in self.headcount.accounted:
            t, _ = self.headcount.accounted[number]
            raise DrillError("already_in", number=number, t=t)
        return self._checkin(number, by, iso(self.clock()))

    def _checkin(self, number: str, by: str, wall: str) -> dict:
        ev = self.live_session.world.emit("checkin", number=number, by=by, wall=wall)
        if self.headcount.feed(ev):
            self._headcount_done(by, wall)
        return ev

    def _headcount_done(self, by: str, wall: str):
        mid = self.headcount_id
        if mid is None or mid in self.stamped or mid in self._auto_held:
            return
        self._stamp(mid, by, "", wall, auto=True)

    def add_visitor(
        self, name: str, kind: str, by: str, company: str = "", area: str = "", present=True
    ) -> dict:
        """A visitor or contractor met at the assembly point (present) or known to be on site."""
        if kind not in ("visitor", "contractor"):
            raise DrillError("bad_visitor_kind", kind=kind)
        if not name.strip():
            raise DrillError("visitor_needs_name")
        self._live()
        visitors = sum(1 for p in self.headcount.people.values() if p.kind != "staff")
        number = f"V{visitors + 1}"
        wall = iso(self.clock())
        return self._visitor(
            {
                "number": number,
                "name": name.strip(),
                "category": kind,
                "company": company.strip(),
                "area": area.strip(),
                "by": by,
                "wall": wall,
            },
            present,
        )

    def _visitor(self, fields: dict, present: bool) -> dict:
        ev = self.live_session.world.emit("visitor", **fields)
        self.headcount.feed(ev)
        if present:
            self._checkin(fields["number"], fields["by"], fields["wall"])
        return ev

    def close_headcount(self, by: str, note: str = "") -> dict:
        """The warden closes the headcount with the missing listed."""
        self._live()
        if self.headcount.done:
            raise DrillError("headcount_done")
        return self._close(by, note, iso(self.clock()))

    def _close(self, by: str, note: str, wall: str) -> dict:
        fields = {"missing": [p.number for p in self.headcount.missing()], "by": by, "wall": wall}
        if note:
            fields["note"] = note
        ev = self.live_session.world.emit("headcount.closed", **fields)
        self.headcount.feed(ev)
        self._headcount_done(by, wall)
        return ev

    # --- the end -------------------------------------------------------------------------
    def end(self, by: str) -> None:
        self._live()
        self.live_session.finish(f"ended by {by}")

    def close(self) -> None:
        """Stop writing (the console quits); the log stays resumable."""
        if self.session is not None and self.session._log is not None:
            self.session._log.close()
            self.session._log = None


# --- replay, resume and the corrected reading -------------------------------------------------


def _intents(events: list[dict]) -> list[tuple[float, int, dict]]:
    return [
        (ev["t"], i, ev)
        for i, ev in enumerate(events)
        if (ev["type"] in INTENTS and not ev.get("auto"))
        or ev["type"] in RECORDS
        or ev["type"] == "end"
    ]


def replay_drill(
    events: list[dict],
    plan: Plan | None = None,
    log_path: str | Path | None = None,
    corrected: bool = False,
) -> LiveDrill:
    """Play a drill log's people's part again. `corrected`: stamps at their corrected minutes."""
    header = events[0]
    plan = plan or load_plan(header["scenario_ref"], header.get("variants", []))
    dh = header["drill"]
    drill = LiveDrill(plan, Roster.from_log(dh["roster"]), log_path=log_path)
    drill._auto_ids = {
        ev["milestone"]: ev["id"] for ev in events if ev["type"] == "stamp" and ev.get("auto")
    }
    items = _intents(events)
    if corrected:
        fixes: dict[str, dict] = {}
        for ev in events:
            if ev["type"] == "stamp.corrected":
                fixes[ev["stamp"]] = ev
        moved = []
        for ev in events:
            if ev["type"] == "stamp" and ev["id"] in fixes:
                at = fixes[ev["id"]]["at"]
                ev = {**ev, "was": ev["t"], "t": at}
                if ev.get("auto"):
                    drill._auto_held.add(ev["milestone"])
                moved.append(ev)
        moved_ids = {ev["id"] for ev in moved}
        items = [x for x in items if not (x[2]["type"] == "stamp" and x[2]["id"] in moved_ids)]
        # a stamp moved earlier goes before what was recorded at that minute
        items += [(ev["t"], -1, ev) for ev in moved]
        items.sort(key=lambda x: (x[0], x[1]))
    drill._open(parse_wall(dh["wall_start"]), dh)
    session = drill.live_session
    for t, _, ev in items:
        session.advance(t)
        if session.finished:
            break
        _apply(drill, ev)
    if not session.finished and events[-1]["type"] == "end":
        session.finish(events[-1]["reason"])
    return drill


def _apply(drill: LiveDrill, ev: dict) -> None:
    kind = ev["type"]
    keep = {k: v for k, v in ev.items() if k not in ("seq", "t", "type")}
    if kind == "stamp":
        drill._stamp(
            ev["milestone"],
            ev["by"],
            ev.get("note", ""),
            ev["wall"],
            sid=ev["id"],
            auto=bool(ev.get("auto")),
            was=ev.get("was"),
        )
    elif kind == "checkin":
        drill._checkin(ev["number"], ev["by"], ev["wall"])
    elif kind == "visitor":
        # the visitor's own check-in is an event of its own, replayed in its turn
        ev2 = drill.live_session.world.emit("visitor", **keep)
        drill.headcount.feed(ev2)
    elif kind == "headcount.closed":
        drill._close(ev["by"], ev.get("note", ""), ev["wall"])
    elif kind in ("stamp.corrected", "stamp.note"):
        drill._record(kind, keep)
    elif kind in RECORDS:
        drill.live_session.world.emit(kind, **keep)
    elif kind == "end":
        drill.live_session.finish(ev["reason"])


def corrected_events(plan: Plan, events: list[dict]) -> list[dict]:
    """The events a drill log means: as recorded when no stamp was corrected; otherwise played
    again with each corrected stamp at its corrected minute (so the duties that followed from it
    fall due from the corrected time too)."""
    if not events or "drill" not in events[0]:
        return events
    if not any(ev["type"] == "stamp.corrected" for ev in events):
        return events
    return replay_drill(events, plan, corrected=True).events


def same_log(a: list[dict], b: list[dict]) -> bool:
    return [dumps(e) for e in a] == [dumps(e) for e in b]


def resume_drill(
    events: list[dict],
    log_path: str | Path,
    clock: Callable[[], datetime] = local_now,
    by: str = "",
    plan: Plan | None = None,
) -> LiveDrill:
    """Continue a drill whose console or server stopped: play the log's people's part again,
    check that it gives the log as recorded, cut a torn last line, and append from there."""
    from drillsim.simulator.errors import InputError, Problem

    drill = replay_drill(events, plan)
    if not same_log(drill.events, events):
        first = next(
            (i for i, (a, b) in enumerate(zip(drill.events, events)) if dumps(a) != dumps(b)),
            min(len(drill.events), len(events)),
        )
        raise InputError(
            [
                Problem(
                    str(log_path),
                    first + 1,
                    1,
                    "the drill log does not replay to what it records from this line on "
                    "(was the scenario or the procedure changed?); not resuming",
                )
            ]
        )
    if drill.finished:
        raise InputError([Problem(str(log_path), len(events), 1, "the drill has ended")])
    good, head = encode(events)  # as the log's writer wrote them, hash chain and all
    path = Path(log_path)
    data = path.read_bytes()
    if not data.startswith(good):
        raise InputError([Problem(str(path), 1, 1, "the log changed while it was read")])
    if len(data) > len(good):  # a torn last line: keep it aside, never silently drop it
        path.with_name(path.name + ".torn").write_bytes(data[len(good) :])
        with open(path, "r+b") as f:
            f.truncate(len(good))
    drill.clock = clock
    session = drill.live_session
    session._log = LogWriter.append(path, head)
    session.world.listeners.insert(0, session._write)
    session.new_events()
    # on to now first, as before every entry: what fell due meanwhile precedes the record, as
    # it does when the log is played again (else a resumed log would not replay, nor verify)
    session.advance(drill.now())
    if session.finished:
        raise InputError([Problem(str(path), len(events), 1, "the drill has ended")])
    session.world.emit("session.resumed", by=by, wall=iso(clock()))
    return drill
