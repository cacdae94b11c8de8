"""The server is the authority: a token acts only as itself, garbage never harms the session."""

from __future__ import annotations

import asyncio
import json

import aiohttp

from drillsim.net.protocol import MAX_FRAME
from drillsim.scoring.verdicts import read_log

from .conftest import Served, bounded


class Raw:
    """A bare WebSocket participant: sends frames as given and reads the replies."""

    def __init__(self, http, url):
        self.http, self.url = http, url.replace("http://", "ws://") + "/ws"

    async def __aenter__(self):
        self.ws = await self.http.ws_connect(self.url, max_msg_size=0)
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def send(self, obj) -> None:
        await self.ws.send_str(obj if isinstance(obj, str) else json.dumps(obj))

    async def until(self, kind: str, ref=None) -> dict:
        while True:
            msg = await bounded(self.ws.receive_json(), 10)
            if msg["type"] == kind and (ref is None or msg.get("ref") == ref):
                return msg

    async def hello(self, token: str) -> dict:
        await self.send({"type": "hello", "token": token})
        return await self.until("welcome")

    async def ask(self, msg: dict, ref: int) -> dict:
        await self.send({**msg, "ref": ref})
        while True:
            reply = await bounded(self.ws.receive_json(), 10)
            if reply["type"] in ("ok", "error") and reply.get("ref") == ref:
                return reply


def test_a_role_token_cannot_act_as_another_role_read_its_inbox_or_move_the_clock(tmp_path):
    log = tmp_path / "s.jsonl"

    async def play():
        served = await Served.start(log, others="bot")
        join = served.join
        try:
            async with aiohttp.ClientSession() as http:
                async with Raw(http, served.url) as fac, Raw(http, served.url) as ds:
                    await fac.hello(join["facilitator"])
                    welcome = await ds.hello(join["roles"]["ops_dept"])
                    assert welcome["kind"] == "role" and welcome["role"] == "ops_dept"
                    assert (await fac.ask({"type": "start"}, 1))["type"] == "ok"
                    # acting as another role
                    r = await ds.ask(
                        {"type": "act", "do": "task", "task": "verify", "role": "duty_supervisor"},
                        2,
                    )
                    assert r["type"] == "error" and "cannot act as duty_supervisor" in r["message"]
                    # reading another role's inbox
                    r = await ds.ask({"type": "sync", "role": "vp"}, 3)
                    assert r["type"] == "error" and "vp" in r["message"]
                    # moving the clock, triggering an inject, ending
                    for i, msg in enumerate(
                        [
                            {"type": "clock", "run_to": 50, "jump": True},
                            {"type": "clock", "run": True},
                            {"type": "inject", "id": "forty_minutes"},
                            {"type": "end"},
                        ],
                        4,
                    ):
                        r = await ds.ask(msg, i)
                        assert r["type"] == "error" and "only the facilitator" in r["message"]
                    # its own action is taken, stamped at the server's time
                    r = await ds.ask(
                        {"type": "act", "do": "report", "to": ["technical_group"], "via": "chat"}, 9
                    )
                    assert r["type"] == "ok", r
                    # the facilitator moves the clock; the role sees only what reached it
                    assert (await fac.ask({"type": "clock", "run_to": 80, "jump": True}, 10))[
                        "type"
                    ] == "ok"
                    seen = []
                    while True:
                        msg = await bounded(ds.ws.receive_json(), 10)
                        if msg["type"] == "events":
                            seen += msg["events"]
                            if msg["clock"]["now"] >= 80:
                                break
                    assert room_now(served) == 80
        finally:
            await served.stop()
        return seen

    seen = asyncio.run(play())
    events = read_log(log)
    delivered_elsewhere = [
        e
        for e in events
        if e["type"] == "message.delivered" and "ops_dept" not in (e["delivered_to"], e["from"])
    ]
    assert delivered_elsewhere, "the run must deliver messages between other roles"
    assert any(e["type"] == "message.delivered" and e["delivered_to"] == "ops_dept" for e in seen)
    delivered = [e for e in seen if e["type"] == "message.delivered"]
    assert all("ops_dept" in (e["delivered_to"], e["from"]) for e in delivered)
    assert all("ops_dept" in e["to"] for e in seen if e["type"] == "inject")
    assert not [
        e for e in seen if e["type"] in ("level", "service.down", "inject.skipped", "session")
    ]
    actions = [e for e in events if e["type"] == "action"]
    assert [(a["t"], a["role"], a["do"]) for a in actions] == [(0.0, "ops_dept", "report")]
    assert actions[0]["wall"]  # a person's action carries its wall-clock stamp


