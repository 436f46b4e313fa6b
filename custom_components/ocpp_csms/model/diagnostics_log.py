"""Charger messages no entity shows, kept for the diagnostics download.

Bounded in count and in bytes, so a charger cannot make Home Assistant hold its
payloads.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any

MAX_ENTRIES = 50
MAX_TOTAL_BYTES = 64 * 1024
MAX_ENTRY_BYTES = 4 * 1024
PREVIEW_CHARS = 512


def _size(payload: Any) -> int:
    try:
        return len(json.dumps(payload, default=str))
    except ValueError, TypeError, RecursionError:
        return MAX_ENTRY_BYTES + 1


class DiagnosticsLog:
    """The latest messages of one charger; the oldest go first."""

    def __init__(self) -> None:
        """Start empty."""
        self._entries: deque[tuple[int, dict[str, Any]]] = deque()
        self._bytes = 0

    def add(self, kind: str, payload: dict[str, Any]) -> None:
        """Keep a message (a large payload as a preview); the oldest go first."""
        size = _size(payload)
        if size > MAX_ENTRY_BYTES:
            preview = str(payload)[:PREVIEW_CHARS]
            payload = {"truncated": True, "bytes": size, "preview": preview}
            size = _size(payload)
        self._entries.append((size, {"kind": kind, "payload": payload}))
        self._bytes += size
        while len(self._entries) > MAX_ENTRIES or self._bytes > MAX_TOTAL_BYTES:
            dropped, _ = self._entries.popleft()
            self._bytes -= dropped

    @property
    def entries(self) -> list[dict[str, Any]]:
        """Return the kept messages, oldest first."""
        return [entry for _, entry in self._entries]

    @property
    def size_bytes(self) -> int:
        """Return the size of the kept messages."""
        return self._bytes
