"""The commands a charger accepts, whatever its OCPP version.

Also the typed values those commands take and give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from .operations import ChargerOperations

if TYPE_CHECKING:
    from .charger import Capabilities
    from .local_list import LocalEntry
    from .profiles import ChargingProfile, CompositeSchedule


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


class ChargerCommands(ChargerOperations, Protocol):
    """What the model and the HA layer can ask of any charger, whatever its version.

    Each method raises CommandError when the charger refuses, errs or times out,
    and InvalidCommand when the command cannot be put into this version's terms.
    """

    async def remote_start(self, connector_id: int | None, id_tag: str) -> CommandOutcome:
        """Start a session on the connector, or where the charger chooses."""

    async def remote_stop(self, transaction_id: str) -> CommandOutcome:
        """Stop the session with this transaction id."""

    async def reset(self, kind: ResetKind) -> CommandOutcome:
        """Restart the charger."""

    async def unlock(self, connector_id: int) -> CommandOutcome:
        """Release the cable of the connector."""

    async def change_availability(self, connector_id: int, operative: bool) -> CommandOutcome:
        """Make the connector (0: the whole charger) operative or inoperative."""

    async def set_charging_profile(self, profile: ChargingProfile) -> CommandOutcome:
        """Install a charging profile."""

    async def clear_charging_profile(self, profile_id: int) -> CommandOutcome:
        """Remove one of our profiles by id (NothingToDo when it was not installed)."""

    async def get_composite_schedule(
        self, connector_id: int, duration_s: int, unit: LimitUnit
    ) -> CompositeSchedule:
        """Read the schedule the charger applies, from now for duration_s."""

    async def probe_capabilities(self) -> Capabilities:
        """Read what the charger can do (smart charging, units, stack levels)."""

    # the configuration keys of what the charger samples (model/meter_setup.py)
    sampling_keys: SamplingKeys

    async def get_configuration(self, keys: list[str]) -> ConfigurationResult:
        """Read configuration keys (all of them for an empty list)."""

    async def set_configuration(self, key: str, value: str) -> CommandOutcome:
        """Write one configuration key."""

    async def set_basic_auth_password(self, password: str) -> CommandOutcome:
        """Give the charger a new Basic-auth password; it reconnects with it."""

    async def get_local_list_version(self) -> int:
        """Read the version of the charger's local authorization list (-1: none)."""

    async def send_local_list(
        self, version: int, full: bool, entries: list[LocalEntry]
    ) -> CommandOutcome:
        """Send the local authorization list: whole, or the changed entries."""

    async def clear_cache(self) -> CommandOutcome:
        """Empty the charger's authorization cache."""

    async def trigger_message(self, message: str, connector_id: int | None) -> CommandOutcome:
        """Ask the charger to send a message now."""

    async def data_transfer(
        self, vendor_id: str, message_id: str | None, data: str | None
    ) -> DataTransferResult:
        """Send a vendor-specific DataTransfer."""
