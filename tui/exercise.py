"""The exercise being played: a `Session` and what each view needs, derived from its events.

No Textual here: the screens read this object and call its methods, so the logic of play
(what reached whom, what a role may do, what is pending) is testable without a terminal.
Human actions are validated against the procedure and taken at the current simulated time
(`ScriptAction(at=now, …, wall=<wall clock>)`); the session writes every event to the log, so
the exercise replays byte for byte from its log (`simulator.replay`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from drillsim.scoring.debrief import Debrief, debrief
from drillsim.scoring.ratings import RATINGS, Ratings, TaskRating, save_ratings
from drillsim.scoring.verdicts import obligations as verdict_entries
from drillsim.scoring.verdicts import score, score_log
from drillsim.simulator.agenda import Duty
from drillsim.simulator.grading import GradeCheck, explain
from drillsim.simulator.knowledge import RoleKnowledge
from drillsim.simulator.model import ScriptAction
from drillsim.simulator.outputs import check_output
from drillsim.simulator.plan import Plan
from drillsim.simulator.session import Session

MODES = ("training", "exercise", "test")
EPS = 1e-9
HINT_SHARE, HINT_MIN = 0.2, 3.0  # a hint when this share of the duty's time (or 3 min) is left


class ActionError(Exception):
    """A player's action the procedure does not allow; `key`/`values` name the i18n message."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key, self.values = key, values


@dataclass
class InboxItem:
    t: float
    kind: str  # inject | message | failed
    incident: str
    sender: str | None = None  # message/failed: the sending role
    inject: str | None = None  # inject: its id
    channel: str | None = None
    text: str = ""
    for_role: str | None = None  # received on behalf of this (absent) role
    to: str | None = None  # failed: the recipient
    reason: str | None = None  # failed: outage | failed


@dataclass
class Sent:
    msg: int
    t: float
    to: str
    via: str
    incident: str
    status: str = "in_flight"  # in_flight | delivered | failed
    at: float | None = None
    reason: str | None = None


@dataclass
class RoleState:
    role: str
    inbox: list[InboxItem] = field(default_factory=list)
    sent: dict[int, Sent] = field(default_factory=dict)
    tasks: list[tuple[float, str, bool, str]] = field(default_factory=list)
    channel_trouble: dict[str, float] = field(default_factory=dict)
    acting_for: set[str] = field(default_factory=set)
    unread: int = 0


