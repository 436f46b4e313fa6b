"""Version-neutral simulated connector: energy register, and the power that the
charging profiles in force allow."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ConnectorSim:
    connector_id: int
    max_amps: float = 16.0
    voltage: float = 230.0
    phases: int = 3
    register_wh: float = 1_000_000.0  # a used charger, 1 MWh on the meter
    plugged: bool = False
    transaction_id: Any = None
    id_tag: str | None = None
    meter_start_wh: float = 0.0
    operative: bool = True
    # profiles in force: purpose -> {"id", "limit", "unit", "transaction_id"}
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    _last_tick: float = field(default_factory=time.monotonic)

    def limit_amps(self) -> float:
        """The current the profiles allow (TxProfile over TxDefaultProfile)."""
        chosen = None
        tx = self.profiles.get("TxProfile")
        if tx is not None and (
            self.transaction_id is None or str(tx.get("transaction_id")) == str(self.transaction_id)
        ):
            chosen = tx
        elif "TxDefaultProfile" in self.profiles:
            chosen = self.profiles["TxDefaultProfile"]
        if chosen is None:
            return self.max_amps
        limit = chosen["limit"]
        if chosen["unit"] == "W":
            limit = limit / (self.voltage * self.phases)
        return max(0.0, min(self.max_amps, limit))

    @property
    def charging(self) -> bool:
        return self.transaction_id is not None and self.limit_amps() > 0

    def amps(self) -> float:
        return self.limit_amps() if self.transaction_id is not None else 0.0

    def power_w(self) -> float:
        return self.amps() * self.voltage * self.phases

    def tick(self, seconds: float | None = None) -> None:
        """Advance the energy register by the power drawn since the last tick."""
        now = time.monotonic()
        elapsed = now - self._last_tick if seconds is None else seconds
        self._last_tick = now
        self.register_wh += self.power_w() * elapsed / 3600.0

    def end_transaction(self) -> None:
        self.transaction_id = None
        self.profiles.pop("TxProfile", None)  # a TxProfile ends with its transaction
