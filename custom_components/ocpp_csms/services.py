"""Actions (services), registered once in async_setup.

Each targets charger devices, connector devices or any of their entities.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import probatio
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import (
    config_validation as cv,
)

from .actions import access as access_services
from .actions import commands as actions
from .actions import history as history_services
from .actions import limits as limit_services
from .actions import operations as operation_services
from .actions import reports as report_services
from .actions import tariffs as tariff_services
from .actions.fields import one_of
from .actions.limits import one_connector
from .actions.targeting import targets
from .const import DOMAIN
from .hub.runtime import get_runtime
from .model.charger import Charger, Connector
from .model.commands import ResetKind
from .protocol.registry import ALL_TRIGGERABLE

_BASE = {**cv.TARGET_SERVICE_FIELDS}

SCHEMAS: dict[str, probatio.Schema] = {
    "start_charging": probatio.Schema(
        {**_BASE, probatio.Optional("id_tag"): probatio.All(cv.string, probatio.Length(1, 36))}
    ),
    "stop_charging": probatio.Schema(_BASE),
    "reset": probatio.Schema(
        {**_BASE, probatio.Optional("type", default="soft"): probatio.In(["soft", "hard"])}
    ),
    "unlock_connector": probatio.Schema(_BASE),
    "change_availability": probatio.Schema({**_BASE, probatio.Required("operative"): cv.boolean}),
    **limit_services.schemas(_BASE),
    **access_services.schemas(_BASE),
    **operation_services.schemas(_BASE),
    **report_services.schemas(_BASE),
    **tariff_services.schemas(_BASE),
    "get_configuration": probatio.Schema(
        {**_BASE, probatio.Optional("keys", default=[]): [cv.string]}
    ),
    "set_configuration": probatio.Schema(
        {**_BASE, probatio.Required("key"): cv.string, probatio.Required("value"): cv.string}
    ),
    "trigger_message": probatio.Schema(
        {
            **_BASE,
            probatio.Required("message"): one_of(ALL_TRIGGERABLE),
            probatio.Optional("connector_id"): probatio.All(
                probatio.Coerce(int), probatio.Range(min=0)
            ),
        }
    ),
    "data_transfer": probatio.Schema(
        {
            **_BASE,
            probatio.Required("vendor_id"): probatio.All(cv.string, probatio.Length(1, 255)),
            probatio.Optional("message_id"): probatio.All(cv.string, probatio.Length(1, 50)),
            probatio.Optional("data"): cv.string,
        }
    ),
}


Data = dict[str, Any]  # an action's validated fields
Handler = Callable[[HomeAssistant, Charger, Connector | None, Data], Awaitable[Any]]


async def _start(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> None:
    if conn is None and len(charger.connectors) == 1:
        conn = next(iter(charger.connectors.values()))
    await actions.async_start(get_runtime(hass), charger, conn, data.get("id_tag"))


async def _stop(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> None:
    await actions.async_stop(charger, conn)


async def _reset(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> None:
    await actions.async_reset(charger, ResetKind(data["type"]))


async def _unlock(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data
) -> None:
    await actions.async_unlock(one_connector(charger, conn))


async def _availability(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data
) -> None:
    connector_id = conn.connector_id if conn is not None else 0
    await actions.async_change_availability(charger, connector_id, data["operative"])


async def _get_config(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data
) -> dict[str, Any]:
    return await actions.async_get_configuration(charger, data["keys"])


async def _set_config(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data
) -> dict[str, Any]:
    return await actions.async_set_configuration(charger, data["key"], data["value"])


async def _trigger(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data
) -> None:
    connector_id = data.get("connector_id", conn.connector_id if conn is not None else None)
    await actions.async_trigger(charger, data["message"], connector_id)


async def _data_transfer(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: Data
) -> dict[str, Any]:
    return await actions.async_data_transfer(
        charger, data["vendor_id"], data.get("message_id"), data.get("data")
    )


HANDLERS: dict[str, tuple[Handler, SupportsResponse]] = {
    "start_charging": (_start, SupportsResponse.NONE),
    "stop_charging": (_stop, SupportsResponse.NONE),
    "reset": (_reset, SupportsResponse.NONE),
    "unlock_connector": (_unlock, SupportsResponse.NONE),
    "change_availability": (_availability, SupportsResponse.NONE),
    "set_charge_limit": (limit_services.set_limit, SupportsResponse.OPTIONAL),
    "pause_charging": (limit_services.pause, SupportsResponse.OPTIONAL),
    "resume_charging": (limit_services.resume, SupportsResponse.OPTIONAL),
    "clear_charge_limit": (limit_services.clear, SupportsResponse.OPTIONAL),
    "get_composite_schedule": (limit_services.composite, SupportsResponse.ONLY),
    "set_station_limit": (limit_services.station_limit, SupportsResponse.OPTIONAL),
    "plan_charging": (limit_services.plan, SupportsResponse.OPTIONAL),
    "set_charging_schedule": (limit_services.schedule, SupportsResponse.OPTIONAL),
    "get_configuration": (_get_config, SupportsResponse.ONLY),
    "set_configuration": (_set_config, SupportsResponse.OPTIONAL),
    "trigger_message": (_trigger, SupportsResponse.NONE),
    "data_transfer": (_data_transfer, SupportsResponse.ONLY),
    "rotate_password": (access_services.rotate_password, SupportsResponse.OPTIONAL),
    "sync_tags": (access_services.sync_tags, SupportsResponse.OPTIONAL),
    "reserve_now": (operation_services.reserve_now, SupportsResponse.OPTIONAL),
    "cancel_reservation": (operation_services.cancel_reservation, SupportsResponse.OPTIONAL),
    "update_firmware": (operation_services.update_firmware, SupportsResponse.OPTIONAL),
    "upload_logs": (operation_services.upload_logs, SupportsResponse.OPTIONAL),
    "set_display_message": (operation_services.set_display_message, SupportsResponse.OPTIONAL),
    "get_display_messages": (operation_services.get_display_messages, SupportsResponse.ONLY),
    "clear_display_message": (
        operation_services.clear_display_message,
        SupportsResponse.OPTIONAL,
    ),
    "set_variable_monitoring": (report_services.set_monitoring, SupportsResponse.OPTIONAL),
    "clear_variable_monitoring": (report_services.clear_monitoring, SupportsResponse.OPTIONAL),
    "get_monitoring_report": (report_services.monitoring_report, SupportsResponse.ONLY),
    "get_report": (report_services.report, SupportsResponse.ONLY),
    "get_base_report": (report_services.base_report, SupportsResponse.ONLY),
    "clear_cache": (report_services.clear_cache, SupportsResponse.OPTIONAL),
    "get_transaction_status": (report_services.transaction_status, SupportsResponse.ONLY),
    "customer_information": (report_services.customer_information, SupportsResponse.ONLY),
    "get_charging_profiles": (report_services.charging_profiles, SupportsResponse.ONLY),
    "get_installed_certificates": (
        report_services.installed_certificates,
        SupportsResponse.ONLY,
    ),
    "install_certificate": (report_services.install_certificate, SupportsResponse.OPTIONAL),
    "delete_certificate": (report_services.delete_certificate, SupportsResponse.OPTIONAL),
    "set_default_tariff": (tariff_services.set_default_tariff, SupportsResponse.OPTIONAL),
    "get_tariffs": (tariff_services.get_tariffs, SupportsResponse.ONLY),
    "clear_tariffs": (tariff_services.clear_tariffs, SupportsResponse.OPTIONAL),
}


def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action (once, in async_setup)."""
    for name, (handler, supports) in HANDLERS.items():
        hass.services.async_register(
            DOMAIN, name, _make_service(handler, supports), SCHEMAS[name], supports
        )
    for name, history_action in (
        ("get_sessions", history_services.get_sessions),
        ("export_sessions", history_services.export_sessions),
    ):
        hass.services.async_register(
            DOMAIN, name, history_action, history_services.SCHEMA, SupportsResponse.ONLY
        )
    hass.services.async_register(
        DOMAIN,
        "authorize_tag",
        access_services.authorize_tag,
        access_services.AUTHORIZE_TAG_SCHEMA,
        SupportsResponse.OPTIONAL,
    )


def _make_service(
    handler: Handler, supports: SupportsResponse
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def service(call: ServiceCall) -> ServiceResponse:
        results: dict[str, dict[str, Any]] = {"chargers": {}, "connectors": {}}
        for charger, conn in targets(call.hass, call):
            result = await handler(call.hass, charger, conn, dict(call.data))
            if result is None:
                continue
            if conn is None:
                results["chargers"][charger.charger_id] = result
            else:
                results["connectors"][f"{charger.charger_id}/{conn.connector_id}"] = result
        if supports is SupportsResponse.NONE:
            return None
        return {kind: found for kind, found in results.items() if found}

    return service
