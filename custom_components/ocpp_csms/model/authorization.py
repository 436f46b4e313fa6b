"""Who may charge: the tag list and the policy that decides a presented tag.

Tags are RFID cards and other idTokens; the rules are the same for every OCPP
version and every token type.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class AuthStatus(StrEnum):
    """The answer to a presented tag."""

    ACCEPTED = "Accepted"
    INVALID = "Invalid"
    BLOCKED = "Blocked"
    EXPIRED = "Expired"
    UNKNOWN = "Unknown"  # not on the list (1.6 has no such status: Invalid there)


class TagPolicy(StrEnum):
    """How tags that are not on the list are decided."""

    AUTO = "auto"  # known tags only once any tag is listed, else accept all
    ACCEPT_ALL = "accept_all"
    KNOWN = "known"
    ASK = "ask"  # an automation answers through ocpp_csms.authorize_tag, else the list


@dataclass(slots=True, frozen=True)
class Tag:
    """A tag on the list."""

    id_tag: str
    name: str = ""
    group: str | None = None  # parentIdTag (1.6) / groupIdToken (2.x)
    blocked: bool = False
    expires: datetime | None = None
    token_type: str = "ISO14443"  # 2.x IdTokenEnumType, for local lists

    def status(self, now: datetime) -> AuthStatus:
        """Return the tag's own status now: blocked, expired or accepted."""
        if self.blocked:
            return AuthStatus.BLOCKED
        if self.expires is not None and self.expires <= now:
            return AuthStatus.EXPIRED
        return AuthStatus.ACCEPTED

    def as_dict(self) -> dict[str, Any]:
        """Return the tag as plain data."""
        return {
            "id_tag": self.id_tag,
            "name": self.name,
            "group": self.group,
            "blocked": self.blocked,
            "expires": self.expires.isoformat() if self.expires else None,
            "token_type": self.token_type,
        }


@dataclass(slots=True, frozen=True)
class TagDecision:
    """A decision on a presented tag, and what it rests on."""

    id_tag: str
    status: AuthStatus
    tag: Tag | None = None  # the listed tag, if any
    decided_by: str = "list"  # list, policy or automation

    @property
    def accepted(self) -> bool:
        """Tell whether the tag may charge."""
        return self.status is AuthStatus.ACCEPTED

    @property
    def group(self) -> str | None:
        """Return the listed tag's group, if any."""
        return self.tag.group if self.tag is not None else None

    @property
    def expires(self) -> datetime | None:
        """Return the listed tag's expiry, if any."""
        return self.tag.expires if self.tag is not None else None


class TagList:
    """The listed tags, looked up case-insensitively (readers differ in case)."""

    def __init__(self, tags: Iterable[Tag] = ()) -> None:
        """Index the tags by their id, without regard to case."""
        self._tags = {t.id_tag.casefold(): t for t in tags}

    def __len__(self) -> int:
        """Return the number of listed tags."""
        return len(self._tags)

    def __iter__(self) -> Any:
        """Iterate over the listed tags."""
        return iter(self._tags.values())

    def get(self, id_tag: str) -> Tag | None:
        """Return the listed tag, whatever the case of ``id_tag``."""
        return self._tags.get(id_tag.casefold())

    def effective_policy(self, policy: TagPolicy) -> TagPolicy:
        """Resolve AUTO: listed tags only once any tag is listed, else accept all."""
        if policy is TagPolicy.AUTO:
            return TagPolicy.KNOWN if self._tags else TagPolicy.ACCEPT_ALL
        return policy

    def decide(self, id_tag: str, now: datetime, policy: TagPolicy) -> TagDecision:
        """Decide a tag by the list.

        A listed tag is decided by its own state and its group's (a blocked or
        expired group blocks or expires its members); an unlisted one by the
        policy (ASK falls back to KNOWN).
        """
        tag = self.get(id_tag)
        if tag is None:
            if self.effective_policy(policy) is TagPolicy.ACCEPT_ALL:
                return TagDecision(id_tag, AuthStatus.ACCEPTED, decided_by="policy")
            return TagDecision(id_tag, AuthStatus.UNKNOWN, decided_by="policy")
        status = tag.status(now)
        if status is AuthStatus.ACCEPTED and tag.group and (group := self.get(tag.group)):
            status = group.status(now)
        return TagDecision(id_tag, status, tag)
