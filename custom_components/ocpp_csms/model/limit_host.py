"""What the charging-limit logic needs from its surroundings (Home Assistant).

Tasks tied to a charger's connection, timers, and a way to report a charger that
rejects every way of writing a limit. The model runs without one (tests of the
model alone); the runtime gives it the real one.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .charger import Charger


class LimitHost(Protocol):
    """What the controller needs from its surroundings (Home Assistant)."""

    def spawn(self, charger: Charger, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a follow-up tied to the charger's connection (dropped if offline)."""

    def call_at(self, when: datetime, callback: Callable[[], None]) -> Callable[[], None]:
        """Call back at a moment; returns a cancel function."""

    def unworkable(self, charger: Charger, answer: str | None) -> None:
        """Report a charger that rejects every way of writing a limit (None: no longer)."""


class NoHost:
    """The host of a model that runs alone: nothing is run, timed or reported."""

    def spawn(self, charger: Charger, coro: Coroutine[Any, Any, Any]) -> None:
        """Drop the follow-up."""
        coro.close()

    def call_at(self, when: datetime, callback: Callable[[], None]) -> Callable[[], None]:
        """Set no timer."""
        return lambda: None

    def unworkable(self, charger: Charger, answer: str | None) -> None:
        """Report nothing."""
