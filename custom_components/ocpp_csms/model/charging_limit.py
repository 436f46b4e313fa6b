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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .commands import CommandError, LimitPurpose, LimitUnit
from .desired_limit import LimitValue
from .errors import InvalidCommand
from .limit_check import EffectiveLimit, LimitSource, LimitWatch
from .limit_host import LimitHost, NoHost
from .limit_result import LimitResult, describe, offered
from .limit_writer import WriteSettings, WriteStrategy, build_profile, ladder, profile_id
from .profiles import ChargingProfile, CompositeSchedule

if TYPE_CHECKING:
    from .charger import Charger, Connector
    from .csms import Csms

_LOGGER = logging.getLogger(__name__)

VERIFY_DURATION_S = 300
RECHECK_S = 2.0  # a composite schedule above the accepted limit is read again after this
# A limit called ignored is read back again, with the meter values, at most this often:
# a charger that follows it later is no longer flagged.
REVERIFY_S = 60.0
STATION_LIMIT_SPACING = timedelta(seconds=60)
MIN_CHANGE_A = 0.5
MIN_CHANGE_W = 100.0
TRANSPORT_FAILURES = {"timeout", "disconnected"}
# CALLERRORs that say the charger has no smart charging at all: the ladder ends
NOT_THERE = {"NotImplemented", "NotSupported"}
NO_SMART_CHARGING = "NotSupported: the charger reports no smart charging"


@dataclass(slots=True)
class _Written:
    limit: LimitValue
    at: datetime
    # An uploaded schedule: its later steps (absolute times) and where it ends.
    later: tuple[tuple[datetime, LimitValue], ...] = ()
    end: datetime | None = None


# A schedule is uploaded whole only this far ahead, and only to chargers that
# tell how many periods they take.
UPLOAD_HORIZON = timedelta(hours=24)


def _now() -> datetime:
    return datetime.now(UTC)


def _allowed(conn: Connector, limits: list[LimitValue | None]) -> None:
    """Negative limits (discharging) only where the charger supports them."""
    if not conn.charger.capabilities.bidirectional and any(
        limit is not None and limit.value < 0 for limit in limits
    ):
        raise InvalidCommand("negative limits need a charger that supports discharging")


