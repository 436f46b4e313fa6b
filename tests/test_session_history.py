"""Session cost and history on every version: a cost reckoned per meter reading at
the price of the moment, the history with totals per tag, its CSV export, a
session that ended while Home Assistant was down (recorded once), and the
history across restarts and its retention."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from custom_components.ocpp_csms.const import CONF_FIXED_PRICE, CONF_PRICE_ENTITY, DOMAIN
from custom_components.ocpp_csms.hub.persistence import HISTORY_STORAGE_KEY

from .helpers import device_id, restart, state, until

COST = "sensor.cp1_connector_1_session_cost"


def _charger_entry(hass: HomeAssistant, charger_id: str = "CP1"):
    return hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, charger_id)


async def sessions(hass: HomeAssistant, **data) -> dict:
    return await hass.services.async_call(
        DOMAIN, "get_sessions", data, blocking=True, return_response=True
    )


async def test_cost_follows_a_price_that_changes(hass: HomeAssistant, charger) -> None:
    hass.states.async_set("sensor.price", "0.30", {"unit_of_measurement": "EUR/kWh"})
    entry = _charger_entry(hass)
    hass.config_entries.async_update_entry(entry, options={CONF_PRICE_ENTITY: "sensor.price"})
    await hass.async_block_till_done()
    await charger.start_transaction(1, id_tag="TAGC")
    await charger.send_meter_values(1, seconds=900)  # 2.76 kWh at 0.30
    await until(hass, lambda: state(hass, COST) not in (None, "unknown", "0.0"))
    assert float(state(hass, COST)) == pytest.approx(0.828, abs=0.001)
    assert hass.states.get(COST).attributes["unit_of_measurement"] == hass.config.currency
    hass.states.async_set("sensor.price", "50", {"unit_of_measurement": "ct/kWh"})
    await charger.send_meter_values(1, seconds=900)  # 2.76 kWh at 0.50
    hass.states.async_set("sensor.price", "unavailable")
    await charger.send_meter_values(1, seconds=450)  # 1.38 kWh without a price
    await until(hass, lambda: hass.states.get(COST).attributes["unpriced_kwh"] > 0)
    attrs = hass.states.get(COST).attributes
    assert float(state(hass, COST)) == pytest.approx(0.828 + 1.38, abs=0.001)
    assert attrs["source"] == "home_assistant"
    assert attrs["unpriced_kwh"] == pytest.approx(1.38)
    await charger.stop_transaction(1)
    result = await until_sessions(hass, 1)
    (record,) = result["sessions"]
    assert record["cost"] == pytest.approx(2.208, abs=0.001)
    assert record["energy_kwh"] == pytest.approx(6.9, abs=0.01)
    assert record["id_tag"] == "TAGC"
    assert record["currency"] == hass.config.currency
    assert result["totals"]["TAGC"]["sessions"] == 1
    assert result["totals"]["TAGC"]["cost"] == pytest.approx(2.21, abs=0.01)


async def until_sessions(hass: HomeAssistant, count: int, **data) -> dict:
    found: dict = {}

    async def check() -> bool:
        found.update(await sessions(hass, **data))
        return found["count"] >= count

    for _ in range(200):
        if await check():
            return found
        await hass.async_block_till_done()
    raise AssertionError(f"fewer than {count} sessions")


async def test_fixed_tariff_filters_and_export(
    hass: HomeAssistant, charger, connect_sim, tmp_path: Path
) -> None:
    hass.config.config_dir = str(tmp_path)
    from .conftest import add_charger_entry

    hass.config_entries.async_update_entry(_charger_entry(hass), options={CONF_FIXED_PRICE: 0.25})
    await hass.async_block_till_done()
    await add_charger_entry(hass, "CP2")
    other = await connect_sim("CP2")
    assert await other.boot() == "Accepted"
    for sim, tag in ((charger, "ANNA"), (charger, "BOB"), (other, "ANNA")):
        await sim.start_transaction(1, id_tag=tag)
        await sim.send_meter_values(1, seconds=3600)
        await sim.stop_transaction(1)
    result = await until_sessions(hass, 3)
    assert result["totals"]["ANNA"]["sessions"] == 2
    assert result["totals"]["BOB"]["sessions"] == 1
    cp1 = [r for r in result["sessions"] if r["charger_id"] == "CP1"]
    assert all(r["cost"] == pytest.approx(r["energy_kwh"] * 0.25, abs=0.001) for r in cp1)
    cp2 = next(r for r in result["sessions"] if r["charger_id"] == "CP2")
    assert cp2["cost"] is None  # CP2 has no price chosen
    by_tag = await sessions(hass, id_tag="ANNA")
    assert by_tag["count"] == 2
    by_charger = await sessions(hass, device_id=device_id(hass, "CP1"))
    assert by_charger["count"] == 2
    assert (await sessions(hass, start="01:00:00"))["count"] == 0  # ended before an hour from now
    assert (await sessions(hass, start="-01:00:00"))["count"] == 3
    with pytest.raises(ServiceValidationError) as err:
        await sessions(hass, start="-01:00:00", end="-02:00:00")
    assert err.value.translation_key == "range_order"
    export = await hass.services.async_call(
        DOMAIN, "export_sessions", {"id_tag": "ANNA"}, blocking=True, return_response=True
    )
    path = Path(export["path"])
    assert path.parent == tmp_path / "ocpp_csms" / "exports"
    assert export["count"] == 2
    rows = list(csv.DictReader((await hass.async_add_executor_job(path.read_text)).splitlines()))
    assert [r["id_tag"] for r in rows] == ["ANNA", "ANNA"]
    assert {r["charger_id"] for r in rows} == {"CP1", "CP2"}
    assert float(rows[0]["energy_kwh"]) > 0


async def test_session_ended_while_down_is_recorded_once(
    hass: HomeAssistant, charger, connect_sim, hass_storage
) -> None:
    tx_id = await charger.start_transaction(1, id_tag="OFFLINE")
    await charger.send_meter_values(1, seconds=1800)
    await hass.async_block_till_done()
    old_conn = charger.connectors[1]
    await restart(hass)
    # the charger comes back and reports the session it ended while we were down
    sim = await connect_sim("CP1", sim_version=charger.version)
    sim.connectors[1] = old_conn
    sim.clock_offset_s = charger.clock_offset_s
    await sim.stop_transaction(1)
    result = await until_sessions(hass, 1)
    assert result["sessions"][0]["transaction_id"] == str(tx_id)
    assert result["sessions"][0]["energy_kwh"] == pytest.approx(5.52, abs=0.01)
    # ... and, not knowing we got it, reports it again: still one
    old_conn.begin_transaction(tx_id)
    await sim.stop_transaction(1)
    await hass.async_block_till_done()
    assert (await sessions(hass))["count"] == 1
    # the history is in its own store, and survives another restart
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    assert len(hass_storage[HISTORY_STORAGE_KEY]["data"]["sessions"]) == 1
    await restart(hass)
    assert (await sessions(hass))["count"] == 1


@pytest.mark.parametrize("version", ["1.6"])
@pytest.mark.parametrize("csms_options", [{"response_timeout": 3, "history_days": 1}])
async def test_retention(hass: HomeAssistant, charger, hass_storage) -> None:
    old = (dt_util.utcnow() - timedelta(days=3)).isoformat()
    recent = (dt_util.utcnow() - timedelta(hours=3)).isoformat()

    def record(tx: str, stopped: str) -> dict:
        return {
            "charger_id": "CP1",
            "transaction_id": tx,
            "started": stopped,
            "stopped": stopped,
            "id_tag": "T",
            "energy_kwh": 1.0,
            "cost": None,
        }

    hass_storage[HISTORY_STORAGE_KEY] = {
        "version": 1,
        "key": HISTORY_STORAGE_KEY,
        "data": {"sessions": [record("1", old), record("2", recent)]},
    }
    await restart(hass)
    result = await sessions(hass)
    assert [r["transaction_id"] for r in result["sessions"]] == ["2"]


@pytest.mark.parametrize("version", ["1.6"])
async def test_a_price_chosen_mid_session_costs_from_then_on(hass: HomeAssistant, charger) -> None:
    await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=900)  # 2.76 kWh before any price
    hass.config_entries.async_update_entry(_charger_entry(hass), options={CONF_FIXED_PRICE: 0.5})
    await hass.async_block_till_done()
    await charger.send_meter_values(1, seconds=900)  # the reading that finds the price
    await charger.send_meter_values(1, seconds=900)  # 2.76 kWh at 0.50
    await until(hass, lambda: state(hass, COST) not in (None, "unknown"))
    assert float(state(hass, COST)) == pytest.approx(1.38, abs=0.001)
    assert hass.states.get(COST).attributes["unpriced_kwh"] == pytest.approx(5.52, abs=0.01)


@pytest.mark.parametrize("version", ["2.0.1"])
async def test_a_session_replayed_long_after_is_not_recorded_again(
    hass: HomeAssistant, charger
) -> None:
    """A 2.x charger replays the end of a session from its queue after the id has left
    the recently-ended list (50 sessions later): the history still has it once."""
    first = await charger.start_transaction(1, id_tag="ONCE")
    await charger.send_meter_values(1, seconds=600)
    ended_at = charger.now()
    await charger.stop_transaction(1)
    for _ in range(50):
        await charger.start_transaction(1, id_tag="OTHER")
        await charger.stop_transaction(1)
    assert (await until_sessions(hass, 51))["count"] == 51
    await charger.call(
        charger._call.TransactionEvent(
            event_type="Ended",
            timestamp=ended_at,
            trigger_reason="StopAuthorized",
            seq_no=9999,
            transaction_info={"transactionId": first, "stoppedReason": "Local"},
            evse={"id": 1, "connectorId": 1},
            offline=True,
        )
    )
    await hass.async_block_till_done()
    once = await sessions(hass, id_tag="ONCE")
    assert once["count"] == 1
    assert (await sessions(hass))["count"] == 51


@pytest.mark.parametrize("version", ["1.6"])
async def test_costs_follow_home_assistants_currency(hass: HomeAssistant, charger) -> None:
    """A change of Home Assistant's currency applies to the next costs, without a reload."""
    hass.config_entries.async_update_entry(_charger_entry(hass), options={CONF_FIXED_PRICE: 0.4})
    await hass.config.async_update(currency="CHF")
    await hass.async_block_till_done()
    await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=900)
    await until(hass, lambda: state(hass, COST) not in (None, "unknown"))
    assert hass.states.get(COST).attributes["unit_of_measurement"] == "CHF"
    await charger.stop_transaction(1)
    result = await until_sessions(hass, 1)
    assert result["sessions"][0]["currency"] == "CHF"
