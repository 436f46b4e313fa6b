"""Chargers that bend the smart-charging rules, on every OCPP version: each test
asserts what the simulated charger applies (its own profile engine), and what
way of writing the ladder ended on."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.core import HomeAssistant

from custom_components.ocpp_csms.model import charging_limit

from .conftest import add_charger_entry
from .helpers import act, device_id, model, runtime_of, state, until
from .simulator.profiles import APPLY_MUCH_LATER_S

CONN = "cpq_connector_1"


async def quirky(hass: HomeAssistant, connect_sim, *quirks: str) -> Any:
    await add_charger_entry(hass, "CPQ")
    sim = await connect_sim("CPQ", quirks=set(quirks))
    assert await sim.boot() == "Accepted"
    await sim.send_all_status()
    # ready: capabilities probed (this is what the ladder starts from)
    await until(hass, lambda: any(k == "get_config" for k, _ in sim.received))
    await hass.async_block_till_done()
    runtime_of(hass).csms.limits.spacing *= 0
    return sim


async def cap(hass: HomeAssistant, **data: Any) -> dict:
    result = await act(
        hass, "set_charge_limit", {"device_id": device_id(hass, "CPQ/1", "CPQ"), **data}, True
    )
    return next(iter(result.get("connectors", result.get("chargers", {})).values()))


def sent(sim) -> list[dict]:
    return [f for k, f in sim.received if k == "set_profile"]


def strategy(hass: HomeAssistant) -> str:
    return model(hass, "CPQ").limit_strategy.describe()


async def test_amps_only(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    sim = await quirky(hass, connect_sim, "amps_only")
    await sim.start_transaction(1)
    await cap(hass, watts=4140)
    last = sent(sim)[-1]
    assert (last["unit"], last["limit"], last["phases"]) == ("A", 6.0, 3)  # converted
    assert sim.connectors[1].limit_amps() == 6.0
    assert [p["answer"] for p in sent(sim)] == ["Accepted"]  # no rejection needed
    assert strategy(hass) == "stack level 5, Absolute, TxProfile, the limit's own unit"


async def test_watts_only(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    sim = await quirky(hass, connect_sim, "watts_only")
    await sim.start_transaction(1)
    await cap(hass, amps=10)
    last = sent(sim)[-1]
    assert (last["unit"], last["limit"], last["phases"]) == ("W", 6900.0, 3)
    assert sim.connectors[1].limit_amps() == pytest.approx(10.0)


async def test_rejects_tx_profile(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    sim = await quirky(hass, connect_sim, "rejects_tx_profile")
    await sim.start_transaction(1)
    await cap(hass, amps=8)
    answers = [(p["purpose"], p["answer"]) for p in sent(sim)]
    assert answers[-1] == ("TxDefaultProfile", "Accepted")
    assert all(a == "Rejected" for purpose, a in answers if purpose == "TxProfile")
    assert sim.connectors[1].limit_amps() == 8
    # needed twice in a row, then remembered: the next limit goes straight
    await cap(hass, amps=10)
    assert strategy(hass) == "stack level 0, Relative, TxDefaultProfile, the limit's own unit"
    before = len(sent(sim))
    await cap(hass, amps=12)
    assert len(sent(sim)) == before + 1
    assert sim.connectors[1].limit_amps() == 12


async def test_rejected_tx_profile_learnt_across_sessions(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    """A limit per session, with idle writes between: the TxProfile it rejected in
    two sessions is not asked again in the third."""
    sim = await quirky(hass, connect_sim, "rejects_tx_profile")
    for amps in (8, 9):
        await cap(hass, amps=amps)  # idle (an automation following the sun): TxDefault
        mark = len(sent(sim))
        await sim.start_transaction(1)  # its limit: TxProfile rejected, then the ladder
        await until(hass, lambda m=mark: any(p["answer"] == "Accepted" for p in sent(sim)[m:]))
        await hass.async_block_till_done()
        await sim.stop_transaction(1)
        await hass.async_block_till_done()
        await sim.plug_in(1)
    assert "TxDefaultProfile" in strategy(hass)
    await cap(hass, amps=10)
    before = len(sent(sim))
    await sim.start_transaction(1)
    await until(hass, lambda: any(p["answer"] == "Accepted" for p in sent(sim)[before:]))
    await hass.async_block_till_done()
    assert all(p["purpose"] != "TxProfile" for p in sent(sim)[before:])


async def test_ignores_tx_default_mid_session(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    sim = await quirky(hass, connect_sim, "ignores_tx_default_mid_session")
    await cap(hass, amps=9)  # idle: TxDefaultProfile, for the next session
    await sim.start_transaction(1)
    await until(hass, lambda: sim.connectors[1].limit_amps() == 9)
    await cap(hass, amps=7)  # in the session: a TxProfile, which it applies
    assert sent(sim)[-1]["purpose"] == "TxProfile"
    assert sim.connectors[1].limit_amps() == 7


async def test_max_one_period(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    sim = await quirky(hass, connect_sim, "max_one_period")
    assert model(hass, "CPQ").capabilities.max_periods == 1
    await cap(hass, amps=12)
    assert sim.connectors[1].limit_amps() == 12
    assert strategy(hass) == "stack level 5, Absolute, TxProfile, the limit's own unit"


async def test_max_stack_level_3(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    sim = await quirky(hass, connect_sim, "max_stack_level_3")
    await cap(hass, amps=10)
    await cap(hass, amps=12)
    assert [(p["stack_level"], p["answer"]) for p in sent(sim)] == [
        (5, "Rejected"),
        (3, "Accepted"),
    ] * 2
    assert sim.connectors[1].limit_amps() == 12
    assert strategy(hass) == "stack level 3, Absolute, TxProfile, the limit's own unit"


async def test_accepts_and_ignores(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    sim = await quirky(hass, connect_sim, "accepts_and_ignores")
    await sim.start_transaction(1)
    result = await cap(hass, amps=6)
    assert result["status"] == "accepted"
    assert sim.connectors[1].limit_amps() == 16  # it applies nothing
    assert result["effective_limit"]["value"] == 16  # and says so when asked
    assert state(hass, f"binary_sensor.{CONN}_limit_ignored") == "on"
    assert state(hass, f"sensor.{CONN}_effective_limit") == "16.0"


async def test_ignored_no_more_once_followed(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A charger that puts the limit in force minutes after accepting it is flagged,
    then no longer once it follows: the limit is read back with later readings."""
    sim = await quirky(hass, connect_sim, "applies_minutes_later")
    await sim.start_transaction(1)
    result = await cap(hass, amps=6)
    assert result["status"] == "accepted"
    assert state(hass, f"binary_sensor.{CONN}_limit_ignored") == "on"
    await sim.send_meter_values(1, seconds=60)  # read back: still ignored
    await hass.async_block_till_done()
    assert state(hass, f"binary_sensor.{CONN}_limit_ignored") == "on"
    # the minutes pass for the charger: its profile is in force now
    for profile in sim.engine.profiles.values():
        profile.installed -= timedelta(seconds=APPLY_MUCH_LATER_S)
    monkeypatch.setattr(charging_limit, "REVERIFY_S", 0.0)  # not a minute after the last
    await sim.send_meter_values(1, seconds=60)
    await until(hass, lambda: state(hass, f"binary_sensor.{CONN}_limit_ignored") == "off")
    assert sim.connectors[1].limit_amps() == 6  # what the charger applies now
    assert state(hass, f"sensor.{CONN}_effective_limit") == "6.0"


