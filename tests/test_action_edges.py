"""Action fields and targets at their edges: a password the charger could not
take, a connector the charger no longer has, an area with others' devices, a
price entity that does not exist, the tag sync."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from probatio import Invalid

from custom_components.ocpp_csms.const import CONF_PRICE_ENTITY, DOMAIN
from custom_components.ocpp_csms.hub.costs import price_source

from .helpers import act, device_id


async def test_a_password_no_charger_could_take_is_refused(hass: HomeAssistant, charger) -> None:
    with pytest.raises(Invalid, match="16 to 40"):
        await act(
            hass, "rotate_password", {"device_id": device_id(hass, "CP1"), "password": "short"}
        )
    assert charger.password_set is None


async def test_sync_tags_answers_what_the_charger_holds(hass: HomeAssistant, charger) -> None:
    result = await act(hass, "sync_tags", {"device_id": device_id(hass, "CP1")}, True)
    found = result["chargers"]["CP1"]
    assert set(found) == {"local_list", "version"}


async def test_a_connector_the_charger_no_longer_has(hass: HomeAssistant, charger) -> None:
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    registry = dr.async_get(hass)
    stale = registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "CP1/9")}
    )
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "unlock_connector", {"device_id": stale.id})
    assert err.value.translation_key == "unknown_connector"


async def test_an_area_target_skips_other_integrations_devices(
    hass: HomeAssistant, charger
) -> None:
    garage = ar.async_get(hass).async_create("Garage")
    registry = dr.async_get(hass)
    registry.async_update_device(device_id(hass, "CP1"), area_id=garage.id)
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    lamp = registry.async_get_or_create(config_entry_id=entry.entry_id, identifiers={("lamp", "1")})
    registry.async_update_device(lamp.id, area_id=garage.id)
    await act(hass, "reset", {"area_id": garage.id})
    assert charger.received[-1][0] == "reset"


async def test_a_price_entity_that_does_not_exist_gives_no_price(hass: HomeAssistant) -> None:
    price = price_source(hass, {CONF_PRICE_ENTITY: "sensor.nowhere"})
    assert price is not None
    assert price() is None


async def test_a_known_password_is_sent_as_given(hass: HomeAssistant, charger) -> None:
    given = "Known-Password-0123"
    result = await act(
        hass, "rotate_password", {"device_id": device_id(hass, "CP1"), "password": given}, True
    )
    assert result["chargers"]["CP1"]["password"] == given
    assert charger.password_set is not None
