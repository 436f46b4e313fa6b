"""The benchmark's load generator against the real server: it boots, loads, and errs on nothing.

Keeps ``benchmarks/`` honest: the frames it sends are valid for both versions,
its answers to our calls are valid, and what it counts is what was served.
"""

from __future__ import annotations

import pytest
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
