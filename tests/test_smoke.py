"""First end-to-end check: boot, status, entities."""

from homeassistant.core import HomeAssistant


async def test_boot_and_status(hass: HomeAssistant, charger) -> None:
    state = hass.states.get("sensor.cp1_connector_1_status")
    assert state is not None
    assert state.state == "available"
    assert hass.states.get("binary_sensor.cp1_connectivity").state == "on"
