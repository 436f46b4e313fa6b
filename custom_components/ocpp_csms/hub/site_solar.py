"""The solar part of a site cycle: the surplus and its shares (``site_shares.py`` runs it).

The surplus is shared among the plugged-in connectors in a solar mode, by
priority, then equally; each one's gate (``model/solar.py``) applies the enable
and disable delays. A charger that can switch between one and three phases (and
has not ignored it) gets the phases the surplus allows (``model/phase_switch.py``),
and on one phase, where it takes phaseToUse, the roomiest house phase. In a
planned slot (a plan's grid top-up, ``hub/planning.py``) a solar connector claims
the fuse, not the surplus.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..model.charger import Connector
from ..model.limit_writer import WriteSettings
from ..model.load_sharing import Claim, share
from ..model.phase_rotation import roomiest
from ..model.phase_switch import PhaseChoice
from ..model.solar import SolarGate, amps_of, surplus_w
from .site_figures import (
    Share,
    SiteFigures,
    SiteReading,
    house_phases_of,
    key_of,
    own_amps,
    switches,
)
from .site_options import SiteOptions

SETTLE_MAX = timedelta(minutes=2)  # the longest a solar share waits for fresh readings


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


def solar_fractions(
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


def _choose_phase(conn: Connector, chosen: int, figures: SiteFigures) -> None:
    """On one phase, give a charger that takes phaseToUse the roomiest house phase.

    Kept while it stays on one: a car is not moved from phase to phase.
    """
    key = key_of(conn)
    if chosen != 1 or not conn.charger.capabilities.phase_to_use:
        figures.phase_to_use.pop(key, None)
    elif key not in figures.phase_to_use:
        rotation = conn.charger.phase_rotation(conn.connector_id)
        figures.phase_to_use[key] = roomiest(rotation, figures.headroom)


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


def solar_shares(
    options: SiteOptions,
    reading: SiteReading,
    connectors: list[Connector],
    settings: WriteSettings,
    now: datetime,
    figures: SiteFigures,
) -> dict[Connector, Share]:
    """Return each solar connector's share of the surplus (and its phases)."""
    solar = [c for c in connectors if c.desired.mode.follows_surplus and not _topped_up(c, now)]
    keys = {key_of(c) for c in solar if c.plugged_in and switches(c)}
    for key in set(figures.phase_choices) - keys:  # unplugged, or left the solar modes
        del figures.phase_choices[key]
        figures.phase_to_use.pop(key, None)
    for key in set(figures.gates) - {key_of(c) for c in solar}:
        del figures.gates[key]
    if reading.grid_w is None:  # nothing known: as the last cycle decided
        figures.surplus_w = None
        return {c: figures.solar_last[key_of(c)] for c in solar if key_of(c) in figures.solar_last}
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
        switching = key_of(conn) in keys
        wired = 3 if switching else len(house_phases_of(conn, settings, 3))
        fewest = 1 if switching else wired
        claims.append(
            Claim(
                key=key_of(conn),
                phases=(0,),
                minimum=minimum * voltage * fewest,
                wanted=own_amps(conn, settings, now) * voltage * wired,
                priority=conn.desired.priority,
            )
        )
    given = share({0: max(0.0, surplus)}, claims)
    out: dict[Connector, Share] = {}
    for conn in solar:
        key = key_of(conn)
        if _settling(conn, now) and key in figures.solar_last:
            out[conn] = figures.solar_last[key]
            continue
        available = given.get(key, 0.0)
        chosen: int | None = None
        fewest = count = len(house_phases_of(conn, settings, 3))
        if key in keys:  # it starts, and keeps charging, on one phase if it must
            choice = figures.phase_choices.setdefault(key, PhaseChoice())
            delays = (options.solar.enable_delay, options.solar.disable_delay)
            count = chosen = choice.choose(available, minimum, voltage, options.phases, delays, now)
            fewest = 1
            _choose_phase(conn, chosen, figures)
        gate = figures.gates.setdefault(key, SolarGate())
        is_open = gate.update(available, minimum * voltage * fewest, options.solar, now)
        amps = amps_of(available, voltage, count)
        if conn.desired.mode.keeps_minimum or is_open:
            out[conn] = (max(minimum, amps), chosen)
        else:
            out[conn] = (0.0, chosen)
        figures.solar_last[key] = out[conn]
    return out
