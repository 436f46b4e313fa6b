"""The charging scenario, end to end, over a real websocket. Runs for every
OCPP version through the ``version`` fixture."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ocpp_csms.const import DOMAIN

from .helpers import both_running, state, until

CONN = "cp1_connector_1"
# What a plugged-in connector reports before a session: 1.6 Preparing, 2.x Occupied.
PLUGGED = {"1.6": "preparing", "2.0.1": "occupied", "2.1": "occupied"}


async def test_boot_creates_devices_with_identity(hass: HomeAssistant, charger) -> None:
    dev_reg = dr.async_get(hass)
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    device = dev_reg.async_get_device_by_identifier((DOMAIN, "CP1"), entry.entry_id)
    assert device is not None
    assert device.manufacturer == "SimVendor"
    assert device.model == "SimCharger"
    assert device.sw_version == "1.2.3"
    assert device.serial_number == "SN-CP1"
    connector = dev_reg.async_get_child_device_by_identifier((DOMAIN, "CP1/1"), entry.entry_id)
    assert connector is not None
    assert connector.parent_device_id == device.id
    assert connector.name == "Connector 1"
    assert state(hass, "sensor.cp1_status") == "available"
    assert state(hass, f"sensor.{CONN}_status") == "available"
    assert state(hass, "binary_sensor.cp1_connectivity") == "on"
    assert state(hass, f"binary_sensor.{CONN}_plug") == "off"


async def test_full_session(hass: HomeAssistant, charger) -> None:
    started = async_capture_events(hass, f"{DOMAIN}_session_started")
    ended = async_capture_events(hass, f"{DOMAIN}_session_ended")
    await charger.plug_in(1)
    await until(hass, lambda: state(hass, f"binary_sensor.{CONN}_plug") == "on")
    assert state(hass, f"sensor.{CONN}_status") == PLUGGED[charger.version]

    tx_id = await charger.start_transaction(1, "TAG1")
    await until(hass, lambda: state(hass, f"switch.{CONN}_charging") == "on")
    assert state(hass, f"sensor.{CONN}_status") == "charging"
    assert state(hass, f"binary_sensor.{CONN}_charging") == "on"
    assert len(started) == 1
    assert started[0].data["transaction_id"] == str(tx_id)
    assert started[0].data["meter_start_kwh"] == 1000.0

    await charger.send_meter_values(1, seconds=3600)  # one hour at 11.04 kW
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{CONN}_power")) == pytest.approx(11040)
    assert float(state(hass, f"sensor.{CONN}_current")) == pytest.approx(16.0)
    assert float(state(hass, f"sensor.{CONN}_state_of_charge")) == 54
    assert float(state(hass, f"sensor.{CONN}_energy")) == pytest.approx(1011.04)
    assert float(state(hass, f"sensor.{CONN}_session_energy")) == pytest.approx(11.04)
    energy = hass.states.get(f"sensor.{CONN}_energy")
    assert energy.attributes["state_class"] == "total_increasing"
    assert energy.attributes["unit_of_measurement"] == "kWh"

    await charger.stop_transaction(1, "EVDisconnected")
    await until(hass, lambda: len(ended) == 1)
    assert ended[0].data["energy_kwh"] == pytest.approx(11.04, abs=0.01)
    assert ended[0].data["stop_reason"] == "EVDisconnected"
    assert ended[0].data["duration_s"] >= 0
    await until(hass, lambda: state(hass, f"sensor.{CONN}_status") == "available")
    assert state(hass, f"switch.{CONN}_charging") == "off"
    assert state(hass, f"binary_sensor.{CONN}_plug") == "off"
    assert float(state(hass, f"sensor.{CONN}_power")) == 0
    # the finished session stays visible until the next one starts
    assert float(state(hass, f"sensor.{CONN}_session_energy")) == pytest.approx(11.04, abs=0.01)


async def test_charging_switch_starts_and_stops(hass: HomeAssistant, charger) -> None:
    await charger.plug_in(1)
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": f"switch.{CONN}_charging"}, blocking=True
    )
    await until(hass, lambda: both_running(hass, charger))
    assert charger.received[-1][0] == "start"
    assert charger.received[-1][1]["id_tag"] == "HomeAssistant"

    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": f"switch.{CONN}_charging"}, blocking=True
    )
    await until(hass, lambda: both_running(hass, charger) is None)
    assert charger.received[-1][0] == "stop"


async def test_disconnect_makes_entities_unavailable(
    hass: HomeAssistant, charger, connect_sim, caplog
) -> None:
    await charger.close()
    await until(hass, lambda: state(hass, f"sensor.{CONN}_status") == "unavailable")
    assert state(hass, "binary_sensor.cp1_connectivity") == "off"
    assert state(hass, "sensor.cp1_status") == "unavailable"
    assert caplog.text.count("CP1: disconnected") == 1

    sim = await connect_sim("CP1")
    await sim.send_all_status()  # reconnect without a boot, as after a CSMS restart
    await until(hass, lambda: state(hass, f"sensor.{CONN}_status") == "available")
    assert state(hass, "binary_sensor.cp1_connectivity") == "on"


async def test_status_error_code_and_connector_zero(hass: HomeAssistant, charger) -> None:
    await charger.send_status(0, "Faulted", "GroundFailure")
    await charger.send_status(1, "Faulted", "OverCurrentFailure")
    await hass.async_block_till_done()
    assert state(hass, "sensor.cp1_status") == "faulted"
    assert state(hass, "sensor.cp1_error_code") == "GroundFailure"
    assert state(hass, f"sensor.{CONN}_status") == "faulted"
    assert state(hass, f"sensor.{CONN}_error_code") == "OverCurrentFailure"


async def test_new_connector_appears_without_reload(hass: HomeAssistant, charger) -> None:
    await charger.send_status(2, "Available")
    await hass.async_block_till_done()
    assert state(hass, "sensor.cp1_connector_2_status") == "available"


async def test_session_energy_has_long_term_statistics(hass: HomeAssistant, charger) -> None:
    """Session energy restarts with each session: total_increasing fits it."""
    st = hass.states.get("sensor.cp1_connector_1_session_energy")
    assert st.attributes["state_class"] == "total_increasing"
    assert st.attributes["device_class"] == "energy"
