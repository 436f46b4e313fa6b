"""Buttons: reset the charger, unlock a connector."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.button import (
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.components.button.const import ButtonDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .actions.commands import async_reset, async_unlock
from .entity import OcppEntity, OcppEntityDescription, setup_model_entities
from .hub.entry_data import ChargerConfigEntry
from .model.commands import ResetKind

PARALLEL_UPDATES = 1  # each press is a call to the charger


@dataclass(frozen=True, kw_only=True)
class OcppButtonDescription(OcppEntityDescription, ButtonEntityDescription):
    """A button's description."""

    press_fn: Callable[[Any], Awaitable[None]]


RESET = OcppButtonDescription(
    key="reset",
    device_class=ButtonDeviceClass.RESTART,
    entity_category=EntityCategory.CONFIG,
    entity_registry_enabled_default=False,  # a restart is rare; the reset action is for automations
    press_fn=lambda charger: async_reset(charger, ResetKind.SOFT),
)
UNLOCK = OcppButtonDescription(
    key="unlock",
    shows_readings=False,
    translation_key="unlock",
    entity_category=EntityCategory.CONFIG,
    entity_registry_enabled_default=False,  # a stuck cable is rare: one click away
    press_fn=async_unlock,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a charger's and its connectors' buttons."""
    setup_model_entities(
        entry,
        async_add_entities,
        lambda data, charger: [OcppButton(data, charger, RESET)],
        lambda data, conn: [OcppButton(data, conn, UNLOCK)],
    )


class OcppButton(OcppEntity, ButtonEntity):
    """A button of a charger or a connector."""

    entity_description: OcppButtonDescription

    @override
    async def async_press(self) -> None:
        """Send the button's command."""
        await self.entity_description.press_fn(self.target)
