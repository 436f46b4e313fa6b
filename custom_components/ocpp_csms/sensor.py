"""Sensors of a charger and of each connector."""

from __future__ import annotations

from datetime import UTC, datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
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
from .entity import setup_model_entities
from .hub.entry_data import (
    ChargerConfigEntry,
    CsmsConfigEntry,
    as_csms_entry,
    is_charger_entry,
)
from .model.charger import ConnectorStatus, PasswordState
from .model.maintenance import FIRMWARE_STATUSES, LOG_STATUSES
from .model.phase_switch import active_phases
from .model.reservations import held_reservation
from .sensor_entity import (
    ChargerSensorDescription,
    ConnectorSensorDescription,
    OcppSensor,
    RestoringSensor,
)

PARALLEL_UPDATES = 0  # push-updated; nothing is polled

STATUS_OPTIONS = [s.value for s in ConnectorStatus]


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
        entity_registry_enabled_default=False,  # the power shows the draw
        value_fn=lambda c: c.measurements.current_a,
        exists_fn=lambda c, _: c.measurements.current_a is not None,
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
        exists_fn=lambda c, _: bool(c.measurements.phase_currents),
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
        exists_fn=lambda c, _: c.measurements.voltage_v is not None,
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
        exists_fn=lambda c, _: c.measurements.current_offered_a is not None,
    ),
    ConnectorSensorDescription(
        key="soc",
        translation_key="soc",
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        entity_registry_enabled_default=False,  # few AC chargers know the car's
        value_fn=lambda c: c.measurements.soc_pct,
        exists_fn=lambda c, _: c.measurements.soc_pct is not None,
    ),
    ConnectorSensorDescription(
        key="temperature",
        translation_key="temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        entity_registry_enabled_default=False,
        value_fn=lambda c: c.measurements.temperature_c,
        exists_fn=lambda c, _: c.measurements.temperature_c is not None,
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
        # with a grid sensor set, or a share known (a sensor set before)
        exists_fn=lambda c, o: o.site.solar_modes or bool(c.session and c.session.solar_share),
    ),
    ConnectorSensorDescription(
        key="session_cost",
        translation_key="session_cost",
        device_class=SensorDeviceClass.MONETARY,
        suggested_display_precision=2,
        entity_registry_enabled_default=False,  # for those with a price or a tariff
        value_fn=session_cost,
        attrs_fn=cost_attrs,
        exists_fn=lambda c, _: session_cost(c) is not None,  # a priced session
    ),
    ConnectorSensorDescription(
        key="effective_limit",
        translation_key="effective_limit",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        # readings that change it (Current.Offered) wake the connector's every entity
        shows_readings=False,
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
        exists_fn=lambda c, _: c.plan is not None,  # once a plan is made
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
        entity_registry_enabled_default=False,  # the session event tells start and end
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
