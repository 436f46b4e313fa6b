"""Switches of a connector: charging (remote start/stop) and availability."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .actions.commands import async_change_availability, async_start, async_stop
from .entity import OcppEntity, OcppEntityDescription, setup_model_entities
from .hub.entry_data import ChargerConfigEntry
from .hub.runtime import CsmsRuntime
from .model.charger import Connector, ConnectorStatus

PARALLEL_UPDATES = 1  # each switch is a call to the charger


@dataclass(frozen=True, kw_only=True)
class OcppSwitchDescription(OcppEntityDescription, SwitchEntityDescription):
    """A switch's description."""

    value_fn: Callable[[Connector], bool | None]
    turn_fn: Callable[[CsmsRuntime, Connector, bool], Awaitable[None]]


async def _charging(runtime: CsmsRuntime, conn: Connector, on: bool) -> None:
    if on:
        await async_start(runtime, conn.charger, conn, None)
    else:
        await async_stop(conn.charger, conn)


async def _availability(runtime: CsmsRuntime, conn: Connector, on: bool) -> None:
    await async_change_availability(conn.charger, conn.connector_id, on)


SWITCHES: tuple[OcppSwitchDescription, ...] = (
    OcppSwitchDescription(
        key="charging_enabled",
        shows_readings=False,
        translation_key="charging_enabled",
        value_fn=lambda c: c.transaction is not None,
        turn_fn=_charging,
    ),
    OcppSwitchDescription(
        key="available",
        shows_readings=False,
        translation_key="available",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,  # taking a connector out of service is rare
        value_fn=lambda c: None if c.status is None else c.status != ConnectorStatus.UNAVAILABLE,
        turn_fn=_availability,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each connector's switches."""
    setup_model_entities(
        entry,
        async_add_entities,
        lambda data, charger: [],
        lambda data, conn: [OcppSwitch(data, conn, d) for d in SWITCHES],
    )


class OcppSwitch(OcppEntity, SwitchEntity):
    """A switch of a connector."""

    entity_description: OcppSwitchDescription
    target: Connector

    @override
    @property
    def is_on(self) -> bool | None:
        """Tell whether it is on."""
        return self.entity_description.value_fn(self.target)

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn it on (through the charger)."""
        await self.entity_description.turn_fn(self.runtime, self.target, True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn it off (through the charger)."""
        await self.entity_description.turn_fn(self.runtime, self.target, False)

    @override
    def _state_snapshot(self) -> Any:
        return (self.available, self.is_on)
