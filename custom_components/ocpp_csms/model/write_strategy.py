"""The way of writing a limit that a charger takes, as learnt per charger.

Plain data the charger keeps (and storage saves); ``limit_writer.py`` finds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .commands import LimitUnit
from .profiles import ProfileKind

DEFAULT_STACK_LEVEL = 5


@dataclass(frozen=True, slots=True)
class WriteStrategy:
    """A way of writing a limit that a charger takes: stack level, kind, unit, purpose."""

    stack_level: int = DEFAULT_STACK_LEVEL
    kind: ProfileKind = ProfileKind.ABSOLUTE
    tx_profile: bool = True  # during a session: a TxProfile (else the TxDefaultProfile)
    unit: LimitUnit | None = None  # None: the limit's own unit, where the charger takes it

    def as_dict(self) -> dict[str, Any]:
        """Return the strategy as plain data for storage."""
        return {
            "stack_level": self.stack_level,
            "kind": self.kind.value,
            "tx_profile": self.tx_profile,
            "unit": self.unit.value if self.unit else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WriteStrategy:
        """Read a stored strategy."""
        return cls(
            stack_level=int(data.get("stack_level", DEFAULT_STACK_LEVEL)),
            kind=ProfileKind(data.get("kind", ProfileKind.ABSOLUTE.value)),
            tx_profile=bool(data.get("tx_profile", True)),
            unit=LimitUnit(data["unit"]) if data.get("unit") else None,
        )

    def describe(self) -> str:
        """Describe the strategy in words, for diagnostics."""
        unit = self.unit.value if self.unit else "the limit's own unit"
        purpose = "TxProfile" if self.tx_profile else "TxDefaultProfile"
        return f"stack level {self.stack_level}, {self.kind.value}, {purpose}, {unit}"
