"""The sensor entity of a charger or a connector, and its descriptions' fields.

The list of sensors is ``sensor.py``'s; what a sensor shows is its description's
``value_fn`` (``sensor_values.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, override

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.helpers.typing import StateType

from .entity import OcppEntity, OcppEntityDescription
from .hub.entry_data import ChargerData
from .model.charger import Charger, Connector


@dataclass(frozen=True, kw_only=True)
class ChargerSensorDescription(OcppEntityDescription, SensorEntityDescription):
    """A charger's sensor."""

    value_fn: Callable[[Charger], StateType | datetime]
    attrs_fn: Callable[[Charger], dict[str, Any]] | None = None


@dataclass(frozen=True, kw_only=True)
class ConnectorSensorDescription(OcppEntityDescription, SensorEntityDescription):
    """A connector's sensor."""

    value_fn: Callable[[Connector], StateType | datetime]
    unit_fn: Callable[[Connector], str | None] | None = None
    attrs_fn: Callable[[Connector], dict[str, Any]] | None = None
    # given the value shown before a restart (a total that must not step back)
    restore_fn: Callable[[Connector, float], None] | None = None


class OcppSensor(OcppEntity, SensorEntity):
    """A sensor of a charger or a connector."""

    entity_description: ChargerSensorDescription | ConnectorSensorDescription
    # a plan's slots change with every re-plan and say nothing in history; a
    # session's running cost is its state already
    _unrecorded_attributes = frozenset({"slots", "computed_cost", "unpriced_kwh"})

    def __init__(
        self,
        data: ChargerData,
        target: Charger | Connector,
        description: ChargerSensorDescription | ConnectorSensorDescription,
    ) -> None:
        """Describe the sensor; note once what it reads and whether its unit can change."""
        super().__init__(data, target, description)
        self._value_fn: Callable[[Any], Any] = description.value_fn
        self._attrs_fn: Callable[[Any], dict[str, Any]] | None = getattr(
            description, "attrs_fn", None
        )
        self._dynamic_unit = (
            description.device_class is SensorDeviceClass.MONETARY
            or getattr(description, "unit_fn", None) is not None
        )
        self._fixed_unit = description.native_unit_of_measurement

    # What Home Assistant reads when it writes the state is the snapshot taken when
    # the model last changed (availability, value, unit, attributes): nothing is
    # computed a second time per write.

    @override
    @property
    def available(self) -> bool:
        """Tell whether the charger is connected (and the value known, where asked)."""
        return self._shown()[0]  # type: ignore[no-any-return]

    @override
    @property
    def native_value(self) -> StateType | datetime:
        """Return the value."""
        return self._shown()[1]  # type: ignore[no-any-return]

    @override
    @property
    def native_unit_of_measurement(self) -> str | None:
        """Return the unit (a session cost's currency comes from the charger)."""
        unit: str | None = self._shown()[2] if self._dynamic_unit else self._fixed_unit
        return unit

    @override
    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the attributes."""
        attrs = self._shown()[3]
        return dict(attrs) if attrs else None

    def _shown(self) -> tuple[Any, ...]:
        snapshot = self._snapshot
        if snapshot is None:  # asked before it was added (or by a test): as it is now
            snapshot = self._state_snapshot()
        return snapshot  # type: ignore[no-any-return]

    def _unit(self) -> str | None:
        description = self.entity_description
        if description.device_class is SensorDeviceClass.MONETARY:
            session = self.connector.session if self.connector else None
            currency = self.runtime.csms.settings.currency
            return session.cost_currency(currency) if session is not None else currency
        unit_fn = getattr(description, "unit_fn", None)
        if unit_fn is not None and isinstance(self.target, Connector):
            unit: str | None = unit_fn(self.target)
            return unit
        return None

    @override
    def _state_snapshot(self) -> Any:
        # Asked of every sensor of a connector per message of readings.
        target = self.target
        attrs_fn = self._attrs_fn
        attrs = attrs_fn(target) if attrs_fn is not None else None
        return (
            self._is_available(),
            self._value_fn(target),
            self._unit() if self._dynamic_unit else None,
            tuple(attrs.items()) if attrs else None,
        )


class RestoringSensor(OcppSensor, RestoreSensor):
    """A total that never shows less than before a restart (the register is batched)."""

    entity_description: ConnectorSensorDescription

    @override
    async def async_added_to_hass(self) -> None:
        """Take the larger of the stored register and the value last shown."""
        await super().async_added_to_hass()
        last = await self.async_get_last_sensor_data()
        restore_fn = self.entity_description.restore_fn
        target, value = self.target, last.native_value if last is not None else None
        if restore_fn is not None and isinstance(target, Connector):
            try:
                shown = float(str(value))  # None or a date: not a number
            except ValueError:
                return
            restore_fn(target, shown)
            self._snapshot = self._state_snapshot()
