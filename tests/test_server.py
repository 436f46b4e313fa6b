"""Transport: charger id from the path, subprotocol negotiation, authentication,
port handling and server lifecycle."""

from __future__ import annotations

import socket

import pytest
import websockets
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from websockets.exceptions import InvalidStatus

from custom_components.ocpp_csms.const import CONF_KIND, DOMAIN, KIND_CSMS
from custom_components.ocpp_csms.transport.server import charger_id_from_path

from .helpers import server_port, until


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/CP1", "CP1"),
        ("/ocpp/CP1", "CP1"),
        ("/ocpp16/CP1", "CP1"),
        ("/ocpp/1.6/CP1", "CP1"),
        ("/ocpp/CP1/", "CP1"),
        ("/ocpp/My%20Charger", "My Charger"),
        ("/ocpp/CP1?token=x", "CP1"),
        ("/", None),
        ("/ocpp/" + "x" * 49, None),
        ("/ocpp/" + "x" * 48, "x" * 48),
        ("/ocpp/CP%0A1", None),
        ("/ocpp/CP%2F1", None),
        ("/ocpp/%FF", None),  # not UTF-8
        ("/ocpp/CP%E2%80%AE1", None),  # a right-to-left override
        ("/ocpp/..", None),
        ("/ocpp/%ZZ", None),
        ("/ocpp/%20CP1", None),
        ("/ocpp/CP%09", None),
    ],
)
def test_charger_id_from_path(path: str, expected: str | None) -> None:
    assert charger_id_from_path(path) == expected


async def _port(hass: HomeAssistant) -> int:
    return server_port(hass)


@pytest.mark.parametrize("path", ["/CP7", "/ocpp/CP7", "/ocpp16/CP7", "/ocpp/1.6/CP7"])
async def test_paths_reach_the_charger(hass: HomeAssistant, runtime, path: str) -> None:
    port = await _port(hass)
    async with websockets.connect(f"ws://127.0.0.1:{port}{path}", subprotocols=["ocpp1.6"]) as ws:
        assert ws.subprotocol == "ocpp1.6"
        await until(
            hass,
            lambda: runtime.csms.chargers.get("CP7") and runtime.csms.chargers["CP7"].connected,
        )


@pytest.mark.parametrize("path", ["/", "/ocpp/" + "y" * 49, "/ocpp/bad%01id"])
async def test_bad_ids_refused_before_upgrade(
    hass: HomeAssistant, runtime, path: str, caplog
) -> None:
    port = await _port(hass)
    with pytest.raises(InvalidStatus) as err:
        async with websockets.connect(f"ws://127.0.0.1:{port}{path}", subprotocols=["ocpp1.6"]):
            pass
    assert err.value.response.status_code == 400
    assert "no valid charger id" in caplog.text


async def test_no_subprotocol_is_16(hass: HomeAssistant, runtime) -> None:
    port = await _port(hass)
    async with websockets.connect(f"ws://127.0.0.1:{port}/CP8") as ws:
        assert ws.subprotocol is None
        await until(hass, lambda: "CP8" in runtime.csms.chargers)
        await ws.send('[2,"1","Heartbeat",{}]')
        assert '"currentTime"' in await ws.recv()
        assert runtime.csms.chargers["CP8"].protocol == "1.6"


async def test_unsupported_subprotocol_refused(hass: HomeAssistant, runtime, caplog) -> None:
    port = await _port(hass)
    with pytest.raises(InvalidStatus):
        async with websockets.connect(f"ws://127.0.0.1:{port}/CP9", subprotocols=["ocpp1.5"]):
            pass
    assert "Refused charger CP9" in caplog.text


async def test_new_connection_replaces_old(hass: HomeAssistant, runtime, connect_sim) -> None:
    first = await connect_sim("CPR")
    await until(
        hass, lambda: runtime.csms.chargers.get("CPR") and runtime.csms.chargers["CPR"].connected
    )
    second = await connect_sim("CPR")
    await until(hass, lambda: first._connection.close_code is not None)
    await second.heartbeat()
    assert runtime.csms.chargers["CPR"].connected


