"""A message of readings: one context for all its state writes, nothing else woken."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from ocpp.v16 import call

from .helpers import model, state

CONN = "cp1_connector_1"


async def test_one_message_of_readings_is_one_context(hass: HomeAssistant, charger) -> None:
    await charger.start_transaction(1, "TAG1")
    await hass.async_block_till_done()
    status = hass.states.get(f"sensor.{CONN}_status")
    assert status is not None

    await charger.send_meter_values(1, seconds=600)
    await hass.async_block_till_done()
    power = hass.states.get(f"sensor.{CONN}_power")
    energy = hass.states.get(f"sensor.{CONN}_energy")
    assert power is not None
    assert energy is not None
    assert float(state(hass, f"sensor.{CONN}_power")) > 0
    # both written by the one MeterValues, under one context
    assert power.context.id == energy.context.id

    await charger.send_meter_values(1, seconds=600)
    await hass.async_block_till_done()
    energy_next = hass.states.get(f"sensor.{CONN}_energy")
    assert energy_next is not None
    assert float(energy_next.state) > float(energy.state)
    assert energy_next.context.id != energy.context.id  # the next message: its own context
    # the connector's status sensor shows no readings: not rewritten by them
    assert hass.states.get(f"sensor.{CONN}_status") == status


@pytest.mark.parametrize("version", ["1.6"])
async def test_a_stop_s_transaction_data_is_read(hass: HomeAssistant, charger) -> None:
    """1.6 StopTransaction's transactionData are readings too (handed over as sent)."""
    await charger.start_transaction(1, "TAG1")
    await charger.send_meter_values(1, seconds=600)
    await hass.async_block_till_done()
    before = float(state(hass, f"sensor.{CONN}_energy"))
    conn = charger.connectors[1]
    final_wh = conn.register_wh + 50.0  # within what the energy rule lets through at once
    await charger.call(
        call.StopTransaction(
            meter_stop=int(conn.register_wh),  # the data say more than the stop
            timestamp=charger.now(),
            transaction_id=conn.transaction_id,
            reason="Local",
            transaction_data=[
                {
                    "timestamp": charger.now(),
                    "sampledValue": [
                        {
                            "value": f"{final_wh:.0f}",
                            "measurand": "Energy.Active.Import.Register",
                            "unit": "Wh",
                        }
                    ],
                }
            ],
        )
    )
    await hass.async_block_till_done()
    after = float(state(hass, f"sensor.{CONN}_energy"))
    assert after == pytest.approx(before + 0.05, abs=0.002)


@pytest.mark.default_entities
@pytest.mark.parametrize("version", ["1.6"])
async def test_readings_wake_only_what_shows_them(hass: HomeAssistant, charger) -> None:
    """The limit in force and its verdict change with a reading only now and then:
    such a reading wakes every entity of the connector (tests/test_limit_quirks.py),
    the others wake none of the limit's."""
    await charger.start_transaction(1, "TAG1")
    await hass.async_block_till_done()
    conn = model(hass).connectors[1]
    # (and the feature gate's test for what only readings may bring: a temperature)
    woken = sorted(r.__self__.entity_id for r in conn._readers if isinstance(r.__self__, Entity))
    assert woken == [f"sensor.{CONN}_{key}" for key in ("energy", "power", "session_energy")]
