"""Home Assistant's heap, frozen once the site has settled: no second-long pauses.

Python's full garbage collection walks every object that outlived two young
collections. With a thousand chargers that is millions of objects (their
entities, states, registry entries, connections): a pause of one to one and a
half seconds, every few seconds to minutes, in which no charger is answered.
``gc.freeze()`` moves everything alive into a permanent generation that the
collector no longer walks, so a full collection afterwards costs milliseconds.

It is done once the site has settled (Home Assistant started, no charger
connected for a while), after a full collection so that no garbage is frozen.
What is frozen and later becomes cyclic garbage (a reloaded integration's
objects, a removed charger's) is not freed until it is unfrozen: so once a day,
at night, the heap is unfrozen, collected and frozen again. Unloading the
central system unfreezes it.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_change, async_track_time_interval
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from ..const import LOGGER_NAME

_LOGGER = logging.getLogger(LOGGER_NAME)
CHECK_EVERY = timedelta(seconds=5)
# no new connection for this long: the fleet has come back
QUIET_S = 10.0
# and at least this long after Home Assistant started
SETTLE_S = 20.0
# the nightly refreeze (local time)
NIGHTLY = (3, 33, 0)
# a smaller site's heap is small: its full collections are short
MIN_CHARGERS = 20


class HeapFreezer:
    """Freezes the heap once the site has settled, and again every night."""

    def __init__(self, hass: HomeAssistant, connected: Callable[[], int]) -> None:
        """Watch ``connected`` (how many chargers are connected) to tell when it settled."""
        self._hass = hass
        self._connected = connected
        self._unsubs: list[Callable[[], None]] = []
        self._unsub_check: Callable[[], None] | None = None
        self._started_at: float | None = None
        self._last = (-1, 0.0)  # connected count, and since when
        self.frozen = False
        self.last_pause_ms: float | None = None

    def start(self) -> None:
        """Begin watching once Home Assistant has started."""
        self._unsubs.append(async_at_started(self._hass, self._at_started))
        hour, minute, second = NIGHTLY
        self._unsubs.append(
            async_track_time_change(
                self._hass, self._nightly, hour=hour, minute=minute, second=second
            )
        )

    @callback
    def _at_started(self, _hass: HomeAssistant) -> None:
        self._started_at = dt_util.utcnow().timestamp()
        self._unsub_check = async_track_time_interval(self._hass, self._check, CHECK_EVERY)

    @callback
    def _check(self, _now: datetime) -> None:
        now = dt_util.utcnow().timestamp()
        count = self._connected()
        if count != self._last[0]:
            self._last = (count, now)
            return
        started = self._started_at if self._started_at is not None else now
        if now - self._last[1] >= QUIET_S and now - started >= SETTLE_S:
            self._stop_checking()
            if count >= MIN_CHARGERS:
                self.freeze("the site has settled")

    @callback
    def _nightly(self, _now: datetime) -> None:
        if self.frozen:
            gc.unfreeze()
            self.frozen = False
            self.freeze("nightly")

    def freeze(self, why: str) -> None:
        """Collect, then freeze what is alive (one pause now instead of many later)."""
        began = time.perf_counter()
        gc.collect()
        gc.freeze()
        self.frozen = True
        self.last_pause_ms = round((time.perf_counter() - began) * 1000, 1)
        _LOGGER.info(
            "Heap frozen (%s): %d objects, a pause of %.0f ms",
            why,
            gc.get_freeze_count(),
            self.last_pause_ms,
        )

    def _stop_checking(self) -> None:
        if self._unsub_check is not None:
            self._unsub_check()
            self._unsub_check = None

    def stop(self) -> None:
        """Stop watching, and unfreeze the heap (the central system unloads)."""
        self._stop_checking()
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        if self.frozen:
            gc.unfreeze()
            self.frozen = False
