"""Solar with a departure, on every version: the surplus charges the car whenever
there is one, the plan's cheapest slots top it up from the grid whatever the sun
does, and the car stops at its target (evcc's "minimum + solar with a plan")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from homeassistant.core import HomeAssistant

from custom_components.ocpp_csms.const import DOMAIN

from .helpers import Clock, model, until
from .site_helpers import SOLAR, charging, sun
from .test_planning import PRICES, SLOT, plan, quarter, set_prices

SOC = "sensor.car_soc"


@pytest.mark.parametrize("csms_options", [SOLAR])
async def test_solar_charges_between_the_plans_grid_slots(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """30 % to 40 % of 60 kWh at 90 % is 6.7 kWh: 0.6 h at 16 A on three phases, in
    the two cheap half hours an hour from now. Before them a surplus of 5 kW charges
    at 7 A (a plan alone would hold 0 A there); in them 16 A without any surplus; at
    40 % the connector is paused, the surplus notwithstanding, the session kept."""
    clock = Clock(hass, monkeypatch)
    start = quarter(datetime.now(UTC))
    set_prices(hass, start, [0.30] * 2 + [0.05] * 2 + [0.30] * 12)
    hass.states.async_set(SOC, "30", {"unit_of_measurement": "%"})
    sim = await charging(hass, connect_sim, clock)
    conn = sim.connectors[1]
    await hass.services.async_call(
        DOMAIN,
        "set_charging_mode",
        {"entity_id": "select.cp1_connector_1_charging_mode", "mode": "solar"},
        blocking=True,
    )
    result = await plan(
        hass,
        prices=PRICES,
        target_soc=40,
        battery_kwh=60,
        soc_entity=SOC,
        deadline=(start + 16 * SLOT).isoformat(),
    )
    assert result["energy_kwh"] == pytest.approx(6.67, abs=0.01)
    assert {s["price"] for s in result["slots"]} == {0.05}
    slot_start = datetime.fromisoformat(result["slots"][0]["start"])
    assert slot_start >= start + 2 * SLOT

    shine = sun(hass, sim, clock)

    await shine(0, 20)
    await until(hass, lambda: conn.amps() == 0)  # no sun, no slot yet
    await shine(5000, 70)  # past the enable delay: the surplus charges
    await until(hass, lambda: conn.amps() == 7.0)  # 5000 W / 690 V = 7.2 A: 7.0
    # the cheap slot: the grid tops up, at the plan's rate, in the dark
    await clock.skip((slot_start - clock.now()).total_seconds() + 1)
    await shine(-300, 10)
    await until(hass, lambda: conn.amps() == 16.0)
    await shine(-300, 30)
    assert conn.amps() == 16.0
    # the car reaches 40 %: paused until the departure, the sun back or not
    hass.states.async_set(SOC, "40", {"unit_of_measurement": "%"})
    await shine(6000, 20)
    await until(hass, lambda: conn.amps() == 0)
    await shine(6000, 90)
    assert conn.amps() == 0
    assert model(hass).connectors[1].transaction is not None


@pytest.mark.parametrize("csms_options", [SOLAR])
async def test_a_plan_outside_solar_holds_between_slots(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same plan in Now: 0 A between the slots, the surplus notwithstanding; set
    to Solar, the plan is made again and the surplus charges between them."""
    clock = Clock(hass, monkeypatch)
    start = quarter(datetime.now(UTC))
    set_prices(hass, start, [0.30] * 2 + [0.05] * 2 + [0.30] * 12)
    sim = await charging(hass, connect_sim, clock)
    conn = sim.connectors[1]
    await plan(hass, prices=PRICES, energy_kwh=5, deadline=(start + 16 * SLOT).isoformat())
    await until(hass, lambda: conn.amps() == 0)
    for _ in range(16):
        await sim.send_meter_values(1, seconds=0)
        hass.states.async_set("sensor.grid_power", "-5000", {"unit_of_measurement": "W"})
        await clock.skip(5)
    assert conn.amps() == 0
    result = await hass.services.async_call(
        DOMAIN,
        "set_charging_mode",
        {"entity_id": "select.cp1_connector_1_charging_mode", "mode": "solar"},
        blocking=True,
        return_response=True,
    )
    assert result["connectors"]["CP1/1"]["mode"] == "solar"
    steps = model(hass).connectors[1].desired.schedule
    assert steps[0][1] is None  # between the slots the schedule has no say
    for _ in range(16):
        await sim.send_meter_values(1, seconds=0)
        grid = -5000 + conn.power_w()
        hass.states.async_set("sensor.grid_power", f"{grid:.0f}", {"unit_of_measurement": "W"})
        await clock.skip(5)
    await until(hass, lambda: conn.amps() == 7.0)
