"""Where a charger's sessions get their price: its options, read from Home Assistant."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import HomeAssistant

from ..const import CONF_FIXED_PRICE, CONF_PRICE_ENTITY
from ..model.session_cost import PriceSource, price_per_kwh


def entity_price(hass: HomeAssistant, entity_id: str) -> PriceSource:
    """Return a price read from an entity when asked (None while it has none)."""

    def from_entity() -> float | None:
        if (state := hass.states.get(entity_id)) is None:
            return None
        return price_per_kwh(state.state, state.attributes.get(ATTR_UNIT_OF_MEASUREMENT))

    return from_entity


def price_source(hass: HomeAssistant, options: Mapping[str, Any]) -> PriceSource | None:
    """Return the price per kWh sessions are costed at; None when none is chosen.

    A price entity is read when each meter reading comes (so a price that changes
    mid-session costs each part of it at its own price); a fixed price else.
    """
    if entity_id := options.get(CONF_PRICE_ENTITY):
        return entity_price(hass, entity_id)
    if (fixed := options.get(CONF_FIXED_PRICE)) is not None:
        price = float(fixed)
        return lambda: price
    return None
