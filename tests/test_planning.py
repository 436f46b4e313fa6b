"""plan_charging as a standing order, end to end: the charger applies the plan,
a price update plans again, unplugging ends it, and it survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from homeassistant.core import HomeAssistant

from .helpers import act, device_id, model, restart, state, until

CONN = "cp1_connector_1"
PRICES = "sensor.electricity_prices"


SLOT = timedelta(minutes=30)


def quarter(now: datetime) -> datetime:
    """A start a minute ago: the running slot has more than the minimum dwell left."""
    return now.replace(second=0, microsecond=0) - timedelta(minutes=1)


def set_prices(hass: HomeAssistant, start: datetime, prices: list[float]) -> None:
    """An ENTSO-e-style sensor: {time, price} every 30 minutes."""
    hass.states.async_set(
        PRICES,
        str(prices[0]),
        {
            "prices": [
                {"time": (start + SLOT * n).isoformat(), "price": p} for n, p in enumerate(prices)
            ],
            "unit_of_measurement": "EUR/kWh",
        },
    )


async def start_planned(hass: HomeAssistant, charger, prices: list[float], **data) -> datetime:
    """Prices from a minute ago, a session, then a plan; return the prices' start."""
    start = quarter(datetime.now(UTC))
    set_prices(hass, start, prices)
    await charger.start_transaction(1)
    await plan(hass, prices=PRICES, **data)
    return start


async def plan(hass: HomeAssistant, **data) -> dict:
    result = await act(hass, "plan_charging", {"device_id": device_id(hass, "CP1/1"), **data}, True)
    return next(iter(result.get("connectors", result.get("chargers", {})).values()))


async def test_plan_is_applied_and_planned_again(hass: HomeAssistant, charger) -> None:
    now = datetime.now(UTC)
    start = quarter(now)
    set_prices(hass, start, [0.50, 0.40, 0.05, 0.06, 0.30, 0.30])
    deadline = start + 5 * SLOT
    await charger.start_transaction(1)
    result = await plan(
        hass, prices=PRICES, duration={"hours": 1}, deadline=deadline.isoformat(), amps=10
    )
    assert [s["price"] for s in result["slots"]] == [0.05, 0.06]
    assert {s["amps"] for s in result["slots"]} == {10}
    assert result["unpriced_kwh"] == 0
    first = start + 2 * SLOT
    assert result["slots"][0]["start"] == first.isoformat()
    # now is not in the plan: the charger applies 0 A, the session stays open
    assert charger.connectors[1].limit_amps() == 0
    assert state(hass, f"switch.{CONN}_charging") == "on"
    # the number shows the limit the plan holds, not an empty box
    assert state(hass, f"number.{CONN}_charging_current_limit") == "0.0"
    sensor = hass.states.get(f"sensor.{CONN}_next_planned_start")
    assert sensor.state == first.isoformat()
    assert sensor.attributes["slots"][0]["price"] == 0.05
    # new prices arrive: now is the cheapest, so it charges now, at the plan's rate
    set_prices(hass, start, [0.01, 0.02, 0.40, 0.40, 0.30, 0.30])
    await until(hass, lambda: charger.connectors[1].limit_amps() == 10)
    assert model(hass).connectors[1].plan.slots[0].price == 0.01
    assert state(hass, f"number.{CONN}_charging_current_limit") == "10.0"


async def test_unplug_ends_the_plan(hass: HomeAssistant, charger) -> None:
    start = quarter(datetime.now(UTC))
    set_prices(hass, start, [0.5, 0.4, 0.05, 0.3])
    await charger.plug_in(1)
    await hass.async_block_till_done()
    await plan(hass, prices=PRICES, energy_kwh=2, deadline=(start + timedelta(hours=1)).isoformat())
    conn = model(hass).connectors[1]
    assert conn.plan_request is not None
    assert conn.desired.schedule
    charger.connectors[1].plugged = False
    await charger.send_status(1, "Available")
    await until(hass, lambda: conn.plan_request is None)
    assert conn.desired.schedule == []
    assert state(hass, f"sensor.{CONN}_next_planned_start") == "unknown"


