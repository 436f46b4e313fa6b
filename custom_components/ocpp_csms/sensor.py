"""Sensors of a charger and of each connector."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, override

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .entities.csms_sensors import setup_csms_sensors
from .entities.forwarding_entities import forwarding_sensors
from .entities.sensor_values import (
    cost_attrs,
    effective_attrs,
    effective_limit,
    log_attrs,
    plan_attrs,
    reservation_attrs,
    session_cost,
    session_energy,
    session_minutes,
)
from .entity import OcppEntity, OcppEntityDescription, setup_model_entities
from .hub.entry_data import (
    ChargerConfigEntry,
    ChargerData,
    CsmsConfigEntry,
    as_csms_entry,
    is_charger_entry,
)
from .model.charger import Charger, Connector, ConnectorStatus, PasswordState
from .model.maintenance import FIRMWARE_STATUSES, LOG_STATUSES
from .model.phase_switch import active_phases
from .model.reservations import held_reservation

PARALLEL_UPDATES = 0  # push-updated; nothing is polled

STATUS_OPTIONS = [s.value for s in ConnectorStatus]


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


CHARGER_SENSORS: tuple[ChargerSensorDescription, ...] = (
    ChargerSensorDescription(
        key="status",
        translation_key="charger_status",
        device_class=SensorDeviceClass.ENUM,
        options=STATUS_OPTIONS,
        value_fn=lambda c: c.shown_status.value if c.shown_status else None,
    ),
    ChargerSensorDescription(
        key="error_code",
        translation_key="error_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,  # a fault shows in the status
        value_fn=lambda c: c.error_code or "none",
    ),
    ChargerSensorDescription(
        key="last_heartbeat",
        translation_key="last_heartbeat",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda c: c.last_heartbeat,
    ),
    ChargerSensorDescription(
        key="firmware_status",
        translation_key="firmware_status",
        device_class=SensorDeviceClass.ENUM,
        options=list(FIRMWARE_STATUSES),
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,  # for the rare firmware update
        value_fn=lambda c: c.firmware_status,
    ),
    ChargerSensorDescription(
        key="password",
        translation_key="password",
        device_class=SensorDeviceClass.ENUM,
        options=[s.value for s in PasswordState],
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,  # the charger's options show it too
        value_fn=lambda c: c.password_state,
    ),
    ChargerSensorDescription(
        key="log_status",
        translation_key="log_status",
        device_class=SensorDeviceClass.ENUM,
        options=list(LOG_STATUSES),
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,  # for the rare log upload
        value_fn=lambda c: c.diagnostics_status,
        attrs_fn=log_attrs,
    ),
)

CONNECTOR_SENSORS: tuple[ConnectorSensorDescription, ...] = (
    ConnectorSensorDescription(
        key="status",
        shows_readings=False,
        translation_key="connector_status",
        device_class=SensorDeviceClass.ENUM,
        options=STATUS_OPTIONS,
        value_fn=lambda c: c.status.value if c.status else None,
    ),
    ConnectorSensorDescription(
        key="error_code",
        shows_readings=False,
        translation_key="error_code",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,  # a fault shows in the status
        value_fn=lambda c: c.error_code or "none",
    ),
    ConnectorSensorDescription(
        key="power",
        translation_key="power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=lambda c: c.measurements.power_w,
    ),
    ConnectorSensorDescription(
        key="current",
        translation_key="current",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=1,
        value_fn=lambda c: c.measurements.current_a,
    ),
    ConnectorSensorDescription(
        key="active_phases",
        translation_key="active_phases",
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,  # for sites that switch phases
        value_fn=lambda c: (
            (active_phases(c.measurements.phase_currents) or 0)
            if c.measurements.phase_currents
            else None
        ),
    ),
    ConnectorSensorDescription(
        key="voltage",
        translation_key="voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=0,
        entity_registry_enabled_default=False,
        value_fn=lambda c: c.measurements.voltage_v,
    ),
    ConnectorSensorDescription(
        key="current_offered",
        translation_key="current_offered",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=1,
        entity_registry_enabled_default=False,
        value_fn=lambda c: c.measurements.current_offered_a,
    ),
    ConnectorSensorDescription(
        key="soc",
        translation_key="soc",
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        entity_registry_enabled_default=False,  # few AC chargers know the car's
        value_fn=lambda c: c.measurements.soc_pct,
    ),
    ConnectorSensorDescription(
        key="temperature",
        translation_key="temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        entity_registry_enabled_default=False,
        value_fn=lambda c: c.measurements.temperature_c,
    ),
    ConnectorSensorDescription(
        key="energy",
        translation_key="energy",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda c: c.energy.value_kwh,
        restore_fn=lambda c, shown: c.energy.at_least(shown),
        # after a restart, shown again once the charger confirms it (it is asked):
        # a stored register seconds old would step back in the long-term statistics
        available_fn=lambda c: not c.energy.restored,
    ),
    ConnectorSensorDescription(
        key="session_energy",
        translation_key="session_energy",
        device_class=SensorDeviceClass.ENERGY,
        # restarts from 0 with every session: a drop starts a new cycle
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=session_energy,
    ),
    ConnectorSensorDescription(
        key="session_solar_share",
        translation_key="session_solar_share",
        needs_grid_power=True,
        native_unit_of_measurement=PERCENTAGE,
        entity_registry_enabled_default=False,  # for homes with a grid power sensor
        suggested_display_precision=0,
        value_fn=lambda c: c.session.solar_share if c.session else None,
    ),
    ConnectorSensorDescription(
        key="session_cost",
        translation_key="session_cost",
        device_class=SensorDeviceClass.MONETARY,
        suggested_display_precision=2,
        entity_registry_enabled_default=False,  # for those with a price or a tariff
        value_fn=session_cost,
        attrs_fn=cost_attrs,
    ),
    ConnectorSensorDescription(
        key="effective_limit",
        translation_key="effective_limit",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda c: e.value if (e := effective_limit(c)) else None,
        unit_fn=lambda c: e.unit.value if (e := effective_limit(c)) else None,
        attrs_fn=effective_attrs,
    ),
    ConnectorSensorDescription(
        key="charging_plan",
        translation_key="charging_plan",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_registry_enabled_default=False,  # for those who plan by price
        value_fn=lambda c: c.plan.next_start(datetime.now(UTC)) if c.plan else None,
        attrs_fn=plan_attrs,
    ),
    ConnectorSensorDescription(
        key="reservation",
        shows_readings=False,
        translation_key="reservation",
        # says "None" when nothing is reserved (a timestamp could only say unknown);
        # the expiry, tag and scope are attributes
        device_class=SensorDeviceClass.ENUM,
        options=["none", "reserved"],
        entity_registry_enabled_default=False,  # for sites that take reservations
        value_fn=lambda c: "reserved" if held_reservation(c) else "none",
        attrs_fn=reservation_attrs,
    ),
    ConnectorSensorDescription(
        key="session_duration",
        translation_key="session_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=session_minutes,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry | CsmsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a charger's and its connectors' sensors, or the central system's."""
    if not is_charger_entry(entry):  # the central system's own sensors
        setup_csms_sensors(as_csms_entry(entry), async_add_entities)
        return
    setup_model_entities(
        entry,
        async_add_entities,
        lambda data, charger: (
            [*forwarding_sensors(data)] + [OcppSensor(data, charger, d) for d in CHARGER_SENSORS]
        ),
        lambda data, conn: [
            (RestoringSensor if d.restore_fn else OcppSensor)(data, conn, d)
            for d in CONNECTOR_SENSORS
        ],
    )


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
        """Describe the sensor; note once whether its unit can change."""
        super().__init__(data, target, description)
        self._dynamic_unit = (
            description.device_class is SensorDeviceClass.MONETARY
            or getattr(description, "unit_fn", None) is not None
        )

    # What Home Assistant reads when it writes the state: the snapshot taken when the
    # model last changed (value, unit, attributes), not computed a second time.

    @override
    @property
    def native_value(self) -> StateType | datetime:
        """Return the value."""
        return self._shown()[1]  # type: ignore[no-any-return]

    @override
    @property
    def native_unit_of_measurement(self) -> str | None:
        """Return the unit (a session cost's currency comes from the charger)."""
        if self._dynamic_unit:
            return self._shown()[2]  # type: ignore[no-any-return]
        return super().native_unit_of_measurement

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
        # Asked of every sensor of a connector per message of readings: what can
        # change, read straight from the description (a fixed unit cannot).
        description = self.entity_description
        target: Any = self.target
        attrs_fn = getattr(description, "attrs_fn", None)
        attrs = attrs_fn(target) if attrs_fn is not None else None
        if isinstance(description, ConnectorSensorDescription):
            value = description.value_fn(target) if isinstance(target, Connector) else None
        else:
            value = description.value_fn(target) if isinstance(target, Charger) else None
        return (
            self.available,
            value,
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
