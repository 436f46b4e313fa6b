"""Diagnostics downloads of the CSMS entry and of a charger entry."""

from __future__ import annotations

import json

import pytest
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
    assert conn["desired_limit"]["cap"] is None
    assert conn["limit_ignored"] is False
    assert diag["limit_strategy"].startswith("stack level 5")
    assert diag["capabilities"]["max_profile_stack_level"] == 10  # probed when ready


async def test_csms_diagnostics(hass: HomeAssistant, charger, csms_entry, hass_client) -> None:
    diag = await get_diagnostics_for_config_entry(hass, hass_client, csms_entry)
    assert diag["adopted"] == ["CP1"]
    assert diag["port"] == server_port(hass)
    assert diag["access"]["unknown_chargers"] == "ask"
    assert diag["tags"] == {"policy": "auto", "listed": 0, "blocked": 0}


@pytest.mark.parametrize(
    "csms_options",
    [{"default_id_tag": "MY-SECRET-TAG", "ssl_cafile": "/ssl/ca.pem", "response_timeout": 3}],
)
async def test_diagnostics_redact_secrets(
    hass: HomeAssistant, charger, csms_entry, hass_client
) -> None:
    """Passwords (and their hashes), tags, serial numbers and certificate paths."""
    from .helpers import runtime_of

    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    await runtime_of(hass).access.store(entry, "Very-secret-password-1", keep_previous=False)
    await charger.authorize("SECRET-CARD")
    await charger.boot()
    text = json.dumps(await get_diagnostics_for_config_entry(hass, hass_client, entry))
    text += json.dumps(await get_diagnostics_for_config_entry(hass, hass_client, csms_entry))
    for secret in (
        "Very-secret-password-1",
        entry.data["password_hash"]["digest"],
        "SECRET-CARD",
        "MY-SECRET-TAG",
        "/ssl/ca.pem",
        "SN-CP1",
    ):
        assert secret not in text, secret
    assert '"has_password": true' in text


async def test_refused_input_is_counted_in_diagnostics(
    hass: HomeAssistant, charger, hass_client
) -> None:
    """A value that is not a finite number is ignored and counted; the rest of the
    same message is used."""
    values = [
        {"value": "NaN", "measurand": "Power.Active.Import", "unit": "W"},
        {"value": "7.5", "measurand": "Energy.Active.Import.Register", "unit": "kWh"},
    ]
    await charger.send_meter_values(1, values=values)
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diag["input_refused"] == {"bad_number": 1}
    assert diag["connectors"]["1"]["energy_register_kwh"] == 7.5
    assert diag["recent_messages_bytes"] >= 0


@pytest.mark.parametrize("version", ["2.1"])
async def test_diagnostics_keep_customer_and_settlement_data_private(
    hass: HomeAssistant, charger, hass_client
) -> None:
    now = charger.now()
    await charger.call(
        charger._call.NotifyCustomerInformation(
            data="Customer Jane Doe, card 1234", seq_no=0, generated_at=now, request_id=1
        )
    )
    await charger.call(
        charger._call.NotifySettlement(
            psp_ref="PSP-SECRET-REF", status="Settled", settlement_amount=12.5, settlement_time=now
        )
    )
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diag)
    assert "Jane Doe" not in text
    assert "PSP-SECRET-REF" not in text
    kinds = [m["kind"] for m in diag["recent_messages"]]
    assert "NotifyCustomerInformation" in kinds
    assert "NotifySettlement" in kinds
