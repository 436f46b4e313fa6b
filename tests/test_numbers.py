"""Numbers a homeowner can trust: a 1.6 meter stop in whole Wh is no anomaly, no
import register or meter start is negative, and a charger's made-up CALLERROR code
is a command failure like any other."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from ocpp.v16 import call
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ocpp_csms.const import DOMAIN

from .helpers import act, device_id, model, until

V16 = pytest.mark.parametrize("version", ["1.6"])


def register(wh: str, when: str) -> list[dict[str, Any]]:
    return [
        {
            "timestamp": when,
            "sampledValue": [
                {"value": wh, "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
            ],
        }
    ]


@V16
async def test_whole_wh_meter_stop_after_a_finer_reading(hass: HomeAssistant, charger) -> None:
    """61.0 Wh at the stop after a 61.4 Wh reading is the same reading, rounded."""
    ended = async_capture_events(hass, f"{DOMAIN}_session_ended")
    tx_id = await charger.start_transaction(1)
    start = int(model(hass).transactions[str(tx_id)].meter_start_wh)
    await charger.call(
        call.MeterValues(
            connector_id=1,
            transaction_id=tx_id,
            meter_value=register(f"{start + 61.4}", charger.now()),
        )
    )
    await charger.call(
        call.StopTransaction(meter_stop=start + 61, timestamp=charger.now(), transaction_id=tx_id)
    )
    await until(hass, lambda: len(ended) == 1)
    assert ended[0].data["anomaly"] is None
    assert ended[0].data["energy_kwh"] == pytest.approx(0.0614)
    assert "meter_stop_implausible" not in model(hass).anomalies
    assert model(hass).connectors[1].energy.rejected == 0


@V16
async def test_no_negative_register_or_meter_start(hass: HomeAssistant, charger) -> None:
    """A first reading of -5,000 Wh is refused; a negative meter start is unknown."""
    conn = model(hass).connectors[1]
    conn.energy.restore(None, None)  # a register never read yet
    await charger.call(
        call.MeterValues(connector_id=1, meter_value=register("-5000", charger.now()))
    )
    await hass.async_block_till_done()
    assert conn.energy.value_kwh is None
    result = await charger.call(
        call.StartTransaction(
            connector_id=1, id_tag="TAG1", meter_start=-5000, timestamp=charger.now()
        )
    )
    tx = model(hass).transactions[str(result.transaction_id)]
    assert tx.meter_start_wh is None
    assert model(hass).anomalies.get("negative_meter_start") == 1
    await charger.call(
        call.MeterValues(
            connector_id=1,
            transaction_id=result.transaction_id,
            meter_value=register("7000", charger.now()),
        )
    )
    await hass.async_block_till_done()
    assert tx.meter_start_wh == 7000  # the first reading of the session starts it
    assert conn.energy.value_kwh == pytest.approx(7.0)


async def test_made_up_callerror_code_is_a_command_failure(
    hass: HomeAssistant, charger, caplog: pytest.LogCaptureFixture
) -> None:
    """A charger answering with a code no OCPP version defines ("Kaboom"): the action
    fails with a clear error, logged without a traceback."""
    routed = charger.route_message

    async def kaboom(raw: str) -> None:
        frame = json.loads(raw)
        if frame[0] == 2 and frame[2] == "ClearCache":
            await charger._send(json.dumps([4, frame[1], "Kaboom", "it went boom", {}]))
            return
        await routed(raw)

    charger.route_message = kaboom
    caplog.set_level(logging.DEBUG)
    with pytest.raises(HomeAssistantError, match="Kaboom"):
        await act(hass, "clear_cache", {"device_id": device_id(hass, "CP1")}, True)
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and "ocpp_csms" in r.name]
    await charger.heartbeat()  # still served
