"""OCPP-J frames, parsed once and checked before anything else sees them.

A frame that is not valid JSON (or too deep, or with a number Python will not
read), not an array of the right length, with an unknown message type, a unique
id that is not a string of 1 to 36 characters, or an action that is not a string
gets the RPC framework's error, answered to the id it carried where that id can
be trusted.
"""

from __future__ import annotations

import json
from typing import Any

from .inputs import may_hold_surrogates, scrub
from .ocpp_lib import Call, CallError, CallResult, FormatViolationError, OCPPError, ProtocolError

MAX_UNIQUE_ID = 36
CALL, CALLRESULT, CALLERROR = 2, 3, 4
LENGTHS = {CALL: 4, CALLRESULT: 3, CALLERROR: 5}


class FrameError(Exception):
    """A frame that cannot be served; ``unique_id`` is where the answer goes."""

    def __init__(self, unique_id: str, error: OCPPError) -> None:
        """Keep the error and the id to answer it to."""
        super().__init__(str(error))
        self.unique_id = unique_id
        self.error = error


class MessageTypeNotSupportedError(OCPPError):
    """OCPP 2.x: a message type id the receiver does not know."""

    code = "MessageTypeNotSupported"
    default_description = "A message with a Message Type Id that is not supported"


def _valid_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_UNIQUE_ID


def parse(raw: str | bytes, extra_types: frozenset[int], bad_type: type[OCPPError]) -> Any:
    """Return the frame as a Call, CallResult or CallError.

    For a message type in ``extra_types`` (2.1's SEND, say), the raw list.
    Raises FrameError.
    """
    try:
        frame = json.loads(raw)
    except (ValueError, RecursionError, UnicodeDecodeError, TypeError) as err:
        raise FrameError(
            "-1", FormatViolationError(details={"cause": "Message is not valid JSON"})
        ) from err
    if may_hold_surrogates(raw):
        frame = scrub(frame)
    if not isinstance(frame, list) or not frame:
        raise FrameError("-1", ProtocolError(details={"cause": "Message is not a JSON array"}))
    kind = frame[0]
    unique_id = frame[1] if len(frame) > 1 and _valid_id(frame[1]) else "-1"
    if type(kind) is not int or (kind not in LENGTHS and kind not in extra_types):
        raise FrameError(
            unique_id, bad_type(details={"cause": f"MessageTypeId {str(kind)[:20]!r} isn't valid"})
        )
    if kind in extra_types:
        return frame
    if len(frame) != LENGTHS[kind] and not (kind == CALLERROR and len(frame) == 4):
        raise FrameError(
            unique_id, ProtocolError(details={"cause": "Message is missing elements."})
        )
    if not _valid_id(frame[1]):
        raise FrameError(
            "-1",
            FormatViolationError(details={"cause": "the unique id is not a string of 1-36"}),
        )
    if kind == CALL:
        if not isinstance(frame[2], str) or not isinstance(frame[3], dict):
            raise FrameError(
                unique_id,
                FormatViolationError(
                    details={"cause": "the action is not a string with a payload"}
                ),
            )
        return Call(frame[1], frame[2], frame[3])
    if kind == CALLRESULT:
        return CallResult(frame[1], frame[2])
    details = frame[4] if len(frame) > 4 else {}
    return CallError(frame[1], str(frame[2]), str(frame[3]), details)
