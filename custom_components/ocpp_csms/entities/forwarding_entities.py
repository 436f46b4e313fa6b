"""A forwarded charger's entities: its second central system's leg.

*Second central system connected* (a connectivity binary sensor) and *Messages
waiting for the second central system*; only for chargers whose options name an
upstream, pushed when the leg opens or closes and as its queue moves.
"""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity

from ..const import DOMAIN
from ..hub.entry_data import ChargerData
from ..hub.forwarding import Forwarder
from .exposure import settle_assist_exposure

CONNECTED = BinarySensorEntityDescription(
    key="upstream_connected",
    translation_key="upstream_connected",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)
WAITING = SensorEntityDescription(
    key="upstream_waiting",
    translation_key="upstream_waiting",
    state_class=SensorStateClass.MEASUREMENT,
    entity_category=EntityCategory.DIAGNOSTIC,
)


class _LegEntity(Entity):
    """Follows one charger's forwarder."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, data: ChargerData, description: Any) -> None:
        """Describe the entity of a forwarded charger."""
        self.entity_description = description
        charger_id = data.charger.charger_id
        self._attr_unique_id = f"{charger_id}_{description.key}"
        self._attr_device_info = data.device_info(data.charger)
        self._data = data
        self._shown: Any = None

    @property
    def forwarder(self) -> Forwarder | None:
        """Return the charger's forwarder (None once forwarding is turned off)."""
        return self._data.runtime.forwarding.forwarders.get(self._data.charger.charger_id)

    @override
    async def async_added_to_hass(self) -> None:
        """Listen to the forwarder."""
        await super().async_added_to_hass()
        settle_assist_exposure(self)
        if (forwarder := self.forwarder) is not None:
            self.async_on_remove(forwarder.listen(self._changed))
        self._shown = self._value()

    def _value(self) -> Any:
        raise NotImplementedError

    def _changed(self) -> None:
        if (value := self._value()) != self._shown:
            self._shown = value
            self.async_write_ha_state()


class UpstreamConnected(_LegEntity, BinarySensorEntity):
    """On while the leg to the second central system is open."""

    @override
    def _value(self) -> bool | None:
        forwarder = self.forwarder
        return forwarder.connected if forwarder is not None else None

    @override
    @property
    def is_on(self) -> bool | None:
        """Return whether the leg is open."""
        return self._value()


class UpstreamWaiting(_LegEntity, SensorEntity):
    """How many charger messages the second central system has not yet answered."""

    @override
    def _value(self) -> int | None:
        forwarder = self.forwarder
        return forwarder.waiting if forwarder is not None else None

    @override
    @property
    def native_value(self) -> int | None:
        """Return the count."""
        return self._value()


def _forwarded(data: ChargerData) -> bool:
    return data.charger.charger_id in data.runtime.forwarding.forwarders


def forwarding_sensors(data: ChargerData) -> list[SensorEntity]:
    """Return a forwarded charger's sensor (none where nothing is forwarded)."""
    return [UpstreamWaiting(data, WAITING)] if _forwarded(data) else []


def forwarding_binary_sensors(data: ChargerData) -> list[BinarySensorEntity]:
    """Return a forwarded charger's binary sensor (none where nothing is forwarded)."""
    return [UpstreamConnected(data, CONNECTED)] if _forwarded(data) else []


def remove_leg_entities(hass: HomeAssistant, charger_id: str) -> None:
    """Remove a charger's leg entities from the registry (forwarding turned off)."""
    registry = er.async_get(hass)
    for description, domain in ((CONNECTED, "binary_sensor"), (WAITING, "sensor")):
        unique_id = f"{charger_id}_{description.key}"
        if entity_id := registry.async_get_entity_id(domain, DOMAIN, unique_id):
            registry.async_remove(entity_id)
