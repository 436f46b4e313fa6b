"""Connector devices the 2.x inventory no longer lists are removed, with their
entities; one with a session stays."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from custom_components.ocpp_csms.const import DOMAIN

from .helpers import adopted, model, until


def _connector_device(hass: HomeAssistant, name: str) -> dr.DeviceEntry | None:
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    return dr.async_get(hass).async_get_child_device_by_identifier((DOMAIN, name), entry.entry_id)


def _one_evse_less(sim: Any, evse: int) -> None:
    del sim.connectors[evse]
    del sim.variables[f"EVSE@{evse}/Power"]


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_connector_gone_from_the_inventory_is_removed(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    sim = await adopted(hass, connect_sim, connectors=2)
    await until(hass, lambda: _connector_device(hass, "CP1/2") is not None)
    assert hass.states.get("sensor.cp1_connector_2_status") is not None
    _one_evse_less(sim, 2)  # rebuilt with one EVSE
    assert await sim.boot() == "Accepted"  # its boot asks for the inventory again
    await until(hass, lambda: _connector_device(hass, "CP1/2") is None)
    await hass.async_block_till_done()
    assert 2 not in model(hass).connectors
    assert hass.states.get("sensor.cp1_connector_2_status") is None
    assert _connector_device(hass, "CP1/1") is not None


@pytest.mark.parametrize("version", ["2.0.1"])
async def test_connector_with_a_session_stays(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    sim = await adopted(hass, connect_sim, connectors=2)
    await sim.start_transaction(2)
    await until(hass, lambda: model(hass).connectors[2].transaction is not None)
    _one_evse_less(sim, 2)
    assert await sim.boot() == "Accepted"
    await until(hass, lambda: any(k == "base_report" for k, _ in sim.received[-3:]))
    await hass.async_block_till_done()
    assert 2 in model(hass).connectors
    assert _connector_device(hass, "CP1/2") is not None
