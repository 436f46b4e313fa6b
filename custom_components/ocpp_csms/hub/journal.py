"""The journal: what an answer to a charger acknowledged, on disk before the answer leaves.

An append-only file of JSON lines, each flushed and fsync'd, beside the
integration's Store files. The Store snapshots are written in the background,
seconds later; whatever a crash takes from them, the journal still has, and
loading replays it on top of them. Once a snapshot holding an entry is written,
the entry is compacted away.

Plain file I/O, blocking: the Home Assistant layer runs it in the executor.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

_LOGGER = logging.getLogger(__name__)


class Journal:
    """One journal file; every method blocks (call it from the executor)."""

    def __init__(self, path: Path) -> None:
        """Use ``path`` (created on the first append)."""
        self.path = path

    def read(self) -> list[dict[str, Any]]:
        """Return every whole entry; a line torn by a crash mid-write is dropped."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        entries: list[dict[str, Any]] = []
        for number, line in enumerate(raw.split(b"\n"), 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                _LOGGER.warning(
                    "%s: line %d is torn (a crash while writing); skipped", self.path, number
                )
                continue
            if isinstance(entry, dict):
                entries.append(entry)
        return entries

    def append(self, entries: list[dict[str, Any]]) -> None:
        """Append the entries, and return once they are on disk (fsync)."""
        data = _lines(entries)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            # a torn line left by a crash must not swallow the first entry
            if os.fstat(fd).st_size and not self._ends_with_newline():
                data = b"\n" + data
            _write_all(fd, data)
        finally:
            os.close(fd)

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as file:
            file.seek(-1, os.SEEK_END)
            return file.read(1) == b"\n"

    def rewrite(self, entries: list[dict[str, Any]]) -> None:
        """Replace the file by ``entries`` (those not yet in a snapshot), atomically."""
        if not entries:
            self.path.unlink(missing_ok=True)
            return
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _write_all(fd, _lines(entries))
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        _fsync_dir(self.path.parent)


def _lines(entries: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(e, separators=(",", ":")).encode() + b"\n" for e in entries)


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte, then fsync."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
