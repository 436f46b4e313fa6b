"""The one boundary to the ``ocpp`` library, which ships no type information.

The names the adapters use from it, with the types they are used at. Type
checkers read the declarations below; at run time these are the library's own
objects.
"""

# The declarations mirror the library's own names (id, NotImplementedError).
# ruff: noqa: A001, A002, A004

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

Handler = TypeVar("Handler", bound=Callable[..., Any])

if TYPE_CHECKING:
    import json
    import logging
    from collections.abc import Iterable

    def on(action: Any, *, skip_schema_validation: bool = False) -> Callable[[Handler], Handler]:
        """Route a charger's call of ``action`` to the handler."""

    def after(action: Any) -> Callable[[Handler], Handler]:
        """Run the handler after the answer to ``action`` was sent."""

    class ChargePoint:
        """The library's RPC endpoint for one connection."""

        id: str

        def __init__(
            self,
            id: str,
            connection: Any,
            response_timeout: float = 30,
            logger: logging.Logger | logging.LoggerAdapter[logging.Logger] = ...,
        ) -> None: ...

    ChargePoint16 = ChargePoint
    ChargePoint201 = ChargePoint
    ChargePoint21 = ChargePoint

    class OCPPError(Exception):
        """An OCPP-J error: its code, description and details."""

        code: str
        default_description: str
        description: str
        details: Any

        def __init__(
            self, description: str | None = None, details: dict[str, Any] | None = None
        ) -> None:
            """Describe the error; ``details`` go in the CallError's details."""

    class FormatViolationError(OCPPError):
        """FormatViolation (1.6: FormationViolation)."""

    class GenericError(OCPPError):
        """GenericError."""

    class NotImplementedError(OCPPError):
        """NotImplemented."""

    class NotSupportedError(OCPPError):
        """NotSupported."""

    class PropertyConstraintViolationError(OCPPError):
        """PropertyConstraintViolation."""

    class ProtocolError(OCPPError):
        """ProtocolError."""

    class SecurityError(OCPPError):
        """SecurityError."""

    class UnknownCallErrorCodeError(Exception):
        """A CALLERROR with a code no OCPP version defines."""

    Action16: Any
    Action201: Any
    Action21: Any
    Call: Any
    CallError: Any
    CallResult: Any
    MessageType: Any

    class DecimalEncoder(json.JSONEncoder):
        """The library's JSON encoder: a Decimal as a float of one decimal."""

    def validate_in_event_loop(versions: Iterable[str]) -> None:
        """Compile every schema validator, then validate in the event loop."""

    def validate(message: Any, version: str) -> None:
        """Raise the library's OCPPError unless the message fits its schema."""

    def camel_to_snake_case(data: Any) -> Any:
        """Return ``data`` with every dict key in snake_case."""

    def snake_to_camel_case(data: Any) -> Any:
        """Return ``data`` with every dict key in camelCase."""

    def serialize_as_dict(dataclass: Any) -> dict[str, Any]:
        """Return a payload dataclass as a dict, recursively."""

    def remove_nones(data: Any) -> Any:
        """Return ``data`` without None values, recursively."""

else:
    from ocpp.charge_point import (
        camel_to_snake_case,
        remove_nones,
        serialize_as_dict,
        snake_to_camel_case,
    )
    from ocpp.exceptions import (
        FormatViolationError,
        GenericError,
        NotImplementedError,
        NotSupportedError,
        OCPPError,
        PropertyConstraintViolationError,
        ProtocolError,
        SecurityError,
        UnknownCallErrorCodeError,
    )
    from ocpp.messages import Call, CallError, CallResult, MessageType, _validate_payload
    from ocpp.messages import _DecimalEncoder as DecimalEncoder
    from ocpp.routing import after, on
    from ocpp.v16 import ChargePoint as ChargePoint16
    from ocpp.v16.enums import Action as Action16
    from ocpp.v21 import ChargePoint as ChargePoint21
    from ocpp.v21.enums import Action as Action21
    from ocpp.v201 import ChargePoint as ChargePoint201
    from ocpp.v201.enums import Action as Action201

    from .validation import Check, compile_schema

    # (message type id, action, version) -> the fast check, or None (the library judges)
    _CHECKS: dict[tuple[int, str, str], Check | None] = {}

    def validate(message: Any, version: str) -> None:
        """Raise the library's OCPPError unless the message fits its schema.

        The compiled check passes valid payloads quickly; anything it does not
        pass, the library judges (and words the error).
        """
        check = _CHECKS.get((message.message_type_id, message.action, version))
        if check is None or not check(message.payload):
            _validate_payload(message, version)

    def validate_in_event_loop(versions: Iterable[str]) -> None:
        """Compile every schema validator once, then validate in the event loop.

        The library validates each message in an executor thread by default; the
        thread hop costs more than the validation. Each schema is also compiled
        into a fast check (``validation.py``). Reading the schemas is blocking, so
        call this in the executor, once, before serving.
        """
        import decimal
        from pathlib import Path

        import ocpp.messages

        # 1.6 messages whose floats the library checks with Decimal (precision 1)
        decimal_16 = {("SetChargingProfile", 2), ("RemoteStartTransaction", 2)}
        decimal_16.add(("GetCompositeSchedule", 3))
        root = Path(ocpp.messages.__file__).parent
        for version in sorted(versions):
            folder = root / ("v" + version.replace(".", "")) / "schemas"
            files = sorted(folder.glob("*.json"))
            # 1.6 names a request's schema by its action alone; 2.x adds "Request"
            bare_requests = not any(f.stem.endswith("Request") for f in files)
            for schema in files:
                name = schema.stem
                if name.endswith("Response"):
                    action, kind = name.removesuffix("Response"), 3
                elif bare_requests or name.endswith("Request"):
                    action, kind = name.removesuffix("Request"), 2
                else:
                    continue  # a 2.1 SEND frame's schema: no Call or CallResult
                parse_float = (
                    decimal.Decimal
                    if (version == "1.6" and (action, kind) in decimal_16)
                    else float
                )
                validator = ocpp.messages.get_validator(
                    kind, action, version, parse_float=parse_float
                )
                # compiled from the schema the library has just read
                _CHECKS[(kind, action, version)] = (
                    compile_schema(validator.schema) if parse_float is float else None
                )
        ocpp.messages.ASYNC_VALIDATION = False


__all__ = [
    "Action16",
    "Action21",
    "Action201",
    "Call",
    "CallError",
    "CallResult",
    "ChargePoint16",
    "ChargePoint21",
    "ChargePoint201",
    "DecimalEncoder",
    "FormatViolationError",
    "GenericError",
    "MessageType",
    "NotImplementedError",
    "NotSupportedError",
    "OCPPError",
    "PropertyConstraintViolationError",
    "ProtocolError",
    "SecurityError",
    "UnknownCallErrorCodeError",
    "after",
    "camel_to_snake_case",
    "on",
    "remove_nones",
    "serialize_as_dict",
    "snake_to_camel_case",
    "validate",
    "validate_in_event_loop",
]
