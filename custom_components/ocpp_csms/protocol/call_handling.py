"""Serving one call from a charger: the ``ocpp`` library's steps, without its per-call overheads.

The library's ``ChargePoint._handle_call`` validates the payload with
jsonschema, converts every key with regular expressions and inspects the
handler's signature, on every call. Here the steps and their order are the
same (validate, convert, handle, answer, validate the answer, send, then the
"after" handler), with:
- the fast schema checks of ``validation.py``, the library judging the rest;
- each key's conversion done by the library once and remembered;
- no ``call_unique_id`` argument and no coroutine "after" handlers (ours are
  callbacks that spawn their work on the charger's own tasks).
"""

from __future__ import annotations

from collections.abc import Callable
from types import CoroutineType
from typing import Any

from .ocpp_lib import (
    DecimalEncoder,
    camel_to_snake_case,
    remove_nones,
    serialize_as_dict,
    snake_to_camel_case,
    validate,
)

# The library's encoder (a Decimal as one decimal), made once: json.dumps(cls=...)
# makes a new one per frame.
_ENCODER = DecimalEncoder(separators=(",", ":"))

# Keys seen so far -> their conversion. Bounded: a hostile charger's made-up keys
# (in customData, which the schemas leave open) are converted but not remembered.
KEY_CACHE_LIMIT = 4096
_SNAKE: dict[str, str] = {}
_CAMEL: dict[str, str] = {}


def _key(cache: dict[str, str], convert: Callable[[Any], Any], key: str) -> str:
    converted = cache.get(key)
    if converted is None:
        converted = next(iter(convert({key: None})))
        if len(cache) < KEY_CACHE_LIMIT:
            cache[key] = converted
    return converted


def _rekeyed(data: Any, cache: dict[str, str], convert: Callable[[Any], Any]) -> Any:
    if type(data) is dict:
        return {_key(cache, convert, k): _rekeyed(v, cache, convert) for k, v in data.items()}
    if type(data) is list:
        return [_rekeyed(v, cache, convert) for v in data]
    return data


# Keys whose value is handed over as the charger sent it (camelCase inside): the
# meter values, read only by the input guard, are most of a message's keys.
AS_SENT = frozenset({"meterValue", "transactionData"})


def to_snake_all(data: Any) -> Any:
    """Return ``data`` with every key in snake_case, exactly as the library converts them."""
    return _rekeyed(data, _SNAKE, camel_to_snake_case)


def to_snake(data: dict[str, Any]) -> dict[str, Any]:
    """Return a charger's call payload with its keys in snake_case, as the library does.

    At the top level, the values of ``AS_SENT`` keys are left as they came.
    """
    return {
        _key(_SNAKE, camel_to_snake_case, k): v
        if k in AS_SENT
        else _rekeyed(v, _SNAKE, camel_to_snake_case)
        for k, v in data.items()
    }


def to_camel(data: Any) -> Any:
    """Return ``data`` with its keys in camelCase, exactly as the library converts them."""
    return _rekeyed(data, _CAMEL, snake_to_camel_case)


def answer_payload(response: Any) -> dict[str, Any]:
    """Return a handler's answer (a call result dataclass) as the payload to send.

    As the library makes it (dataclass to dict, Nones dropped, keys in camelCase);
    an answer without fields (MeterValues, StatusNotification) is ``{}`` at once.
    """
    if not getattr(response, "__dataclass_fields__", True):
        return {}
    return to_camel(remove_nones(serialize_as_dict(response)))  # type: ignore[no-any-return]


def frame_text(message_type: int, unique_id: str, payload: Any) -> str:
    """Return a CALLRESULT (3) frame's text, as the library's to_json() writes it."""
    return _ENCODER.encode([message_type, unique_id, payload])


async def handle_call(point: Any, msg: Any) -> None:
    """Serve ``msg`` (a Call) on ``point`` (an ocpp ChargePoint) as the library would."""
    # the adapter routes only what it serves; its handlers are functions of the class
    handlers = point.route_map[msg.action]
    version = point._ocpp_version
    checked = not handlers.get("_skip_schema_validation", False)
    if checked:
        validate(msg, version)
    payload = to_snake(msg.payload)
    # a second central system that answers the charger is asked first (the handler
    # may take what it said: a 1.6 transaction id)
    ask = point.csms.answer_first
    point.upstream_answer = await ask(point.charger, msg.action, msg.payload) if ask else None
    try:
        response = handlers["_on_action"](point, **payload)
        if handlers["_async"] or type(response) is CoroutineType:
            response = await response
    except Exception as err:  # the library's rule: any failure is a CallError
        if (refused := point.refusal(msg.action, err)) is not None:  # counted, no traceback
            await point.send_frame(msg.create_call_error(refused).to_json())
            return
        point.logger.exception("Error while handling request '%s'", msg)
        await point.send_frame(msg.create_call_error(err).to_json())
        return
    result = msg.create_call_result(answer_payload(response))
    if checked:
        validate(result, version)
    if point.upstream_answer is not None:  # the charger gets the upstream's, if valid
        theirs = msg.create_call_result(point.upstream_answer)
        try:
            validate(theirs, version)
        except Exception:  # noqa: BLE001  (not the schema's: Home Assistant's own answer)
            point.logger.warning("%s: the second central system's answer does not fit", msg.action)
        else:
            result = theirs
    # what the answer acknowledges (an id, a session's start or end) is on disk first
    if (saving := point.csms.persistence.barrier()) is not None:
        await saving
    if (forward := point.csms.forward) is not None:  # a copy for a second central system,
        keeping = forward(point.charger, msg.action, msg.payload, result.payload)
        if keeping is not None:  # on disk before the answer leaves
            await keeping
    await point.send_frame(frame_text(3, result.unique_id, result.payload))
    after = handlers.get("_after_action")
    if after is not None:
        after(point, **payload)  # a callback: it spawns what takes time on its tasks
