# ruff: noqa: D102  (each method is described by ChargerOperations)
"""What a version lacks: each operation refused before the charger is asked.

Every adapter starts from these, and overrides what its version has. The error
names the operation and the versions that have it, so the action's message
says clearly where it works.
"""

from __future__ import annotations

from typing import Any, NoReturn

from ..model.commands import CommandOutcome
from ..model.errors import NotInVersion
from ..model.operations import (
    DisplayMessage,
    Monitor,
    Report,
    Tariff,
)
from .adapter import AdapterBase

V2X = "OCPP 2.0.1 and 2.1"
V21 = "OCPP 2.1"


class VersionGaps(AdapterBase):
    """Every operation, refused; the version adapters override what they have."""

    def _missing(self, operation: str, versions: str) -> NoReturn:
        raise NotInVersion(operation, self.protocol_version, versions)

    async def set_display_message(self, message: DisplayMessage) -> CommandOutcome:
        self._missing("display messages", V2X)

    async def get_display_messages(
        self, request_id: int, ids: list[int], priority: str | None, state: str | None
    ) -> Report:
        self._missing("display messages", V2X)

    async def clear_display_message(self, message_id: int) -> CommandOutcome:
        self._missing("display messages", V2X)

    async def set_variable_monitoring(self, monitors: list[Monitor]) -> Report:
        self._missing("variable monitoring", V2X)

    async def clear_variable_monitoring(self, monitor_ids: list[int]) -> Report:
        self._missing("variable monitoring", V2X)

    async def get_monitoring_report(
        self, request_id: int, keys: list[str], criteria: list[str]
    ) -> Report:
        self._missing("variable monitoring", V2X)

    async def get_report(self, request_id: int, keys: list[str], criteria: list[str]) -> Report:
        self._missing("device-model reports", V2X)

    async def get_base_report(self, request_id: int, report_base: str) -> Report:
        self._missing("device-model reports", V2X)

    async def get_transaction_status(self, transaction_id: str | None) -> dict[str, Any]:
        self._missing("GetTransactionStatus", V2X)

    async def customer_information(
        self, request_id: int, report: bool, clear: bool, identifier: dict[str, Any]
    ) -> str:
        self._missing("CustomerInformation", V2X)

    async def get_charging_profiles(
        self, request_id: int, connector_id: int | None, criteria: dict[str, Any]
    ) -> Report:
        self._missing("GetChargingProfiles", V2X)

    async def set_default_tariff(self, connector_id: int, tariff: Tariff) -> CommandOutcome:
        self._missing("tariffs", V21)

    async def get_tariffs(self, connector_id: int) -> Report:
        self._missing("tariffs", V21)

    async def clear_tariffs(self, tariff_ids: list[str], connector_id: int | None) -> Report:
        self._missing("tariffs", V21)
