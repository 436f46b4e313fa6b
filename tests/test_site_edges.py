"""The site's less common paths, with real chargers: one grid power sensor for a
three-phase fuse, chargers that report only power or one current, a connector's
own cap under the fuse, priorities set on the number entity, a home battery that
charges first, import and export sensors, and leaving a solar mode."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant

from custom_components.ocpp_csms.const import DOMAIN

from .helpers import Clock, act, adopted, device_id, model, state, until
from .site_helpers import FUSE, SITE, charging, drawn, report, set_grid, three_charging

VOLTS = 230.0
ONE_POWER_SENSOR = {
    "response_timeout": 3,
    "limit_spacing": 0,
    "ping_interval": 0,
    "main_fuse": FUSE,
    "main_fuse_phases": 3,
    "grid_power": "sensor.grid_power",
}


def only(sim: Any, keep: str, phase: bool = True) -> list[dict[str, Any]]:
    """The energy register and one measurand of the simulator's usual readings,
    written the 1.6 way (the 2.x simulator translates them)."""
    conn = sim.connectors[1]
    amps, watts = conn.amps(), conn.power_w()
    values: list[dict[str, Any]] = [
        {
            "value": f"{conn.register_wh:.0f}",
            "measurand": "Energy.Active.Import.Register",
            "unit": "Wh",
        }
    ]
    if keep == "Power.Active.Import":
        values.append({"value": f"{watts:.0f}", "measurand": keep, "unit": "W"})
    else:
        item = {"value": f"{amps:.1f}", "measurand": keep, "unit": "A"}
        if phase:
            item["phase"] = "L1"
        values.append(item)
    return values


@pytest.mark.parametrize("csms_options", [ONE_POWER_SENSOR])
async def test_one_power_sensor_and_chargers_without_phase_currents(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grid power sensor alone (the house's load taken as balanced over the fuse's
    phases); one charger reporting only its power, one only a current without a
    phase, a third with no session (no share, its default the safe limit). The first has its own cap
    of 8 A, which the fuse's share never lifts."""
    clock = Clock(hass, monkeypatch)
    sims = [await charging(hass, connect_sim, clock, f"CP{n}") for n in (1, 2)]
    idle = await adopted(hass, connect_sim, "CP3")
    await act(hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "amps": 8})
    await until(hass, lambda: sims[0].connectors[1].amps() == 8.0)
    house_a = 10.0  # 10 A on each phase: 15 A left for the chargers

    async def step() -> None:
        await sims[0].send_meter_values(1, seconds=0, values=only(sims[0], "Power.Active.Import"))
        await sims[1].send_meter_values(
            1, seconds=0, values=only(sims[1], "Current.Import", phase=False)
        )
        watts = house_a * VOLTS * 3 + sum(s.connectors[1].power_w() for s in sims)
        hass.states.async_set("sensor.grid_power", f"{watts:.0f}", {"unit_of_measurement": "W"})
        await clock.skip(1.1)

    await step()
    await until(hass, lambda: house_a + drawn(sims) <= FUSE + 0.5)
    for _ in range(3):
        await step()
    assert house_a + drawn(sims) <= FUSE + 0.5
    assert 6.0 <= sims[0].connectors[1].amps() <= 8.0
    assert sims[1].connectors[1].amps() >= 6.0
    assert drawn(sims) >= FUSE - house_a - 1.0  # the room is used, not wasted
    # no session: no share, but a session that starts begins at the safe limit
    assert idle.connectors[1].limit_amps() == pytest.approx(FUSE / 3, abs=0.1)
    assert float(state(hass, "sensor.ocpp_central_system_headroom_l1")) == pytest.approx(15, abs=1)


@pytest.mark.parametrize("csms_options", [SITE])
async def test_priority_set_on_the_number_outranks_a_paused_connector(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Room for two at the minimum (the meter in mA): the lowest priority is paused.
    Raised above the others on its number entity, it charges again at once and the
    new lowest is paused. A paused connector whose session ends is no longer held:
    its next session charges as soon as there is room, without the minute's wait."""
    clock = Clock(hass, monkeypatch)
    sims = await three_charging(hass, connect_sim, clock)

    async def priority(n: int, value: int) -> None:
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": f"number.cp{n}_connector_1_priority", "value": value},
            blocking=True,
        )

    for n, value in ((1, 5), (2, 0), (3, 9)):
        await priority(n, value)
    assert model(hass, "CP2").connectors[1].desired.priority == 0
    assert state(hass, "number.cp3_connector_1_priority") == "9.0"
    await report(sims)
    set_grid(hass, (12.0, 12.0, 12.0), sims, unit="mA")
    await clock.skip(1.1)
    await until(hass, lambda: sims[1].connectors[1].amps() == 0)
    await priority(2, 10)
    await report(sims)
    set_grid(hass, (12.0, 12.0, 12.0), sims, unit="mA")
    await clock.skip(1.1)
    await until(hass, lambda: sims[1].connectors[1].amps() >= 6.0)
    await until(hass, lambda: sims[0].connectors[1].amps() == 0)
    assert sims[2].connectors[1].amps() >= 6.0
    # CP1, paused by the fuse, ends its session; the house gets lighter
    await sims[0].stop_transaction(1, unplug=False)
    for _ in range(3):
        await report(sims[1:])
        set_grid(hass, (3.0, 3.0, 3.0), sims, unit="mA")
        await clock.skip(5)
    await sims[0].start_transaction(1)
    for _ in range(2):  # it starts at the safe limit (its default), then gets its share
        await report(sims)
        set_grid(hass, (3.0, 3.0, 3.0), sims, unit="mA")
        await clock.skip(1.1)
    await until(hass, lambda: 3.0 + drawn(sims) <= FUSE + 0.5)
    assert all(sim.connectors[1].amps() >= 6.0 for sim in sims)  # no minute's hold


