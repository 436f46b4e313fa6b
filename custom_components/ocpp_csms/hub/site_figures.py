"""What one site cycle works on and keeps, shared by its fuse and solar parts.

The readings, the figures, and each connector's phases and own limit
(``site_shares.py`` and ``site_solar.py``).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime

from ..model.charger import Connector
from ..model.limit_writer import WriteSettings
from ..model.phase_rotation import house_phase
from ..model.phase_switch import PhaseChoice
from ..model.solar import SolarGate

Key = tuple[str, int]
Share = tuple[float, int | None]  # amps, and the phases where the site chose them
UNLIMITED_A = 80.0  # what a connector with no limit of its own would take at most


@dataclass(frozen=True, slots=True)
class SiteReading:
    """The sensors' numbers of one cycle (None: not set up, or no fresh number)."""

    grid_w: float | None = None  # + import, - export
    currents: dict[int, float] | None = None  # per house phase, A
    battery_w: float | None = None  # + while it charges
    battery_soc: float | None = None
    stale: str | None = None  # the first grid sensor without a fresh number
    measured_at: datetime | None = None  # the oldest grid sensor's last report


@dataclass(slots=True)
class SiteFigures:
    """What one cycle found, and what carries over to the next."""

    headroom: dict[int, float] = field(default_factory=dict)
    chargers_power_w: float | None = None
    surplus_w: float | None = None
    load_limited: bool = False
    house: dict[int, float] = field(default_factory=dict)  # last known, without ours
    gates: dict[Key, SolarGate] = field(default_factory=dict)
    fuse_paused: set[Hashable] = field(default_factory=set)
    room_since: dict[Hashable, datetime] = field(default_factory=dict)
    solar_last: dict[Key, Share] = field(default_factory=dict)
    phase_choices: dict[Key, PhaseChoice] = field(default_factory=dict)
    phase_to_use: dict[Key, int] = field(default_factory=dict)  # on one phase: which (2.x)


def key_of(conn: Connector) -> Key:
    """Return the connector's key in the figures."""
    return (conn.charger.charger_id, conn.connector_id)


def house_phases_of(
    conn: Connector,
    settings: WriteSettings,
    house_phases: int,
    chosen: int | None = None,
    use: int | None = None,
) -> tuple[int, ...]:
    """Return the house phases a connector draws on, by its phase rotation."""
    count = chosen or conn.measurements.phases or settings.electrical.phases
    if house_phases < 3:
        return tuple(range(1, min(count, house_phases) + 1)) or (1,)
    rotation = conn.charger.phase_rotation(conn.connector_id)
    if count == 1 and use is not None:  # the phase the site asked it to use
        return (house_phase(rotation, use),)
    return tuple(house_phase(rotation, p) for p in range(1, min(count, 3) + 1))


def switches(conn: Connector) -> bool:
    """Tell whether the site may switch the connector between one and three phases.

    Such a charger has three; while on one it may report only that one.
    """
    charger = conn.charger
    return bool(charger.capabilities.phase_switching) and not charger.phase_switch_ignored


def own_amps(conn: Connector, settings: WriteSettings, now: datetime) -> float:
    """Return what the connector would take without the site (its own layers)."""
    own = conn.desired.site_free(now, conn.charger.station_limit, settings.electrical)
    if own is None:
        return UNLIMITED_A
    return max(0.0, settings.electrical.amps(own, conn.measurements.phases))


def chosen_phases(conn: Connector, figures: SiteFigures) -> int | None:
    """Return the phases the site chose for the connector (None: not switched)."""
    choice = figures.phase_choices.get(key_of(conn))
    return choice.phases if choice is not None else None
