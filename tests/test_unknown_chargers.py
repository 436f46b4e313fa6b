"""Unknown charger ids: the policy (ask, accept, refuse), the discovery cap, ignored
chargers, and nothing kept of an unknown charger once it is gone."""

from __future__ import annotations

from datetime import timedelta

import pytest
import websockets
from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from websockets.exceptions import InvalidStatus

from custom_components.ocpp_csms.const import DOMAIN

from .helpers import runtime_of, status_of, until


@pytest.mark.parametrize("csms_options", [{"unknown_chargers": "refuse", "response_timeout": 3}])
async def test_refuse_unknown(hass: HomeAssistant, csms_entry, url: str) -> None:
    assert await status_of(f"{url}/STRANGER") == 403
    runtime = runtime_of(hass)
    assert runtime.connections.admission.refused_unknown == 1
    # the refusal shows on the central system's counter within a minute
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done()
    assert hass.states.get("sensor.ocpp_central_system_refused_connections").state == "1"
    assert "STRANGER" not in runtime.csms.chargers
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


@pytest.mark.parametrize("csms_options", [{"discovery_limit": 3, "response_timeout": 3}])
@pytest.mark.parametrize("version", ["1.6"])
async def test_discovery_cap(hass: HomeAssistant, csms_entry, connect_sim, url: str) -> None:
    sims = [await connect_sim(f"NEW{n}") for n in range(3)]
    for sim in sims:
        assert await sim.boot() == "Pending"
    await hass.async_block_till_done()
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 3
    assert await status_of(f"{url}/NEW3") == 403  # over the cap: refused and counted
    runtime = runtime_of(hass)
    assert runtime.connections.admission.refused_unknown == 1
    assert "NEW3" not in runtime.csms.chargers
    # one of the three goes away, but its discovery flow still waits: still capped
    await sims[0].close()
    await until(hass, lambda: "NEW0" not in runtime.csms.chargers)
    assert await status_of(f"{url}/NEW3") == 403
    # the user ignores it: its place is free
    flow = next(
        f
        for f in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if f["context"]["unique_id"] == "NEW0"
    )
    await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": config_entries.SOURCE_IGNORE},
        data={"unique_id": "NEW0", "title": "NEW0"},
    )
    await hass.async_block_till_done()
    assert all(
        f["flow_id"] != flow["flow_id"]
        for f in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    )
    assert await status_of(f"{url}/NEW0") == 403  # ignored chargers are refused
    new3 = await connect_sim("NEW3")
    assert await new3.boot() == "Pending"


async def test_thousand_unknown_ids_leave_nothing(hass: HomeAssistant, csms_entry, url) -> None:
    """A flood of made-up ids held open: the cap gets in, the rest are refused, and
    nothing is kept once they are gone."""
    import asyncio

    async def one(n: int):
        try:
            # a generous client timeout: on a loaded test machine 1,000 handshakes queue
            return await websockets.connect(
                f"{url}/FAKE{n}", subprotocols=["ocpp1.6"], open_timeout=60
            )
        except InvalidStatus as err:
            return err.response.status_code

    results = await asyncio.gather(*(one(n) for n in range(1000)))
    opened = [r for r in results if not isinstance(r, int)]
    runtime = runtime_of(hass)
    assert len(opened) == 20
    assert results.count(403) == 980
    assert runtime.connections.admission.refused_unknown == 980
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)  # none booted
    await asyncio.gather(*(ws.close() for ws in opened))
    await until(hass, lambda: not any(c.startswith("FAKE") for c in runtime.csms.chargers))
