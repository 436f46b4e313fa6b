"""A message of readings: one context for all its state writes, nothing else woken."""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from .helpers import state

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