class LimitController:
    """Turns each connector's desired limit into profiles the charger applies."""

    def __init__(self, csms: Csms) -> None:
        """Start with no host (tests and the model alone) and default settings."""
        self._csms = csms
        self.host: LimitHost = NoHost()
        self.settings = WriteSettings()
        self.spacing = timedelta(seconds=10)
        self._written: dict[tuple[str, int, LimitPurpose], _Written] = {}
        self._timers: dict[tuple[str, int], Callable[[], None]] = {}
        self._locks: dict[tuple[str, int], asyncio.Lock] = {}
        self._station_written: dict[str, datetime] = {}

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

    async def set_station_limit(self, charger: Charger, limit: LimitValue | None) -> LimitResult:
        """Set the installer's ceiling for the whole charger.

        It is a ChargePointMax / ChargingStationMax profile, written at most once a
        minute (it wears the charger's flash).
        """
        last = self._station_written.get(charger.charger_id)
        if last is not None and _now() - last < STATION_LIMIT_SPACING:
            raise InvalidCommand(
                "the station limit was changed less than a minute ago", "at most once a minute"
            )
        charger.station_limit = limit
        self._csms.persistence.soon()
        result = LimitResult(desired=limit)
        commands = charger.require_commands()
        self._station_written[charger.charger_id] = _now()
        profile = charger.profile
        if profile is not None and profile.station_max_profile is False:
            # documented to reject it: the ceiling holds through each connector's limit
            result.status = "cleared" if limit is None else "accepted"
        elif limit is None:
            await commands.clear_charging_profile(profile_id(0, LimitPurpose.STATION_MAX))
            result.status = "cleared"
        else:
            anchor = next(iter(charger.connectors.values()), None)
            if anchor is None:
                raise InvalidCommand("the charger has reported no connector yet")
            await self._send(charger, self._station_candidates(anchor, limit), result)
            result.status = "accepted"
        for conn in charger.connectors.values():
            self.request(conn)
        return result

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
            candidates = self._station_candidates(anchor, charger.station_limit)
            await self._send(charger, candidates, LimitResult(charger.station_limit))
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
            self._csms.persistence.soon()
        self.host.spawn(conn.charger, self._end_session(conn))

    async def _end_session(self, conn: Connector) -> None:
        key = (conn.charger.charger_id, conn.connector_id, LimitPurpose.TX)
        if self._written.pop(key, None) is not None:
            commands = conn.charger.require_commands()
            await commands.clear_charging_profile(profile_id(conn.connector_id, LimitPurpose.TX))
        await self.apply(conn)

    def meter_values(self, conn: Connector) -> None:
        """Check a reading against the limit the charger should apply.

        Follow Current/Power.Offered where the charger tells no composite schedule,
        and check the draw (the connector notifies after).
        """
        watch = self.watch(conn)
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

    async def _reverify(self, conn: Connector) -> None:
        """Read a limit called ignored back again (the charger may follow it now)."""
        watch = self.watch(conn)
        if watch.accepted is None:
            return
        effective = await self._composite_limit(conn, watch.accepted)
        if effective is not None:
            watch.reported(effective)
            conn.notify()

    # ------------------------------------------------------------ core
    def request(self, conn: Connector) -> None:
        """Apply in the background (an expiry, a session start, a new ceiling)."""
        self.host.spawn(conn.charger, self.apply(conn))

    async def _changed(self, conn: Connector) -> LimitResult:
        self._csms.persistence.soon()
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
                self._csms.persistence.soon()
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
        later, end = self._upload(conn, now)
        if last is not None and self._same(last, desired, later, end, now, conn):
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
        taken = await self._send(conn.charger, candidates, result, conn)
        result.status = "accepted"
        if in_session and taken.purpose is LimitPurpose.TX_DEFAULT:
            # a TxProfile of ours from before would override it: clear it
            tx_id = profile_id(conn.connector_id, LimitPurpose.TX)
            await charger.require_commands().clear_charging_profile(tx_id)
        whole = bool(later) and len(taken.periods) > 1
        if later and not whole:
            charger.schedule_upload = False  # it took one period only: step ourselves
        self._written[key] = _Written(desired, now, later if whole else (), end if whole else None)
        await self._verify(conn, result)

    def _upload(
        self, conn: Connector, now: datetime
    ) -> tuple[tuple[tuple[datetime, LimitValue], ...], datetime | None]:
        """Return the later steps of the desired limit to upload with it.

        Only where the charger can take them all in one Absolute profile; else
        nothing (Home Assistant steps the limit).
        """
        charger = conn.charger
        most = charger.capabilities.max_periods
        if not most or most < 2 or charger.schedule_upload is False:
            return (), None
        desired, ceiling = conn.desired, charger.station_limit
        electrical = self.settings.electrical
        current = desired.at(now, ceiling, electrical)
        steps: list[tuple[datetime, LimitValue]] = []
        end = None
        for moment in desired.boundaries(now):
            if moment - now > UPLOAD_HORIZON:
                return (), None
            value = desired.at(moment, ceiling, electrical)
            if value is None:
                end = moment
                break
            if value != current:
                steps.append((moment, value))
                current = value
        if len(steps) + 1 > most:
            return (), None
        return tuple(steps), end  # no steps left: the end still tells what was uploaded

    def _same(
        self,
        last: _Written,
        desired: LimitValue,
        later: tuple[tuple[datetime, LimitValue], ...],
        end: datetime | None,
        now: datetime,
        conn: Connector,
    ) -> bool:
        """Tell whether the charger already has this.

        That is the same limit now, and an uploaded schedule that holds every
        later step.
        """
        in_force = last.limit
        for moment, value in last.later:
            if moment <= now:
                in_force = value
        if not self._close(in_force, desired, conn):
            return False
        if not later and not last.later:
            return True
        return set(later) <= set(last.later) and end == last.end

    def _station_candidates(
        self, anchor: Connector, limit: LimitValue
    ) -> list[tuple[WriteStrategy, ChargingProfile]]:
        charger = anchor.charger
        strategies = ladder(charger.limit_strategy, charger.capabilities, False, limit.unit)
        return [
            (s, build_profile(anchor, LimitPurpose.STATION_MAX, s, limit, self.settings, _now()))
            for s in strategies
        ]

    async def _send(
        self,
        charger: Charger,
        candidates: list[tuple[WriteStrategy, ChargingProfile]],
        result: LimitResult,
        conn: Connector | None = None,
    ) -> ChargingProfile:
        """Walk the ladder until the charger takes a profile, and return it.

        For a connector's profile, remember the way that worked. Raises
        CommandError when none did.
        """
        commands = charger.require_commands()
        if not charger.capabilities.smart_charging:  # its boot probe said so: ask nothing
            self.host.unworkable(charger, NO_SMART_CHARGING)
            raise CommandError("SetChargingProfile", NO_SMART_CHARGING)
        last_answer = "Rejected"
        for strategy, profile in candidates:
            sent = describe(profile)
            try:
                await commands.set_charging_profile(profile)
            except CommandError as err:
                result.sent.append({**sent, "answer": err.answer})
                if err.answer in TRANSPORT_FAILURES:
                    raise
                if err.answer.split(":")[0] in NOT_THERE:  # no other way will do either
                    charger.update_capabilities(smart_charging=False)
                    self.host.unworkable(charger, err.answer)
                    raise
                last_answer = err.answer
                continue
            result.sent.append({**sent, "answer": "Accepted"})
            self.host.unworkable(charger, None)
            if conn is not None:
                self._worked(charger, strategy, profile.purpose is LimitPurpose.TX)
                period = profile.periods[0]
                conn.charge_limit = LimitValue(period.limit, profile.unit, period.phases)
                self.watch(conn).accepted_limit(conn.charge_limit)
            return profile
        self.host.unworkable(charger, last_answer)
        raise CommandError("SetChargingProfile", last_answer)

    def _worked(self, charger: Charger, strategy: WriteStrategy, as_tx: bool) -> None:
        """Remember a way down the ladder once it was needed twice in a row.

        One rejection can be passing (a TxProfile for a session the charger lost
        while Home Assistant was down) and must not teach a worse way for good.
        A write outside a session (``as_tx`` False) says nothing of TxProfiles: it
        does not clear a candidate that differs in them (else a charger rejecting
        TxProfiles is asked with one at every session).
        """
        if strategy == charger.limit_strategy:
            candidate = charger.strategy_candidate
            if as_tx or candidate is None or candidate.tx_profile == strategy.tx_profile:
                charger.strategy_candidate = None
            return
        if charger.strategy_candidate != strategy:
            charger.strategy_candidate = strategy
            return
        charger.limit_strategy, charger.strategy_candidate = strategy, None
        self._csms.persistence.soon()
        _LOGGER.info(
            "%s: charging profiles are written as %s", charger.charger_id, strategy.describe()
        )

    async def _verify(self, conn: Connector, result: LimitResult) -> None:
        watch = self.watch(conn)
        accepted = watch.accepted
        if accepted is None:
            return
        effective = await self._composite_limit(conn, accepted)
        if effective is not None and watch.over(effective):
            # Many chargers put an accepted profile in force a moment later: ask
            # once more before calling the limit ignored.
            await asyncio.sleep(RECHECK_S)
            effective = await self._composite_limit(conn, accepted) or effective
        if effective is None:
            effective = offered(conn, accepted.unit) or EffectiveLimit(
                accepted.value, accepted.unit, LimitSource.DESIRED
            )
        watch.reported(effective)
        result.effective = effective

    async def _composite_limit(
        self, conn: Connector, accepted: LimitValue
    ) -> EffectiveLimit | None:
        """Return the limit the charger's composite schedule has in force now."""
        charger = conn.charger
        if charger.composite_supported is False:
            return None
        try:
            schedule = await self.composite(conn, VERIFY_DURATION_S, accepted.unit)
        except CommandError as err:
            if err.answer in TRANSPORT_FAILURES:
                raise
            charger.composite_supported = False
            return None
        charger.composite_supported = True
        period = schedule.period_at(_now())
        if period is None and schedule.periods:
            period = schedule.periods[0]  # the charger's clock is a little behind
        if period is None:
            return None
        return EffectiveLimit(period.limit, schedule.unit, LimitSource.COMPOSITE)

    # ------------------------------------------------------------ helpers
    def _close(self, a: LimitValue, b: LimitValue, conn: Connector) -> bool:
        electrical = self.settings.electrical
        phases = conn.measurements.phases
        if a.unit is LimitUnit.WATTS or b.unit is LimitUnit.WATTS:
            return abs(electrical.watts(a, phases) - electrical.watts(b, phases)) < MIN_CHANGE_W
        return abs(a.value - b.value) < MIN_CHANGE_A and a.phases == b.phases

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
