"""Snapshot tests of every platform: each entity's registry entry (unique id,
translation key, device class, category, enabled by default, …) and its state
and attributes, for a charger of each OCPP version after its boot and its first
readings (the measurement sensors appear with the measurands a charger reports;
the plan's calendar with a plan, the priority with a site: tests/test_feature_gate.py).

Update with: scripts/test tests/test_snapshots.py --snapshot-update"""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from syrupy.assertion import SnapshotAssertion

from custom_components.ocpp_csms.const import DOMAIN

from .conftest import add_charger_entry
from .helpers import until

PLATFORMS = [
    "binary_sensor",
    "button",
    "calendar",
    "event",
    "number",
    "select",
    "sensor",
    "switch",
]
VOLATILE_CLASSES = {"timestamp"}  # a time of this run, not of the code
# what is enabled by default is part of the snapshot: the integration's own choice
pytestmark = pytest.mark.default_entities


def _entry(entry: er.RegistryEntry) -> dict[str, Any]:
    return {
        "unique_id": entry.unique_id,
        "translation_key": entry.translation_key,
        "original_device_class": entry.original_device_class,
        "entity_category": entry.entity_category,
        "disabled_by_default": entry.disabled_by is not None,
        "unit": entry.unit_of_measurement,
        "capabilities": entry.capabilities,
    }


def _state(hass: HomeAssistant, entity_id: str) -> dict[str, Any] | None:
    state = hass.states.get(entity_id)
    if state is None:
        return None
    attributes = dict(state.attributes)
    volatile = attributes.get("device_class") in VOLATILE_CLASSES or entity_id.startswith("event.")
    return {
        "state": "<time of the run>"
        if volatile and state.state not in ("unknown", "unavailable")
        else state.state,
        "attributes": attributes,
    }


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_platform_snapshot(
    hass: HomeAssistant,
    csms_entry,
    connect_sim,
    platform: str,
    snapshot: SnapshotAssertion,
) -> None:
    entry = await add_charger_entry(hass, "SNAP1")
    sim = await connect_sim("SNAP1")
    assert await sim.boot() == "Accepted"
    await sim.send_all_status()
    await until(hass, lambda: hass.states.get("sensor.snap1_connector_1_status") is not None)
    await sim.send_meter_values(1, seconds=0)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    found = {
        e.entity_id: {"entry": _entry(e), "state": _state(hass, e.entity_id)}
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if e.domain == platform and e.platform == DOMAIN
    }
    assert found or platform == "calendar"  # no plan made: no calendar
    assert dict(sorted(found.items())) == snapshot


async def test_central_system_snapshot(
    hass: HomeAssistant, csms_entry, snapshot: SnapshotAssertion
) -> None:
    """The central system's own sensors (without TLS: no certificate expiry)."""
    registry = er.async_get(hass)
    found = {
        e.entity_id: {
            "entry": {
                **_entry(e),
                "unique_id": e.unique_id.replace(csms_entry.entry_id, "<entry>"),
            },
            "state": _state(hass, e.entity_id),
        }
        for e in er.async_entries_for_config_entry(registry, csms_entry.entry_id)
    }
    assert dict(sorted(found.items())) == snapshot
