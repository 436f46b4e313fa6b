"""Charging sessions: start, energy credited, stop.

Transactions belong to their charger, so two chargers using the same
transaction id never meet.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import clock
from .energy import plausible_step
from .events import EVENT_SESSION_ENDED, EVENT_SESSION_STARTED
from .session_cost import credit_cost, start_costing
from .session_history import record_of
from .transaction import ANOMALY_METER_STOP_BELOW_START, StopReason, Transaction

if TYPE_CHECKING:
    from .central import Central
    from .charger import Charger, Connector

# How many ended transaction ids each charger remembers, to ignore late events.
ENDED_KEPT = 50
ANOMALY_METER_STOP_IMPLAUSIBLE = "meter_stop_implausible"
ANOMALY_SESSION_READING = "session_reading_implausible"


class Sessions:
    """Every charger's sessions, kept on the chargers themselves."""

    def __init__(self, csms: Central) -> None:
        """Work on the central system's chargers."""
        self._csms = csms

    def find(self, charger: Charger, transaction_id: str) -> Transaction | None:
        """Return the charger's open session with this id."""
        return charger.transactions.get(transaction_id)

    def has_ended(self, charger: Charger, transaction_id: str) -> bool:
        """Tell whether the charger's session with this id ended recently."""
        return transaction_id in charger.ended_transactions

    def next_transaction_id(self) -> int:
        """Return a CSMS-assigned id (1.6): unique across every charger."""
        stored = self._csms.stored
        stored.tx_counter += 1
        self._csms.persistence.now(None)
        return stored.tx_counter

    # ------------------------------------------------------------ start
    def start(
        self,
        charger: Charger,
        connector_id: int,
        transaction_id: str,
        id_tag: str | None,
        meter_start_wh: float | None,
        started: datetime,
        remote_start_id: int | None = None,
        reservation_id: int | None = None,
    ) -> Transaction:
        """Start a session (or, for 2.x, note one first seen); repeated starts are one."""
        conn = self._csms.connector(charger, connector_id)
        if meter_start_wh is not None and meter_start_wh < 0:  # no import register is
            charger.count_anomaly(
                "negative_meter_start", f"meter start {meter_start_wh} Wh taken as unknown"
            )
            meter_start_wh = None
        if (known := charger.transactions.get(transaction_id)) is not None:
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
            meter_last_at=started if meter_start_wh is not None else None,
            remote_start_id=remote_start_id,
            authorized_by=_authorized_by(charger, id_tag),
        )
        conn.transaction = charger.transactions[transaction_id] = tx
        start_costing(tx, charger.price)
        if meter_start_wh is not None:
            conn.energy.offer(meter_start_wh, started, f"{charger.charger_id}/{connector_id}")
        self._csms.reservations.session_started(charger, connector_id, id_tag, reservation_id)
        self._csms.persistence.now(charger)
        event = _started_event(tx)
        conn.session_happenings.add("started", event)
        conn.notify()
        self._csms.emit(EVENT_SESSION_STARTED, event)
        return tx

    def set_token(self, charger: Charger, tx: Transaction, id_tag: str) -> None:
        """Give a 2.x session the idToken it learnt after it started."""
        if tx.id_tag is None:
            tx.id_tag = id_tag
            tx.authorized_by = tx.authorized_by or _authorized_by(charger, id_tag)
            self._csms.persistence.soon()

    # ------------------------------------------------------------ energy
    def credit(self, charger: Charger, tx: Transaction, wh: float, at: datetime) -> None:
        """Credit a register reading to the session.

        The same rule as the connector's register, applied to the session's own
        last reading.
        """
        if tx.meter_start_wh is None:
            tx.meter_start_wh = tx.meter_last_wh = wh
            tx.meter_last_at = at
            start_costing(tx, charger.price)
            if tx.cost_mark_wh is None:
                tx.cost_mark_wh = wh
            return
        last_at = tx.meter_last_at or tx.started
        if plausible_step(tx.meter_last_wh, last_at, wh, at, charger.max_power_w):
            conn = charger.connectors.get(tx.connector_id)
            fraction = conn.solar_fraction if conn is not None else None
            if tx.meter_last_wh is not None:
                tx.split(wh - tx.meter_last_wh, fraction)
            tx.meter_last_wh, tx.meter_last_at = wh, max(at, last_at)
            credit_cost(tx, charger.price, fraction, self._csms.site.feed_in_price)
        elif tx.meter_last_wh is None or wh != tx.meter_last_wh:
            charger.count_anomaly(
                ANOMALY_SESSION_READING,
                f"session {tx.transaction_id}: reading {wh} Wh ignored "
                f"(last {tx.meter_last_wh} Wh)",
            )

    # ------------------------------------------------------------ stop
    def stop(
        self,
        charger: Charger,
        transaction_id: str,
        meter_stop_wh: float | None,
        stopped: datetime,
        reason: StopReason,
        precision_wh: float = 0.0,
    ) -> Transaction | None:
        """End the session; None (and nothing changed) for an unknown id.

        ``precision_wh``: how coarse the message's meter stop is (1.6: whole Wh); a
        stop that far below the last reading is that reading, rounded.
        """
        tx = charger.transactions.pop(transaction_id, None) or self._its_own_id(
            charger, transaction_id
        )
        if tx is None:
            charger.count_anomaly(
                "unknown_transaction", f"stop for unknown transaction {transaction_id}"
            )
            return None
        tx.stopped, tx.stop_reason = stopped, reason
        last = tx.meter_last_wh
        if (
            meter_stop_wh is not None
            and last is not None
            and last - precision_wh < meter_stop_wh < last
        ):
            meter_stop_wh = last  # the same reading, rounded down
        conn = self._csms.connector(charger, tx.connector_id)
        self._take_meter_stop(charger, tx, meter_stop_wh, stopped)
        if tx.meter_stop_wh is not None and last is not None:
            tx.split(tx.meter_stop_wh - last, conn.solar_fraction)
        credit_cost(tx, charger.price, conn.solar_fraction, self._csms.site.feed_in_price)
        if meter_stop_wh is not None and tx.anomaly is None:
            conn.energy.offer(meter_stop_wh, stopped, f"{charger.charger_id}/{tx.connector_id}")
        self._close_on_connector(conn, tx)
        charger.ended_transactions.append(tx.transaction_id)
        del charger.ended_transactions[:-ENDED_KEPT]
        self._csms.persistence.now(charger)
        self._csms.history.add(record_of(tx, self._csms.settings.currency), clock.now())
        event = _ended_event(tx, stopped)
        conn.session_happenings.add("ended", event)
        conn.notify()
        self._csms.emit(EVENT_SESSION_ENDED, event)
        self._csms.limits.session_ended(conn)
        return tx

    @staticmethod
    def _its_own_id(charger: Charger, transaction_id: str) -> Transaction | None:
        """Return the one open session, for a charger known to keep its own ids (its profile)."""
        if charger.profile is None or not charger.profile.own_transaction_ids:
            return None
        if len(charger.transactions) != 1:
            return None  # which one it meant cannot be told
        ours, tx = next(iter(charger.transactions.items()))
        charger.count_anomaly(
            "own_transaction_id", f"stop for its own id {transaction_id}, taken as ours {ours}"
        )
        del charger.transactions[ours]
        return tx

    def _take_meter_stop(
        self, charger: Charger, tx: Transaction, wh: float | None, at: datetime
    ) -> None:
        if wh is None:
            return
        if tx.meter_start_wh is not None and wh < tx.meter_start_wh:
            tx.anomaly = ANOMALY_METER_STOP_BELOW_START
            charger.count_anomaly(
                tx.anomaly,
                f"session {tx.transaction_id}: meter stop {wh} Wh is below its "
                f"meter start {tx.meter_start_wh} Wh",
            )
            return
        last_at = tx.meter_last_at or tx.started
        if not plausible_step(tx.meter_last_wh, last_at, wh, at, charger.max_power_w):
            tx.anomaly = ANOMALY_METER_STOP_IMPLAUSIBLE
            charger.count_anomaly(
                tx.anomaly,
                f"session {tx.transaction_id}: meter stop {wh} Wh ignored "
                f"(last {tx.meter_last_wh} Wh)",
            )
            return
        tx.meter_stop_wh = wh

    @staticmethod
    def _close_on_connector(conn: Connector, tx: Transaction) -> None:
        if conn.transaction is tx or conn.transaction is None:
            conn.transaction = None
        conn.last_session = tx
        conn.measurements.reset_flow()


