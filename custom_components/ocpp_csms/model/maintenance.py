"""Firmware updates, log uploads and monitor events, as states and happenings.

What a charger reports of its own upkeep.
Each report changes the charger's status (shown by a sensor), counts a
happening (an event entity fires once per count) and is fired on the bus.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .events import EVENT_FIRMWARE, EVENT_LOG, EVENT_MONITOR

if TYPE_CHECKING:
    from .central import Central
    from .charger import Charger

# Every firmware status of 1.6 (with its security extension), 2.0.1 and 2.1.
FIRMWARE_STATUSES = (
    "idle",
    "download_scheduled",
    "downloading",
    "download_paused",
    "downloaded",
    "download_failed",
    "signature_verified",
    "invalid_signature",
    "certificate_verified",
    "install_scheduled",
    "installing",
    "install_rebooting",
    "installed",
    "installation_failed",
    "install_verification_failed",
    "invalid_certificate",
    "revoked_certificate",
    "other",
)
# Every log upload status (1.6 diagnostics, 1.6 security log, 2.x), and "received":
# Home Assistant stored the uploaded file itself.
LOG_STATUSES = (
    "idle",
    "uploading",
    "uploaded",
    "upload_failed",
    "upload_failure",
    "bad_message",
    "not_supported_operation",
    "permission_denied",
    "accepted_canceled",
    "received",
    "other",
)


def snake(word: str) -> str:
    """Return an OCPP enum value in snake case: DownloadFailed -> download_failed."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", word).lower()


def _known(status: str, known: tuple[str, ...]) -> str:
    word = snake(status)
    return word if word in known else "other"


class Maintenance:
    """Firmware, log and monitor reports of every charger."""

    def __init__(self, csms: Central) -> None:
        """Work on the central system's chargers."""
        self._csms = csms

    def firmware_status(self, charger: Charger, status: str, request_id: int | None) -> None:
        """Apply a FirmwareStatusNotification (or the 1.6 signed one)."""
        kind = _known(status, FIRMWARE_STATUSES)
        data = {"charger_id": charger.charger_id, "status": kind, "request_id": request_id}
        charger.firmware_status = kind
        charger.firmware_happenings.add(kind, data)
        charger.notify()
        self._csms.persistence.soon()  # shown again after a restart
        self._csms.emit(EVENT_FIRMWARE, data)

    def log_status(self, charger: Charger, status: str, request_id: int | None) -> None:
        """Apply a DiagnosticsStatusNotification or LogStatusNotification."""
        self._log(charger, _known(status, LOG_STATUSES), {"request_id": request_id})

    def log_received(self, charger: Charger, request_id: int | None, path: str, size: int) -> None:
        """Home Assistant stored a log the charger uploaded to it."""
        self._log(charger, "received", {"request_id": request_id, "path": path, "size": size})

    def _log(self, charger: Charger, kind: str, extra: dict[str, Any]) -> None:
        data = {"charger_id": charger.charger_id, "status": kind, **extra}
        charger.diagnostics_status = kind
        charger.log_happenings.add(kind, data)
        charger.notify()
        self._csms.emit(EVENT_LOG, data)

    def monitor_event(self, charger: Charger, event: dict[str, Any]) -> None:
        """Apply a 2.x NotifyEvent that a variable monitor raised."""
        data = {"charger_id": charger.charger_id, **event}
        charger.monitor_happenings.add(event["trigger"], data)
        charger.notify()
        self._csms.emit(EVENT_MONITOR, data)
