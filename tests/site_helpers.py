"""The house's grid meter and three charging chargers, for the site's tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from homeassistant.core import HomeAssistant

from .helpers import Clock, adopted, until

FUSE = 25.0
SAFE_SHARE = 8.3  # the fuse's share of each of three, while no grid sensor reports
GRID = ("sensor.grid_l1", "sensor.grid_l2", "sensor.grid_l3")
SOLAR = {  # a grid power sensor alone: the solar modes, no load management
    "response_timeout": 3,
    "limit_spacing": 0,
    "ping_interval": 0,  # the clock skips minutes: no keep-alive timing out
    "grid_power": "sensor.grid_power",
}
SITE = {
    "response_timeout": 3,
    "limit_spacing": 0,
    "ping_interval": 0,  # the clock skips minutes: no keep-alive timing out
    "main_fuse": FUSE,
    "main_fuse_phases": 3,
    "grid_current_l1": GRID[0],
    "grid_current_l2": GRID[1],
    "grid_current_l3": GRID[2],
}


def drawn(sims: list[Any]) -> float:
    """What the chargers draw on each phase (three-phase chargers: the same on each)."""
    return sum(sim.connectors[1].amps() for sim in sims)


def set_grid(
    hass: HomeAssistant, house: tuple[float, float, float], sims: list[Any], unit: str = "A"
) -> None:
    """The grid meter: the house's own load plus what the chargers draw."""
    ours = drawn(sims)
    scale = 1000.0 if unit == "mA" else 1.0
    for entity_id, load in zip(GRID, house, strict=True):
        value = f"{(load + ours) * scale:.1f}"
        hass.states.async_set(entity_id, value, {"unit_of_measurement": unit})


async def charging(
    hass: HomeAssistant,
    connect_sim,
    clock: Clock,
    charger_id: str = "CP1",
    amps: float = 32.0,
    prepare: Callable[[Any], object] | None = None,
) -> Any:
    """An adopted charger in a session, its car taking up to ``amps``."""
    sim = await adopted(hass, connect_sim, charger_id, prepare=prepare)
    sim.connectors[1].max_amps = amps
    sim.engine.clock = clock.now  # its clock moves with Home Assistant's
    await sim.start_transaction(1)
    return sim


async def three_charging(
    hass: HomeAssistant, connect_sim, clock: Clock, amps: float = 32.0
) -> list[Any]:
    """Three chargers in a session, after the site's first cycle: with no grid
    reading yet, each at the safe limit (the fuse's share, 8.3 A), and reporting it.

    That cycle comes with the first readings, after half a second of real time: run
    here, it comes at the same point on a busy machine as on an idle one.
    """
    sims = [await charging(hass, connect_sim, clock, f"CP{n}", amps) for n in (1, 2, 3)]
    await report(sims)
    await clock.skip(1.1)
    await until(hass, lambda: drawn(sims) == pytest.approx(3 * min(amps, SAFE_SHARE)))
    await report(sims)
    return sims


async def report(sims: list[Any]) -> None:
    for sim in sims:
        await sim.send_meter_values(1, seconds=0)


def sun(hass: HomeAssistant, sim: Any, clock: Clock):
    """Return ``shine(surplus_w, seconds)``: the house exports ``surplus_w`` without
    the charger for a while, the charger's readings and the meter every 5 s."""
    conn = sim.connectors[1]

    async def shine(surplus_w: float, seconds: float) -> None:
        for _ in range(int(seconds // 5)):
            await sim.send_meter_values(1, seconds=0)
            await hass.async_block_till_done()  # the readings are in
            grid = -surplus_w + conn.power_w()
            hass.states.async_set("sensor.grid_power", f"{grid:.0f}", {"unit_of_measurement": "W"})
            await clock.skip(5)

    return shine
