"""Forwarding a charger to a second central system: what the upstream may do, and ids.

Home Assistant answers the charger; the upstream gets a copy of every charger
message (``hub/forwarding.py``, over ``transport/upstream.py``). This module is
the arithmetic of it, on plain data:

- which upstream commands a policy lets through to the charger;
- the 1.6 transaction ids: the charger has Home Assistant's, the upstream its own
  (from its StartTransaction answer); the map turns one into the other both ways,
  and is stored, so a restart in the middle of a session loses nothing;
- which messages are readings (the only ones a full queue may drop).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from .authorization import AuthStatus


class CommandPolicy(StrEnum):
    """What the upstream may ask of the charger."""

    ALLOWED = "allowed"
    READ_ONLY = "read_only"
    NO_CHARGING_CONTROL = "no_charging_control"  # the default


READS = frozenset(
    {
        "GetConfiguration",
        "GetVariables",
        "GetCompositeSchedule",
        "GetLocalListVersion",
        "GetReport",
        "GetBaseReport",
        "TriggerMessage",
        "GetChargingProfiles",
        "GetTransactionStatus",
    }
)
# What Home Assistant sets and the upstream must not fight it over.
CHARGING_CONTROL = frozenset(
    {"SetChargingProfile", "ClearChargingProfile", "ChangeAvailability", "SendLocalList"}
)
# Configuration keys (1.6) and variables (2.x) Home Assistant manages.
MANAGED_KEYS = frozenset(
    {
        "MeterValuesSampledData",
        "MeterValueSampleInterval",
        "ClockAlignedDataInterval",
        "MeterValuesAlignedData",
        "StopTxnSampledData",
        "HeartbeatInterval",
        "AuthorizationKey",
        "SecurityProfile",
        "LocalAuthListEnabled",
        "LocalAuthorizeOffline",
        "SampledDataCtrlr",
        "AlignedDataCtrlr",
        "BasicAuthPassword",
        "SmartChargingCtrlr",
        "LocalAuthListCtrlr",
        "Interval",
        "TxUpdatedMeasurands",
        "TxUpdatedInterval",
        "Measurands",
    }
)


def refusal(policy: CommandPolicy, action: str, payload: dict[str, Any]) -> str | None:
    """Return why an upstream command is refused under the policy (None: relay it)."""
    if policy is CommandPolicy.ALLOWED:
        return None
    if policy is CommandPolicy.READ_ONLY:
        return None if action in READS else "read-only: the upstream may read, not change"
    if action in CHARGING_CONTROL:
        return "Home Assistant controls charging: the upstream may not"
    if action == "ChangeConfiguration" and payload.get("key") in MANAGED_KEYS:
        return f"{payload.get('key')} is managed by Home Assistant"
    return None


def _managed(item: dict[str, Any]) -> bool:
    names = {item.get("component", {}).get("name"), item.get("variable", {}).get("name")}
    return bool(names & MANAGED_KEYS)


def split_variables(
    policy: CommandPolicy, payload: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Split a 2.x SetVariables: what goes to the charger, and the results refused here.

    Under *all but charging control* each variable Home Assistant manages is
    answered Rejected, the others relayed.
    """
    items = payload.get("setVariableData") or []
    if policy is not CommandPolicy.NO_CHARGING_CONTROL:
        return payload, []
    refused = [
        {"attributeStatus": "Rejected", "component": i["component"], "variable": i["variable"]}
        for i in items
        if _managed(i)
    ]
    return {**payload, "setVariableData": [i for i in items if not _managed(i)]}, refused


