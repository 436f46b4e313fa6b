"""Firmware updates and log uploads on every version: each step shown and fired,
the device updated after the new firmware boots, and logs received by Home
Assistant itself over real HTTP (one-time token, size cap, expiry)."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import probatio
import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ocpp_csms.const import DOMAIN

from .helpers import act, device_id, enable_entities, model, state, until

FIRMWARE_URL = "https://firmware.example/sim-2.0.0.bin"


@pytest.fixture
async def upload_base(hass: HomeAssistant, hass_client_no_auth, tmp_path: Path) -> str:
    """Home Assistant's web server on 127.0.0.1, as the URL chargers are given."""
    hass.config.config_dir = str(tmp_path)
    client = await hass_client_no_auth()
    base = str(client.make_url("/")).rstrip("/")
    await hass.config.async_update(internal_url=base)
    return base


async def test_firmware_update_step_by_step(hass: HomeAssistant, charger) -> None:
    await enable_entities(hass, "CP1", "event.cp1_firmware")
    steps = async_capture_events(hass, f"{DOMAIN}_firmware_status")
    result = await act(
        hass,
        "update_firmware",
        {"device_id": device_id(hass, "CP1"), "url": FIRMWARE_URL, "retries": 2},
        response=True,
    )
    assert result["chargers"]["CP1"]["status"] == "Accepted"
    _kind, sent = next(r for r in charger.received if r[0] == "firmware")
    assert sent["location"] == FIRMWARE_URL
    assert sent["signed"] is False
    await until(hass, lambda: state(hass, "sensor.cp1_firmware_status") == "installed")
    assert [e.data["status"] for e in steps] == [
        "downloading",
        "downloaded",
        "installing",
        "installed",
    ]
    event = hass.states.get("event.cp1_firmware")
    assert event.attributes["event_type"] == "installed"
    # the charger boots with the new version: its device shows it
    dev_reg = dr.async_get(hass)
    await until(hass, lambda: dev_reg.async_get(device_id(hass, "CP1")).sw_version == "2.0.0")
    if charger.version != "1.6":
        assert {e.data["request_id"] for e in steps} == {result["chargers"]["CP1"]["request_id"]}


async def test_signed_and_failed_firmware(hass: HomeAssistant, charger) -> None:
    charger.firmware_fails = True
    await act(
        hass,
        "update_firmware",
        {
            "device_id": device_id(hass, "CP1"),
            "url": FIRMWARE_URL,
            "signing_certificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            "signature": "c2lnbmF0dXJl",
            "install_at": "00:10:00",
        },
    )
    assert next(r for r in charger.received if r[0] == "firmware")[1]["signed"] is True
    await until(hass, lambda: state(hass, "sensor.cp1_firmware_status") == "download_failed")
    # a signature without its certificate is refused before the charger is asked
    with pytest.raises(probatio.Invalid, match=r"signing_certificate|signed"):
        await act(
            hass,
            "update_firmware",
            {"device_id": device_id(hass, "CP1"), "url": FIRMWARE_URL, "signature": "x"},
        )


@pytest.mark.parametrize("log_type", ["diagnostics", "security"])
async def test_log_received_by_home_assistant(
    hass: HomeAssistant, charger, upload_base: str, log_type: str
) -> None:
    await enable_entities(hass, "CP1", "sensor.cp1_log_upload")
    received = async_capture_events(hass, f"{DOMAIN}_log_status")
    result = await act(
        hass,
        "upload_logs",
        {"device_id": device_id(hass, "CP1"), "log_type": log_type},
        response=True,
    )
    answer = result["chargers"]["CP1"]
    assert answer["location"].startswith(f"{upload_base}/api/ocpp_csms/logs/")
    path = Path(answer["path"])
    assert path.parent == Path(hass.config.path("ocpp_csms", "logs", "CP1"))
    await until(hass, lambda: any(e.data["status"] == "received" for e in received))
    got = next(e for e in received if e.data["status"] == "received")
    assert got.data["path"] == str(path)
    content = await hass.async_add_executor_job(path.read_bytes)
    assert content == charger.log_content
    await until(hass, lambda: state(hass, "sensor.cp1_log_upload") == "uploaded")
    assert charger.upload_results == [201]
    sent = next(r for r in charger.received if r[0] == "logs")[1]
    expected = {"diagnostics": "diagnostics", "security": "SecurityLog"}[log_type]
    if charger.version != "1.6":
        expected = {"diagnostics": "DiagnosticsLog", "security": "SecurityLog"}[log_type]
    assert sent["log_type"] == expected
    # the token was for one upload: a second one is refused
    async with (
        aiohttp.ClientSession() as session,
        session.post(answer["location"], data=b"again") as resp,
    ):
        assert resp.status == 404
    await hass.async_add_executor_job(path.unlink)


