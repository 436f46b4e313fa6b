"""What a charger tells of itself: its boot identity and its capabilities.

Plain values the charger, its profile and the adapters share; nothing here knows
the charger.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(slots=True)
class ChargerIdentity:
    """What a charger tells of itself at boot."""

    vendor: str | None = None
    model: str | None = None
    serial_number: str | None = None
    firmware_version: str | None = None
    meter_type: str | None = None
    meter_serial_number: str | None = None


@dataclass(slots=True, frozen=True)
class Capabilities:
    """What the charger told us it can do."""

    smart_charging: bool = True
    charging_rate_units: tuple[str, ...] = ("A", "W")
    max_profile_stack_level: int | None = None
    max_periods: int | None = None  # per charging schedule
    max_profiles: int | None = None  # installed at once
    phase_switching: bool | None = None  # 3 to 1 phase
    phase_to_use: bool = False  # 2.x ACPhaseSwitchingSupported: it takes phaseToUse
    bidirectional: bool = False
    local_auth_list: bool | None = None  # takes SendLocalList (None: not asked)
    local_list_max: int | None = None  # entries per SendLocalList


CAPABILITY_FIELDS = {f.name for f in fields(Capabilities)}
