"""The benchmark's load generator against the real server: it boots, loads, and errs on nothing.

Keeps ``benchmarks/`` honest: the frames it sends are valid for both versions,
its answers to our calls are valid, and what it counts is what was served.
"""

from __future__ import annotations

import pytest
from aiohttp import web
from homeassistant.core import HomeAssistant

from benchmarks import loadgen

from .conftest import add_charger_entry
from .helpers import model


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_loadgen_runs_against_the_integration(
    hass: HomeAssistant, runtime, url: str, version: str
) -> None:
    for i in range(3):
        await add_charger_entry(hass, f"LG{i:05d}")
    args = loadgen.parse(
        [
            "--url",
            url,
            "--chargers",
            "3",
            "--prefix",
            "LG",
            "--version",
            version,
            "--ramp",
            "100",
            "--settle",
            "0",
            "--open",
            "1",
            "--period",
            "0.2",
            "--closed",
            "1",
        ]
    )
    result = await loadgen.main(args)
    assert result["errors"] == {}
    assert result["boot"] == {
        "chargers": 3,
        "failed": 0,
        "seconds": result["boot"]["seconds"],
        "ramp_per_s": 100.0,
    }
    assert result["open"]["messages"] >= 3
    assert result["closed"]["messages"] > result["open"]["messages"]
    # every charger is in a transaction, and its energy counts what was sent
    for i in range(3):
        conn = model(hass, f"LG{i:05d}").connectors[1]
        assert conn.transaction is not None
        assert conn.energy.value_kwh is not None
        assert conn.energy.value_kwh > 1.0


async def test_loadgen_waits_for_the_backlog_before_the_open_loop(
    hass: HomeAssistant, runtime, url: str
) -> None:
    """The drain phase sends as the open loop does until the server's backlog is low,
    so the open loop measures the steady state; it reports what it waited for."""
    await add_charger_entry(hass, "DR00000")
    backlogs = iter([2400, 1800, 900, 120, 50])
    served: list[int] = []

    async def counters(_request: web.Request) -> web.Response:
        backlog = next(backlogs, 0)
        served.append(backlog)
        return web.json_response({"recorder_backlog": backlog, "state_changed": len(served)})

    app = web.Application()
    app.router.add_get("/counters", counters)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        counter_url = f"http://127.0.0.1:{port}/counters"
        args = loadgen.parse(
            [
                *("--url", url, "--chargers", "1", "--prefix", "DR", "--ramp", "100"),
                *("--settle", "0", "--open", "0.5", "--period", "0.2"),
                *("--drained-below", "500", "--counter-url", counter_url),
            ]
        )
        result = await loadgen.main(args)
    finally:
        await runner.cleanup()
    drain = result["drain"]
    assert result["errors"] == {}
    # "settled" read 2400; the drain read 1800, 900, then 120 and stopped (120 is
    # below 500); its last reading found 50, and the open loop read twice
    assert result["settled"]["recorder_backlog"] == 2400
    assert drain["backlog_at_start"] == 1800
    assert drain["backlog_peak"] == 1800
    assert drain["drained"] is True
    assert served == [2400, 1800, 900, 120, 50, 0, 0]
    assert drain["messages"] >= 1  # the charger kept sending meanwhile
    assert result["open"]["messages"] >= 1
