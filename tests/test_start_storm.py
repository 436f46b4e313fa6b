"""A start of Home Assistant with many adopted chargers: no event storm, no error.

When it has started, Home Assistant decides Assist's exposure for every entity
that has none, all within one event, and each decision is a registry update
that makes the entity write its state again. It refuses to queue more than
10,000 events within one (it takes that for listeners in an endless loop): a
start with 1,000 chargers logged thousands of errors. Our entities take the
decision as each is added, so the start has nothing left to write.
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

from custom_components.ocpp_csms.const import CONF_KIND, DOMAIN, KIND_CSMS

from .conftest import add_charger_entry

CHARGERS = 200


@pytest.mark.default_entities
async def test_a_start_with_200_chargers_writes_nothing_at_once(
    hass: HomeAssistant, socket_enabled: None, caplog: pytest.LogCaptureFixture
) -> None:
    # as Home Assistant starts: its own integration first, then the others
    hass.set_state(CoreState.not_running)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    csms = MockConfigEntry(
        domain=DOMAIN,
        title="OCPP central system",
        data={CONF_KIND: KIND_CSMS, "host": "127.0.0.1", "port": 0},
    )
    csms.add_to_hass(hass)
    assert await hass.config_entries.async_setup(csms.entry_id)
    for index in range(CHARGERS):
        await add_charger_entry(hass, f"S{index:04d}", setup=False)
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry is not csms:
            await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    ours = {
        e.entity_id
        for e in er.async_get(hass).entities.values()
        if e.platform == DOMAIN and not e.disabled
    }
    assert len(ours) >= 3 * CHARGERS  # status, connectivity, tag event
    counts: Counter[str] = Counter()

    @callback
    def _ours(data: Any) -> bool:
        return data["entity_id"] in ours

    def _count(event: Event[Any]) -> None:
        counts[event.event_type] += 1

    for kind in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED, er.EVENT_ENTITY_REGISTRY_UPDATED):
        hass.bus.async_listen(kind, _count, event_filter=_ours)
    caplog.set_level(logging.WARNING)
    await hass.async_start()
    await hass.async_block_till_done()
    # Assist's exposure was decided as each entity was added: nothing at the start
    assert counts == {}
    options = er.async_get(hass).async_get(next(iter(sorted(ours)))).options
    assert "should_expose" in options["conversation"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
