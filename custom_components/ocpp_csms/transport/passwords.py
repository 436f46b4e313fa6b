"""Charger passwords (security profile 1 and 2 Basic auth).

Generated strong, stored only as a salted PBKDF2 hash, checked in constant
time; and the log of failed attempts, once per burst, with the repeated
failures of one charger reported.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..const import LOGGER_NAME

_LOGGER = logging.getLogger(LOGGER_NAME)

# OCPP 2.x passwordString is 16 to 40 characters; the 1.6 security whitepaper asks
# for 16 to 20 bytes. A generated one is 20 letters and digits (119 bits).
PASSWORD_MIN, PASSWORD_MAX = 16, 40
GENERATED_LENGTH = 20
_ALPHABET = string.ascii_letters + string.digits
ITERATIONS = 60_000

# Failed attempts: one log line per charger per window, a repair past the threshold.
FAILURE_WINDOW_S = 600.0
FAILURES_FOR_REPAIR = 5


def generate_password() -> str:
    """Return a new strong password (20 letters and digits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(GENERATED_LENGTH))


def valid_password(password: str) -> bool:
    """Tell whether every OCPP version can carry it: 16 to 40 printable ASCII characters."""
    return PASSWORD_MIN <= len(password) <= PASSWORD_MAX and all(
        33 <= ord(ch) <= 126 for ch in password
    )


@dataclass(slots=True, frozen=True)
class PasswordHash:
    """A password's salted PBKDF2-SHA256 hash."""

    salt: bytes
    digest: bytes
    iterations: int = ITERATIONS

    @classmethod
    def of(cls, password: str, iterations: int = ITERATIONS) -> PasswordHash:
        """Hash a password with a new salt."""
        salt = secrets.token_bytes(16)
        return cls(salt, _derive(password, salt, iterations), iterations)

    def verify(self, password: str) -> bool:
        """Slow on purpose (PBKDF2): run it in an executor."""
        return hmac.compare_digest(_derive(password, self.salt, self.iterations), self.digest)

    def as_dict(self) -> dict[str, Any]:
        """Return the hash as plain data for the config entry."""
        return {
            "scheme": "pbkdf2_sha256",
            "iterations": self.iterations,
            "salt": self.salt.hex(),
            "digest": self.digest.hex(),
        }

    @classmethod
    def from_dict(cls, data: Any) -> PasswordHash | None:
        """None for anything that is not a stored hash (never raises)."""
        if not isinstance(data, dict) or data.get("scheme") != "pbkdf2_sha256":
            return None
        try:
            return cls(
                bytes.fromhex(data["salt"]), bytes.fromhex(data["digest"]), int(data["iterations"])
            )
        except KeyError, TypeError, ValueError:
            return None


def _derive(password: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(user, password) from an ``Authorization: Basic`` header, else None."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or len(encoded) > 512:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except binascii.Error, UnicodeDecodeError:
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


class FailureLog:
    """Failed logins: a warning once per charger and window, the rest counted.

    Past FAILURES_FOR_REPAIR in a window, ``on_repeated(charger id, address,
    count)``.
    """

    def __init__(self, on_repeated: Callable[[str, str, int], None]) -> None:
        """Report repeated failures through ``on_repeated``."""
        self._on_repeated = on_repeated
        self._windows: dict[str, tuple[float, int]] = {}
        self.total = 0

    def failed(self, charger_id: str, address: str, reason: str) -> None:
        """Count a failed login; log the first of a window, report the repeated."""
        now = time.monotonic()
        self.total += 1
        if len(self._windows) > 1000:  # a flood of made-up ids: forget old windows
            self._windows = {k: v for k, v in self._windows.items() if now - v[0] < 60}
        start, count = self._windows.get(charger_id, (now, 0))
        if now - start > FAILURE_WINDOW_S:
            start, count = now, 0
        count += 1
        self._windows[charger_id] = (start, count)
        if count == 1:
            _LOGGER.warning(
                "Refused connection of charger %s from %s: %s "
                "(further failures in the next %.0f minutes are counted, not logged)",
                charger_id,
                address,
                reason,
                FAILURE_WINDOW_S / 60,
            )
        if count == FAILURES_FOR_REPAIR:
            self._on_repeated(charger_id, address, count)

    def succeeded(self, charger_id: str) -> None:
        """Forget the failures of a charger that logged in."""
        self._windows.pop(charger_id, None)
