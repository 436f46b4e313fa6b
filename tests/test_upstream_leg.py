"""The client leg to a second central system, against a stand-in upstream written
here (a bare websocket server that records frames and answers as each test says):
order, heartbeats when idle, an upstream's error answer, garbage frames, no answer
(a reconnect, the message sent again), and the queue's bound (readings first)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from custom_components.ocpp_csms.transport import upstream as upstream_module
from custom_components.ocpp_csms.transport.upstream import (
    LegSettings,
    Outgoing,
    UpstreamError,
    UpstreamLeg,
)

Answer = Callable[[str, list[Any]], list[Any] | None]


class StandIn:
    """A bare upstream: every frame it got, per connection; answers by ``answer``."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.frames: list[list[Any]] = []
        self.connections = 0

    async def handler(self, ws: ServerConnection) -> None:
        self.connections += 1
        await ws.send("not json")  # garbage: ignored
        await ws.send(json.dumps([3, "nobody-asked", {}]))  # an answer to nothing
        async for raw in ws:
            frame = json.loads(raw)
            self.frames.append(frame)
            reply = self.answer(frame[2], frame)
            if reply is not None:
                await ws.send(json.dumps(reply))

    def actions(self) -> list[str]:
        return [f[2] for f in self.frames if f[0] == 2]


async def run_leg(stand_in: StandIn, **settings: Any):
    server = await serve(stand_in.handler, "127.0.0.1", 0, subprotocols=["ocpp1.6"])
    port = server.sockets[0].getsockname()[1]
    opened: list[bool] = []

    async def on_open() -> None:
        opened.append(True)

    async def on_call(action: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {}

    leg = UpstreamLeg(
        LegSettings(f"ws://127.0.0.1:{port}", "CP1", "ocpp1.6", **settings),
        on_call,
        on_open,
        lambda problem: None,
    )
    return server, leg, opened


async def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.01)


async def test_order_heartbeat_and_an_error_answer(socket_enabled: None) -> None:
    """Three messages in order, the second answered with a CALLERROR (not sent
    again); idle for the heartbeat interval, a Heartbeat."""

    def answer(action: str, frame: list[Any]) -> list[Any]:
        if action == "StatusNotification":
            return [4, frame[1]]  # an error without code or text
        return [3, frame[1], {"transactionId": 9001} if action == "StartTransaction" else {}]

    stand_in = StandIn(answer)
    server, leg, opened = await run_leg(stand_in)
    paired: list[dict[str, Any]] = []
    leg.send(Outgoing("StartTransaction", {"connectorId": 1}, answered=paired.append))
    leg.send(Outgoing("StatusNotification", {"connectorId": 1}))
    leg.send(Outgoing("MeterValues", {"transactionId": 1}, droppable=True))
    leg.prepare = lambda action, payload: {**payload, "seen": True}
    leg.heartbeat_s = 0.2
    try:
        leg.start()
        await wait_for(lambda: "Heartbeat" in stand_in.actions())
        assert opened == [True]
        assert stand_in.actions()[:3] == ["StartTransaction", "StatusNotification", "MeterValues"]
        assert all(f[3]["seen"] for f in stand_in.frames[:3])
        assert paired == [{"transactionId": 9001}]
        assert (leg.counters.forwarded, leg.counters.failed, leg.waiting) == (3, 1, 0)
        assert leg.connected
    finally:
        await leg.stop()
        server.close()
        await server.wait_closed()


async def test_no_answer_reconnects_and_sends_again(
    socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first StartTransaction is never answered: after the timeout the leg
    reconnects and sends it again; it stays queued until answered."""
    monkeypatch.setattr(upstream_module, "BACKOFF_FIRST_S", 0.05)
    seen: list[str] = []

    def answer(action: str, frame: list[Any]) -> list[Any] | None:
        seen.append(action)
        return None if len(seen) == 1 else [3, frame[1], {}]

    stand_in = StandIn(answer)
    server, leg, _ = await run_leg(stand_in, timeout_s=0.3)
    leg.send(Outgoing("StartTransaction", {"connectorId": 1}))
    try:
        leg.start()
        await wait_for(lambda: leg.counters.forwarded == 1)
        assert seen == ["StartTransaction", "StartTransaction"]
        assert stand_in.connections == 2
        assert leg.problem is None
    finally:
        await leg.stop()
        server.close()
        await server.wait_closed()


async def test_the_queue_bound_drops_readings_first() -> None:
    """Over the bound: the oldest reading goes; a start is never dropped (the queue
    grows past the bound for it); a reading with none older to drop is dropped."""
    leg = UpstreamLeg(
        LegSettings("ws://127.0.0.1:9", "CP1", "ocpp1.6", queue_limit=2),
        lambda action, payload: asyncio.sleep(0, {}),
        lambda: asyncio.sleep(0),
        lambda problem: None,
    )
    leg.send(Outgoing("MeterValues", {"n": 1}, droppable=True))
    leg.send(Outgoing("StartTransaction", {}))
    leg.send(Outgoing("MeterValues", {"n": 2}, droppable=True))
    assert [m.payload for m in leg._queue] == [{}, {"n": 2}]
    leg.send(Outgoing("StopTransaction", {"n": 3}))
    leg.send(Outgoing("StatusNotification", {}))
    assert leg.waiting == 3  # the reading went; starts and stops stay
    leg.send(Outgoing("MeterValues", {"n": 4}, droppable=True))
    assert leg.waiting == 3
    assert leg.counters.dropped == 3
    with pytest.raises(UpstreamError):
        await leg.call("Heartbeat", {})  # not connected
