"""A connector's charging mode: how fast it charges, and from what.

- Off: no charging (0 A, the session kept).
- Now: as fast as the other layers allow (the default: the behaviour without a site).
- Minimum + solar: the minimum current always, more from the solar surplus.
- Solar: from the surplus only; paused while there is none.
- Plan: the price plan (``plan_charging``) decides.

Every mode respects the house's fuse when load management is set up.
"""

from __future__ import annotations

from enum import StrEnum


class ChargingMode(StrEnum):
    """How a connector charges (its select's options, in this order)."""

    OFF = "off"
    NOW = "now"
    MIN_SOLAR = "min_solar"
    SOLAR = "solar"
    PLAN = "plan"

    @property
    def follows_surplus(self) -> bool:
        """Tell whether the solar surplus sets the limit."""
        return self in (ChargingMode.MIN_SOLAR, ChargingMode.SOLAR)

    @property
    def keeps_minimum(self) -> bool:
        """Tell whether the minimum current holds without a surplus."""
        return self is ChargingMode.MIN_SOLAR


def modes(solar: bool) -> list[ChargingMode]:
    """Return the modes that can work: the solar ones only with a grid power sensor."""
    return [m for m in ChargingMode if solar or not m.follows_surplus]
