"""A local authorization list as a charger keeps it: its entries, and what it was sent.

Plain data the charger keeps (and storage saves); ``local_list.py`` keeps the
lists in step with the tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .authorization import AuthStatus, Tag, TagDecision


@dataclass(slots=True, frozen=True)
class LocalEntry:
    """One tag as a charger keeps it; ``status`` None removes it (differential)."""

    id_tag: str
    status: AuthStatus | None
    token_type: str = "ISO14443"
    group: str | None = None
    expires: datetime | None = None

    def key(self) -> tuple[Any, ...]:
        """Return what a change of the entry is compared on."""
        return (self.status, self.token_type, self.group, self.expires)

    def decision(self) -> TagDecision | None:
        """Return the entry as the decision a charger keeps; None for a removal."""
        if self.status is None:
            return None
        tag = Tag(self.id_tag, group=self.group, expires=self.expires)
        return TagDecision(self.id_tag, self.status, tag)


@dataclass(slots=True)
class SentList:
    """What a charger was last sent: the version, and the entries by tag."""

    version: int = 0
    entries: dict[str, LocalEntry] | None = None  # None: never sent in full

    def as_dict(self) -> dict[str, Any]:
        """Return what was sent, as plain data for storage."""
        return {
            "version": self.version,
            "entries": None
            if self.entries is None
            else {
                k: [
                    e.id_tag,
                    e.status,
                    e.token_type,
                    e.group,
                    e.expires.isoformat() if e.expires else None,
                ]
                for k, e in self.entries.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Any) -> SentList:
        """Read what was stored (anything else: never sent)."""
        if not isinstance(data, dict):
            return cls()
        entries = None
        if isinstance(raw := data.get("entries"), dict):
            entries = {
                k: LocalEntry(
                    v[0],
                    AuthStatus(v[1]) if v[1] else None,
                    v[2],
                    v[3],
                    datetime.fromisoformat(v[4]) if v[4] else None,
                )
                for k, v in raw.items()
            }
        return cls(int(data.get("version", 0)), entries)
