"""Event entity: each tag presented at the charger, with the decision taken."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import OcppEntity, OcppEntityDescription, setup_model_entities
from .entry_data import ChargerConfigEntry
from .model.authorization import AuthStatus

PARALLEL_UPDATES = 0  # push-updated


@dataclass(frozen=True, kw_only=True)
class OcppEventDescription(OcppEntityDescription, EventEntityDescription):
    pass


TAG = OcppEventDescription(
    key="tag",
    translation_key="tag",
    event_types=[s.value.lower() for s in AuthStatus],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    setup_model_entities(
        entry,
        async_add_entities,
        lambda data, charger: [TagEvent(data, charger, TAG)],
        lambda data, conn: [],
    )


class TagEvent(OcppEntity, EventEntity):
    """Fires once per decision; the event carries the tag, its name and who decided."""

    entity_description: OcppEventDescription

    def _state_snapshot(self) -> tuple[bool, int]:
        return (self.available, self.charger.tag_decisions)

    def _handle_model_update(self) -> None:
        seen = self._snapshot
        snapshot = self._snapshot = self._state_snapshot()
        decision = self.charger.last_tag
        if snapshot[1] != seen[1] and decision is not None:
            self._trigger_event(
                decision.status.value.lower(),
                {
                    "id_tag": decision.id_tag,
                    "name": decision.tag.name if decision.tag is not None else None,
                    "decided_by": decision.decided_by,
                },
            )
            self.async_write_ha_state()
        elif snapshot != seen:
            self.async_write_ha_state()
