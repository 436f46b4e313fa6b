"""A plan to a state of charge by a departure, on every version: the energy the
car needs (target - SoC) x battery / efficiency planned at the cheapest prices,
made again when the car's SoC moves by 5 % or more, and charging paused at the
target, the session kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .helpers import act, device_id, model, state, until
from .test_planning import PRICES, SLOT, plan, quarter, set_prices

SOC = "sensor.car_soc"
CALENDAR = "calendar.cp1_connector_1_charging_plan"


def local(moment: str) -> str:
    """A plan slot's moment as the calendar shows it: in Home Assistant's time zone."""
    return dt_util.as_local(datetime.fromisoformat(moment)).isoformat()


async def plan_events(hass: HomeAssistant, start: datetime, end: datetime) -> list[dict]:
    """The charging plan's calendar events in a range (``calendar.get_events``)."""
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"start_date_time": start.isoformat(), "end_date_time": end.isoformat()},
        target={"entity_id": CALENDAR},
        blocking=True,
        return_response=True,
    )
    return response[CALENDAR]["events"]


async def test_plan_to_a_state_of_charge(hass: HomeAssistant, charger) -> None:
    """30 % of 60 kWh to 80 % at 90 %: 33.3 kWh, from the cheapest half hours (16 A
    on three phases: 5.52 kWh each). At 40 % it is planned again (26.7 kWh); at 80 %
    the connector is paused until the departure, the session open."""
    start = quarter(datetime.now(UTC))
    set_prices(hass, start, [0.30, 0.10] + [0.20] * 8 + [0.05] * 6)
    hass.states.async_set(SOC, "30", {"unit_of_measurement": "%"})
    await charger.start_transaction(1)
    deadline = (start + 16 * SLOT).isoformat()
    result = await plan(
        hass, prices=PRICES, target_soc=80, battery_kwh=60, soc_entity=SOC, deadline=deadline
    )
    assert result["energy_kwh"] == pytest.approx(33.33, abs=0.01)
    # the six cheapest half hours (33.1 kWh) and a little of the next cheapest
    assert [s["price"] for s in result["slots"]] == [0.10, 0.05]
    conn = model(hass).connectors[1]
    assert conn.plan_request.soc_at_plan == 30
    # the plan as calendar events: each slot, its price in the description
    events = await plan_events(hass, start, start + 16 * SLOT)
    assert [(e["start"], e["end"]) for e in events] == [
        (local(s["start"]), local(s["end"])) for s in result["slots"]
    ]
    assert [e["description"] for e in events] == ["Price: 0.1 EUR/kWh", "Price: 0.05 EUR/kWh"]
    assert {e["summary"] for e in events} == {"Charging at 16 A"}
    assert state(hass, CALENDAR) == "off"  # the first slot is the next half hour
    hass.states.async_set(SOC, "33", {"unit_of_measurement": "%"})  # under 5 %: as it was
    await hass.async_block_till_done()
    assert conn.plan_request.soc_at_plan == 30
    hass.states.async_set(SOC, "40", {"unit_of_measurement": "%"})
    await until(hass, lambda: conn.plan_request.soc_at_plan == 40)
    assert conn.plan.energy_kwh == pytest.approx(26.67, abs=0.01)
    set_prices(hass, start, [0.01] * 5 + [0.50] * 11)  # new prices: planned again
    await until(hass, lambda: conn.plan.slots[0].price == 0.01)
    assert conn.plan.energy_kwh == pytest.approx(26.67, abs=0.01)
    hass.states.async_set(SOC, "80", {"unit_of_measurement": "%"})
    await until(hass, lambda: conn.plan.energy_kwh == 0)
    assert not conn.plan.slots
    assert await plan_events(hass, start, start + 16 * SLOT) == []
    assert all(limit is None or limit.value == 0 for _, limit in conn.desired.schedule)
    assert charger.connectors[1].limit_amps() == 0
    assert conn.plan.energy_kwh == 0
    assert conn.plan_request is not None  # paused until the departure
    assert charger.connectors[1].transaction_id is not None
    assert state(hass, "switch.cp1_connector_1_charging") == "on"
    hass.states.async_set(SOC, "unavailable")  # the car integration goes away: as it was
    await hass.async_block_till_done()
    assert conn.plan_request.soc_at_plan == 80
    assert charger.connectors[1].limit_amps() == 0


def soc_reading(sim, soc: float) -> list[dict]:
    """The energy register and the car's SoC, written the 1.6 way."""
    register = sim.connectors[1].register_wh
    return [
        {"value": f"{register:.0f}", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
        {"value": f"{soc:.0f}", "measurand": "SoC", "unit": "Percent", "location": "EV"},
    ]


async def test_plan_to_the_chargers_own_soc_reading(hass: HomeAssistant, charger) -> None:
    """Without a SoC entity, the charger's SoC measurand: 50 % to 80 % of 60 kWh at
    90 % is 20 kWh; a reading of 60 % plans again (13.3 kWh)."""
    start = quarter(datetime.now(UTC))
    set_prices(hass, start, [0.30] * 16)
    await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=0, values=soc_reading(charger, 50))
    conn = model(hass).connectors[1]
    await until(hass, lambda: conn.measurements.soc_pct == 50)
    deadline = (start + 16 * SLOT).isoformat()
    result = await plan(hass, prices=PRICES, target_soc=80, battery_kwh=60, deadline=deadline)
    assert result["energy_kwh"] == pytest.approx(20.0, abs=0.01)
    await charger.send_meter_values(1, seconds=0, values=soc_reading(charger, 60))
    await until(hass, lambda: conn.plan_request.soc_at_plan == 60)
    assert conn.plan.energy_kwh == pytest.approx(13.33, abs=0.01)


async def test_a_soc_target_needs_a_capacity_and_a_known_soc(hass: HomeAssistant, charger) -> None:
    """Without the battery's capacity, or with a SoC entity that has no number, the
    action says so, and nothing is planned."""
    start = quarter(datetime.now(UTC))
    set_prices(hass, start, [0.30, 0.10])
    deadline = (start + timedelta(hours=1)).isoformat()
    target = {"device_id": device_id(hass, "CP1/1"), "prices": PRICES, "deadline": deadline}
    with pytest.raises(HomeAssistantError, match="battery"):
        await act(hass, "plan_charging", {**target, "target_soc": 80}, True)
    with pytest.raises(HomeAssistantError, match="energy_kwh, duration or target_soc"):
        await act(hass, "plan_charging", target)
    hass.states.async_set(SOC, "unavailable")
    with pytest.raises(HomeAssistantError, match="state of charge"):
        await act(
            hass,
            "plan_charging",
            {**target, "target_soc": 80, "battery_kwh": 60, "soc_entity": SOC},
            True,
        )
    assert model(hass).connectors[1].plan is None
