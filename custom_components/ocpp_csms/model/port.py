"""The commands the model and Home Assistant can send a charger, whatever its version.

Each version adapter implements these two protocols; nothing here knows the
charger, so the charger and every subsystem can name them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .commands import (
        CommandOutcome,
        ConfigurationResult,
        DataTransferResult,
        LimitUnit,
        ResetKind,
        SamplingKeys,
    )
    from .identity import Capabilities
    from .local_entries import LocalEntry
    from .operations import (
        CertificateHash,
        DisplayMessage,
        FirmwareRequest,
        LogRequest,
        Monitor,
        Report,
        Reservation,
        Tariff,
    )
    from .profiles import ChargingProfile, CompositeSchedule


class ChargerOperations(Protocol):
    """What the Home Assistant layer can ask of any charger besides charging.

    Each raises CommandError when the charger refuses, errs or times out,
    InvalidCommand (NotInVersion among them) when the request cannot be put into
    this version's terms.
    """

    async def reserve_now(self, reservation: Reservation) -> CommandOutcome:
        """Hold a connector, or any connector, for a tag until it expires."""

    async def cancel_reservation(self, reservation_id: int) -> CommandOutcome:
        """End a reservation before it expires."""

    async def update_firmware(self, request: FirmwareRequest) -> CommandOutcome:
        """Have the charger fetch and install new firmware."""

    async def upload_logs(self, request: LogRequest) -> str | None:
        """Have the charger upload a log; returns the file name it announces."""

    async def set_display_message(self, message: DisplayMessage) -> CommandOutcome:
        """Show a message on the charger's display."""

    async def get_display_messages(
        self, request_id: int, ids: list[int], priority: str | None, state: str | None
    ) -> Report:
        """Read the display messages (all, or those matching)."""

    async def clear_display_message(self, message_id: int) -> CommandOutcome:
        """Remove a display message."""

    async def set_variable_monitoring(self, monitors: list[Monitor]) -> Report:
        """Install variable monitors; one result per monitor."""

    async def clear_variable_monitoring(self, monitor_ids: list[int]) -> Report:
        """Remove variable monitors by id; one result per id."""

    async def get_monitoring_report(
        self, request_id: int, keys: list[str], criteria: list[str]
    ) -> Report:
        """Read the installed monitors (all, or of these variables / kinds)."""

    async def get_report(self, request_id: int, keys: list[str], criteria: list[str]) -> Report:
        """Read device-model variables (of these keys, or matching the criteria)."""

    async def get_base_report(self, request_id: int, report_base: str) -> Report:
        """Read one of the standard device-model reports."""

    async def get_transaction_status(self, transaction_id: str | None) -> dict[str, Any]:
        """Ask whether a transaction is running and has messages queued."""

    async def customer_information(
        self, request_id: int, report: bool, clear: bool, identifier: dict[str, Any]
    ) -> str:
        """Report (and/or clear) what the charger keeps about a customer."""

    async def get_charging_profiles(
        self, request_id: int, connector_id: int | None, criteria: dict[str, Any]
    ) -> Report:
        """Read the charging profiles installed (read only)."""

    async def get_installed_certificate_ids(self, types: list[str]) -> Report:
        """List the certificates installed (all, or of these types)."""

    async def install_certificate(self, certificate_type: str, certificate: str) -> CommandOutcome:
        """Install a root certificate."""

    async def delete_certificate(self, hash_data: CertificateHash) -> CommandOutcome:
        """Delete an installed certificate by its hash data."""

    async def set_default_tariff(self, connector_id: int, tariff: Tariff) -> CommandOutcome:
        """Give the charger the tariff it shows and charges (OCPP 2.1)."""

    async def get_tariffs(self, connector_id: int) -> Report:
        """Read the tariffs the charger holds (OCPP 2.1)."""

    async def clear_tariffs(self, tariff_ids: list[str], connector_id: int | None) -> Report:
        """Remove tariffs (all, or by id) (OCPP 2.1)."""


class ChargerCommands(ChargerOperations, Protocol):
    """What the model and the HA layer can ask of any charger, whatever its version.

    Each method raises CommandError when the charger refuses, errs or times out,
    and InvalidCommand when the command cannot be put into this version's terms.
    """

    async def remote_start(self, connector_id: int | None, id_tag: str) -> CommandOutcome:
        """Start a session on the connector, or where the charger chooses."""

    async def relay(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a call as it came (a second central system's), and return the answer."""

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
    # the longest idTag / idToken its version carries (1.6: 20, 2.x: 36)
    id_tag_max_length: int

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
