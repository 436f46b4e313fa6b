"""Charging limits end to end, from a connector's desired state to the charger.

The desired state of each connector becomes a small set of managed profiles on
the charger, and is read back to see whether the charger applies it.

- While a session runs: a TxProfile bound to it, so even a 0 A pause ends with
  the session; when idle: a TxDefaultProfile, so the next session starts right.
- ChargePointMaxProfile / ChargingStationMaxProfile only through
  ``set_station_limit``, at most once a minute.
- Every managed profile is sent again when a charger boots, reconnects, or Home
  Assistant restarts; the TxProfile is cleared when its session ends.
- Writes are coalesced: a change under 0.5 A / 100 W is not sent, and one profile
  is written at most every ``spacing`` seconds, the latest value winning (a pause
  and its end go at once).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from . import clock
from .charging_mode import ChargingMode
from .commands import CommandError, LimitPurpose, LimitUnit
from .desired_limit import LimitValue
from .errors import InvalidCommand
from .limit_check import LimitWatch
from .limit_host import LimitHost, NoHost
from .limit_readback import composite_limit, read_back
from .limit_result import LimitResult, offered
from .limit_sender import (
    ProfileSender,
    Written,
    already_there,
    upload_steps,
)
from .limit_writer import WriteSettings, build_profile, ladder, profile_id
from .profiles import CompositeSchedule
from .station_limit import station_candidates, write_station_limit

if TYPE_CHECKING:
    from .central import Central
    from .charger import Charger, Connector

_LOGGER = logging.getLogger(__name__)

# A limit called ignored is read back again, with the meter values, at most this often:
# a charger that follows it later is no longer flagged.
REVERIFY_S = 60.0


def _now() -> datetime:
    return clock.now()


def _allowed(conn: Connector, limits: list[LimitValue | None]) -> None:
    """Negative limits (discharging) only where the charger supports them."""
    if not conn.charger.capabilities.bidirectional and any(
        limit is not None and limit.value < 0 for limit in limits
    ):
        raise InvalidCommand("negative limits need a charger that supports discharging")


class LimitController:
    """Turns each connector's desired limit into profiles the charger applies."""

    def __init__(self, csms: Central) -> None:
        """Start with no host (tests and the model alone) and default settings."""
        self.csms = csms
        self.host: LimitHost = NoHost()
        self.settings = WriteSettings()
        self.spacing = timedelta(seconds=10)
        self._written: dict[tuple[str, int, LimitPurpose], Written] = {}
        self._timers: dict[tuple[str, int], Callable[[], None]] = {}
        self._locks: dict[tuple[str, int], asyncio.Lock] = {}
        self.station_written: dict[str, datetime] = {}  # station_limit.py
        # the host and the saving are looked up at each use: Home Assistant wires
        # them in after the model is built
        self.sender = ProfileSender(lambda: self.host, self.watch, lambda: csms.persistence)

    # the tag a remote start uses where the session had none (the CSMS option's)
    default_id_tag = "HomeAssistant"

    def watch(self, conn: Connector) -> LimitWatch:
        """Return the connector's limit watch, made on first use."""
        if conn.watch is None:
            conn.watch = LimitWatch(self.settings.electrical)
        return conn.watch

    # ------------------------------------------------------------ intents
    async def set_cap(
        self, conn: Connector, limit: LimitValue, duration: timedelta | None
    ) -> LimitResult:
        """Set the dynamic cap, for a while or until cleared."""
        _allowed(conn, [limit])
        desired = conn.desired
        desired.cap, desired.cap_until = limit, (_now() + duration if duration else None)
        return await self._changed(conn)

    async def pause(self, conn: Connector, duration: timedelta | None) -> LimitResult:
        """Pause charging (0 A, the session stays open), for a while or until resumed."""
        conn.desired.paused = True
        conn.desired.pause_until = _now() + duration if duration else None
        return await self._changed(conn)

    async def resume(self, conn: Connector) -> LimitResult:
        """End a pause; a session the charger ended meanwhile is started again.

        Many chargers end a session held at 0 A, the car still plugged in: the
        documented remedy is a remote start with the session's tag.
        """
        conn.desired.paused, conn.desired.pause_until = False, None
        ended, conn.ended_in_pause = conn.ended_in_pause, None
        result = await self._changed(conn)
        if ended is not None and conn.transaction is None and conn.plugged_in:
            commands = conn.charger.require_commands()
            await commands.remote_start(conn.connector_id, ended.id_tag or self.default_id_tag)
            result.resumed_by = "remote_start"
        return result

    async def clear(self, conn: Connector, scope: str) -> LimitResult:
        """Clear the cap and pause, the schedule, or both ("cap", "schedule", "all")."""
        desired = conn.desired
        if scope in ("cap", "all"):
            desired.cap = desired.cap_until = None
            desired.paused, desired.pause_until = False, None
        if scope in ("schedule", "all"):
            desired.schedule.clear()
            conn.plan_request = conn.plan = None  # a standing plan ends with its schedule
        return await self._changed(conn)

    async def set_schedule(
        self, conn: Connector, steps: list[tuple[datetime, LimitValue | None]]
    ) -> LimitResult:
        """Set the schedule layer, as (from, limit) steps.

        Home Assistant steps the limit at each boundary, and a restart in between
        changes nothing.
        """
        _allowed(conn, [limit for _, limit in steps])
        conn.desired.schedule = sorted(steps, key=lambda step: step[0])
        return await self._changed(conn)

    async def set_mode(
        self, conn: Connector, mode: ChargingMode, share: Callable[[], None] | None = None
    ) -> LimitResult:
        """Set the charging mode; the other layers stay as they are.

        ``share``: works out the site's share under the new mode before it is written.
        """
        conn.desired.mode = mode
        if share is not None:
            share()
        return await self._changed(conn)

    def set_priority(self, conn: Connector, priority: int) -> None:
        """Set the connector's priority on the site (a higher number is served first)."""
        conn.desired.priority = priority
        self.csms.persistence.soon()
        self.csms.site.readings(conn)
        conn.notify()

    def set_site(self, conn: Connector, limit: LimitValue | None, at_once: bool) -> None:
        """Take the site's share, and write it (``at_once``: a reduction, never deferred)."""
        conn.desired.site = limit  # the site shares among connected chargers only
        self.host.spawn(conn.charger, self.apply(conn, on_time=at_once))

    async def set_station_limit(self, charger: Charger, limit: LimitValue | None) -> LimitResult:
        """Set the installer's ceiling for the whole charger (``station_limit.py``)."""
        return await write_station_limit(self, charger, limit)

    async def composite(
        self, conn: Connector, duration_s: int, unit: LimitUnit
    ) -> CompositeSchedule:
        """Read the schedule the charger applies on the connector, in a unit it takes."""
        commands = conn.charger.require_commands()
        taken = conn.charger.capabilities.charging_rate_units
        if unit.value not in taken and taken:
            unit = LimitUnit(taken[0])  # 1.6 ChargingScheduleAllowedChargingRateUnit=Power
        return await commands.get_composite_schedule(conn.connector_id, duration_s, unit)

    # ------------------------------------------------------------ events
    def charger_ready(self, charger: Charger) -> None:
        """Booted or (re)connected: learn what it can do, then send every profile."""
        for key in [k for k in self._written if k[0] == charger.charger_id]:
            del self._written[key]
        self.host.spawn(charger, self._sync_charger(charger))

    async def _sync_charger(self, charger: Charger) -> None:
        commands = charger.require_commands()
        try:
            await commands.probe_capabilities()
        except CommandError as err:
            _LOGGER.debug("%s: capabilities not read (%s)", charger.charger_id, err)
        anchor = next(iter(charger.connectors.values()), None)
        if charger.station_limit is not None and anchor is not None:
            candidates = station_candidates(self, anchor, charger.station_limit)
            await self.sender.send(charger, candidates, LimitResult(charger.station_limit))
        for conn in list(charger.connectors.values()):
            await self.apply(conn)

    def session_started(self, conn: Connector) -> None:
        """Send the limit as the new session's TxProfile."""
        self.request(conn)

    def session_ended(self, conn: Connector) -> None:
        """End a pause with its session, and clear the session's TxProfile."""
        if conn.desired.paused:
            conn.ended_in_pause = conn.last_session  # resuming starts it again
            conn.desired.paused, conn.desired.pause_until = False, None
            self.csms.persistence.soon()
        self.host.spawn(conn.charger, self._end_session(conn))

    async def _end_session(self, conn: Connector) -> None:
        key = (conn.charger.charger_id, conn.connector_id, LimitPurpose.TX)
        if self._written.pop(key, None) is not None:
            commands = conn.charger.require_commands()
            await commands.clear_charging_profile(profile_id(conn.connector_id, LimitPurpose.TX))
        await self.apply(conn)

    def meter_values(self, conn: Connector) -> bool:
        """Check a reading against the limit the charger should apply.

        Follow Current/Power.Offered where the charger tells no composite schedule,
        and check the draw. Return whether the limit in force or the verdict changed
        (the connector notifies after: all its entities then, not its readings' alone).
        """
        watch = self.watch(conn)
        shown = watch.shown
        if conn.charger.composite_supported is False and watch.accepted is not None:
            reported = offered(conn, watch.accepted.unit)
            if reported is not None:
                watch.reported(reported)
        elif watch.reported_over and watch.accepted is not None:
            now = _now()
            if watch.rechecked is None or now - watch.rechecked >= timedelta(seconds=REVERIFY_S):
                watch.rechecked = now
                self.host.spawn(conn.charger, self._reverify(conn))
        watch.reading(conn.measurements.power_w)
        charger = conn.charger
        if watch.phase_check.reading(conn.measurements.phase_currents) and not (
            charger.phase_switch_ignored
        ):
            charger.phase_switch_ignored = True
            _LOGGER.warning(
                "%s keeps drawing on more phases than the %s it accepted: it is not asked "
                "to switch phases again until it boots",
                charger.charger_id,
                watch.phase_check.asked,
            )
            charger.notify()
        return watch.shown != shown

    async def _reverify(self, conn: Connector) -> None:
        """Read a limit called ignored back again (the charger may follow it now)."""
        watch = self.watch(conn)
        if watch.accepted is None:
            return
        effective = await composite_limit(conn, watch.accepted, self.composite)
        if effective is not None:
            watch.reported(effective)
            conn.notify()

    # ------------------------------------------------------------ core
    def request(self, conn: Connector) -> None:
        """Apply in the background (an expiry, a session start, a new ceiling)."""
        self.host.spawn(conn.charger, self.apply(conn))

    async def _changed(self, conn: Connector) -> LimitResult:
        self.csms.persistence.soon()
        if not conn.charger.connected:
            conn.notify()
            return LimitResult(desired=self._desired(conn), status="offline")
        return await self.apply(conn)

    def _desired(self, conn: Connector, now: datetime | None = None) -> LimitValue | None:
        ceiling = conn.charger.station_limit
        return conn.desired.at(now or _now(), ceiling, self.settings.electrical)

    async def apply(self, conn: Connector, on_time: bool = False) -> LimitResult:
        """Bring the charger in line with the connector's desired limit now.

        ``on_time``: a planned moment (a schedule step, an expiry), never deferred.
        """
        key = (conn.charger.charger_id, conn.connector_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            now = _now()
            if conn.desired.expire(now):
                self.csms.persistence.soon()
                self.csms.site.readings(conn)  # a plan's slot may hand over to the sun
                conn.notify()
            self._arm_timer(conn, conn.desired.next_change(now))
            desired = self._desired(conn, now)
            result = LimitResult(desired=desired)
            if not conn.charger.connected:
                result.status = "offline"
            elif desired is None:
                await self._clear_ours(conn, result)
            else:
                await self._write(conn, desired, now, result, on_time)
            conn.notify()
            return result

    async def _clear_ours(self, conn: Connector, result: LimitResult) -> None:
        commands = conn.charger.require_commands()
        for purpose in (LimitPurpose.TX, LimitPurpose.TX_DEFAULT):
            if self._written.pop((conn.charger.charger_id, conn.connector_id, purpose), None):
                outcome = await commands.clear_charging_profile(
                    profile_id(conn.connector_id, purpose)
                )
                result.sent.append({"cleared": purpose.value, "answer": outcome.value})
                result.status = "cleared"
        conn.charge_limit = None
        self.watch(conn).accepted_limit(None)
        self.watch(conn).effective = None

    async def _write(
        self,
        conn: Connector,
        desired: LimitValue,
        now: datetime,
        result: LimitResult,
        on_time: bool = False,
    ) -> None:
        purpose = LimitPurpose.TX if conn.transaction is not None else LimitPurpose.TX_DEFAULT
        key = (conn.charger.charger_id, conn.connector_id, purpose)
        last = self._written.get(key)
        later, end = upload_steps(conn, now, self.settings.electrical)
        if last is not None and already_there(
            last, desired, later, end, now, conn, self.settings.electrical
        ):
            return  # unchanged (an uploaded schedule steps by itself)
        # Pausing and resuming go at once; bursts of new values wait their turn.
        stop_or_go = last is not None and 0 in (last.limit.value, desired.value)
        if last is not None and not (stop_or_go or on_time) and now - last.at < self.spacing:
            when = last.at + self.spacing
            result.status, result.deferred_until = "deferred", when
            upcoming = conn.desired.next_change(now)  # one timer: whichever comes first
            self._arm_timer(conn, min(when, upcoming) if upcoming else when)
            return
        in_session = purpose is LimitPurpose.TX
        candidates = []
        charger = conn.charger
        if later:  # the whole schedule in one profile, then the limit of now alone
            profile = build_profile(
                conn,
                purpose,
                charger.limit_strategy,
                desired,
                self.settings,
                now,
                conn.measurements.phases,
                later,
                end,
            )
            candidates.append((charger.limit_strategy, profile))
        for strategy in ladder(
            charger.limit_strategy, charger.capabilities, in_session, desired.unit
        ):
            used = purpose if strategy.tx_profile else LimitPurpose.TX_DEFAULT
            profile = build_profile(
                conn, used, strategy, desired, self.settings, now, conn.measurements.phases
            )
            candidates.append((strategy, profile))
        taken = await self.sender.send(conn.charger, candidates, result, conn)
        result.status = "accepted"
        if in_session and taken.purpose is LimitPurpose.TX_DEFAULT:
            # a TxProfile of ours from before would override it: clear it
            tx_id = profile_id(conn.connector_id, LimitPurpose.TX)
            await charger.require_commands().clear_charging_profile(tx_id)
        whole = bool(later) and len(taken.periods) > 1
        if later and not whole:
            charger.schedule_upload = False  # it took one period only: step ourselves
        self._written[key] = Written(desired, now, later if whole else (), end if whole else None)
        await read_back(conn, self.watch(conn), result, self.composite)

    # ------------------------------------------------------------ helpers
    def _arm_timer(self, conn: Connector, when: datetime | None) -> None:
        key = (conn.charger.charger_id, conn.connector_id)
        if (cancel := self._timers.pop(key, None)) is not None:
            cancel()
        if when is not None:
            self._timers[key] = self.host.call_at(when, lambda: self._timer_fired(conn))

    def _timer_fired(self, conn: Connector) -> None:
        self._timers.pop((conn.charger.charger_id, conn.connector_id), None)
        self.host.spawn(conn.charger, self.apply(conn, on_time=True))

    def shutdown(self) -> None:
        """Cancel every timer (Home Assistant stops)."""
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()
