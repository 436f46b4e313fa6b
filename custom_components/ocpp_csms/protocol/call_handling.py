"""Serving one call from a charger: the ``ocpp`` library's steps, without its per-call overheads.

The library's ``ChargePoint._handle_call`` validates the payload with
jsonschema, converts every key with regular expressions and inspects the
handler's signature, on every call. Here the steps and their order are the
same (validate, convert, handle, answer, validate the answer, send, then the
"after" handler), with:
- the fast schema checks of ``validation.py``, the library judging the rest;
- each key's conversion done by the library once and remembered;
- each handler's signature read once.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

from .ocpp_lib import (
    NotImplementedError as OcppNotImplemented,
)
from .ocpp_lib import (
    camel_to_snake_case,
    remove_nones,
    serialize_as_dict,
    snake_to_camel_case,
    validate,
)

# Keys seen so far -> their conversion. Bounded: a hostile charger's made-up keys
# (in customData, which the schemas leave open) are converted but not remembered.
KEY_CACHE_LIMIT = 4096
_SNAKE: dict[str, str] = {}
_CAMEL: dict[str, str] = {}
_WANTS_ID: dict[Any, bool] = {}
_AFTER_TASKS: set[asyncio.Future[Any]] = set()


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


def to_snake(data: Any) -> Any:
    """Return ``data`` with its keys in snake_case, exactly as the library converts them."""
    return _rekeyed(data, _SNAKE, camel_to_snake_case)


def to_camel(data: Any) -> Any:
    """Return ``data`` with its keys in camelCase, exactly as the library converts them."""
    return _rekeyed(data, _CAMEL, snake_to_camel_case)


def _wants_unique_id(handler: Callable[..., Any]) -> bool:
    function = getattr(handler, "__func__", handler)
    wants = _WANTS_ID.get(function)
    if wants is None:
        wants = _WANTS_ID[function] = "call_unique_id" in inspect.signature(handler).parameters
    return wants


def _run(handler: Callable[..., Any], payload: dict[str, Any], unique_id: str) -> Any:
    if _wants_unique_id(handler):
        return handler(**payload, call_unique_id=unique_id)
    return handler(**payload)


async def handle_call(point: Any, msg: Any) -> None:
    """Serve ``msg`` (a Call) on ``point`` (an ocpp ChargePoint) as the library would."""
    handlers = point.route_map[msg.action]
    version = point._ocpp_version
    checked = not handlers.get("_skip_schema_validation", False)
    if checked:
        validate(msg, version)
    payload = to_snake(msg.payload)
    handler = handlers.get("_on_action")
    if handler is None:
        raise OcppNotImplemented(details={"cause": f"No handler for {msg.action} registered."})
    try:
        response = _run(handler, payload, msg.unique_id)
        if inspect.isawaitable(response):
            response = await response
    except Exception as err:  # the library's rule: any failure is a CallError
        point.logger.exception("Error while handling request '%s'", msg)
        await point._send(msg.create_call_error(err).to_json())
        return
    result = msg.create_call_result(to_camel(remove_nones(serialize_as_dict(response))))
    if checked:
        validate(result, version)
    # what the answer acknowledges (an id, a session's start or end) is on disk first
    if (saving := point.csms.persistence.barrier()) is not None:
        await saving
    await point._send(result.to_json())
    after = handlers.get("_after_action")
    if after is not None:
        follow_up = _run(after, payload, msg.unique_id)
        if inspect.isawaitable(follow_up):
            task = asyncio.ensure_future(follow_up)
            _AFTER_TASKS.add(task)
            task.add_done_callback(_AFTER_TASKS.discard)
