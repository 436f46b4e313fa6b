"""Whether the charger applies the limit it accepted.

The limit in force is read back from the charger: its composite schedule, or,
where it refuses that, the Current.Offered / Power.Offered of its meter values.
A limit counts as ignored when the charger reports one more than 1 A (230 W)
above what it accepted, or draws more than the limit allows (Power.Active.Import
above the limit plus 10 %) in two consecutive readings; it counts as followed
again as soon as neither holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from . import clock
from .commands import LimitUnit
from .desired_limit import Electrical, LimitValue
from .phase_switch import PhaseCheck

TOLERANCE_A = 1.0
TOLERANCE_W = 230.0
DRAW_MARGIN = 1.10
READINGS_OVER = 2


class LimitSource(StrEnum):
    """Where the effective limit was read from."""

    COMPOSITE = "composite_schedule"
    OFFERED = "offered"
    DESIRED = "desired"  # the charger tells nothing: what we asked for


@dataclass(frozen=True, slots=True)
class EffectiveLimit:
    """The limit the charger says it applies, and where that was read."""

    value: float
    unit: LimitUnit
    source: LimitSource

    def as_dict(self) -> dict[str, Any]:
        """Return the limit as plain data."""
        return {"value": self.value, "unit": self.unit.value, "source": self.source.value}


class LimitWatch:
    """Per connector: what the charger accepted, and whether it follows it."""

    def __init__(self, electrical: Electrical) -> None:
        """Watch with nothing accepted yet."""
        self.electrical = electrical
        self.accepted: LimitValue | None = None
        self.accepted_at: datetime | None = None  # when it was taken (our clock)
        self.phase_check = PhaseCheck()  # whether it draws on the phases it accepted
        self.effective: EffectiveLimit | None = None
        self.ignored = False
        self._reported_over = False
        self._draw_over = 0
        self.rechecked: datetime | None = None  # when a limit called ignored was read again

    def accepted_limit(self, limit: LimitValue | None) -> None:
        """Note a profile the charger took (None: ours were cleared)."""
        self.accepted, self.accepted_at = limit, clock.now()
        self.phase_check.accepted(limit.phases if limit is not None else None)
        self._draw_over = 0
        if limit is None:
            self._reported_over = False
            self.ignored = False

    @property
    def shown(self) -> tuple[EffectiveLimit | None, bool]:
        """Return what the connector's limit entities show: the limit in force, ignored."""
        return self.effective, self.ignored

    @property
    def reported_over(self) -> bool:
        """Tell whether the charger last reported more than it accepted."""
        return self._reported_over

    def reported(self, effective: EffectiveLimit) -> None:
        """Note the limit the charger says is in force."""
        self.effective = effective
        self._reported_over = self.over(effective)
        self._update()

    def reading(self, power_w: float | None) -> None:
        """Check a meter reading: tell whether the draw stays within the limit."""
        if self.accepted is None or power_w is None:
            self._draw_over = 0
        else:
            allowed = self.electrical.watts(self.accepted) * DRAW_MARGIN
            self._draw_over = self._draw_over + 1 if power_w > allowed + 1 else 0
        self._update()

    def over(self, effective: EffectiveLimit) -> bool:
        """Tell whether the charger reports more than it accepted (beyond the tolerance)."""
        if self.accepted is None or effective.source is LimitSource.DESIRED:
            return False
        if effective.unit is LimitUnit.AMPS:
            return effective.value > self.electrical.amps(self.accepted) + TOLERANCE_A
        return effective.value > self.electrical.watts(self.accepted) + TOLERANCE_W

    def _update(self) -> None:
        self.ignored = self._reported_over or self._draw_over >= READINGS_OVER
