"""Events for automations, and the authorization policy."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ocpp_csms.const import DOMAIN


async def test_booted_event(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    booted = async_capture_events(hass, f"{DOMAIN}_charger_booted")
    sim = await connect_sim("EV1")
    await sim.boot()
    await hass.async_block_till_done()
    assert booted[0].data == {
        "charger_id": "EV1",
        "vendor": "SimVendor",
        "model": "SimCharger",
        "firmware_version": "1.2.3",
        "status": "Pending",
        "protocol": sim.version,
    }


async def test_accept_all_tags(hass: HomeAssistant, charger) -> None:
    presented = async_capture_events(hass, f"{DOMAIN}_tag_presented")
    assert await charger.authorize("ANY") == "Accepted"
    await hass.async_block_till_done()
    assert presented[0].data == {
        "charger_id": "CP1",
        "id_tag": "ANY",
        "name": None,
        "status": "Accepted",
        "decided_by": "policy",
        "context": "Authorize",
    }


@pytest.mark.parametrize(
    "csms_options", [{"auth_mode": "allow_list", "allowed_tags": ["GOOD1"], "response_timeout": 3}]
)
async def test_allow_list(hass: HomeAssistant, charger) -> None:
    """The allow list of earlier versions became the tag list (migrated at setup)."""
    presented = async_capture_events(hass, f"{DOMAIN}_tag_presented")
    unlisted = "Invalid" if charger.version == "1.6" else "Unknown"  # 1.6 has no Unknown
    assert await charger.authorize("good1") == "Accepted"
    assert await charger.authorize("BAD") == unlisted
    await charger.start_transaction(1, "BAD")  # the start is recorded, answered so
    await hass.async_block_till_done()
    assert [e.data["status"] for e in presented] == ["Accepted", "Unknown", "Unknown"]
    assert presented[-1].data["context"] in ("StartTransaction", "TransactionEvent")


async def test_frames_logged_at_debug_only(hass: HomeAssistant, charger, caplog) -> None:
    import logging

    caplog.clear()
    caplog.set_level(logging.INFO)
    await charger.heartbeat()
    await hass.async_block_till_done()
    ours = [r for r in caplog.records if r.name.startswith("custom_components.ocpp_csms")]
    assert not [r for r in ours if "Heartbeat" in r.getMessage()]
    caplog.set_level(logging.DEBUG, logger="custom_components.ocpp_csms.protocol.frames")
    await charger.heartbeat()
    frames = [r for r in caplog.records if r.name == "custom_components.ocpp_csms.protocol.frames"]
    assert frames
    assert all(r.levelno == logging.DEBUG for r in frames)
