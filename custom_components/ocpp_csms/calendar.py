"""Calendar: a connector's charging plan, each planned slot an event.

The homeowner sees the plan in Home Assistant's calendar, and an automation can
trigger on a slot's start or end (the calendar trigger). The events are the plan
``plan_charging`` made (``model/price_plan.py``), renewed with it; a slot's price
is in its description. Event texts are not translated: Home Assistant translates
entity names and states, not a calendar's events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, override

from homeassistant.components.calendar import (
    CalendarEntity,
    CalendarEntityDescription,
    CalendarEvent,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .entity import OcppEntity, OcppEntityDescription, setup_model_entities
from .hub.entry_data import ChargerConfigEntry
from .model.charger import Connector
from .model.commands import LimitUnit
from .model.price_plan import PlannedSlot

PARALLEL_UPDATES = 0  # push-updated


@dataclass(frozen=True, kw_only=True)
class OcppCalendarDescription(OcppEntityDescription, CalendarEntityDescription):
    """No extra fields: the events are the connector's plan."""


CHARGING_PLAN = OcppCalendarDescription(
    key="charging_plan",
    translation_key="charging_plan",
    shows_readings=False,
    entity_registry_enabled_default=False,  # for those who plan by price
    exists_fn=lambda c, _: c.plan is not None,  # once a plan is made
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each connector's plan calendar."""
    setup_model_entities(
        entry,
        async_add_entities,
        lambda data, charger: [],
        lambda data, conn: [ChargingPlanCalendar(data, conn, CHARGING_PLAN)],
    )


class ChargingPlanCalendar(OcppEntity, CalendarEntity):
    """The planned slots of a connector's standing plan."""

    entity_description: OcppCalendarDescription
    target: Connector

    @override
    @property
    def available(self) -> bool:
        """Show the plan whether the charger is connected or not (it is Home Assistant's)."""
        return True

    @override
    @property
    def event(self) -> CalendarEvent | None:
        """Return the running slot, else the next one."""
        now = dt_util.utcnow()
        return next((self._event(s) for s in self._slots() if s.end > now), None)

    @override
    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Return the planned slots that overlap the range."""
        return [self._event(s) for s in self._slots() if s.start < end_date and s.end > start_date]

    def _slots(self) -> tuple[PlannedSlot, ...]:
        plan = self.target.plan
        return plan.slots if plan is not None else ()

    def _event(self, slot: PlannedSlot) -> CalendarEvent:
        request = self.target.plan_request
        rate = ""
        if request is not None:
            unit = "A" if request.rate.unit is LimitUnit.AMPS else "W"
            rate = f" at {request.rate.value:g} {unit}"
        return CalendarEvent(
            start=dt_util.as_local(slot.start),
            end=dt_util.as_local(slot.end),
            summary=f"Charging{rate}",
            description=self._price(slot),
            uid=f"{self.unique_id}_{slot.start.isoformat()}",
        )

    def _price(self, slot: PlannedSlot) -> str:
        if slot.price is None:
            return "Price not known yet: charged before the deadline, whatever it costs."
        unit = ""
        request = self.target.plan_request
        if request is not None and isinstance(request.prices, str):
            state = self.hass.states.get(request.prices)
            if state is not None and (found := state.attributes.get("unit_of_measurement")):
                unit = f" {found}"
        return f"Price: {slot.price:g}{unit}"

    @override
    def _state_snapshot(self) -> Any:
        return (self._slots(), self.target.plan_request)
