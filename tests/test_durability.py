"""What an answer acknowledged survives a crash: Home Assistant killed right after
answering, before any Store snapshot reached the disk, and storage that fails.

The crash here is in-process: the dead runtime writes nothing more, and the Store
files are put back as they were on disk before the answers (the journal is a real
file, as it would be). tests/test_crash.py kills a real Home Assistant process.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util.file import WriteError
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.ocpp_csms.const import DOMAIN
from custom_components.ocpp_csms.hub import persistence
from custom_components.ocpp_csms.hub.journal import Journal
from custom_components.ocpp_csms.hub.persistence import HISTORY_STORAGE_KEY
from custom_components.ocpp_csms.hub.runtime import CsmsRuntime
from custom_components.ocpp_csms.hub.store_writes import RETRY_MAX_S, TrackedStore
from custom_components.ocpp_csms.protocol import shared

from .conftest import add_charger_entry
from .helpers import model, restart, runtime_of, until


def on_disk_now(hass: HomeAssistant, hass_storage: dict[str, Any]) -> dict[str, Any]:
    """Return the Store files as on disk now; no snapshot reaches the disk after.

    A kill that comes before the next snapshot, whatever the machine's speed: on a
    busy one a snapshot's delay may run out during the test, and once written, the
    journal entries it holds are compacted away (the disk put back by ``crash``
    would then hold neither).
    """
    hold_snapshots(runtime_of(hass))
    return copy.deepcopy(hass_storage)


def hold_snapshots(runtime: CsmsRuntime) -> None:
    """No Store snapshot is written from now on (the journal still is)."""
    storage = runtime.bridge.storage

    async def nothing(*_args: Any) -> None:
        return None

    for store in (storage.store, storage.history_store):
        store.async_delay_save = lambda *_args, **_kw: None  # type: ignore[method-assign]
        store._async_write_data = nothing  # type: ignore[method-assign]


def dead(runtime: CsmsRuntime) -> None:
    """A killed process writes nothing more: no snapshot, no journal entry."""
    storage = runtime.bridge.storage
    hold_snapshots(runtime)
    storage.journal.append = lambda entries: None  # type: ignore[method-assign]
    storage.journal.rewrite = lambda entries: None  # type: ignore[method-assign]


async def crash(
    hass: HomeAssistant, hass_storage: dict[str, Any], disk: dict[str, Any]
) -> CsmsRuntime:
    """Kill the integration (no final write), put back ``disk``, and start again."""
    dead(runtime_of(hass))

    def as_on_disk() -> None:
        hass_storage.clear()
        hass_storage.update(copy.deepcopy(disk))

    return await restart(hass, final_write=False, between=as_on_disk)


async def test_ended_sessions_survive_a_kill(
    hass: HomeAssistant, charger, hass_storage: dict[str, Any]
) -> None:
    """Six sessions answered as ended, then killed before any snapshot: all six kept."""
    disk = on_disk_now(hass, hass_storage)
    ended = []
    for _ in range(6):
        tx_id = await charger.start_transaction(1)
        await charger.send_meter_values(1, seconds=600)
        await charger.stop_transaction(1)
        ended.append(str(tx_id))
    runtime = await crash(hass, hass_storage, disk)
    kept = [r["transaction_id"] for r in runtime.csms.history.dump()]
    assert kept == ended
    assert all(r["energy_kwh"] and r["energy_kwh"] > 0 for r in runtime.csms.history.dump())
    assert model(hass).transactions == {}
    # and the snapshot that follows holds them, so the journal can go
    await until(
        hass,
        lambda: (
            len(hass_storage.get(HISTORY_STORAGE_KEY, {}).get("data", {}).get("sessions", [])) == 6
        ),
        timeout=15,
    )


async def test_started_session_survives_a_kill(
    hass: HomeAssistant, charger, connect_sim, hass_storage: dict[str, Any], caplog
) -> None:
    """A start answered, then killed: the session, its tag and meter start are kept;
    on 1.6 its id is never handed out again."""
    disk = on_disk_now(hass, hass_storage)
    tx_id = str(await charger.start_transaction(1, id_tag="TAGX"))
    old_conn = charger.connectors[1]
    before = model(hass).transactions[tx_id]
    runtime = await crash(hass, hass_storage, disk)
    tx = model(hass).transactions.get(tx_id)
    assert tx is not None
    assert (tx.id_tag, tx.started, tx.meter_start_wh) == (
        "TAGX",
        before.started,
        before.meter_start_wh,
    )
    assert tx.meter_start_wh is not None
    ended = async_capture_events(hass, f"{DOMAIN}_session_ended")
    sim = await connect_sim("CP1", sim_version=charger.version)
    sim.connectors[1] = old_conn
    sim.clock_offset_s = charger.clock_offset_s
    await sim.send_meter_values(1, seconds=600)
    await sim.stop_transaction(1)
    await until(hass, lambda: len(ended) == 1)
    assert ended[0].data["transaction_id"] == tx_id
    assert ended[0].data["energy_kwh"] > 0
    assert "unknown transaction" not in caplog.text
    if charger.version == "1.6":  # another charger never gets the same id
        await add_charger_entry(hass, "CP2")
        other = await connect_sim("CP2", sim_version="1.6")
        assert await other.boot() == "Accepted"
        assert str(await other.start_transaction(1)) != tx_id
        assert runtime.csms.stored.tx_counter >= int(tx_id) + 1


async def test_a_failed_write_is_made_again(
    hass: HomeAssistant, charger, hass_storage: dict[str, Any], freezer
) -> None:
    """Storage that fails for a while: a repair issue, retries, and nothing lost."""
    failing = True
    storage = runtime_of(hass).bridge.storage

    def flaky(store: TrackedStore) -> Callable[[dict[str, Any]], Awaitable[None]]:
        original = store.write_through  # the test harness's: into hass_storage

        async def write(data: dict[str, Any]) -> None:
            if failing:
                raise WriteError("[Errno 30] Read-only file system")
            await original(data)

        return write

    hass_storage.pop(HISTORY_STORAGE_KEY, None)
    with pytest.MonkeyPatch.context() as patch:
        for store in (storage.store, storage.history_store):
            patch.setattr(store, "write_through", flaky(store))
        tx_id = str(await charger.start_transaction(1))
        await charger.send_meter_values(1, seconds=600)
        await charger.stop_transaction(1)
        for _ in range(3):  # the history's write falls due, fails, and is tried again
            freezer.tick(timedelta(seconds=persistence.HISTORY_SAVE_DELAY_S + 1))
            async_fire_time_changed(hass)
            await hass.async_block_till_done()
        issues = ir.async_get(hass)
        assert issues.async_get_issue(DOMAIN, "storage_write_failed_history") is not None
        assert HISTORY_STORAGE_KEY not in hass_storage
        failing = False
        for _ in range(3):
            freezer.tick(timedelta(seconds=RETRY_MAX_S))
            async_fire_time_changed(hass)
            await hass.async_block_till_done()
    sessions = hass_storage[HISTORY_STORAGE_KEY]["data"]["sessions"]
    assert [s["transaction_id"] for s in sessions] == [tx_id]
    assert issues.async_get_issue(DOMAIN, "storage_write_failed_history") is None
    assert issues.async_get_issue(DOMAIN, "storage_write_failed_state") is None


async def test_known_charger_served_while_home_assistant_starts(
    hass: HomeAssistant, charger, connect_sim
) -> None:
    """A known charger reconnecting before its entry is set up is served, not refused."""
    await charger.start_transaction(1)
    old_conn = charger.connectors[1]
    runtime = await restart(hass, chargers=False)  # the chargers' entries not yet
    entries = hass.config_entries.async_entries(DOMAIN)
    sim = await connect_sim("CP1", sim_version=charger.version)
    sim.connectors[1] = old_conn
    sim.clock_offset_s = charger.clock_offset_s
    await sim.send_status(1, "SuspendedEV")
    await sim.send_meter_values(1, seconds=600)
    charger_model = runtime.csms.get_charger("CP1")
    assert charger_model is not None
    assert charger_model.connectors[1].status is not None  # taken, not refused
    tx = next(iter(charger_model.transactions.values()))
    assert tx.meter_last_wh is not None
    assert tx.meter_last_wh > tx.meter_start_wh
    charger_entry = next(e for e in entries if e.data["kind"] == "charger")
    assert await hass.config_entries.async_setup(charger_entry.entry_id)
    await hass.async_block_till_done()
    shown = hass.states.get("sensor.cp1_connector_1_status")
    assert shown is not None
    assert shown.state == charger_model.connectors[1].status.value


async def test_energy_never_steps_back_after_a_kill(
    hass: HomeAssistant, charger, connect_sim, hass_storage: dict[str, Any], monkeypatch
) -> None:
    """The register is stored in batches; after a kill it starts from the larger of
    the stored register and the value Home Assistant last showed, and is shown again
    once the charger confirms it (asked for its meter values on reconnecting)."""
    monkeypatch.setattr(shared, "READY_WITHOUT_BOOT_S", 0.05)
    await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=600)
    await hass.async_block_till_done()
    disk = on_disk_now(hass, hass_storage)  # the batched register is older than what is shown
    await charger.send_meter_values(1, seconds=60)
    await hass.async_block_till_done()
    shown = float(hass.states.get("sensor.cp1_connector_1_energy").state)
    stored = disk["ocpp_csms.state"]["data"]["chargers"]["CP1"]["connectors"]["1"]["energy"][0]
    assert stored < shown
    await crash(hass, hass_storage, disk)
    assert model(hass).connectors[1].energy.value_kwh == pytest.approx(shown)
    old_conn = charger.connectors[1]
    sim = await connect_sim("CP1", sim_version=charger.version)
    sim.connectors[1] = old_conn
    sim.clock_offset_s = charger.clock_offset_s
    await sim.send_all_status()
    await until(
        hass, lambda: hass.states.get("sensor.cp1_connector_1_energy").state != "unavailable"
    )
    assert float(hass.states.get("sensor.cp1_connector_1_energy").state) >= shown


def test_a_line_torn_by_a_crash_is_skipped(tmp_path: Path) -> None:
    """A crash in the middle of an append leaves half a line: it is skipped on
    reading, and the next append starts on a line of its own."""
    journal = Journal(tmp_path / "ocpp_csms.journal")
    journal.append([{"n": 1, "t": {"tx_counter": 1}}])
    with journal.path.open("ab") as file:
        file.write(b'{"n": 2, "t": {"tx_co')  # killed mid-write
    assert journal.read() == [{"n": 1, "t": {"tx_counter": 1}}]
    journal.append([{"n": 3, "t": {"tx_counter": 3}}])
    assert [e["n"] for e in journal.read()] == [1, 3]
    journal.rewrite([])
    assert journal.read() == []
