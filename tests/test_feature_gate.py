"""Entities that appear with their feature, and stay (entities/feature_gate.py).

A measurement sensor appears with the first reading of its measurand, the
priority and the solar share with the site options that use them, the plan's
calendar and next start with a plan, the cost with a priced session. Nothing
reloads meanwhile, and what appeared is there at once after a restart.
"""

from __future__ import annotations

from datetime import UTC, datetime

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .helpers import model, restart, state, until
from .test_planning import SLOT, quarter, start_planned

CONN = "cp1_connector_1"
MEASURED = ("current", "active_phases", "voltage", "current_offered", "state_of_charge")


def registered(hass: HomeAssistant, entity_id: str) -> bool:
    return er.async_get(hass).async_get(entity_id) is not None


async def test_measurement_sensors_appear_with_their_measurand(
    hass: HomeAssistant, charger
) -> None:
    """None before the first reading; each measurand the charger reports brings its
    sensor, without a reload; a temperature of the charger's body (not shown) none."""
    for name in (*MEASURED, "temperature"):
        assert not registered(hass, f"sensor.{CONN}_{name}"), name
    await charger.send_meter_values(1, seconds=0)
    await until(hass, lambda: all(registered(hass, f"sensor.{CONN}_{n}") for n in MEASURED))
    assert not registered(hass, f"sensor.{CONN}_temperature")  # location Body: raw only
    assert float(state(hass, f"sensor.{CONN}_state_of_charge")) == 54.0
    assert float(state(hass, f"sensor.{CONN}_current_offered")) == 16.0


async def test_what_appeared_is_there_at_once_after_a_restart(hass: HomeAssistant, charger) -> None:
    """The registry remembers that a sensor appeared: after a restart it is added
    before any reading (it shows the charger's state, not a missing entity)."""
    await charger.send_meter_values(1, seconds=0)
    await until(hass, lambda: registered(hass, f"sensor.{CONN}_state_of_charge"))
    await restart(hass)
    await hass.async_block_till_done()
    shown = hass.states.get(f"sensor.{CONN}_state_of_charge")
    assert shown is not None
    assert not shown.attributes.get("restored")  # our entity, not the registry's stand-in


async def test_site_options_bring_the_priority_and_the_solar_share(
    hass: HomeAssistant, charger, csms_entry
) -> None:
    """No site: no priority number, no solar share. A main fuse and a grid sensor set
    in the options: both appear, on the charger that stayed connected."""
    priority = f"number.{CONN}_priority"
    share = f"sensor.{CONN}_session_solar_share"
    assert not registered(hass, priority)
    assert not registered(hass, share)
    hass.states.async_set("sensor.grid_power", "500", {"unit_of_measurement": "W"})
    site = {"main_fuse": 25, "main_fuse_phases": 3, "grid_power": "sensor.grid_power"}
    hass.config_entries.async_update_entry(csms_entry, options={**csms_entry.options, **site})
    await hass.async_block_till_done()
    assert registered(hass, priority)
    assert registered(hass, share)
    assert model(hass).connected
    assert state(hass, priority) == "0.0"


async def test_a_plan_brings_its_calendar_and_next_start(hass: HomeAssistant, charger) -> None:
    calendar = f"calendar.{CONN}_charging_plan"
    next_start = f"sensor.{CONN}_next_planned_start"
    assert not registered(hass, calendar)
    assert not registered(hass, next_start)
    start = await start_planned(
        hass,
        charger,
        [0.50, 0.40, 0.05, 0.06, 0.30, 0.30],
        duration={"hours": 1},
        deadline=(quarter(datetime.now(UTC)) + 5 * SLOT).isoformat(),
        amps=10,
    )
    await hass.async_block_till_done()
    assert registered(hass, calendar)
    assert registered(hass, next_start)
    assert state(hass, next_start) == (start + 2 * SLOT).isoformat(timespec="seconds")


async def test_the_gate_stops_listening_when_the_entry_unloads(
    hass: HomeAssistant, charger
) -> None:
    """What still waits for its feature listens to the connector only while the
    charger's entry is loaded."""
    conn = model(hass).connectors[1]
    listening = len(conn._listeners)
    entry = hass.config_entries.async_entry_for_domain_unique_id("ocpp_csms", "CP1")
    assert entry is not None
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert listening > 0
    assert conn._listeners == []
    assert conn._readers == []