async def test_applies_late(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    """A charger that puts a profile in force a second after accepting it: its
    composite schedule, read again, shows the limit; nothing is called ignored."""
    sim = await quirky(hass, connect_sim, "applies_late")
    await sim.start_transaction(1)
    result = await cap(hass, amps=10)
    assert result["effective_limit"]["value"] == 10
    assert state(hass, f"binary_sensor.{CONN}_limit_ignored") == "off"
    assert state(hass, f"sensor.{CONN}_effective_limit") == "10.0"
    assert sim.connectors[1].limit_amps() == 10  # what it applies, by then
    assert [k for k, _ in sim.received].count("composite_schedule") == 2  # read again


async def test_keeps_zero_after_session(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    sim = await quirky(hass, connect_sim, "keeps_zero_after_session")
    await cap(hass, amps=10)
    await sim.start_transaction(1)
    await act(hass, "pause_charging", {"device_id": device_id(hass, "CPQ/1", "CPQ")})
    assert sim.connectors[1].limit_amps() == 0
    await sim.stop_transaction(1)
    # the session's 0 A TxProfile is cleared by Home Assistant, not left to the charger
    await until(
        hass, lambda: [p.purpose for p in sim.engine.profiles.values()] == ["TxDefaultProfile"]
    )
    await sim.start_transaction(1)
    await until(hass, lambda: sim.connectors[1].limit_amps() == 10)


async def test_no_composite_schedule(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    sim = await quirky(hass, connect_sim, "no_composite")
    await sim.start_transaction(1)
    result = await cap(hass, amps=10)
    assert result["effective_limit"]["source"] != "composite_schedule"
    await sim.send_meter_values(1, seconds=60)  # Current.Offered tells the limit
    await until(hass, lambda: state(hass, f"sensor.{CONN}_effective_limit") == "10.0")
    attrs = hass.states.get(f"sensor.{CONN}_effective_limit").attributes
    assert attrs["source"] == "offered"
    assert model(hass, "CPQ").composite_supported is False


async def test_schedule_stepped_by_home_assistant_for_one_period(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    """A charger that takes one period per schedule gets each step when it is due."""
    from datetime import UTC, datetime, timedelta

    sim = await quirky(hass, connect_sim, "max_one_period")
    await sim.start_transaction(1)
    now = datetime.now(UTC)
    periods = [
        {"start": (now - timedelta(minutes=1)).isoformat(), "amps": 8},
        {"start": (now + timedelta(seconds=1)).isoformat(), "amps": 12},
    ]
    await act(
        hass,
        "set_charging_schedule",
        {"device_id": device_id(hass, "CPQ/1", "CPQ"), "periods": periods},
    )
    assert sim.connectors[1].limit_amps() == 8
    await until(hass, lambda: sim.connectors[1].limit_amps() == 12, timeout=10)
    assert [p["periods"] for p in sent(sim)] == [1, 1]


async def test_over_draws(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    """It reports the limit, but two readings in a row draw more than it allows."""
    sim = await quirky(hass, connect_sim, "over_draws")
    await sim.start_transaction(1)
    result = await cap(hass, amps=6)
    assert result["effective_limit"]["value"] == 6  # what it says
    assert state(hass, f"binary_sensor.{CONN}_limit_ignored") == "off"
    await sim.send_meter_values(1, seconds=30)
    await hass.async_block_till_done()
    assert state(hass, f"binary_sensor.{CONN}_limit_ignored") == "off"  # one reading
    await sim.send_meter_values(1, seconds=30)
    await until(hass, lambda: state(hass, f"binary_sensor.{CONN}_limit_ignored") == "on")
    sim.engine.quirks.discard("over_draws")  # it follows again
    await sim.send_meter_values(1, seconds=30)
    await until(hass, lambda: state(hass, f"binary_sensor.{CONN}_limit_ignored") == "off")


async def test_a_passing_rejection_teaches_nothing(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    """One TxProfile rejected (the charger lost the session, say) falls back for
    that write only; the next write goes the usual way again."""
    sim = await quirky(hass, connect_sim)
    await sim.start_transaction(1)
    await cap(hass, amps=7)  # a TxProfile, taken
    sim.engine.quirks.add("rejects_tx_profile")
    await cap(hass, amps=8)  # rejected as a TxProfile, taken as a TxDefaultProfile
    assert sim.connectors[1].limit_amps() == 8  # the older TxProfile was cleared
    sim.engine.quirks.discard("rejects_tx_profile")
    await cap(hass, amps=10)
    assert sent(sim)[-1]["purpose"] == "TxProfile"
    assert strategy(hass) == "stack level 5, Absolute, TxProfile, the limit's own unit"


@pytest.mark.parametrize("version", ["1.6"])
async def test_composite_schedule_asked_in_a_unit_the_charger_takes(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    """ChargingScheduleAllowedChargingRateUnit=Power: asked in W even when A is asked
    for; a -1 limit (no limit) is not shown as a limit of -1."""
    sim = await quirky(hass, connect_sim, "watts_only")
    result = await act(
        hass,
        "get_composite_schedule",
        {"device_id": device_id(hass, "CPQ/1", "CPQ"), "duration": {"minutes": 30}, "unit": "A"},
        True,
    )
    asked = [f["unit"] for k, f in sim.received if k == "composite_schedule"]
    assert asked[-1] == "W"
    schedule = result["connectors"]["CPQ/1"]
    assert schedule["unit"] == "W"
    routed = sim.route_message

    async def no_limit(raw: str) -> None:
        frame = json.loads(raw)
        if frame[0] == 2 and frame[2] == "GetCompositeSchedule":
            await sim._send(
                json.dumps(
                    [
                        3,
                        frame[1],
                        {
                            "status": "Accepted",
                            "connectorId": 1,
                            "scheduleStart": sim.now()[:19] + "Z",
                            "chargingSchedule": {
                                "chargingRateUnit": "W",
                                "chargingSchedulePeriod": [
                                    {"startPeriod": 0, "limit": -1},
                                    {"startPeriod": 60, "limit": 1e13},  # beyond any meter
                                ],
                            },
                        },
                    ]
                )
            )
            return
        await routed(raw)

    sim.route_message = no_limit
    result = await act(
        hass,
        "get_composite_schedule",
        {"device_id": device_id(hass, "CPQ/1", "CPQ"), "duration": {"minutes": 30}},
        True,
    )
    assert result["connectors"]["CPQ/1"]["periods"] == []
    assert model(hass, "CPQ").anomalies["bad_number"] == 1  # the absurd limit, counted


async def test_resume_restarts_a_session_the_charger_ended_at_zero(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    """A charger that ends a session held at 0 A, the car still plugged in: resume
    starts it again (a remote start with its tag), and the charger charges."""
    sim = await quirky(hass, connect_sim, "ends_session_at_zero")
    await sim.start_transaction(1, "ANNA")
    first = sim.connectors[1].transaction_id
    await act(hass, "pause_charging", {"device_id": device_id(hass, "CPQ/1", "CPQ")})
    await until(hass, lambda: not model(hass, "CPQ").transactions)  # the charger ended it
    assert sim.connectors[1].plugged
    result = await act(
        hass, "resume_charging", {"device_id": device_id(hass, "CPQ/1", "CPQ")}, True
    )
    assert result["connectors"]["CPQ/1"]["resumed_by"] == "remote_start"
    assert any(k == "start" for k, _ in sim.received)
    await until(hass, lambda: sim.connectors[1].transaction_id not in (None, first))
    assert sim.connectors[1].id_tag == "ANNA"
    await until(hass, lambda: state(hass, f"switch.{CONN}_charging") == "on")
    assert sim.connectors[1].limit_amps() > 0  # charging, not held at 0 A
