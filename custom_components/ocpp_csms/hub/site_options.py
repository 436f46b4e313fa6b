"""The "site" section of the central system's options, typed.

Every field is optional: without a grid sensor and a main fuse there is no load
management, and without a grid power sensor no solar mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry

from ..const import (
    CONF_BATTERY_FIRST_SOC,
    CONF_BATTERY_POWER,
    CONF_BATTERY_SOC,
    CONF_DISABLE_DELAY,
    CONF_ENABLE_DELAY,
    CONF_FEED_IN_PRICE,
    CONF_GRID_CURRENTS,
    CONF_GRID_EXPORT,
    CONF_GRID_IMPORT,
    CONF_GRID_POWER,
    CONF_MAIN_FUSE,
    CONF_MAIN_FUSE_PHASES,
    CONF_PHASE_INTERVAL,
    CONF_PHASE_MARGIN,
    CONF_RESUME_HOLD,
    CONF_SAFE_LIMIT,
    CONF_SENSOR_TIMEOUT,
    CONF_SOLAR_THRESHOLD,
    SUBENTRY_CIRCUIT,
)
from ..model.circuits import Circuit, Circuits
from ..model.phase_switch import PhaseTiming
from ..model.solar import SolarTiming

# option: (default, smallest, largest), whole numbers
SITE_RANGES: dict[str, tuple[int, int, int]] = {
    CONF_MAIN_FUSE_PHASES: (3, 1, 3),
    CONF_SENSOR_TIMEOUT: (60, 5, 3600),
    CONF_ENABLE_DELAY: (60, 0, 3600),
    CONF_DISABLE_DELAY: (180, 0, 3600),
    CONF_SOLAR_THRESHOLD: (0, 0, 100000),
    CONF_RESUME_HOLD: (60, 0, 3600),
    CONF_PHASE_MARGIN: (500, 0, 100000),
    CONF_PHASE_INTERVAL: (300, 0, 3600),
}


def _entity(options: Mapping[str, Any], key: str) -> str | None:
    value = options.get(key)
    return value if isinstance(value, str) and "." in value else None


def _whole(options: Mapping[str, Any], key: str) -> int:
    default, low, high = SITE_RANGES[key]
    try:
        return min(high, max(low, int(options.get(key, default))))
    except TypeError, ValueError:
        return default


def _positive(options: Mapping[str, Any], key: str) -> float | None:
    try:
        value = float(options[key])
    except KeyError, TypeError, ValueError:
        return None
    return value if value > 0 else None


@dataclass(frozen=True, slots=True)
class SiteOptions:
    """The house's connection, as the user set it up."""

    grid_power: str | None = None  # sensor: + import, - export
    grid_import: str | None = None  # or two sensors, both positive
    grid_export: str | None = None
    grid_currents: tuple[str, ...] = ()  # three sensors (L1, L2, L3), or none
    main_fuse_a: float | None = None
    main_fuse_phases: int = 3
    battery_power: str | None = None  # + while it charges
    battery_soc: str | None = None
    battery_first_soc: float | None = None  # the battery charges first up to this %
    sensor_timeout: timedelta = timedelta(seconds=60)
    safe_limit_a: float | None = None  # None: the fuse's share
    solar: SolarTiming = field(default_factory=SolarTiming)
    resume_hold: timedelta = timedelta(seconds=60)
    phases: PhaseTiming = field(default_factory=PhaseTiming)
    feed_in_price: str | None = None  # an entity: the price per kWh of exported energy
    circuits: Circuits = field(default_factory=Circuits)  # the entry's circuit subentries

    @classmethod
    def parse(cls, options: Mapping[str, Any]) -> SiteOptions:
        """Read the stored options; what is missing or unreadable is not set."""
        currents = tuple(e for key in CONF_GRID_CURRENTS if (e := _entity(options, key)))
        return cls(
            grid_power=_entity(options, CONF_GRID_POWER),
            grid_import=_entity(options, CONF_GRID_IMPORT),
            grid_export=_entity(options, CONF_GRID_EXPORT),
            grid_currents=currents if len(currents) == len(CONF_GRID_CURRENTS) else (),
            main_fuse_a=_positive(options, CONF_MAIN_FUSE),
            main_fuse_phases=_whole(options, CONF_MAIN_FUSE_PHASES),
            battery_power=_entity(options, CONF_BATTERY_POWER),
            battery_soc=_entity(options, CONF_BATTERY_SOC),
            battery_first_soc=_positive(options, CONF_BATTERY_FIRST_SOC),
            sensor_timeout=timedelta(seconds=_whole(options, CONF_SENSOR_TIMEOUT)),
            safe_limit_a=_positive(options, CONF_SAFE_LIMIT),
            solar=SolarTiming(
                enable_delay=timedelta(seconds=_whole(options, CONF_ENABLE_DELAY)),
                disable_delay=timedelta(seconds=_whole(options, CONF_DISABLE_DELAY)),
                threshold_w=float(_whole(options, CONF_SOLAR_THRESHOLD)),
            ),
            resume_hold=timedelta(seconds=_whole(options, CONF_RESUME_HOLD)),
            feed_in_price=_entity(options, CONF_FEED_IN_PRICE),
            phases=PhaseTiming(
                margin_w=float(_whole(options, CONF_PHASE_MARGIN)),
                interval=timedelta(seconds=_whole(options, CONF_PHASE_INTERVAL)),
            ),
        )

    @property
    def has_grid_power(self) -> bool:
        """Tell whether the grid's power is known (one sensor, or import and export)."""
        return self.grid_power is not None or (
            self.grid_import is not None and self.grid_export is not None
        )

    @property
    def load_management(self) -> bool:
        """Tell whether the fuse is shared: a main fuse and a grid sensor."""
        return self.main_fuse_a is not None and (self.has_grid_power or bool(self.grid_currents))

    @property
    def solar_modes(self) -> bool:
        """Tell whether the solar modes can work (they need the grid's power)."""
        return self.has_grid_power

    @property
    def grid_sensors(self) -> tuple[str, ...]:
        """Every grid sensor set up (each must stay fresh)."""
        power = (self.grid_power, self.grid_import, self.grid_export)
        return tuple(e for e in power if e is not None) + self.grid_currents

    @property
    def sensors(self) -> tuple[str, ...]:
        """Every sensor the controller follows."""
        battery = tuple(e for e in (self.battery_power, self.battery_soc) if e is not None)
        return self.grid_sensors + battery


def circuits_of(entry: ConfigEntry) -> Circuits:
    """Return the circuits of the CSMS entry's subentries (those without a limit: none)."""
    items = []
    for subentry in entry.subentries.values():
        if subentry.subentry_type != SUBENTRY_CIRCUIT:
            continue
        data = subentry.data
        limit = _positive(data, "limit")
        if limit is None:
            continue
        items.append(
            Circuit(
                key=subentry.subentry_id,
                name=str(data.get("name") or subentry.title),
                limit_a=limit,
                parent=data.get("parent") or None,
                members=tuple(str(m) for m in data.get("members") or ()),
            )
        )
    return Circuits(tuple(items))
