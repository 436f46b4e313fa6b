"""The real Home Assistant UI in headless Chromium: log in, add the integration
through its config flow, adopt a discovered charger, see its live values, turn its
charging switch on and see the simulated charger start, and open an automation
with an ocpp_csms action in the editor. Home Assistant, the simulated charger and
Chromium run as processes of their own, as they would for a user.

Where Chromium is missing the test is skipped, except under CI, where it fails:
scripts/setup installs Debian's chromium. OCPP_CSMS_E2E_SHOTS=docs keeps the
screenshots there."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from .browser import Browser, chromium

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import dev_bootstrap  # noqa: E402
from screenshot import ha_ws as _ws  # noqa: E402

CONFIG = """
homeassistant:
  name: ocpp_csms end-to-end
  unit_system: metric
  time_zone: UTC
  currency: EUR
  country: NL
http:
  server_host: 127.0.0.1
  server_port: {port}
frontend:
config:
api:
auth:
onboarding:
person:
automation: !include automations.yaml
diagnostics:
repairs:
device_automation:
logger:
  default: warning
  logs:
    custom_components.ocpp_csms: info
"""


TOGGLE_CHARGING = """
(() => {
  const toggles = window.__deep((el) => el.tagName === "HA-ENTITY-TOGGLE"
    && el.stateObj && el.stateObj.entity_id === "switch.e2e1_connector_1_charging"
    && el.stateObj.state === "off");
  if (!toggles.length) return false;
  toggles[0].shadowRoot.querySelector("ha-switch").click();
  return true;
})()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _api(url: str, token: str, path: str, body: Any = None) -> Any:
    return dev_bootstrap.request(f"{url}{path}", "POST" if body is not None else "GET", body, token)


async def _until(predicate: Any, timeout: float, what: str) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            if value := predicate():
                return value
        except OSError:
            pass
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.5)


def _state(url: str, token: str, entity_id: str) -> str | None:
    try:
        return str(_api(url, token, f"/api/states/{entity_id}")["state"])
    except urllib.error.HTTPError:
        return None


@pytest.mark.skipif(
    chromium() is None and not os.environ.get("CI"),
    reason="Chromium is not installed (scripts/setup installs it where it can)",
)
async def test_the_real_ui(socket_enabled: None, tmp_path: Path) -> None:
    binary = chromium()
    assert binary is not None, "CI must have Chromium: scripts/setup installs it"
    shots = Path(os.environ.get("OCPP_CSMS_E2E_SHOTS") or tmp_path)
    http_port, ocpp_port, cdp_port = _free_port(), _free_port(), _free_port()
    url = f"http://127.0.0.1:{http_port}"
    config = tmp_path / "config"
    (config / "custom_components").mkdir(parents=True)
    (config / "custom_components" / "ocpp_csms").symlink_to(
        ROOT / "custom_components" / "ocpp_csms"
    )
    (config / "configuration.yaml").write_text(CONFIG.format(port=http_port))
    (config / "automations.yaml").write_text("[]\n")
    (config / ".storage").mkdir()
    (config / ".storage" / "onboarding").write_text(
        json.dumps(
            {
                "version": 4,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": ["core_config", "analytics", "integration"]},
            }
        )
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    processes: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> None:
        with open(logs / f"{name}.log", "wb") as out:
            processes.append(
                subprocess.Popen(
                    [sys.executable, *args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
                )
            )

    browser = Browser(binary, cdp_port)
    try:
        start("home-assistant", "-m", "homeassistant", "-c", str(config))
        await _until(
            lambda: urllib.request.urlopen(f"{url}/api/onboarding", timeout=2).status == 200,
            240,
            "Home Assistant to start",
        )
        token = dev_bootstrap.onboard(url)  # the owner account, dev / dev
        await browser.open()

        # 1. log in through the login page
        await browser.open_page(url + "/", "Log in")
        await browser.type_into("username", "dev")
        await browser.type_into("current-password", "dev")
        await browser.click("Log in")
        await browser.wait_text("Settings", 90)
        # Home Assistant asks to confirm HTTP settings that differ from its defaults
        # (here, the port of this test's instance)
        if "Confirm new HTTP server configuration" in await browser.text():
            await browser.click("Confirm")

        # 2. add the integration through its config flow
        await browser.open_page(
            url + "/config/integrations/dashboard/add?domain=ocpp_csms",
            "Do you want to set up OCPP Central System?",
        )
        await browser.click("OK")
        await browser.wait_text("Listen address", 90)
        await browser.type_into("Port", str(ocpp_port))
        await browser.click("Submit")
        await browser.wait_text("Name and assign", 90)  # the new entry's device
        await browser.click("Skip and finish")
        await _until(
            lambda: any(
                e["title"] == "OCPP central system"
                for e in _api(url, token, "/api/config/config_entries/entry?domain=ocpp_csms")
            ),
            30,
            "the central system entry",
        )

        # 3. a charger connects and is discovered; adopt it from the UI
        start(
            "charger",
            "-m",
            "tests.simulator",
            "--url",
            f"ws://127.0.0.1:{ocpp_port}/ocpp",
            "--id",
            "E2E1",
            "--boot-retry",
            "3",
            "--meter-interval",
            "2",
        )
        await browser.open_page(url + "/config/integrations/integration/ocpp_csms", "E2E1")
        await browser.click("Add")
        await browser.wait_text("Adopt OCPP charger", 90)
        await browser.click("Submit")
        await browser.wait_text("This password is shown only now", 90)
        await browser.screenshot(shots / "e2e-credentials.png")
        await browser.click("Submit")
        charger_log = logs / "charger.log"
        await _until(
            lambda: charger_log.read_text().count("boot accepted") >= 2,
            60,
            "the charger to reconnect with the password it was sent",
        )
        await _until(
            lambda: _state(url, token, "switch.e2e1_connector_1_charging") == "off",
            60,
            "the adopted charger to report its connector again",
        )

        # 4. the connector's device page shows live values; charge from the switch
        devices = await _ws(url, token, {"type": "config/device_registry/list"})
        child = next(d for d in devices if ["ocpp_csms", "E2E1/1"] in d["identifiers"])
        await browser.open_page(f"{url}/config/devices/device/{child['id']}", "Available")
        await browser.screenshot(shots / "e2e-connector.png")
        for _attempt in range(5):  # a toggle drawn while its entity was unavailable
            if not await browser.js(TOGGLE_CHARGING):
                await asyncio.sleep(2)  # not (yet) shown as an available "off" switch
                continue
            try:
                await _until(
                    lambda: _state(url, token, "sensor.e2e1_connector_1_status") == "charging",
                    15,
                    "the simulated charger to start charging",
                )
                break
            except AssertionError:
                await browser.open_page(f"{url}/config/devices/device/{child['id']}", "Available")
        else:
            raise AssertionError("the charging switch did not start the charger")
        await browser.wait_text("Charging", 90)
        await browser.screenshot(shots / "e2e-charging.png")

        # 5. an automation with an ocpp_csms action, opened in the editor
        _api(
            url,
            token,
            "/api/config/automation/config/e2e_cap",
            {
                "alias": "Cap charging when expensive",
                "triggers": [{"trigger": "time", "at": "17:00:00"}],
                "actions": [
                    {
                        "action": "ocpp_csms.set_charge_limit",
                        "target": {"device_id": child["id"]},
                        "data": {"amps": 6},
                    }
                ],
            },
        )
        await browser.open_page(f"{url}/config/automation/edit/e2e_cap", "Set charge limit")
        await browser.screenshot(shots / "e2e-automation.png")
    finally:
        await browser.close()
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
