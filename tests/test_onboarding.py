"""Config flow: CSMS entry, chargers by id, discovery and adoption, options."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component

from custom_components.ocpp_csms.const import CONF_KIND, DOMAIN, KIND_CHARGER, KIND_CSMS

from .conftest import add_charger_entry
from .helpers import runtime_of, server_port, state, until


async def test_user_flow_creates_csms(hass: HomeAssistant, socket_enabled) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": "127.0.0.1", "port": free_port}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_KIND: KIND_CSMS, "host": "127.0.0.1", "port": free_port}
    await hass.async_block_till_done()
    assert server_port(hass) == free_port


async def test_user_flow_port_in_use_and_bad_host(hass: HomeAssistant, socket_enabled) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": "127.0.0.1", "port": blocker.getsockname()[1]}
    )
    assert result["errors"] == {"port": "port_in_use"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": "203.0.113.7", "port": 9000}
    )
    assert result["errors"] == {"host": "invalid_host"}
    blocker.close()
    with socket.socket() as probe:  # the flow recovers from both errors
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": "127.0.0.1", "port": free_port}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["port"] == free_port
    await hass.async_block_till_done()


async def test_add_charger_by_id(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert result["step_id"] == "add_charger"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"charger_id": "bad/id"}
    )
    assert result["errors"] == {"charger_id": "invalid_charger_id"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"charger_id": "CP5", "password_mode": "enter", "password": "short"}
    )
    assert result["errors"] == {"password": "invalid_password"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"charger_id": " CP5 ", "password_mode": "none"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "CP5"
    assert result["data"] == {CONF_KIND: KIND_CHARGER, "charger_id": "CP5"}
    await hass.async_block_till_done()
    sim = await connect_sim("CP5")
    assert await sim.boot() == "Accepted"  # added in advance: accepted at first boot

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"charger_id": "CP5"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_unknown_charger_pending_then_adopted(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    sim = await connect_sim("NEW1")
    assert await sim.boot() == "Pending"
    assert sim.heartbeat_interval == 15  # asked to retry soon
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert len(flows) == 1
    flow = flows[0]
    assert flow["context"]["source"] == config_entries.SOURCE_INTEGRATION_DISCOVERY
    assert flow["context"]["title_placeholders"] == {"name": "NEW1 — SimVendor SimCharger"}
    assert state(hass, "sensor.new1_status") is None  # nothing before adoption

    # a second boot does not create a second discovery
    assert await sim.boot() == "Pending"
    await hass.async_block_till_done()
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 1

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"password_mode": "none"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    # adoption asks the pending charger to boot again, now Accepted
    await until(hass, lambda: sim.boot_status == "Accepted")
    assert ("trigger", {"message": "BootNotification", "connector_id": None}) in sim.received
    await sim.send_all_status()
    await hass.async_block_till_done()
    assert state(hass, "sensor.new1_connector_1_status") == "available"


@pytest.mark.parametrize("csms_options", [{"auto_accept": True}])
async def test_auto_accept(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    sim = await connect_sim("AUTO1")
    assert await sim.boot() == "Pending"
    await until(hass, lambda: hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "AUTO1"))
    await until(hass, lambda: sim.boot_status == "Accepted")
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_adopted_charger_survives_restart_of_entry(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    entry = await add_charger_entry(hass, "CP6")
    sim = await connect_sim("CP6")
    await sim.boot()
    await sim.send_all_status()
    await hass.async_block_till_done()
    assert state(hass, "sensor.cp6_connector_1_status") == "available"
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    # the connector is known from storage, so its entities exist at once
    assert state(hass, "sensor.cp6_connector_1_status") == "available"
    assert await sim.boot() == "Accepted"


async def test_options_flow(hass: HomeAssistant, csms_entry) -> None:
    """The options come in sections and are saved flat; each applies at once."""
    result = await hass.config_entries.options.async_init(csms_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    sections: dict[str, Any] = {
        "chargers": {
            "unknown_chargers": "accept",
            "discovery_limit": 5,
            "no_password": "allow",
            "heartbeat_interval": 120,
            "max_connectors": 8,
            "clock_tolerance": 60,
        },
        "tags": {"tag_policy": "known", "ask_timeout": 1.5, "default_id_tag": "HA"},
        "charging": {
            "nominal_voltage": 240,
            "default_phases": "1",
            "minimum_current": 8,
            "below_minimum": "minimum",
            "limit_spacing": 30,
        },
        "limits": {
            "max_frame_kib": 1024,
            "messages_per_minute": 120,
            "message_burst": 50,
            "connections_per_address": 250,
            "connections_total": 2000,
            "handshake_timeout": 10,
            "response_timeout": 3,
            "ping_interval": 60,
            "ping_timeout": 30,
        },
        "tls": {"tls_legacy": False},
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], sections)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert csms_entry.options["unknown_chargers"] == "accept"
    assert csms_entry.options["default_phases"] == 1
    runtime = runtime_of(hass)
    assert runtime.csms.settings.auto_accept is True
    assert runtime.access.discovery_cap == 5
    assert str(runtime.connections.admission.no_password) == "allow"
    assert runtime.csms.settings.heartbeat_interval == 120
    assert runtime.csms.settings.max_connectors == 8
    assert runtime.options.default_id_tag == "HA"
    assert str(runtime.csms.tags.policy) == "known"
    assert runtime.tag_manager.ask_timeout == 1.5
    assert runtime.connections.settings.messages_per_minute == 120
    assert runtime.connections.settings.message_burst == 50
    limits = runtime.csms.limits
    assert (limits.settings.electrical.voltage, limits.settings.electrical.phases) == (240, 1)
    assert limits.settings.minimum_amps == 8
    assert not limits.settings.below_minimum_pauses
    assert limits.spacing.total_seconds() == 30
    # the form shows the saved values again, in their sections
    result = await hass.config_entries.options.async_init(csms_entry.entry_id)
    shown = {str(k): v.schema.schema for k, v in result["data_schema"].schema.items()}
    chargers = {
        str(k): k.description["suggested_value"]
        for k in shown["chargers"]
        if k.description and "suggested_value" in k.description
    }
    assert chargers["unknown_chargers"] == "accept"
    assert chargers["discovery_limit"] == 5


async def test_charger_options_pin_a_version(hass: HomeAssistant, csms_entry) -> None:
    entry = await add_charger_entry(hass, "CP7")
    assert entry.supports_options
    assert csms_entry.supports_options
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"protocol": "1_6"},  # the option's key (keys are lower case)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    runtime = runtime_of(hass)
    assert runtime.connections.allowed_versions("CP7") == ["1.6"]
    result = await hass.config_entries.options.async_init(entry.entry_id)
    await hass.config_entries.options.async_configure(result["flow_id"], {"protocol": "auto"})
    await hass.async_block_till_done()
    assert runtime.connections.allowed_versions("CP7") == ["2.1", "2.0.1", "1.6"]
    # a version stored by earlier releases as the OCPP word still pins it, and the
    # form shows it by its key
    hass.config_entries.async_update_entry(entry, options={**entry.options, "protocol": "2.0.1"})
    await hass.async_block_till_done()
    assert runtime.connections.allowed_versions("CP7") == ["2.0.1"]
    shown = await hass.config_entries.options.async_init(entry.entry_id)
    marker = next(k for k in shown["data_schema"].schema if k == "protocol")
    assert marker.description["suggested_value"] == "2_0_1"


async def test_second_csms_not_offered(hass: HomeAssistant, csms_entry) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert result["step_id"] == "add_charger"


async def test_discovery_of_configured_charger_aborts(hass: HomeAssistant, csms_entry) -> None:
    await add_charger_entry(hass, "CP8")
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": config_entries.SOURCE_INTEGRATION_DISCOVERY},
        data={"charger_id": "CP8", "vendor": "", "model": ""},
    )
    assert result["type"] is FlowResultType.ABORT
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": config_entries.SOURCE_INTEGRATION_DISCOVERY},
        data={"charger_id": "CP9", "vendor": "", "model": ""},
    )
    assert result["step_id"] == "confirm"
    flow = hass.config_entries.flow.async_get(result["flow_id"])
    assert flow["context"]["title_placeholders"] == {"name": "CP9"}


async def test_remove_connector_device_allowed_not_charger(
    hass: HomeAssistant, charger, hass_ws_client
) -> None:
    from homeassistant.helpers import device_registry as dr

    from custom_components.ocpp_csms import async_remove_config_entry_device

    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    dev_reg = dr.async_get(hass)
    main = dev_reg.async_get_device_by_identifier((DOMAIN, "CP1"), entry.entry_id)
    child = dev_reg.async_get_child_device_by_identifier((DOMAIN, "CP1/1"), entry.entry_id)
    assert await async_remove_config_entry_device(hass, entry, child)
    assert not await async_remove_config_entry_device(hass, entry, main)
    # and as the UI does it, through the websocket API
    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": entry.entry_id,
            "device_id": main.id,
        }
    )
    response = await client.receive_json()
    assert not response["success"]  # the charger goes with its entry
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": entry.entry_id,
            "device_id": child.id,
        }
    )
    response = await client.receive_json()
    assert response["success"]
    assert dev_reg.async_get(child.id) is None
