"""Every finished session, kept for reimbursement and billing.

Who charged how much, where and when: one record per session, made when it
ends (also when it ended while Home Assistant was down and the charger reports
it after reconnecting). A session is recorded once: a record of the same
charger and transaction id whose time overlaps one kept already is that session
reported again (a charger replaying its queue); sessions that reuse an id after
a reset never overlap. Records older than the retention go; beyond
``MAX_RECORDS`` the oldest go. Writing is the Home Assistant layer's, in the
background: adding a record only asks for a write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .transaction import Transaction

MAX_RECORDS = 200_000  # about 60 MB of JSON: a block of 100 chargers for years
DEFAULT_RETENTION_DAYS = 730
FIELDS = (
    "charger_id",
    "connector_id",
    "transaction_id",
    "id_tag",
    "authorized_by",
    "started",
    "stopped",
    "energy_kwh",
    "solar_kwh",
    "grid_kwh",
    "solar_share",
    "cost",
    "currency",
    "cost_source",
    "computed_cost",
    "charger_cost",
    "stop_reason",
    "meter_start_wh",
    "meter_stop_wh",
    "anomaly",
)


def record_of(tx: Transaction, currency: str | None) -> dict[str, Any]:
    """Return the history record of an ended session (plain data, as stored)."""
    stopped = tx.stopped or tx.started
    cost, source = tx.preferred_cost()
    return {
        "charger_id": tx.charger_id,
        "connector_id": tx.connector_id,
        "transaction_id": tx.transaction_id,
        "id_tag": tx.id_tag,
        "authorized_by": tx.authorized_by,
        "started": tx.started.isoformat(),
        "stopped": stopped.isoformat(),
        "energy_kwh": None if tx.energy_kwh is None else round(tx.energy_kwh, 4),
        "solar_kwh": round(tx.solar_wh / 1000.0, 4) if tx.solar_share is not None else None,
        "grid_kwh": round(tx.grid_wh / 1000.0, 4) if tx.solar_share is not None else None,
        "solar_share": tx.solar_share,
        "cost": None if cost is None else round(cost, 4),
        "currency": tx.cost_currency(currency),
        "cost_source": source,
        "computed_cost": None if tx.computed_cost is None else round(tx.computed_cost, 4),
        "charger_cost": tx.cost,
        "stop_reason": tx.stop_reason.value if tx.stop_reason else None,
        "meter_start_wh": tx.meter_start_wh,
        "meter_stop_wh": tx.meter_stop_wh if tx.meter_stop_wh is not None else tx.meter_last_wh,
        "anomaly": tx.anomaly,
    }


def _key(record: dict[str, Any]) -> tuple[str, str]:
    return (record["charger_id"], record["transaction_id"])


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["started"] <= b["stopped"] and b["started"] <= a["stopped"])


@dataclass(slots=True, frozen=True)
class SessionQuery:
    """Which sessions: those that ended in [start, end), of these chargers, of this tag."""

    start: datetime | None = None
    end: datetime | None = None
    charger_ids: frozenset[str] | None = None
    id_tag: str | None = None

    def matches(self, record: dict[str, Any]) -> bool:
        """Tell whether the record is one asked for."""
        if self.charger_ids is not None and record["charger_id"] not in self.charger_ids:
            return False
        if self.id_tag is not None and record["id_tag"] != self.id_tag:
            return False
        stopped = datetime.fromisoformat(record["stopped"])
        if self.start is not None and stopped < self.start:
            return False
        return not (self.end is not None and stopped >= self.end)


class SessionHistory:
    """The finished sessions of every charger, oldest first."""

    def __init__(self, save: Callable[[dict[str, Any]], None] = lambda record: None) -> None:
        """Start empty; ``save`` is given each new record to keep."""
        self.save = save
        self.retention = timedelta(days=DEFAULT_RETENTION_DAYS)
        self._records: list[dict[str, Any]] = []
        # charger and transaction id -> the records of it (more than one: a reused id)
        self._keys: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def __len__(self) -> int:
        """Return how many sessions are kept."""
        return len(self._records)

    def load(self, records: Iterable[dict[str, Any]], now: datetime) -> None:
        """Take the stored records (dropping those past the retention)."""
        self._records, self._keys = [], {}
        for record in sorted(records, key=lambda r: r["stopped"]):
            if not self._known(record):
                self._records.append(record)
                self._keys.setdefault(_key(record), []).append(record)
        self.prune(now)

    def _known(self, record: dict[str, Any]) -> bool:
        return any(_overlap(record, kept) for kept in self._keys.get(_key(record), ()))

    def add(self, record: dict[str, Any], now: datetime) -> bool:
        """Keep a finished session; False (nothing kept) when it is recorded already."""
        if self._known(record):
            return False
        self._keys.setdefault(_key(record), []).append(record)
        self._records.append(record)
        if self._records[-1]["stopped"] < self._records[max(0, len(self._records) - 2)]["stopped"]:
            self._records.sort(key=lambda r: r["stopped"])  # reported late: keep the order
        self.prune(now)
        self.save(record)
        return True

    def prune(self, now: datetime) -> None:
        """Drop what is past the retention, and the oldest beyond the bound."""
        cutoff = (now - self.retention).isoformat()
        drop = 0
        while drop < len(self._records) and self._records[drop]["stopped"] < cutoff:
            drop += 1
        drop = max(drop, len(self._records) - MAX_RECORDS)
        if drop > 0:
            for record in self._records[:drop]:
                same = self._keys.get(_key(record), [])
                if record in same:
                    same.remove(record)
                if not same:
                    self._keys.pop(_key(record), None)
            del self._records[:drop]

    def query(self, query: SessionQuery) -> list[dict[str, Any]]:
        """Return the records asked for, oldest first."""
        return [r for r in self._records if query.matches(r)]

    def dump(self) -> list[dict[str, Any]]:
        """Return the records to store (a copy of the list; the records never change)."""
        return list(self._records)


def totals_by_tag(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return sessions, energy and cost per tag (sessions without a tag under "")."""
    totals: dict[str, dict[str, Any]] = {}
    for record in records:
        entry = totals.setdefault(
            record["id_tag"] or "", {"sessions": 0, "energy_kwh": 0.0, "cost": 0.0}
        )
        entry["sessions"] += 1
        entry["energy_kwh"] += record["energy_kwh"] or 0.0
        entry["cost"] += record["cost"] or 0.0
    for entry in totals.values():
        entry["energy_kwh"] = round(entry["energy_kwh"], 3)
        entry["cost"] = round(entry["cost"], 2)
    return totals
