"""Limits on what one peer may cost, each an option: the message rate (a CALLERROR,
then a close), connections per address and in all, the frame size, the handshake
time and websocket pings. A healthy charger alongside is never touched."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from homeassistant.core import HomeAssistant
from websockets.exceptions import ConnectionClosed, InvalidStatus

from .helpers import runtime_of, server_port, until


@pytest.mark.parametrize(
    "csms_options",
    [{"messages_per_minute": 60, "message_burst": 20, "response_timeout": 3}],
)
@pytest.mark.parametrize("version", ["1.6"])
async def test_message_flood_gets_a_callerror_then_a_close(
    hass: HomeAssistant, charger, url: str
) -> None:
    async with websockets.connect(f"{url}/FLOOD", subprotocols=["ocpp1.6"]) as ws:
        for n in range(40):
            await ws.send(json.dumps([2, f"m{n}", "Heartbeat", {}]))
        answers = []
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                answers.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1008
    results = [a for a in answers if a[0] == 3]
    errors = [a for a in answers if a[0] == 4]
    assert len(results) == 20  # the burst
    assert len(errors) == 1
    assert errors[0][1] == "m20"
    assert errors[0][2] == "GenericError"
    assert runtime_of(hass).connections.refused_floods == 1
    await charger.heartbeat()  # the healthy charger is served as before


@pytest.mark.parametrize(
    "csms_options",
    [{"messages_per_minute": 600, "message_burst": 10, "response_timeout": 3}],
)
@pytest.mark.parametrize("version", ["1.6"])
async def test_known_charger_over_the_rate_is_slowed_not_cut(
    hass: HomeAssistant, charger, url: str
) -> None:
    """An adopted charger replaying its queue faster than the rate gets every answer,
    later (backpressure): no CALLERROR, no close. An unknown one is still cut off."""
    async with websockets.connect(f"{url}/CP1", subprotocols=["ocpp1.6"]) as ws:
        for n in range(30):  # three times the burst, one call at a time
            await ws.send(json.dumps([2, f"q{n}", "Heartbeat", {}]))
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))[:2] == [3, f"q{n}"]
    connections = runtime_of(hass).connections
    assert connections.refused_floods == 0
    assert connections.held_back >= 15


@pytest.mark.parametrize(
    "csms_options",
    [{"messages_per_minute": 600, "message_burst": 10, "response_timeout": 3}],
)
@pytest.mark.parametrize("version", ["1.6"])
async def test_a_known_charger_over_the_rate_for_too_long_is_closed(
    hass: HomeAssistant, charger, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Backpressure has an end: a known charger still over the rate after
    FLOOD_LASTS_S (here shortened to no time at all) is refused and closed."""
    from custom_components.ocpp_csms.transport import connections

    monkeypatch.setattr(connections, "FLOOD_LASTS_S", 0.0)
    async with websockets.connect(f"{url}/CP1", subprotocols=["ocpp1.6"]) as ws:
        for n in range(15):
            await ws.send(json.dumps([2, f"f{n}", "Heartbeat", {}]))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1008
    assert runtime_of(hass).connections.refused_floods == 1


@pytest.mark.parametrize(
    "csms_options", [{"connections_per_address": 3, "connections_total": 5, "response_timeout": 3}]
)
async def test_connections_per_address_and_in_all(hass: HomeAssistant, csms_entry, url) -> None:
    opened = [await websockets.connect(f"{url}/C{n}", subprotocols=["ocpp1.6"]) for n in range(3)]
    with pytest.raises(InvalidStatus) as err:
        await websockets.connect(f"{url}/C3", subprotocols=["ocpp1.6"])
    assert err.value.response.status_code == 503
    server = runtime_of(hass).connections.server
    assert server is not None
    assert server.refused_busy == 1
    for ws in opened:
        await ws.close()
    await until(hass, lambda: not server._server.all_connections)
    async with websockets.connect(f"{url}/C3", subprotocols=["ocpp1.6"]) as ws:
        await ws.send('[2,"1","Heartbeat",{}]')
        assert '"currentTime"' in await ws.recv()


@pytest.mark.parametrize("csms_options", [{"max_frame_kib": 16, "response_timeout": 3}])
async def test_frame_size_is_an_option(hass: HomeAssistant, csms_entry, url) -> None:
    async with websockets.connect(f"{url}/BIG", subprotocols=["ocpp1.6"], max_size=None) as ws:
        await ws.send(json.dumps([2, "1", "DataTransfer", {"vendorId": "x", "data": "y" * 15000}]))
        assert json.loads(await ws.recv())[0] in (3, 4)  # under the limit: answered
        await ws.send(json.dumps([2, "2", "DataTransfer", {"vendorId": "x", "data": "y" * 17000}]))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1009


@pytest.mark.parametrize("csms_options", [{"handshake_timeout": 1, "response_timeout": 3}])
async def test_slow_handshake_is_cut(hass: HomeAssistant, csms_entry) -> None:
    port = server_port(hass)
    loop = asyncio.get_running_loop()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /ocpp/SLOW HTTP/1.1\r\nHost: x\r\n")  # and never the rest
    await writer.drain()
    start = loop.time()
    assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the server
    assert loop.time() - start < 3
    writer.close()


@pytest.mark.parametrize(
    "csms_options", [{"ping_interval": 1, "ping_timeout": 1, "response_timeout": 3}]
)
async def test_dead_peer_noticed_by_pings(hass: HomeAssistant, csms_entry) -> None:
    """A peer that completed the handshake and then went silent (no pongs)."""
    port = server_port(hass)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"GET /ocpp/SILENT HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n"
    )
    await writer.drain()
    assert b"101" in await reader.readline()
    runtime = runtime_of(hass)
    await until(hass, lambda: "SILENT" in runtime.csms.chargers, timeout=3)
    await until(hass, lambda: "SILENT" not in runtime.csms.chargers, timeout=8)
    writer.close()


@pytest.mark.parametrize("version", ["1.6"])
async def test_offline_replay_is_not_a_flood(hass: HomeAssistant, charger, url: str) -> None:
    """A charger back from long offline replays its queue as fast as it is answered,
    one call at a time (OCPP-J): with the default limits it is never cut off."""
    async with websockets.connect(f"{url}/REPLAY", subprotocols=["ocpp1.6"]) as ws:
        for n in range(1000):
            await ws.send(json.dumps([2, f"r{n}", "Heartbeat", {}]))
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))[:2] == [3, f"r{n}"]
    assert runtime_of(hass).connections.refused_floods == 0
