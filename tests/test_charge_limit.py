"""Charging limits, judged by what the simulated charger applies (its own profile
engine), not by the message sent: TxDefaultProfile when idle, TxProfile in a
session, pause and resume, expiry, coalescing, the station limit, read-back."""

from __future__ import annotations

import json

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir

from custom_components.ocpp_csms.const import DOMAIN
from custom_components.ocpp_csms.model.limit_writer import PROFILE_ID_BASE

from .conftest import add_charger_entry
from .helpers import Clock, act, device_id, model, runtime_of, state, until

CONN = "cp1_connector_1"


def sent_profiles(sim) -> list[dict]:
    return [fields for kind, fields in sim.received if kind == "set_profile"]


async def limit(hass: HomeAssistant, service: str = "set_charge_limit", **data) -> dict:
    result = await act(hass, service, {"device_id": device_id(hass, "CP1/1"), **data}, True)
    return result["connectors"]["CP1/1"] if "connectors" in result else result["chargers"]["CP1"]


async def test_limit_without_session_is_tx_default(hass: HomeAssistant, charger) -> None:
    result = await limit(hass, amps=10)
    profile = sent_profiles(charger)[-1]
    assert (profile["purpose"], profile["id"], profile["unit"]) == (
        "TxDefaultProfile",
        PROFILE_ID_BASE + 2,
        "A",
    )
    assert profile["transaction_id"] is None
    assert charger.connectors[1].limit_amps() == 10  # the charger applies it
    assert result["status"] == "accepted"
    assert result["sent"][-1]["answer"] == "Accepted"
    assert result["effective_limit"] == {"value": 10.0, "unit": "A", "source": "composite_schedule"}
    assert state(hass, f"number.{CONN}_charging_current_limit") == "10.0"
    assert state(hass, f"sensor.{CONN}_effective_limit") == "10.0"
    assert state(hass, f"binary_sensor.{CONN}_limit_ignored") == "off"
    # the next session starts at the default limit
    await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=60)
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{CONN}_power")) == pytest.approx(10 * 230 * 3)


async def test_limit_during_session_is_tx_profile(hass: HomeAssistant, charger) -> None:
    tx_id = await charger.start_transaction(1)
    await limit(hass, watts=4140)
    profile = sent_profiles(charger)[-1]
    assert profile["purpose"] == "TxProfile"
    assert profile["transaction_id"] == str(tx_id)
    assert (profile["id"], profile["unit"], profile["limit"]) == (PROFILE_ID_BASE + 3, "W", 4140)
    assert charger.connectors[1].limit_amps() == pytest.approx(6.0)
    await charger.send_meter_values(1, seconds=60)
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{CONN}_power")) == pytest.approx(4140)
    # a second limit reuses the id: it replaces, never stacks
    runtime_of(hass).csms.limits.spacing = runtime_of(hass).csms.limits.spacing * 0
    await limit(hass, amps=8)
    assert sent_profiles(charger)[-1]["id"] == PROFILE_ID_BASE + 3
    assert charger.connectors[1].limit_amps() == 8


async def test_a_limit_lowered_a_little_is_applied(hass: HomeAssistant, charger) -> None:
    """A rise of less than 0.5 A is not worth a profile; a limit lowered by less is
    written all the same: the charger must not stay above it."""
    await charger.start_transaction(1)
    runtime_of(hass).csms.limits.spacing = runtime_of(hass).csms.limits.spacing * 0
    await limit(hass, amps=10)
    assert charger.connectors[1].limit_amps() == 10
    await limit(hass, amps=9.7)
    assert charger.connectors[1].limit_amps() == pytest.approx(9.7)
    profiles = len(sent_profiles(charger))
    await limit(hass, amps=9.9)  # a small rise: left as it is
    assert len(sent_profiles(charger)) == profiles
    assert charger.connectors[1].limit_amps() == pytest.approx(9.7)


