"""The central system's runtime is its config entry's runtime_data: made and torn
down with that entry; charger entries wait for it and reach it through their own
runtime_data; nothing of it in hass.data."""

from __future__ import annotations

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_csms.const import (
    CONF_KIND,
    DOMAIN,
    KIND_CSMS,
)

from .conftest import add_charger_entry
from .helpers import act, device_id, state, until


async def test_a_charger_entry_waits_for_the_central_system(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """Set up before the central system, a charger entry is not ready; it starts
    as soon as the central system is loaded (not at the next retry, seconds on)."""
    charger_entry = await add_charger_entry(hass, "CP1", setup=False)
    assert not await hass.config_entries.async_setup(charger_entry.entry_id)
    assert charger_entry.state is ConfigEntryState.SETUP_RETRY
    assert charger_entry.reason is not None
    csms = MockConfigEntry(
        domain=DOMAIN,
        title="OCPP central system",
        data={CONF_KIND: KIND_CSMS, "host": "127.0.0.1", "port": 0},
        options={"response_timeout": 3},
    )
    csms.add_to_hass(hass)
    assert await hass.config_entries.async_setup(csms.entry_id)
    await until(hass, lambda: charger_entry.state is ConfigEntryState.LOADED)
    assert charger_entry.runtime_data.runtime is csms.runtime_data
    assert DOMAIN not in hass.data  # the runtime lives in the entry, nowhere else


async def test_central_system_reload_brings_the_chargers_along(
    hass: HomeAssistant, csms_entry: MockConfigEntry, charger
) -> None:
    """A reload of the central system (its server options) makes a new runtime from
    storage; the charger entries start again on it, and the charger reconnects to
    its entities."""
    old = csms_entry.runtime_data
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    assert await hass.config_entries.async_reload(csms_entry.entry_id)
    await until(
        hass,
        lambda: (
            entry.state is ConfigEntryState.LOADED
            and entry.runtime_data.runtime is csms_entry.runtime_data
        ),
    )
    assert csms_entry.runtime_data is not old
    assert old.connections.server is None  # the old one stopped serving


async def test_actions_say_when_no_central_system_runs(
    hass: HomeAssistant, csms_entry: MockConfigEntry
) -> None:
    entry = await add_charger_entry(hass, "CP1")
    device = device_id(hass, "CP1")
    assert await hass.config_entries.async_unload(csms_entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "get_sessions", {"device_id": device}, True)
    assert err.value.translation_key == "csms_not_loaded"
    # the charger entry waits, its entities unavailable, until the central system runs
    await until(hass, lambda: entry.state is ConfigEntryState.SETUP_RETRY)
    assert state(hass, "binary_sensor.cp1_connectivity") in (None, "unavailable")
    assert await hass.config_entries.async_setup(csms_entry.entry_id)
    await until(hass, lambda: entry.state is ConfigEntryState.LOADED)


async def test_unload_after_home_assistant_s_final_write_logs_no_error(
    hass: HomeAssistant, csms_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """Home Assistant stopping writes the state once (its final write); an unload
    after that has no listener left to remove, and must not say it failed."""
    from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE

    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(csms_entry.entry_id)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
