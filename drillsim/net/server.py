"""`drillsim serve`'s network side: aiohttp WebSockets carrying protocol messages to a Room.

One asyncio loop owns the room, so messages and clock ticks never interleave inside the
simulation. Each connection has its own outgoing queue and writer task: a slow client falls
behind (and is dropped past a bound) without holding the others up. The first message of a
connection must be a `hello` with a token (or a join code); repeated failures from one address
are refused for a while.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import protocol as P
from .room import Refused, Room
from .tokens import norm_code
from .views import ROLE, Who, visible

if TYPE_CHECKING:
    from .drill_room import DrillRoom

TICK_S = 0.05
# while the clock runs, a client is sent the moving clock alone at most this often (5 a second:
# its display counts seconds); events, and any other change of the clock, go at once
CLOCK_EVERY_S = 0.2
MAX_FAILS, FAIL_WINDOW_S = 10, 60.0  # failed hellos per address, then refused for the window
QUEUE_MAX = 2000  # messages waiting for a slow client before it is dropped
WIRE_MAX = 4 * 1024 * 1024  # frames above this are refused by aiohttp itself (close 1009)


@dataclass(eq=False)
class Conn:
    ws: web.WebSocketResponse
    who: Who
    client: str
    see: Callable[[dict], bool]
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    clock: dict | None = None
    clock_at: float = 0.0  # when the clock was last sent (time.monotonic)
    writer: asyncio.Task | None = None


class SessionServer:
    def __init__(self, room: Room | DrillRoom, tokens: dict[str, Who], codes: dict[str, Who]):
        self.room, self.tokens, self.codes = room, tokens, codes
        self.conns: set[Conn] = set()
        self.fails: dict[str, deque] = {}
        self.script_clients: dict[str, int] = {}
        self._clock_task: asyncio.Task | None = None
        self._result_sent = False
        self._announced_start = room.started
        self.app = web.Application()
        self.app.router.add_get("/ws", self.websocket)
        self.app.router.add_get("/", self.index)
        self.app.on_startup.append(self._on_startup)
        self.app.on_shutdown.append(self._on_shutdown)

    # --- lifecycle ----------------------------------------------------------------------------
    async def _on_startup(self, _app) -> None:
        self._clock_task = asyncio.create_task(self._clock())

    async def _on_shutdown(self, _app) -> None:
        if self._clock_task is not None:
            self._clock_task.cancel()
        for conn in list(self.conns):
            await conn.ws.close()
        self.room.close()

    async def index(self, _request) -> web.Response:
        return web.Response(
            text="drillsim session server: join with `drillsim join URL --token TOKEN`\n"
        )

    async def _clock(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(TICK_S)
            now = time.monotonic()
            self.room.tick(now - last)
            last = now
            self.flush()

    # --- sending ------------------------------------------------------------------------------
    def send(self, conn: Conn, msg: dict) -> None:
        self.send_text(conn, P.dump(msg))

    def send_text(self, conn: Conn, text: str) -> None:
        if conn.queue.qsize() > QUEUE_MAX:
            asyncio.ensure_future(conn.ws.close(message=b"too slow"))
            return
        conn.queue.put_nowait(text)

    async def _write(self, conn: Conn) -> None:
        try:
            while True:
                text = await conn.queue.get()
                await conn.ws.send_str(text)
        except (ConnectionError, RuntimeError, asyncio.CancelledError):
            pass

    def flush(self) -> None:
        """The new events (on disk by now) to everyone who may see them, with the clock."""
        room = self.room
        events = room.drain()
        clock = room.clock_state()
        result = room.result() if room.finished and not self._result_sent else None
        live = room.live_state()  # (a drill's is cached until an event or the second changes)
        stamp = time.monotonic()
        encoded: dict[tuple[int, ...], str] = {}  # who sees the same events gets the same text
        for conn in list(self.conns):
            mine = [i for i, ev in enumerate(events) if conn.see(ev)] if events else []
            # a drill's live state (verdicts, headcount) changes with any event, seen or not
            changed = live is not None and bool(events)
            if mine or changed or result is not None or self._clock_due(conn, clock, stamp):
                key = tuple(mine)
                if key not in encoded:
                    msg: dict[str, Any] = {
                        "type": "events",
                        "events": [events[i] for i in mine],
                        "clock": clock,
                    }
                    if result is not None:
                        msg["result"] = result
                    if live is not None:
                        msg["live"] = live
                    encoded[key] = P.dump(msg)
                self.send_text(conn, encoded[key])
                conn.clock, conn.clock_at = clock, stamp
        if result is not None:
            self._result_sent = True

    @staticmethod
    def _clock_due(conn: Conn, clock: dict, stamp: float) -> bool:
        """Whether `conn` should be sent the clock now (see CLOCK_EVERY_S)."""
        if clock == conn.clock:
            return False
        before = conn.clock or {}
        only_moved = clock.get("running") and all(
            v == before.get(k) for k, v in clock.items() if k != "now"
        )
        return not only_moved or stamp - conn.clock_at >= CLOCK_EVERY_S

    def people(self) -> dict:
        out = self.room.people()
        for role, info in out["roles"].items():
            scripts = self.script_clients.get(role, 0)
            info["script"] = scripts > 0
            info["ready"] = bool(info["present"]) and (role in self.room.scripted or not scripts)
        return {"type": "people", **out}

    def announce_people(self) -> None:
        msg = self.people()
        for conn in list(self.conns):
            if conn.who.sees_all:
                self.send(conn, msg)

    def welcome(self, conn: Conn, have: int) -> None:
        room = self.room
        self.send(
            conn,
            {
                "type": "welcome",
                "kind": conn.who.kind,
                "role": conn.who.role,
                "scenario": room.plan.ref,
                "variants": list(room.plan.variants),
                "seed": room.seed if isinstance(room.seed, int) else 0,
                "mode": room.mode,
                "humans": room.humans,
                "players": room.players,
                "clock": room.clock_state(),
                **room.welcome_fields(conn.who),
            },
        )
        backlog = room.backlog(conn.who, have)
        msg: dict[str, Any] = {"type": "events", "events": backlog, "clock": room.clock_state()}
        if room.finished:
            msg["result"] = room.result()
        live = room.live_state()
        if live is not None:
            msg["live"] = live
        self.send(conn, msg)
        conn.clock = room.clock_state()
        if conn.who.sees_all:
            self.send(conn, self.people())

    # --- one connection -------------------------------------------------------------------------
    def _refused_address(self, addr: str) -> bool:
        q = self.fails.get(addr)
        if not q:
            return False
        cutoff = time.monotonic() - FAIL_WINDOW_S
        while q and q[0] < cutoff:
            q.popleft()
        return len(q) >= MAX_FAILS

    def _failed(self, addr: str) -> None:
        self.fails.setdefault(addr, deque()).append(time.monotonic())

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=WIRE_MAX, heartbeat=30)
        await ws.prepare(request)
        addr = request.remote or "?"
        conn: Conn | None = None

        async def reply(msg: dict) -> None:
            if conn is not None:
                self.send(conn, msg)
            else:
                await ws.send_str(P.dump(msg))

        try:
            async for frame in ws:
                if frame.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                try:
                    msg = P.parse(frame.data)
                except P.BadMessage as exc:
                    await reply({"type": "error", "message": str(exc)})
                    continue
                if conn is None:
                    if not isinstance(msg, P.Hello):
                        await reply({"type": "error", "ref": msg.ref, "message": "hello first"})
                        continue
                    if self._refused_address(addr):
                        await reply({"type": "error", "message": "too many failed attempts"})
                        break
                    who = self.tokens.get(msg.token) or self.codes.get(norm_code(msg.token))
                    if who is None:
                        self._failed(addr)
                        await reply({"type": "error", "ref": msg.ref, "message": "unknown token"})
                        continue
                    try:
                        who = self.room.admit(who, msg.name)
                    except Refused as exc:
                        err: dict[str, Any] = {
                            "type": "error",
                            "ref": msg.ref,
                            "message": str(exc),
                            "fatal": True,
                        }
                        if exc.key:
                            err.update(key=exc.key, values=exc.values)
                        await reply(err)
                        break
                    conn = Conn(ws, who, msg.client, visible(who, self.room.proc))
                    conn.writer = asyncio.create_task(self._write(conn))
                    self.conns.add(conn)
                    if msg.client == "script" and who.kind == ROLE and who.role is not None:
                        self.script_clients[who.role] = self.script_clients.get(who.role, 0) + 1
                    self.room.join(who, msg.client)
                    self.welcome(conn, msg.have)
                    self.announce_people()
                    continue
                if isinstance(msg, P.Hello):
                    self.send(conn, {"type": "error", "ref": msg.ref, "message": "joined already"})
                elif isinstance(msg, P.Sync):
                    self._sync(conn, msg)
                else:
                    try:
                        out = self.room.handle(conn.who, msg)
                    except Refused as exc:
                        err = {"type": "error", "ref": msg.ref, "message": str(exc)}
                        if exc.key:
                            err.update(key=exc.key, values=exc.values)
                        self.send(conn, err)
                    else:
                        self.send(conn, {"type": "ok", "ref": msg.ref, **out})
                    if self.room.started and not self._announced_start:
                        self._started()
                    if msg.type == "script":
                        self.announce_people()
                self.flush()
        finally:
            if conn is not None:
                self.conns.discard(conn)
                if conn.client == "script" and conn.who.kind == ROLE and conn.who.role is not None:
                    self.script_clients[conn.who.role] -= 1
                self.room.leave(conn.who)
                if conn.writer is not None:
                    conn.writer.cancel()
                self.announce_people()
                self.flush()
        return ws

    def _started(self) -> None:
        self._announced_start = True
        room = self.room
        msg = {"type": "started", "humans": room.humans, "players": room.players}
        for conn in list(self.conns):
            self.send(conn, msg)
        self.announce_people()

    def _sync(self, conn: Conn, msg: P.Sync) -> None:
        who = conn.who
        if msg.role is not None and (who.kind != ROLE or msg.role != who.role):
            self.send(
                conn,
                {
                    "type": "error",
                    "ref": msg.ref,
                    "message": f"this token may not read {msg.role}'s inbox",
                },
            )
            return
        events = self.room.backlog(who, msg.have)
        self.send(conn, {"type": "events", "ref": msg.ref, "events": events, "sync": True})


async def start_server(server: SessionServer, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(server.app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    await site.start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    return runner.addresses[0][1]
