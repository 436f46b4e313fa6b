"""Numbers of a connector: its charging current cap (as set_charge_limit) and its priority."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfElectricCurrent
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .actions.commands import async_set_limit
from .entity import OcppEntity, OcppEntityDescription, setup_model_entities
from .hub.entry_data import ChargerConfigEntry
from .model.charger import Connector
from .model.commands import LimitUnit
from .model.desired_limit import LimitValue

PARALLEL_UPDATES = 1  # each change is a call to the charger


@dataclass(frozen=True, kw_only=True)
class OcppNumberDescription(OcppEntityDescription, NumberEntityDescription):
    """No extra fields: the value comes from the connector's limit in force."""


CURRENT_LIMIT = OcppNumberDescription(
    key="current_limit",
    shows_readings=False,
    translation_key="current_limit",
    device_class=NumberDeviceClass.CURRENT,
    native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
    native_min_value=0,
    native_max_value=80,
    native_step=1,
    mode=NumberMode.BOX,
)

PRIORITY = OcppNumberDescription(
    key="site_priority",
    shows_readings=False,
    translation_key="site_priority",
    entity_category=EntityCategory.CONFIG,
    entity_registry_enabled_default=False,  # for sites that share a fuse
    # once the site shares a fuse, has circuits or follows the sun
    exists_fn=lambda _, o: o.site.load_management or o.site.solar_modes or bool(o.site.circuits),
    native_min_value=0,
    native_max_value=100,
    native_step=1,
    mode=NumberMode.BOX,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each connector's current limit."""
    setup_model_entities(
        entry,
        async_add_entities,
        lambda data, charger: [],
        lambda data, conn: [
            CurrentLimitNumber(data, conn, CURRENT_LIMIT),
            PriorityNumber(data, conn, PRIORITY),
        ],
    )


class CurrentLimitNumber(OcppEntity, NumberEntity):
    """The dynamic cap in A, as set here or by ``set_charge_limit``.

    Without a cap of one's own, the limit in force (a plan, a schedule, a pause,
    the station's ceiling), in A; empty only where nothing limits the connector.
    What the charger applies is the connector's *Effective limit* sensor.
    """

    entity_description: OcppNumberDescription
    target: Connector

    @override
    @property
    def native_value(self) -> float | None:
        """Return the cap, else the limit in force."""
        conn = self.target
        desired, now = conn.desired, dt_util.utcnow()
        cap = desired.cap
        running = desired.cap_until is None or now < desired.cap_until
        if cap is not None and cap.unit is LimitUnit.AMPS and not desired.paused and running:
            return cap.value
        electrical = self.runtime.csms.limits.settings.electrical
        in_force = desired.at(now, conn.charger.station_limit, electrical)
        return None if in_force is None else round(electrical.amps(in_force), 1)

    @override
    async def async_set_native_value(self, value: float) -> None:
        """Set the cap (through the charger)."""
        await async_set_limit(self.runtime, self.target, LimitValue(value, LimitUnit.AMPS))

    @override
    def _state_snapshot(self) -> Any:
        return (self.available, self.native_value)


class PriorityNumber(OcppEntity, NumberEntity):
    """The connector's priority on the site: a higher number is served first.

    When the house's fuse leaves too little, the lowest priority is paused first;
    the solar surplus goes to the highest priority first.
    """

    entity_description: OcppNumberDescription
    target: Connector

    @override
    @property
    def native_value(self) -> float:
        """Return the priority."""
        return float(self.target.desired.priority)

    @override
    async def async_set_native_value(self, value: float) -> None:
        """Set the priority (the site shares out again)."""
        self.runtime.csms.limits.set_priority(self.target, int(value))

    @override
    def _state_snapshot(self) -> Any:
        return (self.available, self.native_value)
