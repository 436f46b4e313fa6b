"""The OCPP 2.1 tariff actions (registered by services.py).

The tariff sent is the charger's price from its options (the fixed price, or
the price entity's price now), or one given in the action, in Home Assistant's
currency. Other versions refuse these with the ``not_in_version`` error.
"""

from __future__ import annotations

from typing import Any

import probatio
from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.helpers import config_validation as cv

from ..model.charger import Charger, Connector
from ..model.operations import Tariff
from .action import Action
from .commands import invalid, run_command

TARIFF_ID = probatio.All(cv.string, probatio.Length(1, 60))


async def set_default_tariff(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Send the tariff (of the connector, or of every EVSE for a charger target)."""
    price = data.get("price_kwh")
    if price is None and charger.price is not None:
        price = charger.price()
    if price is None:
        raise invalid("no_tariff", charger=charger.charger_id)
    currency = hass.config.currency
    if not currency:
        raise invalid("no_currency")
    tariff = Tariff.of(float(price), currency, data.get("tariff_id"))
    connector_id = conn.connector_id if conn is not None else 0
    outcome = await run_command(
        charger, lambda commands: commands.set_default_tariff(connector_id, tariff)
    )
    return {"status": outcome.value, "tariff": tariff.as_dict()}


async def get_tariffs(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Read the tariffs the charger holds."""
    found = await run_command(
        charger, lambda commands: commands.get_tariffs(conn.connector_id if conn is not None else 0)
    )
    return {"tariffs": found}


async def clear_tariffs(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Remove tariffs (all, or those named)."""
    results = await run_command(
        charger,
        lambda commands: commands.clear_tariffs(
            data["tariff_ids"], conn.connector_id if conn is not None else None
        ),
    )
    return {"results": results}


ACTIONS = (
    Action(
        "set_default_tariff",
        {
            probatio.Optional("price_kwh"): probatio.All(
                probatio.Coerce(float), probatio.Range(-10, 100)
            ),
            probatio.Optional("tariff_id"): TARIFF_ID,
        },
        set_default_tariff,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "get_tariffs",
        {},
        get_tariffs,
        SupportsResponse.ONLY,
    ),
    Action(
        "clear_tariffs",
        {
            probatio.Optional("tariff_ids", default=[]): [TARIFF_ID],
        },
        clear_tariffs,
        SupportsResponse.OPTIONAL,
    ),
)
