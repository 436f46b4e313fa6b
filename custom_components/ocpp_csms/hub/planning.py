"""Charging planned by price, as a standing order (``plan_charging``).

The request is kept with the connector (persisted). It is planned again when
its price entity updates (tomorrow's prices arrive around 13:00 CET), when a car
is plugged in, and after a restart; it ends at its deadline, when the car is
unplugged, or with ``clear_charge_limit``. The plan becomes the connector's
schedule layer: the charging rate in its slots, 0 between them.

In a solar mode the plan is the grid's top-up: between its slots the schedule has
no say (the surplus decides, ``site_shares.py``), in them the connector charges at
the plan's rate whatever the surplus. A SoC plan then needs less as the sun
charges the car (it is made again at each 5 % of SoC), so the grid tops up only
what the surplus will not have given by the departure (evcc's "minimum + solar
with a plan").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.util import dt as dt_util

from ..const import LOGGER_NAME
from ..model import clock
from ..model.charger import Connector
from ..model.commands import LimitUnit
from ..model.desired_limit import PAUSE, LimitValue
from ..model.errors import InvalidCommand
from ..model.plan_request import PlanRequest
from ..model.price_plan import Plan, make_plan, schedule_steps
from ..model.prices import normalise
from .site_control import entity_number

if TYPE_CHECKING:
    from ..model.csms import Csms

_LOGGER = logging.getLogger(LOGGER_NAME)

DEFAULT_RATE = LimitValue(16.0, LimitUnit.AMPS)
SOC_STEP = 5.0  # a plan to a SoC is made again when the SoC moves this much (%)


def resolve_deadline(value: Any, now: datetime) -> datetime:
    """Return a deadline in UTC: a datetime, or the next time of day.

    A time of day is the next one, in Home Assistant's time zone, DST-correct.
    """
    if isinstance(value, time):
        local_now = dt_util.as_local(now)
        zone = dt_util.get_default_time_zone()
        moment = datetime.combine(local_now.date(), value, tzinfo=zone)
        if moment <= local_now:
            moment = datetime.combine(local_now.date() + timedelta(days=1), value, tzinfo=zone)
        return moment.astimezone(UTC)
    if isinstance(value, datetime):
        return dt_util.as_utc(
            value if value.tzinfo else value.replace(tzinfo=dt_util.get_default_time_zone())
        )
    raise InvalidCommand(f"deadline {value!r} is neither a time of day nor a datetime")


class ChargingPlanner:
    """Plans as standing orders: made from prices, renewed when they change."""

    def __init__(self, hass: HomeAssistant, csms: Csms) -> None:
        """Plan for the central system's chargers."""
        self._hass = hass
        self._csms = csms
        self._listeners: dict[str, Callable[[], None]] = {}
        self._deadlines: dict[tuple[str, int], Callable[[], None]] = {}
        self._soc_watch: dict[tuple[str, int], Callable[[], None]] = {}
        csms.on_plug = self._plugged

    # ------------------------------------------------------------ the action
    async def async_plan(self, conn: Connector, request: PlanRequest) -> dict[str, Any]:
        """Make a connector's standing plan, and apply it."""
        if cancel := self._soc_watch.pop((conn.charger.charger_id, conn.connector_id), None):
            cancel()  # the SoC entity may be another now
        conn.plan_request = request.from_register(conn.energy.value_kwh)
        return await self.async_replan(conn)

    async def async_replan(self, conn: Connector) -> dict[str, Any]:
        """Make the connector's plan again (new prices, a plug-in, a restart)."""
        request = conn.plan_request
        if request is None:
            return {}
        now = clock.now()
        deadline = request.deadline
        if deadline <= now:
            return await self.async_end(conn)
        rate = request.rate
        electrical = self._csms.limits.settings.electrical
        power_kw = electrical.watts(rate, conn.measurements.phases) / 1000.0
        if request.target_soc is not None:
            request = self._at_soc(conn, request)
        plan = make_plan(
            self._prices(request.prices),
            now,
            deadline,
            self._need_hours(conn, request, power_kw),
            power_kw,
            request.mode,
            request.max_price,
        )
        conn.plan = plan
        self._listen(request.prices)
        self._end_at(conn, deadline)
        between = None if conn.desired.mode.follows_surplus else PAUSE  # solar: the sun's
        steps = schedule_steps(plan, now, rate, between)
        if not steps and request.target_soc is not None:
            steps = [(now, PAUSE), (deadline, None)]  # at the target: paused until departure
        result = await self._csms.limits.set_schedule(conn, steps)
        return {**_plan_response(plan, now, deadline, rate), "limit": result.as_response()}

    def _end_at(self, conn: Connector, deadline: datetime) -> None:
        key = (conn.charger.charger_id, conn.connector_id)
        if (cancel := self._deadlines.pop(key, None)) is not None:
            cancel()

        @callback
        def _deadline(_now: datetime) -> None:
            self._deadlines.pop(key, None)
            self._hass.async_create_task(self.async_end(conn), eager_start=False)

        self._deadlines[key] = async_track_point_in_utc_time(self._hass, _deadline, deadline)

    async def async_end(self, conn: Connector) -> dict[str, Any]:
        """End the plan: at its deadline, on unplug, or when replaced by nothing."""
        key = (conn.charger.charger_id, conn.connector_id)
        for timers in (self._deadlines, self._soc_watch):
            if cancel := timers.pop(key, None):
                cancel()
        if conn.plan_request is None:
            return {}
        conn.plan_request, conn.plan = None, None
        result = await self._csms.limits.set_schedule(conn, [])
        return {"ended": True, "limit": result.as_response()}

    # ------------------------------------------------------------ inputs
    def _prices(self, source: Any) -> list[Any]:
        if isinstance(source, str):
            state = self._hass.states.get(source)
            if state is None:
                raise InvalidCommand(f"price entity {source} does not exist", "an entity id")
            return normalise(dict(state.attributes))
        return normalise(source)

    def _soc(self, conn: Connector, request: PlanRequest) -> float | None:
        """Return the car's state of charge: its entity's, else the charger's reading."""
        if request.soc_entity is None:
            return conn.measurements.soc_pct
        return entity_number(self._hass, request.soc_entity)

    def _at_soc(self, conn: Connector, request: PlanRequest) -> PlanRequest:
        """Note the SoC the plan is made at, and re-plan when it moves by 5 % or more."""
        soc = self._soc(conn, request)
        if soc is None:
            raise InvalidCommand(
                f"the state of charge of {request.soc_entity or 'the car'} is not known",
                "a SoC entity with a number, or a charger that reports SoC",
            )
        request = conn.plan_request = replace(request, soc_at_plan=soc)
        key = (conn.charger.charger_id, conn.connector_id)
        if key in self._soc_watch:
            return request

        @callback
        def _moved(*_args: Any) -> None:
            current = conn.plan_request
            if current is None or current.target_soc is None:
                return
            now_soc = self._soc(conn, current)
            if now_soc is None or current.soc_at_plan is None:
                return
            reached = now_soc >= current.target_soc > current.soc_at_plan
            if abs(now_soc - current.soc_at_plan) >= SOC_STEP or reached:
                self._spawn_replan(conn)

        if request.soc_entity is not None:
            self._soc_watch[key] = async_track_state_change_event(
                self._hass, [request.soc_entity], _moved
            )
        else:
            self._soc_watch[key] = conn.add_listener(lambda: None, on_readings=_moved)
        return request

    @staticmethod
    def _need_hours(conn: Connector, request: PlanRequest, power_kw: float) -> float:
        if request.duration_s is not None:
            return request.duration_s / 3600.0
        if request.target_soc is not None and request.soc_at_plan is not None:
            needed = request.energy_for(request.soc_at_plan)
            return needed / power_kw if power_kw > 0 else 0.0
        delivered = 0.0
        if request.register_kwh is not None and conn.energy.value_kwh is not None:
            delivered = max(0.0, conn.energy.value_kwh - request.register_kwh)
        remaining = max(0.0, float(request.energy_kwh or 0.0) - delivered)
        return remaining / power_kw if power_kw > 0 else 0.0

    # ------------------------------------------------------------ re-planning
    def _listen(self, source: Any) -> None:
        if not isinstance(source, str) or source in self._listeners:
            return

        @callback
        def _prices_changed(event: Event[EventStateChangedData]) -> None:
            for conn in self._planned():
                if conn.plan_request and conn.plan_request.prices == source:
                    self._spawn_replan(conn)

        self._listeners[source] = async_track_state_change_event(
            self._hass, [source], _prices_changed
        )

    def _planned(self) -> list[Connector]:
        return [
            conn
            for charger in self._csms.chargers.values()
            for conn in charger.connectors.values()
            if conn.plan_request is not None
        ]

    def _spawn_replan(self, conn: Connector) -> None:
        self._hass.async_create_task(self._replan_quietly(conn), eager_start=False)

    async def _replan_quietly(self, conn: Connector) -> None:
        try:
            await self.async_replan(conn)
        except Exception as err:  # noqa: BLE001  (a plan that cannot be renewed is logged, never raised from a price update)
            _LOGGER.warning(
                "%s/%s: charging plan not renewed: %s",
                conn.charger.charger_id,
                conn.connector_id,
                err,
            )

    @callback
    def _plugged(self, conn: Connector, plugged: bool) -> None:
        if conn.plan_request is None:
            return
        if plugged:
            self._spawn_replan(conn)
        else:
            self._hass.async_create_task(self.async_end(conn), eager_start=False)

    @callback
    def restored(self, conn: Connector) -> None:
        """Renew the standing plan of a connector restored from storage."""
        if conn.plan_request is not None:
            self._spawn_replan(conn)

    def shutdown(self) -> None:
        """Stop every timer."""
        for unsubscribe in (
            *self._listeners.values(),
            *self._deadlines.values(),
            *self._soc_watch.values(),
        ):
            unsubscribe()
        self._listeners.clear()
        self._deadlines.clear()
        self._soc_watch.clear()


def _plan_response(
    plan: Plan, now: datetime, deadline: datetime, rate: LimitValue
) -> dict[str, Any]:
    next_start = plan.next_start(now)
    rate_key = "amps" if rate.unit is LimitUnit.AMPS else "watts"
    return {
        "slots": [{**s.as_dict(), rate_key: rate.value} for s in plan.slots],
        "energy_kwh": plan.energy_kwh,
        "cost": plan.cost,
        "unplanned_kwh": plan.unplanned_kwh,
        "unpriced_kwh": plan.unpriced_kwh,
        "deadline": deadline.isoformat(),
        "next_start": next_start.isoformat() if next_start else None,
    }
