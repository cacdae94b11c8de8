"""`drillsim join URL --token T` on a live drill: the drill console of `drillsim drill`, as a
client of the session server.

The console (tui.drill_console.DrillConsole) reads a drill and calls its methods. Here the
drill is a `RemoteDrill`: what the console reads is rebuilt from the events the server sends
(the headcount by the same `Headcount`, the verdicts by the same scoring function); what the
console asks for — a stamp, a check-in, a correction — goes to the server as an intent and
comes back as a reply (an asyncio future), because the server, not this machine, says when it
happened and who did it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from drillsim.simulator.drill.headcount import EVENTS
from drillsim.simulator.drill.live import DrillError, DrillOutline, iso, parse_wall
from drillsim.simulator.drill.roster import Person, Roster, find
from drillsim.simulator.plan import Plan
from drillsim.tui import drill_console
from drillsim.tui.drill_console import DrillConsole

from .client import JoinError, Link


class RemoteDrill(DrillOutline):
    """What the drill console reads of a LiveDrill, fed by the server; intents sent to it."""

    def __init__(self, plan: Plan, roster: Roster, send):
        super().__init__(plan, roster)
        self._send = send
        self.events: list[dict] = []
        self.stamps: dict[str, dict] = {}
        self.corrections: dict[str, list[dict]] = {}
        self.session = SimpleNamespace(now=0.0)  # the server's clock
        self.finished = False
        self.live: dict | None = None  # the server's verdicts and headcount

    @property
    def started(self) -> bool:
        return self.wall_start is not None

    def receive(self, msg: dict) -> None:
        for ev in msg["events"]:
            self.events.append(ev)
            kind = ev["type"]
            if kind == "start" and "drill" in ev:
                self.wall_start = parse_wall(ev["drill"]["wall_start"])
            elif kind in EVENTS:
                self.headcount.feed(ev)
            elif kind == "stamp":
                self.stamps[ev["id"]] = ev
            elif kind == "stamp.corrected":
                self.corrections.setdefault(ev["stamp"], []).append(ev)
            elif kind == "end":
                self.finished = True
        clock = msg.get("clock") or {}
        self.session.now = float(clock.get("now", self.session.now))
        self.finished = self.finished or bool(clock.get("finished"))
        if msg.get("live") is not None:
            self.live = msg["live"]

    # --- read as the console reads a LiveDrill ---------------------------------------------
    def wall_of(self, minute: float) -> datetime:
        assert self.wall_start is not None
        return self.wall_start + timedelta(minutes=minute)

    def corrected_minute(self, sid: str) -> float:
        fixes = self.corrections.get(sid)
        return fixes[-1]["at"] if fixes else self.stamps[sid]["t"]

    def find(self, query: str, limit: int = 20) -> list[Person]:
        return find(self.headcount.people.values(), query, limit)

    def tick(self) -> list[dict]:
        return []  # the server's clock: it sends the time

    def close(self) -> None:
        pass  # the log is the server's

    # --- intents: the server stamps them on its clock and records who sent them -------------
    def _intent(self, do: str, **fields) -> asyncio.Future:
        return self._send({"type": "drill", "do": do, **fields})

    def stamp(self, key_or_id: str, by: str, note: str = "") -> asyncio.Future:
        m = self.by_key.get(key_or_id) or self.by_id.get(key_or_id)
        if m is not None and m.id == self.alarm and not self.started:
            return self._send({"type": "start"})
        return self._intent("stamp", milestone=key_or_id, note=note)

    def correct(self, sid: str, when: datetime, by: str, note: str = "") -> asyncio.Future:
        return self._intent("correct", stamp=sid, at_wall=iso(when), note=note)

    def note(self, sid: str, text: str, by: str) -> asyncio.Future:
        return self._intent("note", stamp=sid, note=text)

    def checkin(self, number: str, by: str) -> asyncio.Future:
        return self._intent("checkin", number=number)

    def add_visitor(
        self, name: str, kind: str, by: str, company: str = "", area: str = "", present=True
    ) -> asyncio.Future:
        if kind not in ("visitor", "contractor"):  # as LiveDrill says it, before sending
            raise DrillError("bad_visitor_kind", kind=kind)
        if not name.strip():
            raise DrillError("visitor_needs_name")
        return self._intent(
            "visitor", name=name, category=kind, company=company, area=area, present=present
        )

    def close_headcount(self, by: str, note: str = "") -> asyncio.Future:
        return self._intent("close", note=note)

    def end(self, by: str) -> asyncio.Future:
        return self._send({"type": "end"})


class DrillClientConsole(DrillConsole):
    """The drill console over a Link: the server's clock, the server's log."""

    CSS_PATH = str(Path(drill_console.__file__).with_name("drill.tcss"))  # the console's own

    def __init__(self, url: str, token: str, welcome: dict, plan: Plan, lang: str, name=None):
        self.link = Link(url, token, self.on_server, name=name)
        roster = Roster.from_log(welcome["roster"])
        drill = RemoteDrill(plan, roster, self._send)
        super().__init__(
            drill,  # the LiveDrill interface the console reads
            evaluator=welcome["by"],
            lang=lang,
            tick_interval=None,
            log_label=url,
        )
        self.remote = drill
        self.problems: list[str] = []

    def _send(self, msg: dict) -> asyncio.Future:
        return asyncio.ensure_future(self.link.send(msg))

    def on_mount(self) -> None:
        # (Textual runs DrillConsole.on_mount too: the table and the view are its)
        self.run_worker(self._run_link(), exclusive=True, group="link")

    async def _run_link(self) -> None:
        try:
            await self.link.run()
        except (JoinError, ConnectionError) as exc:
            self.problems.append(f"join: {exc}")
            self.exit(return_code=2)

    def on_server(self, msg: dict) -> None:
        if msg["type"] == "events":
            self.remote.receive(msg)
            self.refresh_view()

    def action_leave(self) -> None:
        self.link.close()
        self.exit(return_code=0)


def run_drill_console(url: str, token: str, welcome: dict, lang: str, name=None) -> int:
    import sys

    from drillsim.simulator.loader import load_plan

    plan = load_plan(welcome["scenario"], welcome.get("variants", []))
    app = DrillClientConsole(url, token, welcome, plan, lang, name=name)
    app.run()
    app.link.close()
    for p in app.problems:
        print(f"drillsim {p}", file=sys.stderr)
    return 2 if app.problems else 0
