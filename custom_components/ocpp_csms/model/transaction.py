"""One charging session, and why it stopped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class StopReason(StrEnum):
    """Why a session stopped: the 1.6 reasons and the 2.x stoppedReason values."""

    DE_AUTHORIZED = "DeAuthorized"
    EMERGENCY_STOP = "EmergencyStop"
    ENERGY_LIMIT_REACHED = "EnergyLimitReached"
    EV_DISCONNECTED = "EVDisconnected"
    GROUND_FAULT = "GroundFault"
    HARD_RESET = "HardReset"
    IMMEDIATE_RESET = "ImmediateReset"
    LOCAL = "Local"
    LOCAL_OUT_OF_CREDIT = "LocalOutOfCredit"
    MASTER_PASS = "MasterPass"
    OTHER = "Other"
    OVERCURRENT_FAULT = "OvercurrentFault"
    POWER_LOSS = "PowerLoss"
    POWER_QUALITY = "PowerQuality"
    REBOOT = "Reboot"
    REMOTE = "Remote"
    SOC_LIMIT_REACHED = "SOCLimitReached"
    SOFT_RESET = "SoftReset"
    STOPPED_BY_EV = "StoppedByEV"
    TIME_LIMIT_REACHED = "TimeLimitReached"
    TIMEOUT = "Timeout"
    UNLOCK_COMMAND = "UnlockCommand"

    @classmethod
    def parse(cls, value: str | None) -> StopReason:
        """Read the charger's reason: none given is Local (1.6), an unknown one Other."""
        if not value:
            return cls.LOCAL
        try:
            return cls(value)
        except ValueError:
            return cls.OTHER


# Session anomalies, kept on the transaction and shown in diagnostics.
ANOMALY_METER_STOP_BELOW_START = "meter_stop_below_start"


@dataclass(slots=True)
class Transaction:
    """One charging session of one charger; ids are unique per charger only."""

    transaction_id: str
    charger_id: str
    connector_id: int
    id_tag: str | None
    started: datetime
    meter_start_wh: float | None = None
    meter_stop_wh: float | None = None
    meter_last_wh: float | None = None
    meter_last_at: datetime | None = None
    stopped: datetime | None = None
    stop_reason: StopReason | None = None
    remote_start_id: int | None = None
    cost: float | None = None  # as the charger reports it (2.1 costDetails)
    currency: str | None = None  # of the charger's cost
    anomaly: str | None = None
    # Home Assistant's own reckoning (session_cost.py): the cost, the register
    # reading it counted up to, and the energy that came while no price was known.
    computed_cost: float | None = None
    cost_mark_wh: float | None = None
    unpriced_kwh: float = 0.0
    # the energy whose source was known (the site's grid sensor): from the surplus
    # and from the grid, split at each reading by the surplus of that moment
    solar_wh: float = 0.0
    grid_wh: float = 0.0
    # who let it charge where not Home Assistant: "upstream" (a second central system)
    authorized_by: str | None = None

    def preferred_cost(self) -> tuple[float | None, str | None]:
        """Return the cost to show, and whose it is: the charger's, else ours."""
        if self.cost is not None:
            return self.cost, "charger"
        if self.computed_cost is not None:
            return self.computed_cost, "home_assistant"
        return None, None

    def cost_currency(self, ours: str | None) -> str | None:
        """Return the currency of the cost shown: the charger's for its own, else ``ours``."""
        return self.currency if self.cost is not None and self.currency else ours

    @property
    def solar_share(self) -> float | None:
        """Return the share (%) of the energy whose source was known that was surplus."""
        known = self.solar_wh + self.grid_wh
        return round(100.0 * self.solar_wh / known, 1) if known > 0 else None

    def split(self, delta_wh: float, solar_fraction: float | None) -> None:
        """Count energy as surplus and grid by the fraction of the moment (None: unknown)."""
        if solar_fraction is None or delta_wh <= 0:
            return
        self.solar_wh += delta_wh * solar_fraction
        self.grid_wh += delta_wh * (1.0 - solar_fraction)

    @property
    def energy_kwh(self) -> float | None:
        """Return the session's energy so far (None before any reading)."""
        end = self.meter_stop_wh if self.meter_stop_wh is not None else self.meter_last_wh
        if end is None or self.meter_start_wh is None:
            return None
        return max(0.0, (end - self.meter_start_wh) / 1000.0)

    def duration_s(self, now: datetime) -> float:
        """Return how long the session ran (until now, while it runs)."""
        return max(0.0, ((self.stopped or now) - self.started).total_seconds())

    def as_dict(self) -> dict[str, Any]:
        """Return the session as plain data for storage."""
        return {
            "transaction_id": self.transaction_id,
            "charger_id": self.charger_id,
            "connector_id": self.connector_id,
            "id_tag": self.id_tag,
            "started": self.started.isoformat(),
            "meter_start_wh": self.meter_start_wh,
            "meter_last_wh": self.meter_last_wh,
            "meter_last_at": self.meter_last_at.isoformat() if self.meter_last_at else None,
            "remote_start_id": self.remote_start_id,
            "cost": self.cost,
            "currency": self.currency,
            "computed_cost": self.computed_cost,
            "cost_mark_wh": self.cost_mark_wh,
            "unpriced_kwh": self.unpriced_kwh,
            "solar_wh": self.solar_wh,
            "grid_wh": self.grid_wh,
            "authorized_by": self.authorized_by,
            # an ended session (shown as the connector's last one)
            "meter_stop_wh": self.meter_stop_wh,
            "stopped": self.stopped.isoformat() if self.stopped else None,
            "stop_reason": self.stop_reason.value if self.stop_reason else None,
            "anomaly": self.anomaly,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transaction:
        """Read a stored session."""
        last_at, stopped = data.get("meter_last_at"), data.get("stopped")
        return cls(
            transaction_id=str(data["transaction_id"]),
            charger_id=data["charger_id"],
            connector_id=int(data["connector_id"]),
            id_tag=data.get("id_tag"),
            started=datetime.fromisoformat(data["started"]),
            meter_start_wh=data.get("meter_start_wh"),
            meter_last_wh=data.get("meter_last_wh"),
            meter_last_at=datetime.fromisoformat(last_at) if last_at else None,
            remote_start_id=data.get("remote_start_id"),
            cost=data.get("cost"),
            currency=data.get("currency"),
            computed_cost=data.get("computed_cost"),
            cost_mark_wh=data.get("cost_mark_wh"),
            unpriced_kwh=float(data.get("unpriced_kwh") or 0.0),
            solar_wh=float(data.get("solar_wh") or 0.0),
            grid_wh=float(data.get("grid_wh") or 0.0),
            authorized_by=data.get("authorized_by"),
            meter_stop_wh=data.get("meter_stop_wh"),
            stopped=datetime.fromisoformat(stopped) if stopped else None,
            stop_reason=StopReason.parse(data["stop_reason"]) if data.get("stop_reason") else None,
            anomaly=data.get("anomaly"),
        )
