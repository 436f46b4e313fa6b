"""What is kept, and how: state written while a busy charger never falls silent,
stored state of the old layout migrated, charger text Home Assistant can store
and serve, and diagnostics history bounded in bytes."""

from __future__ import annotations

import asyncio
import json

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.json import json_bytes
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ocpp_csms.const import DOMAIN, STORAGE_KEY
from custom_components.ocpp_csms.hub import persistence
from custom_components.ocpp_csms.model.diagnostics_log import MAX_ENTRIES, MAX_TOTAL_BYTES

from .conftest import add_charger_entry
from .helpers import model, state, until

CONN = "cp1_connector_1"


def stored_tx(hass_storage, charger_id: str = "CP1") -> dict:
    return hass_storage[STORAGE_KEY]["data"]["chargers"][charger_id]["transactions"]


async def test_busy_charger_is_saved_while_it_talks(
    hass: HomeAssistant, charger, hass_storage, monkeypatch
) -> None:
    """A session start is written at once; meter values every 50 ms never postpone
    the next write past the save delay (a debounce would never write at all)."""
    monkeypatch.setattr(persistence, "SAVE_DELAY_S", 0.3)
    tx_id = str(await charger.start_transaction(1))
    await hass.async_block_till_done()
    assert tx_id in stored_tx(hass_storage)  # at once, not after a quiet period
    seen = set()
    loop = asyncio.get_running_loop()
    end = loop.time() + 1.5
    while loop.time() < end:
        await charger.send_meter_values(1, seconds=30)
        await asyncio.sleep(0.05)
        seen.add(stored_tx(hass_storage)[tx_id]["meter_last_wh"])
    assert len(seen) >= 3  # several writes during the burst
    await hass.async_block_till_done()


V1_STATE = {
    "version": 1,
    "tx_counter": 7,
    "remote_start_counter": 2,
    "transactions": {
        "7": {
            "transaction_id": "7",
            "charger_id": "CP1",
            "connector_id": 1,
            "id_tag": "TAG1",
            "started": "2026-11-30T20:00:00+00:00",
            "meter_start_wh": 1_000_000.0,
            "meter_last_wh": 1_000_000.0,
            "remote_start_id": None,
            "cost": None,
            "currency": None,
        }
    },
    "connectors": {"CP1": [1]},
    "limits": {"CP1": {"1": {"limit": 10.0, "unit": "A"}}},
    "energy": {"CP1": {"1": [1000.0, "2026-11-30T20:00:00+00:00"]}},
}


@pytest.fixture
def stored_v1(hass_storage) -> None:
    hass_storage[STORAGE_KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": STORAGE_KEY,
        "data": V1_STATE,
    }


@pytest.mark.parametrize("version", ["1.6"])
async def test_version_1_state_is_migrated(
    hass: HomeAssistant, stored_v1, csms_entry, connect_sim, hass_storage
) -> None:
    ended = async_capture_events(hass, f"{DOMAIN}_session_ended")
    await add_charger_entry(hass, "CP1")
    charger = model(hass)
    conn = charger.connectors[1]
    assert conn.transaction is not None
    assert conn.transaction.transaction_id == "7"
    assert conn.energy.value_kwh == 1000.0
    assert conn.desired.cap is not None
    assert conn.desired.cap.value == 10.0
    sim = await connect_sim("CP1")
    sim.connectors[1].register_wh = 1_000_000.0
    sim.connectors[1].transaction_id, sim.connectors[1].plugged = 7, True
    sim.connectors[1].id_tag = "TAG1"
    await sim.send_meter_values(1, seconds=3600)
    await sim.stop_transaction(1)
    await until(hass, lambda: len(ended) == 1)
    assert ended[0].data["transaction_id"] == "7"
    assert ended[0].data["energy_kwh"] == pytest.approx(11.04, abs=0.01)
    assert await sim.start_transaction(1) == 8  # the counter carried over
    await hass.async_block_till_done()
    data = hass_storage[STORAGE_KEY]
    assert data["version"] == 2
    assert "8" in data["data"]["chargers"]["CP1"]["transactions"]
    assert "transactions" not in data["data"]


