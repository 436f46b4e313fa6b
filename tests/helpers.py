"""Test helpers."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant


async def until(hass: HomeAssistant, predicate: Callable[[], object], timeout: float = 5.0) -> None:
    """Wait until predicate() is truthy, letting HA and the simulators run."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await hass.async_block_till_done()
        if predicate():
            return
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def status_of(url: str, headers: dict[str, str] | None = None) -> int:
    """The HTTP status a 1.6 connection attempt gets (101 when it opens)."""
    import websockets
    from websockets.exceptions import InvalidStatus

    try:
        async with websockets.connect(
            url, subprotocols=["ocpp1.6"], additional_headers=headers or {}
        ):
            return 101
    except InvalidStatus as err:
        return err.response.status_code


def state(hass: HomeAssistant, entity_id: str) -> str | None:
    st = hass.states.get(entity_id)
    return None if st is None else st.state


def both_running(hass: HomeAssistant, sim, connector: int = 1) -> bool | None:
    """True when charger and Home Assistant both see a session on the connector
    (CP1's), None when neither does, False while they disagree."""
    sim_side = sim.connectors[connector].transaction_id is not None
    ha_side = state(hass, f"switch.cp1_connector_{connector}_charging") == "on"
    if sim_side and ha_side:
        return True
    return None if not sim_side and not ha_side else False


def runtime_of(hass: HomeAssistant):
    """The runtime, reached as Home Assistant gives it: the CSMS entry's runtime_data."""
    from custom_components.ocpp_csms.const import CONF_KIND, DOMAIN, KIND_CSMS

    entry = next(
        e for e in hass.config_entries.async_entries(DOMAIN) if e.data.get(CONF_KIND) == KIND_CSMS
    )
    return entry.runtime_data


def model(hass: HomeAssistant, charger_id: str = "CP1"):
    """The model of a charger that connected or has an entry."""
    charger = runtime_of(hass).csms.get_charger(charger_id)
    assert charger is not None, f"no charger {charger_id}"
    return charger


def server_port(hass: HomeAssistant) -> int:
    server = runtime_of(hass).connections.server
    assert server is not None
    return server.port


async def enable_entities(hass: HomeAssistant, charger_id: str, *entity_ids: str) -> None:
    """Enable entities that are disabled by default, as a user does: in the entity
    registry, then the charger's entry is reloaded (its charger stays connected)."""
    from homeassistant.helpers import entity_registry as er

    from custom_components.ocpp_csms.const import DOMAIN

    registry = er.async_get(hass)
    for entity_id in entity_ids:
        registry.async_update_entity(entity_id, disabled_by=None)
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, charger_id)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    for entity_id in entity_ids:
        await until(hass, lambda e=entity_id: hass.states.get(e) is not None)


async def restart(
    hass: HomeAssistant,
    *,
    final_write: bool = True,
    between: Callable[[], object] | None = None,
    chargers: bool = True,
):
    """Unload everything, then build the integration again from storage only.

    ``final_write``: as at every Home Assistant stop (False: a crash). ``between``
    runs once all is unloaded (to put storage back as a crash left it).
    ``chargers``: False sets up the central system alone (Home Assistant starting).
    """
    from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE

    from custom_components.ocpp_csms.const import DOMAIN
    from custom_components.ocpp_csms.hub.runtime import get_runtime

    if final_write:
        hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
        await hass.async_block_till_done()
    port = server_port(hass)
    # the chargers first, as Home Assistant stopping leaves them: the central
    # system's unload would start loaded chargers again
    entries = sorted(
        hass.config_entries.async_entries(DOMAIN), key=lambda e: e.data["kind"] == "csms"
    )
    for entry in entries:
        assert await hass.config_entries.async_unload(entry.entry_id)
        if entry.data["kind"] == "csms":  # listen where the chargers knew us
            hass.config_entries.async_update_entry(entry, data={**entry.data, "port": port})
    if between is not None:
        between()
    for entry in sorted(entries, key=lambda e: e.data["kind"] != "csms"):
        if chargers or entry.data["kind"] == "csms":
            assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return get_runtime(hass)


