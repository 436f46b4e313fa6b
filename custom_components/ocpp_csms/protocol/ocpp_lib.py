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
    import logging

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

    Action16: Any
    Action201: Any
    Action21: Any
    Call: Any
    CallError: Any
    CallResult: Any
    MessageType: Any
else:
    from ocpp.exceptions import (
        FormatViolationError,
        GenericError,
        NotImplementedError,
        NotSupportedError,
        OCPPError,
        PropertyConstraintViolationError,
        ProtocolError,
        SecurityError,
    )
    from ocpp.messages import Call, CallError, CallResult, MessageType
    from ocpp.routing import after, on
    from ocpp.v16 import ChargePoint as ChargePoint16
    from ocpp.v16.enums import Action as Action16
    from ocpp.v21 import ChargePoint as ChargePoint21
    from ocpp.v21.enums import Action as Action21
    from ocpp.v201 import ChargePoint as ChargePoint201
    from ocpp.v201.enums import Action as Action201

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
    "FormatViolationError",
    "GenericError",
    "MessageType",
    "NotImplementedError",
    "NotSupportedError",
    "OCPPError",
    "PropertyConstraintViolationError",
    "ProtocolError",
    "SecurityError",
    "after",
    "on",
]