@pytest.mark.parametrize("csms_options", [{"response_timeout": 3, "max_upload_mib": 1}])
async def test_upload_cap_and_expiry(hass: HomeAssistant, charger, upload_base: str) -> None:
    await enable_entities(hass, "CP1", "sensor.cp1_log_upload")
    charger.log_content = b"x" * (1024 * 1024 + 1)
    result = await act(hass, "upload_logs", {"device_id": device_id(hass, "CP1")}, response=True)
    path = Path(result["chargers"]["CP1"]["path"])
    await until(hass, lambda: charger.upload_results == [413])
    assert not await hass.async_add_executor_job(path.exists)
    failed = "upload_failure" if charger.version != "1.6" else "upload_failed"
    await until(hass, lambda: state(hass, "sensor.cp1_log_upload") == failed)
    # a token that expired before the charger came
    charger.log_content = b"small"
    charger.upload_delay_s = 1.2
    await act(
        hass, "upload_logs", {"device_id": device_id(hass, "CP1"), "upload_window": "00:00:01"}
    )
    await until(hass, lambda: len(charger.upload_results) == 2, timeout=5)
    assert charger.upload_results[1] == 404


async def test_log_to_a_location_of_ones_own(hass: HomeAssistant, charger) -> None:
    result = await act(
        hass,
        "upload_logs",
        {"device_id": device_id(hass, "CP1"), "location": "ftp://logs.example/cp1/"},
        response=True,
    )
    assert result["chargers"]["CP1"]["path"] is None
    assert next(r for r in charger.received if r[0] == "logs")[1]["location"] == (
        "ftp://logs.example/cp1/"
    )
    # the simulator has no FTP: it fails, and says so
    await until(hass, lambda: model(hass).diagnostics_status in ("upload_failure", "upload_failed"))


@pytest.mark.parametrize("version", ["2.0.1"])
async def test_logs_of_a_time_range(hass: HomeAssistant, charger) -> None:
    """The oldest and latest moments asked reach the charger."""
    await act(
        hass,
        "upload_logs",
        {
            "device_id": device_id(hass, "CP1"),
            "location": "ftp://logs.example/cp1/",
            "oldest": "2026-12-01T00:00:00+00:00",
            "latest": "2026-12-02T00:00:00+00:00",
        },
    )
    asked = next(r for r in charger.received if r[0] == "logs")[1]
    assert asked["oldest"].startswith("2026-12-01T00:00:00")
    assert asked["latest"].startswith("2026-12-02T00:00:00")


async def test_the_upload_endpoint_at_its_edges(
    hass: HomeAssistant, runtime, hass_client_no_auth, tmp_path: Path
) -> None:
    """A file sent as a multipart form is stored; a token works once; a body that
    says it is too large, or turns out to be, is refused and nothing kept."""
    from datetime import timedelta

    hass.config.config_dir = str(tmp_path)
    client = await hass_client_no_auth()
    uploads = runtime.log_uploads
    uploads.max_bytes = 400  # the form's own parts count too
    url, slot = uploads.issue("CP1", 1, timedelta(minutes=5), "http://x")
    path = url.removeprefix("http://x")
    form = aiohttp.FormData()
    form.add_field("file", b"line one\n", filename="charger.log")
    assert (await client.post(path, data=form)).status == 201
    assert await hass.async_add_executor_job(slot.path.read_bytes) == b"line one\n"
    assert (await client.post(path, data=b"again")).status == 404  # once only
    url, slot = uploads.issue("CP1", 2, timedelta(minutes=5), "http://x")
    said_too_large = await client.put(url.removeprefix("http://x"), data=b"x" * 401)
    assert said_too_large.status == 413
    url, slot = uploads.issue("CP1", 3, timedelta(minutes=5), "http://x")

    async def stream():  # no length said: found too large while written
        for _ in range(5):
            yield b"y" * 100

    assert (await client.put(url.removeprefix("http://x"), data=stream())).status == 413
    assert not await hass.async_add_executor_job(slot.path.exists)
    # at most MAX_OPEN_TOKENS wait at once: the oldest goes
    from custom_components.ocpp_csms.hub.log_uploads import MAX_OPEN_TOKENS

    first, _ = uploads.issue("CP1", 4, timedelta(minutes=5), "http://x")
    for n in range(MAX_OPEN_TOKENS):
        uploads.issue("CP1", 5 + n, timedelta(minutes=5), "http://x")
    assert uploads.claim(first.rsplit("/", 1)[1]) is None
