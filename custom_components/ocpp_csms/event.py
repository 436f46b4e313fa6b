"""Event entities: tags presented at a charger, sessions on a connector.

Each tag comes with the decision taken; each session fires when it starts and
when it ends. A charger's firmware update, log upload and variable monitors
fire at each step, and a connector's reservation when made and when over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import OcppEntity, OcppEntityDescription, setup_model_entities
from .hub.entry_data import ChargerConfigEntry
from .model.authorization import AuthStatus
from .model.charger import Charger, Connector
from .model.events import Happenings
from .model.maintenance import FIRMWARE_STATUSES, LOG_STATUSES
from .model.reservations import ReservationEnd

PARALLEL_UPDATES = 0  # push-updated


@dataclass(frozen=True, kw_only=True)
class OcppEventDescription(OcppEntityDescription, EventEntityDescription):
    """An event entity's description."""


@dataclass(frozen=True, kw_only=True)
class HappeningsDescription(OcppEventDescription):
    """An event entity that fires once per happening the model counts."""

    shows_readings: bool = False
    happenings_fn: Callable[[Any], Happenings]


CHARGER_HAPPENINGS = (
    HappeningsDescription(
        key="firmware",
        translation_key="firmware",
        event_types=list(FIRMWARE_STATUSES),
        entity_registry_enabled_default=False,  # the Firmware status sensor shows each step
        happenings_fn=lambda c: c.firmware_happenings,
    ),
    HappeningsDescription(
        key="log_upload",
        translation_key="log_upload",
        event_types=list(LOG_STATUSES),
        entity_registry_enabled_default=False,  # the Log upload sensor shows the same
        happenings_fn=lambda c: c.log_happenings,
    ),
    HappeningsDescription(
        key="monitor",
        translation_key="monitor",
        event_types=["alerting", "delta", "periodic"],
        entity_registry_enabled_default=False,  # OCPP 2.x chargers with monitors set
        happenings_fn=lambda c: c.monitor_happenings,
    ),
)
RESERVATION = HappeningsDescription(
    key="reservation_event",
    translation_key="reservation",
    event_types=["created", *(e.value for e in ReservationEnd)],
    entity_registry_enabled_default=False,  # the Reservation sensor shows the one held
    happenings_fn=lambda c: c.reservation_happenings,
)


TAG = OcppEventDescription(
    key="tag",
    translation_key="tag",
    event_types=[s.value.lower() for s in AuthStatus],
)
SESSION = HappeningsDescription(
    key="session",
    translation_key="session",
    event_types=["started", "ended"],
    happenings_fn=lambda c: c.session_happenings,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each charger's tag event and each connector's session event."""
    setup_model_entities(
        entry,
        async_add_entities,
        lambda data, charger: [
            TagEvent(data, charger, TAG),
            *(HappeningsEvent(data, charger, d) for d in CHARGER_HAPPENINGS),
        ],
        lambda data, conn: [
            HappeningsEvent(data, conn, SESSION),
            HappeningsEvent(data, conn, RESERVATION),
        ],
    )


class _CountedEvent(OcppEntity, EventEntity):
    """Fires once for each new model event.

    The model counts them, and keeps the last one as (event type, attributes).
    """

    entity_description: OcppEventDescription

    def _count(self) -> int:
        raise NotImplementedError

    def _last(self) -> tuple[str, dict[str, Any]] | None:
        raise NotImplementedError

    @override
    def _state_snapshot(self) -> tuple[bool, int]:
        return (self.available, self._count())

    @override
    def _handle_model_update(self, *, readings: bool = False) -> None:
        seen = self._snapshot
        snapshot = self._snapshot = self._state_snapshot()
        if snapshot[1] != seen[1] and (last := self._last()) is not None:
            self._trigger_event(*last)
            self.async_write_ha_state()
        elif snapshot != seen:
            self.async_write_ha_state()


class TagEvent(_CountedEvent):
    """A tag decision: the tag, its name from the list, and who decided."""

    @override
    def _count(self) -> int:
        return self.charger.tag_decisions

    @override
    def _last(self) -> tuple[str, dict[str, Any]] | None:
        decision = self.charger.last_tag
        if decision is None:
            return None
        return decision.status.value.lower(), {
            "id_tag": decision.id_tag,
            "name": decision.tag.name if decision.tag is not None else None,
            "decided_by": decision.decided_by,
        }


class HappeningsEvent(_CountedEvent):
    """Fires with each happening of one kind: its type, and its data less the charger id."""

    entity_description: HappeningsDescription

    def __init__(
        self, data: Any, target: Charger | Connector, description: HappeningsDescription
    ) -> None:
        """Follow the happenings the description names, of a charger or connector."""
        super().__init__(data, target, description)
        self._happenings = description.happenings_fn(target)

    @override
    def _count(self) -> int:
        return self._happenings.count

    @override
    def _last(self) -> tuple[str, dict[str, Any]] | None:
        if (last := self._happenings.last) is None:
            return None
        kind, data = last
        return kind, {k: v for k, v in data.items() if k != "charger_id"}
