"""What every version adapter shares: RPC error answers, quiet frame logging,
command calls with translated failures, and tasks tied to the connection."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Coroutine
from enum import Enum
from typing import Any

from ocpp.exceptions import (
    NotImplementedError as OcppNotImplemented,
)
from ocpp.exceptions import (
    NotSupportedError,
    OCPPError,
)
from ocpp.messages import CallError, MessageType, unpack

from ..model.charger import Charger
from ..model.commands import CommandError, LimitPurpose

_LOGGER = logging.getLogger(__package__)
# Profile purposes are spelt the same in 1.6 and 2.x.
PROFILE_PURPOSES = {LimitPurpose.TX: "TxProfile", LimitPurpose.TX_DEFAULT: "TxDefaultProfile"}
FRAME_LOGGER = logging.getLogger(f"{__package__}.frames")


class _DebugFrames(logging.LoggerAdapter):
    """The ocpp library logs every frame at INFO; we log them at DEBUG."""

    def info(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.debug(msg, *args, **kwargs)


class AdapterMixin:
    """Mixed in front of an ``ocpp`` ChargePoint class by each version adapter."""

    # Set by the concrete adapter.
    protocol_version: str
    actions: type[Enum]
    # 1.6 spells two error codes differently from 2.x.
    error_code_map: dict[str, str] = {}

    charger: Charger
    _send: Any
    _handle_call: Any
    _response_queue: asyncio.Queue[Any]
    route_map: dict[str, Any]

    def _init_adapter(self, charger: Charger) -> None:
        self.charger = charger
        self._tasks: set[asyncio.Task[Any]] = set()
        self._bad_frames = 0

    def on_connected(self, adopted: bool) -> None:
        """Called once the connection is set up; versions may start follow-ups."""

    # ----------------------------------------------------------- incoming
    async def route_message(self, raw_msg: str | bytes) -> None:
        try:
            msg = unpack(raw_msg)
        except OCPPError as err:
            self._bad_frames += 1
            _LOGGER.warning("%s: malformed frame ignored: %s", self.charger.charger_id, err)
            await self._send_error(_guess_unique_id(raw_msg), err)
            return
        if msg.message_type_id != MessageType.Call:
            self._response_queue.put_nowait(msg)
            return
        try:
            if msg.action not in self.route_map:
                raise self._unknown_action(msg.action)
            await self._handle_call(msg)
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

    def _unknown_action(self, action: str) -> OCPPError:
        try:
            self.actions(action)
        except ValueError:
            return NotSupportedError(
                details={"cause": f"{action} is not an OCPP {self.protocol_version} action"}
            )
        return OcppNotImplemented(details={"cause": f"{action} is not handled"})

    async def _send_error(self, unique_id: str, err: OCPPError) -> None:
        code = self.error_code_map.get(err.code, err.code)
        details = err.details if isinstance(err.details, dict) else {}
        cause = details.get("cause")
        frame = CallError(unique_id, code, err.description, {"cause": str(cause)} if cause else {})
        await self._send(frame.to_json())

    # ----------------------------------------------------------- outgoing
    async def request(self, payload: Any) -> Any:
        """Send a CSMS-initiated call; failures become CommandError."""
        action = type(payload).__name__
        try:
            return await self.call(payload, suppress=False)  # type: ignore[attr-defined]
        except TimeoutError as err:
            raise CommandError(action, "timeout") from err
        except OCPPError as err:
            raise CommandError(action, f"{err.code}: {err.description}") from err
        except Exception as err:  # connection closed while waiting
            if type(err).__name__.startswith("ConnectionClosed"):
                raise CommandError(action, "disconnected") from err
            raise

    async def request_status(self, payload: Any) -> str:
        """Send a call whose answer has a status; raise unless it is Accepted."""
        result = await self.request(payload)
        status = str(getattr(result, "status", "Accepted"))
        if status not in ("Accepted", "Scheduled", "Unlocked"):
            raise CommandError(type(payload).__name__, status)
        return status

    def clear_profile_call(self, profile_id: int) -> Any:
        """The version's ClearChargingProfile for one profile id."""
        raise NotImplementedError

    async def clear_charge_limit(self, connector_id: int, profile_ids: list[int]) -> str:
        """Clear our profiles one by one; Accepted if any existed to clear."""
        statuses = [
            str((await self.request(self.clear_profile_call(profile_id))).status)
            for profile_id in profile_ids
        ]
        return "Accepted" if "Accepted" in statuses else statuses[-1]

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a follow-up (a call after a boot, say) tied to this connection."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (err := task.exception()) is not None:
            if isinstance(err, CommandError):
                _LOGGER.info("%s: follow-up %s", self.charger.charger_id, err)
            else:
                _LOGGER.error("%s: follow-up failed", self.charger.charger_id, exc_info=err)

    async def close_tasks(self) -> None:
        for task in tuple(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def frame_logger(charger_id: str) -> logging.LoggerAdapter:
    return _DebugFrames(FRAME_LOGGER, {"charger_id": charger_id})


def _guess_unique_id(raw: str | bytes) -> str:
    """The message id of a frame we could not unpack, or "-1" (OCPP 2.0.1 4.2.3)."""
    try:
        frame = json.loads(raw)
        if isinstance(frame, list) and len(frame) > 1 and isinstance(frame[1], str):
            return frame[1]
    except ValueError, TypeError:
        pass
    return "-1"