def wall_now() -> str:
    """The wall-clock stamp of a person's action (evidence only; replay ignores it)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def default_log_path(scenario: str, seed: int, when: datetime | None = None) -> Path:
    when = when or datetime.now()
    return Path(f"drillsim-{scenario}-{seed}-{when:%Y%m%d-%H%M%S}.jsonl")


def ratings_path(log_path: str | Path | None) -> Path | None:
    """The ratings file next to the log: `run.jsonl` -> `run.ratings.yaml`."""
    if log_path is None:
        return None
    log_path = Path(log_path)
    return log_path.with_name(log_path.stem + ".ratings.yaml")


def claim_ratings(
    log_path: str | Path | None, *, force: bool, inputs: Iterable[str | Path] = ()
) -> Path | None:
    """Check, before a new log is opened, that its ratings file may be written: not an input,
    not there already unless `force`. With `force`, call `drop_stale` once the log is opened."""
    path = ratings_path(log_path)
    if path is not None:
        check_output(path, force=force, inputs=inputs)
    return path


def drop_stale(path: Path | None) -> None:
    """The ratings of the exercise whose log was just overwritten (`--force`): removed, so that
    they are never read as the new exercise's. Only after the log is ours (locked): a log
    another process writes keeps its ratings."""
    if path is not None:
        path.unlink(missing_ok=True)


HOTWASH = ("strengths", "improvements", "feedback")


class Evaluation:
    """The evaluators' P/S/M/U ratings of critical tasks and their hotwash notes, written to the
    ratings file (`drillsim report LOG --ratings FILE`) every time one is added. Ratings are the
    evaluators' judgement: they never change the verdicts."""

    def __init__(self, plan: Plan, path: Path | None, wall_clock: Callable[[], str] = wall_now):
        self.plan, self.path, self.wall_clock = plan, path, wall_clock
        self.ratings = Ratings(scenario=plan.scenario.id)

    def targets(self) -> list[tuple[str, str | None]]:
        """What can be rated: each objective (as a whole), then its critical tasks."""
        out: list[tuple[str, str | None]] = []
        for obj in self.plan.scenario.objectives:
            out.append((obj.id, None))
            out += [(obj.id, ob) for ob in obj.obligations]
        return out

    def rating_of(self, objective: str, obligation: str | None) -> TaskRating | None:
        for r in self.ratings.tasks:
            if (r.objective, r.obligation, r.incident) == (objective, obligation, None):
                return r
        return None

    def rate(
        self,
        objective: str | None,
        obligation: str | None,
        rating: str | None,
        observation: str = "",
    ) -> TaskRating:
        if (objective, obligation) not in self.targets():
            raise ActionError("err_rate_target")
        if rating not in RATINGS:
            raise ActionError("err_rate_rating")
        item = TaskRating(
            objective=objective,
            obligation=obligation,
            rating=rating,
            observation=observation.strip(),
        )
        tasks = [
            r
            for r in self.ratings.tasks
            if (r.objective, r.obligation, r.incident) != (objective, obligation, None)
        ]
        order = self.targets()
        tasks.append(item)
        tasks.sort(
            key=lambda r: (
                order.index((r.objective, r.obligation))
                if (r.objective, r.obligation) in order
                else len(order)
            )
        )
        self.ratings.tasks = tasks
        self.save()
        return item

    def note(self, kind: str | None, text: str) -> None:
        if kind not in HOTWASH:
            raise ActionError("err_hotwash_kind")
        if not text.strip():
            raise ActionError("err_hotwash_text")
        h = self.ratings.hotwash
        notes = {"strengths": h.strengths, "improvements": h.improvements, "feedback": h.feedback}
        notes[kind].append(text.strip())
        self.save()

    def save(self) -> None:
        if self.ratings.date is None:
            try:
                self.ratings.date = datetime.fromisoformat(self.wall_clock()).date()
            except (TypeError, ValueError):
                pass
        if self.path is not None:
            save_ratings(self.path, self.ratings)

    @property
    def saved(self) -> bool:
        return self.path is not None and self.path.exists()


