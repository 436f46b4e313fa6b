"""Typed measurements of a connector, and unit normalisation for sampled values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Measurands whose value is an energy register (Wh based, normalised to kWh).
ENERGY_IMPORT_REGISTER = "Energy.Active.Import.Register"

_SCALE = {"kW": 1000.0, "kWh": 1000.0, "kvar": 1000.0, "kvarh": 1000.0, "kVA": 1000.0}
# The units normalise() changes (with a unitless energy reading, which becomes Wh).
RESCALED_UNITS = frozenset(_SCALE) | {"Fahrenheit", "K"}


@dataclass(slots=True)
class SampledValue:
    """One sampled value, normalised: power in W, energy in Wh, temperature in degC.

    Not frozen (a frozen dataclass costs six times as much to make, and ten are
    made per message); nothing changes one after the input guard made it.
    """

    measurand: str
    value: float
    unit: str | None
    phase: str | None = None
    location: str | None = None
    context: str | None = None


def normalise(measurand: str, value: float, unit: str | None) -> tuple[float, str | None]:
    """Return the value in the base unit of its kind (W, Wh, var, varh, degC)."""
    if unit in _SCALE:
        return value * _SCALE[unit], unit[1:]
    if unit == "Fahrenheit":
        return (value - 32.0) * 5.0 / 9.0, "Celsius"
    if unit == "K":
        return value - 273.15, "Celsius"
    if unit is None and measurand.startswith("Energy"):
        return value, "Wh"
    return value, unit


_TOTAL_FIELDS = {
    "Power.Active.Import": "power_w",
    "Current.Import": "current_a",
    "Voltage": "voltage_v",
    "Current.Offered": "current_offered_a",
    "Power.Offered": "power_offered_w",
    "SoC": "soc_pct",
    "Temperature": "temperature_c",
    "Frequency": "frequency_hz",
}


_SHOWN_LOCATIONS = frozenset({None, "Outlet", "Cable", "EV"})


@dataclass(slots=True)
class Measurements:
    """The latest typed values of one connector; None where never reported."""

    power_w: float | None = None
    current_a: float | None = None
    voltage_v: float | None = None
    current_offered_a: float | None = None
    power_offered_w: float | None = None
    soc_pct: float | None = None
    temperature_c: float | None = None
    frequency_hz: float | None = None
    phases: int | None = None  # how many phases Current.Import is reported on
    # Current.Import per phase of the charger (1, 2, 3: its L1, L2, L3)
    phase_currents: dict[int, float] = field(default_factory=dict)
    # Everything reported, keyed "measurand[/phase][@location]", for diagnostics.
    raw: dict[str, SampledValue] = field(default_factory=dict)
    timestamp: datetime | None = None

    def apply(self, samples: list[SampledValue], timestamp: datetime | None) -> None:
        """Fold a batch of sampled values into the typed fields."""
        raw = self.raw
        totals: dict[str, float] = {}
        phases: dict[str, dict[str, float]] = {}
        for s in samples:
            measurand, phase, location = s.measurand, s.phase, s.location
            if phase is None and location is None:  # the common case: a total
                raw[measurand] = s
                totals[measurand] = s.value
                continue
            key = measurand + (f"/{phase}" if phase else "")
            key += f"@{location}" if location else ""
            raw[key] = s
            if location not in _SHOWN_LOCATIONS:
                continue  # Inlet / Body readings are kept in raw only
            if phase:
                phases.setdefault(measurand, {})[phase] = s.value
            else:
                totals[measurand] = s.value
        for measurand, value in totals.items():
            if (attr := _TOTAL_FIELDS.get(measurand)) is not None:
                setattr(self, attr, value)
        # Without a total, derive one from the phases.
        if "Power.Active.Import" not in totals and "Power.Active.Import" in phases:
            self.power_w = sum(phases["Power.Active.Import"].values())
        if "Current.Import" in phases:
            self.phases = len(phases["Current.Import"])
            self.phase_currents = {
                int(p[1]): abs(v)
                for p, v in phases["Current.Import"].items()
                if len(p) > 1 and p[0] == "L" and p[1] in "123"
            }
        if "Current.Import" not in totals and "Current.Import" in phases:
            self.current_a = max(phases["Current.Import"].values())
        if "Voltage" not in totals and "Voltage" in phases:
            by_phase = phases["Voltage"]
            line_to_neutral = [v for p, v in by_phase.items() if p.endswith("-N")]
            self.voltage_v = max(line_to_neutral or by_phase.values())
        if timestamp is not None:
            self.timestamp = timestamp

    def reset_flow(self) -> None:
        """Clear values that describe an ongoing flow (after a session ends)."""
        self.power_w = 0.0 if self.power_w is not None else None
        self.current_a = 0.0 if self.current_a is not None else None
        self.phase_currents = dict.fromkeys(self.phase_currents, 0.0)
