"""The Home Assistant floor: the least any OCPP central system in Home Assistant does.

A benchmark-only integration. It runs the same ``websockets`` server in Home
Assistant's event loop as ocpp_csms, parses each frame with ``json.loads``,
answers each call from a table, and writes the states a meter message changes
among ocpp_csms's entities enabled by default (power, energy, session energy of
the charger's connector; its Current sensor is disabled by default, so the floor
writes no current either) with ``hass.states.async_set``, each only when its
value changed. No OCPP
library, no schema check, no model, no entity objects: what is left is the
price of a websocket frame and of Home Assistant's state machine.

    ha_floor:
      port: 9000
"""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers.typing import ConfigType
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

DOMAIN = "ha_floor"

ANSWERS: dict[str, dict[str, Any]] = {
    "BootNotification": {"status": "Accepted", "interval": 300},
    "StartTransaction": {"transactionId": 1, "idTagInfo": {"status": "Accepted"}},
    "Authorize": {"idTagInfo": {"status": "Accepted"}},
}
# The attributes our sensors carry, built once: the state machine's cost per write
# depends on them.
ATTRIBUTES = {
    "power": {"unit_of_measurement": "kW", "device_class": "power", "state_class": "measurement"},
    "energy": {
        "unit_of_measurement": "kWh",
        "device_class": "energy",
        "state_class": "total_increasing",
    },
    "session_energy": {
        "unit_of_measurement": "kWh",
        "device_class": "energy",
        "state_class": "total",
    },
}


class Charger:
    """One connection: its entity ids, the last values written, the session's start."""

    def __init__(self, hass: HomeAssistant, charger_id: str) -> None:
        """Name the charger's states."""
        self.hass = hass
        slug = charger_id.lower()
        self.entity_ids = {key: f"sensor.floor_{slug}_{key}" for key in ATTRIBUTES}
        self.attributes = {
            key: attrs | {"friendly_name": f"{charger_id} connector 1 {key.replace('_', ' ')}"}
            for key, attrs in ATTRIBUTES.items()
        }
        self.written: dict[str, str] = {}
        self.start_wh: float | None = None

    def answer(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Take a call's readings; return its answer."""
        if action == "MeterValues":
            self.readings(payload["meterValue"])
        elif action == "TransactionEvent":
            self.readings(payload.get("meterValue") or [])
            if payload.get("eventType") == "Started" and "idToken" in payload:
                return {"idTokenInfo": {"status": "Accepted"}}
        elif action == "StartTransaction":
            self.start_wh = float(payload["meterStart"])
        answer = ANSWERS.get(action)
        if answer is None:
            return {"currentTime": _now()} if action == "Heartbeat" else {}
        if action == "BootNotification":
            return answer | {"currentTime": _now()}
        return answer

    def readings(self, meter_values: list[dict[str, Any]]) -> None:
        """Write power, energy and session energy when they changed."""
        values: dict[str, float] = {}
        for meter_value in meter_values:
            for sample in meter_value["sampledValue"]:
                measurand = sample.get("measurand", "Energy.Active.Import.Register")
                value = float(sample["value"])
                if measurand == "Power.Active.Import":
                    values["power"] = value / 1000
                elif measurand == "Energy.Active.Import.Register":
                    values["energy"] = value / 1000
        if "energy" in values:
            if self.start_wh is None:
                self.start_wh = values["energy"] * 1000
            values["session_energy"] = values["energy"] - self.start_wh / 1000
        for key, value in values.items():
            state = f"{value:.3f}"
            if self.written.get(key) != state:
                self.written[key] = state
                self.hass.states.async_set(self.entity_ids[key], state, self.attributes[key])


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Serve OCPP on the configured port until Home Assistant stops."""
    port = int(config[DOMAIN]["port"])

    async def handle(ws: ServerConnection) -> None:
        assert ws.request is not None
        charger = Charger(hass, ws.request.path.rstrip("/").rsplit("/", 1)[-1])
        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                frame = json.loads(raw)
                if frame[0] == 2:
                    payload = charger.answer(frame[2], frame[3])
                    await ws.send(json.dumps([3, frame[1], payload]))

    server = await serve(
        handle,
        "127.0.0.1",
        port,
        subprotocols=["ocpp1.6", "ocpp2.0.1", "ocpp2.1"],  # type: ignore[list-item]
        compression=None,
        ping_interval=None,
    )

    async def _stop(event: Event) -> None:
        server.close()
        await server.wait_closed()

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop)
    return True


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
