"""Transport: the websocket server.

It parses the charger id from the path, negotiates the OCPP subprotocol,
applies the connection limits and asks admission who may connect (security
profile 1 Basic auth; profiles 2 and 3 TLS).
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, override
from urllib.parse import unquote, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import NegotiationError
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from .admission import Admission

_LOGGER = logging.getLogger(__name__)

MAX_ID_LENGTH = 48
# A peer that does not answer our close (a dead TCP connection) is cut after this.
CLOSE_TIMEOUT_S = 3.0

ConnectHandler = Callable[[str, str, ServerConnection], Awaitable[None]]
# (charger id) -> the versions it may use, newest first, or None if unknown
VersionPolicy = Callable[[str], list[str]]


@dataclass(slots=True)
class ServerLimits:
    """Bounds on what one peer may cost; the defaults are far above real chargers."""

    max_frame_bytes: int = 2**20
    connections_per_address: int = 250  # a site behind one NAT address
    connections_total: int = 2000
    handshake_timeout_s: float = 10.0
    ping_interval_s: float | None = 60.0
    ping_timeout_s: float | None = 30.0


def _path(connection: ServerConnection) -> str:
    """Return the path the connection asked for (its handshake is done)."""
    request = connection.request
    return request.path if request is not None else ""


class _QuietLog(logging.LoggerAdapter[logging.Logger]):
    """The websockets log, with each connection's opening and closing at DEBUG.

    websockets logs them at INFO; a fleet reconnecting must not flood the log
    (the connection manager logs unavailability and recovery once each).
    """

    @override
    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        super().log(logging.DEBUG if level == logging.INFO else level, msg, *args, **kwargs)


def charger_id_from_path(path: str) -> str | None:
    """Return the last path segment, percent-decoded, if it can be a charger id.

    None unless it is 1 to 48 printable characters of valid UTF-8, without "/",
    "%" or a leading/trailing space, and not "." or ".." (path traversal,
    control characters and odd encodings).
    """
    segment = urlsplit(path).path.rstrip("/").rsplit("/", 1)[-1]
    try:
        charger_id = unquote(segment, errors="strict")
    except UnicodeDecodeError:
        return None
    if not charger_id or len(charger_id) > MAX_ID_LENGTH or charger_id in (".", ".."):
        return None
    if "/" in charger_id or "%" in charger_id or not charger_id.isprintable():
        return None
    if charger_id != charger_id.strip():
        return None
    return charger_id


class CsmsServer:
    """One websocket server; each accepted connection is handed to ``on_connect``."""

    def __init__(
        self,
        host: str,
        port: int,
        on_connect: ConnectHandler,
        versions: VersionPolicy,
        admission: Admission,
        subprotocols: dict[str, str],
        default_version: str,
        ssl_context: ssl.SSLContext | None = None,
        limits: ServerLimits | None = None,
    ) -> None:
        """Serve chargers on host and port.

        ``subprotocols`` maps each offered subprotocol to a version name, the
        preferred first; a charger offering none speaks ``default_version``.
        """
        self._host, self._port = host, port
        self._subprotocols = subprotocols
        self._default_version = default_version
        self._on_connect = on_connect
        self._versions = versions
        self._admission = admission
        self.limits = limits or ServerLimits()
        self.refused_busy = 0  # connections refused by the connection limits
        self._opening: dict[str, int] = {}  # address -> handshakes being checked
        self._ssl = ssl_context
        self._server: Server | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when started on port 0)."""
        if self._server is None:
            return self._port
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Listen."""
        self._server = await serve(
            self._handle,
            self._host or None,
            self._port,
            process_request=self._process_request,
            select_subprotocol=self._select_subprotocol,
            subprotocols=[Subprotocol(p) for p in self._subprotocols],
            ssl=self._ssl,
            logger=_QuietLog(_LOGGER.getChild("websockets"), {}),
            max_size=self.limits.max_frame_bytes,
            open_timeout=self.limits.handshake_timeout_s,
            ping_interval=self.limits.ping_interval_s,
            ping_timeout=self.limits.ping_timeout_s,
            close_timeout=CLOSE_TIMEOUT_S,
        )

    async def stop(self) -> None:
        """Stop listening and close every connection."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        address = str(connection.remote_address[0]) if connection.remote_address else "?"
        charger_id = charger_id_from_path(request.path)
        if charger_id is None:
            _LOGGER.warning(
                "Refused connection from %s: no valid charger id in path %r",
                address,
                request.path[:120].encode("unicode_escape").decode(),
            )
            return connection.respond(HTTPStatus.BAD_REQUEST, "Invalid charge point id\n")
        if self._busy(address):
            self.refused_busy += 1
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "Too many connections\n")
        self._opening[address] = self._opening.get(address, 0) + 1
        try:
            refusal = await self._admission.admit(
                charger_id, address, request.headers.get("Authorization", "")
            )
        finally:
            if (left := self._opening.pop(address) - 1) > 0:
                self._opening[address] = left
        if refusal is None:
            return None
        response = connection.respond(refusal.status, refusal.reason)
        if refusal.status is HTTPStatus.UNAUTHORIZED:
            response.headers["WWW-Authenticate"] = 'Basic realm="ocpp_csms", charset="UTF-8"'
        return response

    def _busy(self, address: str) -> bool:
        """Over the connection limits (open connections and handshakes being checked)."""
        if self._server is None:
            return False
        live = self._server.all_connections
        if len(live) + sum(self._opening.values()) >= self.limits.connections_total:
            return True
        same = sum(1 for c in live if c.remote_address and c.remote_address[0] == address)
        return same + self._opening.get(address, 0) >= self.limits.connections_per_address

    def _select_subprotocol(
        self, connection: ServerConnection, offered: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        if not offered:
            return None  # the default version
        charger_id = charger_id_from_path(_path(connection)) or ""
        allowed = self._versions(charger_id)
        for subprotocol, version in self._subprotocols.items():
            if subprotocol in offered and version in allowed:
                return Subprotocol(subprotocol)
        _LOGGER.warning(
            "Refused charger %s: it offers %s, this charger may use %s",
            charger_id,
            ", ".join(offered),
            ", ".join(allowed),
        )
        self._admission.facts.unsupported_version(charger_id, ", ".join(offered)[:200])
        raise NegotiationError("no supported OCPP subprotocol")

    async def _handle(self, connection: ServerConnection) -> None:
        charger_id = charger_id_from_path(_path(connection))
        if charger_id is None:  # refused in _process_request; never reaches here
            return
        version = self._subprotocols.get(connection.subprotocol or "", self._default_version)
        await self._on_connect(charger_id, version, connection)
