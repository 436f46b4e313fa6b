"""Charging from the solar surplus: when to start, when to pause, and how much.

The surplus is what the house exports, plus what the connectors charging from it
draw already (-grid power + their draw), less what a home battery that charges
first takes. A connector starts once the surplus has stayed at or above its
minimum for the enable delay, follows it in 0.5 A steps, and pauses (the session
kept) once the surplus has stayed below the minimum, by more than the threshold,
for the disable delay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

STEP_A = 0.5  # the solar limit moves in these steps


@dataclass(frozen=True, slots=True)
class SolarTiming:
    """The delays and threshold of the site's options."""

    enable_delay: timedelta = timedelta(seconds=60)
    disable_delay: timedelta = timedelta(minutes=3)
    threshold_w: float = 0.0  # how far below the minimum before the disable delay runs


def surplus_w(
    grid_w: float, solar_draw_w: float, battery_w: float = 0.0, battery_first: bool = False
) -> float:
    """Return the surplus: -grid + our solar connectors' draw (- a battery that comes first).

    ``battery_w`` is the battery's power, positive while it charges.
    """
    surplus = -grid_w + solar_draw_w
    if battery_first and battery_w > 0:
        surplus -= battery_w
    return surplus


def amps_of(watts: float, voltage: float, phases: int) -> float:
    """Return the current that ``watts`` allows on ``phases``, rounded down to a step."""
    if watts <= 0:
        return 0.0
    return math.floor(watts / (voltage * phases) / STEP_A + 1e-9) * STEP_A


@dataclass(slots=True)
class SolarGate:
    """Whether one connector charges from the surplus, with the enable/disable delays."""

    open: bool = False
    since: datetime | None = None  # when the condition for the next change began

    def update(self, surplus: float, minimum_w: float, timing: SolarTiming, now: datetime) -> bool:
        """Take the surplus available to this connector; return whether it may charge."""
        if self.open:
            short = surplus < minimum_w - timing.threshold_w
            delay = timing.disable_delay
        else:
            short = surplus < minimum_w
            delay = timing.enable_delay
        changing = short if self.open else not short
        if not changing:
            self.since = None
            return self.open
        if self.since is None:
            self.since = now
        if now - self.since >= delay:
            self.open, self.since = not self.open, None
        return self.open
