"""Charger, connector and transaction: the state every OCPP version maps onto."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .energy import EnergyRegister
from .measurements import Measurements

if TYPE_CHECKING:
    from .commands import ChargerCommands

Listener = Callable[[], None]


class ConnectorStatus(StrEnum):
    """Union of the 1.6 ChargePointStatus and the 2.x ConnectorStatus values."""

    AVAILABLE = "available"
    PREPARING = "preparing"
    CHARGING = "charging"
    SUSPENDED_EV = "suspended_ev"
    SUSPENDED_EVSE = "suspended_evse"
    FINISHING = "finishing"
    RESERVED = "reserved"
    UNAVAILABLE = "unavailable"
    FAULTED = "faulted"
    OCCUPIED = "occupied"


PLUGGED_STATUSES = {
    ConnectorStatus.PREPARING,
    ConnectorStatus.CHARGING,
    ConnectorStatus.SUSPENDED_EV,
    ConnectorStatus.SUSPENDED_EVSE,
    ConnectorStatus.FINISHING,
    ConnectorStatus.OCCUPIED,
}


class _Observable:
    """Per-object listeners: a message wakes only the entities of its own object."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def notify(self) -> None:
        for listener in tuple(self._listeners):
            listener()


@dataclass(slots=True)
class Transaction:
    """One charging session."""

    transaction_id: str
    charger_id: str
    connector_id: int
    id_tag: str | None
    started: datetime
    meter_start_wh: float | None = None
    meter_stop_wh: float | None = None
    meter_last_wh: float | None = None
    stopped: datetime | None = None
    stop_reason: str | None = None
    remote_start_id: int | None = None
    cost: float | None = None
    currency: str | None = None

    @property
    def energy_kwh(self) -> float | None:
        end = self.meter_stop_wh if self.meter_stop_wh is not None else self.meter_last_wh
        if end is None or self.meter_start_wh is None:
            return None
        return max(0.0, (end - self.meter_start_wh) / 1000.0)

    def duration_s(self, now: datetime) -> float:
        return max(0.0, ((self.stopped or now) - self.started).total_seconds())

    def as_dict(self) -> dict[str, Any]:
        return {
            "transaction_id": self.transaction_id,
            "charger_id": self.charger_id,
            "connector_id": self.connector_id,
            "id_tag": self.id_tag,
            "started": self.started.isoformat(),
            "meter_start_wh": self.meter_start_wh,
            "meter_last_wh": self.meter_last_wh,
            "remote_start_id": self.remote_start_id,
            "cost": self.cost,
            "currency": self.currency,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transaction:
        return cls(
            transaction_id=data["transaction_id"],
            charger_id=data["charger_id"],
            connector_id=data["connector_id"],
            id_tag=data.get("id_tag"),
            started=datetime.fromisoformat(data["started"]),
            meter_start_wh=data.get("meter_start_wh"),
            meter_last_wh=data.get("meter_last_wh"),
            remote_start_id=data.get("remote_start_id"),
            cost=data.get("cost"),
            currency=data.get("currency"),
        )


class Connector(_Observable):
    """A connector (1.6) or EVSE (2.x) that can charge one vehicle."""

    def __init__(self, charger: Charger, connector_id: int) -> None:
        super().__init__()
        self.charger = charger
        self.connector_id = connector_id
        self.status: ConnectorStatus | None = None
        self.error_code: str | None = None
        self.measurements = Measurements()
        self.energy = EnergyRegister(charger.max_power_w)
        self.transaction: Transaction | None = None
        self.last_session: Transaction | None = None
        self.charge_limit: float | None = None  # in force, as last sent
        self.charge_limit_unit: str | None = None

    @property
    def plugged_in(self) -> bool | None:
        if self.status is None:
            return None
        return self.status in PLUGGED_STATUSES or self.transaction is not None

    @property
    def charging(self) -> bool:
        return self.status == ConnectorStatus.CHARGING

    @property
    def session(self) -> Transaction | None:
        """The running session, else the last one."""
        return self.transaction or self.last_session


@dataclass(slots=True)
class ChargerIdentity:
    vendor: str | None = None
    model: str | None = None
    serial_number: str | None = None
    firmware_version: str | None = None
    meter_type: str | None = None
    meter_serial_number: str | None = None


@dataclass(slots=True)
class Capabilities:
    """What the charger told us it can do; filled by the adapter."""

    smart_charging: bool = True
    charging_rate_units: tuple[str, ...] = ("A", "W")
    max_profile_stack_level: int | None = None
    bidirectional: bool = False


class Charger(_Observable):
    """One charging station."""

    def __init__(self, charger_id: str, max_power_w: float = 350_000.0) -> None:
        super().__init__()
        self.charger_id = charger_id
        self.max_power_w = max_power_w
        self.identity = ChargerIdentity()
        self.capabilities = Capabilities()
        self.protocol: str | None = None
        self.connected = False
        self.boot_status: str | None = None  # Accepted / Pending as last answered
        self.last_heartbeat: datetime | None = None
        self.status: ConnectorStatus | None = None
        self.error_code: str | None = None
        self.firmware_status: str | None = None
        self.diagnostics_status: str | None = None
        self.connectors: dict[int, Connector] = {}
        self.commands: ChargerCommands | None = None
        # Configuration as last read or reported: key -> value, and the read-only keys.
        # 2.x keys are written Component[.instance][@evseId]/Variable[.instance].
        self.configuration: dict[str, str | None] = {}
        self.readonly_keys: set[str] = set()
        # Data kept for the diagnostics download (data transfers, security events...).
        self.recent_messages: list[dict[str, Any]] = []
        self._connector_added: list[Callable[[Connector], None]] = []

    def on_connector_added(self, cb: Callable[[Connector], None]) -> Callable[[], None]:
        self._connector_added.append(cb)
        return lambda: self._connector_added.remove(cb)

    def connector(self, connector_id: int) -> Connector:
        """Return the connector, creating (and announcing) it on first sight."""
        if (conn := self.connectors.get(connector_id)) is None:
            conn = self.connectors[connector_id] = Connector(self, connector_id)
            for cb in tuple(self._connector_added):
                cb(conn)
        return conn

    def set_connected(self, connected: bool) -> None:
        if self.connected == connected:
            return
        self.connected = connected
        if not connected:
            self.commands = None
        self.notify()
        for conn in self.connectors.values():
            conn.notify()

    def reset_protocol_state(self) -> None:
        """Forget what only made sense in the previous protocol version (its
        configuration keys and capabilities); sessions, energy and entities stay."""
        self.capabilities = Capabilities()
        self.configuration.clear()
        self.readonly_keys.clear()

    def remember(self, kind: str, payload: dict[str, Any], limit: int = 50) -> None:
        """Keep a charger message no entity shows, for diagnostics."""
        self.recent_messages.append({"kind": kind, "payload": payload})
        del self.recent_messages[:-limit]
