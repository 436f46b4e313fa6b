"""Diagnostics download: everything the model knows about a charger.

Including messages no entity shows (data transfers, security events, raw
measurands) and the input it refused.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.core import HomeAssistant

from .const import (
    CONF_CHARGER_PASSWORD,
    CONF_DEFAULT_ID_TAG,
    CONF_PASSWORD_HASH,
    CONF_PREVIOUS_HASH,
    CONF_SSL_CAFILE,
    CONF_SSL_CERTFILE,
    CONF_SSL_KEYFILE,
    CONF_UPSTREAM_PASSWORD,
)
from .hub.entry_data import ChargerData, OcppConfigEntry
from .hub.runtime import CsmsRuntime
from .model.charger import Charger, Connector
from .model.transaction import Transaction

# Passwords and their hashes, tags, certificate paths, serial numbers and CSRs.
TO_REDACT = {
    CONF_CHARGER_PASSWORD,
    CONF_UPSTREAM_PASSWORD,
    CONF_PASSWORD_HASH,
    CONF_PREVIOUS_HASH,
    CONF_DEFAULT_ID_TAG,
    CONF_SSL_CERTFILE,
    CONF_SSL_KEYFILE,
    CONF_SSL_CAFILE,
    "password",
    "id_tag",
    "group_id_tag",
    "id_token",
    "idTag",
    "idToken",
    "group",
    "serial_number",
    "charge_point_serial_number",
    "charge_box_serial_number",
    "csr",
}


# Messages whose whole payload is personal or financial: kept, but not downloaded.
PRIVATE_MESSAGES = {"NotifyCustomerInformation", "NotifySettlement", "VatNumberValidation"}


def _messages(charger: Charger) -> list[dict[str, Any]]:
    return [
        {**entry, "payload": REDACTED} if entry["kind"] in PRIVATE_MESSAGES else entry
        for entry in charger.diagnostics.entries
    ]


def _tx(tx: Transaction | None) -> dict[str, Any] | None:
    if tx is None:
        return None
    return {
        **tx.as_dict(),
        "energy_kwh": tx.energy_kwh,
        "stop_reason": tx.stop_reason,
        "anomaly": tx.anomaly,
    }


def _connector(conn: Connector) -> dict[str, Any]:
    limit = conn.charge_limit
    return {
        "status": conn.status,
        "error_code": conn.error_code,
        "energy_register_kwh": conn.energy.value_kwh,
        "energy_readings_rejected": conn.energy.rejected,
        "charge_limit": limit.as_dict() if limit else None,
        "desired_limit": conn.desired.as_dict(),
        "effective_limit": conn.watch.effective.as_dict()
        if conn.watch and conn.watch.effective
        else None,
        "limit_ignored": bool(conn.watch and conn.watch.ignored),
        "plan": (
            {"slots": [s.as_dict() for s in conn.plan.slots], "energy_kwh": conn.plan.energy_kwh}
            if conn.plan
            else None
        ),
        "transaction": _tx(conn.transaction),
        "last_session": _tx(conn.last_session),
        "measurements": {k: asdict(v) for k, v in conn.measurements.raw.items()},
    }


def _csms(runtime: CsmsRuntime, options: dict[str, Any]) -> dict[str, Any]:
    server = runtime.connections.server
    csms = runtime.csms
    return {
        "options": options,
        "port": server.port if server else None,
        "chargers": sorted(csms.chargers),
        "adopted": sorted(csms.adopted),
        "open_transactions": sum(len(c.transactions) for c in csms.chargers.values())
        + csms.stored.open_transactions(),
        "transaction_counter": csms.stored.tx_counter,
        "circuits": [
            {"name": c.name, "limit_a": c.limit_a, "parent": c.parent, "members": c.members}
            for c in runtime.options.site.circuits.items
        ],
        "access": {
            "unknown_chargers": str(runtime.access.unknown_policy),
            "chargers_without_password": str(runtime.connections.admission.no_password),
            "refused_unknown": runtime.connections.admission.refused_unknown,
            "failed_logins": runtime.connections.admission.failures.total,
            "refused_busy": server.refused_busy if server else 0,
            "closed_for_flooding": runtime.connections.refused_floods,
            "held_back_over_rate": runtime.connections.held_back,
        },
        "tls": None
        if runtime.tls is None
        else {
            "expires": runtime.tls.expires.isoformat() if runtime.tls.expires else None,
            "client_certificates": runtime.tls.client_certificates,
        },
        "session_history": {
            "sessions": len(csms.history),
            "retention_days": csms.history.retention.days,
        },
        "tags": {
            "policy": str(csms.tags.policy),
            "listed": len(csms.tags.tags),
            "blocked": sum(1 for t in csms.tags.tags if t.blocked),
        },
    }


def _charger(charger: Charger, entry: OcppConfigEntry) -> dict[str, Any]:
    return {
        "charger_id": charger.charger_id,
        "has_password": CONF_PASSWORD_HASH in entry.data,
        "local_list_version": charger.local_list.version,
        "tag_decisions": charger.tag_decisions,
        "protocol": charger.protocol,
        "connected": charger.connected,
        "boot_status": charger.boot_status,
        "identity": asdict(charger.identity),
        "capabilities": asdict(charger.capabilities),
        "charger_profile": charger.profile.as_dict() if charger.profile else None,
        "limit_strategy": charger.limit_strategy.describe(),
        "station_limit": charger.station_limit.as_dict() if charger.station_limit else None,
        "composite_schedule_supported": charger.composite_supported,
        "phase_switch_ignored": charger.phase_switch_ignored,
        "phase_rotation": {
            "reported": {str(k): v for k, v in charger.phase_rotations.items()},
            "set": charger.phase_rotation_set,
        },
        "status": charger.status,
        "error_code": charger.error_code,
        "firmware_status": charger.firmware_status,
        "diagnostics_status": charger.diagnostics_status,
        "reservations": [r.as_dict() for r in charger.reservations.values()],
        "monitors": dict(charger.monitor_severity),
        "priced": charger.price is not None,
        "last_heartbeat": charger.last_heartbeat.isoformat() if charger.last_heartbeat else None,
        "connectors": {n: _connector(c) for n, c in sorted(charger.connectors.items())},
        "input_refused": dict(charger.anomalies),
        "recent_messages": _messages(charger),
        "recent_messages_bytes": charger.diagnostics.size_bytes,
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: OcppConfigEntry
) -> dict[str, Any]:
    """Return the diagnostics of a charger entry or the CSMS entry, redacted."""
    data = entry.runtime_data
    if isinstance(data, ChargerData):
        found = _charger(data.charger, entry)
        forwarder = data.runtime.forwarding.forwarders.get(data.charger.charger_id)
        found["second_central_system"] = forwarder.as_diagnostics() if forwarder else None
        return async_redact_data(found, TO_REDACT)
    return async_redact_data(_csms(data, dict(entry.options)), TO_REDACT)
