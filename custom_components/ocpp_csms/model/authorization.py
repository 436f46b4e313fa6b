"""Who may charge: one replaceable policy object consulted by every adapter."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class AuthStatus(StrEnum):
    ACCEPTED = "Accepted"
    INVALID = "Invalid"
    BLOCKED = "Blocked"


class AuthorizationPolicy(Protocol):
    def authorize(self, charger_id: str, id_tag: str) -> AuthStatus: ...


class AcceptAll:
    def authorize(self, charger_id: str, id_tag: str) -> AuthStatus:
        return AuthStatus.ACCEPTED


class AllowList:
    """Only the listed tags (compared case-insensitively, as readers differ)."""

    def __init__(self, tags: list[str]) -> None:
        self._tags = {t.strip().casefold() for t in tags if t.strip()}

    def authorize(self, charger_id: str, id_tag: str) -> AuthStatus:
        return AuthStatus.ACCEPTED if id_tag.casefold() in self._tags else AuthStatus.INVALID
