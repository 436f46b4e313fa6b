"""What every version adapter is (the ChargerAdapter protocol), and what they share.

The shared RPC part: error answers, quiet frame logging, command calls with
typed outcomes and translated failures, and tasks tied to the connection.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Coroutine
from enum import Enum
from typing import Any, Protocol, override

from ..model.charger import Charger
from ..model.commands import TAKEN, CommandError, CommandOutcome
from ..model.csms import Csms
from ..model.errors import InvalidInput
from ..model.port import ChargerCommands
from .call_handling import handle_call, to_camel, to_snake_all
from .frames import FrameError, MessageTypeNotSupportedError, parse
from .inputs import InputGuard
from .ocpp_lib import (
    CallError,
    FormatViolationError,
    GenericError,
    MessageType,
    NotSupportedError,
    OCPPError,
    PropertyConstraintViolationError,
    SecurityError,
    UnknownCallErrorCodeError,
    remove_nones,
    serialize_as_dict,
)
from .ocpp_lib import NotImplementedError as OcppNotImplemented

_LOGGER = logging.getLogger(__package__)
FRAME_LOGGER = logging.getLogger(f"{__package__}.frames")


class ChargerAdapter(ChargerCommands, Protocol):
    """One live connection of one charger, in one OCPP version.

    The commands of ChargerCommands, plus the lifecycle the connection manager
    drives.
    """

    async def route_message(self, raw: str | bytes) -> None:
        """Handle one frame from the charger."""

    def on_connected(self, adopted: bool) -> None:
        """Start serving a new connection."""

    def request_boot(self) -> None:
        """Ask a charger that waits for adoption to boot again."""

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a follow-up tied to this connection."""

    async def close_tasks(self) -> None:
        """Cancel the connection's follow-ups (it closed)."""

    async def refuse(self, unique_id: str, cause: str) -> None:
        """Answer a call with an error, without serving it."""


# How the connection manager builds an adapter: (charger, csms, websocket, timeout).
AdapterFactory = Callable[[Charger, Csms, Any, float], ChargerAdapter]


class _Refused(PropertyConstraintViolationError):
    """The model refused a value; answered with a CallError, already counted."""


