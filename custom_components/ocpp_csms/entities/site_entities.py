"""The site's entities on the central system's device: headroom, power, surplus, load limited.

Pushed after each site cycle that changed a figure; unavailable where the site's
options do not set up what they show (load management, solar).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfElectricCurrent, UnitOfPower
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from ..const import DOMAIN
from ..hub.entry_data import CsmsConfigEntry
from ..hub.runtime import CsmsRuntime
from ..hub.site_options import SiteOptions
from .exposure import settle_assist_exposure


@dataclass(frozen=True, kw_only=True)
class SiteSensorDescription(SensorEntityDescription):
    """A figure of the site controller's last cycle."""

    value_fn: Callable[[CsmsRuntime], float | None]
    set_up_fn: Callable[[SiteOptions], bool]


def _headroom(phase: int) -> SiteSensorDescription:
    return SiteSensorDescription(
        key=f"site_headroom_l{phase}",
        translation_key="site_headroom",
        translation_placeholders={"phase": f"L{phase}"},
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=1,
        value_fn=lambda rt: rt.csms.site.headroom_a.get(phase),
        set_up_fn=lambda o: o.load_management and phase <= o.main_fuse_phases,
    )


SITE_SENSORS = (
    _headroom(1),
    _headroom(2),
    _headroom(3),
    SiteSensorDescription(
        key="site_chargers_power",
        translation_key="site_chargers_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        value_fn=lambda rt: rt.csms.site.chargers_power_w,
        set_up_fn=lambda o: o.load_management or o.solar_modes,
    ),
    SiteSensorDescription(
        key="site_surplus",
        translation_key="site_surplus",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        value_fn=lambda rt: rt.csms.site.surplus_w,
        set_up_fn=lambda o: o.solar_modes,
    ),
)
LOAD_LIMITED = BinarySensorEntityDescription(
    key="site_load_limited",
    translation_key="site_load_limited",
    device_class=BinarySensorDeviceClass.PROBLEM,
)


class _SiteEntity(Entity):
    """Pushed by the site controller; on the central system's device."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: CsmsConfigEntry, key: str) -> None:
        self.runtime = entry.runtime_data
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            entry_type=DeviceEntryType.SERVICE,
        )

    def _set_up(self, options: SiteOptions) -> bool:
        return options.load_management

    @override
    @property
    def available(self) -> bool:
        """Return whether the options set up what it shows."""
        return self._set_up(self.runtime.options.site)

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the site's cycles."""
        settle_assist_exposure(self)
        self.async_on_remove(self.runtime.csms.site.listen(self.async_write_ha_state))


class SiteSensor(_SiteEntity, SensorEntity):
    """A figure of the site."""

    entity_description: SiteSensorDescription

    def __init__(self, entry: CsmsConfigEntry, description: SiteSensorDescription) -> None:
        """Describe the sensor."""
        super().__init__(entry, description.key)
        self.entity_description = description

    @override
    def _set_up(self, options: SiteOptions) -> bool:
        return self.entity_description.set_up_fn(options)

    @override
    @property
    def native_value(self) -> float | None:
        """Return the figure."""
        return self.entity_description.value_fn(self.runtime)


class LoadLimitedBinarySensor(_SiteEntity, BinarySensorEntity):
    """On while a connector gets less than it asks for because of the fuse."""

    def __init__(self, entry: CsmsConfigEntry) -> None:
        """Describe the binary sensor."""
        super().__init__(entry, LOAD_LIMITED.key)
        self.entity_description = LOAD_LIMITED

    @override
    @property
    def is_on(self) -> bool:
        """Return whether the fuse holds a connector back."""
        return self.runtime.csms.site.load_limited
