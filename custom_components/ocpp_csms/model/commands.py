"""The commands a charger accepts, independent of the OCPP version."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class CommandError(Exception):
    """The charger rejected a command, answered with an error, or timed out."""

    def __init__(self, action: str, answer: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{action}: {answer}")
        self.action = action
        self.answer = answer
        self.details = details or {}


class ResetKind(StrEnum):
    SOFT = "soft"
    HARD = "hard"


class LimitPurpose(StrEnum):
    """Which profile a limit is sent as."""

    TX = "tx"  # bound to the running transaction, gone when it ends
    TX_DEFAULT = "tx_default"  # applies to every future transaction on the connector


@dataclass(slots=True, frozen=True)
class ChargeLimit:
    """A limit as the charging-limit logic decided to send it."""

    connector_id: int
    purpose: LimitPurpose
    profile_id: int
    stack_level: int
    unit: str  # "A" or "W"
    limit: float
    transaction_id: str | None = None
    phases: int | None = None


@dataclass(slots=True)
class ConfigurationResult:
    values: dict[str, str | None] = field(default_factory=dict)
    readonly: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


class ChargerCommands(Protocol):
    """Implemented by each protocol adapter; used by the model and the HA layer."""

    async def remote_start(self, connector_id: int, id_tag: str) -> str: ...
    async def remote_stop(self, transaction_id: str) -> str: ...
    async def reset(self, kind: ResetKind) -> str: ...
    async def unlock(self, connector_id: int) -> str: ...
    async def change_availability(self, connector_id: int, operative: bool) -> str: ...
    async def set_charge_limit(self, limit: ChargeLimit) -> str: ...
    async def clear_charge_limit(self, connector_id: int, profile_ids: list[int]) -> str: ...
    async def get_configuration(self, keys: list[str]) -> ConfigurationResult: ...
    async def set_configuration(self, key: str, value: str) -> str: ...
    async def trigger_message(self, message: str, connector_id: int | None) -> str: ...
    async def data_transfer(
        self, vendor_id: str, message_id: str | None, data: str | None
    ) -> dict[str, Any]: ...
