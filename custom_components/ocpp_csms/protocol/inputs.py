"""The edge where charger input enters the model.

Every number is checked to be finite and in range, every timestamp to parse and
to be plausible, and text to be storable. What is refused is counted on the
charger (and logged once per kind); the rest of the message is still used.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from ..model.central import CsmsSettings
from ..model.charger import Charger, ConnectorStatus
from ..model.csms import MeterSample
from ..model.measurements import RESCALED_UNITS, SampledValue, normalise

# Readings beyond this (in W, Wh, A, V, ...) are not measurements but garbage.
MAX_MAGNITUDE = 1e12
# OCPP 1.6 was published in 2015: a charger clock before that is not set.
EARLIEST = datetime(2015, 1, 1, tzinfo=UTC)
ANOMALY_NUMBER = "bad_number"
ANOMALY_TIME_UNPARSABLE = "bad_timestamp"
ANOMALY_TIME_RANGE = "timestamp_out_of_range"
_SURROGATE = re.compile("[\ud800-\udfff]")


def ocpp_now() -> str:
    """Return the time now as OCPP sends it."""
    return ocpp_time(datetime.now(UTC))


def ocpp_time(moment: datetime) -> str:
    """Return a time as OCPP sends it: UTC, whole seconds, with Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def connector_status(value: str) -> ConnectorStatus:
    """'SuspendedEV' -> SUSPENDED_EV; unknown values count as unavailable."""
    snake = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", value).lower()
    try:
        return ConnectorStatus(snake)
    except ValueError:
        return ConnectorStatus.UNAVAILABLE


def may_hold_surrogates(raw: str | bytes) -> bool:
    """Tell whether a frame may hold a lone surrogate (only a backslash-u escape can)."""
    return isinstance(raw, str) and ("\\u" in raw or "\\U" in raw)


def scrub(value: Any) -> Any:
    """Return a parsed frame with each lone surrogate replaced by U+FFFD.

    Home Assistant can neither store nor serve a lone surrogate.
    """
    return _scrub(value)[0]


def _scrub(value: Any) -> tuple[Any, bool]:
    if isinstance(value, str):
        if value.isascii() or not _SURROGATE.search(value):
            return value, False
        return _SURROGATE.sub("\ufffd", value), True
    if isinstance(value, list):
        items = [_scrub(v) for v in value]
        return [v for v, _ in items], any(c for _, c in items)
    if isinstance(value, dict):
        pairs = [(_scrub(k), _scrub(v)) for k, v in value.items()]
        return {k: v for (k, _), (v, _) in pairs}, any(ck or cv for (_, ck), (_, cv) in pairs)
    return value, False


class InputGuard:
    """Checks one charger's input; adapters build one per connection."""

    def __init__(self, charger: Charger, settings: CsmsSettings) -> None:
        """Check input of ``charger`` under the central system's settings."""
        self._charger = charger
        self._settings = settings

    def number(self, value: Any, what: str) -> float | None:
        """Return a finite number within range, or None (counted)."""
        try:
            number = float(value)
        except ValueError, TypeError, OverflowError:
            number = math.nan
        if math.isfinite(number) and abs(number) <= MAX_MAGNITUDE:
            return number
        self._charger.count_anomaly(ANOMALY_NUMBER, f"{what} {str(value)[:40]!r} ignored")
        return None

    def timestamp(self, value: str | None) -> datetime:
        """Return the charger's time, or the time of receipt.

        The time of receipt when the charger's is absent, does not parse, or lies
        far outside what a charger clock can say (counted).
        """
        now = datetime.now(UTC)
        if not value:
            return now
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self._charger.count_anomaly(
                ANOMALY_TIME_UNPARSABLE,
                f"timestamp {value[:40]!r} does not parse; time of receipt used",
            )
            return now
        if parsed.tzinfo is None:  # UTC, or local where its profile says so
            profile = self._charger.profile
            local = profile is not None and profile.local_timestamps
            parsed = parsed.replace(tzinfo=self._settings.time_zone if local else UTC)
        latest = now + timedelta(seconds=self._settings.clock_tolerance_s)
        if not EARLIEST <= parsed <= latest:
            self._charger.count_anomaly(
                ANOMALY_TIME_RANGE,
                f"timestamp {value[:40]!r} is not plausible (is the charger's clock set?); "
                "time of receipt used",
            )
            return now
        return parsed

    def meter_samples(self, meter_value: list[dict[str, Any]]) -> list[MeterSample]:
        """Translate meterValue entries of any version, as the charger sent them (camelCase).

        Signed values are skipped; values that are not finite numbers are refused.
        """
        return [
            MeterSample(self.timestamp(entry.get("timestamp")), self._values(entry))
            for entry in meter_value
        ]

    def _values(self, entry: dict[str, Any]) -> list[SampledValue]:
        # Ten of these per message: the common case (a number in a base unit) is
        # read inline, anything else goes through number() and normalise().
        values: list[SampledValue] = []
        for sv in entry.get("sampledValue", ()):
            get = sv.get
            if get("format") == "SignedData":
                continue
            measurand = get("measurand") or "Energy.Active.Import.Register"
            unit = get("unit")
            multiplier = 0
            if unit is None and type(uom := get("unitOfMeasure")) is dict:
                unit = uom.get("unit")
                multiplier = uom.get("multiplier", 0)
            raw = get("value")
            try:
                number = float(raw)
            except ValueError, TypeError, OverflowError:
                number = math.nan
            if not -MAX_MAGNITUDE <= number <= MAX_MAGNITUDE:  # also NaN
                self.number(raw, measurand)  # counted and logged there
                continue
            if (
                multiplier
                or unit in RESCALED_UNITS
                or (unit is None and measurand.startswith("Energy"))
            ):
                scaled = self._scaled(measurand, number, unit, multiplier)
                if scaled is None:
                    continue
                number, unit = scaled
            values.append(
                SampledValue(measurand, number, unit, get("phase"), get("location"), get("context"))
            )
        return values

    def _scaled(
        self, measurand: str, raw: float, unit: str | None, multiplier: Any
    ) -> tuple[float, str | None] | None:
        """Return the value in its base unit, or None if that is no number (counted)."""
        try:
            scaled, unit = normalise(measurand, raw, unit)
            if multiplier:
                scaled *= 10.0 ** int(multiplier)
        except ValueError, TypeError, OverflowError:
            scaled = math.nan
        # raw is checked already; only a scaled value needs checking again
        value = raw if scaled == raw else self.number(scaled, measurand)
        return None if value is None else (value, unit)
