"""Guard for the energy register: only plausible readings reach the Energy dashboard."""

from __future__ import annotations

import logging
from datetime import datetime

_LOGGER = logging.getLogger(__name__)

# Slack on top of max power x elapsed time, for clock skew and rounding.
_SLACK_WH = 100.0


class EnergyRegister:
    """A total-increasing register in kWh that rejects drops and impossible jumps."""

    def __init__(self, max_power_w: float) -> None:
        self.max_power_w = max_power_w
        self.value_kwh: float | None = None
        self.timestamp: datetime | None = None
        self.rejected = 0
        self._warned = False

    def restore(self, value_kwh: float | None, timestamp: datetime | None) -> None:
        self.value_kwh, self.timestamp = value_kwh, timestamp

    def offer(self, wh: float, timestamp: datetime, context: str) -> bool:
        """Accept a reading in Wh; returns True when the register moved."""
        if self.value_kwh is None or self.timestamp is None:
            return self._accept(wh, timestamp)
        last_wh = self.value_kwh * 1000.0
        elapsed_h = max(0.0, (timestamp - self.timestamp).total_seconds()) / 3600.0
        allowed = self.max_power_w * elapsed_h + _SLACK_WH
        if wh < last_wh or wh - last_wh > allowed:
            self.rejected += 1
            if not self._warned:
                self._warned = True
                _LOGGER.warning(
                    "%s: energy register reading %.0f Wh ignored (last %.0f Wh, at most "
                    "%.0f Wh possible since); further implausible readings are counted "
                    "in diagnostics only",
                    context,
                    wh,
                    last_wh,
                    last_wh + allowed,
                )
            return False
        return self._accept(wh, timestamp)

    def _accept(self, wh: float, timestamp: datetime) -> bool:
        changed = self.value_kwh != wh / 1000.0
        self.value_kwh = wh / 1000.0
        self.timestamp = timestamp
        return changed