async def test_pause_keeps_the_session_and_ends_with_it(hass: HomeAssistant, charger) -> None:
    await limit(hass, amps=10)
    await charger.start_transaction(1)
    await until(hass, lambda: charger.connectors[1].limit_amps() == 10)
    result = await limit(hass, "pause_charging")
    assert result["desired"]["value"] == 0
    await until(hass, lambda: state(hass, f"sensor.{CONN}_status") == "suspended_evse")
    assert charger.connectors[1].limit_amps() == 0
    assert state(hass, f"switch.{CONN}_charging") == "on"  # paused, not ended
    await charger.stop_transaction(1)
    await hass.async_block_till_done()
    # no 0 A stays behind: the pause went with the session, the cap stays
    assert not model(hass).connectors[1].desired.paused
    await charger.start_transaction(1)
    await until(hass, lambda: charger.connectors[1].limit_amps() == 10)


async def test_resume_restores_the_previous_limit(hass: HomeAssistant, charger) -> None:
    runtime_of(hass).csms.limits.spacing *= 0
    await charger.start_transaction(1)
    await limit(hass, amps=12)
    await limit(hass, "pause_charging")
    assert charger.connectors[1].limit_amps() == 0
    result = await limit(hass, "resume_charging")
    assert result["desired"]["value"] == 12
    assert charger.connectors[1].limit_amps() == 12


async def test_cap_expires_after_its_duration(hass: HomeAssistant, charger) -> None:
    await charger.start_transaction(1)
    await limit(hass, amps=7, duration={"seconds": 1})
    assert charger.connectors[1].limit_amps() == 7
    await until(hass, lambda: charger.connectors[1].limit_amps() == 16, timeout=10)
    assert model(hass).connectors[1].desired.cap is None
    assert state(hass, f"number.{CONN}_charging_current_limit") == "unknown"


async def test_clear_scopes(hass: HomeAssistant, charger) -> None:
    runtime_of(hass).csms.limits.spacing *= 0
    await limit(hass, amps=6)
    result = await limit(hass, "clear_charge_limit", scope="schedule")
    assert charger.connectors[1].limit_amps() == 6
    assert result["status"] == "unchanged"
    result = await limit(hass, "clear_charge_limit")
    assert result["status"] == "cleared"
    assert charger.engine.profiles == {}
    assert charger.connectors[1].limit_amps() == 16
    assert state(hass, f"number.{CONN}_charging_current_limit") == "unknown"
    assert state(hass, f"sensor.{CONN}_effective_limit") == "unknown"


async def test_small_changes_and_bursts_are_coalesced(hass: HomeAssistant, charger) -> None:
    controller = runtime_of(hass).csms.limits
    await limit(hass, amps=10)
    written = len(sent_profiles(charger))
    result = await limit(hass, amps=10.3)  # under 0.5 A: not sent
    assert result["status"] == "unchanged"
    assert len(sent_profiles(charger)) == written
    result = await limit(hass, amps=12)  # within the spacing: deferred, the latest wins
    assert result["status"] == "deferred"
    assert result["deferred_until"]
    await limit(hass, amps=13)
    assert len(sent_profiles(charger)) == written
    controller.spacing *= 0
    controller.request(model(hass).connectors[1])
    await until(hass, lambda: charger.connectors[1].limit_amps() == 13)
    assert len(sent_profiles(charger)) == written + 1


async def test_rejected_everywhere_raises_a_repair_issue(hass: HomeAssistant, charger) -> None:
    charger.reject_profiles = True
    with pytest.raises(HomeAssistantError) as err:
        await limit(hass, amps=6)
    assert err.value.translation_placeholders["answer"] == "Rejected"
    assert len(sent_profiles(charger)) >= 6  # the whole ladder was tried
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, "limits_rejected_CP1") is not None
    assert state(hass, f"sensor.{CONN}_effective_limit") == "unknown"
    charger.reject_profiles = False
    runtime_of(hass).csms.limits.spacing *= 0
    await limit(hass, amps=7)
    assert charger.connectors[1].limit_amps() == 7
    assert issues.async_get_issue(DOMAIN, "limits_rejected_CP1") is None


