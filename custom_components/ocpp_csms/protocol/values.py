"""Small translations shared by the version adapters."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from ..model.charger import ConnectorStatus
from ..model.csms import MeterSample
from ..model.measurements import SampledValue, normalise


def parse_time(value: str | None) -> datetime:
    """An OCPP timestamp as an aware datetime; now when absent or unreadable."""
    if value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)


def ocpp_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def connector_status(value: str) -> ConnectorStatus:
    """'SuspendedEV' -> SUSPENDED_EV; unknown values count as unavailable."""
    snake = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", value).lower()
    try:
        return ConnectorStatus(snake)
    except ValueError:
        return ConnectorStatus.UNAVAILABLE


def meter_samples(meter_value: list[dict[str, Any]], values_key: str) -> list[MeterSample]:
    """Translate (snake_case) meterValue entries; signed or unparsable values are skipped."""
    samples = []
    for entry in meter_value:
        values = []
        for sv in entry.get(values_key, []):
            if sv.get("format") == "SignedData":
                continue
            measurand = sv.get("measurand") or "Energy.Active.Import.Register"
            unit = sv.get("unit")
            if unit is None and isinstance(sv.get("unit_of_measure"), dict):
                unit = sv["unit_of_measure"].get("unit")
                multiplier = sv["unit_of_measure"].get("multiplier", 0)
            else:
                multiplier = 0
            try:
                value, unit = normalise(measurand, str(sv["value"]), unit)
            except KeyError, ValueError:
                continue
            values.append(
                SampledValue(
                    measurand=measurand,
                    value=value * (10**multiplier),
                    unit=unit,
                    phase=sv.get("phase"),
                    location=sv.get("location"),
                    context=sv.get("context"),
                )
            )
        samples.append(MeterSample(parse_time(entry.get("timestamp")), values))
    return samples
