"""The site controller: the house's fuse shared among the chargers, and the solar surplus.

One per central system. It follows the grid (and battery) sensors of the options'
"site" section and every connector's readings, works out each connector's share
at most once a second, and hands it to the limit writer as the site layer of the
connector's desired limit (verified like any limit; a reduction at once, an
increase no more often than the limit spacing).

When a grid sensor is unavailable or reports nothing for the sensor timeout, the
connectors fall back to a safe limit: the fuse less the house's last known load,
shared among those that charge, never more than the fuse's share each. A repair
issue names the sensor; the normal shares return when it reports again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import (
    async_call_later,
    async_track_state_change_event,
    async_track_state_report_event,
    async_track_time_interval,
)

from ..const import DOMAIN, LOGGER_NAME
from ..model import clock
from ..model.charger import Connector
from ..model.commands import LimitUnit
from ..model.desired_limit import LimitValue
from .costs import entity_price
from .site_figures import key_of
from .site_options import SiteOptions
from .site_shares import Share, SiteFigures, SiteReading, work_out

if TYPE_CHECKING:
    from ..model.csms import Csms

_LOGGER = logging.getLogger(LOGGER_NAME)

POWER_UNITS = {"W": 1.0, "kW": 1000.0, "MW": 1_000_000.0}
CURRENT_UNITS = {"A": 1.0, "mA": 0.001}
CYCLE_S = 1.0  # at most one cycle a second
SETTLE_S = 0.5  # readings within this of the first are taken in the same cycle
LOOK_EVERY = timedelta(seconds=5)  # stale sensors, delays that run out, held pauses
STALE_ISSUE = "site_sensor_stale"
SAME_A = 0.05  # a share that moves less is not written again


def entity_number(
    hass: HomeAssistant, entity_id: str, units: dict[str, float] | None = None
) -> float | None:
    """Return a sensor's value, in the base unit of ``units`` if given.

    None if it has none to give: unavailable, unknown, not a number, or a unit not
    in ``units``.
    """
    state = hass.states.get(entity_id)
    if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
        return None
    try:
        value = float(state.state)
    except ValueError:
        return None
    unit = state.attributes.get(ATTR_UNIT_OF_MEASUREMENT)
    if units is None:
        return value
    scale = units.get(unit) if unit else 1.0
    return value * scale if scale is not None else None


class SiteController:
    """Shares the connection among the connectors; one per central system."""

    def __init__(self, hass: HomeAssistant, csms: Csms) -> None:
        """Follow nothing until the options say what."""
        self.hass = hass
        self._csms = csms
        self.options = SiteOptions()
        self.figures = SiteFigures()  # what carries over from cycle to cycle
        self._unsubs: list[CALLBACK_TYPE] = []
        self._pending: CALLBACK_TYPE | None = None
        self._last_cycle: datetime | None = None
        self._seen: dict[str, datetime] = {}  # when each sensor last reported (our clock)
        self._issue_for: str | None = None
        self._since: datetime | None = None  # when the options took effect

    # ------------------------------------------------------------ wiring
    def apply(self, options: SiteOptions) -> None:
        """Follow the sensors these options name (the options changed, or at start)."""
        self.stop()
        self.options = options
        self._csms.site.on_readings = self._readings
        self._csms.site.feed_in_price = (
            entity_price(self.hass, options.feed_in_price) if options.feed_in_price else None
        )
        self._since = now = clock.now()
        self._seen = {e: now for e in options.sensors if self.hass.states.get(e) is not None}
        if options.sensors:
            sensors = list(options.sensors)
            self._unsubs += [
                async_track_state_change_event(self.hass, sensors, self._reported),
                async_track_state_report_event(self.hass, sensors, self._reported),
            ]
        if options.load_management or options.solar_modes:
            self._unsubs.append(async_track_time_interval(self.hass, self._look, LOOK_EVERY))
        self._schedule()  # without a site, the shares set before are taken back

    def stop(self) -> None:
        """Follow nothing more (the central system stops, or the options change)."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        if self._pending is not None:
            self._pending()
            self._pending = None

    @callback
    def _reported(self, event: Event[Any]) -> None:
        self._seen[event.data["entity_id"]] = clock.now()
        self._schedule()

    @callback
    def _readings(self, conn: Connector) -> None:
        if self.options.load_management or self.options.solar_modes:
            self._schedule()

    @callback
    def _look(self, _now: datetime) -> None:
        self._schedule()

    @callback
    def _schedule(self) -> None:
        """Run a cycle in a moment, and no sooner than a second after the last one.

        The moment lets readings that come together (the grid meter and the
        charger's meter values) be taken together: one without the other makes
        the surplus jump by the charger's change.
        """
        if self._pending is not None:
            return
        delay = SETTLE_S
        if self._last_cycle is not None:
            elapsed = (clock.now() - self._last_cycle).total_seconds()
            delay = max(SETTLE_S, CYCLE_S - elapsed)
        self._pending = async_call_later(self.hass, delay, self._run)

    @callback
    def _run(self, _now: datetime) -> None:
        self._pending = None
        self._last_cycle = now = clock.now()
        self.cycle(now)

    # ------------------------------------------------------------ one cycle
    def cycle(self, now: datetime) -> None:
        """Read the sensors, work out every share, write those that changed."""
        options = self.options
        csms = self._csms
        settings = csms.limits.settings
        connectors = [
            conn
            for charger_id, charger in csms.chargers.items()
            if charger.connected and csms.is_adopted(charger_id)
            for conn in charger.connectors.values()
        ]
        reading = self._read(now)
        shares = work_out(options, reading, connectors, settings, now, self.figures)
        for conn in connectors:
            self._write(conn, shares.get(conn))
        self._stale_issue(reading.stale, now)
        site = csms.site
        figures = (
            dict(self.figures.headroom),
            self.figures.chargers_power_w,
            self.figures.surplus_w,
            self.figures.load_limited,
            reading.stale,
        )
        shown = (
            site.headroom_a,
            site.chargers_power_w,
            site.surplus_w,
            site.load_limited,
            site.stale_sensor,
        )
        if figures != shown:
            (
                site.headroom_a,
                site.chargers_power_w,
                site.surplus_w,
                site.load_limited,
                site.stale_sensor,
            ) = figures
            site.changed()

    def _write(self, conn: Connector, share: Share | None) -> None:
        old = conn.desired.site
        use = self.figures.phase_to_use.get(key_of(conn)) if share and share[1] == 1 else None
        new = LimitValue(round(share[0], 1), LimitUnit.AMPS, share[1], use) if share else None
        if old == new or (
            old is not None
            and new is not None
            and old.phases == new.phases
            and abs(old.value - new.value) < SAME_A
        ):
            return
        electrical = self._csms.limits.settings.electrical
        # less power (fewer phases too) goes at once: the fuse comes first
        reduction = new is not None and (
            old is None or electrical.watts(new) < electrical.watts(old)
        )
        self._csms.limits.set_site(conn, new, reduction)

    def _read(self, now: datetime) -> SiteReading:
        """Read the sensors; a grid sensor without a fresh number makes the reading stale."""
        options = self.options
        timeout = options.sensor_timeout
        grid_sensors = options.grid_sensors  # a property that makes its tuple anew
        stale: str | None = None
        measured_at: datetime | None = None

        def read(entity_id: str | None, units: dict[str, float]) -> float | None:
            nonlocal stale, measured_at
            if entity_id is None:
                return None
            value = entity_number(self.hass, entity_id, units)
            seen = self._seen.get(entity_id)
            grid = entity_id in grid_sensors
            if value is None or seen is None or now - seen > timeout:
                if grid and stale is None:
                    stale = entity_id
                return None
            if grid:
                measured_at = seen if measured_at is None else min(measured_at, seen)
            return value

        grid_w = read(options.grid_power, POWER_UNITS)
        if options.grid_power is None and options.grid_import and options.grid_export:
            imported = read(options.grid_import, POWER_UNITS)
            exported = read(options.grid_export, POWER_UNITS)
            if imported is not None and exported is not None:
                grid_w = imported - exported
        currents = [read(e, CURRENT_UNITS) for e in options.grid_currents]
        return SiteReading(
            grid_w=grid_w,
            currents={n: abs(v) for n, v in enumerate(currents, 1) if v is not None}
            if currents and None not in currents
            else None,
            battery_w=read(options.battery_power, POWER_UNITS),
            battery_soc=read(options.battery_soc, {"%": 1.0}),
            stale=stale,
            measured_at=measured_at,
        )

    def _stale_issue(self, stale: str | None, now: datetime) -> None:
        """Raise the repair issue for a stale grid sensor; remove it on recovery.

        Not in the first sensor timeout after start: the sensors' integrations may
        still be loading (the safe limits hold meanwhile).
        """
        starting = self._since is not None and now - self._since < self.options.sensor_timeout
        if stale == self._issue_for or (stale is not None and starting):
            return
        if stale is None:
            ir.async_delete_issue(self.hass, DOMAIN, STALE_ISSUE)
            _LOGGER.info("The grid sensors report again: the site's normal limits apply")
        else:
            _LOGGER.warning(
                "%s has reported no number for %s s: the chargers fall back to safe limits",
                stale,
                int(self.options.sensor_timeout.total_seconds()),
            )
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                STALE_ISSUE,
                is_fixable=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key=STALE_ISSUE,
                translation_placeholders={
                    "entity_id": stale,
                    "timeout": str(int(self.options.sensor_timeout.total_seconds())),
                },
            )
        self._issue_for = stale