async def test_negative_limit_needs_bidirectional(hass: HomeAssistant, charger) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await limit(hass, amps=-5)
    assert err.value.translation_key == "no_discharge"


async def test_limit_sent_again_after_a_charger_reboot(hass: HomeAssistant, charger) -> None:
    await limit(hass, amps=9)
    charger.engine.profiles.clear()  # a reboot loses the profiles
    assert charger.connectors[1].limit_amps() == 16
    assert await charger.boot() == "Accepted"
    await until(hass, lambda: charger.connectors[1].limit_amps() == 9)


async def test_station_limit(hass: HomeAssistant, charger, monkeypatch) -> None:
    clock = Clock(hass, monkeypatch)
    result = await act(
        hass, "set_station_limit", {"device_id": device_id(hass, "CP1"), "amps": 11}, True
    )
    assert result["chargers"]["CP1"]["status"] == "accepted"
    station = [p for p in sent_profiles(charger) if p["connector_id"] == 0][-1]
    assert station["purpose"] in ("ChargePointMaxProfile", "ChargingStationMaxProfile")
    assert charger.connectors[1].limit_amps() == 11
    # a cap above the ceiling does not lift it
    await limit(hass, amps=14)
    assert charger.connectors[1].limit_amps() == 11
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "set_station_limit", {"device_id": device_id(hass, "CP1"), "amps": 12})
    assert err.value.translation_key == "invalid_command"
    # a minute later it may change: cleared, the charger's ceiling goes, the cap holds
    await clock.skip(61)
    result = await act(
        hass, "set_station_limit", {"device_id": device_id(hass, "CP1"), "clear": True}, True
    )
    assert result["chargers"]["CP1"]["status"] == "cleared"
    await until(hass, lambda: charger.connectors[1].limit_amps() == 14)
    assert not [p for p in charger.engine.profiles.values() if p.connector_id == 0]


async def test_composite_schedule_action(hass: HomeAssistant, charger) -> None:
    await limit(hass, amps=8)
    result = await limit(hass, "get_composite_schedule", duration={"minutes": 30}, unit="W")
    assert result["unit"] == "W"
    assert result["duration"] == 1800
    assert result["periods"][0]["limit"] == pytest.approx(8 * 230 * 3)


async def test_offline_limit_is_kept_and_sent_on_reconnect(
    hass: HomeAssistant, charger, connect_sim, monkeypatch
) -> None:
    from custom_components.ocpp_csms.protocol import shared

    monkeypatch.setattr(shared, "READY_WITHOUT_BOOT_S", 0.05)
    await charger.close()
    await until(hass, lambda: not model(hass).connected)
    result = await limit(hass, amps=7)
    assert result["status"] == "offline"
    sim = await connect_sim("CP1", sim_version=charger.version)  # reconnects, no boot
    await until(hass, lambda: sim.connectors[1].limit_amps() == 7)


