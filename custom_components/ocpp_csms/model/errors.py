"""Errors the model raises for input it will not take.

Adapters answer them with the protocol's error; the Home Assistant layer turns
them into validation errors.
"""

from __future__ import annotations


class InvalidInput(ValueError):
    """A charger sent a value the model refuses (a connector id out of range, say).

    Nothing was changed; the adapter answers the message with an OCPP error.
    """


class InvalidCommand(ValueError):
    """A command cannot be sent as asked (a malformed configuration key, say).

    Raised before the charger is asked; ``expected`` says what would be valid.
    """

    def __init__(self, message: str, expected: str = "") -> None:
        """Say what is wrong, and what would be valid."""
        super().__init__(message)
        self.expected = expected


class NotInVersion(InvalidCommand):
    """The charger's OCPP version has no such operation; nothing was sent."""

    def __init__(self, operation: str, version: str, versions: str) -> None:
        """Name the operation, the charger's version and the versions that have it."""
        super().__init__(f"OCPP {version} has no {operation}", versions)
        self.operation = operation
        self.version = version


class ChargerOffline(Exception):
    """A command for a charger that is not connected; nothing was sent."""

    def __init__(self, charger_id: str) -> None:
        """Name the charger that is not connected."""
        super().__init__(charger_id)
        self.charger_id = charger_id