async def test_port_in_use_retries_and_reload_frees_port(
    hass: HomeAssistant, socket_enabled
) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    entry = MockConfigEntry(
        domain=DOMAIN, data={CONF_KIND: KIND_CSMS, "host": "127.0.0.1", "port": port}
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert f"Port {port} is already in use" in (entry.reason or "")
    blocker.close()

    await hass.config_entries.async_reload(entry.entry_id)
    assert entry.state is ConfigEntryState.LOADED
    # reload again: the port was freed by the unload
    await hass.config_entries.async_reload(entry.entry_id)
    assert entry.state is ConfigEntryState.LOADED
    async with websockets.connect(f"ws://127.0.0.1:{port}/CPX", subprotocols=["ocpp1.6"]) as ws:
        await ws.send('[2,"1","Heartbeat",{}]')
        assert '"currentTime"' in await ws.recv()
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(OSError, match=r"Connect call failed|refused"):
        async with websockets.connect(f"ws://127.0.0.1:{port}/CPX"):
            pass


async def test_server_closes_on_stop(hass: HomeAssistant, runtime, connect_sim) -> None:
    sim = await connect_sim("CPS")
    await sim.heartbeat()
    port = server_port(hass)
    await hass.async_stop()
    assert runtime.connections.server is None
    with pytest.raises(OSError, match=r"Connect call failed|refused"):
        async with websockets.connect(f"ws://127.0.0.1:{port}/CPX"):
            pass


async def test_disconnects_logged_once_at_info_and_summarised(
    hass: HomeAssistant, runtime, caplog
) -> None:
    """Loss and recovery are logged once each at INFO; a fleet-wide drop names the
    first few chargers and counts the rest, instead of a line per charger."""
    import logging

    caplog.set_level(logging.INFO, logger="custom_components.ocpp_csms")
    port = server_port(hass)
    sockets = []
    for n in range(12):
        ws = await websockets.connect(f"ws://127.0.0.1:{port}/LOG{n}", subprotocols=["ocpp1.6"])
        await ws.send('[2,"1","Heartbeat",{}]')
        await ws.recv()
        sockets.append(ws)
    for ws in sockets:
        await ws.close()
    await until(hass, lambda: not any(c.connected for c in runtime.csms.chargers.values()))
    ours = [r for r in caplog.records if r.name == "custom_components.ocpp_csms"]
    lost = [r for r in ours if "disconnected; its entities" in r.getMessage()]
    assert len(lost) == 5
    assert all(r.levelno == logging.INFO for r in lost)
    assert not [r for r in ours if r.levelno >= logging.WARNING]
    # nor a line per connection from the websocket library
    assert not [r for r in caplog.records if r.levelno >= logging.INFO and "websockets" in r.name]
    runtime.connections.availability.flush()  # the window's summary
    assert "7 more chargers disconnected" in caplog.text
    async with websockets.connect(f"ws://127.0.0.1:{port}/LOG0", subprotocols=["ocpp1.6"]) as ws:
        await ws.send('[2,"1","Heartbeat",{}]')
        await ws.recv()
    # an unknown charger leaves nothing behind once it is gone
    await until(hass, lambda: "LOG0" not in runtime.csms.chargers)
    runtime.connections.availability.flush()  # still the same window: counted
    assert "1 more chargers disconnected and 1 more connected again" in caplog.text


async def test_ten_connections_with_one_id_leave_one(hass: HomeAssistant, runtime) -> None:
    """Ten at once: the newest wins, the others get no more answers and are closed."""
    import asyncio

    from websockets.exceptions import ConnectionClosed

    port = server_port(hass)
    sockets = await asyncio.gather(
        *(
            websockets.connect(f"ws://127.0.0.1:{port}/DUP1", subprotocols=["ocpp1.6"])
            for _ in range(10)
        )
    )
    await asyncio.sleep(0.2)
    answered, closed = [], 0
    for n, ws in enumerate(sockets):
        try:
            await ws.send(f'[2,"h{n}","Heartbeat",{{}}]')
            answered.append(await asyncio.wait_for(ws.recv(), 2))
        except ConnectionClosed, TimeoutError:
            closed += 1
    assert len(answered) == 1
    assert closed == 9
    newest = runtime.connections._links["DUP1"].connection
    assert newest.remote_address in {ws.local_address for ws in sockets}
    for ws in sockets:
        await ws.close()
