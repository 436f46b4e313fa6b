"""Who may open a connection, decided before the websocket upgrade.

The charger's own password, the policy for chargers without one, and the policy
for unknown charger ids. Home Assistant supplies the facts through
``AdmissionFacts``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from http import HTTPStatus

from .passwords import FailureLog, PasswordHash, basic_credentials

# Past this many failed logins from one address in a minute, further attempts are
# refused at once with 429, without spending a password hash on them.
FAILURES_PER_ADDRESS = 20


class UnknownPolicy(StrEnum):
    """What happens to a charger id without a config entry."""

    ASK = "ask"  # a discovered device to adopt (the charger waits in Pending)
    ACCEPT = "accept"  # adopted at its first boot
    REFUSE = "refuse"  # refused before the upgrade


class NoPasswordPolicy(StrEnum):
    """What happens to an adopted charger that has no password."""

    AUTO = "auto"  # refuse once any charger has a password, else allow
    REFUSE = "refuse"
    ALLOW = "allow"  # legacy: a repair issue says so


@dataclass(slots=True, frozen=True)
class Refusal:
    """An HTTP answer that refuses a connection."""

    status: HTTPStatus
    reason: str


@dataclass(slots=True)
class AdmissionFacts:
    """What the integration knows; each callable is cheap (dict lookups)."""

    # The hashes a charger's password may match (the current one and, right after a
    # rotation, the previous); None for a charger without an entry.
    hashes: Callable[[str], list[PasswordHash] | None] = lambda charger_id: None
    # An unknown charger id: may it in (policy, ignored, the discovery cap)?
    admit_unknown: Callable[[str], bool] = lambda charger_id: True
    # Is any charger's password set (for NoPasswordPolicy.AUTO)?
    any_password: Callable[[], bool] = lambda: False
    # An adopted charger without a password was let in (policy allow).
    let_in_without_password: Callable[[str], None] = lambda charger_id: None
    # A charger logged in with its password.
    authenticated: Callable[[str, PasswordHash], None] = lambda charger_id, used: None
    # Whether a charger adopted with a password it may not have taken is still let
    # in with the access it had (until it logs in with the new password once).
    still_open: Callable[[str], bool] = lambda charger_id: False
    # Such a charger came in without its new password.
    let_in_before_password: Callable[[str], None] = lambda charger_id: None
    on_repeated_failures: Callable[[str, str, int], None] = lambda cid, addr, n: None
    # A charger offered only OCPP versions it may not use: (charger id, offered).
    unsupported_version: Callable[[str, str], None] = lambda charger_id, offered: None
    # A charger's connection opened (whatever its version).
    connected: Callable[[str], None] = lambda charger_id: None


@dataclass(slots=True)
class _AddressFailures:
    start: float
    count: int = 0


@dataclass
class Admission:
    """Decides, for each connection attempt, whether it may open."""

    facts: AdmissionFacts = field(default_factory=AdmissionFacts)
    no_password: NoPasswordPolicy = NoPasswordPolicy.AUTO
    refused_unknown: int = 0  # unknown ids refused (policy or the cap)
    failures: FailureLog = field(init=False)
    # A password checked once is remembered as a keyed digest, so a charger that
    # reconnects does not cost a PBKDF2 round each time.
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _verified: dict[str, tuple[bytes, PasswordHash]] = field(default_factory=dict)
    _by_address: dict[str, _AddressFailures] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Make the failure log; it reports through the facts of the moment."""
        self.failures = FailureLog(self._repeated_failures)

    def _repeated_failures(self, charger_id: str, address: str, count: int) -> None:
        # through self.facts at call time: Home Assistant sets the facts after this
        self.facts.on_repeated_failures(charger_id, address, count)

    def forget(self, charger_id: str) -> None:
        """Check the charger's next password in full (it changed)."""
        self._verified.pop(charger_id, None)

    def refuses_unauthenticated(self) -> bool:
        """Tell whether chargers without a password are refused now."""
        if self.no_password is NoPasswordPolicy.AUTO:
            return self.facts.any_password()
        return self.no_password is NoPasswordPolicy.REFUSE

    async def admit(self, charger_id: str, address: str, authorization: str) -> Refusal | None:
        """Admit a connection (None), or refuse it with an HTTP status."""
        hashes = self.facts.hashes(charger_id)
        if hashes is None:  # no entry: an unknown charger
            if self.facts.admit_unknown(charger_id):
                return None
            self.refused_unknown += 1
            return Refusal(HTTPStatus.FORBIDDEN, "Unknown charge point\n")
        if not hashes:
            if self.refuses_unauthenticated():
                return self._failed(
                    charger_id,
                    address,
                    "it has no password set, and chargers without one are refused",
                )
            self.facts.let_in_without_password(charger_id)
            return None
        if self._throttled(address):
            return Refusal(HTTPStatus.TOO_MANY_REQUESTS, "Too many failed logins\n")
        given = basic_credentials(authorization)
        used = None
        if given is not None and given[0] == charger_id:
            used = await self._check(charger_id, given[1], hashes)
        if used is None and self.facts.still_open(charger_id):
            self.facts.let_in_before_password(charger_id)
            return None
        if given is None or given[0] != charger_id:
            return self._failed(charger_id, address, "no credentials, or another user name")
        if used is None:
            return self._failed(charger_id, address, "wrong password")
        self.failures.succeeded(charger_id)
        self.facts.authenticated(charger_id, used)
        return None

    async def _check(
        self, charger_id: str, password: str, hashes: list[PasswordHash]
    ) -> PasswordHash | None:
        token = hmac.new(self._key, password.encode(), hashlib.sha256).digest()
        known = self._verified.get(charger_id)
        if known is not None and hmac.compare_digest(known[0], token) and known[1] in hashes:
            return known[1]
        loop = asyncio.get_running_loop()
        for candidate in hashes:
            if await loop.run_in_executor(None, candidate.verify, password):
                self._verified[charger_id] = (token, candidate)
                return candidate
        return None

    def _throttled(self, address: str) -> bool:
        entry = self._by_address.get(address)
        if entry is None or time.monotonic() - entry.start > 60:
            return False
        return entry.count >= FAILURES_PER_ADDRESS

    def _failed(self, charger_id: str, address: str, reason: str) -> Refusal:
        now = time.monotonic()
        entry = self._by_address.get(address)
        if entry is None or now - entry.start > 60:
            if len(self._by_address) > 1000:
                self._by_address.clear()
            entry = self._by_address[address] = _AddressFailures(now)
        entry.count += 1
        self.failures.failed(charger_id, address, reason)
        return Refusal(HTTPStatus.UNAUTHORIZED, "Unauthorized\n")
