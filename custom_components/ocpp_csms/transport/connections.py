"""The connection manager.

It runs the websocket server, gives each connected charger its version's
adapter, replaces a second connection of the same charger, and logs
unavailability and recovery once each (a fleet-wide burst as a summary).
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from ..const import LOGGER_NAME
from ..model.charger import BootStatus
from ..model.csms import Csms
from ..protocol import registry
from ..protocol.adapter import ChargerAdapter
from ..protocol.registry import DEFAULT_VERSION
from .admission import Admission
from .server import CsmsServer, ServerLimits

_LOGGER = logging.getLogger(LOGGER_NAME)

# Within one window, at most this many chargers are named; the rest are counted.
BURST_WINDOW_S = 10.0
BURST_LINES = 5
# One connection's frames are handled at most this long before others get a turn.
FAIR_SHARE_S = 0.005
# An adopted charger over the message rate is slowed down (its answers wait) rather
# than refused: a charger replaying a day offline sends thousands of messages, one
# at a time, as fast as it is answered. Only one held back this long is cut off.
FLOOD_LASTS_S = 600.0
# A replaced connection gets this long to close cleanly, then it is cut.
REPLACED_CLOSE_TIMEOUT_S = 1.0


@dataclass(slots=True)
class ConnectionSettings:
    """What the CSMS options set for connections."""

    response_timeout: float = 20.0
    messages_per_minute: float = 6000.0  # per charger, sustained
    message_burst: int = 3000  # frames a charger may send at once


class MessageRate:
    """A token bucket: ``burst`` frames at once, refilled at ``per_minute``."""

    __slots__ = ("_burst", "_per_s", "_stamp", "_tokens")

    def __init__(self, per_minute: float, burst: int) -> None:
        """Start full."""
        self._per_s, self._burst = per_minute / 60.0, float(burst)
        self._tokens, self._stamp = float(burst), asyncio.get_running_loop().time()

    def take(self, now: float) -> bool:
        """Take one frame's token at ``now`` (a monotonic clock); False if none is left."""
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._per_s)
        self._stamp = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True

    def spend(self, now: float) -> None:
        """Take one frame's token at ``now`` even if not yet refilled (owed, then)."""
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._per_s) - 1.0
        self._stamp = now

    def wait_s(self) -> float:
        """Return how long until the next token (after a ``take`` that failed)."""
        return (1.0 - self._tokens) / self._per_s if self._per_s > 0 else FLOOD_LASTS_S


_CALL_ID = re.compile(rb'\s*\[\s*2\s*,\s*"([^"\\]{1,36})"')


@dataclass(slots=True)
class _Link:
    adapter: ChargerAdapter
    connection: ServerConnection


class AvailabilityLog:
    """Each charger's loss and recovery of its connection, logged once each at INFO.

    Past BURST_LINES in a window, chargers are counted and summarised instead.
    """

    def __init__(self) -> None:
        """Start with nobody down."""
        self._down: set[str] = set()
        self._window_start = -BURST_WINDOW_S
        self._lines = 0
        self._suppressed = {"lost": 0, "back": 0}
        self._summary: asyncio.TimerHandle | None = None

    def lost(self, charger_id: str) -> None:
        """Log that a charger lost its connection (once)."""
        if charger_id not in self._down:
            self._down.add(charger_id)
            self._line("lost", "%s: disconnected; its entities are unavailable", charger_id)

    def back(self, charger_id: str) -> None:
        """Log that a charger is back (once)."""
        if charger_id in self._down:
            self._down.discard(charger_id)
            self._line("back", "%s: connected again", charger_id)

    def _line(self, kind: str, msg: str, charger_id: str) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() - self._window_start > BURST_WINDOW_S:
            self._window_start, self._lines = loop.time(), 0
        if self._lines < BURST_LINES:
            self._lines += 1
            _LOGGER.info(msg, charger_id)
            return
        self._suppressed[kind] += 1
        if self._summary is None:
            when = self._window_start + BURST_WINDOW_S
            self._summary = loop.call_at(when, self.flush)

    def flush(self) -> None:
        """Log what the last window counted instead of naming."""
        if self._summary is not None:
            self._summary.cancel()
            self._summary = None
        lost, back = self._suppressed["lost"], self._suppressed["back"]
        if lost or back:
            _LOGGER.info(
                "%d more chargers disconnected and %d more connected again in the last %.0f s",
                lost,
                back,
                BURST_WINDOW_S,
            )
        self._suppressed = {"lost": 0, "back": 0}


