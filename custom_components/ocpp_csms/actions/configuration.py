"""The charger's configuration, triggered messages and vendor data transfers."""

from __future__ import annotations

from typing import Any

import probatio
from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.helpers import config_validation as cv

from ..model.charger import Charger, Connector
from ..protocol.registry import ALL_TRIGGERABLE
from .action import Action, Data
from .commands import (
    async_data_transfer,
    async_get_configuration,
    async_set_configuration,
    async_trigger,
)
from .fields import one_of


async def get_config(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data
) -> dict[str, Any]:
    """Read configuration keys (all, or those named)."""
    return await async_get_configuration(charger, data["keys"])


async def set_config(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data
) -> dict[str, Any]:
    """Change one configuration key."""
    return await async_set_configuration(charger, data["key"], data["value"])


async def trigger(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data
) -> None:
    """Ask the charger to send a message now."""
    connector_id = data.get("connector_id", conn.connector_id if conn is not None else None)
    await async_trigger(charger, data["message"], connector_id)


async def data_transfer(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data
) -> dict[str, Any]:
    """Send vendor-specific data; return the charger's answer."""
    return await async_data_transfer(
        charger, data["vendor_id"], data.get("message_id"), data.get("data")
    )


ACTIONS = (
    Action(
        "get_configuration",
        {probatio.Optional("keys", default=[]): [cv.string]},
        get_config,
        SupportsResponse.ONLY,
    ),
    Action(
        "set_configuration",
        {probatio.Required("key"): cv.string, probatio.Required("value"): cv.string},
        set_config,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "trigger_message",
        {
            probatio.Required("message"): one_of(ALL_TRIGGERABLE),
            probatio.Optional("connector_id"): probatio.All(
                probatio.Coerce(int), probatio.Range(min=0)
            ),
        },
        trigger,
    ),
    Action(
        "data_transfer",
        {
            probatio.Required("vendor_id"): probatio.All(cv.string, probatio.Length(1, 255)),
            probatio.Optional("message_id"): probatio.All(cv.string, probatio.Length(1, 50)),
            probatio.Optional("data"): cv.string,
        },
        data_transfer,
        SupportsResponse.ONLY,
    ),
)
