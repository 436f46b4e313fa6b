"""Forwarding chargers to a second central system, Home Assistant answering.

A charger whose options name an upstream URL gets one client leg to it
(``transport/upstream.py``), open while the charger is connected. Home Assistant
answers every charger call itself, at once, as ever; a copy of each goes upstream,
in order (heartbeats excepted: the leg keeps itself alive at the interval the
upstream asks). The leg's first message is the charger's boot. 1.6 transaction
ids are mapped (``model/forwarding.py``) and the map stored. The upstream's own
commands reach the charger under the charger's command policy; a refusal is a
CALLERROR ``SecurityError``, logged once per action and connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store

from ..const import DOMAIN, LOGGER_NAME
from ..model import clock
from ..model.authorization import AuthStatus
from ..model.charger import Charger
from ..model.commands import CommandError
from ..model.forwarding import (
    TxIdMap,
    is_reading,
    refusal,
    split_variables,
    to_charger,
    to_upstream,
    without_profile,
)
from ..protocol.registry import VERSIONS
from ..transport.upstream import (
    LegSettings,
    Outgoing,
    UpstreamError,
    UpstreamLeg,
    UpstreamRefusal,
)
from .bridge import raise_repair
from .upstream_options import UpstreamOptions

if TYPE_CHECKING:
    from ..model.csms import Csms

_LOGGER = logging.getLogger(LOGGER_NAME)
STORAGE_KEY = "ocpp_csms.forwarding"
SAVE_DELAY_S = 1.0
UNREACHABLE_ISSUE_AFTER = timedelta(minutes=30)
BOOT_RETRY_S = 60.0  # a Pending or Rejected boot answer without an interval


class Forwarder:
    """One charger's copy to its second central system."""

    def __init__(self, manager: ForwardingManager, charger_id: str, options: UpstreamOptions):
        """Forward ``charger_id`` as ``options`` say; nothing opens before it connects."""
        self.manager, self.charger_id, self.options = manager, charger_id, options
        stored = manager.stored.get(charger_id, {})
        self.ids = TxIdMap.from_dict(stored.get("ids", {}))
        self.boot: dict[str, Any] | None = stored.get("boot")
        self._restored: list[dict[str, Any]] = list(stored.get("queue", []))
        # each connector's last StatusNotification, sent again after each replay
        self.statuses: dict[str, dict[str, Any]] = dict(stored.get("statuses", {}))
        self.leg: UpstreamLeg | None = None
        self.refused: dict[str, int] = {}  # upstream calls refused, by action
        self._logged: set[str] = set()
        self._listeners: list[Callable[[], None]] = []
        self._unwatch: Callable[[], None] | None = None
        self._asked: set[str] = set()  # tags just asked of the upstream
        self._last_state: tuple[str | None, bool] | None = None
        self._saved_waiting = 0

    @property
    def connected(self) -> bool:
        """Tell whether the upstream leg is open."""
        return self.leg is not None and self.leg.connected

    @property
    def waiting(self) -> int:
        """Return how many messages wait for the upstream."""
        return self.leg.waiting if self.leg is not None else 0

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` when the leg opens or closes, or the queue moves."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _leg_changed(self, problem: str | None) -> None:
        """Hear from the leg: each failure, each opening, each answer."""
        if self.leg is not None and self.leg.waiting != self._saved_waiting:
            self._saved_waiting = self.leg.waiting
            self.manager.save()
        state = (problem, self.connected)
        if problem is not None or state != self._last_state:
            self._last_state = state
            self.manager.problem(self.charger_id, problem)
        self._changed()

    def _changed(self) -> None:
        for listener in tuple(self._listeners):
            listener()

    # ------------------------------------------------------------ the charger's side
    def message(self, charger: Charger, action: str, payload: dict[str, Any], answer: Any) -> None:
        """Copy a call Home Assistant answered to the upstream."""
        if action == "StatusNotification":
            where = f"{payload.get('evseId', '')}/{payload.get('connectorId', '')}"
            self.statuses[where] = payload
        if action == "BootNotification":
            self.boot = payload
            self.manager.save()
            if not self.connected:  # the leg sends it first when it opens
                self._open(charger)
                return
        self._open(charger)
        if action == "Heartbeat" or self.leg is None:
            return
        if action == "Authorize" and _token(payload) in self._asked:
            self._asked.discard(_token(payload))  # the upstream was asked already
            return
        ours = None
        if action == "StartTransaction" and isinstance(answer, dict):
            ours = answer.get("transactionId")
        if charger.protocol == "1.6" and action == "StopTransaction":
            ours = payload.get("transactionId")
        self.leg.send(self._outgoing(action, payload, ours))
        self.manager.save()  # what waits survives a restart
        self._changed()

    def _outgoing(self, action: str, payload: dict[str, Any], ours: Any) -> Outgoing:
        """Return a message for the upstream; a 1.6 start's answer pairs the ids."""
        answered = None
        if action == "StartTransaction":
            answered = self._pairing(ours)
        elif action == "StopTransaction":
            answered = self._forgetting(ours)
        return Outgoing(action, payload, is_reading(action, payload), answered, ours)

    def stored_queue(self) -> list[dict[str, Any]]:
        """Return what waits for the upstream, as plain data for storage."""
        if self.leg is None:
            return self._restored
        return [
            {"action": m.action, "payload": m.payload, "ours": m.tag} for m in self.leg.queued()
        ]

    def _pairing(self, ours: Any) -> Callable[[dict[str, Any]], None]:
        def paired(theirs: dict[str, Any]) -> None:
            if isinstance(ours, int) and isinstance(theirs.get("transactionId"), int):
                self.ids.pair(ours, theirs["transactionId"])
                self.manager.save()
            self._changed()

        return paired

    def _forgetting(self, ours: Any) -> Callable[[dict[str, Any]], None]:
        def forgotten(_answer: dict[str, Any]) -> None:
            if isinstance(ours, int):
                self.ids.forget(ours)
                self.manager.save()
            self._changed()

        return forgotten

    def _open(self, charger: Charger) -> None:
        spec = VERSIONS.get(charger.protocol or "")
        if self.leg is not None or spec is None:
            return
        settings = LegSettings(
            url=self.options.url,
            identity=self.options.identity or self.charger_id,
            subprotocol=spec.subprotocol,
            password=self.options.password,
        )
        self.leg = UpstreamLeg(settings, self._on_call, self._on_open, self._leg_changed)
        if charger.protocol == "1.6":  # the upstream's transaction ids
            self.leg.prepare = lambda action, payload: to_upstream(action, payload, self.ids)
        for stored in self._restored:  # what waited when Home Assistant stopped
            self.leg.send(self._outgoing(stored["action"], stored["payload"], stored.get("ours")))
        self._restored = []
        self._unwatch = charger.add_listener(lambda: self._watch(charger))
        self.leg.start()

    def _watch(self, charger: Charger) -> None:
        """Close the leg once the charger is gone (the upstream sees it go offline)."""
        if not charger.connected and self.leg is not None:
            self.manager.hass.async_create_task(self.close(), eager_start=False)

    async def close(self) -> None:
        """Close the leg (the charger went, or forwarding was turned off).

        What waits stays, for the next leg (and the store).
        """
        leg = self.leg
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
        if leg is not None:
            await leg.stop()
            self._restored = self.stored_queue()
            self.leg = None
            self.manager.save()
        self._logged.clear()
        self._changed()

    # ------------------------------------------------------------ the upstream's side
    async def _on_open(self) -> None:
        leg = self.leg
        if leg is None:
            return
        while self.boot is not None:  # Pending or Rejected: again at the interval it gives
            answer = await leg.call("BootNotification", self.boot)
            interval = answer.get("interval")
            seconds = float(interval) if isinstance(interval, int) and interval > 0 else None
            if answer.get("status") == "Accepted":
                leg.heartbeat_s = seconds
                for status in self.statuses.values():  # after the replay: the state now
                    leg.send(Outgoing("StatusNotification", status))
                return
            leg.problem = "boot_" + str(answer.get("status", "rejected")).lower()
            self._leg_changed(leg.problem)
            await asyncio.sleep(seconds or BOOT_RETRY_S)

    async def _on_call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        why = refusal(self.options.policy, action, payload)
        if why is not None:
            self.refused[action] = self.refused.get(action, 0) + 1
            if action not in self._logged:
                self._logged.add(action)
                _LOGGER.info(
                    "%s: %s from the second central system refused: %s",
                    self.charger_id,
                    action,
                    why,
                )
            raise UpstreamRefusal("SecurityError", why)
        charger = self.manager.csms.chargers.get(self.charger_id)
        if charger is None or not charger.connected:
            raise UpstreamRefusal("GenericError", "the charger is not connected")
        if charger.protocol == "1.6":
            payload = to_charger(action, payload, self.ids)
        payload = without_profile(self.options.policy, action, payload)
        refused: list[dict[str, Any]] = []
        if action == "SetVariables":
            payload, refused = split_variables(self.options.policy, payload)
            if not payload["setVariableData"]:  # every one managed here: nothing to relay
                return {"setVariableResult": refused}
        try:
            answer = await charger.require_commands().relay(action, payload)
        except CommandError as err:
            raise UpstreamRefusal("GenericError", str(err)) from err
        if refused:
            answer["setVariableResult"] = [*answer.get("setVariableResult", []), *refused]
        return answer

    async def authorize(
        self, charger: Charger, id_tag: str, its_authorize: bool = True
    ) -> AuthStatus | None:
        """Ask the upstream about a tag Home Assistant's list does not hold.

        None where it cannot say in time (not connected, no answer, an error): then
        Home Assistant's policy decides. ``its_authorize``: asked for the charger's
        own Authorize, whose copy then is not sent again (a StartTransaction's tag is
        asked too, its copy sent as it is).
        """
        leg = self.leg
        if leg is None or not leg.connected:
            return None
        v16 = charger.protocol == "1.6"
        payload = {"idTag": id_tag} if v16 else {"idToken": {"idToken": id_tag, "type": "ISO14443"}}
        try:
            answer = await leg.call("Authorize", payload)
        except (UpstreamError, UpstreamRefusal) as err:
            _LOGGER.debug(
                "%s: the second central system did not decide a tag: %s", self.charger_id, err
            )
            return None
        info = answer.get("idTagInfo" if v16 else "idTokenInfo") or {}
        if its_authorize:
            self._asked.add(id_tag)
        try:
            return AuthStatus(str(info.get("status")))
        except ValueError:  # a 2.x refusal of its own (NoCredit, NotAtThisTime, ...)
            return AuthStatus.INVALID

    def as_diagnostics(self) -> dict[str, Any]:
        """Return what diagnostics show (never the password)."""
        leg = self.leg
        return {
            "url": self.options.url,
            "identity": self.options.identity or self.charger_id,
            "commands": self.options.policy.value,
            "connected": self.connected,
            "problem": leg.problem if leg else None,
            "waiting": self.waiting,
            "forwarded": leg.counters.forwarded if leg else 0,
            "dropped": leg.counters.dropped if leg else 0,
            "refused_upstream_commands": dict(self.refused),
            "mapped_transactions": len(self.ids),
            "last_exchanges": list(leg.counters.last) if leg else [],
        }


def _token(payload: dict[str, Any]) -> str | None:
    """Return the tag of an Authorize (1.6 idTag, 2.x idToken.idToken)."""
    token = payload.get("idTag") or (payload.get("idToken") or {}).get("idToken")
    return str(token) if token else None


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
        return was != (options is not None)

    @callback
    def _message(self, charger: Charger, action: str, payload: Any, answer: Any) -> None:
        if (forwarder := self.forwarders.get(charger.charger_id)) is not None:
            forwarder.message(charger, action, payload, answer)

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
