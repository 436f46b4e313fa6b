"""Test helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from homeassistant.core import HomeAssistant


async def until(hass: HomeAssistant, predicate: Callable[[], object], timeout: float = 5.0) -> None:
    """Wait until predicate() is truthy, letting HA and the simulators run."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await hass.async_block_till_done()
        if predicate():
            return
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def state(hass: HomeAssistant, entity_id: str) -> str | None:
    st = hass.states.get(entity_id)
    return None if st is None else st.state
