"""Version-neutral simulated connector: energy register, and the power that the
charger's profile engine lets it draw."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .profiles import ProfileEngine


@dataclass
class ConnectorSim:
    connector_id: int
    max_amps: float = 16.0
    voltage: float = 230.0
    phases: int = 3  # wired
    can_switch: bool = False  # to one phase, through numberPhases
    phase_to_use: int | None = None  # 2.x: on one phase, the one the last profile named
    register_wh: float = 1_000_000.0  # a used charger, 1 MWh on the meter
    plugged: bool = False
    transaction_id: Any = None
    tx_started: datetime | None = None
    id_tag: str | None = None
    meter_start_wh: float = 0.0
    operative: bool = True
    starting: bool = False  # a StartTransaction awaits its answer
    engine: ProfileEngine = field(default_factory=ProfileEngine)
    _last_tick: float = field(default_factory=time.monotonic)

    def limit_amps(self) -> float:
        """The current the charger applies to this connector now."""
        return self.engine.limit_amps(self)

    @property
    def charging(self) -> bool:
        return self.transaction_id is not None and self.limit_amps() > 0

    def amps(self) -> float:
        return self.limit_amps() if self.transaction_id is not None else 0.0

    def active_phases(self) -> int:
        """The phases it draws on now."""
        return self.engine.phases(self)

    def power_w(self) -> float:
        return self.amps() * self.voltage * self.active_phases()

    def tick(self, seconds: float | None = None) -> None:
        """Advance the energy register by the power drawn since the last tick."""
        now = time.monotonic()
        elapsed = now - self._last_tick if seconds is None else seconds
        self._last_tick = now
        self.register_wh += self.power_w() * elapsed / 3600.0

    def begin_transaction(self, transaction_id: Any) -> None:
        self.transaction_id, self.tx_started = transaction_id, datetime.now(UTC)

    def end_transaction(self) -> None:
        self.transaction_id = self.tx_started = None
        self.engine.session_ended(self.connector_id)
