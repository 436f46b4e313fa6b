"""The central system's version-neutral logic.

Chargers, connectors, boot, status and meter values. Sessions are in
sessions.py, tags in tag_decisions.py, persistence in state.py. Adapters call
these methods with already-checked values; the Home Assistant layer wires
persistence and events.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import clock
from .central import CsmsSettings, Emit, Saving
from .charger import PLUGGED_STATUSES, BootStatus, Charger, Connector, ConnectorStatus
from .charger_profiles import profile_for
from .charging_limit import LimitController
from .errors import InvalidInput
from .events import EVENT_CHARGER_BOOTED
from .identity import ChargerIdentity
from .local_list import LocalLists
from .maintenance import Maintenance
from .measurements import ENERGY_IMPORT_REGISTER, SampledValue
from .meter_setup import MeterSetup
from .reservations import Reservations
from .session_history import SessionHistory
from .sessions import Sessions
from .site import SiteState
from .state import StoredState
from .tag_decisions import TagDecisions

_LOGGER = logging.getLogger(__name__)

# Readings of a charging connector are asked for when none came for this long at least.
STALE_AFTER_MIN = timedelta(seconds=60)
# A charger answered Pending retries its boot after this many seconds.
PENDING_RETRY_S = 15


@dataclass(slots=True, frozen=True)
class MeterSample:
    """All sampled values taken at one moment."""

    timestamp: datetime
    values: list[SampledValue]


def utcnow() -> datetime:
    """Return the time now, in UTC."""
    return clock.now()


def is_register(value: SampledValue) -> bool:
    """Tell whether the value is the connector's total imported energy.

    Not a phase, and not the grid side.
    """
    return (
        value.measurand == ENERGY_IMPORT_REGISTER
        and not value.phase
        and value.location in (None, "Outlet")
    )


class Csms:
    """Holds every charger; one instance per Home Assistant."""

    def __init__(self, *, emit: Emit, persistence: Saving | None = None) -> None:
        """Start empty; ``emit`` announces events, ``persistence`` asks for saves."""
        self.emit = emit
        self.persistence = persistence or Saving()
        self.settings = CsmsSettings()
        self.site = SiteState()
        self.tags = TagDecisions(emit)
        self.local_lists = LocalLists(self)
        self.adopted: set[str] = set()
        self.chargers: dict[str, Charger] = {}
        self.stored = StoredState()
        self.sessions = Sessions(self)
        self.limits = LimitController(self)
        self.reservations = Reservations(self)
        self.maintenance = Maintenance(self)
        self.meter_setup = MeterSetup(self)
        self.history = SessionHistory(self._keep_history)
        # Called when a charger that is not adopted boots.
        self.on_discovered: Callable[[Charger], None] = lambda charger: None
        # Called when a car is plugged in (True) or out (False).
        self.on_plug: Callable[[Connector, bool], None] = lambda conn, plugged: None
        # each charger call Home Assistant answered: (charger, action, payload, answer)
        self.forward: (
            Callable[[Charger, str, dict[str, Any], dict[str, Any]], Awaitable[None] | None] | None
        ) = None
        # a second central system that answers the charger: its answer to a call, first
        self.answer_first: (
            Callable[[Charger, str, dict[str, Any]], Awaitable[dict[str, Any] | None]] | None
        ) = None

    # ---------------------------------------------------------- chargers
    def get_charger(self, charger_id: str) -> Charger | None:
        """Return the charger, if it connected or has an entry; never create one."""
        return self.chargers.get(charger_id)

    def attach_charger(self, charger_id: str) -> Charger:
        """Return the charger model for a connection or an entry.

        It is created on first use and restored from storage (connectors, energy,
        limits, open transactions).
        """
        if (charger := self.chargers.get(charger_id)) is not None:
            return charger
        charger = self.chargers[charger_id] = Charger(charger_id)
        self.stored.restore(charger)
        self.apply_profile(charger)  # from the stored boot, until the next one
        self.reservations.restored(charger)
        return charger

    def forget(self, charger_id: str) -> None:
        """Drop a charger that is neither adopted nor connected (an unknown id)."""
        charger = self.chargers.get(charger_id)
        if charger is not None and not charger.connected and not self.is_adopted(charger_id):
            self.stored.set_aside(charger)  # its entry may still be setting up
            self.reservations.forget(charger)
            del self.chargers[charger_id]

    def is_adopted(self, charger_id: str) -> bool:
        """Tell whether the charger has a set-up config entry."""
        return charger_id in self.adopted

    def connector(self, charger: Charger, connector_id: int) -> Connector:
        """Return a connector that may not exist yet (the one way to get one).

        The id is checked (1 to the configured maximum); a new connector is
        persisted and announced.

        Raises InvalidInput for an id that cannot be a connector.
        """
        if (conn := charger.connectors.get(connector_id)) is not None:
            return conn
        if not 1 <= connector_id <= self.settings.max_connectors:
            raise InvalidInput(
                f"connector id {connector_id} is not between 1 and "
                f"{self.settings.max_connectors} (the most this charger may have)"
            )
        conn = charger._add_connector(connector_id)
        self.persistence.soon()
        return conn

    def inventory(self, charger: Charger, evse_ids: set[int]) -> list[int]:
        """Take the EVSEs a whole inventory lists: the connectors it no longer has go.

        A connector with a session or a reservation stays (the inventory may be
        wrong; the session is not). An inventory that lists no EVSE changes nothing.
        """
        if not evse_ids:
            return []
        gone = [
            number
            for number, conn in sorted(charger.connectors.items())
            if number not in evse_ids
            and conn.transaction is None
            and not any(r.connector_id == number for r in charger.reservations.values())
        ]
        for number in gone:
            charger._remove_connector(number)
            _LOGGER.info(
                "%s: connector %s is no longer in its inventory: removed",
                charger.charger_id,
                number,
            )
        if gone:
            self.persistence.soon()
        return gone

    # ---------------------------------------------------------- messages
    def boot(self, charger: Charger, identity: ChargerIdentity) -> BootStatus:
        """Answer a boot: Accepted for adopted chargers, Pending for new ones."""
        old = charger.identity.firmware_version
        charger.identity = identity
        charger.phase_switch_ignored = False  # a reboot: it may switch now
        if old is not None and identity.firmware_version != old:
            charger.new_firmware()  # what worked before may not now
            self.persistence.soon()
        self.apply_profile(charger)
        charger.last_heartbeat = utcnow()
        adopted = self.is_adopted(charger.charger_id)
        status = BootStatus.ACCEPTED if adopted else BootStatus.PENDING
        charger.boot_status = status
        charger.notify()
        if status is BootStatus.PENDING:
            self.on_discovered(charger)
        self.emit(
            EVENT_CHARGER_BOOTED,
            {
                "charger_id": charger.charger_id,
                "vendor": identity.vendor,
                "model": identity.model,
                "firmware_version": identity.firmware_version,
                "status": status.value,
                "protocol": charger.protocol,
            },
        )
        return status

    def _keep_history(self, record: dict[str, Any]) -> None:
        # looked up at each call: the persistence wired in after construction is used
        self.persistence.history(record)

    def charger_ready(self, charger: Charger) -> None:
        """Booted, or reconnected without a boot: its limits and its sampling."""
        self.limits.charger_ready(charger)
        self.meter_setup.charger_ready(charger)

    def apply_profile(self, charger: Charger) -> None:
        """Apply the documented quirks of the charger's firmware, unless turned off."""
        found = profile_for(charger.identity) if charger.profile_enabled else None
        if found is not None and found is not charger.profile:
            _LOGGER.info(
                "%s: applying the charger profile %s (%s)",
                charger.charger_id,
                found.profile_id,
                found.note,
            )
        charger.use_profile(found)

    def boot_interval(self, status: BootStatus) -> int:
        """Return the interval for a boot answer.

        The heartbeat interval once accepted, a quick retry while pending.
        """
        if status is BootStatus.ACCEPTED:
            return self.settings.heartbeat_interval
        return PENDING_RETRY_S

    def heartbeat(self, charger: Charger) -> None:
        """Note a heartbeat."""
        charger.last_heartbeat = utcnow()
        charger.notify()

    def connector_status(
        self,
        charger: Charger,
        connector_id: int,
        status: ConnectorStatus,
        error_code: str | None,
    ) -> None:
        """Apply a status report; connector 0 is the charger itself."""
        if connector_id == 0:
            if (charger.status, charger.error_code) != (status, error_code):
                charger.status, charger.error_code = status, error_code
                charger.notify()
            return
        conn = self.connector(charger, connector_id)
        if conn.status == status and conn.error_code == error_code:
            return
        if status is ConnectorStatus.OCCUPIED and conn.status in PLUGGED_STATUSES:
            return  # 2.x: keep the finer state a TransactionEvent reported
        was_plugged = conn.plugged_in
        conn.status, conn.error_code = status, error_code
        if was_plugged is not None and was_plugged != conn.plugged_in:
            self.on_plug(conn, bool(conn.plugged_in))
        if status in (ConnectorStatus.AVAILABLE, ConnectorStatus.FINISHING):
            conn.measurements.reset_flow()
        conn.notify()
        if charger.status is None:  # the station's status shown follows its connectors
            charger.notify()

    def charging_state(self, charger: Charger, connector_id: int, status: ConnectorStatus) -> None:
        """Apply the state a 2.x TransactionEvent reports (finer than its status)."""
        conn = self.connector(charger, connector_id)
        if conn.status != status:
            conn.status = status
            conn.notify()
            if charger.status is None:
                charger.notify()

    def stale_readings(self, now: datetime) -> list[Connector]:
        """Return the charging connectors whose readings stopped coming.

        Stale: nothing for 3 times the gap between the last two readings (at least
        STALE_AFTER_MIN); each is asked for once until its readings come again.
        """
        stale = []
        for charger in self.chargers.values():
            if not charger.connected:
                continue
            for conn in charger.connectors.values():
                last, gap = conn.reading_at, conn.reading_gap
                if conn.transaction is None or last is None or gap is None:
                    continue
                if now - last > max(3 * gap, STALE_AFTER_MIN) and conn.readings_asked != last:
                    conn.readings_asked = last  # once, until readings come again
                    stale.append(conn)
        return stale

    def next_request_id(self) -> int:
        """Return a 2.x requestId never used before (reports, firmware, logs)."""
        self.stored.request_counter += 1
        self.persistence.soon()
        return self.stored.request_counter

    def next_remote_start_id(self) -> int:
        """Return a new remote start id (2.x remoteStartId), never used before."""
        self.stored.remote_start_counter += 1
        self.persistence.soon()
        return self.stored.remote_start_counter

    def meter_values(
        self,
        charger: Charger,
        connector_id: int,
        transaction_id: str | None,
        samples: list[MeterSample],
    ) -> None:
        """Apply readings of one connector (or, with id 0, of the whole station).

        Those of a known transaction are credited to it, whatever connector id
        came with them.
        """
        tx = self.sessions.find(charger, transaction_id) if transaction_id else None
        if tx is not None:
            connector_id = tx.connector_id
        if connector_id == 0:
            charger.remember("MeterValues", {"connector_id": 0, "samples": len(samples)})
            return
        conn = self.connector(charger, connector_id)
        attached = tx is not None and conn.transaction is None
        if attached:
            conn.transaction = tx
        context = f"{charger.charger_id}/{connector_id}"
        if len(samples) > 1:
            samples = sorted(samples, key=lambda s: s.timestamp)
        for sample in samples:
            for reg in sample.values:
                # one of a message's ten or so values: the other measurands go at once
                if reg.measurand != ENERGY_IMPORT_REGISTER or not is_register(reg):
                    continue
                conn.energy.offer(reg.value, sample.timestamp, context)
                if tx is not None:
                    self.sessions.credit(charger, tx, reg.value, sample.timestamp)
            conn.measurements.apply(sample.values, sample.timestamp)
        now = utcnow()
        if conn.reading_at is not None:
            conn.reading_gap = now - conn.reading_at
        conn.reading_at = now
        self.persistence.readings(charger)  # its energy register and open session
        limit_changed = self.limits.meter_values(conn)
        self.site.readings(conn)
        if attached or limit_changed:
            # more than readings changed: the session shows now, or the limit's check
            conn.notify()
        else:
            conn.notify_readings()

    def session_cost(
        self, charger: Charger, transaction_id: str, cost: float, currency: str | None
    ) -> None:
        """Note the running cost of a session (2.1 costDetails)."""
        tx = self.sessions.find(charger, transaction_id)
        if tx is None or (tx.cost == cost and tx.currency == currency):
            return
        tx.cost, tx.currency = cost, currency or tx.currency
        if (conn := charger.connectors.get(tx.connector_id)) is not None:
            conn.notify()
