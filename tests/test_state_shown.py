"""What is shown is the charger's state: statuses asked for after a restart, the
station's status derived from its connectors until it reports one, and a 2.x
session that ends Idle without a StatusNotification."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.ocpp_csms.protocol import shared

from .conftest import add_charger_entry
from .helpers import model, restart, runtime_of, state, until

CONN = "cp1_connector_1"


@pytest.fixture
def quick_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ask for unknown statuses 50 ms after connecting, not 5 s."""
    monkeypatch.setattr(shared, "READY_WITHOUT_BOOT_S", 0.05)


async def test_idle_charger_status_asked_after_restart(
    hass: HomeAssistant, charger, connect_sim, quick_ask
) -> None:
    """After a restart a charger that reports nothing new is asked, and shows it."""
    old_conn = charger.connectors[1]
    await restart(hass)
    assert model(hass).connectors[1].status is None
    sim = await connect_sim("CP1", sim_version=charger.version)  # no boot, no status
    sim.connectors[1] = old_conn
    await until(hass, lambda: state(hass, f"sensor.{CONN}_status") == "available")
    assert any(kind == "trigger" for kind, _ in sim.received)
    assert state(hass, "sensor.cp1_status") == "available"


async def test_no_ask_when_the_charger_told_everything(
    hass: HomeAssistant, charger, quick_ask
) -> None:
    """A charger that booted and sent its statuses is asked nothing."""
    await charger.heartbeat()
    await hass.async_block_till_done()
    assert not any(kind == "trigger" for kind, _ in charger.received)


async def test_station_status_follows_its_connectors(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    """A charger that never reports its own status shows what its connectors say."""
    await add_charger_entry(hass, "CP1")
    sim = await connect_sim("CP1")
    assert await sim.boot() == "Accepted"
    if sim.version != "1.6":  # the connector alone, without the station's event
        await sim.call(
            sim._call.StatusNotification(
                timestamp=sim.now(), connector_status="Unavailable", evse_id=1, connector_id=1
            )
        )
        await until(hass, lambda: state(hass, "sensor.cp1_status") == "unavailable")
        return
    await sim.send_status(1, "Available")
    await until(hass, lambda: state(hass, "sensor.cp1_status") == "available")
    await sim.send_status(1, "Unavailable")
    await until(hass, lambda: state(hass, "sensor.cp1_status") == "unavailable")
    await sim.send_status(0, "Faulted", error_code="OtherError")  # its own, once it reports
    await until(hass, lambda: state(hass, "sensor.cp1_status") == "faulted")


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_session_ended_idle_without_status(hass: HomeAssistant, charger) -> None:
    """A 2.x session ended with chargingState Idle, and no StatusNotification after:
    the connector no longer shows charging."""
    tx_id = str(await charger.start_transaction(1))
    await until(hass, lambda: state(hass, f"binary_sensor.{CONN}_charging") == "on")
    conn = charger.connectors[1]
    conn.end_transaction()
    await charger._transaction_event(
        conn,
        "Ended",
        "RemoteStop",
        transaction_id=tx_id,
        stoppedReason="Remote",
        chargingState="Idle",
    )
    await until(hass, lambda: state(hass, f"binary_sensor.{CONN}_charging") == "off")
    assert state(hass, f"sensor.{CONN}_status") == "occupied"


async def test_last_session_shown_after_restart(hass: HomeAssistant, charger, connect_sim) -> None:
    """The connector's last session (energy, duration) and the firmware status are
    still shown after Home Assistant restarts, not unknown."""
    await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=1800)
    await charger.stop_transaction(1)
    await until(hass, lambda: state(hass, f"sensor.{CONN}_session_energy") not in (None, "unknown"))
    energy = state(hass, f"sensor.{CONN}_session_energy")
    duration = state(hass, f"sensor.{CONN}_session_duration")
    runtime_of(hass).csms.maintenance.firmware_status(model(hass), "Installed", None)
    old_conn = charger.connectors[1]
    await restart(hass)
    sim = await connect_sim("CP1", sim_version=charger.version)
    sim.connectors[1] = old_conn
    await sim.send_all_status()
    await until(hass, lambda: state(hass, f"sensor.{CONN}_status") == "available")
    assert state(hass, f"sensor.{CONN}_session_energy") == energy
    assert state(hass, f"sensor.{CONN}_session_duration") == duration
    assert model(hass).firmware_status == "installed"


async def test_stale_readings_are_asked_for(hass: HomeAssistant, charger) -> None:
    """A charging connector whose readings stop coming (3 times their gap, at least a
    minute) is asked for them, once until they come again. The minute's check is
    called with the time it would run at (real websockets and a frozen clock do not
    mix: their keep-alive timers would fire too)."""
    await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=60)
    await charger.send_meter_values(1, seconds=60)
    await hass.async_block_till_done()
    check = runtime_of(hass)._ask_stale_readings  # the minute's check

    def asked() -> int:
        return sum(
            1 for kind, f in charger.received if kind == "trigger" and f["message"] == "MeterValues"
        )

    start = dt_util.utcnow()
    check(start + timedelta(seconds=30))
    for offset in (100, 160, 220):  # stale: asked once, however often the check runs
        check(start + timedelta(seconds=offset))
    await until(hass, lambda: asked() >= 1)
    await charger.heartbeat()  # the charger's answer came in meanwhile
    assert asked() == 1
    reading_at = model(hass).connectors[1].reading_at
    assert reading_at is not None
    assert reading_at > start  # the readings it sent when asked
    check(reading_at + timedelta(seconds=61))  # stale again: asked again
    await until(hass, lambda: asked() == 2)


async def test_refused_status_ask_is_logged_and_not_repeated(
    hass: HomeAssistant, charger, connect_sim, quick_ask, caplog: pytest.LogCaptureFixture
) -> None:
    """A charger that refuses TriggerMessage StatusNotification after a restart is
    asked once; its status stays unknown (not made up) and nothing else is asked."""
    caplog.set_level(logging.DEBUG, logger="custom_components.ocpp_csms")
    await restart(hass)
    sim = await connect_sim("CP1", sim_version=charger.version)
    sim.refused_triggers = {"StatusNotification"}
    await until(hass, lambda: "status not asked" in caplog.text)
    triggers = [f["message"] for kind, f in sim.received if kind == "trigger"]
    assert triggers == ["StatusNotification"]
    assert model(hass).connectors[1].status is None


async def test_refused_readings_ask_keeps_the_stored_register(
    hass: HomeAssistant, charger, connect_sim, quick_ask, caplog: pytest.LogCaptureFixture
) -> None:
    """A register restored from storage is confirmed by asking for meter values; a
    charger that refuses keeps the stored value, and the refusal is logged."""
    caplog.set_level(logging.DEBUG, logger="custom_components.ocpp_csms")
    await charger.send_meter_values(1, seconds=0)
    await until(hass, lambda: model(hass).connectors[1].energy.value_kwh is not None)
    stored = model(hass).connectors[1].energy.value_kwh
    old_conn = charger.connectors[1]
    await restart(hass)
    assert model(hass).connectors[1].energy.restored
    sim = await connect_sim("CP1", sim_version=charger.version)
    sim.connectors[1] = old_conn
    sim.refused_triggers = {"MeterValues"}
    await until(hass, lambda: "readings not asked" in caplog.text)
    assert ("MeterValues", 1) in [
        (f["message"], f["connector_id"]) for kind, f in sim.received if kind == "trigger"
    ]
    assert model(hass).connectors[1].energy.value_kwh == stored
