"""Charging-limit logic: which profile to send, with which stable id, and what the
connector's limit in force is afterwards.

Rules (shared by every OCPP version):
- while a transaction runs, the limit is a per-connector TxProfile bound to that
  transaction, so it ends with the session and a 0 A pause never outlives it;
- otherwise it is a TxDefaultProfile on the connector, for the sessions to come
  (persisted, so it is known again after a restart);
- never ChargePointMaxProfile / ChargingStationMaxProfile, which would cap the
  whole site's hardware limit;
- profile ids are stable per connector and purpose, so a new limit replaces the
  old one instead of stacking (2.0.1 rejects a new id at the same stack level).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .commands import ChargeLimit, CommandOutcome, LimitPurpose, LimitUnit, ManagedLimit
from .errors import InvalidCommand

if TYPE_CHECKING:
    from .charger import Connector
    from .csms import Csms

PROFILE_ID_BASE = 7100
STACK_LEVEL = 5


def profile_id(connector_id: int, purpose: LimitPurpose) -> int:
    return PROFILE_ID_BASE + connector_id * 2 + (1 if purpose is LimitPurpose.TX else 0)


def managed_profile_ids(connector_id: int) -> list[int]:
    return [profile_id(connector_id, p) for p in LimitPurpose]


def plan_limit(connector: Connector, value: float, unit: LimitUnit) -> ChargeLimit:
    """Decide how to send a limit to this connector. Negative values mean
    discharging and are only allowed where the charger supports it (2.1 V2X)."""
    if value < 0 and not connector.charger.capabilities.bidirectional:
        raise InvalidCommand("negative limits need a charger that supports discharging")
    tx = connector.transaction
    purpose = LimitPurpose.TX if tx is not None else LimitPurpose.TX_DEFAULT
    return ChargeLimit(
        connector_id=connector.connector_id,
        purpose=purpose,
        profile_id=profile_id(connector.connector_id, purpose),
        stack_level=STACK_LEVEL,
        unit=unit,
        limit=round(value, 1),
        transaction_id=tx.transaction_id if tx is not None else None,
    )


async def set_limit(csms: Csms, conn: Connector, value: float, unit: LimitUnit) -> CommandOutcome:
    """Send a limit; once the charger took it, it is the connector's limit in force."""
    commands = conn.charger.require_commands()
    limit = plan_limit(conn, value, unit)
    outcome = await commands.set_charge_limit(limit)
    conn.charge_limit = ManagedLimit(limit.limit, limit.unit)
    if limit.purpose is LimitPurpose.TX_DEFAULT:
        conn.default_limit = conn.charge_limit
        csms.persistence.soon()
    conn.notify()
    return outcome


async def clear_limit(csms: Csms, conn: Connector) -> CommandOutcome:
    """Remove both of our profiles from the connector."""
    commands = conn.charger.require_commands()
    outcome = await commands.clear_charge_limit(
        conn.connector_id, managed_profile_ids(conn.connector_id)
    )
    conn.charge_limit = conn.default_limit = None
    csms.persistence.soon()
    conn.notify()
    return outcome
