"""Keeping what the model must not lose: the journal first, the Store snapshots after.

What an answer to a charger acknowledges (a transaction id handed out, a session
started or ended and its history record, a local list sent) is appended to the
journal, fsync'd, before the answer leaves: the adapter awaits ``barrier()``.
Answers that acknowledged nothing wait for nothing. The Store snapshots (the
state, the session history) are written in the background, in batches; each
written snapshot lets the journal drop what it holds. Loading replays the
journal on top of the snapshots.

A write that fails (journal or snapshot) is tried again, with a growing pause,
until it succeeds; a repair issue says so meanwhile. Nothing is dropped.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER_NAME, SAVE_DELAY_S, STORAGE_KEY
from ..model.charger import Charger
from ..model.csms import Csms
from ..model.state import STATE_VERSION, migrate, record_of_charger
from .journal import Journal
from .store_writes import TrackedStore, WriteRetry

FULL_DUMP_EVERY_S = 60.0
HISTORY_STORAGE_KEY = f"{DOMAIN}.sessions"
JOURNAL_FILE = f"{DOMAIN}.journal"
HISTORY_SAVE_DELAY_S = 10.0
JOURNAL_MARK = "journal_seq"  # in a snapshot: the last journal entry it holds

_LOGGER = logging.getLogger(LOGGER_NAME)


class Persistence:
    """The journal and the two Store snapshots of one central system."""

    def __init__(self, hass: HomeAssistant, csms: Csms) -> None:
        """Keep ``csms``'s state under Home Assistant's ``.storage``."""
        self.hass, self.csms = hass, csms
        self.journal = Journal(Path(hass.config.path(".storage", JOURNAL_FILE)))
        self.store = TrackedStore(
            hass, STATE_VERSION, STORAGE_KEY, self._state_written, migrate_from=migrate
        )
        self.history_store = TrackedStore(hass, 1, HISTORY_STORAGE_KEY, self._history_written)
        # what is changed but not yet in the journal
        self._dirty: set[str] = set()
        self._counters_dirty = False
        self._new_history: list[dict[str, Any]] = []
        # entries built, in order: (seq, kind, entry); kind "s" state, "h" history
        self._unwritten: list[tuple[int, str, dict[str, Any]]] = []
        self._journaled: list[tuple[int, str, dict[str, Any]]] = []
        self._seq = 0  # the last entry built
        self._durable = 0  # the last entry on disk
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._flushing: asyncio.Task[None] | None = None
        self._file_lock = asyncio.Lock()
        self._journal_retry = WriteRetry(hass, "journal")
        self._state_retry = WriteRetry(hass, "state")
        self._history_retry = WriteRetry(hass, "history")
        self._retry_unsubs: dict[str, Callable[[], None]] = {}
        # the snapshot being written: the last entry built when its data was made
        self._state_mark = self._history_mark = 0
        self._pending_state_mark = self._pending_history_mark = 0
        self._state_pending = False
        self._remake_all = True
        self._remake: set[str] = set()
        self._last_full = -math.inf
        # None once it fired: a one-time listener removes itself
        self._unsub_final: Callable[[], None] | None = hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_FINAL_WRITE, self._final_write
        )

    # ------------------------------------------------------------ loading
    async def async_load(self) -> None:
        """Load the snapshots, and replay the journal on top of them."""
        state = await self.store.async_load() or {}
        history = await self.history_store.async_load() or {}
        entries = await self.hass.async_add_executor_job(self.journal.read)
        records = list(history.get("sessions", []))
        chargers = state.setdefault("chargers", {})
        # entries up to a snapshot's mark are in it already; only later ones replay
        self._state_mark = int(state.get(JOURNAL_MARK, 0))
        self._history_mark = int(history.get(JOURNAL_MARK, 0))
        replayed = 0
        for entry in entries:
            seq = int(entry.get("n", 0))
            self._seq = max(self._seq, seq)
            kind = "h" if "h" in entry else "s"
            self._journaled.append((seq, kind, entry))
            if seq <= (self._history_mark if kind == "h" else self._state_mark):
                continue
            replayed += 1
            if kind == "h":
                records.append(entry["h"])
                continue
            for key, value in entry.get("t", {}).items():
                state[key] = max(int(state.get(key, 0)), int(value))
            if "c" in entry:
                chargers[entry["c"]] = entry["r"]
        self._seq = max(self._seq, self._state_mark, self._history_mark)
        self._durable = self._seq
        self.csms.stored.load(state)
        self.csms.history.load(records, dt_util.utcnow())
        if entries:
            if replayed:
                _LOGGER.warning(
                    "Replayed %d journal entries that no snapshot held (Home Assistant "
                    "stopped without writing them)",
                    replayed,
                )
            self._remake_all = True
            self._schedule_state(0)
            self.save_history()

    # ------------------------------------------------------------ the model's asks
    @callback
    def save_now(self, charger: Charger | None) -> None:
        """Journal the charger's record (and the counters) before the next answer."""
        if charger is not None:
            self._dirty.add(charger.charger_id)
        self._counters_dirty = True
        self._remake_all = True
        self._schedule_state(0)

    @callback
    def history_added(self, record: dict[str, Any]) -> None:
        """Journal a finished session before the next answer; the snapshot follows."""
        self._new_history.append(record)
        self.save_history()

    @callback
    def save_history(self) -> None:
        """Write the session history snapshot within HISTORY_SAVE_DELAY_S."""
        self.history_store.async_delay_save(self._history_data, HISTORY_SAVE_DELAY_S)

    @callback
    def save_soon(self) -> None:
        """Write the state within SAVE_DELAY_S, every charger's record made anew."""
        self._remake_all = True
        self._schedule_state(SAVE_DELAY_S)

    @callback
    def save_readings(self, charger: Charger) -> None:
        """Write within SAVE_DELAY_S what one charger's meter values changed."""
        self._remake.add(charger.charger_id)
        self._schedule_state(SAVE_DELAY_S)

    def barrier(self) -> Awaitable[None] | None:
        """Return what an answer must wait for (None: nothing unsaved)."""
        target = self._seq + 1 if self._has_dirty() else self._seq
        if target <= self._durable:
            return None
        waiter: asyncio.Future[None] = self.hass.loop.create_future()
        self._waiters.append((target, waiter))
        self._start_flush()
        return waiter

    # ------------------------------------------------------------ the journal
    def _has_dirty(self) -> bool:
        return bool(self._dirty or self._counters_dirty or self._new_history)

    def _start_flush(self) -> None:
        if self._flushing is None and "journal" not in self._retry_unsubs:
            self._flushing = self.hass.async_create_background_task(
                self._flush(), f"{DOMAIN} journal", eager_start=False
            )

    def _build(self) -> None:
        counters = self.csms.stored.counters()
        chargers = self.csms.chargers
        for charger_id in sorted(self._dirty):
            if (charger := chargers.get(charger_id)) is not None:
                self._seq += 1
                entry = {
                    "n": self._seq,
                    "t": counters,
                    "c": charger_id,
                    "r": record_of_charger(charger),
                }
                self._unwritten.append((self._seq, "s", entry))
                self._counters_dirty = False
        if self._counters_dirty:
            self._seq += 1
            self._unwritten.append((self._seq, "s", {"n": self._seq, "t": counters}))
        for record in self._new_history:
            self._seq += 1
            self._unwritten.append((self._seq, "h", {"n": self._seq, "h": record}))
        self._dirty, self._counters_dirty, self._new_history = set(), False, []

    async def _flush(self) -> None:
        try:
            async with self._file_lock:
                while self._has_dirty() or self._unwritten:
                    self._build()
                    batch = self._unwritten
                    try:
                        await self.hass.async_add_executor_job(
                            self.journal.append, [entry for _, _, entry in batch]
                        )
                    except OSError as err:
                        self._later("journal", self._journal_retry.failed(err), self._start_flush)
                        return
                    self._journal_retry.succeeded()
                    self._unwritten = []
                    self._journaled.extend(batch)
                    self._durable = batch[-1][0]
                    self._wake()
        finally:
            self._flushing = None

    def _wake(self) -> None:
        waiting = []
        for target, waiter in self._waiters:
            if target <= self._durable:
                if not waiter.done():
                    waiter.set_result(None)
            else:
                waiting.append((target, waiter))
        self._waiters = waiting

    async def _compact(self) -> None:
        async with self._file_lock:
            keep = [
                item
                for item in self._journaled
                if item[0] > (self._state_mark if item[1] == "s" else self._history_mark)
            ]
            if len(keep) == len(self._journaled):
                return
            try:
                await self.hass.async_add_executor_job(
                    self.journal.rewrite, [entry for _, _, entry in keep]
                )
            except OSError as err:  # the old file holds everything still: no loss
                _LOGGER.warning("Could not compact the journal: %s", err)
                return
            self._journaled = keep

    # ------------------------------------------------------------ the snapshots
    def _schedule_state(self, delay: float) -> None:
        if "state" in self._retry_unsubs:
            return  # a retry is due; it writes everything then
        if not self._state_pending or delay == 0:
            self._state_pending = True
            self.store.async_delay_save(self._state_data, delay)

    def _state_data(self) -> dict[str, Any]:
        self._state_pending = False
        self._pending_state_mark = self._seq
        now = time.monotonic()
        full = self._remake_all or now - self._last_full > FULL_DUMP_EVERY_S
        data = self.csms.stored.dump(self.csms.chargers, None if full else self._remake)
        self._remake_all, self._remake = False, set()
        if full:
            self._last_full = now
        data[JOURNAL_MARK] = self._seq
        return data

    def _history_data(self) -> dict[str, Any]:
        self._pending_history_mark = self._seq
        return {"sessions": self.csms.history.dump(), JOURNAL_MARK: self._seq}

    @callback
    def _state_written(self, err: Exception | None) -> None:
        if err is not None:
            self._remake_all = True
            self._later("state", self._state_retry.failed(err), lambda: self._schedule_state(0))
            return
        self._state_retry.succeeded()
        self._state_mark = self._pending_state_mark
        self._compact_soon()

    @callback
    def _history_written(self, err: Exception | None) -> None:
        if err is not None:
            self._later("history", self._history_retry.failed(err), self.save_history)
            return
        self._history_retry.succeeded()
        self._history_mark = self._pending_history_mark
        self._compact_soon()

    def _compact_soon(self) -> None:
        if self._journaled:
            self.hass.async_create_background_task(
                self._compact(), f"{DOMAIN} journal compaction", eager_start=False
            )

    # ------------------------------------------------------------ retries, stop
    def _later(self, what: str, pause: float, action: Callable[[], None]) -> None:
        @callback
        def _again(_now: Any) -> None:
            self._retry_unsubs.pop(what, None)
            action()

        if (old := self._retry_unsubs.pop(what, None)) is not None:
            old()
        self._retry_unsubs[what] = async_call_later(self.hass, pause, _again)

    async def async_close(self) -> None:
        """Write what is pending and stop listening (the central system entry unloads)."""
        if self._unsub_final is not None:
            self._unsub_final()
            self._unsub_final = None
        await self._write_pending()

    async def _final_write(self, _event: Event) -> None:
        """At Home Assistant's stop: everything pending reaches the disk, no timer stays."""
        self._unsub_final = None
        await self._write_pending()

    async def _write_pending(self) -> None:
        for unsub in self._retry_unsubs.values():
            unsub()
        self._retry_unsubs.clear()
        if self._flushing is not None:
            await self._flushing
        if self._has_dirty() or self._unwritten:
            await self._flush()
