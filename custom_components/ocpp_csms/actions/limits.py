"""The charging-limit actions: their schemas and handlers (registered by services.py).

Each returns what was sent, the charger's answers and the limit it then reports.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import probatio
from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from ..hub.planning import DEFAULT_RATE, resolve_deadline
from ..hub.runtime import get_runtime
from ..model.charger import Charger, Connector
from ..model.choices import RateUnit
from ..model.commands import LimitUnit
from ..model.desired_limit import LimitValue
from ..model.plan_request import PlanRequest
from ..model.price_plan import MODES
from . import commands as actions
from .action import Action
from .commands import invalid
from .fields import one_of

AMPS = probatio.All(probatio.Coerce(float), probatio.Range(-1000, 1000))
WATTS = probatio.All(probatio.Coerce(float), probatio.Range(-1_000_000, 1_000_000))
PHASES = probatio.All(probatio.Coerce(int), probatio.In([1, 3]))
RATE_AMPS = probatio.All(probatio.Coerce(float), probatio.Range(0, 1000))  # no discharging
RATE_WATTS = probatio.All(probatio.Coerce(float), probatio.Range(0, 1_000_000))


def _limit(data: dict[str, Any], clear_allowed: bool = False) -> LimitValue | None:
    given = [k for k in ("amps", "watts", "clear") if k in data]
    if len(given) != 1 or (given[0] == "clear" and not clear_allowed):
        raise invalid("amps_or_watts")
    if given[0] == "clear":
        return None
    unit = LimitUnit.AMPS if given[0] == "amps" else LimitUnit.WATTS
    return LimitValue(float(data[given[0]]), unit, data.get("phases"))


def one_connector(charger: Charger, conn: Connector | None) -> Connector:
    """Return the connector an action targets; refuse a charger with several."""
    if conn is not None:
        return conn
    if len(charger.connectors) == 1:
        return next(iter(charger.connectors.values()))
    raise invalid(
        "choose_connector", charger=charger.charger_id, count=str(len(charger.connectors))
    )


async def set_limit(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Set a connector's dynamic cap."""
    limit = _limit(data)
    if limit is None:  # the schema requires amps or watts
        raise invalid("amps_or_watts")
    return await actions.async_set_limit(
        get_runtime(hass), one_connector(charger, conn), limit, data.get("duration")
    )


