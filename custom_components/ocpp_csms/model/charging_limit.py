"""Charging-limit logic: which profile to send, with which stable id.

Rules (shared by every OCPP version):
- while a transaction runs, the limit is a per-connector TxProfile bound to that
  transaction, so it ends with the session and a 0 A pause never outlives it;
- otherwise it is a TxDefaultProfile on the connector, for the sessions to come;
- never ChargePointMaxProfile / ChargingStationMaxProfile, which would cap the
  whole site's hardware limit;
- profile ids are stable per connector and purpose, so a new limit replaces the
  old one instead of stacking (2.0.1 rejects a new id at the same stack level).
"""

from __future__ import annotations

from .charger import Connector
from .commands import ChargeLimit, LimitPurpose

PROFILE_ID_BASE = 7100
STACK_LEVEL = 5


def profile_id(connector_id: int, purpose: LimitPurpose) -> int:
    return PROFILE_ID_BASE + connector_id * 2 + (1 if purpose is LimitPurpose.TX else 0)


def managed_profile_ids(connector_id: int) -> list[int]:
    return [profile_id(connector_id, p) for p in LimitPurpose]


def plan_limit(
    connector: Connector,
    *,
    amps: float | None = None,
    watts: float | None = None,
    allow_discharge: bool = False,
) -> ChargeLimit:
    """Decide how to send a limit to this connector.

    Exactly one of amps / watts. Negative values mean discharging and are only
    allowed where the charger supports it (2.1 V2X).
    """
    if (amps is None) == (watts is None):
        raise ValueError("exactly one of amps or watts is required")
    value = float(amps if amps is not None else watts)  # type: ignore[arg-type]
    if value < 0 and not allow_discharge:
        raise ValueError("negative limits need a charger that supports discharging")
    unit = "A" if amps is not None else "W"
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