def room_now(served) -> float:
    return served.room.now


def test_garbage_and_oversized_frames_get_an_error_and_the_session_goes_on(tmp_path):
    log = tmp_path / "g.jsonl"

    async def play():
        served = await Served.start(log)
        join = served.join
        try:
            async with aiohttp.ClientSession() as http:
                async with Raw(http, served.url) as stranger:
                    # before hello: garbage, then a wrong token
                    await stranger.send("not json {")
                    assert "not JSON" in (await stranger.until("error"))["message"]
                    await stranger.send({"type": "hello", "token": "guess"})
                    assert (await stranger.until("error"))["message"] == "unknown token"
                async with Raw(http, served.url) as fac:
                    await fac.hello(join["facilitator"])
                    await fac.ask({"type": "start"}, 1)
                    bad = [
                        "[1, 2, 3]",
                        json.dumps({"type": "warp", "ref": 2}),
                        json.dumps({"type": "clock", "speed": 1e9}),
                        json.dumps({"type": "inject", "id": "x; rm -rf /"}),
                        json.dumps({"type": "clock", "surprise": True}),
                        "\u0000" * 10,
                        json.dumps({"type": "note", "kind": "feedback", "text": "x" * MAX_FRAME}),
                    ]
                    for frame in bad:
                        await fac.send(frame)
                        err = await fac.until("error")
                        assert err["message"]
                    assert "too large" in err["message"]
                    # an inject that does not exist: an error, not a crash
                    r = await fac.ask({"type": "inject", "id": "nope"}, 3)
                    assert r["type"] == "error"
                    # a frame beyond what the transport takes closes only that connection
                    async with Raw(http, served.url) as flood:
                        await flood.hello(join["evaluator"])
                        try:
                            await flood.send("x" * (5 * 1024 * 1024))
                        except ConnectionError:
                            pass  # the server hung up while the frame was still going out
                        msg = await bounded(flood.ws.receive(), 10)
                        while msg.type == aiohttp.WSMsgType.TEXT:  # the welcome, the backlog
                            msg = await bounded(flood.ws.receive(), 10)
                        assert msg.type in (
                            aiohttp.WSMsgType.CLOSE,
                            aiohttp.WSMsgType.CLOSED,
                            aiohttp.WSMsgType.CLOSING,
                            aiohttp.WSMsgType.ERROR,
                        )
                    # the session is unharmed: the clock still runs to the end
                    r = await fac.ask({"type": "clock", "run_to": 300, "jump": True}, 4)
                    assert r["type"] == "ok"
                    assert served.room.finished
        finally:
            await served.stop()

    asyncio.run(play())
    events = read_log(log)
    assert events[-1]["type"] == "session" or events[-1]["type"] == "end"
    assert any(e["type"] == "end" for e in events)


def test_failed_joins_are_limited_per_address(tmp_path):
    async def play():
        served = await Served.start(tmp_path / "f.jsonl")
        try:
            async with aiohttp.ClientSession() as http:
                async with Raw(http, served.url) as guesser:
                    for i in range(10):
                        await guesser.send({"type": "hello", "token": f"AAAAA-AAAA{i}"})
                        assert (await guesser.until("error"))["message"] == "unknown token"
                    # even the right code is refused now, from this address
                    code = next(c for c, who in served.join["codes"].items() if who == "vp")
                    await guesser.send({"type": "hello", "token": code})
                    assert (await guesser.until("error"))["message"] == "too many failed attempts"
        finally:
            await served.stop()

    asyncio.run(play())
