"""The site's actions: a connector's charging mode (registered by services.py)."""

from __future__ import annotations

from typing import Any

import probatio
from homeassistant.core import HomeAssistant, SupportsResponse

from ..hub.runtime import CsmsRuntime, get_runtime
from ..model import clock
from ..model.charger import Charger, Connector
from ..model.charging_mode import ChargingMode, modes
from .action import Action
from .commands import invalid, translated_errors
from .limits import one_connector


async def async_set_mode(
    runtime: CsmsRuntime, conn: Connector, mode: ChargingMode
) -> dict[str, Any]:
    """Set a connector's charging mode (the select, or the action); return where it leads."""
    if mode not in modes(runtime.options.site.solar_modes):
        raise invalid("mode_needs_grid_sensor", mode=mode.value)
    async with translated_errors(conn.charger):
        result = await runtime.csms.limits.set_mode(
            conn, mode, lambda: runtime.site.cycle(clock.now())
        )
        response = result.as_response()
        if conn.plan_request is not None:  # a plan's gaps: paused, or the sun's (solar)
            response = (await runtime.planner.async_replan(conn)).get("limit", response)
    return {"mode": mode.value, **response}


async def set_charging_mode(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Set how a connector charges: off, now, min_solar, solar or plan."""
    return await async_set_mode(
        get_runtime(hass), one_connector(charger, conn), ChargingMode(data["mode"])
    )


ACTIONS = (
    Action(
        "set_charging_mode",
        {probatio.Required("mode"): probatio.In([m.value for m in ChargingMode])},
        set_charging_mode,
        SupportsResponse.OPTIONAL,
    ),
)
