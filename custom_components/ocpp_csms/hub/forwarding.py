"""One charger's forwarding to its second central system (the manager holds them all).

A client leg (``transport/upstream.py``) while the charger is connected. Home
Assistant answers and the upstream gets a copy of each call, in order (1.6 ids
mapped, ``model/forwarding.py``); or, as an option, the upstream answers first.
Each time the leg opens: the charger's boot, what waited, the last statuses. The
upstream's commands reach the charger under the command policy.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from ..const import LOGGER_NAME
from ..model.authorization import AuthStatus
from ..model.charger import Charger
from ..model.commands import CommandError
from ..model.forwarding import (
    TxIdMap,
    is_reading,
    kept_while_down,
    refusal,
    split_variables,
    tag_status,
    to_charger,
    to_upstream,
    token_of,
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
from .upstream_options import UpstreamOptions

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from ..model.csms import Csms


class ForwardingHost(Protocol):
    """What a forwarder needs of its manager (``forwarding_manager.py``)."""

    hass: HomeAssistant
    csms: Csms
    stored: dict[str, Any]

    def save(self) -> None:
        """Store the forwarders' state (soon)."""

    def journal(self, charger_id: str, item: dict[str, Any]) -> None:
        """Note a copy queued for the upstream (on disk before the answer leaves)."""

    def problem(self, charger_id: str, problem: str | None) -> None:
        """Raise or remove a leg's repair issue."""


_LOGGER = logging.getLogger(LOGGER_NAME)
BOOT_RETRY_S = 60.0  # a Pending or Rejected boot answer without an interval


