"""Base entity: device info, availability and push updates from one model object."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, override

from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import (
    AddConfigEntryEntitiesCallback,
    async_get_current_platform,
)

from .entities.exposure import settle_assist_exposure
from .entities.feature_gate import ExistsFn, offer_entities
from .hub.entry_data import ChargerConfigEntry, ChargerData
from .hub.runtime import CsmsRuntime
from .model.charger import Charger, Connector


@dataclass(frozen=True, kw_only=True)
class OcppEntityDescription(EntityDescription):
    """Common fields; platforms add value_fn with their own signature."""

    available_fn: Callable[[Any], bool] | None = None
    # False for what shows nothing of meter readings: a message of readings alone
    # does not wake it (a status or a session does).
    shows_readings: bool = True
    # shows what only a grid power sensor in the site options can tell: unavailable without
    needs_grid_power: bool = False
    # whether the feature it shows is there (a measurand reported, an option set);
    # None: always. The entity is added once this holds (entities/feature_gate.py).
    exists_fn: ExistsFn | None = None


class OcppEntity(Entity):
    """Listens to one charger or connector; writes state only when it changed."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    entity_description: OcppEntityDescription

    def __init__(
        self, data: ChargerData, target: Charger | Connector, description: OcppEntityDescription
    ) -> None:
        """Describe the entity of a charger or one of its connectors."""
        self.entity_description = description
        self._data = data
        self.target = target
        self.charger = data.charger
        self.runtime: CsmsRuntime = data.runtime
        if isinstance(target, Connector):
            self.connector: Connector | None = target
            self._attr_unique_id = (
                f"{self.charger.charger_id}_{target.connector_id}_{description.key}"
            )
        else:
            self.connector = None
            self._attr_unique_id = f"{self.charger.charger_id}_{description.key}"
        self._attr_device_info = data.device_info(target)
        self._snapshot: Any = None

    @override
    @property
    def available(self) -> bool:
        """Tell whether the charger is connected (and the value known, where asked)."""
        return self._is_available()

    def _is_available(self) -> bool:
        if not self.charger.connected:
            return False
        description = self.entity_description
        if description.needs_grid_power and not self.runtime.options.site.solar_modes:
            return False
        if description.available_fn is not None:
            return description.available_fn(self.target)
        return True

    def _state_snapshot(self) -> Any:
        """Return what this entity shows; subclasses extend it with their value."""
        return self.available

    @override
    async def async_added_to_hass(self) -> None:
        """Listen to the entity's charger or connector."""
        await super().async_added_to_hass()
        settle_assist_exposure(self)
        self._snapshot = self._state_snapshot()
        on_readings = self._handle_readings if self.entity_description.shows_readings else None
        self.async_on_remove(self.target.add_listener(self._handle_model_update, on_readings))

    def _handle_model_update(self, *, readings: bool = False) -> None:
        snapshot = self._state_snapshot()
        if snapshot != self._snapshot:
            self._snapshot = snapshot
            if readings:  # a message of readings: all its writes under its one context
                self.async_set_context(self._data.readings_context(self.target))
            self.async_write_ha_state()

    def _handle_readings(self) -> None:
        self._handle_model_update(readings=True)


def setup_model_entities(
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    for_charger: Callable[[ChargerData, Charger], Sequence[Entity]],
    for_connector: Callable[[ChargerData, Connector], Sequence[Entity]],
) -> None:
    """Add the charger's entities and its connectors', now and as they appear.

    Connectors appear with their first StatusNotification or the inventory.
    """
    data = entry.runtime_data
    offer = partial(offer_entities, entry, async_add_entities, async_get_current_platform().domain)
    offer(data.charger, partial(for_charger, data, data.charger))
    for conn in list(data.charger.connectors.values()):
        offer(conn, partial(for_connector, data, conn))
    entry.async_on_unload(
        data.charger.on_connector_added(
            lambda conn: offer(conn, partial(for_connector, data, conn))
        )
    )
