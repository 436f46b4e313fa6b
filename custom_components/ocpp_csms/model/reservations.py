"""Reservations: a connector, or any connector of a charger, held for a tag.

Made when the charger accepts a ReserveNow; ended when it is used (a session
starts with it), cancelled, expired (our timer, or the charger's 2.x
ReservationStatusUpdate) or removed by the charger. Kept on the charger and
persisted with it; ids come from one persisted counter, so no two reservations
of any charger ever share one.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from . import clock
from .events import EVENT_RESERVATION
from .operations import Reservation

if TYPE_CHECKING:
    from .central import Central
    from .charger import Charger, Connector


class ReservationEnd(StrEnum):
    """Why a reservation ended (the reservation event's type)."""

    USED = "used"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REMOVED = "removed"  # by the charger (2.x ReservationStatusUpdate Removed)


def held_reservation(conn: Connector) -> Reservation | None:
    """Return the reservation that holds the connector: its own, else the charger's."""
    shared = None
    for reservation in conn.charger.reservations.values():
        if reservation.connector_id == conn.connector_id:
            return reservation
        if reservation.connector_id is None:
            shared = reservation
    return shared


class Reservations:
    """Every charger's reservations."""

    def __init__(self, csms: Central) -> None:
        """Work on the central system's chargers."""
        self._csms = csms
        self._timers: dict[tuple[str, int], Callable[[], None]] = {}

    def next_id(self) -> int:
        """Return a reservation id never used before, on any charger."""
        stored = self._csms.stored
        stored.reservation_counter += 1
        self._csms.persistence.now(None)
        return stored.reservation_counter

    def add(self, charger: Charger, reservation: Reservation) -> None:
        """Note a reservation the charger accepted (one with the same id is replaced)."""
        if (old := charger.reservations.get(reservation.reservation_id)) is not None:
            self._disarm(charger, old)
        charger.reservations[reservation.reservation_id] = reservation
        self._arm(charger, reservation)
        self._csms.persistence.now(charger)
        self._announce(charger, reservation, "created")

    def end(self, charger: Charger, reservation_id: int, why: ReservationEnd) -> Reservation | None:
        """End a reservation; None (nothing changed) for an id the charger does not hold."""
        reservation = charger.reservations.pop(reservation_id, None)
        if reservation is None:
            return None
        self._disarm(charger, reservation)
        self._csms.persistence.now(charger)
        self._announce(charger, reservation, why.value)
        return reservation

    def session_started(
        self, charger: Charger, connector_id: int, id_tag: str | None, reservation_id: int | None
    ) -> None:
        """Use the reservation a new session names, or one it fits."""
        if reservation_id is not None and reservation_id in charger.reservations:
            self.end(charger, reservation_id, ReservationEnd.USED)
            return
        for reservation in list(charger.reservations.values()):
            if reservation.connector_id in (None, connector_id) and reservation.id_tag == id_tag:
                self.end(charger, reservation.reservation_id, ReservationEnd.USED)
                return

    def restored(self, charger: Charger) -> None:
        """Arm the timers of a charger's stored reservations; end those already over."""
        now = clock.now()
        for reservation in list(charger.reservations.values()):
            if reservation.expires <= now:
                self.end(charger, reservation.reservation_id, ReservationEnd.EXPIRED)
            else:
                self._arm(charger, reservation)

    def forget(self, charger: Charger) -> None:
        """Cancel a departing charger's timers (its reservations stay stored)."""
        for reservation in charger.reservations.values():
            self._disarm(charger, reservation)

    def shutdown(self) -> None:
        """Cancel every timer (Home Assistant stops; the reservations stay stored)."""
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()

    # ------------------------------------------------------------ internals
    def _arm(self, charger: Charger, reservation: Reservation) -> None:
        key = (charger.charger_id, reservation.reservation_id)

        def expired() -> None:
            self._timers.pop(key, None)
            self.end(charger, reservation.reservation_id, ReservationEnd.EXPIRED)

        self._timers[key] = self._csms.limits.host.call_at(reservation.expires, expired)

    def _disarm(self, charger: Charger, reservation: Reservation) -> None:
        cancel = self._timers.pop((charger.charger_id, reservation.reservation_id), None)
        if cancel is not None:
            cancel()

    def _announce(self, charger: Charger, reservation: Reservation, kind: str) -> None:
        data: dict[str, Any] = {"event": kind, **reservation.as_dict()}
        targets = [
            conn
            for conn in charger.connectors.values()
            if reservation.connector_id in (None, conn.connector_id)
        ]
        for conn in targets:
            conn.reservation_happenings.add(kind, data)
            conn.notify()
        charger.notify()
        self._csms.emit(EVENT_RESERVATION, data)
