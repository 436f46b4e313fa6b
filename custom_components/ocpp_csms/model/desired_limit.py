"""The limit Home Assistant wants on a connector, in layers, persisted.

The layers:
- the installer's ceiling (``set_station_limit``, for every connector of the charger);
- a schedule (from a plan or ``set_charging_schedule``);
- a dynamic cap (from automations), optionally expiring;
- pause, which ends with the session, with ``resume_charging`` or when it expires.

The effective desired limit is min(ceiling, schedule(t), cap), or 0 while paused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .commands import LimitUnit


@dataclass(frozen=True, slots=True)
class LimitValue:
    """A limit in A or W, optionally on a given number of phases."""

    value: float
    unit: LimitUnit
    phases: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the limit as plain data."""
        return {"value": self.value, "unit": self.unit.value, "phases": self.phases}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LimitValue:
        """Read a stored limit (storage version 1 called the value "limit")."""
        value = data["value"] if "value" in data else data["limit"]  # "limit": version 1
        return cls(float(value), LimitUnit(data["unit"]), data.get("phases"))


PAUSE = LimitValue(0.0, LimitUnit.AMPS)


@dataclass(frozen=True, slots=True)
class Electrical:
    """What converts amps to watts.

    The nominal voltage, and the phases to assume when neither the limit nor the
    connector tells.
    """

    voltage: float = 230.0
    phases: int = 3

    def amps(self, limit: LimitValue, phases: int | None = None) -> float:
        """Return the limit in amps."""
        if limit.unit is LimitUnit.AMPS:
            return limit.value
        return limit.value / (self.voltage * (limit.phases or phases or self.phases))

    def watts(self, limit: LimitValue, phases: int | None = None) -> float:
        """Return the limit in watts."""
        if limit.unit is LimitUnit.WATTS:
            return limit.value
        return limit.value * self.voltage * (limit.phases or phases or self.phases)


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(slots=True)
class DesiredLimit:
    """The layers of a connector's desired limit."""

    cap: LimitValue | None = None
    cap_until: datetime | None = None
    # (from, limit) steps, ascending; a None limit ends the schedule's say.
    schedule: list[tuple[datetime, LimitValue | None]] = field(default_factory=list)
    paused: bool = False
    pause_until: datetime | None = None

    @property
    def empty(self) -> bool:
        """Tell whether no layer has a say."""
        return self.cap is None and not self.schedule and not self.paused

    def expire(self, now: datetime) -> bool:
        """Drop the layers whose time is up; True when anything went."""
        changed = False
        if self.cap_until is not None and self.cap_until <= now:
            self.cap = self.cap_until = None
            changed = True
        if self.pause_until is not None and self.pause_until <= now:
            self.paused, self.pause_until = False, None
            changed = True
        while len(self.schedule) > 1 and self.schedule[1][0] <= now:
            del self.schedule[0]
            changed = True
        if len(self.schedule) == 1 and self.schedule[0][0] <= now and self.schedule[0][1] is None:
            self.schedule.clear()
            changed = True
        return changed

    def schedule_at(self, now: datetime) -> LimitValue | None:
        """Return the schedule's limit at ``now`` (None: no say)."""
        found = None
        for start, limit in self.schedule:
            if start <= now:
                found = limit
        return found

    def at(
        self, moment: datetime, ceiling: LimitValue | None, electrical: Electrical
    ) -> LimitValue | None:
        """Return the effective limit at a moment, its layers' expiries included."""
        if self.paused and (self.pause_until is None or moment < self.pause_until):
            return PAUSE
        cap = self.cap if self.cap_until is None or moment < self.cap_until else None
        layers = [x for x in (ceiling, self.schedule_at(moment), cap) if x is not None]
        return min(layers, key=electrical.amps) if layers else None

    def boundaries(self, now: datetime) -> list[datetime]:
        """Every moment after now at which the effective limit may change."""
        moments = {t for t in (self.cap_until, self.pause_until) if t is not None and t > now}
        moments |= {start for start, _ in self.schedule if start > now}
        return sorted(moments)

    def next_change(self, now: datetime) -> datetime | None:
        """When the effective limit may change by itself (an expiry, a schedule step)."""
        moments = [t for t in (self.cap_until, self.pause_until) if t is not None and t > now]
        moments += [start for start, _ in self.schedule if start > now]
        return min(moments, default=None)

    def as_dict(self) -> dict[str, Any]:
        """Return the layers as plain data for storage."""
        return {
            "cap": self.cap.as_dict() if self.cap else None,
            "cap_until": self.cap_until.isoformat() if self.cap_until else None,
            "schedule": [
                [start.isoformat(), limit.as_dict() if limit else None]
                for start, limit in self.schedule
            ],
            "paused": self.paused,
            "pause_until": self.pause_until.isoformat() if self.pause_until else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DesiredLimit:
        """Read stored layers."""
        return cls(
            cap=LimitValue.from_dict(data["cap"]) if data.get("cap") else None,
            cap_until=_time(data.get("cap_until")),
            schedule=[
                (datetime.fromisoformat(start), LimitValue.from_dict(limit) if limit else None)
                for start, limit in data.get("schedule", [])
            ],
            paused=bool(data.get("paused")),
            pause_until=_time(data.get("pause_until")),
        )
