"""Diagnostics download: everything the model knows about a charger, including
messages no entity shows (data transfers, security events, raw measurands)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from . import OcppConfigEntry
from .const import CONF_CHARGER_PASSWORD, CONF_KIND, KIND_CHARGER
from .model.charger import Connector, Transaction
from .runtime import get_runtime

TO_REDACT = {CONF_CHARGER_PASSWORD, "id_tag", "csr"}


def _tx(tx: Transaction | None) -> dict[str, Any] | None:
    if tx is None:
        return None
    return {**tx.as_dict(), "energy_kwh": tx.energy_kwh, "stop_reason": tx.stop_reason}


def _connector(conn: Connector) -> dict[str, Any]:
    m = conn.measurements
    return {
        "status": conn.status,
        "error_code": conn.error_code,
        "energy_register_kwh": conn.energy.value_kwh,
        "energy_readings_rejected": conn.energy.rejected,
        "charge_limit": conn.charge_limit,
        "charge_limit_unit": conn.charge_limit_unit,
        "transaction": _tx(conn.transaction),
        "last_session": _tx(conn.last_session),
        "measurements": {k: asdict(v) for k, v in m.raw.items()},
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: OcppConfigEntry
) -> dict[str, Any]:
    runtime = get_runtime(hass)
    if entry.data.get(CONF_KIND) != KIND_CHARGER:
        return async_redact_data(
            {
                "options": dict(entry.options),
                "port": runtime.server.port if runtime.server else None,
                "chargers": sorted(runtime.csms.chargers),
                "adopted": sorted(runtime.csms.adopted),
                "open_transactions": len(runtime.csms.open_transactions),
                "transaction_counter": runtime.csms.tx_counter,
            },
            TO_REDACT,
        )
    charger = entry.runtime_data.charger  # type: ignore[union-attr]
    data = {
        "charger_id": charger.charger_id,
        "protocol": charger.protocol,
        "connected": charger.connected,
        "boot_status": charger.boot_status,
        "identity": asdict(charger.identity),
        "capabilities": asdict(charger.capabilities),
        "status": charger.status,
        "error_code": charger.error_code,
        "firmware_status": charger.firmware_status,
        "diagnostics_status": charger.diagnostics_status,
        "last_heartbeat": charger.last_heartbeat.isoformat() if charger.last_heartbeat else None,
        "connectors": {n: _connector(c) for n, c in sorted(charger.connectors.items())},
        "recent_messages": charger.recent_messages,
    }
    return async_redact_data(data, TO_REDACT)
