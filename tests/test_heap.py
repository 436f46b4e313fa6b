"""The heap is frozen once the site has settled, again every night, and unfrozen
when the central system unloads (a test process must not keep it frozen)."""

from __future__ import annotations

import gc
from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.ocpp_csms.hub import heap
from custom_components.ocpp_csms.hub.runtime import CsmsRuntime

from .conftest import add_charger_entry


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def test_frozen_once_settled_nightly_and_unfrozen_on_unload(
    hass: HomeAssistant,
    csms_entry: MockConfigEntry,
    runtime: CsmsRuntime,
    connect_sim,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(heap, "MIN_CHARGERS", 1)
    await add_charger_entry(hass, "CP1")
    sim = await connect_sim("CP1")
    assert await sim.boot() == "Accepted"
    assert not runtime.heap.frozen
    for _ in range(3):  # 15 s: not yet settled (20 s after the start)
        await _tick(hass, freezer, 5)
    assert not runtime.heap.frozen
    for _ in range(3):
        await _tick(hass, freezer, 5)
    assert runtime.heap.frozen
    assert gc.get_freeze_count() > 0
    first_pause = runtime.heap.last_pause_ms
    assert first_pause is not None
    # the nightly refreeze: unfrozen, collected, frozen again
    runtime.heap.last_pause_ms = None
    now = dt_util.now()
    night = (now + timedelta(days=1)).replace(hour=3, minute=33, second=0, microsecond=0)
    freezer.move_to(night)
    async_fire_time_changed(hass, night)
    await hass.async_block_till_done()
    assert runtime.heap.frozen
    assert runtime.heap.last_pause_ms is not None
    await sim.close()
    assert await hass.config_entries.async_unload(csms_entry.entry_id)
    assert not runtime.heap.frozen
    assert gc.get_freeze_count() == 0


async def test_a_small_site_is_not_frozen(
    hass: HomeAssistant,
    csms_entry: MockConfigEntry,
    runtime: CsmsRuntime,
    connect_sim,
    freezer: FrozenDateTimeFactory,
) -> None:
    await add_charger_entry(hass, "CP1")
    sim = await connect_sim("CP1")
    assert await sim.boot() == "Accepted"
    for _ in range(12):
        await _tick(hass, freezer, 5)
    assert not runtime.heap.frozen
    assert gc.get_freeze_count() == 0
    await sim.close()
