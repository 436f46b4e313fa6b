"""Charging profiles and composite schedules as the model sees them.

Whatever the OCPP version: the adapters translate them to and from their own
messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .commands import LimitPurpose, LimitUnit


class ProfileKind(StrEnum):
    """What a profile's periods count from."""

    ABSOLUTE = "Absolute"  # periods count from startSchedule
    RELATIVE = "Relative"  # periods count from the start of the transaction (or now)


@dataclass(frozen=True, slots=True)
class SchedulePeriod:
    """A period: from ``start_s`` seconds after the schedule's start on, ``limit``.

    At most ``limit`` (negative: discharge up to it, OCPP 2.1 V2X), on ``phases``
    phases if given.
    """

    start_s: int
    limit: float
    phases: int | None = None
    phase_to_use: int | None = None  # 2.x: the charger's phase, on one phase


@dataclass(frozen=True, slots=True)
class ChargingProfile:
    """A charging profile, whatever the OCPP version."""

    profile_id: int
    connector_id: int  # 0: the whole charger
    purpose: LimitPurpose
    stack_level: int
    kind: ProfileKind
    unit: LimitUnit
    periods: tuple[SchedulePeriod, ...]
    start: datetime | None = None  # Absolute profiles only, in UTC
    transaction_id: str | None = None  # TxProfile only
    duration_s: int | None = None  # after this the profile no longer limits


@dataclass(frozen=True, slots=True)
class CompositeSchedule:
    """What the charger says it will apply: periods from ``start`` on."""

    connector_id: int
    start: datetime
    duration_s: int
    unit: LimitUnit
    periods: tuple[SchedulePeriod, ...]

    def period_at(self, moment: datetime) -> SchedulePeriod | None:
        """Return the period in force at ``moment``."""
        found = None
        for period in self.periods:
            if self.start + timedelta(seconds=period.start_s) <= moment:
                found = period
        return found
