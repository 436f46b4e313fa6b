"""The model's clock: the one place the model reads the time of day.

Everything time-dependent in the model (limits and their schedules, reservations,
tag expiry, the stale-readings check) asks ``clock.now()``. Tests move it forward,
together with Home Assistant's timers, instead of sleeping (``tests/helpers.py``
``Clock``).
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Return the time now, in UTC."""
    return datetime.now(UTC)
