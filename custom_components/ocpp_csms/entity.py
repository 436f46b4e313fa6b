"""Base entity: device info, availability and push updates from one model object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from .const import DOMAIN
from .model.charger import Charger, Connector


def charger_device(charger: Charger) -> DeviceInfo:
    """The charger's device. Identity fields are only given once known: after a
    restart a charger reconnects without booting, and None would wipe what the
    device registry kept from its last boot."""
    ident = charger.identity
    info = DeviceInfo(identifiers={(DOMAIN, charger.charger_id)}, name=charger.charger_id)
    known = {
        "manufacturer": ident.vendor,
        "model": ident.model,
        "serial_number": ident.serial_number,
        "sw_version": ident.firmware_version,
    }
    info.update({k: v for k, v in known.items() if v is not None})  # type: ignore[typeddict-item]
    return info


def connector_device(conn: Connector, parent_device_id: str) -> DeviceInfo:
    """A connector is a child device of its charger."""
    cid = conn.charger.charger_id
    return DeviceInfo(  # type: ignore[typeddict-unknown-key]
        identifiers={(DOMAIN, f"{cid}/{conn.connector_id}")},
        name=f"Connector {conn.connector_id}",
        parent_device_id=parent_device_id,
    )


def ensure_connector_device(hass: HomeAssistant, entry_id: str, conn: Connector) -> str:
    """Create the connector's child device under its charger; return the parent's id."""
    dev_reg = dr.async_get(hass)
    parent = dr.async_get_device_id_by_identifier(
        hass, (DOMAIN, conn.charger.charger_id), config_entry_id=entry_id
    )
    info = connector_device(conn, parent)
    dev_reg.async_get_or_create_child(
        config_entry_id=entry_id,
        identifiers=info["identifiers"],
        name=info["name"],
        parent_device_id=parent,
    )
    return parent


@dataclass(frozen=True, kw_only=True)
class OcppEntityDescription(EntityDescription):
    """Common fields; platforms add value_fn with their own signature."""

    available_fn: Callable[[Any], bool] | None = None


class OcppEntity(Entity):
    """Listens to one charger or connector; writes state only when it changed."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    entity_description: OcppEntityDescription

    def __init__(self, target: Charger | Connector, description: OcppEntityDescription) -> None:
        self.entity_description = description
        self.target = target
        charger = target if isinstance(target, Charger) else target.charger
        self.charger = charger
        if isinstance(target, Connector):
            self.connector: Connector | None = target
            self._attr_unique_id = f"{charger.charger_id}_{target.connector_id}_{description.key}"
        else:
            self.connector = None
            self._attr_unique_id = f"{charger.charger_id}_{description.key}"
            self._attr_device_info = charger_device(charger)
        self._snapshot: Any = None

    @property
    def available(self) -> bool:
        if not self.charger.connected:
            return False
        if self.entity_description.available_fn is not None:
            return self.entity_description.available_fn(self.target)
        return True

    def _state_snapshot(self) -> Any:
        """What this entity shows; subclasses extend it with their value."""
        return self.available

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self._snapshot = self._state_snapshot()
        self.async_on_remove(self.target.add_listener(self._handle_model_update))

    def _handle_model_update(self) -> None:
        snapshot = self._state_snapshot()
        if snapshot != self._snapshot:
            self._snapshot = snapshot
            self.async_write_ha_state()


def setup_model_entities(
    entry: Any,
    async_add_entities: Callable[[list[Entity]], None],
    for_charger: Callable[[Charger], list[Entity]],
    for_connector: Callable[[Connector], list[Entity]],
) -> None:
    """Add the charger's entities, its connectors' entities, and those of
    connectors that appear later (first StatusNotification or inventory)."""
    charger: Charger = entry.runtime_data.charger
    parent_id = dr.async_get_device_id_by_identifier(
        entry.runtime_data.runtime.hass,
        (DOMAIN, charger.charger_id),
        config_entry_id=entry.entry_id,
    )

    def connector_entities(conn: Connector) -> list[Entity]:
        entities = for_connector(conn)
        for entity in entities:
            entity._attr_device_info = connector_device(conn, parent_id)
        return entities

    entities = for_charger(charger)
    for conn in list(charger.connectors.values()):
        entities += connector_entities(conn)
    async_add_entities(entities)
    entry.async_on_unload(
        charger.on_connector_added(lambda conn: async_add_entities(connector_entities(conn)))
    )
