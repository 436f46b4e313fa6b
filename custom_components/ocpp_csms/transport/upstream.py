"""Transport: the client leg to a charger's second central system.

One websocket client per forwarded charger. It connects to the upstream's URL
with the subprotocol the charger speaks and the upstream's Basic-auth password,
sends the calls it is given one at a time and in order (each waits for its
answer, or the timeout), and hands the upstream's own calls to a handler. It
reconnects with a backoff (5 s, doubling to 5 minutes) and keeps every message
not yet answered; over the bound it drops the oldest it may (readings), never a
start, a stop or a state change. Imports nothing from Home Assistant.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import ssl
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import (
    ConnectionClosed,
    InvalidMessage,
    InvalidStatus,
    WebSocketException,
)
from websockets.typing import Subprotocol

_LOGGER = logging.getLogger(__name__)

BACKOFF_FIRST_S, BACKOFF_MAX_S = 5.0, 300.0
CALL, CALLRESULT, CALLERROR = 2, 3, 4


class UpstreamRefusal(Exception):
    """An upstream call answered with a CALLERROR (``code``, ``description``)."""

    def __init__(self, code: str, description: str) -> None:
        """Say which error code, and why."""
        super().__init__(f"{code}: {description}")
        self.code, self.description = code, description


class UpstreamError(Exception):
    """A call of ours the upstream answered with a CALLERROR, or did not answer."""


@dataclass(slots=True)
class Outgoing:
    """A message for the upstream, and what to do with its answer."""

    action: str
    payload: dict[str, Any]
    droppable: bool = False  # a reading: dropped first when the queue is full
    answered: Callable[[dict[str, Any]], None] | None = None
    tag: Any = None  # the sender's own note (kept with the message where it is stored)


@dataclass(slots=True)
class LegSettings:
    """Where the leg goes and how patient it is."""

    url: str
    identity: str
    subprotocol: str
    password: str | None = None
    timeout_s: float = 5.0
    queue_limit: int = 10_000
    cafile: str | None = None  # wss://: the CA to trust (None: the system's)
    certfile: str | None = None  # wss://: a client certificate, and its key
    keyfile: str | None = None


@dataclass(slots=True)
class LegCounters:
    """What went through the leg (diagnostics)."""

    forwarded: int = 0
    dropped: int = 0
    replayed: int = 0  # sent after a reconnect or a restart, from what waited
    failed: int = 0
    last: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=20))


def _tls_failed(err: BaseException, wss: bool) -> bool:
    """Tell whether TLS failed: its files, the handshake, or a refused certificate.

    With TLS 1.3 a server that refuses the client certificate closes the session
    after the handshake: on wss:// a connection that ends before any HTTP answer
    counts as that.
    """
    if wss and isinstance(err, InvalidMessage) and isinstance(err.__cause__, EOFError):
        return True
    seen: BaseException | None = err
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError | FileNotFoundError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class UpstreamLeg:
    """The client connection of one forwarded charger to its second central system."""

    def __init__(
        self,
        settings: LegSettings,
        on_call: Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]],
        on_open: Callable[[], Awaitable[None]],
        on_state: Callable[[str | None], None],
    ) -> None:
        """Go to ``settings.url``; ``on_open`` runs first on each connection.

        ``on_state`` hears of every change: the connection, its problem, the queue.
        """
        self.settings = settings
        self._on_call, self._on_open, self._on_state = on_call, on_open, on_state
        self._queue: deque[Outgoing] = deque()
        self._wake = asyncio.Event()
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._late: dict[str, Callable[[dict[str, Any]], None]] = {}  # after the timeout
        self._socket: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.heartbeat_s: float | None = None  # as the upstream's boot answer says
        # each message as the upstream must see it, at the moment it is sent (ids)
        self.prepare: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None
        self.connected = False
        self.problem: str | None = None  # "auth", "tls" or "unreachable" while it fails
        self.counters = LegCounters()

    @property
    def waiting(self) -> int:
        """Return how many messages wait for the upstream's answer."""
        return len(self._queue)

    def queued(self) -> list[Outgoing]:
        """Return the messages that wait, oldest first."""
        return list(self._queue)

    def start(self) -> None:
        """Connect, and keep connecting."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Close the connection; what waits stays queued."""
        task, self._task = self._task, None
        for child in (*self._tasks, *([task] if task else [])):
            child.cancel()
        for child in (*self._tasks, *([task] if task else [])):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await child
        self._tasks.clear()
        self._fail_pending()
        self.connected = False

    def send(self, message: Outgoing) -> None:
        """Queue a message; over the bound the oldest reading goes first."""
        if len(self._queue) >= self.settings.queue_limit:
            oldest = next((m for m in self._queue if m.droppable), None)
            if oldest is None and message.droppable:
                self.counters.dropped += 1
                return
            if oldest is not None:
                self._queue.remove(oldest)
                self.counters.dropped += 1
        self._queue.append(message)
        self._wake.set()

    async def call(
        self,
        action: str,
        payload: dict[str, Any],
        late: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Send one call now (the leg is open) and return the upstream's answer.

        ``late``: given the answer if it comes after the timeout (on this connection).
        """
        socket = self._socket
        if socket is None:
            raise UpstreamError("not connected")
        unique_id = str(uuid.uuid4())
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[unique_id] = future
        try:
            await socket.send(json.dumps([CALL, unique_id, action, payload]))
            async with asyncio.timeout(self.settings.timeout_s):
                answer = await future
        except TimeoutError as err:
            if late is not None:
                self._late[unique_id] = late
            raise UpstreamError(f"{action}: no answer in {self.settings.timeout_s:g} s") from err
        finally:
            self._pending.pop(unique_id, None)
        self.counters.last.append({"to": "upstream", "action": action, "answer": answer})
        return answer

    # ------------------------------------------------------------ the connection
    async def _run(self) -> None:
        backoff = BACKOFF_FIRST_S
        while True:
            try:
                await self._serve()
                backoff = BACKOFF_FIRST_S
            except InvalidStatus as err:
                status = err.response.status_code
                # 400: an OCPP server refuses a subprotocol it does not speak so
                kinds = {401: "auth", 403: "auth", 400: "protocol"}
                self._problem(kinds.get(status, "unreachable"), f"HTTP {status}")
            except (
                OSError,
                WebSocketException,
                TimeoutError,
                UpstreamError,
                UpstreamRefusal,
            ) as err:
                wss = self.settings.url.startswith("wss://")
                kind = "tls" if _tls_failed(err, wss) else "unreachable"
                self._problem(kind, str(err) or type(err).__name__)
            self.connected = False
            self._socket = None
            self._fail_pending()
            self._on_state(self.problem)
            await asyncio.sleep(backoff)
            backoff = min(BACKOFF_MAX_S, backoff * 2)

    def _problem(self, kind: str, detail: str) -> None:
        if self.problem != kind:
            _LOGGER.warning(
                "%s: second central system %s: %s", self.settings.identity, kind, detail
            )
        self.problem = kind

    def _url(self) -> str:
        url = self.settings.url.rstrip("/")
        identity = self.settings.identity
        return url if url.rsplit("/", 1)[-1] == identity else f"{url}/{identity}"

    def _tls(self) -> ssl.SSLContext | None:
        """Return the TLS context of a wss:// leg (files read: run it in a thread)."""
        settings = self.settings
        if not settings.url.startswith("wss://"):
            return None
        context = ssl.create_default_context(cafile=settings.cafile)
        if settings.certfile:
            context.load_cert_chain(settings.certfile, settings.keyfile)
        return context

    async def _serve(self) -> None:
        settings = self.settings
        tls = await asyncio.to_thread(self._tls)
        headers = {}
        if settings.password:
            token = f"{settings.identity}:{settings.password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(token).decode()
        async with connect(
            self._url(),
            subprotocols=[Subprotocol(settings.subprotocol)],
            additional_headers=headers,
            open_timeout=settings.timeout_s * 2,
            ssl=tls,
            max_size=2**20,
        ) as socket:
            if socket.subprotocol != settings.subprotocol:  # it does not speak the charger's
                self._problem("protocol", f"it does not offer {settings.subprotocol}")
                self._on_state(self.problem)
                raise UpstreamError(f"no {settings.subprotocol} there")
            self._socket = socket
            reader = asyncio.get_running_loop().create_task(self._read(socket))
            self._tasks.add(reader)
            try:
                await self._on_open()
                self.connected, self.problem = True, None
                self._on_state(None)
                await self._drain(reader)
            finally:
                reader.cancel()
                self._tasks.discard(reader)
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reader

    async def _drain(self, reader: asyncio.Task[None]) -> None:
        """Send the queue in order, each after the last one's answer; heartbeat when idle."""
        while not reader.done():
            if not self._queue:
                self._wake.clear()
                waiter = asyncio.ensure_future(self._wake.wait())
                try:
                    done, _ = await asyncio.wait(
                        [reader, waiter],
                        timeout=self.heartbeat_s,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                finally:
                    waiter.cancel()
                if not done:  # idle for the interval the upstream asked for
                    await self.call("Heartbeat", {})
                continue
            message = self._queue[0]
            payload = message.payload
            if self.prepare is not None:
                payload = self.prepare(message.action, payload)
            try:
                answer = await self.call(message.action, payload)
            except UpstreamRefusal as err:  # answered, with an error: not sent again
                self.counters.failed += 1
                _LOGGER.info(
                    "%s: upstream refused %s: %s", self.settings.identity, message.action, err
                )
                answer = None
            if self._queue and self._queue[0] is message:
                self._queue.popleft()
            self.counters.forwarded += 1
            if answer is not None and message.answered is not None:
                message.answered(answer)
            self._on_state(self.problem)  # the queue moved
        raise UpstreamError("the upstream closed the connection")

    async def _read(self, socket: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in socket:
                try:
                    frame = json.loads(raw)
                    kind, unique_id = frame[0], str(frame[1])
                except ValueError, TypeError, IndexError, KeyError:
                    _LOGGER.debug("%s: upstream frame ignored: %r", self.settings.identity, raw)
                    continue
                if kind == CALL and len(frame) == 4:
                    task = asyncio.get_running_loop().create_task(
                        self._answer(socket, unique_id, str(frame[2]), frame[3])
                    )
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                elif (late := self._late.pop(unique_id, None)) is not None:
                    if kind == CALLRESULT and len(frame) == 3 and isinstance(frame[2], dict):
                        late(frame[2])
                elif (future := self._pending.get(unique_id)) is not None and not future.done():
                    if kind == CALLRESULT and len(frame) == 3:
                        future.set_result(frame[2] if isinstance(frame[2], dict) else {})
                    else:
                        code = str(frame[2]) if len(frame) > 2 else "GenericError"
                        detail = str(frame[3]) if len(frame) > 3 else ""
                        future.set_exception(UpstreamRefusal(code, detail))

    async def _answer(
        self, socket: ClientConnection, unique_id: str, action: str, payload: Any
    ) -> None:
        try:
            result = await self._on_call(action, payload if isinstance(payload, dict) else {})
            frame: list[Any] = [CALLRESULT, unique_id, result]
        except UpstreamRefusal as err:
            frame = [CALLERROR, unique_id, err.code, err.description, {}]
        self.counters.last.append({"from": "upstream", "action": action, "answer": frame[2:]})
        with contextlib.suppress(ConnectionClosed):
            await socket.send(json.dumps(frame))

    def _fail_pending(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(UpstreamError("the connection closed"))
        self._pending.clear()
