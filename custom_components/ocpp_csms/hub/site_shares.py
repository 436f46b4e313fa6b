"""One cycle of the site controller, on numbers already read: who gets how many amps.

- Load management (a main fuse and a grid sensor): per house phase, the headroom
  is the fuse less what the house draws besides our chargers; it is shared among
  the connectors that charge (``model/load_sharing.py``). A connector the fuse
  paused is resumed once there has been room for it for the resume hold (at once
  when it outranks one that charges). Idle connectors get the fuse's share, so a
  session starts at no more than that. Stale sensors: the safe limits.
- The grid meter and the chargers' readings arrive at different moments: the
  house's own load (measured less ours) is never taken below zero, so a reading
  newer than the meter's, or the sun, never lets the chargers above the fuse (a
  cloud is faster than the meter). Not capping a connector's reading at its new
  share is deliberate: a reduction not yet applied would make the house look
  heavier and pause more, a loop that pauses every charger. A reading older than
  a lower limit the charger accepted is capped at it, but only once the meter has
  reported since the car had time to follow (FOLLOW): a charger that reports every
  minute would otherwise make the house look lighter, and the fuse be shared out
  twice.
- Solar (a grid power sensor): the surplus, shared among the connectors in a
  solar mode (``site_solar.py``).

A connector's share is the least of the two, in amps, with the phases the site
chose (None: the charger's own); absent where neither has a say.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime, timedelta

from ..model.charger import Connector
from ..model.charging_mode import ChargingMode
from ..model.limit_writer import WriteSettings
from ..model.load_sharing import Claim, share
from ..model.phase_rotation import house_phase
from .site_figures import (
    Key,
    Share,
    SiteFigures,
    SiteReading,
    chosen_phases,
    house_phases_of,
    key_of,
    own_amps,
)
from .site_options import SiteOptions
from .site_solar import solar_fractions, solar_shares

__all__ = ["Share", "SiteFigures", "SiteReading", "work_out"]

# The time a car takes to follow a lower limit (IEC 61851-1 gives it 5 s).
FOLLOW = timedelta(seconds=5)


def _draw(
    conn: Connector, settings: WriteSettings, house_phases: int, measured_at: datetime | None
) -> dict[int, float]:
    """Return what a connector draws on each house phase, as ``work_out`` counts it.

    Its latest readings, at most the lower limit it accepted since (once the meter
    has reported after the car could follow).
    """
    draw = _read_draw(conn, settings, house_phases)
    watch, read_at = conn.watch, conn.reading_at
    if (
        draw
        and watch is not None
        and watch.accepted is not None
        and watch.accepted_at is not None
        and read_at is not None
        and measured_at is not None
        and read_at < watch.accepted_at <= measured_at - FOLLOW
    ):
        most = settings.electrical.amps(watch.accepted, len(draw))
        return {p: min(a, most) for p, a in draw.items()}
    return draw


def _read_draw(conn: Connector, settings: WriteSettings, house_phases: int) -> dict[int, float]:
    """Return what a connector draws on each house phase, from its latest readings."""
    readings = conn.measurements
    phases = house_phases_of(conn, settings, house_phases)
    if readings.phase_currents:
        rotation = conn.charger.phase_rotation(conn.connector_id) if house_phases == 3 else None
        currents = readings.phase_currents.items()
        return {house_phase(rotation, p): a for p, a in currents if p <= house_phases}
    if readings.current_a is not None:
        return dict.fromkeys(phases, abs(readings.current_a))
    if readings.power_w:
        per_phase = abs(readings.power_w) / (settings.electrical.voltage * len(phases))
        return dict.fromkeys(phases, per_phase)
    return {}


def _house(measured: dict[int, float], ours: dict[int, float]) -> dict[int, float]:
    """Return the house's load per phase besides our chargers, never below zero."""
    return {p: max(0.0, measured.get(p, 0.0) - ours[p]) for p in ours}


def _charging(conn: Connector) -> bool:
    desired = conn.desired
    return conn.transaction is not None and desired.mode is not ChargingMode.OFF