def without_profile(policy: CommandPolicy, action: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Return a remote start without its charging profile where the upstream may not set one."""
    starts = action in ("RemoteStartTransaction", "RequestStartTransaction")
    if starts and policy is not CommandPolicy.ALLOWED:
        return {k: v for k, v in payload.items() if k != "chargingProfile"}
    return payload


def is_reading(action: str, payload: dict[str, Any]) -> bool:
    """Tell whether a charger message is a reading (a full queue may drop it)."""
    if action == "MeterValues":
        return True
    return (
        action == "TransactionEvent"
        and payload.get("eventType") == "Updated"
        and payload.get("triggerReason") in ("MeterValuePeriodic", "MeterValueClock")
    )


def kept_while_down(action: str, payload: dict[str, Any]) -> bool:
    """Tell whether a copy waits for an upstream that is down: transaction messages.

    The rest (statuses, authorizations, notices) is not queued: the upstream gets
    the current statuses when it is back.
    """
    if action in ("StartTransaction", "StopTransaction", "TransactionEvent"):
        return True
    return action == "MeterValues" and payload.get("transactionId") is not None


def token_of(payload: dict[str, Any]) -> str | None:
    """Return the tag of a call (1.6 idTag, 2.x idToken.idToken), if it has one."""
    token = payload.get("idTag") or (payload.get("idToken") or {}).get("idToken")
    return str(token) if token else None


def tag_status(answer: dict[str, Any], v16: bool) -> AuthStatus | None:
    """Return the tag status an upstream's answer gives (None: it says nothing of one).

    A 2.x status of its own (NoCredit, NotAtThisTime, ...) is a refusal: Invalid.
    """
    info = answer.get("idTagInfo" if v16 else "idTokenInfo")
    if not isinstance(info, dict):
        return None
    try:
        return AuthStatus(str(info.get("status")))
    except ValueError:
        return AuthStatus.INVALID


class TxIdMap:
    """1.6 transaction ids: Home Assistant's (the charger's) <-> the upstream's."""

    def __init__(self, pairs: dict[int, int] | None = None) -> None:
        """Start from stored pairs (Home Assistant's id -> the upstream's)."""
        self._up: dict[int, int] = dict(pairs or {})
        self._down = {up: ours for ours, up in self._up.items()}

    def __len__(self) -> int:
        """Return how many sessions are mapped."""
        return len(self._up)

    def pair(self, ours: int, theirs: int) -> None:
        """Note the upstream's id for one of Home Assistant's."""
        self._up[ours] = theirs
        self._down[theirs] = ours

    def forget(self, ours: int) -> None:
        """Drop a session's pair (it ended upstream too)."""
        if (theirs := self._up.pop(ours, None)) is not None:
            self._down.pop(theirs, None)

    def upstream(self, ours: Any) -> Any:
        """Return the upstream's id for Home Assistant's (unmapped: as it is)."""
        return self._up.get(ours, ours) if isinstance(ours, int) else ours

    def charger(self, theirs: Any) -> Any:
        """Return Home Assistant's id for the upstream's (unmapped: as it is)."""
        return self._down.get(theirs, theirs) if isinstance(theirs, int) else theirs

    def as_dict(self) -> dict[str, int]:
        """Return the pairs as plain data for storage."""
        return {str(ours): theirs for ours, theirs in self._up.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TxIdMap:
        """Read stored pairs."""
        return cls({int(ours): int(theirs) for ours, theirs in data.items()})


def to_upstream(action: str, payload: dict[str, Any], ids: TxIdMap) -> dict[str, Any]:
    """Return a 1.6 charger message as the upstream must see it (its transaction ids)."""
    if action in ("MeterValues", "StopTransaction") and "transactionId" in payload:
        return {**payload, "transactionId": ids.upstream(payload["transactionId"])}
    return payload


def to_charger(action: str, payload: dict[str, Any], ids: TxIdMap) -> dict[str, Any]:
    """Return a 1.6 upstream command as the charger must see it (its transaction ids)."""
    if action == "RemoteStopTransaction" and "transactionId" in payload:
        return {**payload, "transactionId": ids.charger(payload["transactionId"])}
    if action == "SetChargingProfile":
        profile = payload.get("csChargingProfiles") or {}
        if "transactionId" in profile:
            profile = {**profile, "transactionId": ids.charger(profile["transactionId"])}
            return {**payload, "csChargingProfiles": profile}
    return payload
