"""What the site controller found last: the house's connection as the sensors show it.

The controller (``hub/site_control.py``, Home Assistant's side: it reads the
sensors) writes this; the central system's sensors show it. The model calls
``readings`` at each connector's meter values, so the controller looks again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .charger import Connector


@dataclass(slots=True)
class SiteState:
    """The last cycle's figures (None: not known, or nothing set up)."""

    headroom_a: dict[int, float] = field(default_factory=dict)  # per house phase
    chargers_power_w: float | None = None  # what our connectors draw together
    surplus_w: float | None = None  # for connectors in a solar mode
    load_limited: bool = False  # a connector gets less than it asks for: the fuse
    stale_sensor: str | None = None  # the grid sensor that went stale (fail-safe)
    # the price per kWh of exported energy (an entity of the site's options)
    feed_in_price: Callable[[], float | None] | None = None
    # set by the controller: called at each connector's readings
    on_readings: Callable[[Connector], None] | None = None
    _listeners: list[Callable[[], None]] = field(default_factory=list)

    def readings(self, conn: Connector) -> None:
        """Pass on that a connector reported readings."""
        if self.on_readings is not None:
            self.on_readings(conn)

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after each cycle that changed a figure."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def changed(self) -> None:
        """Tell the listeners (the controller, after a cycle that changed something)."""
        for listener in tuple(self._listeners):
            listener()
