"""How a desired limit becomes a charging profile this charger takes.

Each charger remembers the way of writing that worked (``WriteStrategy``). When
the charger rejects a profile, the ladder tries, in turn: lower stack levels (down
to what the charger allows), a Relative profile instead of an Absolute one, the
TxDefaultProfile instead of the TxProfile, and the other unit. K01 holds for
every profile: one period starting at 0, the transaction for a TxProfile, an
Absolute profile starting 60 s in the past (a slow charger clock must not delay
it), times in UTC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .commands import LimitPurpose, LimitUnit
from .desired_limit import Electrical, LimitValue
from .profiles import ChargingProfile, ProfileKind, SchedulePeriod
from .write_strategy import WriteStrategy

if TYPE_CHECKING:
    from .charger import Connector
    from .identity import Capabilities

PROFILE_ID_BASE = 7100
STATION_PROFILE_ID = PROFILE_ID_BASE  # connector ids start at 1, so no clash
LOWER_STACK_LEVELS = (3, 1, 0)
ABSOLUTE_START_BACKDATE = timedelta(seconds=60)


def profile_id(connector_id: int, purpose: LimitPurpose) -> int:
    """Stable per connector and purpose, so a new limit replaces the previous one."""
    if purpose is LimitPurpose.STATION_MAX:
        return STATION_PROFILE_ID
    return PROFILE_ID_BASE + connector_id * 2 + (1 if purpose is LimitPurpose.TX else 0)


def unit_for(strategy: WriteStrategy, caps: Capabilities, given: LimitUnit) -> LimitUnit:
    """Return the unit to send.

    What worked before, else the limit's own unit where the charger takes it,
    else the other (converted, with numberPhases).
    """
    if strategy.unit is not None:
        return strategy.unit
    if given.value in caps.charging_rate_units:
        return given
    return LimitUnit.WATTS if given is LimitUnit.AMPS else LimitUnit.AMPS


def ladder(
    start: WriteStrategy, caps: Capabilities, in_session: bool, given: LimitUnit
) -> list[WriteStrategy]:
    """Return the strategies to try, in order, starting with the one that worked before."""
    first = start
    if (
        caps.max_profile_stack_level is not None
        and first.stack_level > caps.max_profile_stack_level
    ):
        first = replace(first, stack_level=max(0, caps.max_profile_stack_level))
    steps = [first]
    current = first
    for level in LOWER_STACK_LEVELS:
        if level < current.stack_level:
            current = replace(current, stack_level=level)
            steps.append(current)
    if current.kind is ProfileKind.ABSOLUTE:
        current = replace(current, kind=ProfileKind.RELATIVE)
        steps.append(current)
    if in_session and current.tx_profile:
        current = replace(current, tx_profile=False)
        steps.append(current)
    used = unit_for(current, caps, given)
    other = LimitUnit.WATTS if used is LimitUnit.AMPS else LimitUnit.AMPS
    steps.append(replace(current, unit=other))
    return steps


@dataclass(frozen=True, slots=True)
class WriteSettings:
    """The options that shape written limits: conversion and the minimum current."""

    electrical: Electrical = field(default_factory=Electrical)
    minimum_amps: float = 6.0  # below it a charger cannot charge (IEC 61851)
    below_minimum_pauses: bool = True  # else rounds up to the minimum


def send_value(
    limit: LimitValue, unit: LimitUnit, phases: int | None, settings: WriteSettings
) -> tuple[float, int | None]:
    """Return the number to put in the profile (one decimal), and numberPhases.

    numberPhases is sent always when converting; else only when the limit named
    its phases.
    """
    amps = settings.electrical.amps(limit, phases)
    if 0 < amps < settings.minimum_amps:
        amps = 0.0 if settings.below_minimum_pauses else settings.minimum_amps
    use_phases = limit.phases or phases or settings.electrical.phases
    volts = settings.electrical.voltage
    value = amps if unit is LimitUnit.AMPS else amps * volts * use_phases
    send_phases = limit.phases if unit is limit.unit else use_phases
    return round(value, 1), send_phases


def _to_use(limit: LimitValue, phases: int | None) -> int | None:
    """Return the phase to use where the limit is on one phase and names it."""
    return limit.phase_to_use if phases == 1 else None


def build_profile(
    conn: Connector,
    purpose: LimitPurpose,
    strategy: WriteStrategy,
    limit: LimitValue,
    settings: WriteSettings,
    now: datetime,
    phases: int | None = None,
    later: tuple[tuple[datetime, LimitValue], ...] = (),
    end: datetime | None = None,
) -> ChargingProfile:
    """One period, or (``later`` steps, ``end``) a whole schedule, Absolute only."""
    unit = unit_for(strategy, conn.charger.capabilities, limit.unit)
    value, send_phases = send_value(limit, unit, phases, settings)
    tx = conn.transaction if purpose is LimitPurpose.TX else None
    absolute = strategy.kind is ProfileKind.ABSOLUTE or bool(later)
    # whole seconds, as the start goes out; a step never starts early
    start = (now - ABSOLUTE_START_BACKDATE).replace(microsecond=0)
    periods = [SchedulePeriod(0, value, send_phases, _to_use(limit, send_phases))]
    for moment, step in later:
        step_value, step_phases = send_value(step, unit, phases, settings)
        offset = math.ceil((moment - start).total_seconds())
        periods.append(SchedulePeriod(offset, step_value, step_phases, _to_use(step, step_phases)))
    return ChargingProfile(
        profile_id=profile_id(conn.connector_id, purpose),
        connector_id=conn.connector_id if purpose is not LimitPurpose.STATION_MAX else 0,
        purpose=purpose,
        stack_level=strategy.stack_level,
        kind=ProfileKind.ABSOLUTE if absolute else strategy.kind,
        unit=unit,
        periods=tuple(periods),
        start=start if absolute else None,
        transaction_id=tx.transaction_id if tx is not None else None,
        duration_s=math.ceil((end - start).total_seconds()) if end is not None else None,
    )
