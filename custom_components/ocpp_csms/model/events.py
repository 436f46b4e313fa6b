"""The happenings the model reports.

Their names (fired on the bus as ocpp_csms_<name>), and the count and last one
of a kind that an event entity fires from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EVENT_CHARGER_BOOTED = "charger_booted"
EVENT_SESSION_STARTED = "session_started"
EVENT_SESSION_ENDED = "session_ended"
EVENT_TAG_PRESENTED = "tag_presented"
EVENT_RESERVATION = "reservation"  # created, used, cancelled, expired, removed
EVENT_FIRMWARE = "firmware_status"
EVENT_LOG = "log_status"  # a log upload's progress, and the file received
EVENT_MONITOR = "monitor"  # a 2.x variable monitor was triggered


@dataclass(slots=True)
class Happenings:
    """How many happenings of one kind there were, and the last one."""

    count: int = 0
    last: tuple[str, dict[str, Any]] | None = None

    def add(self, kind: str, data: dict[str, Any]) -> None:
        """Count one more."""
        self.count += 1
        self.last = (kind, data)
