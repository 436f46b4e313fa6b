"""A charger nobody here wrote: ocpp-rpc (Node.js) in strict schema mode, on every
version. It checks every call and answer of ours against its own copy of the OCPP
schemas, and reports what it applies. The core scenario: boot, status, remote
start, a limit (what it applies), reset and its reconnect, remote stop.

Node.js and ocpp-rpc come from scripts/setup; without them the test fails in CI and
is skipped elsewhere.
"""

from __future__ import annotations

import asyncio

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ocpp_csms.const import DOMAIN

from .conftest import add_charger_entry
from .helpers import act, device_id, model, state, until
from .node_process import STRANGER, NodeProcess, node

CONN = "cp1_connector_1"


class Stranger(NodeProcess):
    """The Node.js charger as a subprocess, and what it reported."""


@pytest.fixture
async def stranger(hass: HomeAssistant, csms_entry, url: str, version: str):
    found = node()
    await add_charger_entry(hass, "CP1")
    process = await asyncio.create_subprocess_exec(
        found,
        str(STRANGER / "charger.js"),
        f"{url}/CP1",
        "CP1",
        version,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    charger = Stranger(process)
    yield charger
    await charger.stop()


async def test_a_stranger_charges_is_limited_reset_and_stopped(
    hass: HomeAssistant, stranger: Stranger
) -> None:
    ended = async_capture_events(hass, f"{DOMAIN}_session_ended")
    await until(hass, lambda: stranger.of("booted") or stranger.of("error"), timeout=20)
    assert not stranger.of("error"), stranger.events
    assert stranger.of("booted")[0]["status"] == "Accepted"
    await until(hass, lambda: state(hass, f"sensor.{CONN}_status") == "available", timeout=10)

    await act(hass, "start_charging", {"device_id": device_id(hass, "CP1/1"), "id_tag": "TAG1"})
    await until(hass, lambda: stranger.of("started"), timeout=10)
    tx_id = stranger.of("started")[0]["transactionId"]
    await until(hass, lambda: state(hass, f"switch.{CONN}_charging") == "on", timeout=10)

    result = await act(
        hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "amps": 10}, True
    )
    limited = result["connectors"]["CP1/1"]
    assert limited["status"] == "accepted"
    assert stranger.of("limit")[-1]["amps"] == 10  # what the charger applies
    assert limited["effective_limit"]["value"] == pytest.approx(10)
    assert state(hass, f"binary_sensor.{CONN}_limit_ignored") == "off"

    await act(hass, "reset", {"device_id": device_id(hass, "CP1")})
    await until(hass, lambda: len(stranger.of("booted")) == 2, timeout=15)
    await until(hass, lambda: model(hass).connected, timeout=10)

    await act(hass, "stop_charging", {"device_id": device_id(hass, "CP1/1")})
    await until(hass, lambda: len(ended) == 1, timeout=10)
    assert ended[0].data["transaction_id"] == tx_id
    assert ended[0].data["energy_kwh"] > 0
    assert state(hass, f"switch.{CONN}_charging") == "off"

    # every frame of ours fitted the stranger's schemas, and nothing of its was refused
    assert not stranger.of("strictFailure"), stranger.of("strictFailure")
    assert not stranger.of("error"), stranger.of("error")
    assert not model(hass).anomalies, model(hass).anomalies