async def adopted(
    hass: HomeAssistant,
    connect_sim,
    charger_id: str = "CP1",
    *,
    prepare: Callable[[Any], object] | None = None,
    **kw: Any,
):
    """An adopted charger, connected, booted (Accepted) and reporting its statuses.

    ``prepare`` shapes the simulated charger before its boot (its configuration,
    what it refuses); ``kw`` go to ``connect_sim`` (vendor, model, quirks, version).
    """
    from .conftest import add_charger_entry

    await add_charger_entry(hass, charger_id)
    sim = await connect_sim(charger_id, **kw)
    if prepare is not None:
        prepare(sim)
    assert await sim.boot() == "Accepted"
    await sim.send_all_status()
    await hass.async_block_till_done()
    return sim


# ------------------------------------------------------------ actions
def device_id(hass: HomeAssistant, ident: str, charger_id: str = "CP1") -> str:
    """The device id of a charger (``CP1``) or a connector (``CP1/1``)."""
    from homeassistant.helpers import device_registry as dr

    from custom_components.ocpp_csms.const import DOMAIN

    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, charger_id)
    dev_reg = dr.async_get(hass)
    device = dev_reg.async_get_device_by_identifier((DOMAIN, ident), entry.entry_id)
    if device is None:
        device = dev_reg.async_get_child_device_by_identifier((DOMAIN, ident), entry.entry_id)
    return device.id


async def act(hass: HomeAssistant, service: str, data: dict[str, Any], response: bool = False):
    """Call one of our actions, blocking; with ``response``, return its response."""
    from custom_components.ocpp_csms.const import DOMAIN

    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


async def call(hass: HomeAssistant, service: str, **data: Any) -> dict[str, Any]:
    """Call an action on charger CP1; return CP1's result."""
    result = await act(hass, service, {"device_id": device_id(hass, "CP1"), **data}, True)
    return result["chargers"]["CP1"]


# ------------------------------------------------------------ time
class Clock:
    """Moves time forward without sleeping: the model's clock, then Home Assistant's
    timers up to the new moment (``async_fire_time_changed``). Websockets, asyncio
    timeouts and sleeps keep real time: a call in flight during a skip is not
    timed out by it."""

    def __init__(self, hass: HomeAssistant, monkeypatch: Any) -> None:
        from custom_components.ocpp_csms.model import clock

        self._hass = hass
        self._real = clock.now
        self.offset = timedelta(0)
        monkeypatch.setattr(clock, "now", self.now)

    def now(self) -> datetime:
        """The moved time."""
        return self._real() + self.offset

    async def skip(self, seconds: float) -> datetime:
        """Move forward; the timers due by then run; return the new moment."""
        from pytest_homeassistant_custom_component.common import async_fire_time_changed

        self.offset += timedelta(seconds=seconds)
        moment = self.now()
        loop = self._hass.loop
        held = [h for h in loop._scheduled if _real_time(h)]
        if held:  # a call's timeout in flight, a sleep: they keep real time
            loop._scheduled[:] = [h for h in loop._scheduled if not _real_time(h)]
            heapq.heapify(loop._scheduled)
        try:
            async_fire_time_changed(self._hass, moment)
        finally:
            for handle in held:
                heapq.heappush(loop._scheduled, handle)
        await self._hass.async_block_till_done()
        return moment


def _real_time(handle: asyncio.TimerHandle) -> bool:
    """Whether a timer is an asyncio timeout or sleep (not one of Home Assistant's)."""
    callback = handle._callback
    if isinstance(getattr(callback, "__self__", None), asyncio.Timeout):
        return True
    return getattr(callback, "__name__", "") == "_set_result_unless_cancelled"


def free_port() -> int:
    """A port nobody listens on (the test needs ``socket_enabled``)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
