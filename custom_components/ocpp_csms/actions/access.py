"""Actions about access.

Rotate a charger's password (sent over OCPP, stored hashed), answer an "ask"
tag request, and push the tag list to the chargers.
"""

from __future__ import annotations

from typing import Any

import probatio
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv

from ..const import DOMAIN
from ..hub.runtime import get_runtime
from ..model.charger import Charger, Connector
from ..transport.passwords import valid_password
from .action import Action, CallAction
from .commands import invalid, translated_errors


def _password(value: Any) -> str:
    password = str(cv.string(value))
    if not valid_password(password):
        raise probatio.Invalid("16 to 40 printable ASCII characters, no spaces")
    return password


async def rotate_password(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Send a new password (given, or generated) to the charger.

    The response holds it, the one time it is shown.
    """
    runtime = get_runtime(hass)
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, charger.charger_id)
    if entry is None:
        raise invalid("unknown_charger", charger=charger.charger_id)
    async with translated_errors(charger):
        password = await runtime.access.rotate(entry, charger, data.get("password"))
    return {"password": password}


async def sync_tags(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Ask the charger for its list version and send what differs."""
    async with translated_errors(charger):
        await get_runtime(hass).csms.local_lists.after_boot(charger)
    return {
        "local_list": charger.capabilities.local_auth_list,
        "version": charger.local_list.version,
    }


async def authorize_tag(call: ServiceCall) -> ServiceResponse:
    """Answer a tag request of the "ask an automation" policy."""
    waiting = get_runtime(call.hass).tag_manager.answer(
        call.data["id_tag"], bool(call.data["accept"])
    )
    return {"answered": waiting}


ACTIONS: tuple[Action | CallAction, ...] = (
    Action(
        "rotate_password",
        {
            probatio.Optional("password"): _password,
        },
        rotate_password,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "sync_tags",
        {},
        sync_tags,
        SupportsResponse.OPTIONAL,
    ),
    CallAction(
        "authorize_tag",
        probatio.Schema(
            {
                probatio.Required("id_tag"): probatio.All(cv.string, probatio.Length(1, 36)),
                probatio.Required("accept"): cv.boolean,
            }
        ),
        authorize_tag,
        SupportsResponse.OPTIONAL,
    ),
)
