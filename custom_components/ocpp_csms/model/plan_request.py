"""What a standing charging plan was asked for: typed, stored, and planned again.

The ``plan_charging`` action makes one; the planner plans from it whenever prices
change, the car is plugged in, or Home Assistant restarts; the plan sensor shows
its deadline. Stored as plain data (``as_dict``), read back with ``from_dict``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from .desired_limit import LimitValue


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """A standing plan's request: energy, time or a state of charge by a deadline."""

    prices: Any  # a price entity's id, or the prices given in the action
    deadline: datetime
    rate: LimitValue  # what the connector charges at in a planned slot
    mode: str = "cheapest"
    max_price: float | None = None
    energy_kwh: float | None = None  # what to deliver, or
    duration_s: float | None = None  # how long to charge
    register_kwh: float | None = None  # the energy register when it was asked
    # or a state of charge to reach: (target - SoC) x battery / efficiency
    target_soc: float | None = None  # %
    battery_kwh: float | None = None
    efficiency: float = 0.9
    soc_entity: str | None = None  # None: the charger's SoC measurand
    soc_at_plan: float | None = None  # the SoC the plan was last made at

    def energy_for(self, soc: float) -> float:
        """Return the energy (kWh) to take from the charger to reach the target SoC."""
        if self.target_soc is None or self.battery_kwh is None:
            return 0.0
        gap = max(0.0, self.target_soc - soc) / 100.0
        return gap * self.battery_kwh / max(self.efficiency, 0.01)

    def from_register(self, register_kwh: float | None) -> PlanRequest:
        """Return the request, counting what is delivered from this register on."""
        return replace(self, register_kwh=register_kwh)

    def as_dict(self) -> dict[str, Any]:
        """Return the request as plain data for storage."""
        return {
            "prices": self.prices,
            "deadline": self.deadline.isoformat(),
            "rate": self.rate.as_dict(),
            "mode": self.mode,
            "max_price": self.max_price,
            "energy_kwh": self.energy_kwh,
            "duration_s": self.duration_s,
            "register_kwh": self.register_kwh,
            "target_soc": self.target_soc,
            "battery_kwh": self.battery_kwh,
            "efficiency": self.efficiency,
            "soc_entity": self.soc_entity,
            "soc_at_plan": self.soc_at_plan,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanRequest:
        """Read a stored request."""
        return cls(
            prices=data["prices"],
            deadline=datetime.fromisoformat(data["deadline"]),
            rate=LimitValue.from_dict(data["rate"]),
            mode=data.get("mode") or "cheapest",
            max_price=data.get("max_price"),
            energy_kwh=data.get("energy_kwh"),
            duration_s=data.get("duration_s"),
            register_kwh=data.get("register_kwh"),
            target_soc=data.get("target_soc"),
            battery_kwh=data.get("battery_kwh"),
            efficiency=float(data.get("efficiency") or 0.9),
            soc_entity=data.get("soc_entity"),
            soc_at_plan=data.get("soc_at_plan"),
        )
