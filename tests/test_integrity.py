"""Nothing a charger sends can corrupt or mix up data: transactions belong to their
charger, numbers must be finite, timestamps plausible, sessions follow the energy
rule and their order, and connector ids are checked."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from ocpp.exceptions import OCPPError
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ocpp_csms.const import DOMAIN

from .helpers import adopted, model, runtime_of, state, until

CONN = "cp1_connector_1"
V2X = pytest.mark.parametrize("version", ["2.0.1", "2.1"])


def reg(wh: Any, **extra: Any) -> list[dict[str, Any]]:
    return [{"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh", **extra}]


# ---------------------------------------------------------------- transaction keys
@pytest.mark.parametrize("version", ["2.0.1"])
async def test_same_transaction_id_on_two_chargers(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    """A 1.6 charger's session (CSMS id "1") and a 2.0.1 charger's own id "1" never
    meet; two 2.0.1 chargers with the same id both get their session recorded."""
    started = async_capture_events(hass, f"{DOMAIN}_session_started")
    old = await adopted(hass, connect_sim, "OLD16", sim_version="1.6")
    assert str(await old.start_transaction(1)) == "1"
    new = await adopted(hass, connect_sim, "NEW201", sim_version="2.0.1")
    other = await adopted(hass, connect_sim, "OTHER201", sim_version="2.0.1")
    for sim in (new, other):
        conn = sim.connectors[1]
        conn.plugged, conn.transaction_id, conn.id_tag = True, "1", "TAG"
        await sim._transaction_event(
            conn, "Started", "Authorized", sim._to_2x(reg(500)), chargingState="Charging"
        )
    await until(hass, lambda: len(started) == 3)
    for charger_id in ("OLD16", "NEW201", "OTHER201"):
        tx = model(hass, charger_id).connectors[1].transaction
        assert tx is not None
        assert tx.charger_id == charger_id
        assert tx.transaction_id == "1"
    await old.stop_transaction(1)
    await hass.async_block_till_done()
    assert model(hass, "OLD16").connectors[1].transaction is None
    assert model(hass, "NEW201").connectors[1].transaction is not None
    assert model(hass, "OTHER201").connectors[1].transaction is not None


# ---------------------------------------------------------------- numbers
async def test_non_finite_numbers_are_refused(hass: HomeAssistant, charger, connect_sim) -> None:
    """NaN, Infinity and 1e400 are ignored (and counted); the guard stays armed, no
    session stores them, and the charger keeps working, reconnects included."""
    charger.connectors[1].register_wh = 100_000
    await charger.send_meter_values(1, values=reg(100_000))
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{CONN}_energy")) == 100.0
    await charger.start_transaction(1)
    for bad in ("NaN", "Infinity", "-Infinity", "1e400"):
        await charger.send_meter_values(1, seconds=1, values=reg(bad))
    await charger.send_meter_values(1, values=reg(1))  # a drop: still refused
    await hass.async_block_till_done()
    charger_model = model(hass)
    conn = charger_model.connectors[1]
    assert conn.energy.value_kwh == pytest.approx(charger.connectors[1].meter_start_wh / 1000)
    assert conn.transaction.meter_last_wh == charger.connectors[1].meter_start_wh
    assert charger_model.anomalies["bad_number"] == 4
    assert float(state(hass, f"sensor.{CONN}_session_energy")) == 0.0
    # the connection is fine, and so is the next one
    await charger.heartbeat()
    await charger.close()
    again = await connect_sim("CP1")
    await again.heartbeat()
    await again.send_meter_values(1, seconds=60, values=reg(100_500))
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{CONN}_energy")) == 100.5


@pytest.mark.parametrize("version", ["1.6"])
async def test_huge_meter_start_is_refused_not_raised(hass: HomeAssistant, charger) -> None:
    result = await charger.call(
        charger._call.StartTransaction(
            connector_id=1, id_tag="T", meter_start=10**30, timestamp=charger.now()
        )
    )
    assert result.id_tag_info["status"] == "Accepted"
    tx = model(hass).connectors[1].transaction
    assert tx is not None
    assert tx.meter_start_wh is None
    assert model(hass).anomalies["bad_number"] == 1


# ---------------------------------------------------------------- energy rule
async def test_session_energy_follows_the_register_rule(hass: HomeAssistant, charger) -> None:
    """A +1 GWh jump is refused by the session as by the register; stamped 2099
    it is refused too (the timestamp is not believed)."""
    await charger.start_transaction(1)
    start_wh = charger.connectors[1].meter_start_wh
    await charger.send_meter_values(1, seconds=1, values=reg(start_wh + 1e9))
    years = (datetime(2099, 6, 1, tzinfo=UTC) - datetime.now(UTC)).total_seconds()
    charger.clock_offset_s += years
    await charger.send_meter_values(1, values=reg(start_wh + 2e9))
    charger.clock_offset_s -= years
    await hass.async_block_till_done()
    conn = model(hass).connectors[1]
    assert conn.energy.value_kwh == pytest.approx(start_wh / 1000)
    assert conn.transaction.meter_last_wh == start_wh
    assert float(state(hass, f"sensor.{CONN}_session_energy")) == 0.0
    # 1.6 stamps the sample; 2.x the sample and its TransactionEvent
    expected = 1 if charger.version == "1.6" else 2
    assert model(hass).anomalies["timestamp_out_of_range"] == expected


async def test_unparsable_timestamps_are_counted_and_logged_once(
    hass: HomeAssistant, charger, caplog
) -> None:
    if charger.version == "1.6":
        payload = {
            "connector_id": 1,
            "meter_value": [{"timestamp": "yesterday", "sampledValue": reg(5)}],
        }
    else:
        payload = {
            "evse_id": 1,
            "meter_value": [{"timestamp": "yesterday", "sampledValue": charger._to_2x(reg(5))}],
        }
    for _ in range(3):
        await charger.call(charger._call.MeterValues(**payload))
    await hass.async_block_till_done()
    assert model(hass).anomalies["bad_timestamp"] == 3
    assert caplog.text.count("does not parse") == 1
    assert model(hass).connectors[1].energy.value_kwh == pytest.approx(0.005)


# ---------------------------------------------------------------- session order
@V2X
async def test_updated_after_ended_does_not_reopen(hass: HomeAssistant, charger) -> None:
    tx_id = await charger.start_transaction(1)
    await charger.stop_transaction(1)
    await hass.async_block_till_done()
    conn = charger.connectors[1]
    await charger._transaction_event(
        conn,
        "Updated",
        "MeterValuePeriodic",
        charger._to_2x(reg(2_000_000)),
        transaction_id=tx_id,
        chargingState="Charging",
    )
    await hass.async_block_till_done()
    assert tx_id not in model(hass).transactions
    assert model(hass).connectors[1].transaction is None
    assert state(hass, f"switch.{CONN}_charging") == "off"


@pytest.mark.parametrize("version", ["1.6"])
async def test_meter_stop_below_start_is_an_anomaly(hass: HomeAssistant, charger) -> None:
    ended = async_capture_events(hass, f"{DOMAIN}_session_ended")
    tx_id = await charger.start_transaction(1)
    await charger.call(
        charger._call.StopTransaction(
            meter_stop=5, timestamp=charger.now(), transaction_id=tx_id, reason="Local"
        )
    )
    await until(hass, lambda: len(ended) == 1)
    assert ended[0].data["anomaly"] == "meter_stop_below_start"
    assert ended[0].data["energy_kwh"] == 0.0
    assert model(hass).connectors[1].last_session.meter_stop_wh is None
    assert model(hass).anomalies["meter_stop_below_start"] == 1


# ---------------------------------------------------------------- connector ids
async def refused(coro) -> str:
    with pytest.raises(OCPPError) as err:
        await coro
    return err.value.code


@pytest.mark.parametrize("version", ["1.6"])
async def test_invalid_connector_ids_16(hass: HomeAssistant, charger) -> None:
    counter = runtime_of(hass).csms.stored.tx_counter
    call = charger._call
    code = await refused(
        charger.call(
            call.StatusNotification(connector_id=-1, error_code="NoError", status="Available"),
            suppress=False,
        )
    )
    assert code == "PropertyConstraintViolation"
    code = await refused(
        charger.call(
            call.StartTransaction(
                connector_id=0, id_tag="T", meter_start=0, timestamp=charger.now()
            ),
            suppress=False,
        )
    )
    assert code == "PropertyConstraintViolation"
    assert runtime_of(hass).csms.stored.tx_counter == counter  # nothing was opened
    assert model(hass).transactions == {}
    for connector_id in (33, 1000, 1099):
        code = await refused(
            charger.call(
                call.StatusNotification(
                    connector_id=connector_id, error_code="NoError", status="Available"
                ),
                suppress=False,
            )
        )
        assert code == "PropertyConstraintViolation"
    await charger.call(
        call.StatusNotification(connector_id=32, error_code="NoError", status="Available")
    )
    assert sorted(model(hass).connectors) == [1, 32]


@V2X
async def test_evse_zero_is_the_station_not_evse_1(hass: HomeAssistant, charger) -> None:
    code = await refused(
        charger.call(
            charger._call.TransactionEvent(
                event_type="Started",
                timestamp=charger.now(),
                trigger_reason="Authorized",
                seq_no=1,
                transaction_info={"transactionId": "Z1"},
                evse={"id": 0},
            ),
            suppress=False,
        )
    )
    assert code == "PropertyConstraintViolation"
    assert "Z1" not in model(hass).transactions
    assert model(hass).connectors[1].transaction is None
    await charger.call(
        charger._call.MeterValues(
            evse_id=0,
            meter_value=[{"timestamp": charger.now(), "sampledValue": charger._to_2x(reg(9))}],
        )
    )
    assert model(hass).connectors[1].energy.value_kwh != 0.009
    assert sorted(model(hass).connectors) == [1]
