"""Every forwarded charger of the central system (``forwarding.py`` is one of them).

It holds each charger's forwarder, stores their id maps, boots, statuses and
waiting messages, hooks them to the model (the copies, the tags, the answers
first), and raises the repair issues of their legs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN
from ..model import clock
from ..model.authorization import AuthStatus
from ..model.charger import Charger
from .bridge import raise_repair
from .forwarding import Forwarder
from .journal import Journal
from .store_writes import TrackedStore
from .upstream_options import UpstreamOptions

if TYPE_CHECKING:
    from ..model.csms import Csms

STORAGE_KEY = "ocpp_csms.forwarding"
JOURNAL_FILE = "ocpp_csms.forwarding.journal"
SAVE_DELAY_S = 1.0
UNREACHABLE_ISSUE_AFTER = timedelta(minutes=30)


class ForwardingManager:
    """Every forwarded charger of the central system."""

    def __init__(self, hass: HomeAssistant, csms: Csms) -> None:
        """Forward nothing until a charger's options say where."""
        self.hass, self.csms = hass, csms
        self.forwarders: dict[str, Forwarder] = {}
        self.stored: dict[str, Any] = {}  # by charger id
        self._store = TrackedStore(hass, 1, STORAGE_KEY, self._written)
        # each copy queued is journaled before the charger's answer leaves; a snapshot
        # (the store) holds the copies up to its sequence number, the journal the rest
        self._journal = Journal(Path(hass.config.path(".storage", JOURNAL_FILE)))
        self._seq = self._snapshot_seq = 0
        self._journaled: list[dict[str, Any]] = []  # since the last compaction
        self._unwritten: list[dict[str, Any]] = []
        self._journal_lock = asyncio.Lock()
        self._failing: dict[str, datetime] = {}  # since when each leg fails
        csms.tags.ask_upstream = self._ask_upstream

    async def async_load(self) -> None:
        """Read the stored state, and replay the journal's copies the snapshot lacks."""
        data = await self._store.async_load() or {}
        self.stored = data.get("chargers", {})
        self._seq = self._snapshot_seq = int(data.get("seq", 0))
        entries = await self.hass.async_add_executor_job(self._journal.read)
        for entry in entries:
            if entry.get("seq", 0) <= self._snapshot_seq:
                continue
            charger = self.stored.setdefault(str(entry["c"]), {})
            item = {k: entry.get(k) for k in ("action", "payload", "ours")}
            charger.setdefault("queue", []).append(item)
            self._seq = max(self._seq, int(entry["seq"]))
            self._journaled.append(entry)

    def apply(self, charger_id: str, options: UpstreamOptions | None) -> bool:
        """Set a charger's forwarding; True when it was turned on or off."""
        current = self.forwarders.get(charger_id)
        if current is not None and current.options == options:
            return False
        was = current is not None
        if current is not None:
            self.hass.async_create_task(current.close(), eager_start=False)
            del self.forwarders[charger_id]
        if options is not None:
            self.forwarders[charger_id] = Forwarder(self, charger_id, options)
        # the message path's hooks, only while some charger needs them
        self.csms.forward = self._message if self.forwarders else None
        answering = any(f.options.answers for f in self.forwarders.values())
        self.csms.answer_first = self._answer_first if answering else None
        return was != (options is not None)

    @callback
    def _message(
        self, charger: Charger, action: str, payload: Any, answer: Any
    ) -> Awaitable[None] | None:
        """Copy a call; return what to await before the charger's answer leaves."""
        if (forwarder := self.forwarders.get(charger.charger_id)) is not None:
            forwarder.message(charger, action, payload, answer)
        return self._append() if self._unwritten else None

    def journal(self, charger_id: str, item: dict[str, Any]) -> None:
        """Note a copy queued for the upstream (on disk before the answer leaves)."""
        self._seq += 1
        entry = {"seq": self._seq, "c": charger_id, **item}
        self._unwritten.append(entry)
        self._journaled.append(entry)

    async def _append(self) -> None:
        async with self._journal_lock:
            batch, self._unwritten = self._unwritten, []
            if batch:
                await self.hass.async_add_executor_job(self._journal.append, batch)

    def _written(self, err: Exception | None) -> None:
        """Compact the journal once a snapshot is on disk: it keeps what that lacks."""
        if err is not None:
            return
        keep = [e for e in self._journaled if e["seq"] > self._snapshot_seq]
        self._journaled = keep
        self.hass.async_create_task(self._compact(list(keep)), eager_start=False)

    async def _compact(self, keep: list[dict[str, Any]]) -> None:
        async with self._journal_lock:
            await self.hass.async_add_executor_job(self._journal.rewrite, keep)

    async def _answer_first(
        self, charger: Charger, action: str, payload: dict[str, Any]
    ) -> dict[str, Any] | None:
        forwarder = self.forwarders.get(charger.charger_id)
        if forwarder is None or not forwarder.options.answers:
            return None
        return await forwarder.answer_first(charger, action, payload)

    async def _ask_upstream(self, charger: Charger, id_tag: str, context: str) -> AuthStatus | None:
        forwarder = self.forwarders.get(charger.charger_id)
        if forwarder is None:
            return None
        return await forwarder.authorize(charger, id_tag, context == "Authorize")

    @callback
    def problem(self, charger_id: str, problem: str | None) -> None:
        """Raise a repair issue about a charger's leg, or remove it.

        Refused credentials or TLS at once, an unreachable upstream after 30
        minutes; removed once the leg is open.
        """
        issue_id = f"upstream_{charger_id}"
        if problem is None:
            self._failing.pop(charger_id, None)
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        since = self._failing.setdefault(charger_id, clock.now())
        at_once = ("auth", "tls", "protocol")
        if problem not in at_once and clock.now() - since < UNREACHABLE_ISSUE_AFTER:
            return  # unreachable, or the boot not accepted: for half an hour first
        forwarder = self.forwarders.get(charger_id)
        url = forwarder.options.url if forwarder is not None else ""
        version = (
            self.csms.chargers[charger_id].protocol if charger_id in self.csms.chargers else ""
        )
        raise_repair(
            self.hass,
            issue_id,
            f"upstream_{problem}",
            {"charger": charger_id, "url": url, "version": version or "?"},
        )

    def save(self) -> None:
        """Store the forwarders' state (soon: the journal holds what happens meanwhile)."""
        self._store.async_delay_save(self._data, SAVE_DELAY_S)

    def _data(self) -> dict[str, Any]:
        """Return what the store holds now (the queues up to the last copy journaled)."""
        for charger_id, forwarder in self.forwarders.items():
            self.stored[charger_id] = {
                "ids": forwarder.ids.as_dict(),
                "boot": forwarder.boot,
                "queue": forwarder.stored_queue(),
                "statuses": forwarder.statuses,
            }
        self._snapshot_seq = self._seq
        return {"chargers": self.stored, "seq": self._seq}

    async def async_stop(self) -> None:
        """Close every leg, and write what is to be kept."""
        for forwarder in list(self.forwarders.values()):
            await forwarder.close()
        if self.forwarders:
            await self._store.async_save(self._data())
