"""Monitoring, report, certificate and other read-out actions.

Registered by services.py.
Each returns the charger's answer as response data; reports that come in parts
are returned assembled.
"""

from __future__ import annotations

from typing import Any

import probatio
from homeassistant.core import HomeAssistant, SupportsResponse
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
from ..model.operations import CertificateHash, Monitor
from .action import Action
from .commands import run_command
from .fields import one_of

KEY = probatio.All(cv.string, probatio.Length(1, 200))
IDS = probatio.All(cv.ensure_list, [probatio.Coerce(int)], probatio.Length(min=1))


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
    results = await run_command(
        charger, lambda commands: commands.set_variable_monitoring([monitor])
    )
    return {"results": results}


async def clear_monitoring(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Remove variable monitors."""
    results = await run_command(
        charger, lambda commands: commands.clear_variable_monitoring(data["monitor_ids"])
    )
    return {"results": results}


async def monitoring_report(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Read the monitors installed."""
    monitors = await run_command(
        charger,
        lambda commands: commands.get_monitoring_report(
            _request_id(hass), data["keys"], data["criteria"]
        ),
    )
    return {"monitors": monitors}


async def report(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Read device-model variables."""
    items = await run_command(
        charger,
        lambda commands: commands.get_report(_request_id(hass), data["keys"], data["criteria"]),
    )
    return {"report": items}


async def base_report(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Read a standard device-model report."""
    items = await run_command(
        charger, lambda commands: commands.get_base_report(_request_id(hass), data["report_base"])
    )
    return {"report": items}


async def clear_cache(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Empty the charger's authorization cache."""
    outcome = await run_command(charger, lambda commands: commands.clear_cache())
    return {"status": outcome.value}


async def transaction_status(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Ask about a transaction: the one named, the connector's, or the queue in all."""
    tx_id = data.get("transaction_id")
    if tx_id is None and conn is not None and conn.transaction is not None:
        tx_id = conn.transaction.transaction_id
    status = await run_command(charger, lambda commands: commands.get_transaction_status(tx_id))
    return {"transaction_id": tx_id, **status}


async def customer_information(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Report (and/or clear) what the charger keeps of a customer."""
    identifier: dict[str, Any] = {
        k: data[k] for k in ("id_tag", "customer_identifier") if k in data
    }
    text = await run_command(
        charger,
        lambda commands: commands.customer_information(
            _request_id(hass), data["report"], data["clear"], identifier
        ),
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
    profiles = await run_command(
        charger,
        lambda commands: commands.get_charging_profiles(_request_id(hass), connector_id, criteria),
    )
    return {"profiles": profiles}


async def installed_certificates(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """List the certificates installed."""
    found = await run_command(
        charger, lambda commands: commands.get_installed_certificate_ids(data["certificate_types"])
    )
    return {"certificates": found}


async def install_certificate(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Install a root certificate."""
    outcome = await run_command(
        charger,
        lambda commands: commands.install_certificate(
            data["certificate_type"], data["certificate"]
        ),
    )
    return {"status": outcome.value}


async def delete_certificate(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Delete an installed certificate."""
    hash_data = CertificateHash(
        data["hash_algorithm"],
        data["issuer_name_hash"],
        data["issuer_key_hash"],
        data["serial_number"],
    )
    outcome = await run_command(charger, lambda commands: commands.delete_certificate(hash_data))
    return {"status": outcome.value}


ACTIONS = (
    Action(
        "set_variable_monitoring",
        {
            probatio.Required("key"): KEY,
            probatio.Required("type"): one_of(MonitorKind),
            probatio.Required("value"): probatio.Coerce(float),
            probatio.Optional("severity", default=8): probatio.All(
                probatio.Coerce(int), probatio.Range(0, 9)
            ),
            probatio.Optional("monitor_id"): probatio.Coerce(int),
            probatio.Optional("transaction", default=False): cv.boolean,
        },
        set_monitoring,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "clear_variable_monitoring",
        {
            probatio.Required("monitor_ids"): IDS,
        },
        clear_monitoring,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "get_monitoring_report",
        {
            probatio.Optional("keys", default=[]): [KEY],
            probatio.Optional("criteria", default=[]): [one_of(MonitoringCriterion)],
        },
        monitoring_report,
        SupportsResponse.ONLY,
    ),
    Action(
        "get_report",
        {
            probatio.Optional("keys", default=[]): [KEY],
            probatio.Optional("criteria", default=[]): [one_of(ComponentCriterion)],
        },
        report,
        SupportsResponse.ONLY,
    ),
    Action(
        "get_base_report",
        {
            probatio.Optional("report_base", default="FullInventory"): one_of(ReportBase),
        },
        base_report,
        SupportsResponse.ONLY,
    ),
    Action(
        "clear_cache",
        {},
        clear_cache,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "get_transaction_status",
        {
            probatio.Optional("transaction_id"): cv.string,
        },
        transaction_status,
        SupportsResponse.ONLY,
    ),
    Action(
        "customer_information",
        {
            probatio.Optional("report", default=True): cv.boolean,
            probatio.Optional("clear", default=False): cv.boolean,
            probatio.Exclusive("id_tag", "customer"): probatio.All(
                cv.string, probatio.Length(1, 36)
            ),
            probatio.Exclusive("customer_identifier", "customer"): probatio.All(
                cv.string, probatio.Length(1, 64)
            ),
        },
        customer_information,
        SupportsResponse.ONLY,
    ),
    Action(
        "get_charging_profiles",
        {
            probatio.Optional("purpose"): one_of(ProfilePurpose),
            probatio.Optional("stack_level"): probatio.Coerce(int),
            probatio.Optional("profile_ids"): IDS,
        },
        charging_profiles,
        SupportsResponse.ONLY,
    ),
    Action(
        "get_installed_certificates",
        {
            probatio.Optional("certificate_types", default=[]): [one_of(CertificateType)],
        },
        installed_certificates,
        SupportsResponse.ONLY,
    ),
    Action(
        "install_certificate",
        {
            probatio.Required("certificate_type"): one_of(list(CertificateType)[:5]),
            probatio.Required("certificate"): probatio.All(cv.string, probatio.Length(1, 10000)),
        },
        install_certificate,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "delete_certificate",
        {
            probatio.Required("hash_algorithm"): one_of(HashAlgorithm),
            probatio.Required("issuer_name_hash"): probatio.All(cv.string, probatio.Length(1, 128)),
            probatio.Required("issuer_key_hash"): probatio.All(cv.string, probatio.Length(1, 128)),
            probatio.Required("serial_number"): probatio.All(cv.string, probatio.Length(1, 40)),
        },
        delete_certificate,
        SupportsResponse.OPTIONAL,
    ),
)
