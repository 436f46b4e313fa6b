"""The central system's version-neutral logic. Adapters call these methods with
already-translated values; the Home Assistant layer wires persistence and events."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .authorization import AcceptAll, AuthorizationPolicy, AuthStatus
from .charger import (
    PLUGGED_STATUSES,
    Charger,
    ChargerIdentity,
    Connector,
    ConnectorStatus,
    Transaction,
)
from .measurements import ENERGY_IMPORT_REGISTER, SampledValue

_LOGGER = logging.getLogger(__name__)

EVENT_CHARGER_BOOTED = "charger_booted"
EVENT_SESSION_STARTED = "session_started"
EVENT_SESSION_ENDED = "session_ended"
EVENT_TAG_PRESENTED = "tag_presented"

STATE_VERSION = 1
# A charger answered Pending retries its boot after this many seconds.
PENDING_RETRY_S = 15


@dataclass(slots=True, frozen=True)
class MeterSample:
    """All sampled values taken at one moment."""

    timestamp: datetime
    values: list[SampledValue]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Csms:
    """Holds every charger and open transaction; persistence is a plain dict."""

    def __init__(
        self,
        *,
        emit: Callable[[str, dict[str, Any]], None],
        schedule_save: Callable[[], None],
        heartbeat_interval: int = 300,
    ) -> None:
        self._emit = emit
        self._schedule_save = schedule_save
        self.heartbeat_interval = heartbeat_interval
        self.policy: AuthorizationPolicy = AcceptAll()
        self.auto_accept = False  # adopt unknown chargers at their first boot
        self.adopted: set[str] = set()
        self.chargers: dict[str, Charger] = {}
        self.open_transactions: dict[str, Transaction] = {}
        self.tx_counter = 0
        self.remote_start_counter = 0
        self.known_connectors: dict[str, list[int]] = {}
        self.managed_limits: dict[str, dict[str, dict[str, Any]]] = {}
        self._energy: dict[str, dict[str, tuple[float, str]]] = {}
        # Called when a charger that is not adopted boots.
        self.on_discovered: Callable[[Charger], None] = lambda charger: None

    # ---------------------------------------------------------- persistence
    def load(self, data: dict[str, Any] | None) -> None:
        data = data or {}
        self.tx_counter = int(data.get("tx_counter", 0))
        self.remote_start_counter = int(data.get("remote_start_counter", 0))
        self.open_transactions = {
            tx_id: Transaction.from_dict(tx) for tx_id, tx in data.get("transactions", {}).items()
        }
        self.known_connectors = {k: list(v) for k, v in data.get("connectors", {}).items()}
        self.managed_limits = data.get("limits", {})
        self._energy = {
            cid: {k: (v[0], v[1]) for k, v in per.items()}
            for cid, per in data.get("energy", {}).items()
        }

    def dump(self) -> dict[str, Any]:
        energy: dict[str, dict[str, list[Any]]] = {}
        for cid, charger in self.chargers.items():
            for conn in charger.connectors.values():
                reg = conn.energy
                if reg.value_kwh is not None and reg.timestamp is not None:
                    energy.setdefault(cid, {})[str(conn.connector_id)] = [
                        reg.value_kwh,
                        reg.timestamp.isoformat(),
                    ]
        for cid, per in self._energy.items():  # chargers not seen since the restart
            if cid not in self.chargers:
                energy[cid] = {k: [v[0], v[1]] for k, v in per.items()}
        return {
            "version": STATE_VERSION,
            "tx_counter": self.tx_counter,
            "remote_start_counter": self.remote_start_counter,
            "transactions": {k: v.as_dict() for k, v in self.open_transactions.items()},
            "connectors": self.known_connectors,
            "limits": self.managed_limits,
            "energy": energy,
        }

    # ---------------------------------------------------------- chargers
    def charger(self, charger_id: str) -> Charger:
        """The charger model, created on first use and restored from storage."""
        if (charger := self.chargers.get(charger_id)) is not None:
            return charger
        charger = self.chargers[charger_id] = Charger(charger_id)
        for connector_id in self.known_connectors.get(charger_id, []):
            self._restore_connector(charger.connector(connector_id))
        for tx in self.open_transactions.values():
            if tx.charger_id == charger_id:
                conn = self._connector(charger, tx.connector_id)
                conn.transaction = tx
        return charger

    def _restore_connector(self, conn: Connector) -> None:
        saved = self._energy.get(conn.charger.charger_id, {}).get(str(conn.connector_id))
        if saved is not None:
            conn.energy.restore(saved[0], datetime.fromisoformat(saved[1]))
        self._use_default_limit(conn)

    def _use_default_limit(self, conn: Connector) -> None:
        """The limit in force without a session is the managed TxDefault one, if any."""
        default = self.managed_limits.get(conn.charger.charger_id, {}).get(str(conn.connector_id))
        conn.charge_limit = default["limit"] if default else None
        conn.charge_limit_unit = default["unit"] if default else None

    def _connector(self, charger: Charger, connector_id: int) -> Connector:
        known = self.known_connectors.setdefault(charger.charger_id, [])
        if connector_id not in known:
            known.append(connector_id)
            known.sort()
            self._schedule_save()
            conn = charger.connector(connector_id)
            self._restore_connector(conn)
            return conn
        return charger.connector(connector_id)

    def is_adopted(self, charger_id: str) -> bool:
        return charger_id in self.adopted

    # ---------------------------------------------------------- messages
    def boot(self, charger: Charger, identity: ChargerIdentity) -> str:
        """Answer a boot: Accepted for adopted chargers, Pending for new ones."""
        charger.identity = identity
        charger.last_heartbeat = utcnow()
        status = "Accepted" if self.is_adopted(charger.charger_id) else "Pending"
        charger.boot_status = status
        charger.notify()
        if status == "Pending":
            self.on_discovered(charger)
        self._emit(
            EVENT_CHARGER_BOOTED,
            {
                "charger_id": charger.charger_id,
                "vendor": identity.vendor,
                "model": identity.model,
                "firmware_version": identity.firmware_version,
                "status": status,
                "protocol": charger.protocol,
            },
        )
        return status

    def boot_interval(self, status: str) -> int:
        """The interval to put in a boot answer: heartbeats once accepted, a quick
        retry while pending."""
        return self.heartbeat_interval if status == "Accepted" else PENDING_RETRY_S

    def heartbeat(self, charger: Charger) -> None:
        charger.last_heartbeat = utcnow()
        charger.notify()

    def connector_status(
        self,
        charger: Charger,
        connector_id: int,
        status: ConnectorStatus,
        error_code: str | None,
    ) -> None:
        if connector_id == 0:
            charger.status, charger.error_code = status, error_code
            charger.notify()
            return
        conn = self._connector(charger, connector_id)
        if conn.status == status and conn.error_code == error_code:
            return
        if status is ConnectorStatus.OCCUPIED and conn.status in PLUGGED_STATUSES:
            return  # 2.x: keep the finer state a TransactionEvent reported
        conn.status, conn.error_code = status, error_code
        if status in (ConnectorStatus.AVAILABLE, ConnectorStatus.FINISHING):
            conn.measurements.reset_flow()
        conn.notify()

    def ensure_connector(self, charger: Charger, connector_id: int) -> Connector:
        """A connector (EVSE) known from an inventory report, before any status."""
        return self._connector(charger, connector_id)

    def charging_state(self, charger: Charger, connector_id: int, status: ConnectorStatus) -> None:
        """The state a 2.x TransactionEvent reports (finer than its StatusNotification)."""
        conn = self._connector(charger, connector_id)
        if conn.status != status:
            conn.status = status
            conn.notify()

    def session_cost(
        self, charger: Charger, transaction_id: str, cost: float, currency: str | None
    ) -> None:
        tx = self.find_transaction(charger, transaction_id)
        if tx is None or (tx.cost == cost and tx.currency == currency):
            return
        tx.cost, tx.currency = cost, currency or tx.currency
        charger.connector(tx.connector_id).notify()

    def authorize(self, charger: Charger, id_tag: str, context: str) -> AuthStatus:
        status = self.policy.authorize(charger.charger_id, id_tag)
        self._emit(
            EVENT_TAG_PRESENTED,
            {
                "charger_id": charger.charger_id,
                "id_tag": id_tag,
                "status": str(status),
                "context": context,
            },
        )
        return status

    def next_transaction_id(self) -> int:
        self.tx_counter += 1
        self._schedule_save()
        return self.tx_counter

    def next_remote_start_id(self) -> int:
        self.remote_start_counter += 1
        self._schedule_save()
        return self.remote_start_counter

    def start_transaction(
        self,
        charger: Charger,
        connector_id: int,
        transaction_id: str,
        id_tag: str | None,
        meter_start_wh: float | None,
        started: datetime,
        remote_start_id: int | None = None,
    ) -> Transaction:
        conn = self._connector(charger, connector_id)
        if (known := self.open_transactions.get(transaction_id)) is not None:
            conn.transaction = known  # a repeated start (2.x offline replay)
            return known
        tx = Transaction(
            transaction_id=transaction_id,
            charger_id=charger.charger_id,
            connector_id=connector_id,
            id_tag=id_tag,
            started=started,
            meter_start_wh=meter_start_wh,
            meter_last_wh=meter_start_wh,
            remote_start_id=remote_start_id,
        )
        conn.transaction = tx
        self.open_transactions[transaction_id] = tx
        if meter_start_wh is not None:
            conn.energy.offer(meter_start_wh, started, f"{charger.charger_id}/{connector_id}")
        self._schedule_save()
        conn.notify()
        self._emit(
            EVENT_SESSION_STARTED,
            {
                "charger_id": charger.charger_id,
                "connector_id": connector_id,
                "transaction_id": transaction_id,
                "id_tag": id_tag,
                "meter_start_kwh": None if meter_start_wh is None else meter_start_wh / 1000,
            },
        )
        return tx

    def find_transaction(self, charger: Charger, transaction_id: str) -> Transaction | None:
        tx = self.open_transactions.get(transaction_id)
        if tx is not None and tx.charger_id == charger.charger_id:
            return tx
        return None

    def meter_values(
        self,
        charger: Charger,
        connector_id: int,
        transaction_id: str | None,
        samples: list[MeterSample],
    ) -> None:
        tx = self.find_transaction(charger, transaction_id) if transaction_id else None
        if tx is not None:
            connector_id = tx.connector_id  # credit the session, whatever id was sent
        if connector_id == 0 and tx is None:
            charger.remember("MeterValues", {"connector_id": 0, "samples": len(samples)})
            return
        conn = self._connector(charger, connector_id)
        if tx is not None and conn.transaction is None:
            conn.transaction = tx
        context = f"{charger.charger_id}/{connector_id}"
        for sample in sorted(samples, key=lambda s: s.timestamp):
            registers = [
                v
                for v in sample.values
                if v.measurand == ENERGY_IMPORT_REGISTER
                and not v.phase
                and v.location in (None, "Outlet")
            ]
            for reg in registers:
                conn.energy.offer(reg.value, sample.timestamp, context)
                if tx is not None:
                    if tx.meter_start_wh is None:
                        tx.meter_start_wh = reg.value
                    if tx.meter_last_wh is None or reg.value >= tx.meter_last_wh:
                        tx.meter_last_wh = reg.value
            conn.measurements.apply(sample.values, sample.timestamp)
        if tx is not None:
            self._schedule_save()
        conn.notify()

    def stop_transaction(
        self,
        charger: Charger,
        transaction_id: str,
        meter_stop_wh: float | None,
        stopped: datetime,
        reason: str | None,
    ) -> Transaction | None:
        tx = self.open_transactions.pop(transaction_id, None)
        if tx is None or tx.charger_id != charger.charger_id:
            if tx is not None:  # belongs to another charger: put it back
                self.open_transactions[transaction_id] = tx
            _LOGGER.warning(
                "%s: stop for unknown transaction %s", charger.charger_id, transaction_id
            )
            return None
        tx.stopped = stopped
        tx.stop_reason = reason or "Local"
        if meter_stop_wh is not None:
            tx.meter_stop_wh = meter_stop_wh
        conn = self._connector(charger, tx.connector_id)
        if meter_stop_wh is not None:
            conn.energy.offer(meter_stop_wh, stopped, f"{charger.charger_id}/{tx.connector_id}")
        if conn.transaction is tx or conn.transaction is None:
            conn.transaction = None
        conn.last_session = tx
        conn.measurements.reset_flow()
        self._use_default_limit(conn)  # a TxProfile (even a 0 A pause) ended with the session
        self._schedule_save()
        conn.notify()
        self._emit(
            EVENT_SESSION_ENDED,
            {
                "charger_id": charger.charger_id,
                "connector_id": tx.connector_id,
                "transaction_id": transaction_id,
                "id_tag": tx.id_tag,
                "energy_kwh": tx.energy_kwh,
                "duration_s": tx.duration_s(stopped),
                "stop_reason": tx.stop_reason,
            },
        )
        return tx

    # ---------------------------------------------------------- managed limits
    def remember_default_limit(
        self, charger_id: str, connector_id: int, limit: dict | None
    ) -> None:
        per = self.managed_limits.setdefault(charger_id, {})
        if limit is None:
            per.pop(str(connector_id), None)
        else:
            per[str(connector_id)] = limit
        self._schedule_save()
