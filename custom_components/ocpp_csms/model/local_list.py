"""The tag list on the chargers (local authorization lists).

With it, chargers authorize while offline: a full list the first time,
differential updates after, re-checked at every boot with GetLocalListVersion;
and the chargers' authorization caches are cleared when a tag stops being
accepted.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from . import clock
from .authorization import AuthStatus, Tag, TagList, TagPolicy
from .commands import CommandError
from .local_entries import LocalEntry

if TYPE_CHECKING:
    from .central import Central
    from .charger import Charger

_LOGGER = logging.getLogger(__name__)
_KNOWN = TagPolicy.KNOWN


def wanted(tags: TagList, now: datetime) -> dict[str, LocalEntry]:
    """Return the list every charger should hold.

    Tags of any state: a charger offline must know that a blocked tag is blocked.
    """
    out: dict[str, LocalEntry] = {}
    for tag in tags:
        status = tags.decide(tag.id_tag, now, _KNOWN).status
        out[tag.id_tag.casefold()] = _entry(tag, status)
    return out


def _entry(tag: Tag, status: AuthStatus) -> LocalEntry:
    return LocalEntry(tag.id_tag, status, tag.token_type, tag.group, tag.expires)


class LocalLists:
    """Keeps every charger's local authorization list in step with the tag list."""

    def __init__(self, csms: Central) -> None:
        """Work on the central system's chargers and tags."""
        self._csms = csms
        self._locks: dict[str, asyncio.Lock] = {}

    async def after_boot(self, charger: Charger) -> None:
        """Compare the charger's list version with ours, and bring it up to date.

        The full list if they differ (a charger reset or replaced), else whatever
        changed meanwhile. One update at a time per charger.
        """
        async with self._lock(charger):
            await self._after_boot(charger)

    async def sync(self, charger: Charger) -> None:
        """Bring the charger's list to the tag list, one update at a time.

        Full the first time (and after a version mismatch), differential after.
        """
        async with self._lock(charger):
            await self._sync(charger)

    def _lock(self, charger: Charger) -> asyncio.Lock:
        # Two updates at once would both count from the same version.
        return self._locks.setdefault(charger.charger_id, asyncio.Lock())

    async def _after_boot(self, charger: Charger) -> None:
        commands = charger.require_commands()
        try:
            version = await commands.get_local_list_version()
        except CommandError as err:
            _LOGGER.debug("%s: no local authorization list (%s)", charger.charger_id, err)
            charger.update_capabilities(local_auth_list=False)
            return
        if version < 0:
            charger.update_capabilities(local_auth_list=False)
            return
        charger.update_capabilities(local_auth_list=True)
        if version != charger.local_list.version:
            charger.local_list.entries = None
        await self._sync(charger)

    async def _sync(self, charger: Charger) -> None:
        if charger.capabilities.local_auth_list is not True or not charger.connected:
            return
        target = wanted(self._csms.tags.tags, clock.now())
        commands = charger.require_commands()
        longest = commands.id_tag_max_length  # tags its version cannot carry stay out
        target = {k: e for k, e in target.items() if len(e.id_tag) <= longest}
        sent = charger.local_list
        version = sent.version + 1
        if sent.entries is None and not target:
            return  # no tags yet: the charger's own list is left alone
        try:
            if sent.entries is None:
                await commands.send_local_list(version, True, list(target.values()))
            else:
                changes = _changes(sent.entries, target)
                if not changes:
                    return
                await commands.send_local_list(version, False, changes)
        except CommandError as err:
            if "VersionMismatch" in err.answer and sent.entries is not None:
                sent.entries = None
                await self._sync(charger)
                return
            _LOGGER.warning(
                "%s: the charger did not take its local authorization list (%s)%s",
                charger.charger_id,
                err.answer,
                "; not sent again before its next boot" if sent.entries is None else "",
            )
            if sent.entries is None:  # even a full list fails: it has none to keep
                charger.update_capabilities(local_auth_list=False)
            else:  # the next change sends the whole list
                sent.entries = None
            return
        charger.local_list = type(sent)(version, target)
        self._csms.persistence.now(charger)  # what the charger holds decides its tags

    async def clear_cache(self, charger: Charger) -> None:
        """Make the charger forget its cached authorizations (a tag was withdrawn)."""
        try:
            await charger.require_commands().clear_cache()
        except CommandError as err:
            _LOGGER.debug("%s: ClearCache: %s", charger.charger_id, err.answer)


def _changes(old: dict[str, LocalEntry], new: dict[str, LocalEntry]) -> list[LocalEntry]:
    out = [e for k, e in new.items() if k not in old or old[k].key() != e.key()]
    out += [LocalEntry(e.id_tag, None, e.token_type) for k, e in old.items() if k not in new]
    return out


def withdrawn(old: TagList, new: TagList, now: datetime) -> bool:
    """Tell whether a tag that was accepted stopped being so (removed, blocked, expired)."""
    for tag in old:
        if (
            old.decide(tag.id_tag, now, _KNOWN).accepted
            and not new.decide(tag.id_tag, now, _KNOWN).accepted
        ):
            return True
    return False
