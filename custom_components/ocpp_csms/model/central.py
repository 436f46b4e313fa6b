"""What the central system gives its parts: settings, saving, events and hooks.

Sessions, limits, reservations, local lists, maintenance and the meter setup are
handed the ``Central`` (the ``Csms`` is one) rather than the ``Csms`` itself, so
none of them imports the module that composes them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .authorization import TagList
    from .charger import Charger, Connector
    from .limit_host import LimitHost
    from .session_history import SessionHistory
    from .site import SiteState
    from .state import StoredState

Emit = Callable[[str, dict[str, Any]], None]


@dataclass(slots=True)
class CsmsSettings:
    """What the CSMS options set; read by the model and the adapters."""

    heartbeat_interval: int = 300
    auto_accept: bool = False  # adopt unknown chargers at their first boot
    max_connectors: int = 32  # per charger: more ids than this are refused
    clock_tolerance_s: float = 3600.0  # charger timestamps further ahead are refused
    currency: str | None = None  # Home Assistant's: of the costs it reckons
    time_zone: tzinfo = UTC  # Home Assistant's: of chargers that send local times


@dataclass(slots=True)
class Saving:
    """How the model asks for its state to be written."""

    soon: Callable[[], None] = lambda: None  # within a few seconds
    # acknowledged to a charger (an id handed out, a session started or ended): on
    # disk before the next answer leaves (None: only the counters changed)
    now: Callable[[Charger | None], None] = lambda charger: None
    # within a few seconds, and only this charger's readings changed (the hot path)
    readings: Callable[[Charger], None] = lambda charger: None
    # a finished session's record: on disk before the next answer leaves
    history: Callable[[dict[str, Any]], None] = lambda record: None
    # what an answer must wait for before it leaves (None: nothing)
    barrier: Callable[[], Awaitable[None] | None] = lambda: None


class LimitHooks(Protocol):
    """What other parts ask of the limit logic."""

    @property
    def host(self) -> LimitHost:
        """Where tasks and timers run."""

    def session_started(self, conn: Connector) -> None:
        """Take a session that began on the connector."""

    def session_ended(self, conn: Connector) -> None:
        """Take the end of the connector's session."""


class ReservationHooks(Protocol):
    """What the sessions tell the reservations."""

    def session_started(
        self, charger: Charger, connector_id: int, id_tag: str | None, reservation_id: int | None
    ) -> None:
        """End the reservation a session that began used."""


class TagsHolder(Protocol):
    """Where the tag list is kept."""

    @property
    def tags(self) -> TagList:
        """Every known tag."""


class Central(Protocol):
    """The central system as its parts see it."""

    @property
    def emit(self) -> Emit:
        """Announce an event."""

    @property
    def persistence(self) -> Saving:
        """Ask for the state to be written."""

    @property
    def settings(self) -> CsmsSettings:
        """What the options set."""

    @property
    def stored(self) -> StoredState:
        """The stored state and its counters."""

    @property
    def history(self) -> SessionHistory:
        """The finished sessions."""

    @property
    def tags(self) -> TagsHolder:
        """The tag decisions."""

    @property
    def site(self) -> SiteState:
        """The site controller's figures and hook."""

    @property
    def limits(self) -> LimitHooks:
        """The limit logic."""

    @property
    def reservations(self) -> ReservationHooks:
        """The reservations."""

    def connector(self, charger: Charger, connector_id: int) -> Connector:
        """Return the charger's connector, made on first use."""
