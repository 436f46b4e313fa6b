"""What a charging-limit action did, as its response data tells it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .charger import Connector
from .commands import LimitUnit
from .desired_limit import LimitValue
from .limit_check import EffectiveLimit, LimitSource
from .profiles import ChargingProfile


@dataclass(slots=True)
class LimitResult:
    """What a limit action did.

    The desired limit, each profile sent with the charger's answer, and the limit
    the charger then reported.
    """

    desired: LimitValue | None
    sent: list[dict[str, Any]] = field(default_factory=list)
    status: str = "unchanged"  # accepted / rejected / cleared / unchanged / deferred / offline
    effective: EffectiveLimit | None = None
    deferred_until: datetime | None = None
    # how a pause ended that the charger had turned into the session's end
    resumed_by: str | None = None

    def as_response(self) -> dict[str, Any]:
        """Return what the action's response shows."""
        eff = self.effective
        return {
            "status": self.status,
            "desired": self.desired.as_dict() if self.desired else None,
            "sent": self.sent,
            "effective_limit": eff.as_dict() if eff else None,
            "deferred_until": self.deferred_until.isoformat() if self.deferred_until else None,
            **({"resumed_by": self.resumed_by} if self.resumed_by else {}),
        }


def offered(conn: Connector, unit: LimitUnit) -> EffectiveLimit | None:
    """Return the limit the connector offers the car, from its meter values."""
    m = conn.measurements
    if unit is LimitUnit.AMPS and m.current_offered_a is not None:
        return EffectiveLimit(m.current_offered_a, LimitUnit.AMPS, LimitSource.OFFERED)
    if unit is LimitUnit.WATTS and m.power_offered_w is not None:
        return EffectiveLimit(m.power_offered_w, LimitUnit.WATTS, LimitSource.OFFERED)
    if m.current_offered_a is not None:
        return EffectiveLimit(m.current_offered_a, LimitUnit.AMPS, LimitSource.OFFERED)
    return None


def describe(profile: ChargingProfile) -> dict[str, Any]:
    """Describe a profile sent, for the action's response."""
    period = profile.periods[0]
    return {
        "profile_id": profile.profile_id,
        "purpose": profile.purpose.value,
        "stack_level": profile.stack_level,
        "kind": profile.kind.value,
        "unit": profile.unit.value,
        "limit": period.limit,
        "phases": period.phases,
    }