class Forwarder:
    """One charger's copy to its second central system."""

    def __init__(self, manager: ForwardingHost, charger_id: str, options: UpstreamOptions):
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
        self._charger_gone = False  # the leg closes once what waits is delivered
        self._asked: set[str] = set()  # tags just asked of the upstream
        # where the upstream answers: the call it was just sent first, and its answer
        self._first: tuple[dict[str, Any], dict[str, Any] | None] | None = None
        # a 1.6 start the upstream answered too late: Home Assistant's id, and its
        self._start_ours: Any = None
        self._start_theirs: Any = None
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
        if self._charger_gone and self.leg is not None and not self.leg.waiting:
            self.manager.hass.async_create_task(self.close(), eager_start=False)  # delivered
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
        if not self.connected and not kept_while_down(action, payload):
            return  # the upstream is down: it gets the statuses when it is back
        if self._first is not None and self._first[0] is payload:  # sent first already
            if self._first[1] is None and action == "StartTransaction":  # answered by us
                self._start_ours = answer.get("transactionId") if isinstance(answer, dict) else None
                self._pair_late()
            self._first = None
            return
        if action == "Authorize" and token_of(payload) in self._asked:
            self._asked.discard(token_of(payload))  # the upstream was asked already
            return
        ours = None
        if action == "StartTransaction" and isinstance(answer, dict):
            ours = answer.get("transactionId")
        if charger.protocol == "1.6" and action == "StopTransaction":
            ours = payload.get("transactionId")
        self.leg.send(self._outgoing(action, payload, ours))
        self.manager.journal(self.charger_id, {"action": action, "payload": payload, "ours": ours})
        self.manager.save()  # what waits survives a restart, and a kill
        self._changed()

    def _outgoing(self, action: str, payload: dict[str, Any], ours: Any) -> Outgoing:
        """Return a message for the upstream; a 1.6 start's answer pairs the ids."""
        answered = None
        if action in ("StartTransaction", "StopTransaction"):
            answered = self._answered(action, ours)
        return Outgoing(action, payload, is_reading(action, payload), answered, ours)

    def stored_queue(self) -> list[dict[str, Any]]:
        """Return what waits for the upstream, as plain data for storage."""
        if self.leg is None:
            return self._restored
        return [
            {"action": m.action, "payload": m.payload, "ours": m.tag} for m in self.leg.queued()
        ]

    def _answered(self, action: str, ours: Any) -> Callable[[dict[str, Any]], None]:
        """Return what the upstream's answer does: a start pairs the ids, a stop unpairs."""

        def done(theirs: dict[str, Any]) -> None:
            if action == "StopTransaction" and isinstance(ours, int):
                self.ids.forget(ours)
            elif isinstance(ours, int) and isinstance(theirs.get("transactionId"), int):
                self.ids.pair(ours, theirs["transactionId"])
            self.manager.save()
            self._changed()

        return done

    def _open(self, charger: Charger) -> None:
        spec = VERSIONS.get(charger.protocol or "")
        if self.leg is not None or spec is None:
            return
        settings = LegSettings(
            url=self.options.url,
            identity=self.options.identity or self.charger_id,
            subprotocol=spec.subprotocol,
            password=self.options.password,
            timeout_s=self.options.timeout_s,
            queue_limit=self.options.queue_limit,
            cafile=self.options.cafile,
            certfile=self.options.certfile,
            keyfile=self.options.keyfile,
        )
        self.leg = UpstreamLeg(settings, self._on_call, self._on_open, self._leg_changed)
        if charger.protocol == "1.6":  # the upstream's transaction ids
            self.leg.prepare = lambda action, payload: to_upstream(action, payload, self.ids)
        self.leg.counters.replayed += len(self._restored)
        for stored in self._restored:  # what waited when Home Assistant stopped
            self.leg.send(self._outgoing(stored["action"], stored["payload"], stored.get("ours")))
        self._restored = []
        self._charger_gone = False
        self._unwatch = charger.add_listener(lambda: self._watch(charger))
        self.leg.start()

    def _watch(self, charger: Charger) -> None:
        """Close the leg once the charger is gone and what waited is delivered."""
        self._charger_gone = not charger.connected
        leg = self.leg
        if self._charger_gone and leg is not None and (not leg.waiting or not leg.connected):
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
        if action in ("RemoteStartTransaction", "RequestStartTransaction"):
            charger.upstream_starts.add(token_of(payload) or "")  # its session, if it starts
        try:
            answer = await charger.require_commands().relay(action, payload)
        except CommandError as err:
            raise UpstreamRefusal("GenericError", str(err)) from err
        if refused:
            answer["setVariableResult"] = [*answer.get("setVariableResult", []), *refused]
        return answer

    async def answer_first(
        self, charger: Charger, action: str, payload: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Where the upstream answers the charger: send the call now, return its answer.

        None (Home Assistant answers) while the leg is not open or still replays (the
        call then waits in order), and when the upstream does not answer in time; a
        call sent is not sent again.
        """
        self._open(charger)
        leg = self.leg
        if action == "Heartbeat" or leg is None or not leg.connected or leg.waiting:
            return None
        v16 = charger.protocol == "1.6"
        sent = to_upstream(action, payload, self.ids) if v16 else payload
        self._first = (payload, None)
        late = self._late_start if v16 and action == "StartTransaction" else None
        try:
            answer = await leg.call(action, sent, late)
        except (UpstreamError, UpstreamRefusal) as err:
            _LOGGER.info("%s: %s answered by Home Assistant: %s", self.charger_id, action, err)
            return None
        self._first = (payload, answer)
        return answer

    def _late_start(self, answer: dict[str, Any]) -> None:
        """Take the upstream's StartTransaction answer that came after Home Assistant's."""
        self._start_theirs = answer.get("transactionId")
        self._pair_late()

    def _pair_late(self) -> None:
        """Map Home Assistant's transaction id to the upstream's late one, once both are known."""
        ours, theirs = self._start_ours, self._start_theirs
        if isinstance(ours, int) and isinstance(theirs, int):
            self.ids.pair(ours, theirs)
            self._start_ours = self._start_theirs = None
            self.manager.save()

    def _first_status(self, id_tag: str, v16: bool) -> AuthStatus | None:
        """Return the tag status the upstream just gave the charger, if it was this tag."""
        if self._first is None or self._first[1] is None or token_of(self._first[0]) != id_tag:
            return None
        return tag_status(self._first[1], v16)  # None: a 2.x TransactionEvent may say nothing

    async def authorize(
        self, charger: Charger, id_tag: str, its_authorize: bool = True
    ) -> AuthStatus | None:
        """Ask the upstream about a tag Home Assistant's list does not hold.

        None where it cannot say in time (not connected, no answer, an error): then
        Home Assistant's policy decides. ``its_authorize``: asked for the charger's
        own Authorize, whose copy then is not sent again (a StartTransaction's tag is
        asked too, its copy sent as it is).
        """
        v16 = charger.protocol == "1.6"
        if (given := self._first_status(id_tag, v16)) is not None:
            return given  # the upstream answered the charger's call itself
        first = self._first
        if first is not None and first[1] is None and token_of(first[0]) == id_tag:
            return None  # it did not answer that call in time: not asked again
        leg = self.leg
        if leg is None or not leg.connected:
            return None
        payload = {"idTag": id_tag} if v16 else {"idToken": {"idToken": id_tag, "type": "ISO14443"}}
        try:
            answer = await leg.call("Authorize", payload)
        except (UpstreamError, UpstreamRefusal) as err:
            _LOGGER.debug(
                "%s: the second central system did not decide a tag: %s", self.charger_id, err
            )
            return None
        if its_authorize:
            self._asked.add(id_tag)
        return tag_status(answer, v16) or AuthStatus.INVALID  # an answer without a status

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
            **{
                name: getattr(leg.counters, name) if leg else 0
                for name in ("forwarded", "dropped", "replayed")
            },
            "refused_upstream_commands": dict(self.refused),
            "mapped_transactions": len(self.ids),
            "last_exchanges": list(leg.counters.last) if leg else [],
        }
