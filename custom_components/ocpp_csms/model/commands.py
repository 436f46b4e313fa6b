"""The typed values commands take and give, whatever the charger's version.

Outcomes and errors, units and purposes of limits, configuration reads. The
commands themselves are the protocols in ``port.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class CommandError(Exception):
    """The charger rejected a command, answered with an error, or timed out."""

    def __init__(self, action: str, answer: str, details: dict[str, Any] | None = None) -> None:
        """Record the action and the charger's answer (a status, an error code, timeout)."""
        super().__init__(f"{action}: {answer}")
        self.action = action
        self.answer = answer
        self.details = details or {}


class CommandOutcome(StrEnum):
    """A command the charger took (a refusal is a CommandError)."""

    ACCEPTED = "Accepted"
    REBOOT_REQUIRED = "RebootRequired"  # configuration: applies after a reboot
    SCHEDULED = "Scheduled"  # change of availability: after the running session
    NOTHING_TO_DO = "NothingToDo"  # e.g. no profile of ours was installed to clear


# The charger answers that mean "taken", and what each means to the model.
TAKEN = {
    "Accepted": CommandOutcome.ACCEPTED,
    "Unlocked": CommandOutcome.ACCEPTED,
    "RebootRequired": CommandOutcome.REBOOT_REQUIRED,
    "Scheduled": CommandOutcome.SCHEDULED,
    # firmware and log requests: taken, and an earlier one given up for it
    "AcceptedCanceled": CommandOutcome.ACCEPTED,
}


class ResetKind(StrEnum):
    """A soft reset waits for running sessions; a hard one does not."""

    SOFT = "soft"
    HARD = "hard"


class LimitUnit(StrEnum):
    """The unit of a charging limit."""

    AMPS = "A"
    WATTS = "W"


class LimitPurpose(StrEnum):
    """Which profile a limit is sent as."""

    TX = "tx"  # bound to the running transaction, gone when it ends
    TX_DEFAULT = "tx_default"  # applies to every future transaction on the connector
    STATION_MAX = "station_max"  # the whole charger's ceiling (set_station_limit only)


@dataclass(slots=True)
class ConfigurationResult:
    """Configuration read from a charger: values, the read-only keys, unknown keys."""

    values: dict[str, str | None] = field(default_factory=dict)
    readonly: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SamplingKeys:
    """The configuration keys of what a charger samples, in its version's names."""

    measurands: str
    interval: str
    max_length: str | None = None  # where the version has one
    # clock-aligned readings (every quarter hour, charging or not)
    aligned_measurands: str | None = None
    aligned_interval: str | None = None
    aligned_max_length: str | None = None


@dataclass(slots=True)
class DataTransferResult:
    """A charger's answer to a DataTransfer."""

    status: str
    data: str | None = None
