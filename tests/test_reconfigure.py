"""Reconfigure flows: the central system's address and port, a charger's password."""

from __future__ import annotations

import socket

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.ocpp_csms.transport.passwords import PasswordHash

from .conftest import add_charger_entry
from .helpers import server_port


async def test_reconfigure_csms_port(hass: HomeAssistant, csms_entry) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    result = await csms_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": "127.0.0.1", "port": blocker.getsockname()[1]}
    )
    assert result["errors"] == {"port": "port_in_use"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": "203.0.113.9", "port": 9000}
    )
    assert result["errors"] == {"host": "invalid_host"}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    blocker.close()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": "127.0.0.1", "port": free}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert csms_entry.data["port"] == free
    assert server_port(hass) == free  # the server moved


async def test_reconfigure_charger_password_offline(hass: HomeAssistant, csms_entry) -> None:
    entry = await add_charger_entry(hass, "RC1")
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure_charger"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password_mode": "enter", "password": "bad"}
    )
    assert result["errors"] == {"password": "invalid_password"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password_mode": "generate"}
    )
    assert result["step_id"] == "credentials"
    assert result["description_placeholders"]["sent"] == "no"  # not connected
    password = result["description_placeholders"]["password"]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["reason"] == "reconfigure_successful"
    assert PasswordHash.from_dict(entry.data["password_hash"]).verify(password)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password_mode": "none"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert "password_hash" not in entry.data


@pytest.mark.parametrize("version", ["2.0.1"])
async def test_reconfigure_charger_password_sent(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    entry = await add_charger_entry(hass, "RC2")
    sim = await connect_sim("RC2")
    await sim.boot()
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password_mode": "generate"}
    )
    assert result["description_placeholders"]["sent"] == "yes"
    password = result["description_placeholders"]["password"]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["reason"] == "reconfigure_successful"
    assert sim.password_set == password
    again = await connect_sim("RC2", password=password)
    assert await again.boot() == "Accepted"
