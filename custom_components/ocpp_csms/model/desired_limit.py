"""The limit Home Assistant wants on a connector, in layers, persisted.

The layers:
- the installer's ceiling (``set_station_limit``, for every connector of the charger);
- a schedule (from a plan or ``set_charging_schedule``);
- a dynamic cap (from automations), optionally expiring;
- the site's share (load management and the solar surplus: ``hub/site_control.py``
  sets it; not stored, it is worked out again from the house's sensors);
- pause, which ends with the session, with ``resume_charging`` or when it expires;
- the charging mode (``charging_mode.py``): Off holds 0 A like a pause.

The effective desired limit is min(ceiling, schedule(t), cap, site), or 0 while
paused or Off; on the phases the site chose, where it switches them. The mode
and the connector's priority on the site are stored here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .charging_mode import ChargingMode
from .commands import LimitUnit


@dataclass(frozen=True, slots=True)
class LimitValue:
    """A limit in A or W, optionally on a given number of phases."""

    value: float
    unit: LimitUnit
    phases: int | None = None
    phase_to_use: int | None = None  # on one phase: which of the charger's (2.x)

    def as_dict(self) -> dict[str, Any]:
        """Return the limit as plain data."""
        out = {"value": self.value, "unit": self.unit.value, "phases": self.phases}
        if self.phase_to_use is not None:
            out["phase_to_use"] = self.phase_to_use
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LimitValue:
        """Read a stored limit (storage version 1 called the value "limit")."""
        value = data["value"] if "value" in data else data["limit"]  # "limit": version 1
        return cls(
            float(value), LimitUnit(data["unit"]), data.get("phases"), data.get("phase_to_use")
        )


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
    mode: ChargingMode = ChargingMode.NOW
    priority: int = 0  # on the site: a higher number is served first
    site: LimitValue | None = None  # the site's share (not stored)

    @property
    def empty(self) -> bool:
        """Tell whether nothing here is worth storing."""
        return (
            self.cap is None
            and not self.schedule
            and not self.paused
            and self.mode is ChargingMode.NOW
            and not self.priority
        )

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
        if self.mode is ChargingMode.OFF:
            return PAUSE
        return self.site_free(moment, ceiling, electrical, self.site)

    def site_free(
        self,
        moment: datetime,
        ceiling: LimitValue | None,
        electrical: Electrical,
        site: LimitValue | None = None,
    ) -> LimitValue | None:
        """Return the limit without the mode and, unless given, without the site's share.

        What the connector would take on its own: the site shares out no more.
        """
        if self.paused and (self.pause_until is None or moment < self.pause_until):
            return PAUSE
        cap = self.cap if self.cap_until is None or moment < self.cap_until else None
        layers = [x for x in (ceiling, self.schedule_at(moment), cap, site) if x is not None]
        if not layers:
            return None
        chosen = min(layers, key=electrical.amps)
        if site is not None and site.phases and chosen.phases is None:
            # the site switched phases (and, on one, may have chosen which)
            chosen = replace(chosen, phases=site.phases, phase_to_use=site.phase_to_use)
        return chosen

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
            "mode": self.mode.value,
            "priority": self.priority,
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
            mode=_mode(data.get("mode")),
            priority=int(data.get("priority") or 0),
        )


def _mode(stored: Any) -> ChargingMode:
    """Return a stored mode; one this version does not know is Now."""
    try:
        return ChargingMode(stored or ChargingMode.NOW)
    except ValueError:
        return ChargingMode.NOW
