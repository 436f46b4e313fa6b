"""Monitoring, report, certificate and other read-out actions.

Registered by services.py.
Each returns the charger's answer as response data; reports that come in parts
are returned assembled.
"""

from __future__ import annotations

from typing import Any

import probatio
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv

from ..hub.runtime import get_runtime
from ..model.charger import Charger, Connector
from ..model.choices import (
    CertificateType,
    ComponentCriterion,
    HashAlgorithm,
    MonitoringCriterion,
    MonitorKind,
    ProfilePurpose,
    ReportBase,
)
from ..model.operations import Monitor
from .commands import charger_commands
from .fields import one_of

KEY = probatio.All(cv.string, probatio.Length(1, 200))
IDS = probatio.All(cv.ensure_list, [probatio.Coerce(int)], probatio.Length(min=1))


def schemas(base: dict[Any, Any]) -> dict[str, probatio.Schema]:
    """Return the actions' schemas."""
    return {
        "set_variable_monitoring": probatio.Schema(
            {
                **base,
                probatio.Required("key"): KEY,
                probatio.Required("type"): one_of(MonitorKind),
                probatio.Required("value"): probatio.Coerce(float),
                probatio.Optional("severity", default=8): probatio.All(
                    probatio.Coerce(int), probatio.Range(0, 9)
                ),
                probatio.Optional("monitor_id"): probatio.Coerce(int),
                probatio.Optional("transaction", default=False): cv.boolean,
            }
        ),
        "clear_variable_monitoring": probatio.Schema(
            {**base, probatio.Required("monitor_ids"): IDS}
        ),
        "get_monitoring_report": probatio.Schema(
            {
                **base,
                probatio.Optional("keys", default=[]): [KEY],
                probatio.Optional("criteria", default=[]): [one_of(MonitoringCriterion)],
            }
        ),
        "get_report": probatio.Schema(
            {
                **base,
                probatio.Optional("keys", default=[]): [KEY],
                probatio.Optional("criteria", default=[]): [one_of(ComponentCriterion)],
            }
        ),
        "get_base_report": probatio.Schema(
            {
                **base,
                probatio.Optional("report_base", default="FullInventory"): one_of(ReportBase),
            }
        ),
        "clear_cache": probatio.Schema(base),
        "get_transaction_status": probatio.Schema(
            {**base, probatio.Optional("transaction_id"): cv.string}
        ),
        "customer_information": probatio.Schema(
            {
                **base,
                probatio.Optional("report", default=True): cv.boolean,
                probatio.Optional("clear", default=False): cv.boolean,
                probatio.Exclusive("id_tag", "customer"): probatio.All(
                    cv.string, probatio.Length(1, 36)
                ),
                probatio.Exclusive("customer_identifier", "customer"): probatio.All(
                    cv.string, probatio.Length(1, 64)
                ),
            }
        ),
        "get_charging_profiles": probatio.Schema(
            {
                **base,
                probatio.Optional("purpose"): one_of(ProfilePurpose),
                probatio.Optional("stack_level"): probatio.Coerce(int),
                probatio.Optional("profile_ids"): IDS,
            }
        ),
        "get_installed_certificates": probatio.Schema(
            {
                **base,
                probatio.Optional("certificate_types", default=[]): [one_of(CertificateType)],
            }
        ),
        "install_certificate": probatio.Schema(
            {
                **base,
                probatio.Required("certificate_type"): one_of(list(CertificateType)[:5]),
                probatio.Required("certificate"): probatio.All(
                    cv.string, probatio.Length(1, 10000)
                ),
            }
        ),
        "delete_certificate": probatio.Schema(
            {
                **base,
                probatio.Required("hash_algorithm"): one_of(HashAlgorithm),
                probatio.Required("issuer_name_hash"): probatio.All(
                    cv.string, probatio.Length(1, 128)
                ),
                probatio.Required("issuer_key_hash"): probatio.All(
                    cv.string, probatio.Length(1, 128)
                ),
                probatio.Required("serial_number"): probatio.All(cv.string, probatio.Length(1, 40)),
            }
        ),
    }


