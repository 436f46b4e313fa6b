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
  heavier and pause more, a loop that pauses every charger.
- Solar (a grid power sensor): the surplus is shared among the plugged-in
  connectors in a solar mode, by priority, then equally; each one's gate
  (``model/solar.py``) applies the enable and disable delays. A charger that can
  switch between one and three phases (and has not ignored it) gets the phases
  the surplus allows (``model/phase_switch.py``). In a planned slot (a plan's
  grid top-up, ``hub/planning.py``) a solar connector claims the fuse, not the
  surplus.

A connector's share is the least of the two, in amps, with the phases the site
chose (None: the charger's own); absent where neither has a say.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..model.charger import Connector
from ..model.charging_mode import ChargingMode
from ..model.limit_writer import WriteSettings
from ..model.load_sharing import Claim, share
from ..model.phase_rotation import house_phase
from ..model.phase_switch import PhaseChoice
from ..model.solar import SolarGate, amps_of, surplus_w
from .site_options import SiteOptions

Key = tuple[str, int]
Share = tuple[float, int | None]  # amps, and the phases where the site chose them
UNLIMITED_A = 80.0  # what a connector with no limit of its own would take at most
SETTLE_MAX = timedelta(minutes=2)  # the longest a solar share waits for fresh readings


@dataclass(frozen=True, slots=True)
class SiteReading:
    """The sensors' numbers of one cycle (None: not set up, or no fresh number)."""

    grid_w: float | None = None  # + import, - export
    currents: dict[int, float] | None = None  # per house phase, A
    battery_w: float | None = None  # + while it charges
    battery_soc: float | None = None
    stale: str | None = None  # the first grid sensor without a fresh number


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


def _key(conn: Connector) -> Key:
    return (conn.charger.charger_id, conn.connector_id)


def _phases(
    conn: Connector, settings: WriteSettings, house_phases: int, chosen: int | None = None
) -> tuple[int, ...]:
    """Return the house phases a connector draws on, by its phase rotation."""
    count = chosen or conn.measurements.phases or settings.electrical.phases
    if house_phases < 3:
        return tuple(range(1, min(count, house_phases) + 1)) or (1,)
    rotation = conn.charger.phase_rotation(conn.connector_id)
    return tuple(house_phase(rotation, p) for p in range(1, min(count, 3) + 1))


def _switches(conn: Connector) -> bool:
    """Tell whether the site may switch the connector between one and three phases.

    Such a charger has three; while on one it may report only that one.
    """
    charger = conn.charger
    return bool(charger.capabilities.phase_switching) and not charger.phase_switch_ignored


def _draw(conn: Connector, settings: WriteSettings, house_phases: int) -> dict[int, float]:
    """Return what a connector draws on each house phase, from its latest readings."""
    readings = conn.measurements
    phases = _phases(conn, settings, house_phases)
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


def _own_amps(conn: Connector, settings: WriteSettings, now: datetime) -> float:
    """Return what the connector would take without the site (its own layers)."""
    own = conn.desired.site_free(now, conn.charger.station_limit, settings.electrical)
    if own is None:
        return UNLIMITED_A
    return max(0.0, settings.electrical.amps(own, conn.measurements.phases))


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
    draws = {_key(c): _draw(c, settings, house_phases) for c in connectors}
    powers = [c.measurements.power_w for c in connectors if c.measurements.power_w is not None]
    figures.chargers_power_w = round(sum(powers), 1) if powers else None
    _solar_fractions(options, reading, connectors)
    shares: dict[Connector, Share] = {}
    if options.load_management:
        fuse = _fuse(options, reading, connectors, settings, now, figures, draws)
        shares = {conn: (amps, None) for conn, amps in fuse.items()}
    else:
        figures.headroom, figures.load_limited = {}, False
    if options.solar_modes:
        solar = _solar(options, reading, connectors, settings, now, figures)
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
        wanted = _own_amps(conn, settings, now)
        on = _phases(conn, settings, options.main_fuse_phases, _chosen(conn, figures))
        path = circuits.path(*_key(conn))
        claims.append(
            Claim(
                key=_key(conn),
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
        key = _key(conn)
        out[conn] = given[key] if key in given else _idle(conn, connectors, options, fuse_share)
    return out


def _idle(
    conn: Connector, connectors: list[Connector], options: SiteOptions, fuse_share: float
) -> float:
    """Return what an idle connector may start at: its share of the fuse and its circuits."""
    share_a = min(fuse_share, options.main_fuse_a or 0.0)
    circuits = options.circuits
    for circuit in circuits.path(*_key(conn)):
        members = [c for c in connectors if circuit in circuits.path(*_key(c))]
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


def _chosen(conn: Connector, figures: SiteFigures) -> int | None:
    choice = figures.phase_choices.get(_key(conn))
    return choice.phases if choice is not None else None


def _solar_draw(conn: Connector, settings: WriteSettings) -> float:
    """Return what a connector draws, no more than the limit it last accepted.

    The grid meter shows a reduction within seconds, the charger's readings up to
    a minute later: the reading from before it would count the difference twice.
    (Not for a charger that ignores its limit: its readings are all there is.)
    """
    drawn = max(0.0, conn.measurements.power_w or 0.0)
    accepted = conn.charge_limit
    if accepted is None or (conn.watch is not None and conn.watch.ignored):
        return drawn
    allowed = settings.electrical.watts(accepted, conn.measurements.phases)
    return min(drawn, max(0.0, allowed))


def _battery_first(options: SiteOptions, reading: SiteReading) -> bool:
    """Tell whether the home battery takes the surplus first now."""
    first = options.battery_first_soc
    return first is not None and reading.battery_soc is not None and reading.battery_soc < first


def _solar_fractions(
    options: SiteOptions, reading: SiteReading, connectors: list[Connector]
) -> None:
    """Set the share of each connector's draw the surplus covers (for the sessions).

    What the house would export without our chargers, over what they draw together
    (each the same share); None where the grid's power is not known.
    """
    if reading.grid_w is None:
        for conn in connectors:
            conn.solar_fraction = None
        return
    total = sum(max(0.0, c.measurements.power_w or 0.0) for c in connectors)
    battery = reading.battery_w or 0.0
    covered = surplus_w(reading.grid_w, total, battery, _battery_first(options, reading))
    fraction = min(1.0, max(0.0, covered / total)) if total > 0 else float(covered > 0)
    for conn in connectors:
        conn.solar_fraction = round(fraction, 4)


def _topped_up(conn: Connector, now: datetime) -> bool:
    """Tell whether a planned slot runs: the grid tops up, the surplus has no say."""
    return conn.plan is not None and conn.plan_request is not None and conn.plan.running(now)


def _settling(conn: Connector, now: datetime) -> bool:
    """Tell whether the connector's readings predate the limit it last accepted.

    Its share waits for readings that show the change (at most SETTLE_MAX): the
    grid meter shows it sooner, and the two apart would swing the share back.
    """
    watch, read = conn.watch, conn.reading_at
    if watch is None or watch.accepted_at is None or read is None:
        return False
    return read < watch.accepted_at and now - watch.accepted_at < SETTLE_MAX


def _solar(
    options: SiteOptions,
    reading: SiteReading,
    connectors: list[Connector],
    settings: WriteSettings,
    now: datetime,
    figures: SiteFigures,
) -> dict[Connector, Share]:
    solar = [c for c in connectors if c.desired.mode.follows_surplus and not _topped_up(c, now)]
    keys = {_key(c) for c in solar if c.plugged_in and _switches(c)}
    for key in set(figures.phase_choices) - keys:  # unplugged, or left the solar modes
        del figures.phase_choices[key]
    for key in set(figures.gates) - {_key(c) for c in solar}:
        del figures.gates[key]
    if reading.grid_w is None:  # nothing known: as the last cycle decided
        figures.surplus_w = None
        return {c: figures.solar_last[_key(c)] for c in solar if _key(c) in figures.solar_last}
    voltage, minimum = settings.electrical.voltage, settings.minimum_amps
    draw = sum(_solar_draw(c, settings) for c in solar)
    surplus = surplus_w(
        reading.grid_w, draw, reading.battery_w or 0.0, _battery_first(options, reading)
    )
    figures.surplus_w = round(surplus, 1)
    claims = []
    for conn in solar:
        if not conn.plugged_in:
            continue
        switching = _key(conn) in keys
        wired = 3 if switching else len(_phases(conn, settings, 3))
        fewest = 1 if switching else wired
        claims.append(
            Claim(
                key=_key(conn),
                phases=(0,),
                minimum=minimum * voltage * fewest,
                wanted=_own_amps(conn, settings, now) * voltage * wired,
                priority=conn.desired.priority,
            )
        )
    given = share({0: max(0.0, surplus)}, claims)
    out: dict[Connector, Share] = {}
    for conn in solar:
        key = _key(conn)
        if _settling(conn, now) and key in figures.solar_last:
            out[conn] = figures.solar_last[key]
            continue
        available = given.get(key, 0.0)
        chosen: int | None = None
        fewest = count = len(_phases(conn, settings, 3))
        if key in keys:  # it starts, and keeps charging, on one phase if it must
            choice = figures.phase_choices.setdefault(key, PhaseChoice())
            delays = (options.solar.enable_delay, options.solar.disable_delay)
            count = chosen = choice.choose(available, minimum, voltage, options.phases, delays, now)
            fewest = 1
        gate = figures.gates.setdefault(key, SolarGate())
        is_open = gate.update(available, minimum * voltage * fewest, options.solar, now)
        amps = amps_of(available, voltage, count)
        if conn.desired.mode.keeps_minimum or is_open:
            out[conn] = (max(minimum, amps), chosen)
        else:
            out[conn] = (0.0, chosen)
        figures.solar_last[key] = out[conn]
    return out