async def test_plan_survives_a_restart(
    hass: HomeAssistant, charger, connect_sim, hass_storage
) -> None:
    await start_planned(
        hass,
        charger,
        [0.5, 0.4, 0.05, 0.3, 0.3, 0.3],
        duration={"minutes": 15},
        deadline=(quarter(datetime.now(UTC)) + timedelta(hours=1, minutes=30)).isoformat(),
    )
    old = charger.connectors[1]
    await restart(hass)
    conn = model(hass).connectors[1]
    assert conn.plan_request is not None
    assert conn.desired.schedule
    sim = await connect_sim("CP1", sim_version=charger.version)
    sim.connectors[1] = old
    old.engine = sim.engine
    await sim.send_all_status()
    await until(hass, lambda: conn.plan is not None)  # planned again after the restart
    assert conn.plan.slots[0].price == 0.05


async def test_plan_ends_at_its_deadline(hass: HomeAssistant, charger) -> None:
    start = quarter(datetime.now(UTC))
    set_prices(hass, start, [0.1, 0.2])
    await charger.start_transaction(1)
    deadline = datetime.now(UTC) + timedelta(seconds=2)
    await plan(hass, prices=PRICES, duration={"minutes": 1}, deadline=deadline.isoformat())
    conn = model(hass).connectors[1]
    assert conn.plan_request is not None
    await until(hass, lambda: conn.plan_request is None, timeout=10)
    assert state(hass, f"sensor.{CONN}_next_planned_start") == "unknown"
    await until(hass, lambda: charger.connectors[1].limit_amps() == 16)


async def test_car_plugged_in_during_a_slot_charges_at_once(hass: HomeAssistant, charger) -> None:
    start = quarter(datetime.now(UTC))
    set_prices(hass, start, [0.01, 0.02, 0.5, 0.5])
    await plan(
        hass,
        prices=PRICES,
        duration={"hours": 1},
        deadline=(start + 4 * SLOT).isoformat(),
        amps=10,
    )
    assert charger.connectors[1].limit_amps() == 10  # the TxDefaultProfile, for the car
    await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=60)
    await until(hass, lambda: float(state(hass, f"sensor.{CONN}_power") or 0) == 10 * 230 * 3)


def test_deadlines_a_time_of_day_passed_is_tomorrow() -> None:

    import pytest
    from homeassistant.util import dt as dt_util

    from custom_components.ocpp_csms.hub.planning import resolve_deadline
    from custom_components.ocpp_csms.model.errors import InvalidCommand

    now = datetime.now(UTC)
    passed = (dt_util.as_local(now) - timedelta(hours=1)).time().replace(microsecond=0)
    deadline = resolve_deadline(passed, now)
    assert now + timedelta(hours=21) < deadline <= now + timedelta(hours=25)  # DST days
    assert dt_util.as_local(deadline).time() == passed
    with pytest.raises(InvalidCommand):
        resolve_deadline("at dawn", now)


async def test_a_plan_on_prices_given_or_a_price_entity_that_is_not_there(
    hass: HomeAssistant, charger
) -> None:
    import pytest
    from homeassistant.exceptions import ServiceValidationError

    await charger.plug_in(1)
    now = quarter(datetime.now(UTC))
    given = [
        {"start": (now + timedelta(minutes=15 * n)).isoformat(), "price": 0.3 - n * 0.01}
        for n in range(8)
    ]
    result = await plan(hass, prices=given, energy_kwh=2, deadline=now + timedelta(hours=2))
    assert result["slots"]
    with pytest.raises(ServiceValidationError) as err:
        await plan(hass, prices="sensor.nowhere", energy_kwh=2, deadline=now + timedelta(hours=2))
    assert "sensor.nowhere" in str(err.value)