def _request_id(hass: HomeAssistant) -> int:
    return get_runtime(hass).csms.next_request_id()


async def set_monitoring(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Install one variable monitor."""
    monitor = Monitor(
        key=data["key"],
        kind=data["type"],
        value=data["value"],
        severity=data["severity"],
        monitor_id=data.get("monitor_id"),
        transaction=data["transaction"],
    )
    async with charger_commands(charger) as commands:
        results = await commands.set_variable_monitoring([monitor])
    return {"results": results}


async def clear_monitoring(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Remove variable monitors."""
    async with charger_commands(charger) as commands:
        results = await commands.clear_variable_monitoring(data["monitor_ids"])
    return {"results": results}


async def monitoring_report(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Read the monitors installed."""
    async with charger_commands(charger) as commands:
        monitors = await commands.get_monitoring_report(
            _request_id(hass), data["keys"], data["criteria"]
        )
    return {"monitors": monitors}


async def report(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Read device-model variables."""
    async with charger_commands(charger) as commands:
        items = await commands.get_report(_request_id(hass), data["keys"], data["criteria"])
    return {"report": items}


async def base_report(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Read a standard device-model report."""
    async with charger_commands(charger) as commands:
        items = await commands.get_base_report(_request_id(hass), data["report_base"])
    return {"report": items}


async def clear_cache(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Empty the charger's authorization cache."""
    async with charger_commands(charger) as commands:
        outcome = await commands.clear_cache()
    return {"status": outcome.value}


async def transaction_status(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Ask about a transaction: the one named, the connector's, or the queue in all."""
    tx_id = data.get("transaction_id")
    if tx_id is None and conn is not None and conn.transaction is not None:
        tx_id = conn.transaction.transaction_id
    async with charger_commands(charger) as commands:
        status = await commands.get_transaction_status(tx_id)
    return {"transaction_id": tx_id, **status}


async def customer_information(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Report (and/or clear) what the charger keeps of a customer."""
    identifier: dict[str, Any] = {
        k: data[k] for k in ("id_tag", "customer_identifier") if k in data
    }
    async with charger_commands(charger) as commands:
        text = await commands.customer_information(
            _request_id(hass), data["report"], data["clear"], identifier
        )
    return {"data": text}


async def charging_profiles(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Read the charging profiles installed (all of them, ours and others')."""
    criteria: dict[str, Any] = {}
    if "purpose" in data:
        criteria["chargingProfilePurpose"] = data["purpose"]
    if "stack_level" in data:
        criteria["stackLevel"] = data["stack_level"]
    if "profile_ids" in data:
        criteria["chargingProfileId"] = data["profile_ids"]
    connector_id = conn.connector_id if conn is not None else None
    async with charger_commands(charger) as commands:
        profiles = await commands.get_charging_profiles(_request_id(hass), connector_id, criteria)
    return {"profiles": profiles}


async def installed_certificates(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """List the certificates installed."""
    async with charger_commands(charger) as commands:
        found = await commands.get_installed_certificate_ids(data["certificate_types"])
    return {"certificates": found}


async def install_certificate(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Install a root certificate."""
    async with charger_commands(charger) as commands:
        outcome = await commands.install_certificate(data["certificate_type"], data["certificate"])
    return {"status": outcome.value}


async def delete_certificate(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Delete an installed certificate."""
    hash_data = {
        "hashAlgorithm": data["hash_algorithm"],
        "issuerNameHash": data["issuer_name_hash"],
        "issuerKeyHash": data["issuer_key_hash"],
        "serialNumber": data["serial_number"],
    }
    async with charger_commands(charger) as commands:
        outcome = await commands.delete_certificate(hash_data)
    return {"status": outcome.value}
