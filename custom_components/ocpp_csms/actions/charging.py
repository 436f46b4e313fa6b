"""Start, stop, reset, unlock and availability: the actions a dashboard button does.

The switch, button and number entities send the same commands through
``commands.py``; these actions call it directly.
"""

from __future__ import annotations

import probatio
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv

from ..hub.runtime import get_runtime
from ..model.charger import Charger, Connector
from ..model.commands import ResetKind
from .action import Action, Data
from .commands import (
    async_change_availability,
    async_reset,
    async_start,
    async_stop,
    async_unlock,
)
from .limits import one_connector


async def start(hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data) -> None:
    """Start a session (a charger with one connector: on it)."""
    if conn is None and len(charger.connectors) == 1:
        conn = next(iter(charger.connectors.values()))
    await async_start(get_runtime(hass), charger, conn, data.get("id_tag"))


async def stop(hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data) -> None:
    """Stop the session of the connector (or the charger's one session)."""
    await async_stop(charger, conn)


async def reset(hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data) -> None:
    """Restart the charger."""
    await async_reset(charger, ResetKind(data["type"]))


async def unlock(hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data) -> None:
    """Release the connector's cable."""
    await async_unlock(one_connector(charger, conn))


async def availability(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data
) -> None:
    """Make the connector (or the whole charger) operative or not."""
    connector_id = conn.connector_id if conn is not None else 0
    await async_change_availability(charger, connector_id, data["operative"])


ACTIONS = (
    Action(
        "start_charging",
        {probatio.Optional("id_tag"): probatio.All(cv.string, probatio.Length(1, 36))},
        start,
    ),
    Action("stop_charging", {}, stop),
    Action(
        "reset", {probatio.Optional("type", default="soft"): probatio.In(["soft", "hard"])}, reset
    ),
    Action("unlock_connector", {}, unlock),
    Action("change_availability", {probatio.Required("operative"): cv.boolean}, availability),
)
