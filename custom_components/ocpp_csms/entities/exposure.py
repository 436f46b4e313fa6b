"""Assist's exposure of an entity, decided as the entity is added.

When it has started, Home Assistant decides Assist's exposure for every entity
that has none, all within one event; each decision is a registry update that
makes the entity write its state again. With a thousand chargers that is tens
of thousands of events within one, more than Home Assistant queues (it logs an
error for each beyond 10,000). Asked as each entity is added, it is the same
decision (Home Assistant's own default), one entity at a time.
"""

from __future__ import annotations

from homeassistant.components.homeassistant.const import DATA_EXPOSED_ENTITIES
from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.helpers.entity import Entity

# The assistant whose exposure Home Assistant decides at its start.
ASSIST = "conversation"


def settle_assist_exposure(entity: Entity) -> None:
    """Have Home Assistant decide the entity's Assist exposure now, if it has none."""
    entry = entity.registry_entry
    if (
        entry is not None
        and ASSIST not in entry.options
        and DATA_EXPOSED_ENTITIES in entity.hass.data
    ):
        async_should_expose(entity.hass, ASSIST, entity.entity_id)
