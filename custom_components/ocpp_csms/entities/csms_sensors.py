"""Sensors of the central system itself (the CSMS entry's device).

The last tag that was refused, the TLS certificate's expiry, and connections
refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import StateType

from ..const import DOMAIN
from ..hub.entry_data import CsmsConfigEntry
from ..hub.runtime import CsmsRuntime
from .exposure import settle_assist_exposure
from .site_entities import SITE_SENSORS, SiteSensor

REFRESH_COUNTERS_EVERY = 60  # seconds: counters of refusals are not pushed


@dataclass(frozen=True, kw_only=True)
class CsmsSensorDescription(SensorEntityDescription):
    """A sensor of the central system, read from the runtime."""

    value_fn: Callable[[CsmsRuntime], StateType | datetime]
    attrs_fn: Callable[[CsmsRuntime], dict[str, Any]] | None = None
    counter: bool = False  # refreshed every minute rather than pushed


def _rejected_attrs(runtime: CsmsRuntime) -> dict[str, Any]:
    rejected = runtime.csms.tags.last_rejected
    if rejected is None:
        return {}
    return {
        "charger_id": rejected.charger_id,
        "status": str(rejected.status),
        "at": rejected.at.isoformat(),
    }


def _refused(runtime: CsmsRuntime) -> int:
    connections = runtime.connections
    server = connections.server
    return (
        connections.admission.refused_unknown
        + connections.admission.failures.total
        + connections.refused_floods
        + (server.refused_busy if server is not None else 0)
    )


CSMS_SENSORS = (
    CsmsSensorDescription(
        key="last_rejected_tag",
        translation_key="last_rejected_tag",
        value_fn=lambda rt: (
            rt.csms.tags.last_rejected.id_tag if rt.csms.tags.last_rejected else None
        ),
        attrs_fn=_rejected_attrs,
    ),
    CsmsSensorDescription(
        key="certificate_expiry",
        translation_key="certificate_expiry",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda rt: rt.tls.expires if rt.tls is not None else None,
    ),
    CsmsSensorDescription(
        key="refused_connections",
        translation_key="refused_connections",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_refused,
        counter=True,
    ),
)


def setup_csms_sensors(
    entry: CsmsConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the central system's sensors (the expiry only with TLS)."""
    runtime = entry.runtime_data
    wanted = [d for d in CSMS_SENSORS if d.key != "certificate_expiry" or runtime.tls is not None]
    async_add_entities(CsmsSensor(entry, d) for d in wanted)
    async_add_entities(SiteSensor(entry, d) for d in SITE_SENSORS)


class CsmsSensor(SensorEntity):
    """A sensor of the central system itself."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    entity_description: CsmsSensorDescription

    def __init__(self, entry: CsmsConfigEntry, description: CsmsSensorDescription) -> None:
        """Describe the sensor on the central system's service device."""
        self.entity_description = description
        self.runtime = entry.runtime_data
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            entry_type=DeviceEntryType.SERVICE,
        )

    @override
    @property
    def native_value(self) -> StateType | datetime:
        """Return the value."""
        return self.entity_description.value_fn(self.runtime)

    @override
    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the attributes."""
        attrs_fn = self.entity_description.attrs_fn
        return attrs_fn(self.runtime) if attrs_fn is not None else None

    @callback
    def _refresh(self, _now: datetime) -> None:
        self.async_write_ha_state()

    @override
    async def async_added_to_hass(self) -> None:
        """Subscribe: counters each minute, the rejected tag at once."""
        settle_assist_exposure(self)
        if self.entity_description.counter:
            self.async_on_remove(
                async_track_time_interval(
                    self.hass, self._refresh, timedelta(seconds=REFRESH_COUNTERS_EVERY)
                )
            )
        elif self.entity_description.key == "last_rejected_tag":
            self.async_on_remove(self.runtime.csms.tags.on_rejected(self.async_write_ha_state))