def work_out(
    options: SiteOptions,
    reading: SiteReading,
    connectors: list[Connector],
    settings: WriteSettings,
    now: datetime,
    figures: SiteFigures,
) -> dict[Connector, Share]:
    """Return each connector's share (absent: the site has no say)."""
    house_phases = options.main_fuse_phases
    draws = {key_of(c): _draw(c, settings, house_phases, reading.measured_at) for c in connectors}
    powers = [c.measurements.power_w for c in connectors if c.measurements.power_w is not None]
    figures.chargers_power_w = round(sum(powers), 1) if powers else None
    solar_fractions(options, reading, connectors)
    shares: dict[Connector, Share] = {}
    if options.load_management:
        fuse = _fuse(options, reading, connectors, settings, now, figures, draws)
        shares = {conn: (amps, None) for conn, amps in fuse.items()}
    else:
        figures.headroom, figures.load_limited = {}, False
    if options.solar_modes:
        solar = solar_shares(options, reading, connectors, settings, now, figures)
        for conn, (amps, phases) in solar.items():
            fuse_amps = shares[conn][0] if conn in shares else amps
            shares[conn] = (min(amps, fuse_amps), phases)
    else:
        figures.surplus_w = None
        figures.phase_choices.clear()
    return shares


def _fuse(
    options: SiteOptions,
    reading: SiteReading,
    connectors: list[Connector],
    settings: WriteSettings,
    now: datetime,
    figures: SiteFigures,
    draws: dict[Key, dict[int, float]],
) -> dict[Connector, float]:
    fuse = options.main_fuse_a or 0.0
    phases = range(1, options.main_fuse_phases + 1)
    ours = {p: sum(d.get(p, 0.0) for d in draws.values()) for p in phases}
    measured = reading.currents
    if measured is None and reading.grid_w is not None:  # one power sensor: balanced
        per_phase = reading.grid_w / (settings.electrical.voltage * len(phases))
        measured = dict.fromkeys(phases, per_phase)
    safe = reading.stale is not None or measured is None
    if not safe and measured is not None:
        figures.house = _house(measured, ours)
    room: dict[Hashable, float] = {p: fuse - figures.house.get(p, 0.0) for p in phases}
    figures.headroom = {p: round(room[p], 1) for p in phases}
    circuits = options.circuits
    room |= {(c.key, p): c.limit_a for c in circuits.items for p in phases}
    fuse_share = options.safe_limit_a or fuse / max(1, len(connectors))
    minimum = settings.minimum_amps
    claims: list[Claim] = []
    for conn in connectors:
        if not _charging(conn):
            continue
        wanted = own_amps(conn, settings, now)
        use = figures.phase_to_use.get(key_of(conn))
        on = house_phases_of(
            conn, settings, options.main_fuse_phases, chosen_phases(conn, figures), use
        )
        path = circuits.path(*key_of(conn))
        claims.append(
            Claim(
                key=key_of(conn),
                phases=on + tuple((c.key, p) for c in path for p in on),
                minimum=minimum,
                wanted=min(wanted, fuse_share) if safe else wanted,
                priority=conn.desired.priority,
            )
        )
    given = share(room, claims)
    _hold(claims, given, minimum, options, now, figures)
    figures.load_limited = any(given[c.key] + 0.5 < c.wanted for c in claims)
    out: dict[Connector, float] = {}
    for conn in connectors:
        key = key_of(conn)
        out[conn] = given[key] if key in given else _idle(conn, connectors, options, fuse_share)
    return out


def _idle(
    conn: Connector, connectors: list[Connector], options: SiteOptions, fuse_share: float
) -> float:
    """Return what an idle connector may start at: its share of the fuse and its circuits."""
    share_a = min(fuse_share, options.main_fuse_a or 0.0)
    circuits = options.circuits
    for circuit in circuits.path(*key_of(conn)):
        members = [c for c in connectors if circuit in circuits.path(*key_of(c))]
        share_a = min(share_a, circuit.limit_a / max(1, len(members)))
    return share_a


def _hold(
    claims: list[Claim],
    given: dict[Hashable, float],
    minimum: float,
    options: SiteOptions,
    now: datetime,
    figures: SiteFigures,
) -> None:
    """Keep a connector the fuse paused paused until there was room for the hold."""
    for claim in claims:
        key = claim.key
        if given[key] < min(minimum, claim.wanted):
            figures.fuse_paused.add(key)
            figures.room_since.pop(key, None)
            continue
        if key not in figures.fuse_paused:
            continue
        outranks = any(other.priority < claim.priority for other in claims)
        since = figures.room_since.setdefault(key, now)
        if outranks or now - since >= options.resume_hold:
            figures.fuse_paused.discard(key)
            figures.room_since.pop(key, None)
        else:
            given[key] = 0.0
    charging = {c.key for c in claims}
    for key in list(figures.fuse_paused):
        if key not in charging:
            figures.fuse_paused.discard(key)
            figures.room_since.pop(key, None)
