"""Select: a connector's charging mode (Off, Now, Minimum + solar, Solar, Plan)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .actions.site import async_set_mode
from .entity import OcppEntity, OcppEntityDescription, setup_model_entities
from .hub.entry_data import ChargerConfigEntry
from .model.charger import Connector
from .model.charging_mode import ChargingMode, modes

PARALLEL_UPDATES = 1  # each change may be a call to the charger


@dataclass(frozen=True, kw_only=True)
class OcppSelectDescription(OcppEntityDescription, SelectEntityDescription):
    """No extra fields: the value is the connector's mode."""


CHARGING_MODE = OcppSelectDescription(
    key="charging_mode",
    shows_readings=False,
    translation_key="charging_mode",
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each connector's charging mode."""
    setup_model_entities(
        entry,
        async_add_entities,
        lambda data, charger: [],
        lambda data, conn: [ChargingModeSelect(data, conn, CHARGING_MODE)],
    )


class ChargingModeSelect(OcppEntity, SelectEntity):
    """How the connector charges; the solar modes only where a grid power sensor is set."""

    entity_description: OcppSelectDescription
    target: Connector

    @override
    @property
    def options(self) -> list[str]:
        """Return the modes that can work here (and the one in force, whatever it is)."""
        shown = [m.value for m in modes(self.runtime.options.site.solar_modes)]
        mode = self.target.desired.mode.value
        return shown if mode in shown else [*shown, mode]

    @override
    @property
    def current_option(self) -> str:
        """Return the mode."""
        return self.target.desired.mode.value

    @override
    async def async_select_option(self, option: str) -> None:
        """Set the mode (as ``set_charging_mode`` does)."""
        await async_set_mode(self.runtime, self.target, ChargingMode(option))

    @override
    def _state_snapshot(self) -> Any:
        return (self.available, self.current_option, tuple(self.options))