class ConnectionManager:
    """The server, and which adapter serves each connected charger."""

    def __init__(self, csms: Csms) -> None:
        """Start without a server."""
        self.csms = csms
        self.settings = ConnectionSettings()
        self.limits = ServerLimits()
        self.admission = Admission()
        self.refused_floods = 0  # connections closed for sending too fast
        self.held_back = 0  # frames of adopted chargers answered later (over the rate)
        self.server: CsmsServer | None = None
        self.availability = AvailabilityLog()
        # charger id -> the one OCPP version it may use (charger option), if pinned
        self.pinned_versions: dict[str, str] = {}
        self._links: dict[str, _Link] = {}
        self._closing: set[asyncio.Task[None]] = set()

    async def async_start(
        self, host: str, port: int, ssl_context: ssl.SSLContext | None
    ) -> CsmsServer:
        """Start the websocket server."""
        self.server = CsmsServer(
            host,
            port,
            self._serve_charger,
            versions=self.allowed_versions,
            admission=self.admission,
            subprotocols=registry.subprotocols(),
            default_version=DEFAULT_VERSION,
            ssl_context=ssl_context,
            limits=self.limits,
        )
        await self.server.start()
        return self.server

    async def async_stop(self) -> None:
        """Close every connection, then the server."""
        links = list(self._links.values())
        await asyncio.gather(
            *(link.connection.close(code=1001, reason="going away") for link in links),
            return_exceptions=True,
        )
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        if self.server is not None:
            server, self.server = self.server, None
            await server.stop()
        self.availability.flush()

    def allowed_versions(self, charger_id: str) -> list[str]:
        """Return the versions a charger may use (one, when pinned)."""
        pinned = self.pinned_versions.get(charger_id)
        return [pinned] if pinned else list(registry.VERSIONS)

    def spawn(self, charger_id: str, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a follow-up tied to the charger's connection; dropped when offline."""
        link = self._links.get(charger_id)
        if link is None:
            coro.close()
        else:
            link.adapter.spawn(coro)

    def request_boot(self, charger_id: str) -> None:
        """Ask an adopted charger to boot, if it is connected and waiting."""
        link = self._links.get(charger_id)
        charger = self.csms.get_charger(charger_id)
        if link is not None and charger is not None and charger.boot_status is BootStatus.PENDING:
            link.adapter.request_boot()

    async def _serve_charger(self, charger_id: str, version: str, ws: ServerConnection) -> None:
        charger = self.csms.attach_charger(charger_id)
        adapter = registry.VERSIONS[version].adapter(
            charger, self.csms, ws, self.settings.response_timeout
        )
        old = self._links.get(charger_id)
        # The newest connection wins at once; the old one stops being served now and
        # is closed in the background (a peer that stopped reading cannot delay us).
        link = self._links[charger_id] = _Link(adapter, ws)
        if old is not None:
            _LOGGER.debug("%s: a new connection replaces the old one", charger_id)
            self._close_replaced(old)
        charger.set_connected(adapter, version)
        self.admission.facts.connected(charger_id)
        _LOGGER.debug("%s: connected (OCPP %s) from %s", charger_id, version, ws.remote_address)
        self.availability.back(charger_id)
        adapter.on_connected(self.csms.is_adopted(charger_id))
        rate = MessageRate(self.settings.messages_per_minute, self.settings.message_burst)
        loop = asyncio.get_running_loop()
        turn = loop.time()
        held_since: float | None = None  # over the rate since, without a break
        try:
            async for raw in ws:
                now = loop.time()
                if now - turn > FAIR_SHARE_S:
                    # Frames already received are read without waiting: a charger
                    # sending thousands at once must still let everything else run.
                    await asyncio.sleep(0)
                    turn = now = loop.time()
                if self._links.get(charger_id) is not link:
                    break  # replaced: not one more answer from here
                if rate.take(now):
                    held_since = None
                elif not self.csms.is_adopted(charger_id):
                    await self._flooded(charger_id, adapter, ws, raw)
                    break
                else:  # backpressure: answer later; read nothing meanwhile
                    held_since = now if held_since is None else held_since
                    if now - held_since > FLOOD_LASTS_S:
                        await self._flooded(charger_id, adapter, ws, raw)
                        break
                    self.held_back += 1
                    await asyncio.sleep(rate.wait_s())
                    rate.spend(loop.time())  # the token waited for
                    turn = loop.time()
                    if self._links.get(charger_id) is not link:
                        break
                await self._route(charger_id, adapter, raw)
        except ConnectionClosed:
            pass
        finally:
            await adapter.close_tasks()
            if self._links.get(charger_id) is link:
                del self._links[charger_id]
                charger.set_connected(None, None)
                self.availability.lost(charger_id)
                if not self.csms.is_adopted(charger_id):
                    self.csms.forget(charger_id)  # nothing of an unknown charger is kept

    async def _flooded(
        self, charger_id: str, adapter: ChargerAdapter, ws: ServerConnection, raw: str | bytes
    ) -> None:
        """Over the message rate: a CALLERROR to the frame, then the connection closes."""
        self.refused_floods += 1
        _LOGGER.warning(
            "%s: closed the connection: more than %d messages at once or %.0f a minute",
            charger_id,
            self.settings.message_burst,
            self.settings.messages_per_minute,
        )
        head = raw[:64].encode() if isinstance(raw, str) else raw[:64]
        if (match := _CALL_ID.match(head)) is not None:
            try:
                await adapter.refuse(match.group(1).decode(), "message rate limit exceeded")
            except ConnectionClosed:
                return
        try:  # frames still queued may keep the closing handshake from finishing
            await asyncio.wait_for(
                ws.close(code=1008, reason="message rate limit exceeded"),
                REPLACED_CLOSE_TIMEOUT_S,
            )
        except TimeoutError:
            ws.transport.abort()

    def _close_replaced(self, old: _Link) -> None:
        async def close() -> None:
            try:
                await asyncio.wait_for(
                    old.connection.close(code=1000, reason="replaced by a new connection"),
                    REPLACED_CLOSE_TIMEOUT_S,
                )
            except TimeoutError:
                old.connection.transport.abort()

        task = asyncio.get_running_loop().create_task(close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    @staticmethod
    async def _route(charger_id: str, adapter: ChargerAdapter, raw: str | bytes) -> None:
        """One frame; a fault of ours is logged, and the connection stays up."""
        try:
            await adapter.route_message(raw)
        except ConnectionClosed:
            raise
        except Exception:
            _LOGGER.exception("%s: error while handling a frame", charger_id)
