"""Charger and connector: the state every OCPP version maps onto.

Adapters change it through methods (of these classes or of the Csms), never by
writing fields.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any

from .desired_limit import DesiredLimit, LimitValue
from .diagnostics_log import DiagnosticsLog
from .energy import EnergyRegister
from .errors import ChargerOffline
from .events import Happenings
from .identity import Capabilities, ChargerIdentity
from .local_entries import SentList
from .measurements import Measurements
from .transaction import Transaction
from .write_strategy import WriteStrategy

if TYPE_CHECKING:
    from .authorization import TagDecision
    from .charger_profiles import ChargerProfile
    from .limit_check import LimitWatch
    from .operations import Reservation
    from .plan_request import PlanRequest
    from .port import ChargerCommands
    from .price_plan import Plan
    from .session_cost import PriceSource

_LOGGER = logging.getLogger(__name__)

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


class BootStatus(StrEnum):
    """The answer to a charger's boot (the same words in every OCPP version)."""

    ACCEPTED = "Accepted"
    PENDING = "Pending"
    REJECTED = "Rejected"


class PasswordState(StrEnum):
    """Whether the charger logs in with the password Home Assistant holds for it."""

    NONE = "none"  # it has none: it is let in without
    WAITING = "waiting"  # sent to it; its old access holds until it logs in with it
    NOT_TAKEN = "not_taken"  # it refused it or came in without: enter it by hand
    REQUIRED = "required"  # only its password lets it in


class _Observable:
    """Per-object listeners: a message wakes only the entities of its own object.

    A listener that shows nothing of the meter readings says so, and is not woken
    by a message that brought only readings (``notify_readings``).
    """

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._readers: list[Listener] = []
        # counts the messages of readings, so that what they wake can tell them apart
        self.readings_seq = 0

    def add_listener(
        self, listener: Listener, on_readings: Listener | None = None
    ) -> Callable[[], None]:
        """Call ``listener`` on every change, ``on_readings`` (if given) on readings alone."""
        self._listeners.append(listener)
        if on_readings is not None:
            self._readers.append(on_readings)
        # a partial, not a closure: one of these per entity, kept as long as it lives
        return partial(self._remove_listener, listener, on_readings)

    def _remove_listener(self, listener: Listener, on_readings: Listener | None) -> None:
        self._listeners.remove(listener)
        if on_readings is not None:
            self._readers.remove(on_readings)

    def notify(self) -> None:
        for listener in tuple(self._listeners):
            listener()

    def notify_readings(self) -> None:
        """Wake the listeners that show readings (measurements, energy, the limit check)."""
        self.readings_seq += 1
        for listener in tuple(self._readers):
            listener()


class Connector(_Observable):
    """A connector (1.6) or EVSE (2.x) that can charge one vehicle.

    Created only by ``Csms.connector``, which checks the id and persists it.
    """

    def __init__(self, charger: Charger, connector_id: int) -> None:
        """Start with nothing known but the id."""
        super().__init__()
        self.charger = charger
        self.connector_id = connector_id
        self.status: ConnectorStatus | None = None
        self.error_code: str | None = None
        self.measurements = Measurements()
        self.energy = EnergyRegister(charger.max_power_w)
        self.transaction: Transaction | None = None
        self.last_session: Transaction | None = None
        # a session the charger ended itself while it was paused (0 A): resuming
        # starts it again (NEcharge, Huawei, EN+, Delta, go-e do this)
        self.ended_in_pause: Transaction | None = None
        # when readings last came (our clock), the gap before them, and the last
        # readings after which fresh ones were asked for (gone stale in a session)
        self.reading_at: datetime | None = None
        self.reading_gap: timedelta | None = None
        self.readings_asked: datetime | None = None
        self.desired = DesiredLimit()  # what Home Assistant wants (persisted)
        self.charge_limit: LimitValue | None = None  # as the charger last accepted it
        self.watch: LimitWatch | None = None  # whether the charger follows it
        # the share of its draw the surplus covers now (the site's; None: not known)
        self.solar_fraction: float | None = None
        # A standing charging plan (plan_charging): what was asked (persisted), and
        # the plan made from it (made again when prices change).
        self.plan_request: PlanRequest | None = None
        self.plan: Plan | None = None
        # Session starts and ends, and reservations made and ended (the session and
        # reservation event entities fire once for each).
        self.session_happenings = Happenings()
        self.reservation_happenings = Happenings()

    @property
    def plugged_in(self) -> bool | None:
        """Tell whether a car is plugged in; None while the status is unknown."""
        if self.status is None:
            return None
        return self.status in PLUGGED_STATUSES or self.transaction is not None

    @property
    def charging(self) -> bool:
        """Tell whether the connector is charging."""
        return self.status == ConnectorStatus.CHARGING

    @property
    def session(self) -> Transaction | None:
        """The running session, else the last one."""
        return self.transaction or self.last_session


