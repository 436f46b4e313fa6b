"""Diagnostics downloads of the CSMS entry and of a charger entry."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.ocpp_csms.const import DOMAIN

from .helpers import server_port


async def test_charger_diagnostics(hass: HomeAssistant, charger, hass_client) -> None:
    await charger.start_transaction(1, "SECRET-TAG")
    await charger.send_meter_values(1, seconds=60)
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diag["protocol"] == charger.version
    assert diag["identity"]["vendor"] == "SimVendor"
    conn = diag["connectors"]["1"]
    assert conn["status"] == "charging"
    assert conn["transaction"]["id_tag"] == "**REDACTED**"
    assert "Energy.Active.Import.Register" in conn["measurements"]


async def test_csms_diagnostics(hass: HomeAssistant, charger, csms_entry, hass_client) -> None:
    diag = await get_diagnostics_for_config_entry(hass, hass_client, csms_entry)
    assert diag["adopted"] == ["CP1"]
    assert diag["port"] == server_port(hass)
