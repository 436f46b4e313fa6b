"""Tariffs: 2.1 SetDefaultTariff / GetTariffs / ClearTariffs from the charger's price
option, the running cost told to a 2.x charger that shows costs (California
Pricing), and the charger's own cost (2.1 costDetails) preferred with ours kept."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from custom_components.ocpp_csms.const import CONF_FIXED_PRICE, DOMAIN

from .helpers import act, call, device_id, model, state, until

COST = "sensor.cp1_connector_1_session_cost"


async def _price(hass: HomeAssistant, price: float) -> None:
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    hass.config_entries.async_update_entry(entry, options={CONF_FIXED_PRICE: price})
    await hass.async_block_till_done()


@pytest.mark.parametrize("version", ["2.1"])
async def test_tariffs_21(hass: HomeAssistant, charger) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "set_default_tariff")
    assert err.value.translation_key == "no_tariff"
    await _price(hass, 0.31)
    sent = await call(hass, "set_default_tariff")
    assert sent["status"] == "Accepted"
    tariff = charger.tariffs[0]
    assert tariff["currency"] == hass.config.currency
    assert tariff["energy"]["prices"][0]["price_kwh"] == 0.31
    await act(
        hass,
        "set_default_tariff",
        {"device_id": device_id(hass, "CP1/1"), "price_kwh": 0.4, "tariff_id": "night"},
    )
    assert charger.tariffs[1]["tariff_id"] == "night"
    got = await call(hass, "get_tariffs")
    assert {t["tariff_id"] for t in got["tariffs"]} == {tariff["tariff_id"], "night"}
    cleared = await call(hass, "clear_tariffs", tariff_ids=["night"])
    assert cleared["results"][0]["status"] == "Accepted"
    assert list(charger.tariffs) == [0]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_tariffs_refused_before_21(hass: HomeAssistant, charger) -> None:
    for service in ("set_default_tariff", "get_tariffs", "clear_tariffs"):
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, service, **({"price_kwh": 0.3} if service.startswith("set") else {}))
        assert err.value.translation_key == "not_in_version"
        assert "2.1" in str(err.value)


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_running_cost_told_to_a_charger_that_shows_costs(
    hass: HomeAssistant, charger
) -> None:
    await _price(hass, 0.25)
    await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=900)
    assert charger.total_costs[-1] is None  # it has not said it shows costs
    charger.variables["TariffCostCtrlr/Enabled.Cost"] = "true"
    charger.mutability["TariffCostCtrlr/Enabled.Cost"] = "ReadWrite"
    await call(hass, "get_base_report")  # the inventory now says so
    assert model(hass).configuration["TariffCostCtrlr/Enabled.Cost"] == "true"
    await charger.send_meter_values(1, seconds=900)
    assert charger.total_costs[-1] == pytest.approx(round(2 * 2.76 * 0.25, 2))
    await charger.stop_transaction(1)
    assert charger.total_costs[-1] == pytest.approx(round(2 * 2.76 * 0.25, 2))


@pytest.mark.parametrize("version", ["2.1"])
async def test_chargers_own_cost_preferred_ours_kept(hass: HomeAssistant, charger) -> None:
    await _price(hass, 0.25)
    await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=900)
    await until(hass, lambda: state(hass, COST) not in (None, "unknown"))
    assert hass.states.get(COST).attributes["source"] == "home_assistant"
    conn = charger.connectors[1]
    await charger.call(
        charger._call.TransactionEvent(
            event_type="Updated",
            timestamp=charger.now(),
            trigger_reason="RunningCost",
            seq_no=99,
            transaction_info={"transactionId": str(conn.transaction_id)},
            cost_details={
                "totalCost": {
                    "currency": "USD",
                    "typeOfCost": "NormalCost",
                    "total": {"exclTax": 1.5},
                },
                "totalUsage": {"energy": 2760, "chargingTime": 900, "idleTime": 0},
            },
        )
    )
    await until(hass, lambda: state(hass, COST) == "1.5")
    attrs = hass.states.get(COST).attributes
    assert attrs["source"] == "charger"
    assert attrs["computed_cost"] == pytest.approx(0.69)
    assert attrs["unit_of_measurement"] == "USD"
