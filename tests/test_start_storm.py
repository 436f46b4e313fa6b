"""A start of Home Assistant with many adopted chargers: no event storm, no error.

Home Assistant refuses to queue more than 10,000 events while it dispatches one
(it takes them for listeners in an endless loop). A start with 1,000 chargers
used to make our entities write over 10,000 states inside one dispatch.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import pytest
from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import CoreState, Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_csms.const import (
    CONF_CHARGER_ID,
    CONF_KIND,
    DOMAIN,
    KIND_CHARGER,
    KIND_CSMS,
)

CHARGERS = 50


@pytest.mark.default_entities
async def test_start_with_many_chargers(
    hass: HomeAssistant, socket_enabled: None, caplog: pytest.LogCaptureFixture
) -> None:
    hass.set_state(CoreState.not_running)
    MockConfigEntry(
        domain=DOMAIN,
        title="OCPP central system",
        data={CONF_KIND: KIND_CSMS, "host": "127.0.0.1", "port": 0},
    ).add_to_hass(hass)
    for index in range(CHARGERS):
        charger_id = f"S{index:04d}"
        MockConfigEntry(
            domain=DOMAIN,
            title=charger_id,
            unique_id=charger_id,
            data={CONF_KIND: KIND_CHARGER, CONF_CHARGER_ID: charger_id},
        ).add_to_hass(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    counts: Counter[str] = Counter()

    def _count(event: Event[Any]) -> None:
        if event.event_type == er.EVENT_ENTITY_REGISTRY_UPDATED:
            counts[f"registry {event.data['action']} {sorted(event.data.get('changes', {}))}"] += 1
        else:
            counts[event.event_type] += 1

    @callback
    def _every(data: Any) -> bool:
        return True

    for kind in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED, er.EVENT_ENTITY_REGISTRY_UPDATED):
        hass.bus.async_listen(kind, _count, event_filter=_every)
    caplog.set_level(logging.WARNING)
    await hass.async_start()
    await hass.async_block_till_done()
    print(dict(counts))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
