"""Every forwarded charger of the central system (``forwarding.py`` is one of them).

It holds each charger's forwarder, stores their id maps, boots, statuses and
waiting messages, hooks them to the model (the copies, the tags, the answers
first), and raises the repair issues of their legs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store

from ..const import DOMAIN
from ..model import clock
from ..model.authorization import AuthStatus
from ..model.charger import Charger
from .bridge import raise_repair
from .forwarding import Forwarder
from .upstream_options import UpstreamOptions

if TYPE_CHECKING:
    from ..model.csms import Csms

STORAGE_KEY = "ocpp_csms.forwarding"
SAVE_DELAY_S = 1.0
UNREACHABLE_ISSUE_AFTER = timedelta(minutes=30)


class ForwardingManager:
    """Every forwarded charger of the central system."""

    def __init__(self, hass: HomeAssistant, csms: Csms) -> None:
        """Forward nothing until a charger's options say where."""
        self.hass, self.csms = hass, csms
        self.forwarders: dict[str, Forwarder] = {}
        self.stored: dict[str, Any] = {}
        self._store: Store[dict[str, Any]] = Store(hass, 1, STORAGE_KEY)
        self._failing: dict[str, datetime] = {}  # since when each leg fails
        csms.forward = self._message
        csms.tags.ask_upstream = self._ask_upstream

    async def async_load(self) -> None:
        """Read the stored id maps and boots."""
        self.stored = await self._store.async_load() or {}

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
        answering = any(f.options.answers for f in self.forwarders.values())
        self.csms.answer_first = self._answer_first if answering else None
        return was != (options is not None)

    @callback
    def _message(self, charger: Charger, action: str, payload: Any, answer: Any) -> None:
        if (forwarder := self.forwarders.get(charger.charger_id)) is not None:
            forwarder.message(charger, action, payload, answer)

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
        if problem not in ("auth", "tls") and clock.now() - since < UNREACHABLE_ISSUE_AFTER:
            return  # unreachable, or the boot not accepted: for half an hour first
        forwarder = self.forwarders.get(charger_id)
        url = forwarder.options.url if forwarder is not None else ""
        raise_repair(
            self.hass, issue_id, f"upstream_{problem}", {"charger": charger_id, "url": url}
        )

    def save(self) -> None:
        """Store the id maps and boots (soon)."""
        for charger_id, forwarder in self.forwarders.items():
            self.stored[charger_id] = {
                "ids": forwarder.ids.as_dict(),
                "boot": forwarder.boot,
                "queue": forwarder.stored_queue(),
                "statuses": forwarder.statuses,
            }
        self._store.async_delay_save(lambda: self.stored, SAVE_DELAY_S)

    async def async_stop(self) -> None:
        """Close every leg, and write what is to be kept."""
        for forwarder in list(self.forwarders.values()):
            await forwarder.close()
        if self.forwarders:
            self.save()
            await self._store.async_save(self.stored)