class Exercise:
    def __init__(
        self,
        plan: Plan,
        humans: Iterable[str] = (),
        mode: str = "exercise",
        seed: int = 1,
        log_path: str | Path | None = None,
        wall_clock: Callable[[], str] = wall_now,
        session: Session | None = None,
        force: bool = False,
    ):
        """`session`: one made elsewhere (the session server's, or a client's remote one);
        by default a new in-process Session writing `log_path`."""
        proc = plan.procedure
        humans = list(dict.fromkeys(humans))
        unknown = [r for r in humans if r not in proc.roles]
        if unknown:
            raise ValueError(
                f"unknown roles: {', '.join(unknown)} (the plan has: {', '.join(proc.roles)})"
            )
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: one of {', '.join(MODES)}")
        self.plan, self.proc, self.sc = plan, proc, plan.scenario
        self.humans, self.mode, self.seed = humans, mode, seed
        self.log_path = Path(log_path) if log_path else None
        self.wall_clock = wall_clock
        players = {r: "human" if r in humans else "bot" for r in proc.roles}
        if session is None:  # a new log here: its ratings file must be free too
            stale = claim_ratings(self.log_path, force=force, inputs=plan.files)
            session = Session(plan, seed, players, log_path=self.log_path, force=force)
            if force:
                drop_stale(stale)
        self.session = session
        self.roles = {r: RoleState(r) for r in humans}
        # what each played role could know: its own list of duties (simulator.knowledge)
        self.knowledge = {r: RoleKnowledge(plan, r) for r in humans}
        self.feedback: dict[str, tuple[float, str, GradeCheck]] = {}  # role -> its last grade
        self.absent: set[str] = set()
        self.acting: dict[str, str] = {}
        self.held: dict[str, list[dict]] = {}  # injects waiting for an absent human role
        self.inject_state: dict[
            str, tuple[str, float, str | None]
        ] = {}  # id -> (delivered|skipped, t, by)
        self.declared: dict[str, dict] = {}  # incident -> last grade/classify event
        self.true_level: dict[str, int] = {}
        self.events_seen = 0
        self.end_reason: str | None = None
        self._result: dict | None = None
        self.evaluation = Evaluation(plan, ratings_path(self.log_path), wall_clock)
        self._feed(self.session.new_events())
        self.advance(0.0)  # what happens at minute 0 (the first injects) is there from the start

    # --- the clock -------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.session.now

    @property
    def finished(self) -> bool:
        return self.session.finished

    @property
    def duration(self) -> float:
        return self.sc.duration_min

    def advance(self, to: float) -> list[dict]:
        """Run the simulation to minute `to`. Times are rounded to the log's precision (6 places)
        so that an action taken now is stamped with exactly the time a replay advances to."""
        if self.session.finished:
            return []
        to = round(max(to, self.now), 6)
        events = self._feed(self.session.advance(to))
        for k in self.knowledge.values():
            k.advance(self.now)
        return events

    def advance_by(self, minutes: float) -> list[dict]:
        return self.advance(self.now + minutes)

    def next_inject(self) -> tuple[float, str] | None:
        """The next pending timed (or contingency) inject after now: (time, id)."""
        pending = [
            (inj.at, jid)
            for jid, inj in self.sc.injects.items()
            if inj.at is not None and jid not in self.inject_state and inj.at > self.now + EPS
        ]
        return min(pending) if pending else None

    def step_to_next_inject(self) -> tuple[float, str] | None:
        nxt = self.next_inject()
        if nxt is not None:
            self.advance(nxt[0])
        return nxt

    # --- the facilitator -------------------------------------------------------------------
    def trigger(self, jid: str) -> list[dict]:
        self._check_running()
        if jid not in self.sc.injects or jid in self.inject_state:
            raise ActionError("inject_settled")
        return self._feed(self.session.trigger_inject(jid))

    def skip(self, jid: str) -> list[dict]:
        self._check_running()
        if jid not in self.sc.injects or jid in self.inject_state:
            raise ActionError("inject_settled")
        return self._feed(self.session.skip_inject(jid))

    def end(self, reason: str = "facilitator") -> list[dict]:
        if not self.session.finished:
            self.session.finish(reason)
        return self._feed(self.session.new_events())

    def msel(self) -> list[dict]:
        out = []
        for jid, inj in self.sc.injects.items():
            state, t, by = self.inject_state.get(jid, ("pending", None, None))
            out.append(
                {
                    "id": jid,
                    "at": inj.at,
                    "when": inj.when,
                    "contingency": inj.unless_by is not None,
                    "phase": inj.phase,
                    "to": list(inj.to),
                    "state": state,
                    "t": t,
                    "by": by,
                }
            )
        return out

    # --- what a role may do ------------------------------------------------------------------
    def covers(self, role: str) -> list[str]:
        """The role and every role it stands in for as deputy (directly or down the chain)."""
        out, todo = [role], [role]
        while todo:
            cur = todo.pop()
            for r, spec in self.proc.roles.items():
                if spec.deputy == cur and r not in out:
                    out.append(r)
                    todo.append(r)
        return out

    def allowed(self, role: str) -> list[str]:
        """Kinds of action the procedure gives this role (report is always possible)."""
        kinds = {"report"}
        mine = set(self.covers(role))
        for ob in self.proc.obligations.values():
            if ob.role in mine:
                kinds.add(ob.action.do)
        return [k for k in ("report", "grade", "classify", "task") if k in kinds]

    def tasks_for(self, role: str) -> list[str]:
        mine = set(self.covers(role))
        wanted = {
            ob.action.task
            for ob in self.proc.obligations.values()
            if ob.role in mine and ob.action.do == "task"
        }
        return [t for t in self.proc.tasks if t in wanted]

    def matrix(self) -> tuple[list[str], list[str], list[str]]:
        """For a matrix grading: impact values, urgency values (as the cells have them), categories."""
        g = self.proc.grading
        if g is None or g.kind != "matrix":
            return [], [], []
        rows = list(g.cells)
        cols = list(dict.fromkeys(c for row in g.cells.values() for c in row))
        row_attr, col_attr = self.proc.attributes.get(g.row), self.proc.attributes.get(g.column)
        if row_attr is not None and row_attr.values:
            rows = [v for v in row_attr.values if v in rows] or rows
        if col_attr is not None and col_attr.values:
            cols = [v for v in col_attr.values if v in cols] or cols
        cat = self.proc.attributes.get("category")
        cats = (
            [v for v in (cat.values or []) if v != "unclassified"]
            if cat is not None and cat.type == "text"
            else []
        )
        # the engine reads cells[urgency][impact]: urgency is the row, impact the column
        return cols, rows, cats

    def matrix_level(self, impact: str, urgency: str) -> int:
        g = self.proc.grading
        return (
            g.cells.get(urgency, {}).get(impact, 0) if g is not None and g.kind == "matrix" else 0
        )

    def default_incident(self, role: str) -> str:
        state = self.roles.get(role)
        if state is not None and state.inbox:
            return state.inbox[-1].incident
        return next(iter(self.sc.incidents))

    # --- human actions -------------------------------------------------------------------------
    def _check_running(self):
        if self.session.finished:
            raise ActionError("err_ended")

    def _check_role(self, role: str, kind: str):
        self._check_running()
        if role not in self.roles:
            raise ActionError("err_not_playing", role=role)
        if kind not in self.allowed(role):
            raise ActionError("err_not_allowed", role=role)

    def _incident(self, incident: str | None, role: str) -> str:
        if incident is None:
            if len(self.sc.incidents) > 1:
                raise ActionError("err_incident")
            return next(iter(self.sc.incidents))
        if incident not in self.sc.incidents:
            raise ActionError("err_incident")
        return incident

    def _submit(self, role: str, do: str, incident: str, **fields) -> list[dict]:
        action = ScriptAction(
            at=self.now, role=role, do=do, incident=incident, wall=self.wall_clock(), **fields
        )
        return self._feed(self.session.submit(action))

    def act(self, do: str, role: str, **fields) -> list[dict]:
        """A player's action of kind `do` (report, grade, classify or task)."""
        actions: dict[str, Callable[..., list[dict]]] = {
            "report": self.report,
            "grade": self.grade,
            "classify": self.classify,
            "task": self.task,
        }
        return actions[do](role, **fields)

    def report(
        self, role: str, to: list[str], via: str | None, incident: str | None = None, text: str = ""
    ) -> list[dict]:
        self._check_role(role, "report")
        to = list(dict.fromkeys(to or []))
        if not to:
            raise ActionError("err_no_recipient")
        for r in to:
            if r == role:
                raise ActionError("err_self")
            if r not in self.proc.roles:
                raise ActionError("err_unknown_role", role=r)
        if not via:
            raise ActionError("err_no_channel")
        if via not in self.proc.channels:
            raise ActionError("err_unknown_channel", channel=via)
        inc = self._incident(incident, role)
        return self._submit(
            role, "report", inc, to=to, via=via, **({"text": text.strip()} if text.strip() else {})
        )

    def grade(self, role: str, level: int | None, incident: str | None = None) -> list[dict]:
        self._check_role(role, "grade")
        levels = sorted(self.proc.grading.levels) if self.proc.grading else []
        if level not in levels:
            raise ActionError("err_level", levels=", ".join(map(str, levels)))
        inc = self._incident(incident, role)
        assert level is not None  # one of the levels
        events = self._submit(role, "grade", inc, level=level)
        self._check_grade(role, inc, level)
        return events

    def _check_grade(self, role: str, inc: str, level: int) -> None:
        """The declared level against the facts as they stand now, kept for the feedback."""
        attrs = self.session.world.attrs[inc]
        self.feedback[role] = (self.now, inc, explain(self.proc, attrs, level))

    def classify(
        self,
        role: str,
        impact: str | None,
        urgency: str | None,
        category: str | None = None,
        incident: str | None = None,
    ) -> list[dict]:
        self._check_role(role, "classify")
        impacts, urgencies, categories = self.matrix()
        if impact not in impacts:
            raise ActionError("err_impact", values=", ".join(impacts))
        if urgency not in urgencies:
            raise ActionError("err_urgency", values=", ".join(urgencies))
        if category is not None and category not in categories:
            raise ActionError("err_category", values=", ".join(categories))
        extra = {"category": category} if category is not None else {}
        inc = self._incident(incident, role)
        events = self._submit(role, "classify", inc, impact=impact, urgency=urgency, **extra)
        self._check_grade(role, inc, self.matrix_level(impact, urgency))
        return events

    def task(self, role: str, task: str | None, incident: str | None = None) -> list[dict]:
        self._check_role(role, "task")
        if task not in self.tasks_for(role):
            raise ActionError("err_task")
        return self._submit(role, "task", self._incident(incident, role), task=task)

    def perform(self, action: ScriptAction) -> list[dict]:
        """A scripted action as it stands (an actions file played into a served session): taken
        now, as `drillsim run` takes it, without the console's checks of what the role may do."""
        self._check_running()
        return self._feed(self.session.submit(action.model_copy(update={"at": self.now})))

    # --- duties --------------------------------------------------------------------------------
    @property
    def agenda(self):
        return self.session.world.agenda

    def open_duties(self, role: str) -> list[Duty]:
        """The role's duties not met yet, as the role can know them: those that follow from what
        was delivered to it and what it declared (simulator.knowledge), in order of deadline.
        Duties that fell due on facts it was not told still count in the score."""
        return self.knowledge[role].open_duties(self.agenda.acting)

    def done_duties(self, role: str) -> list[Duty]:
        return self.knowledge[role].done_duties(self.agenda.acting)

    def real_of(self, role: str, occ: Duty) -> Duty | None:
        """The facts' duty a duty of the role's list is (None: the facts did not call for it)."""
        return self.knowledge[role].real_of(occ)

    def failed_channels(self, role: str) -> set[str]:
        """Channels this role has seen down: hints never suggest them."""
        return set(self.roles[role].channel_trouble)

    def needs_hint(self, occ: Duty) -> bool:
        """Training: a duty not met with little of its time left (or already overdue)."""
        left = occ.deadline_at - self.now
        return left <= max(HINT_MIN, HINT_SHARE * (occ.deadline_at - occ.triggered_at))

    def still_needed(self, occ: Duty) -> list[tuple[str, list[str]]]:
        """A report duty's (recipient, channels that count) not yet sent, as the agenda counts them."""
        act = self.proc.obligations[occ.obligation].action
        if act.do != "report":
            return []
        chans = self.proc.channels
        if act.via_mode == "all":
            groups = [[c, *chans[c].alternatives] for c in act.via]
        else:
            groups = [
                list(
                    dict.fromkeys([*act.via, *(a for c in act.via for a in chans[c].alternatives)])
                )
            ]
        needs = [(r, g) for r in act.to for g in groups]
        return [n for i, n in enumerate(needs) if i not in occ.sent]

    # --- verdicts ------------------------------------------------------------------------------
    def live_verdicts(self) -> list[dict]:
        """The verdict entries as they stand now (scoring's own code over the events so far)."""
        return verdict_entries(self.plan, self.session.events, self.now)

    def result(self) -> dict:
        """The score of the events (the same function `drillsim score` applies to the log)."""
        if self._result is None or not self.session.finished:
            self._result = score(self.plan, self.session.events)
        return self._result

    def debrief(self) -> Debrief:
        """The played roles' duties one by one, and their grades (scoring.debrief)."""
        return debrief(self.plan, self.session.events, self.humans, self.result()["end_min"])

    def record_session(self, name: str) -> Path:
        """Add this session to the trainee's record (scoring.trainee), once, at the end."""
        from drillsim.scoring import trainee

        entry = trainee.session_entry(
            self.plan,
            self.result(),
            self.humans,
            self.mode,
            self.wall_clock(),
            str(self.log_path) if self.log_path else None,
        )
        return trainee.add_session(name, entry)

    def saved_result(self) -> dict | None:
        """`drillsim score` of the saved log (None if no log was written)."""
        if self.log_path is None or not self.log_path.exists():
            return None
        return score_log(self.log_path)

    # --- events -> what each view knows ------------------------------------------------------------
    def _feed(self, events: list[dict]) -> list[dict]:
        knowledge = self.knowledge.values()
        for ev in events:
            self._take(ev)
            for k in knowledge:
                k.feed(ev)
        self.events_seen += len(events)
        return events

    def _add(self, role: str, item: InboxItem):
        state = self.roles[role]
        state.inbox.append(item)
        state.unread += 1

    def _take(self, ev: dict):
        kind, t = ev["type"], ev["t"]
        humans = self.roles
        if kind == "absent":
            self.absent.add(ev["role"])
        elif kind == "returned":
            role = ev["role"]
            self.absent.discard(role)
            for inj in self.held.pop(role, []):
                self._inject_item(role, inj, t, None)
        elif kind == "handover":
            role, to = ev["role"], ev["to"]
            if to == role:
                old = self.acting.pop(role, None)
                if old in humans:
                    humans[old].acting_for.discard(role)
            else:
                self.acting[role] = to
                self.held.pop(role, None)  # the engine delivers them to the deputy now
                if to in humans:
                    humans[to].acting_for.add(role)
        elif kind == "inject":
            self.inject_state[ev["inject"]] = ("delivered", t, ev.get("by"))
            for role in ev["to"]:
                if role not in humans:
                    continue
                if role not in self.absent:
                    self._inject_item(role, ev, t, None)
                elif role not in self.acting:
                    self.held.setdefault(role, []).append(ev)
        elif kind == "inject.delivered":
            who = ev["delivered_to"]
            if who in humans:
                inject_ev = {
                    "inject": ev["inject"],
                    "incident": ev["incident"],
                    "channel": self.sc.injects[ev["inject"]].channel,
                }
                self._inject_item(who, inject_ev, t, ev["to"])
        elif kind == "inject.skipped":
            self.inject_state[ev["inject"]] = ("skipped", t, ev.get("by"))
        elif kind == "message.sent":
            if ev["from"] in humans:
                humans[ev["from"]].sent[ev["msg"]] = Sent(
                    ev["msg"], t, ev["to"], ev["via"], ev["incident"]
                )
        elif kind == "message.delivered":
            who = ev["delivered_to"]
            if who in humans:
                self._add(
                    who,
                    InboxItem(
                        t,
                        "message",
                        ev["incident"],
                        sender=ev["from"],
                        channel=ev["via"],
                        text=ev.get("text", ""),
                        for_role=ev["to"] if ev["to"] != who else None,
                    ),
                )
            sent = humans[ev["from"]].sent.get(ev["msg"]) if ev["from"] in humans else None
            if sent is not None:
                sent.status, sent.at = "delivered", t
        elif kind == "message.failed":
            sender = ev["from"]
            if sender in humans:
                state = humans[sender]
                sent = state.sent.get(ev["msg"])
                if sent is not None:
                    sent.status, sent.at, sent.reason = "failed", t, ev["reason"]
                if ev["reason"] == "outage":
                    state.channel_trouble[ev["via"]] = t
                self._add(
                    sender,
                    InboxItem(
                        t,
                        "failed",
                        ev["incident"],
                        sender=sender,
                        channel=ev["via"],
                        to=ev["to"],
                        reason=ev["reason"],
                    ),
                )
        elif kind == "task":
            if ev["actor"] in humans:
                humans[ev["actor"]].tasks.append((t, ev["task"], ev["success"], ev["incident"]))
        elif kind in ("grade", "classify"):
            self.declared[ev["incident"]] = ev
        elif kind == "level":
            self.true_level[ev["incident"]] = ev["level"]
        elif kind == "end":
            self.end_reason = ev["reason"]

    def _inject_item(self, role: str, ev: dict, t: float, for_role: str | None):
        self._add(
            role,
            InboxItem(
                t,
                "inject",
                ev["incident"],
                inject=ev["inject"],
                channel=ev.get("channel"),
                for_role=for_role,
            ),
        )