async def test_charging_schedule_is_stepped(
    hass: HomeAssistant, charger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A schedule goes up whole, the charger steps it by itself, and when it ends
    the limit is lifted. Time is moved, not waited for (the model's clock and Home
    Assistant's timers)."""
    from datetime import timedelta

    clock = Clock(hass, monkeypatch)
    now = clock.now()
    await charger.start_transaction(1)
    periods = [
        {"start": (now - timedelta(minutes=1)).isoformat(), "amps": 8},
        {"start": (now + timedelta(minutes=1)).isoformat(), "amps": 12},
        {
            "start": (now + timedelta(minutes=2)).isoformat(),
            "end": (now + timedelta(minutes=3)).isoformat(),
            "amps": 6,
        },
    ]
    result = await limit(hass, "set_charging_schedule", periods=periods)
    assert result["desired"]["value"] == 8
    assert charger.connectors[1].limit_amps() == 8
    # the charger takes 24 periods: the whole schedule went up as one profile
    assert [p["periods"] for p in sent_profiles(charger)] == [3]
    conn = charger.connectors[1]
    applied = []
    for seconds in (61, 60, 60):  # into the second step, the third, past the end
        moment = await clock.skip(seconds)
        await until(hass, lambda: True)
        applied.append(conn.engine.limit_amps(conn, moment))
    assert applied == [12, 6, 16]  # 16: the connector's own maximum, no limit
    await until(hass, lambda: model(hass).connectors[1].desired.schedule == [])
    assert len(sent_profiles(charger)) == 1  # the charger stepped by itself


async def test_schedule_period_ending_before_it_starts(hass: HomeAssistant, charger) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await limit(
            hass,
            "set_charging_schedule",
            periods=[
                {
                    "start": "2026-12-01T10:00:00+00:00",
                    "end": "2026-12-01T09:00:00+00:00",
                    "amps": 6,
                }
            ],
        )
    assert err.value.translation_key == "schedule_order"


async def test_below_the_minimum_current(hass: HomeAssistant, charger) -> None:
    from dataclasses import replace

    controller = runtime_of(hass).csms.limits
    controller.spacing *= 0
    await charger.start_transaction(1)
    await limit(hass, amps=4)  # below 6 A: a pause by default
    assert sent_profiles(charger)[-1]["limit"] == 0
    assert charger.connectors[1].limit_amps() == 0
    controller.settings = replace(controller.settings, below_minimum_pauses=False)
    await limit(hass, amps=3)
    assert sent_profiles(charger)[-1]["limit"] == 6
    assert charger.connectors[1].limit_amps() == 6


async def test_schedule_sent_again_after_a_reboot(hass: HomeAssistant, charger) -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    periods = [
        {"start": (now - timedelta(minutes=1)).isoformat(), "amps": 7},
        {"start": (now + timedelta(hours=1)).isoformat(), "amps": 9},
    ]
    await limit(hass, "set_charging_schedule", periods=periods)
    assert charger.connectors[1].limit_amps() == 7
    charger.engine.profiles.clear()  # a reboot in the middle of the schedule
    assert await charger.boot() == "Accepted"
    await until(hass, lambda: charger.connectors[1].limit_amps() == 7)
    assert sent_profiles(charger)[-1]["periods"] == 2  # the rest of the schedule with it


async def test_no_smart_charging_ends_the_ladder(hass: HomeAssistant, charger) -> None:
    """A charger answering SetChargingProfile with NotImplemented is asked once, not
    down the whole ladder; a repair issue says so, and the next limit asks nothing."""
    routed = charger.route_message

    async def not_implemented(raw: str) -> None:
        frame = json.loads(raw)
        if frame[0] == 2 and frame[2] == "SetChargingProfile":
            charger._record("set_profile", answer="NotImplemented")
            await charger._send(json.dumps([4, frame[1], "NotImplemented", "no", {}]))
            return
        await routed(raw)

    charger.route_message = not_implemented
    before = len(sent_profiles(charger))
    with pytest.raises(HomeAssistantError):
        await limit(hass, amps=6)
    assert len(sent_profiles(charger)) == before + 1
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, "limits_rejected_CP1") is not None
    runtime_of(hass).csms.limits.spacing *= 0
    with pytest.raises(HomeAssistantError):
        await limit(hass, amps=8)
    assert len(sent_profiles(charger)) == before + 1  # nothing asked again


async def test_charger_without_smart_charging_is_asked_nothing(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    """The boot probe found no smart charging (1.6 feature profiles, 2.x
    SmartChargingCtrlr): a limit fails at once with a clear error and a repair."""
    await add_charger_entry(hass, "CP1")
    sim = await connect_sim("CP1")
    if sim.version == "1.6":
        sim.configuration["SupportedFeatureProfiles"] = "Core,RemoteTrigger"
    else:
        sim.variables["SmartChargingCtrlr/Enabled"] = "false"
    assert await sim.boot() == "Accepted"
    await sim.send_all_status()
    await until(hass, lambda: not model(hass).capabilities.smart_charging)
    await sim.start_transaction(1)
    with pytest.raises(HomeAssistantError):
        await limit(hass, amps=6)
    assert not sent_profiles(sim)
    assert ir.async_get(hass).async_get_issue(DOMAIN, "limits_rejected_CP1") is not None
