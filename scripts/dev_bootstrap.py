"""Prepare the development Home Assistant through its own HTTP API, the way a new
user would: onboarding (owner dev / dev), the ocpp_csms config flow, and charger
SIM1 added by id. Idempotent: steps already done are skipped."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from websockets.sync.client import connect

CLIENT_ID = "http://127.0.0.1:8123/"


def request(
    url: str, method: str = "GET", body: Any = None, token: str | None = None, form: bool = False
) -> Any:
    headers = {}
    data = None
    if body is not None:
        if form:
            data = "&".join(f"{k}={urllib.request.quote(str(v))}" for k, v in body.items()).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
    except urllib.error.HTTPError as err:
        err.msg = f"{err.msg}: {err.read().decode(errors='replace')[:500]}"  # what HA said
        raise
    return json.loads(text) if text else None


def wait_for(url: str, seconds: int = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request(f"{url}/api/onboarding")
        except urllib.error.HTTPError:
            return  # up: once onboarding is done the view answers 404
        except urllib.error.URLError, ConnectionError, TimeoutError:
            time.sleep(1)
        else:
            return
    sys.exit("Home Assistant did not start; see .dev/logs/home-assistant.log")


def tokens_for(url: str, code: str) -> dict[str, Any]:
    return request(
        f"{url}/auth/token",
        "POST",
        {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID},
        form=True,
    )


def token_for(url: str, code: str) -> str:
    return tokens_for(url, code)["access_token"]


def login_tokens(url: str) -> dict[str, Any]:
    """Log in as dev / dev; the token response (access and refresh token)."""
    flow = request(
        f"{url}/auth/login_flow",
        "POST",
        {"client_id": CLIENT_ID, "handler": ["homeassistant", None], "redirect_uri": CLIENT_ID},
    )
    result = request(
        f"{url}/auth/login_flow/{flow['flow_id']}",
        "POST",
        {"client_id": CLIENT_ID, "username": "dev", "password": "dev"},
    )
    return tokens_for(url, result["result"])


def login(url: str) -> str:
    return login_tokens(url)["access_token"]


def onboarding_steps(url: str) -> dict[str, bool]:
    """Which onboarding steps are done; all of them once the view is gone (404)."""
    try:
        return {s["step"]: s["done"] for s in request(f"{url}/api/onboarding")}
    except urllib.error.HTTPError as err:
        if err.code != 404:
            raise
        return dict.fromkeys(("user", "core_config", "analytics", "integration"), True)


def onboard(url: str) -> str:
    steps = onboarding_steps(url)
    if not steps.get("user"):
        result = request(
            f"{url}/api/onboarding/users",
            "POST",
            {
                "client_id": CLIENT_ID,
                "name": "Developer",
                "username": "dev",
                "password": "dev",
                "language": "en",
            },
        )
        token = token_for(url, result["auth_code"])
    else:
        token = login(url)
    for step, path, body in (
        ("core_config", "core_config", {}),
        ("analytics", "analytics", {}),
        ("integration", "integration", {"client_id": CLIENT_ID, "redirect_uri": CLIENT_ID}),
    ):
        if not steps.get(step):
            request(f"{url}/api/onboarding/{path}", "POST", body, token)
    return token


DEV_PASSWORD = "dev-charger-password"


def configure(url: str, token: str, port: int) -> None:
    entries = request(f"{url}/api/config/config_entries/entry?domain=ocpp_csms", token=token)
    titles = {e["title"] for e in entries}
    if "OCPP central system" not in titles:
        flow = request(
            f"{url}/api/config/config_entries/flow", "POST", {"handler": "ocpp_csms"}, token
        )
        request(
            f"{url}/api/config/config_entries/flow/{flow['flow_id']}",
            "POST",
            {"host": "0.0.0.0", "port": port},
            token,
        )
        print(f"[ocpp_csms] central system set up on port {port}", file=sys.stderr)
    for charger_id in ("SIM1", "SIM3", "SIM4"):
        if charger_id in titles:
            continue
        flow = request(
            f"{url}/api/config/config_entries/flow", "POST", {"handler": "ocpp_csms"}, token
        )
        request(
            f"{url}/api/config/config_entries/flow/{flow['flow_id']}",
            "POST",
            # the password scripts/develop gives the simulators (security profile 1)
            {"charger_id": charger_id, "password_mode": "enter", "password": DEV_PASSWORD},
            token,
        )
        print(f"[ocpp_csms] charger {charger_id} added, with a password", file=sys.stderr)


def wait_for_entity(url: str, token: str, entity: str, seconds: int = 120) -> None:
    """Wait until Home Assistant has the entity (its charger connected)."""
    for _ in range(seconds):
        try:
            request(f"{url}/api/states/{entity}", token=token)
        except urllib.error.HTTPError:
            time.sleep(1)
        else:
            return


def site_options(url: str, token: str) -> None:
    """The made-up house of scripts/develop (dev_site.yaml): its grid meter, a 3 x 25 A
    fuse, and the solar delays scaled to its 24-minute day (10 s, 30 s, a minute
    between phase switches; a limit every 5 s)."""
    for _ in range(120):  # options changed while it still sets up would wait for a reload
        entries = request(f"{url}/api/config/config_entries/entry?domain=ocpp_csms", token=token)
        csms = next(e for e in entries if e["title"] == "OCPP central system")
        if csms["state"] == "loaded":
            break
        time.sleep(1)
    flow = request(
        f"{url}/api/config/config_entries/options/flow",
        "POST",
        {"handler": csms["entry_id"]},
        token,
    )
    request(
        f"{url}/api/config/config_entries/options/flow/{flow['flow_id']}",
        "POST",
        {
            "chargers": {},
            "tags": {},
            "charging": {"limit_spacing": 5, "default_phases": "3"},
            "limits": {},
            "site": {
                "grid_power": "sensor.dev_grid_power",
                "main_fuse": 25,
                "main_fuse_phases": "3",
                "solar_enable_delay": 10,
                "solar_disable_delay": 30,
                "phase_interval": 60,
            },
            "tls": {},
        },
        token,
    )
    print("[ocpp_csms] site: grid meter sensor.dev_grid_power, 3 x 25 A", file=sys.stderr)


def prices_and_limits(url: str, token: str) -> None:
    """Once the chargers are connected: a price entity, a charging plan on SIM1's
    connector 1, and a limit on the quirky SIM3 (which walks the ladder)."""
    for entity in ("sensor.sim1_connector_1_status", "sensor.sim3_connector_1_status"):
        wait_for_entity(url, token, entity)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    prices = [
        {
            "start": (start + timedelta(hours=n)).isoformat(),
            "end": (start + timedelta(hours=n + 1)).isoformat(),
            "value": round(0.25 + 0.1 * math.sin(n / 3.0), 3),
        }
        for n in range(36)
    ]
    request(
        f"{url}/api/states/sensor.dev_electricity_price",
        "POST",
        {"state": str(prices[0]["value"]), "attributes": {"unit": "kWh", "raw_today": prices}},
        token,
    )
    request(
        f"{url}/api/services/ocpp_csms/plan_charging?return_response",
        "POST",
        {
            "entity_id": "sensor.sim1_connector_1_status",
            "prices": "sensor.dev_electricity_price",
            "energy_kwh": 20,
            "deadline": "07:00:00",
        },
        token,
    )
    request(
        f"{url}/api/services/ocpp_csms/set_charge_limit?return_response",
        "POST",
        {"entity_id": "sensor.sim3_connector_1_status", "amps": 10},
        token,
    )
    wait_for_entity(url, token, "select.sim4_connector_1_charging_mode")
    request(
        f"{url}/api/services/select/select_option",
        "POST",
        {"entity_id": "select.sim4_connector_1_charging_mode", "option": "solar"},
        token,
    )
    print("[ocpp_csms] SIM1 charges by plan; SIM3 (quirky) is limited to 10 A", file=sys.stderr)
    print("[ocpp_csms] SIM4 charges from the made-up house's solar surplus", file=sys.stderr)


# Entities disabled by default that the development site uses (the plan, the solar
# house, a reservation, a price): enabled as a user would, one click each.
FEATURE_ENTITIES = (
    "sensor.sim1_connector_1_next_planned_start",
    "calendar.sim1_connector_1_charging_plan",
    "sensor.sim1_connector_2_reservation",
    "sensor.sim3_connector_1_session_cost",
    "sensor.sim4_connector_1_active_phases",
    "sensor.sim4_connector_1_session_solar_share",
    "binary_sensor.sim4_phase_switch_ignored",
    "calendar.sim4_connector_1_charging_plan",
)


def enable_feature_entities(url: str, token: str) -> None:
    """Enable FEATURE_ENTITIES through the websocket API (what the entity dialog does)."""
    ws_url = url.replace("http", "ws", 1) + "/api/websocket"
    with connect(ws_url, open_timeout=30) as ws:
        json.loads(ws.recv())  # auth_required
        ws.send(json.dumps({"type": "auth", "access_token": token}))
        json.loads(ws.recv())  # auth_ok
        for number, entity_id in enumerate(FEATURE_ENTITIES, start=1):
            ws.send(
                json.dumps(
                    {
                        "id": number,
                        "type": "config/entity_registry/update",
                        "entity_id": entity_id,
                        "disabled_by": None,
                    }
                )
            )
            answer = json.loads(ws.recv())
            if not answer.get("success"):  # not there (yet): nothing to enable
                print(
                    f"[ocpp_csms] {entity_id} not enabled: {answer.get('error')}", file=sys.stderr
                )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--after-chargers", action="store_true", help="plan and limit only")
    args = parser.parse_args()
    wait_for(args.url)
    token = onboard(args.url)
    if args.after_chargers:
        prices_and_limits(args.url, token)
        enable_feature_entities(args.url, token)
    else:
        configure(args.url, token, args.port)
        site_options(args.url, token)


if __name__ == "__main__":
    main()