@pytest.mark.parametrize("csms_options", [SITE])
async def test_a_reading_newer_than_the_meter_never_lifts_a_share_above_the_fuse(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The charger reports more than the grid meter has seen yet (its reading came
    first): the house's load is not taken below zero, so the share stays within
    the fuse."""
    clock = Clock(hass, monkeypatch)
    sim = await charging(hass, connect_sim, clock)
    await report([sim])
    set_grid(hass, (3.0, 3.0, 3.0), [sim])
    await clock.skip(1.1)
    await until(hass, lambda: sim.connectors[1].amps() <= FUSE - 3.0 + 0.05)
    await report([sim])
    set_grid(hass, (3.0, 3.0, 3.0), [sim])  # the meter and the charger agree: 3 A + 22 A
    await clock.skip(1.1)
    high = [
        {"value": "32.0", "measurand": "Current.Import", "unit": "A", "phase": phase}
        for phase in ("L1", "L2", "L3")
    ]
    await sim.send_meter_values(1, seconds=0, values=high)  # the meter: not yet
    await clock.skip(1.1)
    share = model(hass).connectors[1].desired.site
    assert share is not None
    assert share.value <= FUSE


BATTERY = {
    "response_timeout": 3,
    "limit_spacing": 0,
    "ping_interval": 0,
    "grid_import": "sensor.grid_import",
    "grid_export": "sensor.grid_export",
    "battery_power": "sensor.battery_power",
    "battery_soc": "sensor.battery_soc",
    "battery_first_soc": 80,
}


@pytest.mark.parametrize("csms_options", [BATTERY])
async def test_the_battery_charges_first_then_the_car(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Import and export on two sensors; a home battery that charges first up to
    80 %: below it, what the battery takes is no surplus for the car; above it, the
    car gets it all. Leaving Minimum + solar for Now lifts the solar limit."""
    clock = Clock(hass, monkeypatch)
    sim = await charging(hass, connect_sim, clock)
    conn = sim.connectors[1]
    select = "select.cp1_connector_1_charging_mode"
    assert "solar" in hass.states.get(select).attributes["options"]
    await act(hass, "set_charging_mode", {"entity_id": select, "mode": "min_solar"})

    async def sun(export_w: float, battery_w: float, soc: float) -> None:
        """The house exports ``export_w`` without the car; the battery takes ``battery_w``."""
        for _ in range(2):
            grid = -export_w + conn.power_w()
            await sim.send_meter_values(1, seconds=0)
            for entity_id, value, unit in (
                ("sensor.grid_import", max(0.0, grid) / 1000, "kW"),
                ("sensor.grid_export", max(0.0, -grid) / 1000, "kW"),
                ("sensor.battery_power", battery_w, "W"),
                ("sensor.battery_soc", soc, "%"),
            ):
                hass.states.async_set(entity_id, f"{value:.3f}", {"unit_of_measurement": unit})
            await clock.skip(1.1)

    await sun(8000, 3000, 50)  # 8000 W - the battery's 3000 W: 7.2 A
    await until(hass, lambda: conn.amps() == 7.0)
    await sun(8000, 3000, 90)  # the battery has its share: 8000 W / 690 V = 11.59 A
    await until(hass, lambda: conn.amps() == 11.5)
    await sun(8000, 3000, 90)
    assert conn.amps() == 11.5
    assert float(state(hass, "sensor.ocpp_central_system_solar_surplus")) == pytest.approx(
        8000, abs=50
    )
    result = await act(hass, "set_charging_mode", {"entity_id": select, "mode": "now"}, True)
    assert result["connectors"]["CP1/1"]["mode"] == "now"
    await sun(8000, 3000, 90)
    await until(hass, lambda: conn.amps() == 32.0)
    assert hass.services.has_service(DOMAIN, "set_charging_mode")
