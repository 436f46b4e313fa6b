"""The charging-limit actions: their schemas and handlers (registered by services.py).
Each returns what was sent, the charger's answers and the limit it then reports."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import probatio as vol  # Home Assistant 2026's voluptuous-compatible schema library
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from . import actions
from .actions import invalid
from .model.charger import Charger, Connector
from .model.commands import LimitUnit
from .model.desired_limit import LimitValue
from .model.price_plan import MODES
from .planning import DEFAULT_RATE, resolve_deadline
from .runtime import get_runtime

AMPS = vol.All(vol.Coerce(float), vol.Range(-1000, 1000))
WATTS = vol.All(vol.Coerce(float), vol.Range(-1_000_000, 1_000_000))
PHASES = vol.All(vol.Coerce(int), vol.In([1, 3]))
RATE_AMPS = vol.All(vol.Coerce(float), vol.Range(0, 1000))  # no discharging
RATE_WATTS = vol.All(vol.Coerce(float), vol.Range(0, 1_000_000))


def schemas(base: dict[Any, Any]) -> dict[str, vol.Schema]:
    return {
        "set_charge_limit": vol.Schema(
            {
                **base,
                vol.Exclusive("amps", "limit"): AMPS,
                vol.Exclusive("watts", "limit"): WATTS,
                vol.Optional("phases"): PHASES,
                vol.Optional("duration"): cv.positive_time_period,
            }
        ),
        "pause_charging": vol.Schema({**base, vol.Optional("duration"): cv.positive_time_period}),
        "resume_charging": vol.Schema(base),
        "clear_charge_limit": vol.Schema(
            {**base, vol.Optional("scope", default="all"): vol.In(["cap", "schedule", "all"])}
        ),
        "get_composite_schedule": vol.Schema(
            {
                **base,
                vol.Optional("duration", default=timedelta(hours=1)): cv.positive_time_period,
                vol.Optional("unit", default="A"): vol.In(["A", "W"]),
            }
        ),
        "set_charging_schedule": vol.Schema(
            {
                **base,
                vol.Required("periods"): vol.All(
                    [
                        vol.Schema(
                            {
                                vol.Required("start"): cv.datetime,
                                vol.Optional("end"): cv.datetime,
                                vol.Exclusive("amps", "limit"): AMPS,
                                vol.Exclusive("watts", "limit"): WATTS,
                                vol.Optional("phases"): PHASES,
                            }
                        )
                    ],
                    vol.Length(min=1, max=96),
                ),
            }
        ),
        "plan_charging": vol.Schema(
            {
                **base,
                vol.Required("prices"): vol.Any(cv.entity_id, list, dict),
                vol.Exclusive("energy_kwh", "need"): vol.All(
                    vol.Coerce(float), vol.Range(min=0.1, max=500)
                ),
                vol.Exclusive("duration", "need"): cv.positive_time_period,
                vol.Required("deadline"): vol.Any(cv.time, cv.datetime),
                vol.Optional("mode", default="cheapest"): vol.In(MODES),
                vol.Optional("max_price"): vol.Coerce(float),
                vol.Exclusive("amps", "rate"): RATE_AMPS,
                vol.Exclusive("watts", "rate"): RATE_WATTS,
                vol.Optional("phases"): PHASES,
            }
        ),
        "set_station_limit": vol.Schema(
            {
                **base,
                vol.Exclusive("amps", "limit"): RATE_AMPS,
                vol.Exclusive("watts", "limit"): RATE_WATTS,
                vol.Exclusive("clear", "limit"): True,
                vol.Optional("phases"): PHASES,
            }
        ),
    }


def _limit(data: dict[str, Any], clear_allowed: bool = False) -> LimitValue | None:
    given = [k for k in ("amps", "watts", "clear") if k in data]
    if len(given) != 1 or (given[0] == "clear" and not clear_allowed):
        raise invalid("amps_or_watts")
    if given[0] == "clear":
        return None
    unit = LimitUnit.AMPS if given[0] == "amps" else LimitUnit.WATTS
    return LimitValue(float(data[given[0]]), unit, data.get("phases"))


def one_connector(charger: Charger, conn: Connector | None) -> Connector:
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
    limit = _limit(data)
    assert limit is not None
    return await actions.async_set_limit(
        get_runtime(hass), one_connector(charger, conn), limit, data.get("duration")
    )


async def pause(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    return await actions.async_pause(
        get_runtime(hass), one_connector(charger, conn), data.get("duration")
    )


async def resume(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    return await actions.async_resume(get_runtime(hass), one_connector(charger, conn))


async def clear(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    return await actions.async_clear_limit(
        get_runtime(hass), one_connector(charger, conn), data["scope"]
    )


async def composite(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    duration = int(data["duration"].total_seconds())
    return await actions.async_composite_schedule(
        get_runtime(hass), one_connector(charger, conn), duration, LimitUnit(data["unit"])
    )


def schedule_steps(periods: list[dict[str, Any]]) -> list[tuple[Any, LimitValue | None]]:
    """Periods {start, end?, amps | watts} as (from, limit) steps: each lasts until
    the next starts, or until its end (then no limit)."""
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
    steps = schedule_steps(data["periods"])
    return await actions.async_schedule(get_runtime(hass), one_connector(charger, conn), steps)


async def plan(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    if ("energy_kwh" in data) == ("duration" in data):
        raise invalid("energy_or_duration")
    runtime = get_runtime(hass)
    target = one_connector(charger, conn)
    rate = DEFAULT_RATE
    if "amps" in data or "watts" in data:
        rate = _limit(data) or DEFAULT_RATE
    request = {
        "prices": data["prices"],
        "energy_kwh": data.get("energy_kwh"),
        "duration_s": data["duration"].total_seconds() if "duration" in data else None,
        "deadline": resolve_deadline(data["deadline"], dt_util.utcnow()).isoformat(),
        "mode": data["mode"],
        "max_price": data.get("max_price"),
        "rate": rate.as_dict(),
    }
    return await actions.async_plan(runtime.planner, target, request)


async def station_limit(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    return await actions.async_station_limit(
        get_runtime(hass), charger, _limit(data, clear_allowed=True)
    )