async def pause(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Pause charging on a connector."""
    return await actions.async_pause(
        get_runtime(hass), one_connector(charger, conn), data.get("duration")
    )


async def resume(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """End a pause."""
    return await actions.async_resume(get_runtime(hass), one_connector(charger, conn))


async def clear(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Clear a connector's cap and pause, schedule, or both."""
    return await actions.async_clear_limit(
        get_runtime(hass), one_connector(charger, conn), data["scope"]
    )


async def composite(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Read the schedule the charger applies on a connector."""
    duration = int(data["duration"].total_seconds())
    return await actions.async_composite_schedule(
        get_runtime(hass), one_connector(charger, conn), duration, LimitUnit(data["unit"])
    )


def schedule_steps(periods: list[dict[str, Any]]) -> list[tuple[Any, LimitValue | None]]:
    """Return periods {start, end?, amps | watts} as (from, limit) steps.

    Each lasts until the next starts, or until its end (then no limit).
    """
    steps: list[tuple[Any, LimitValue | None]] = []
    ordered = sorted(periods, key=lambda p: dt_util.as_utc(p["start"]))
    for index, period in enumerate(ordered):
        start = dt_util.as_utc(period["start"])
        steps.append((start, _limit(period)))
        following = (
            dt_util.as_utc(ordered[index + 1]["start"]) if index + 1 < len(ordered) else None
        )
        if "end" in period:
            end = dt_util.as_utc(period["end"])
            if end <= start:
                raise invalid("schedule_order")
            if following is None or end < following:
                steps.append((end, None))
    return steps


async def schedule(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Set a connector's schedule."""
    steps = schedule_steps(data["periods"])
    return await actions.async_schedule(get_runtime(hass), one_connector(charger, conn), steps)


async def plan(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Make a connector's standing charging plan."""
    if sum(need in data for need in ("energy_kwh", "duration", "target_soc")) != 1:
        raise invalid("energy_or_duration")
    if "target_soc" in data and "battery_kwh" not in data:
        raise invalid("soc_needs_battery")
    runtime = get_runtime(hass)
    target = one_connector(charger, conn)
    rate = DEFAULT_RATE
    if "amps" in data or "watts" in data:
        rate = _limit(data) or DEFAULT_RATE
    request = PlanRequest(
        prices=data["prices"],
        deadline=resolve_deadline(data["deadline"], dt_util.utcnow()),
        rate=rate,
        mode=data["mode"],
        max_price=data.get("max_price"),
        energy_kwh=data.get("energy_kwh"),
        duration_s=data["duration"].total_seconds() if "duration" in data else None,
        target_soc=data.get("target_soc"),
        battery_kwh=data.get("battery_kwh"),
        efficiency=data.get("efficiency", 90) / 100.0,
        soc_entity=data.get("soc_entity"),
    )
    return await actions.async_plan(runtime.planner, target, request)


async def station_limit(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Set or clear the installer's ceiling for a whole charger."""
    return await actions.async_station_limit(
        get_runtime(hass), charger, _limit(data, clear_allowed=True)
    )


ACTIONS = (
    Action(
        "set_charge_limit",
        {
            probatio.Exclusive("amps", "limit"): AMPS,
            probatio.Exclusive("watts", "limit"): WATTS,
            probatio.Optional("phases"): PHASES,
            probatio.Optional("duration"): cv.positive_time_period,
        },
        set_limit,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "pause_charging",
        {
            probatio.Optional("duration"): cv.positive_time_period,
        },
        pause,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "resume_charging",
        {},
        resume,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "clear_charge_limit",
        {
            probatio.Optional("scope", default="all"): probatio.In(["cap", "schedule", "all"]),
        },
        clear,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "get_composite_schedule",
        {
            probatio.Optional("duration", default=timedelta(hours=1)): cv.positive_time_period,
            probatio.Optional("unit", default="A"): one_of(RateUnit),
        },
        composite,
        SupportsResponse.ONLY,
    ),
    Action(
        "set_charging_schedule",
        {
            probatio.Required("periods"): probatio.All(
                [
                    probatio.Schema(
                        {
                            probatio.Required("start"): cv.datetime,
                            probatio.Optional("end"): cv.datetime,
                            probatio.Exclusive("amps", "limit"): AMPS,
                            probatio.Exclusive("watts", "limit"): WATTS,
                            probatio.Optional("phases"): PHASES,
                        }
                    )
                ],
                probatio.Length(min=1, max=96),
            ),
        },
        schedule,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "plan_charging",
        {
            probatio.Required("prices"): probatio.Any(cv.entity_id, list, dict),
            probatio.Exclusive("energy_kwh", "need"): probatio.All(
                probatio.Coerce(float), probatio.Range(min=0.1, max=500)
            ),
            probatio.Exclusive("duration", "need"): cv.positive_time_period,
            probatio.Exclusive("target_soc", "need"): probatio.All(
                probatio.Coerce(float), probatio.Range(min=1, max=100)
            ),
            probatio.Optional("battery_kwh"): probatio.All(
                probatio.Coerce(float), probatio.Range(min=1, max=300)
            ),
            probatio.Optional("efficiency", default=90): probatio.All(
                probatio.Coerce(float), probatio.Range(min=50, max=100)
            ),
            probatio.Optional("soc_entity"): cv.entity_id,
            probatio.Required("deadline"): probatio.Any(cv.time, cv.datetime),
            probatio.Optional("mode", default="cheapest"): probatio.In(MODES),
            probatio.Optional("max_price"): probatio.Coerce(float),
            probatio.Exclusive("amps", "rate"): RATE_AMPS,
            probatio.Exclusive("watts", "rate"): RATE_WATTS,
            probatio.Optional("phases"): PHASES,
        },
        plan,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "set_station_limit",
        {
            probatio.Exclusive("amps", "limit"): RATE_AMPS,
            probatio.Exclusive("watts", "limit"): RATE_WATTS,
            probatio.Exclusive("clear", "limit"): True,
            probatio.Optional("phases"): PHASES,
        },
        station_limit,
        SupportsResponse.OPTIONAL,
    ),
)
