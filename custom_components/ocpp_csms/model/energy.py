"""The one rule for energy readings.

Shared by the connector's register (what the Energy dashboard sees) and each
session's meter: no drop, no jump faster than the connector could deliver at
full power, nothing that is not a finite number.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime

_LOGGER = logging.getLogger(__name__)

# Slack on top of max power x elapsed time, for clock skew and rounding.
_SLACK_WH = 100.0


def plausible_step(
    last_wh: float | None,
    last_at: datetime | None,
    wh: float,
    at: datetime,
    max_power_w: float,
) -> bool:
    """Whether a register may move from (last_wh at last_at) to (wh at at)."""
    if not math.isfinite(wh) or wh < 0:  # an import register is never negative
        return False
    if last_wh is None or last_at is None:
        return True
    elapsed_h = max(0.0, (at - last_at).total_seconds()) / 3600.0
    return last_wh <= wh <= last_wh + max_power_w * elapsed_h + _SLACK_WH


class EnergyRegister:
    """A total-increasing register in kWh that rejects drops and impossible jumps."""

    def __init__(self, max_power_w: float) -> None:
        """Start without a reading; ``max_power_w`` bounds a plausible rise."""
        self.max_power_w = max_power_w
        self.value_kwh: float | None = None
        self.timestamp: datetime | None = None
        self.rejected = 0
        self._warned = False
        # read from storage, and not confirmed by a reading since: it may be seconds
        # older than the last value shown (readings are stored in batches)
        self.restored = False

    def restore(self, value_kwh: float | None, timestamp: datetime | None) -> None:
        """Take the reading stored before a restart."""
        if value_kwh is not None and not (math.isfinite(value_kwh) and value_kwh >= 0):
            value_kwh = timestamp = None
        self.value_kwh, self.timestamp = value_kwh, timestamp
        self.restored = value_kwh is not None

    def at_least(self, value_kwh: float) -> None:
        """Never show less than ``value_kwh`` (the last value Home Assistant showed).

        Readings are stored in batches, so the stored register may be seconds older
        than the last one shown; a total that steps back spoils long-term statistics.
        """
        if not (math.isfinite(value_kwh) and value_kwh >= 0):
            return
        if self.value_kwh is None or value_kwh > self.value_kwh:
            self.value_kwh = value_kwh

    def offer(self, wh: float, timestamp: datetime, context: str) -> bool:
        """Take a reading in Wh if plausible; True when it was taken."""
        last_wh = None if self.value_kwh is None else self.value_kwh * 1000.0
        if not plausible_step(last_wh, self.timestamp, wh, timestamp, self.max_power_w):
            self.rejected += 1
            if not self._warned:
                self._warned = True
                _LOGGER.warning(
                    "%s: energy register reading %s Wh ignored (last %s Wh); further "
                    "implausible readings are counted in diagnostics only",
                    context,
                    wh,
                    last_wh,
                )
            return False
        self.value_kwh = wh / 1000.0
        self.restored = False
        if self.timestamp is None or timestamp > self.timestamp:
            self.timestamp = timestamp  # an older reading never moves the clock back
        return True
