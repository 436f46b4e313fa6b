"""Writes that must reach the disk, for ``persistence.py``.

A Store that reports each write's outcome, and the growing pause and repair issue
of a write that failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, override

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store

from ..const import DOMAIN, LOGGER_NAME

RETRY_FIRST_S = 1.0
RETRY_MAX_S = 60.0
WRITE_FAILED_ISSUE = "storage_write_failed"

_LOGGER = logging.getLogger(LOGGER_NAME)


class TrackedStore(Store[dict[str, Any]]):
    """A Store that tells whether each write reached the disk (HA's only logs a failure)."""

    def __init__(
        self,
        hass: HomeAssistant,
        version: int,
        key: str,
        written: Callable[[Exception | None], None],
        migrate_from: Callable[[int, dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        """Report each write's outcome to ``written`` (None: on disk)."""
        super().__init__(hass, version, key)
        self._written = written
        self._migrate_from = migrate_from  # older layouts of this store, where any

    @override
    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        if self._migrate_from is None:
            raise NotImplementedError
        return self._migrate_from(old_major_version, old_data)

    @override
    async def _async_write_data(self, data: dict[str, Any]) -> None:
        try:
            await self.write_through(data)
        except Exception as err:
            self._written(err)
            raise
        self._written(None)

    async def write_through(self, data: dict[str, Any]) -> None:
        """Write as Home Assistant's Store does (raises WriteError when it fails)."""
        await super()._async_write_data(data)


class WriteRetry:
    """A failed write's growing pause, and the repair issue while it fails."""

    def __init__(self, hass: HomeAssistant, what: str) -> None:
        """Retry the writes of ``what`` (the journal, the state, the history)."""
        self.hass, self.what = hass, what
        self.pause = RETRY_FIRST_S
        self.failing = False

    def failed(self, err: Exception) -> float:
        """Note a failure; return the pause before the next try."""
        _LOGGER.error("Could not write %s (%s); trying again in %.0f s", self.what, err, self.pause)
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"{WRITE_FAILED_ISSUE}_{self.what}",
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=WRITE_FAILED_ISSUE,
            translation_placeholders={"what": self.what, "error": str(err)},
        )
        self.failing = True
        pause, self.pause = self.pause, min(RETRY_MAX_S, self.pause * 2)
        return pause

    def succeeded(self) -> None:
        """Note a success: the issue goes."""
        self.pause = RETRY_FIRST_S
        if self.failing:
            self.failing = False
            _LOGGER.warning("Writing %s works again; nothing was lost", self.what)
            ir.async_delete_issue(self.hass, DOMAIN, f"{WRITE_FAILED_ISSUE}_{self.what}")