@pytest.mark.parametrize("version", ["1.6"])
async def test_lone_surrogates_are_made_storable(
    hass: HomeAssistant, csms_entry, connect_sim, hass_storage
) -> None:
    """An idTag, a vendor and a vendor error code holding lone surrogates: storage,
    the device registry and the state API all get text they can encode."""
    await add_charger_entry(hass, "SUR1")
    sim = await connect_sim("SUR1")
    await sim.call(
        sim._call.BootNotification(charge_point_vendor="Acme\udbff", charge_point_model="M")
    )
    await sim.call(
        sim._call.StatusNotification(
            connector_id=1,
            error_code="OtherError",
            status="Faulted",
            vendor_error_code="E\ud800",
        )
    )
    result = await sim.call(
        sim._call.StartTransaction(
            connector_id=1, id_tag="\udc80", meter_start=0, timestamp=sim.now()
        )
    )
    await hass.async_block_till_done()
    tx = model(hass, "SUR1").transactions[str(result.transaction_id)]
    assert tx.id_tag == "\ufffd"
    json_bytes(hass_storage[STORAGE_KEY]["data"])  # orjson refuses surrogates
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "SUR1")
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, "SUR1"), entry.entry_id)
    assert device.manufacturer == "Acme\ufffd"
    assert state(hass, "sensor.sur1_connector_1_error_code") == "OtherError (E\ufffd)"
    json_bytes([s.as_dict() for s in hass.states.async_all()])  # what GET /api/states sends


@pytest.mark.parametrize("version", ["1.6"])
async def test_diagnostics_history_is_bounded_in_bytes(hass: HomeAssistant, charger) -> None:
    for n in range(60):
        result = await charger.call(
            charger._call.DataTransfer(vendor_id="Acme", message_id=str(n), data="x" * 100_000)
        )
        assert result.status == "UnknownVendorId"
    log = model(hass).diagnostics
    assert log.size_bytes <= MAX_TOTAL_BYTES
    assert len(log.entries) <= MAX_ENTRIES
    newest = log.entries[-1]
    assert newest["kind"] == "DataTransfer"
    assert newest["payload"]["truncated"] is True
    assert len(json.dumps(log.entries)) <= MAX_TOTAL_BYTES + 1000
    await charger.heartbeat()  # the charger is still served


async def test_readings_remake_only_their_chargers_record(
    hass: HomeAssistant, charger, connect_sim, hass_storage, monkeypatch
) -> None:
    """Meter values remake one charger's record; the others are kept as written,
    and every record is remade at least every FULL_DUMP_EVERY_S."""
    monkeypatch.setattr(persistence, "SAVE_DELAY_S", 0.1)
    await add_charger_entry(hass, "CP2")
    other = await connect_sim("CP2")
    assert await other.boot() == "Accepted"
    await other.send_all_status()
    tx_1 = str(await charger.start_transaction(1))
    tx_2 = str(await other.start_transaction(1))
    await hass.async_block_till_done()

    def stored(charger_id: str, tx_id: str) -> float | None:
        return stored_tx(hass_storage, charger_id)[tx_id]["meter_last_wh"]

    await other.send_meter_values(1, seconds=600)
    await until(hass, lambda: stored("CP2", tx_2) is not None)
    written = stored("CP2", tx_2)
    # a change that asks for no write of its own (none does; this stands for one)
    model(hass, "CP2").transactions[tx_2].meter_last_wh = 1.0
    await charger.send_meter_values(1, seconds=600)
    await until(hass, lambda: stored("CP1", tx_1) is not None)
    assert stored("CP2", tx_2) == written  # kept as last made, not remade

    monkeypatch.setattr(persistence, "FULL_DUMP_EVERY_S", 0.0)
    await charger.send_meter_values(1, seconds=600)
    await until(hass, lambda: stored("CP2", tx_2) == 1.0)  # the minute's full remake
