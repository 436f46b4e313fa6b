"""What survives a restart, as one plain dict (HA Store writes it as JSON).

The id counters and, per charger, its connectors (energy register, default
limit), its open transactions and the ids of its recently ended ones.

Version 1 kept transactions in one dict keyed by transaction id alone, so two
chargers with the same id met; ``migrate`` moves them under their charger.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .desired_limit import DesiredLimit, LimitValue
from .identity import ChargerIdentity
from .local_entries import SentList
from .operations import Reservation
from .plan_request import PlanRequest
from .transaction import Transaction
from .write_strategy import WriteStrategy

if TYPE_CHECKING:
    from .charger import Charger

_LOGGER = logging.getLogger(__name__)

STATE_VERSION = 2


def migrate(old_version: int, data: dict[str, Any]) -> dict[str, Any]:
    """Bring stored state of an older version to the current layout."""
    if old_version >= STATE_VERSION:
        return data
    chargers: dict[str, dict[str, Any]] = {}

    def record(charger_id: str) -> dict[str, Any]:
        return chargers.setdefault(charger_id, {"connectors": {}, "transactions": {}})

    for charger_id, ids in data.get("connectors", {}).items():
        for connector_id in ids:
            record(charger_id)["connectors"].setdefault(str(connector_id), {})
    for charger_id, per in data.get("energy", {}).items():
        for connector_id, value in per.items():
            record(charger_id)["connectors"].setdefault(connector_id, {})["energy"] = value
    for charger_id, per in data.get("limits", {}).items():
        for connector_id, limit in per.items():
            conn = record(charger_id)["connectors"].setdefault(connector_id, {})
            conn["desired"] = {"cap": limit}  # the one limit version 1 kept
    for tx_id, tx in data.get("transactions", {}).items():
        record(tx["charger_id"])["transactions"][str(tx_id)] = tx
    return {
        "tx_counter": data.get("tx_counter", 0),
        "remote_start_counter": data.get("remote_start_counter", 0),
        "chargers": chargers,
    }


class StoredState:
    """The counters, and the stored records of chargers not attached since loading."""

    def __init__(self) -> None:
        """Start with nothing stored."""
        self.tx_counter = 0
        self.remote_start_counter = 0
        self.reservation_counter = 0
        self.request_counter = 0  # 2.x requestId of reports, firmware and log uploads
        self._records: dict[str, dict[str, Any]] = {}
        # the attached chargers' records as last dumped (see dump's ``only``)
        self._dumped: dict[str, dict[str, Any]] = {}

    def load(self, data: dict[str, Any] | None) -> None:
        """Take what storage gave (None: a new installation)."""
        data = data or {}
        self.tx_counter = int(data.get("tx_counter", 0))
        self.remote_start_counter = int(data.get("remote_start_counter", 0))
        self.reservation_counter = int(data.get("reservation_counter", 0))
        self.request_counter = int(data.get("request_counter", 0))
        self._records = dict(data.get("chargers", {}))

    def open_transactions(self) -> int:
        """Return the number of open sessions of chargers not attached yet."""
        return sum(len(r.get("transactions", {})) for r in self._records.values())

    def restore(self, charger: Charger) -> None:
        """Give a newly attached charger what was stored for it."""
        record = self._records.pop(charger.charger_id, None)
        if not record:
            return
        for key, saved in sorted(record.get("connectors", {}).items(), key=lambda i: int(i[0])):
            if int(key) < 1:
                continue
            conn = charger._add_connector(int(key))
            if energy := saved.get("energy"):
                conn.energy.restore(energy[0], datetime.fromisoformat(energy[1]))
            if desired := saved.get("desired"):
                conn.desired = DesiredLimit.from_dict(desired)
            if request := saved.get("plan_request"):
                conn.plan_request = PlanRequest.from_dict(request)
            if last := saved.get("last_session"):
                conn.last_session = Transaction.from_dict(last)
        for tx_id, saved in record.get("transactions", {}).items():
            tx = Transaction.from_dict(saved)
            charger.transactions[tx_id] = tx
            if tx.connector_id >= 1:
                conn = charger.connectors.get(tx.connector_id) or charger._add_connector(
                    tx.connector_id
                )
                conn.transaction = tx
        charger.ended_transactions = list(record.get("ended", []))
        if strategy := record.get("limit_strategy"):
            charger.limit_strategy = WriteStrategy.from_dict(strategy)
        charger.firmware_status = record.get("firmware_status")
        if identity := record.get("identity"):  # its profile applies before it boots again
            charger.identity = ChargerIdentity(**identity)
        charger.sampling_set_for = record.get("sampling_set_for")
        if station := record.get("station_limit"):
            charger.station_limit = LimitValue.from_dict(station)
        charger.local_list = SentList.from_dict(record.get("local_list"))
        for saved in record.get("reservations", []):
            reservation = Reservation.from_dict(saved)
            charger.reservations[reservation.reservation_id] = reservation

    def set_aside(self, charger: Charger) -> None:
        """Keep what a charger that leaves memory has, for its next restore."""
        record = record_of_charger(charger)
        if any(record["connectors"].values()) or record["transactions"] or record["reservations"]:
            self._records[charger.charger_id] = record

    def dump(self, chargers: dict[str, Charger], only: set[str] | None = None) -> dict[str, Any]:
        """Return everything to store: the attached chargers and those set aside.

        With ``only``, just those chargers' records are made anew and the others
        are as last dumped (a fleet's meter values change one charger at a time;
        remaking a thousand records each time makes garbage the collector pays
        for). None remakes every record.
        """
        if only is None:
            self._dumped = {charger_id: record_of_charger(c) for charger_id, c in chargers.items()}
        else:
            for gone in self._dumped.keys() - chargers.keys():
                del self._dumped[gone]
            for charger_id in only | (chargers.keys() - self._dumped.keys()):
                if (charger := chargers.get(charger_id)) is not None:
                    self._dumped[charger_id] = record_of_charger(charger)
        records = dict(self._records)  # chargers not seen since the restart
        records.update(self._dumped)
        return {**self.counters(), "chargers": records}

    def counters(self) -> dict[str, int]:
        """Return the id counters, as stored."""
        return {
            "tx_counter": self.tx_counter,
            "remote_start_counter": self.remote_start_counter,
            "reservation_counter": self.reservation_counter,
            "request_counter": self.request_counter,
        }


def record_of_charger(charger: Charger) -> dict[str, Any]:
    """Return what is stored of one charger (plain data)."""
    connectors: dict[str, dict[str, Any]] = {}
    for connector_id, conn in charger.connectors.items():
        saved: dict[str, Any] = {}
        reg = conn.energy
        if reg.value_kwh is not None and reg.timestamp is not None:
            saved["energy"] = [reg.value_kwh, reg.timestamp.isoformat()]
        if not conn.desired.empty:
            saved["desired"] = conn.desired.as_dict()
        if conn.plan_request is not None:
            saved["plan_request"] = conn.plan_request.as_dict()
        if conn.last_session is not None and conn.last_session.stopped is not None:
            saved["last_session"] = conn.last_session.as_dict()  # shown until the next
        connectors[str(connector_id)] = saved
    return {
        "connectors": connectors,
        "transactions": {k: tx.as_dict() for k, tx in charger.transactions.items()},
        "ended": list(charger.ended_transactions),
        "limit_strategy": charger.limit_strategy.as_dict(),
        "station_limit": charger.station_limit.as_dict() if charger.station_limit else None,
        "local_list": charger.local_list.as_dict(),
        "reservations": [r.as_dict() for r in charger.reservations.values()],
        "firmware_status": charger.firmware_status,
        "sampling_set_for": charger.sampling_set_for,
        "identity": {k: v for k, v in asdict(charger.identity).items() if v is not None},
    }
