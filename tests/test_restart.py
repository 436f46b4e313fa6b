"""What survives a Home Assistant restart: open transactions, the transaction id
counter, known connectors, the energy register and managed limits (HA Store)."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ocpp_csms.const import DOMAIN, STORAGE_KEY

from .helpers import act, device_id, model, restart, state, until

CONN = "cp1_connector_1"


async def test_open_transaction_credited_after_restart(
    hass: HomeAssistant, charger, connect_sim, hass_storage, caplog
) -> None:
    ended = async_capture_events(hass, f"{DOMAIN}_session_ended")
    tx_id = await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=1800)
    await hass.async_block_till_done()
    old_conn = charger.connectors[1]

    runtime = await restart(hass)
    assert (
        hass_storage[STORAGE_KEY]["data"]["chargers"]["CP1"]["transactions"][str(tx_id)][
            "meter_start_wh"
        ]
        == 1_000_000
    )
    # entities exist at once (known connector), unavailable until the charger is back
    assert state(hass, f"sensor.{CONN}_status") == "unavailable"

    # the charger reconnects without a boot and carries on with the same transaction
    sim = await connect_sim("CP1", sim_version=charger.version)
    sim.connectors[1] = old_conn
    sim.clock_offset_s = charger.clock_offset_s
    await sim.send_meter_values(1, seconds=1800)
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{CONN}_session_energy")) == pytest.approx(11.04, abs=0.01)
    assert state(hass, f"switch.{CONN}_charging") == "on"
    await sim.stop_transaction(1)
    await until(hass, lambda: len(ended) == 1)
    assert ended[0].data["transaction_id"] == str(tx_id)
    assert ended[0].data["energy_kwh"] == pytest.approx(11.04, abs=0.01)
    assert "unknown transaction" not in caplog.text
    if charger.version == "1.6":  # the CSMS assigns ids: they keep counting up
        assert runtime.csms.stored.tx_counter == tx_id
        assert await sim.start_transaction(1) == tx_id + 1


async def test_energy_register_and_limit_restored(
    hass: HomeAssistant, charger, connect_sim, monkeypatch
) -> None:
    from custom_components.ocpp_csms.protocol import shared

    monkeypatch.setattr(shared, "READY_WITHOUT_BOOT_S", 0.05)
    await act(hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "amps": 12})
    await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=3600)
    await charger.stop_transaction(1)
    await hass.async_block_till_done()
    before = float(state(hass, f"sensor.{CONN}_energy"))

    await restart(hass)
    conn = model(hass, "CP1").connectors[1]
    assert conn.energy.value_kwh == pytest.approx(before)
    assert conn.desired.cap.value == 12.0
    sim = await connect_sim("CP1", sim_version=charger.version)
    sim.connectors[1] = charger.connectors[1]
    await sim.send_all_status()
    # shown again once the charger confirms it (asked for its meter values)
    await until(hass, lambda: state(hass, f"sensor.{CONN}_energy") != "unavailable")
    assert float(state(hass, f"sensor.{CONN}_energy")) == pytest.approx(before)
    assert state(hass, f"number.{CONN}_charging_current_limit") == "12.0"


async def test_device_info_kept_across_restart(hass: HomeAssistant, charger, connect_sim) -> None:
    """After a restart the charger reconnects without booting: the vendor, model and
    firmware learnt from its last boot stay on the device."""
    from homeassistant.helpers import device_registry as dr

    await restart(hass)
    sim = await connect_sim("CP1", sim_version=charger.version)
    await sim.send_all_status()
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, "CP1"), entry.entry_id)
    assert (device.manufacturer, device.model, device.sw_version, device.serial_number) == (
        "SimVendor",
        "SimCharger",
        "1.2.3",
        "SN-CP1",
    )


async def test_restart_in_the_middle_of_a_schedule(
    hass: HomeAssistant, charger, connect_sim, monkeypatch
) -> None:
    """A schedule set before a restart goes on after it: the charger, reconnecting
    without a boot, gets the step that is due, and the later steps follow."""
    from datetime import UTC, datetime, timedelta

    from custom_components.ocpp_csms.protocol import shared

    monkeypatch.setattr(shared, "READY_WITHOUT_BOOT_S", 0.05)
    now = datetime.now(UTC)
    await charger.start_transaction(1)
    periods = [
        {"start": (now - timedelta(minutes=1)).isoformat(), "amps": 8},
        {"start": (now + timedelta(seconds=3)).isoformat(), "amps": 11},
    ]
    await act(
        hass, "set_charging_schedule", {"device_id": device_id(hass, "CP1/1"), "periods": periods}
    )
    assert charger.connectors[1].limit_amps() == 8
    old = charger.connectors[1]
    await restart(hass)
    sim = await connect_sim("CP1", sim_version=charger.version)
    sim.connectors[1] = old
    old.engine = sim.engine  # the charger kept its session, not our profiles
    await until(hass, lambda: sim.connectors[1].limit_amps() in (8, 11))
    await until(hass, lambda: sim.connectors[1].limit_amps() == 11, timeout=10)
