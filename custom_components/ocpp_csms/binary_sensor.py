"""Binary sensors of chargers and connectors, and the site's "Load limited".

A charger: connected, phase switch ignored. A connector: charging, plugged in,
limit ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entities.forwarding_entities import forwarding_binary_sensors
from .entities.site_entities import LoadLimitedBinarySensor
from .entity import OcppEntity, OcppEntityDescription, setup_model_entities
from .hub.entry_data import (
    ChargerConfigEntry,
    CsmsConfigEntry,
    as_csms_entry,
    is_charger_entry,
)
from .model.charger import Charger, Connector

PARALLEL_UPDATES = 0  # push-updated; nothing is polled


@dataclass(frozen=True, kw_only=True)
class OcppBinarySensorDescription(OcppEntityDescription, BinarySensorEntityDescription):
    """A binary sensor's description."""

    value_fn: Callable[[Any], bool | None]
    always_available: bool = False


CONNECTIVITY = OcppBinarySensorDescription(
    key="connected",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
    value_fn=lambda c: c.connected,
    always_available=True,
)

CHARGER_BINARY_SENSORS: tuple[OcppBinarySensorDescription, ...] = (
    CONNECTIVITY,
    OcppBinarySensorDescription(
        key="phase_switch_ignored",
        translation_key="phase_switch_ignored",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,  # for sites that switch phases
        value_fn=lambda c: c.phase_switch_ignored,
    ),
)

CONNECTOR_BINARY_SENSORS: tuple[OcppBinarySensorDescription, ...] = (
    OcppBinarySensorDescription(
        key="charging",
        shows_readings=False,
        device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
        entity_registry_enabled_default=False,  # the status sensor says "charging"
        value_fn=lambda c: c.charging,
    ),
    OcppBinarySensorDescription(
        key="plugged_in",
        shows_readings=False,
        device_class=BinarySensorDeviceClass.PLUG,
        value_fn=lambda c: c.plugged_in,
    ),
    OcppBinarySensorDescription(
        key="limit_ignored",
        translation_key="limit_ignored",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        shows_readings=False,  # readings that change the verdict wake every entity
        value_fn=lambda c: c.watch is not None and c.watch.ignored,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry | CsmsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a charger's and its connectors' binary sensors, or the site's."""
    if not is_charger_entry(entry):
        async_add_entities([LoadLimitedBinarySensor(as_csms_entry(entry))])
        return
    setup_model_entities(
        entry,
        async_add_entities,
        lambda data, charger: (
            [*forwarding_binary_sensors(data)]
            + [OcppBinarySensor(data, charger, d) for d in CHARGER_BINARY_SENSORS]
        ),
        lambda data, conn: [OcppBinarySensor(data, conn, d) for d in CONNECTOR_BINARY_SENSORS],
    )


class OcppBinarySensor(OcppEntity, BinarySensorEntity):
    """A binary sensor of a charger or a connector."""

    entity_description: OcppBinarySensorDescription

    @override
    @property
    def available(self) -> bool:
        """Tell whether the value can be known (connectivity always can)."""
        return self.entity_description.always_available or super().available

    @override
    @property
    def is_on(self) -> bool | None:
        """Tell whether it is on."""
        target: Charger | Connector = self.target
        return self.entity_description.value_fn(target)

    @override
    def _state_snapshot(self) -> Any:
        return (self.available, self.is_on)
