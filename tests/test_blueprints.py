"""The README's three automations, shipped as blueprints: each is loaded into the
test Home Assistant as a user would import it, and drives a simulated charger."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .helpers import device_id, model, until

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / "ocpp_csms"
CONN = "cp1_connector_1"


@pytest.fixture
def blueprint_folder(hass: HomeAssistant, tmp_path: Path) -> None:
    """Home Assistant's blueprints folder, holding ours as an import puts them."""
    target = tmp_path / "blueprints" / "automation" / "ocpp_csms"
    shutil.copytree(BLUEPRINTS, target)
    hass.config.config_dir = str(tmp_path)


def nordpool(hass: HomeAssistant, start: datetime) -> None:
    """A Nord Pool-style price entity: 48 hours from ``start``, cheaper every hour."""
    hass.states.async_set(
        "sensor.nordpool",
        "0.2",
        {
            "unit": "kWh",
            "raw_today": [
                {
                    "start": (start + timedelta(hours=n)).isoformat(),
                    "end": (start + timedelta(hours=n + 1)).isoformat(),
                    "value": 0.30 - 0.01 * n,
                }
                for n in range(48)
            ],
        },
    )


async def use(hass: HomeAssistant, name: str, **inputs) -> None:
    config = {"automation": [{"use_blueprint": {"path": f"ocpp_csms/{name}", "input": inputs}}]}
    assert await async_setup_component(hass, "automation", config)
    await hass.async_block_till_done()
    assert hass.states.async_entity_ids("automation"), "the blueprint did not load"


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_cap_above_price(hass: HomeAssistant, blueprint_folder, charger) -> None:
    hass.states.async_set("sensor.price", "0.10")
    await use(
        hass,
        "cap_above_price.yaml",
        connector=device_id(hass, "CP1/1"),
        price="sensor.price",
        threshold=0.30,
        amps=6,
    )
    await charger.start_transaction(1)
    hass.states.async_set("sensor.price", "0.45")
    await until(hass, lambda: charger.connectors[1].limit_amps() == 6)
    hass.states.async_set("sensor.price", "0.20")
    await until(hass, lambda: charger.connectors[1].limit_amps() == 16)


@pytest.mark.parametrize("version", ["1.6", "2.1"])
async def test_pause_while_expensive(hass: HomeAssistant, blueprint_folder, charger) -> None:
    hass.states.async_set("sensor.price_level", "normal")
    await use(
        hass,
        "pause_while_expensive.yaml",
        connector=device_id(hass, "CP1/1"),
        level="sensor.price_level",
        expensive="expensive",
    )
    await charger.start_transaction(1)
    hass.states.async_set("sensor.price_level", "expensive")
    await until(hass, lambda: charger.connectors[1].limit_amps() == 0)
    assert charger.connectors[1].transaction_id is not None  # paused, not stopped
    hass.states.async_set("sensor.price_level", "cheap")
    await until(hass, lambda: charger.connectors[1].limit_amps() == 16)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_cheapest_hours_before_a_deadline(
    hass: HomeAssistant, blueprint_folder, charger
) -> None:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    # A time of day at least 5 h ahead in Home Assistant's time zone: a fixed
    # 07:00 leaves less than an hour when the test runs just before it.
    from homeassistant.util import dt as dt_util

    deadline_at = (dt_util.now() + timedelta(hours=6)).strftime("%H:00:00")
    nordpool(hass, start)
    await use(
        hass,
        "cheapest_hours.yaml",
        connector=device_id(hass, "CP1/1"),
        plug=f"binary_sensor.{CONN}_plug",
        prices="sensor.nordpool",
        energy=11,
        deadline=deadline_at,
    )
    await charger.plug_in(1)
    await until(hass, lambda: model(hass).connectors[1].plan is not None)
    plan = model(hass).connectors[1].plan
    deadline = model(hass).connectors[1].plan_request.deadline
    assert plan.slots
    assert plan.slots[-1].end <= deadline
    assert plan.energy_kwh == pytest.approx(11, abs=0.1)


@pytest.mark.parametrize("csms_options", [{"grid_power": "sensor.grid_power"}])
@pytest.mark.parametrize("version", ["1.6", "2.1"])
async def test_solar_then_cheapest_before_departure(
    hass: HomeAssistant, blueprint_folder, charger
) -> None:
    """Plugged in: Solar mode, and a grid top-up planned to 80 % by the departure
    (30 % of 60 kWh at 90 %: 33.3 kWh); between the planned hours the schedule
    leaves the connector to the sun."""
    from homeassistant.util import dt as dt_util

    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    nordpool(hass, start)
    hass.states.async_set("sensor.car_soc", "30", {"unit_of_measurement": "%"})
    await use(
        hass,
        "solar_then_cheapest.yaml",
        connector=device_id(hass, "CP1/1"),
        plug=f"binary_sensor.{CONN}_plug",
        prices="sensor.nordpool",
        car_soc="sensor.car_soc",
        target_soc=80,
        battery=60,
        departure=(dt_util.now() + timedelta(hours=10)).strftime("%H:00:00"),
    )
    await charger.plug_in(1)
    conn = model(hass).connectors[1]
    await until(hass, lambda: conn.plan is not None)
    assert conn.desired.mode == "solar"
    assert conn.plan.energy_kwh == pytest.approx(33.33, abs=0.01)
    assert conn.plan.slots
    first = conn.plan.slots[0].start
    assert first > datetime.now(UTC)
    assert conn.desired.schedule[0][1] is None  # until the first planned hour: the sun's