class Charger(_Observable):
    """One charging station: its connectors and its open transactions."""

    def __init__(self, charger_id: str, max_power_w: float = 350_000.0) -> None:
        """Start with nothing known but the id and the most power it may deliver."""
        super().__init__()
        self.charger_id = charger_id
        self.max_power_w = max_power_w
        self.identity = ChargerIdentity()
        self.capabilities = Capabilities()
        self.protocol: str | None = None
        self.connected = False
        self.boot_status: BootStatus | None = None  # as last answered
        self.last_heartbeat: datetime | None = None
        self.status: ConnectorStatus | None = None
        self.error_code: str | None = None
        self.status_asked_at: float | None = None  # unknown statuses last asked (monotonic)
        self.firmware_status: str | None = None  # snake case (maintenance.py)
        self.diagnostics_status: str | None = None  # the last log upload's status
        self.password_state: PasswordState | None = None  # as Home Assistant's entry says
        # it kept drawing on three phases when asked for one: not asked again until it boots
        self.phase_switch_ignored = False
        # its phase rotation (phase_rotation.py): as reported, by connector (0: all),
        # and as the charger's options set it (that wins)
        self.phase_rotations: dict[int, str] = {}
        # tags a second central system started a session with (remote start, relayed)
        self.upstream_starts: set[str] = set()
        self.phase_rotation_set: str | None = None
        self.firmware_happenings = Happenings()
        self.log_happenings = Happenings()
        self.monitor_happenings = Happenings()
        self.monitor_severity: dict[int, int] = {}  # 2.x variable monitors, by id
        self.connectors: dict[int, Connector] = {}  # read-only outside the model
        # Open transactions by the charger's (or, for 1.6, our) transaction id.
        self.transactions: dict[str, Transaction] = {}
        # Ids of recently ended transactions: late events for them change nothing.
        self.ended_transactions: list[str] = []
        self.commands: ChargerCommands | None = None
        # Smart charging: the way of writing profiles that worked, the installer's
        # ceiling, and whether the charger tells its composite schedule.
        self.limit_strategy = WriteStrategy()
        self.strategy_candidate: WriteStrategy | None = None  # worked once, not yet twice
        self.station_limit: LimitValue | None = None
        self.composite_supported: bool | None = None
        self.schedule_upload: bool | None = None  # False: took one period only
        # Configuration as last read or reported: key -> value, and the read-only keys.
        # 2.x keys are written Component[.instance][@evseId]/Variable[.instance].
        self.configuration: dict[str, str | None] = {}
        self.readonly_keys: set[str] = set()
        self.diagnostics = DiagnosticsLog()
        # Input refused or repaired, by kind: counted, logged once per kind.
        self.anomalies: dict[str, int] = {}
        # The last tag decision on this charger, and how many there were (the tag
        # event entity fires once for each).
        self.last_tag: TagDecision | None = None
        self.tag_decisions = 0
        self.local_list = SentList()  # the local authorization list it was sent
        self.reservations: dict[int, Reservation] = {}  # accepted and not over, by id
        # The price per kWh sessions are costed at (the charger's options); None: no cost.
        self.price: PriceSource | None = None
        # the documented quirks of its firmware (data/charger_profiles.json), if any
        self.profile: ChargerProfile | None = None
        self.profile_enabled = True  # the charger's options can turn it off
        # the firmware whose meter sampling was set (model/meter_setup.py; persisted)
        self.sampling_set_for: str | None = None
        self._connector_added: list[Callable[[Connector], None]] = []
        self._connector_removed: list[Callable[[Connector], None]] = []

    @property
    def shown_status(self) -> ConnectorStatus | None:
        """Return the station's status: as reported, else as its connectors show it.

        Many chargers never report their own (1.6 connector 0, 2.x AvailabilityState):
        then all connectors unavailable (or faulted) make the station so, and any
        other known connector state, on a live connection, makes it available.
        """
        if self.status is not None:
            return self.status
        known = [c.status for c in self.connectors.values() if c.status is not None]
        if not self.connected or not known:
            return None
        for every in (ConnectorStatus.UNAVAILABLE, ConnectorStatus.FAULTED):
            if all(status is every for status in known):
                return every
        return ConnectorStatus.AVAILABLE

    def new_firmware(self) -> None:
        """Forget what was learnt of the old firmware's smart charging."""
        self.limit_strategy, self.strategy_candidate = WriteStrategy(), None
        self.composite_supported = self.schedule_upload = None

    def on_connector_added(self, cb: Callable[[Connector], None]) -> Callable[[], None]:
        """Call ``cb`` with each connector that appears; returns the way to stop."""
        self._connector_added.append(cb)
        return lambda: self._connector_added.remove(cb)

    def on_connector_removed(self, cb: Callable[[Connector], None]) -> Callable[[], None]:
        """Call ``cb`` with each connector the charger no longer has."""
        self._connector_removed.append(cb)
        return lambda: self._connector_removed.remove(cb)

    def _remove_connector(self, connector_id: int) -> None:
        """Drop and announce a connector; only ``Csms.inventory`` calls this."""
        conn = self.connectors.pop(connector_id)
        for cb in tuple(self._connector_removed):
            cb(conn)

    def _add_connector(self, connector_id: int) -> Connector:
        """Create and announce a connector; only ``Csms.connector`` calls this."""
        conn = self.connectors[connector_id] = Connector(self, connector_id)
        for cb in tuple(self._connector_added):
            cb(conn)
        return conn

    def set_connected(self, commands: ChargerCommands | None, protocol: str | None) -> None:
        """Note a connection that came (with its adapter) or went (None)."""
        if protocol is not None and self.protocol is not None and protocol != self.protocol:
            self._reset_protocol_state()
        if protocol is not None:
            self.protocol = protocol
        self.commands = commands
        connected = commands is not None
        if self.connected == connected:
            return
        self.connected = connected
        self.notify()
        for conn in self.connectors.values():
            conn.notify()

    def require_commands(self) -> ChargerCommands:
        """Return the live adapter; raises ChargerOffline when there is none."""
        if self.commands is None or not self.connected:
            raise ChargerOffline(self.charger_id)
        return self.commands

    def _reset_protocol_state(self) -> None:
        """Forget what only made sense in the previous protocol version.

        Its configuration keys and capabilities go; sessions, energy and entities
        stay.
        """
        self.capabilities = Capabilities()
        self.configuration.clear()
        self.readonly_keys.clear()

    def phase_rotation(self, connector_id: int) -> str | None:
        """Return how a connector is wired to the house (None: not known, RST)."""
        rotations = self.phase_rotations
        return self.phase_rotation_set or rotations.get(connector_id) or rotations.get(0)

    def update_capabilities(self, **changes: Any) -> None:
        """Change what the charger is known to be able to do (its profile prevails)."""
        self.capabilities = replace(self.capabilities, **changes)
        if self.profile is not None:
            self.capabilities = replace(self.capabilities, **self.profile.capabilities)

    def use_profile(self, profile: ChargerProfile | None) -> None:
        """Apply a charger profile's overrides (None: none applies)."""
        self.profile = profile
        if profile is not None:
            self.update_capabilities()
            if profile.composite_schedule is False:
                self.composite_supported = False

    def store_configuration(self, key: str, value: str | None, readonly: bool = False) -> None:
        """Remember a configuration value as read or reported."""
        self.configuration[key] = value
        if readonly:
            self.readonly_keys.add(key)

    def remember(self, kind: str, payload: dict[str, Any]) -> None:
        """Keep a charger message no entity shows, for diagnostics (bounded)."""
        self.diagnostics.add(kind, payload)

    def count_anomaly(self, kind: str, detail: str) -> None:
        """Input that was refused or repaired: counted; logged the first time per kind."""
        count = self.anomalies[kind] = self.anomalies.get(kind, 0) + 1
        if count == 1:
            _LOGGER.warning(
                "%s: %s (%s); further cases are counted in diagnostics only",
                self.charger_id,
                detail,
                kind,
            )
