"""Field validators the action families and the forms share.

A fixed choice is offered by its key (``full_inventory``) and handed on as the word
OCPP uses (``FullInventory``); the word itself is taken too, so automations
written with it keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import probatio

from ..model import choices


def one_of(words: Iterable[str]) -> Callable[[Any], str]:
    """Return a validator of one choice: its key (or word) in, the OCPP word out."""
    known = list(words)

    def validate(value: Any) -> str:
        try:
            return choices.parse(known, value)
        except ValueError as err:
            raise probatio.Invalid(str(err)) from err

    return validate
