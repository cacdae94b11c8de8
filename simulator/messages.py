"""How messages travel: sending over a channel, arrival or failure, and who receives.

A message takes its channel's sampled latency and fails with the channel's failure chance, or
at once while the channel is down (an outage in the scenario). A role that is absent receives
nothing until its deputy has taken over (after the role's handover time) or it is back; what
arrives meanwhile is held and delivered then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy

from .plan import Runtime
from .rng import Streams
from .stamps import stamp

if TYPE_CHECKING:
    from .model import Procedure


class Messages:
    """The part of the `World` that carries messages and knows who acts for whom."""

    # what it reads of the world (set by World.__init__)
    rt: Runtime
    proc: Procedure
    env: simpy.Environment
    rng: Streams
    absent: set[str]
    acting: dict[str, str]
    channel_down: set[str]
    held: dict[str, list]
    _attempts: dict[tuple, int]
    _msg: int
    trace: bool
    n_events: int

    if TYPE_CHECKING:  # what it calls of the other parts

        def emit(self, kind: str, **fields) -> dict | None: ...
        def _reached(self, inc: str, role: str, who: str) -> None: ...
        def evaluate(self) -> None: ...
        def _emit_delivered(
            self, msg: int, sender: str, to: str, via: str, inc: str, who: str, sent_at: float
        ) -> None: ...

    def _channel_down(self, channel: str):
        self.channel_down.add(channel)
        self.emit("channel.down", channel=channel)

    def _channel_up(self, channel: str):
        self.channel_down.discard(channel)
        self.emit("channel.up", channel=channel)

    def _absent(self, role: str):
        self.absent.add(role)
        self.emit("absent", role=role)

    def _handover(self, role: str):
        if role not in self.absent:
            return
        deputy = self._deputy(role)
        if deputy is not None:
            self.acting[role] = deputy
            self.emit("handover", role=role, to=deputy)
            for deliver in self.held.pop(role, []):
                deliver()

    def _returned(self, role: str):
        self.absent.discard(role)
        self.emit("returned", role=role)
        if self.acting.pop(role, None) is not None:
            self.emit("handover", role=role, to=role)
        for deliver in self.held.pop(role, []):
            deliver()

    def _deputy(self, role: str) -> str | None:
        seen, cur = {role}, self.proc.roles[role].deputy
        while cur is not None and cur not in seen:
            if cur not in self.absent:
                return cur
            seen.add(cur)
            cur = self.proc.roles[cur].deputy
        return None

    def actor(self, role: str) -> str | None:
        """Who acts for `role` now: itself, its deputy after handover, or nobody yet."""
        if role not in self.absent:
            return role
        return self.acting.get(role)

    def _reach(self, role: str, inc: str, deliver):
        """Call deliver(actor, held) now, or (held=True) when a deputy has taken over for an
        absent role or the role is back."""
        who = self.actor(role)
        if who is not None:
            deliver(who, False)
        else:
            self.held.setdefault(role, []).append(lambda: deliver(self.actor(role), True))

    def send(self, sender: str, to: str, via: str, inc: str, text: str = "") -> simpy.Event:
        """Send a message; the returned event happens on arrival (or failure), after the world
        has taken note of it, with the value True (delivered) or False (failed)."""
        key = (sender, to, via, inc)
        attempt = self._attempts[key] = self._attempts.get(key, 0) + 1
        msg = self._msg = self._msg + 1
        sent_at = stamp(self.env._now)
        trace = self.trace
        if trace:
            fields = {"msg": msg, "from": sender, "to": to, "via": via, "incident": inc}
            self.emit("message.sent", **fields, **({"text": text} if text else {}))
        else:
            self.n_events += 1
        rng = self.rng
        latency = self.rt.latency[via](rng.uniform("latency", via, sender, to, inc, attempt))
        failure = self.proc.channels[via].failure  # rng.chance, inlined
        reason = (
            "outage"
            if via in self.channel_down
            else "failed"
            if failure > 0 and rng.uniform("fail", via, sender, to, inc, attempt) < failure
            else None
        )

        def arrive(_e):
            if reason is not None:
                if trace:
                    self.emit("message.failed", **fields, reason=reason)
                else:
                    self.n_events += 1
            else:

                def deliver(who, _held):
                    self._emit_delivered(msg, sender, to, via, inc, who, sent_at)
                    self._reached(inc, to, who)

                self._reach(to, inc, deliver)
            self.evaluate()

        arrival = self.env.timeout(latency, value=reason is None)
        arrival.callbacks.append(arrive)  # first: a sender waiting on it resumes after this
        return arrival
