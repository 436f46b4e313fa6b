"""Charging limits: TxProfile during a session, TxDefaultProfile otherwise, stable
ids, a 0 A pause that keeps the session and never outlives it."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from custom_components.ocpp_csms.model.limit_writer import PROFILE_ID_BASE
from custom_components.ocpp_csms.runtime import get_runtime

from .helpers import model, state, until
from .test_actions import act, device_id

CONN = "cp1_connector_1"


def sent_profiles(sim) -> list[dict]:
    return [fields for kind, fields in sim.received if kind == "set_profile"]


async def test_limit_without_session_is_tx_default(hass: HomeAssistant, charger) -> None:
    await act(hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "amps": 10})
    profile = sent_profiles(charger)[-1]
    assert profile["purpose"] == "TxDefaultProfile"
    assert profile["id"] == PROFILE_ID_BASE + 2
    assert profile["unit"] == "A"
    assert profile["limit"] == 10
    assert profile["transaction_id"] is None
    assert state(hass, f"number.{CONN}_charging_current_limit") == "10.0"
    # the next session charges at the default limit
    await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=60)
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{CONN}_power")) == pytest.approx(10 * 230 * 3)


async def test_limit_during_session_is_tx_profile(hass: HomeAssistant, charger) -> None:
    tx_id = await charger.start_transaction(1)
    await act(hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "watts": 4140})
    profile = sent_profiles(charger)[-1]
    assert profile["purpose"] == "TxProfile"
    assert profile["transaction_id"] == str(tx_id)
    assert profile["id"] == PROFILE_ID_BASE + 3
    assert profile["unit"] == "W"
    await charger.send_meter_values(1, seconds=60)
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{CONN}_power")) == pytest.approx(4140)
    # a second limit reuses the same id: it replaces, never stacks
    await act(hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "amps": 8})
    assert sent_profiles(charger)[-1]["id"] == PROFILE_ID_BASE + 3
    assert {p["purpose"] for p in sent_profiles(charger)} == {"TxProfile"}


async def test_zero_pauses_and_never_outlives_the_session(hass: HomeAssistant, charger) -> None:
    await charger.start_transaction(1)
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": f"number.{CONN}_charging_current_limit", "value": 0},
        blocking=True,
    )
    await until(hass, lambda: state(hass, f"sensor.{CONN}_status") == "suspended_evse")
    assert state(hass, f"switch.{CONN}_charging") == "on"  # paused, not ended
    assert state(hass, f"number.{CONN}_charging_current_limit") == "0.0"
    await charger.send_meter_values(1, seconds=60)
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{CONN}_power")) == 0

    await charger.stop_transaction(1)
    await hass.async_block_till_done()
    # the pause was a TxProfile: gone with the session, on the charger and in HA
    assert "TxProfile" not in charger.connectors[1].profiles
    assert state(hass, f"number.{CONN}_charging_current_limit") == "unknown"
    await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=60)
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{CONN}_power")) == pytest.approx(16 * 230 * 3)


async def test_resume_by_raising_the_limit(hass: HomeAssistant, charger) -> None:
    await charger.start_transaction(1)
    dev = device_id(hass, "CP1/1")
    await act(hass, "set_charge_limit", {"device_id": dev, "amps": 0})
    await until(hass, lambda: state(hass, f"sensor.{CONN}_status") == "suspended_evse")
    await act(hass, "set_charge_limit", {"device_id": dev, "amps": 16})
    await until(hass, lambda: state(hass, f"sensor.{CONN}_status") == "charging")


async def test_clear_limit(hass: HomeAssistant, charger) -> None:
    dev = device_id(hass, "CP1/1")
    await act(hass, "set_charge_limit", {"device_id": dev, "amps": 6})
    await act(hass, "clear_charge_limit", {"device_id": dev})
    cleared = [p["id"] for a, p in charger.received if a == "clear_profile"]
    assert sorted(cleared) == [PROFILE_ID_BASE + 2, PROFILE_ID_BASE + 3]
    assert charger.connectors[1].profiles == {}
    assert state(hass, f"number.{CONN}_charging_current_limit") == "unknown"
    assert model(hass).connectors[1].default_limit is None


async def test_rejected_limit_is_not_shown(hass: HomeAssistant, charger) -> None:
    charger.reject_profiles = True
    with pytest.raises(HomeAssistantError) as err:
        await act(hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "amps": 6})
    assert err.value.translation_placeholders["answer"] == "Rejected"
    assert state(hass, f"number.{CONN}_charging_current_limit") == "unknown"
    assert model(hass).connectors[1].default_limit is None


async def test_negative_limit_needs_bidirectional(hass: HomeAssistant, charger) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "amps": -5})
    assert err.value.translation_key == "no_discharge"


async def test_default_limit_survives_restart(hass: HomeAssistant, charger, hass_storage) -> None:
    await act(hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "amps": 12})
    dump = get_runtime(hass).csms.stored.dump(get_runtime(hass).csms.chargers)
    assert dump["chargers"]["CP1"]["connectors"]["1"]["default_limit"] == {
        "limit": 12.0,
        "unit": "A",
    }
