"""The RFID tag list as Home Assistant holds it.

One config subentry ("tag") of the CSMS entry per tag, the tag policy from the
options, the "ask an automation" round trip (an event, then the
``ocpp_csms.authorize_tag`` action), and pushing the list to the chargers'
local lists when it changes.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant

from ..const import (
    AUTH_ALLOW_LIST,
    CONF_ALLOWED_TAGS,
    CONF_AUTH_MODE,
    CONF_TAG_POLICY,
    DEFAULT_ASK_TIMEOUT,
    DOMAIN,
    LOGGER_NAME,
    SUBENTRY_TAG,
)
from ..model import choices
from ..model.authorization import Tag, TagList, TagPolicy
from ..model.charger import Charger
from ..model.choices import TokenType
from ..model.local_list import withdrawn

if TYPE_CHECKING:
    from ..model.csms import Csms
    from ..transport.connections import ConnectionManager
    from .options import CsmsOptions

_LOGGER = logging.getLogger(LOGGER_NAME)

EVENT_AUTHORIZE_REQUEST = f"{DOMAIN}_authorize_request"


def tag_of(subentry: ConfigSubentry) -> Tag:
    """Return the tag a subentry holds."""
    data = subentry.data
    expires = None
    if raw := data.get("expires"):
        try:
            expires = datetime.fromisoformat(raw)
        except TypeError, ValueError:
            _LOGGER.warning("Tag %s: expiry %r is not a date; ignored", data["id_tag"], raw)
        else:
            expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    return Tag(
        id_tag=str(data["id_tag"]),
        name=str(data.get("name") or ""),
        group=data.get("group") or None,
        blocked=bool(data.get("blocked")),
        expires=expires,
        token_type=_token_type(data.get("token_type")),
    )


def tag_list(entry: ConfigEntry) -> TagList:
    """Return the tag list of the CSMS entry's subentries."""
    return TagList(tag_of(s) for s in entry.subentries.values() if s.subentry_type == SUBENTRY_TAG)


class TagManager:
    """The tag list and policy in the model, and the "ask an automation" round trip."""

    def __init__(self, hass: HomeAssistant, csms: Csms, connections: ConnectionManager) -> None:
        """Serve the model's tag decisions; asking goes through Home Assistant's bus."""
        self.hass = hass
        self._csms = csms
        self._connections = connections
        self.ask_timeout = DEFAULT_ASK_TIMEOUT
        self._waiting: dict[str, list[asyncio.Future[bool]]] = {}
        csms.tags.ask = self._ask

    def apply(self, entry: ConfigEntry, options: CsmsOptions) -> None:
        """Take the tag list and policy of the CSMS entry.

        A changed list goes to every connected charger's local list, and caches
        are cleared where a tag stopped being accepted.
        """
        decisions = self._csms.tags
        old, new = decisions.tags, tag_list(entry)
        decisions.policy = options.tag_policy
        self.ask_timeout = options.ask_timeout_s
        decisions.tags = new
        if [t.as_dict() for t in old] == [t.as_dict() for t in new]:
            return
        clear = withdrawn(old, new, datetime.now(UTC))
        for charger in self._online():
            self._connections.spawn(charger.charger_id, self._push(charger, clear))

    def _online(self) -> list[Charger]:
        csms = self._csms
        return [c for cid, c in csms.chargers.items() if c.connected and csms.is_adopted(cid)]

    async def _push(self, charger: Charger, clear: bool) -> None:
        await self._csms.local_lists.sync(charger)
        if clear:
            await self._csms.local_lists.clear_cache(charger)

    async def _ask(self, charger: Charger, id_tag: str, context: str) -> bool | None:
        """Fire the request and wait up to ask_timeout for an automation's answer."""
        key = id_tag.casefold()
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, []).append(future)
        self.hass.bus.async_fire(
            EVENT_AUTHORIZE_REQUEST,
            {
                "charger_id": charger.charger_id,
                "id_tag": id_tag,
                "context": context,
                "timeout": self.ask_timeout,
            },
        )
        try:
            async with asyncio.timeout(self.ask_timeout):
                return await future
        except TimeoutError:
            _LOGGER.info(
                "%s: no automation answered for tag %s within %.1f s; the tag list decides",
                charger.charger_id,
                id_tag,
                self.ask_timeout,
            )
            return None
        finally:
            waiting = self._waiting.get(key, [])
            if future in waiting:
                waiting.remove(future)
            if not waiting:
                self._waiting.pop(key, None)

    def answer(self, id_tag: str, accept: bool) -> int:
        """Take an automation's answer, and wake every charger waiting on the tag.

        The answer is reused for a minute. Returns how many were waiting.
        """
        self._csms.tags.answered(id_tag, accept)
        waiting = self._waiting.pop(id_tag.casefold(), [])
        for future in waiting:
            if not future.done():
                future.set_result(accept)
        return len(waiting)


async def async_migrate_allow_list(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Turn the comma-separated allow list of earlier versions into one tag each."""
    listed = entry.options.get(CONF_ALLOWED_TAGS)
    if not listed:
        return
    existing = {s.unique_id for s in entry.subentries.values()}
    for id_tag in listed:
        key = str(id_tag).strip()
        if key and key.casefold() not in existing:
            existing.add(key.casefold())
            hass.config_entries.async_add_subentry(
                entry,
                ConfigSubentry(
                    data=MappingProxyType({"id_tag": key, "name": "", "blocked": False}),
                    subentry_type=SUBENTRY_TAG,
                    title=key,
                    unique_id=key.casefold(),
                ),
            )
    options = {k: v for k, v in entry.options.items() if k != CONF_ALLOWED_TAGS}
    if entry.options.get(CONF_AUTH_MODE) == AUTH_ALLOW_LIST:
        options[CONF_TAG_POLICY] = TagPolicy.KNOWN
    options.pop(CONF_AUTH_MODE, None)
    hass.config_entries.async_update_entry(entry, options=options)


def _token_type(stored: Any) -> str:
    """Return the OCPP word of a tag's stored token type (its key, or the word)."""
    try:
        return choices.parse(TokenType, str(stored or TokenType.ISO14443))
    except ValueError:
        return TokenType.ISO14443.value