class _FrameLog(logging.LoggerAdapter[logging.Logger]):
    """The ocpp library's log, made quiet.

    It logs every frame at INFO (we log them at DEBUG). Input the model refused
    never reaches it (handle_call answers it without a traceback).
    """

    @override
    def info(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.debug(msg, *args, **kwargs)


class AdapterBase:
    """Mixed in front of an ``ocpp`` ChargePoint class by each version adapter."""

    # Set by the concrete adapter.
    protocol_version: str
    actions: type[Enum]
    # 1.6 spells two error codes differently from 2.x.
    error_code_map: dict[str, str] = {}

    # From the ocpp ChargePoint class.
    _call: Any
    _call_result: Any
    _send: Callable[[str], Coroutine[Any, Any, None]]
    _connection: Any
    _response_queue: asyncio.Queue[Any]
    _call_lock: asyncio.Lock
    route_map: dict[str, dict[str, Any]]
    call: Callable[..., Coroutine[Any, Any, Any]]

    def __init__(self, charger: Charger, csms: Csms, connection: Any, timeout: float) -> None:
        """Serve ``connection`` for ``charger``; calls of ours wait ``timeout``."""
        # the version's ocpp ChargePoint class comes next in the MRO
        super().__init__(  # type: ignore[call-arg]
            charger.charger_id, connection, timeout, logger=frame_logger(charger.charger_id)
        )
        # the library maps each action to bound methods for every connection: one
        # map of plain functions per adapter class serves them all (handle_call
        # passes the adapter)
        self.route_map = _shared_routes(type(self), self.route_map)
        self.charger = charger
        self.csms = csms
        self.timeout = timeout
        self.inputs = InputGuard(charger, csms.settings)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._bad_frames = 0
        # what a second central system that answers the charger said to the call served
        self.upstream_answer: dict[str, Any] | None = None

    async def send_frame(self, text: str) -> None:
        """Send a frame (the library's ``_send``, its log line only when it is shown)."""
        if FRAME_LOGGER.isEnabledFor(logging.DEBUG):
            FRAME_LOGGER.debug("%s: send %s", self.charger.charger_id, text)
        await self._connection.send(text)

    def refusal(self, action: str, err: Exception) -> OCPPError | None:
        """Return the CallError for input the model refused (counted); None otherwise."""
        if isinstance(err, InvalidInput):
            self.charger.count_anomaly("refused_message", f"{action} refused: {err}")
            return _Refused(details={"cause": str(err)})
        return None

    def request_boot(self) -> None:
        """Ask a charger adopted while Pending to boot again."""
        self.spawn(self.trigger_message("BootNotification", None))

    async def trigger_message(self, message: str, connector_id: int | None) -> CommandOutcome:
        """Ask the charger to send a message now (SharedHandlers implements it)."""
        raise NotImplementedError

    # ----------------------------------------------------------- incoming
    # What a charger that is not adopted (Pending) may send: OCPP 2.x B02/B03 allow
    # the boot only; 1.6 chargers commonly heartbeat while pending.
    before_adoption: frozenset[str] = frozenset({"BootNotification"})
    # Message types a version adds (2.1: SEND, CALLRESULTERROR) and the error a
    # message type the version does not know gets.
    extra_message_types: frozenset[int] = frozenset()
    bad_message_type: type[OCPPError] = MessageTypeNotSupportedError

    def on_extra_frame(self, frame: list[Any]) -> None:
        """Handle a frame of one of ``extra_message_types``."""

    async def route_message(self, raw: str | bytes) -> None:
        """Check a frame, then serve a call, hand over an answer, or refuse it."""
        try:
            msg = parse(raw, self.extra_message_types, self.bad_message_type)
        except FrameError as err:
            self._bad_frames += 1
            self.charger.count_anomaly("malformed_frame", f"malformed frame ignored: {err}")
            await self._send_error(err.unique_id, err.error)
            return
        if isinstance(msg, list):
            self.on_extra_frame(msg)
            return
        if msg.message_type_id != MessageType.Call:
            if self._call_lock.locked():  # an answer is awaited
                self._response_queue.put_nowait(msg)
            else:
                self.charger.count_anomaly("unsolicited_answer", "an answer to no call ignored")
            return
        try:
            if msg.action not in self.route_map:
                raise self._unknown_action(msg.action)
            if msg.action not in self.before_adoption and not self.csms.is_adopted(
                self.charger.charger_id
            ):
                raise SecurityError(
                    details={"cause": f"{msg.action}: the charger is not accepted (yet)"}
                )
            await self._handle_bounded(msg)
        except OCPPError as err:
            self._bad_frames += 1
            _LOGGER.warning(
                "%s: %s rejected with %s: %s",
                self.charger.charger_id,
                msg.action,
                err.code,
                err.details.get("cause", err.description) if isinstance(err.details, dict) else err,
            )
            await self._send_error(msg.unique_id, err)

    async def _handle_bounded(self, msg: Any) -> None:
        """Serve a call; a payload nested too deep is a format violation.

        The library converts keys recursively, so a payload nested deeper than
        Python recurses is answered like any other format violation.
        """
        try:
            await self._handle_call(msg)
        except RecursionError as err:
            raise FormatViolationError(details={"cause": "the payload is nested too deep"}) from err

    async def _handle_call(self, msg: Any) -> None:
        """Serve a call (the library's steps, without its per-call overheads)."""
        await handle_call(self, msg)

    def _unknown_action(self, action: str) -> OCPPError:
        """Return the error for an action we do not serve.

        OCPP-J: NotImplemented for an action the receiver does not know,
        NotSupported for one it knows but does not take (a CSMS-side action).
        """
        try:
            self.actions(action)
        except ValueError:
            return OcppNotImplemented(
                details={"cause": f"{action[:50]} is not an OCPP {self.protocol_version} action"}
            )
        return NotSupportedError(details={"cause": f"{action} is not taken from a charger"})

    async def _send_error(self, unique_id: str, err: OCPPError) -> None:
        code = self.error_code_map.get(err.code, err.code)
        details = err.details if isinstance(err.details, dict) else {}
        cause = details.get("cause")
        frame = CallError(unique_id, code, err.description, {"cause": str(cause)} if cause else {})
        await self._send(frame.to_json())

    async def refuse(self, unique_id: str, cause: str) -> None:
        """Answer a call the transport will not serve (over the message rate)."""
        await self._send_error(unique_id, GenericError(details={"cause": cause}))

    # ----------------------------------------------------------- outgoing
    async def request(self, payload: Any) -> Any:
        """Send a CSMS-initiated call; failures become CommandError."""
        action = type(payload).__name__
        try:
            return await self.call(payload, suppress=False)
        except TimeoutError as err:
            raise CommandError(action, "timeout") from err
        except OCPPError as err:
            raise CommandError(action, f"{err.code}: {err.description}") from err
        except UnknownCallErrorCodeError as err:  # a code of the charger's own making
            raise CommandError(action, str(err)) from err
        except Exception as err:  # connection closed while waiting
            if type(err).__name__.startswith("ConnectionClosed"):
                raise CommandError(action, "disconnected") from err
            raise

    async def relay(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a call as it came (a second central system's); return the answer."""
        make = getattr(self._call, action, None)
        if make is None:
            raise CommandError(action, f"not an OCPP {self.protocol_version} call")
        try:
            call = make(**to_snake_all(payload))
        except TypeError as err:
            raise CommandError(action, f"not a valid {action}: {err}") from err
        result = await self.request(call)
        return dict(to_camel(remove_nones(serialize_as_dict(result))))

    async def request_status(self, payload: Any) -> CommandOutcome:
        """Send a call whose answer has a status; raise unless the charger took it."""
        result = await self.request(payload)
        return self.outcome(type(payload).__name__, str(getattr(result, "status", "Accepted")))

    @staticmethod
    def outcome(action: str, status: str) -> CommandOutcome:
        """Return the model's word for a charger's answer; CommandError for a refusal."""
        if (outcome := TAKEN.get(status)) is None:
            raise CommandError(action, status)
        return outcome

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a follow-up (a call after a boot, say) tied to this connection."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (err := task.exception()) is not None:
            if isinstance(err, CommandError):
                _LOGGER.debug("%s: follow-up %s", self.charger.charger_id, err)
            else:
                _LOGGER.error("%s: follow-up failed", self.charger.charger_id, exc_info=err)

    async def close_tasks(self) -> None:
        """Cancel the connection's follow-ups, and wait for them."""
        for task in tuple(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


_ROUTES: dict[type, dict[str, dict[str, Any]]] = {}


def _shared_routes(cls: type, bound: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return the class's action map, its handlers as functions (made from one instance's)."""
    routes = _ROUTES.get(cls)
    if routes is None:
        routes = _ROUTES[cls] = {}
        for action, handlers in bound.items():
            route = routes[action] = {
                # the handler itself, not the library's pass-through wrapper
                # (handle_call refuses what the model refuses)
                key: inspect.unwrap(getattr(value, "__func__", value)) if callable(value) else value
                for key, value in handlers.items()
            }
            # whether its answer is to be awaited, told once (not per call)
            route["_async"] = inspect.iscoroutinefunction(route.get("_on_action"))
    return routes


def frame_logger(charger_id: str) -> logging.LoggerAdapter[logging.Logger]:
    """Return the quiet frame log of one charger."""
    return _FrameLog(FRAME_LOGGER, {"charger_id": charger_id})
