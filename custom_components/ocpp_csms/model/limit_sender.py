"""Sending a limit: down the ladder until the charger takes a profile.

What was written per connector (and what an uploaded schedule still holds), the
later steps of a desired limit worth uploading in one profile, and the ladder's
walk, which remembers the way that worked. ``charging_limit.py`` decides what to
send and when; this module sends it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .commands import CommandError, LimitPurpose, LimitUnit
from .desired_limit import Electrical, LimitValue
from .limit_result import LimitResult, describe
from .profiles import ChargingProfile

if TYPE_CHECKING:
    from .central import Saving
    from .charger import Charger, Connector
    from .limit_check import LimitWatch
    from .limit_host import LimitHost
    from .write_strategy import WriteStrategy

_LOGGER = logging.getLogger(__name__)

MIN_CHANGE_A = 0.5
MIN_CHANGE_W = 100.0
TRANSPORT_FAILURES = {"timeout", "disconnected"}
# A charger answering these has no smart charging at all: no other rung will do.
NOT_THERE = {"NotImplemented", "NotSupported"}
NO_SMART_CHARGING = "NotSupported: the charger reports no smart charging"
# A schedule is uploaded whole only this far ahead, and only to chargers that
# tell how many periods they take.
UPLOAD_HORIZON = timedelta(hours=24)

Steps = tuple[tuple[datetime, LimitValue], ...]


@dataclass(slots=True)
class Written:
    """A limit written to a connector, and when."""

    limit: LimitValue
    at: datetime
    # An uploaded schedule: its later steps (absolute times) and where it ends.
    later: Steps = ()
    end: datetime | None = None


def close(
    in_force: LimitValue, desired: LimitValue, conn: Connector, electrical: Electrical
) -> bool:
    """Tell whether the desired limit is too near the one in force to be worth a profile.

    Only a small rise is: a limit lowered by however little is written, or the
    charger would stay above it (two on a 16 A circuit, each 0.3 A over its share).
    """
    phases = conn.measurements.phases
    if in_force.unit is LimitUnit.WATTS or desired.unit is LimitUnit.WATTS:
        rise = electrical.watts(desired, phases) - electrical.watts(in_force, phases)
        return 0.0 <= rise < MIN_CHANGE_W
    rise = desired.value - in_force.value
    return 0.0 <= rise < MIN_CHANGE_A and in_force.phases == desired.phases


def upload_steps(
    conn: Connector, now: datetime, electrical: Electrical
) -> tuple[Steps, datetime | None]:
    """Return the later steps of the desired limit to upload with it.

    Only where the charger can take them all in one Absolute profile; else
    nothing (Home Assistant steps the limit).
    """
    charger = conn.charger
    most = charger.capabilities.max_periods
    if not most or most < 2 or charger.schedule_upload is False:
        return (), None
    desired, ceiling = conn.desired, charger.station_limit
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


def already_there(
    last: Written,
    desired: LimitValue,
    later: Steps,
    end: datetime | None,
    now: datetime,
    conn: Connector,
    electrical: Electrical,
) -> bool:
    """Tell whether the charger already has this.

    That is the same limit now, and an uploaded schedule that holds every later
    step.
    """
    in_force = last.limit
    for moment, value in last.later:
        if moment <= now:
            in_force = value
    if not close(in_force, desired, conn, electrical):
        return False
    if not later and not last.later:
        return True
    return set(later) <= set(last.later) and end == last.end


class ProfileSender:
    """Walks the ladder of ways to write a profile, and learns what worked."""

    def __init__(
        self,
        host: Callable[[], LimitHost],
        watch: Callable[[Connector], LimitWatch],
        saving: Callable[[], Saving],
    ) -> None:
        """Report to the controller's host, its watches, and the central's saving."""
        self._host = host
        self._watch = watch
        self._saving = saving

    async def send(
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
        host = self._host()
        commands = charger.require_commands()
        if not charger.capabilities.smart_charging:  # its boot probe said so: ask nothing
            host.unworkable(charger, NO_SMART_CHARGING)
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
                    host.unworkable(charger, err.answer)
                    raise
                last_answer = err.answer
                continue
            result.sent.append({**sent, "answer": "Accepted"})
            host.unworkable(charger, None)
            if conn is not None:
                self._worked(charger, strategy, profile.purpose is LimitPurpose.TX)
                period = profile.periods[0]
                conn.charge_limit = LimitValue(period.limit, profile.unit, period.phases)
                self._watch(conn).accepted_limit(conn.charge_limit)
            return profile
        host.unworkable(charger, last_answer)
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
        self._saving().soon()
        _LOGGER.info(
            "%s: charging profiles are written as %s", charger.charger_id, strategy.describe()
        )
