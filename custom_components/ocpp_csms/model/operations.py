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
from typing import Any

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


@dataclass(frozen=True, slots=True)
class CertificateHash:
    """What identifies an installed certificate."""

    hash_algorithm: str  # SHA256, SHA384, SHA512
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str


@dataclass(frozen=True, slots=True)
class Tariff:
    """A tariff of one energy price, as a charger shows and charges it (OCPP 2.1)."""

    tariff_id: str
    currency: str
    price_kwh: float

    @classmethod
    def of(cls, price: float, currency: str, tariff_id: str | None = None) -> Tariff:
        """Return the tariff of a price; its id names the price unless given."""
        return cls(tariff_id or f"ha-{price:g}-{currency}"[:60], currency, price)

    def as_dict(self) -> dict[str, Any]:
        """Return the tariff as an action answers it."""
        return {
            "tariff_id": self.tariff_id,
            "currency": self.currency,
            "price_kwh": self.price_kwh,
        }
