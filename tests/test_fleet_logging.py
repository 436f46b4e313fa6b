"""A fleet that reconnects at once must not log a line per charger at INFO.

Home Assistant counts each integration's records at INFO and above and warns
that it "is logging too frequently" past 200; a site of hundreds of chargers
reconnecting after a network blip must stay far below that.
"""

from __future__ import annotations

import logging

import pytest
from homeassistant.core import HomeAssistant

from custom_components.ocpp_csms.transport.connections import BURST_LINES

from .conftest import add_charger_entry
from .helpers import until

FLEET = 30


def ours(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Our records at INFO and above (the simulators log through "ocpp")."""
    return [
        r
        for r in caplog.records
        if r.levelno >= logging.INFO and r.name.startswith("custom_components.ocpp_csms")
    ]


@pytest.mark.parametrize("version", ["1.6"])
async def test_fleet_reconnect_logs_no_line_per_charger(
    hass: HomeAssistant, runtime, connect_sim, caplog: pytest.LogCaptureFixture
) -> None:
    ids = [f"FL{i:02d}" for i in range(FLEET)]
    for charger_id in ids:
        await add_charger_entry(hass, charger_id)
    first = [await connect_sim(charger_id) for charger_id in ids]
    for sim in first:
        assert await sim.boot() == "Accepted"
    await hass.async_block_till_done()
    caplog.clear()
    caplog.set_level(logging.INFO, logger="custom_components.ocpp_csms")

    # Every charger comes back on a new connection while its old one still looks
    # open (a NAT or Wi-Fi blip), boots, and reports its connectors.
    second = [await connect_sim(charger_id) for charger_id in ids]
    for sim in second:
        assert await sim.boot() == "Accepted"
        await sim.send_all_status()
    await until(hass, lambda: all(s._connection.close_code is not None for s in first))
    await hass.async_block_till_done()
    replaced = ours(caplog)
    assert len(replaced) <= 2, [r.getMessage() for r in replaced]

    # Then the whole fleet drops and returns: named up to BURST_LINES, then summed up.
    caplog.clear()
    for sim in second:
        await sim.close()
    await until(hass, lambda: not any(runtime.csms.chargers[c].connected for c in ids))
    for charger_id in ids:
        assert await (await connect_sim(charger_id)).boot() == "Accepted"
    await hass.async_block_till_done()
    runtime.connections.availability.flush()
    lines = ours(caplog)
    assert len(lines) <= 2 * BURST_LINES + 2, [r.getMessage() for r in lines]
    assert any("more chargers disconnected" in r.getMessage() for r in lines)