def _authorized_by(charger: Charger, id_tag: str | None) -> str | None:
    """Return "upstream" where the second central system accepted or started the session."""
    if id_tag is not None and id_tag in charger.upstream_starts:
        charger.upstream_starts.discard(id_tag)
        return "upstream"
    decision = charger.last_tag
    if decision is None or id_tag is None or decision.decided_by != "upstream":
        return None
    if not decision.accepted:
        return None
    return "upstream" if decision.id_tag.casefold() == id_tag.casefold() else None


def _started_event(tx: Transaction) -> dict[str, Any]:
    return {
        "charger_id": tx.charger_id,
        "connector_id": tx.connector_id,
        "transaction_id": tx.transaction_id,
        "id_tag": tx.id_tag,
        "authorized_by": tx.authorized_by,
        "meter_start_kwh": None if tx.meter_start_wh is None else tx.meter_start_wh / 1000,
    }


def _ended_event(tx: Transaction, stopped: datetime) -> dict[str, Any]:
    return {
        "charger_id": tx.charger_id,
        "connector_id": tx.connector_id,
        "transaction_id": tx.transaction_id,
        "id_tag": tx.id_tag,
        "authorized_by": tx.authorized_by,
        "energy_kwh": tx.energy_kwh,
        "duration_s": tx.duration_s(stopped),
        "stop_reason": tx.stop_reason.value if tx.stop_reason else None,
        "cost": tx.preferred_cost()[0],
        "anomaly": tx.anomaly,
    }
