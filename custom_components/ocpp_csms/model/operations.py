"""The charger operations beyond charging.

Reservations, firmware and logs, display messages, monitoring and reports,
certificates, tariffs.
Typed requests, and the protocol each version adapter implements. A version that
lacks an operation raises NotInVersion, which the Home Assistant layer words as
"this charger's OCPP version has no ...": entities and actions never ask which
version a charger speaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .commands import CommandOutcome

# An answer assembled from a charger's report messages, or read from its reply:
# plain data (snake_case keys, as the ocpp library gives them).
Report = list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Reservation:
    """A connector (or, with None, any connector of the charger) held for a tag."""

    reservation_id: int
    charger_id: str
    connector_id: int | None
    id_tag: str
    expires: datetime
    group_id_tag: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the reservation as plain data (storage, events, responses)."""
        return {
            "reservation_id": self.reservation_id,
            "charger_id": self.charger_id,
            "connector_id": self.connector_id,
            "id_tag": self.id_tag,
            "expires": self.expires.isoformat(),
            "group_id_tag": self.group_id_tag,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reservation:
        """Read a stored reservation."""
        connector = data.get("connector_id")
        return cls(
            reservation_id=int(data["reservation_id"]),
            charger_id=str(data["charger_id"]),
            connector_id=None if connector is None else int(connector),
            id_tag=str(data["id_tag"]),
            expires=datetime.fromisoformat(data["expires"]),
            group_id_tag=data.get("group_id_tag"),
        )


@dataclass(frozen=True, slots=True)
class FirmwareRequest:
    """Where a charger fetches new firmware, and when; signed where both fields are given."""

    request_id: int
    url: str
    retrieve_at: datetime
    retries: int | None = None
    retry_interval_s: int | None = None
    install_at: datetime | None = None
    signing_certificate: str | None = None
    signature: str | None = None

    @property
    def signed(self) -> bool:
        """Tell whether the request carries a signature (2.x, 1.6 security extension)."""
        return bool(self.signing_certificate and self.signature)


@dataclass(frozen=True, slots=True)
class LogRequest:
    """Where a charger uploads a log, and which part of it."""

    request_id: int
    location: str
    log_type: str  # "diagnostics" or "security"
    retries: int | None = None
    retry_interval_s: int | None = None
    oldest: datetime | None = None
    latest: datetime | None = None


@dataclass(frozen=True, slots=True)
class DisplayMessage:
    """A message for the charger's display (OCPP 2.x)."""

    message_id: int
    text: str
    priority: str = "NormalCycle"  # AlwaysFront, InFront, NormalCycle
    language: str | None = None
    state: str | None = None  # Charging, Faulted, Idle, Unavailable (2.1: Suspended, Discharging)
    start: datetime | None = None
    end: datetime | None = None
    transaction_id: str | None = None
    text_format: str = "UTF8"


@dataclass(frozen=True, slots=True)
class Monitor:
    """A variable monitor (OCPP 2.x): which variable, what kind, the threshold."""

    key: str  # Component[.instance][@evseId]/Variable[.instance]
    kind: str  # UpperThreshold, LowerThreshold, Delta, Periodic, PeriodicClockAligned
    value: float
    severity: int = 8
    monitor_id: int | None = None  # to replace a monitor
    transaction: bool = False


class ChargerOperations(Protocol):
    """What the Home Assistant layer can ask of any charger besides charging.

    Each raises CommandError when the charger refuses, errs or times out,
    InvalidCommand (NotInVersion among them) when the request cannot be put into
    this version's terms.
    """

    async def reserve_now(self, reservation: Reservation) -> CommandOutcome:
        """Hold a connector, or any connector, for a tag until it expires."""

    async def cancel_reservation(self, reservation_id: int) -> CommandOutcome:
        """End a reservation before it expires."""

    async def update_firmware(self, request: FirmwareRequest) -> CommandOutcome:
        """Have the charger fetch and install new firmware."""

    async def upload_logs(self, request: LogRequest) -> str | None:
        """Have the charger upload a log; returns the file name it announces."""

    async def set_display_message(self, message: DisplayMessage) -> CommandOutcome:
        """Show a message on the charger's display."""

    async def get_display_messages(
        self, request_id: int, ids: list[int], priority: str | None, state: str | None
    ) -> Report:
        """Read the display messages (all, or those matching)."""

    async def clear_display_message(self, message_id: int) -> CommandOutcome:
        """Remove a display message."""

    async def set_variable_monitoring(self, monitors: list[Monitor]) -> Report:
        """Install variable monitors; one result per monitor."""

    async def clear_variable_monitoring(self, monitor_ids: list[int]) -> Report:
        """Remove variable monitors by id; one result per id."""

    async def get_monitoring_report(
        self, request_id: int, keys: list[str], criteria: list[str]
    ) -> Report:
        """Read the installed monitors (all, or of these variables / kinds)."""

    async def get_report(self, request_id: int, keys: list[str], criteria: list[str]) -> Report:
        """Read device-model variables (of these keys, or matching the criteria)."""

    async def get_base_report(self, request_id: int, report_base: str) -> Report:
        """Read one of the standard device-model reports."""

    async def get_transaction_status(self, transaction_id: str | None) -> dict[str, Any]:
        """Ask whether a transaction is running and has messages queued."""

    async def customer_information(
        self, request_id: int, report: bool, clear: bool, identifier: dict[str, Any]
    ) -> str:
        """Report (and/or clear) what the charger keeps about a customer."""

    async def get_charging_profiles(
        self, request_id: int, connector_id: int | None, criteria: dict[str, Any]
    ) -> Report:
        """Read the charging profiles installed (read only)."""

    async def get_installed_certificate_ids(self, types: list[str]) -> Report:
        """List the certificates installed (all, or of these types)."""

    async def install_certificate(self, certificate_type: str, certificate: str) -> CommandOutcome:
        """Install a root certificate."""

    async def delete_certificate(self, hash_data: dict[str, Any]) -> CommandOutcome:
        """Delete an installed certificate by its hash data."""

    async def set_default_tariff(self, connector_id: int, tariff: dict[str, Any]) -> CommandOutcome:
        """Give the charger the tariff it shows and charges (OCPP 2.1)."""

    async def get_tariffs(self, connector_id: int) -> Report:
        """Read the tariffs the charger holds (OCPP 2.1)."""

    async def clear_tariffs(self, tariff_ids: list[str], connector_id: int | None) -> Report:
        """Remove tariffs (all, or by id) (OCPP 2.1)."""
