"""What differs in OCPP 2.0.1 and 2.1: negotiation, the device model inventory,
TransactionEvent details, every charger-initiated message, and 2.1's additions."""

from __future__ import annotations

import json
from typing import Any

import pytest
import websockets
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from ocpp.v21 import call as call21
from ocpp.v201 import call as call201
from pytest_homeassistant_custom_component.common import async_capture_events
from websockets.exceptions import InvalidStatus

from custom_components.ocpp_csms.const import DOMAIN
from custom_components.ocpp_csms.model.limit_writer import PROFILE_ID_BASE

from .conftest import add_charger_entry
from .helpers import act, device_id, model, runtime_of, state, until

V2X = pytest.mark.parametrize("version", ["2.0.1", "2.1"])
CONN = "cp1_connector_1"


def charger_model(hass: HomeAssistant, charger_id: str = "CP1"):
    return model(hass, charger_id)


async def test_newest_offered_version_wins(hass: HomeAssistant, runtime, url) -> None:
    offers = [
        (["ocpp1.6", "ocpp2.0.1", "ocpp2.1"], "ocpp2.1"),
        (["ocpp2.0.1", "ocpp1.6"], "ocpp2.0.1"),
        (["ocpp1.6"], "ocpp1.6"),
    ]
    for offered, expected in offers:
        async with websockets.connect(f"{url}/NEG1", subprotocols=offered) as ws:
            assert ws.subprotocol == expected


async def test_pinned_version(hass: HomeAssistant, runtime, url) -> None:
    runtime.connections.pinned_versions["PIN1"] = "1.6"
    async with websockets.connect(f"{url}/PIN1", subprotocols=["ocpp2.1", "ocpp1.6"]) as ws:
        assert ws.subprotocol == "ocpp1.6"
    with pytest.raises(InvalidStatus):
        async with websockets.connect(f"{url}/PIN1", subprotocols=["ocpp2.1"]):
            pass


@pytest.mark.parametrize("version", ["1.6"])  # goes from 1.6 to 2.0.1 by itself
async def test_version_change_keeps_device_and_history(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    await add_charger_entry(hass, "CP1")
    old = await connect_sim("CP1", sim_version="1.6")
    await old.boot()
    await old.send_all_status()
    await old.start_transaction(1)
    await old.send_meter_values(1, seconds=600)
    await old.stop_transaction(1)
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, "CP1"), entry.entry_id)
    energy = float(state(hass, f"sensor.{CONN}_energy"))
    session = float(state(hass, f"sensor.{CONN}_session_energy"))
    model = charger_model(hass)
    model.configuration["HeartbeatInterval"] = "300"  # a 1.6 key, meaningless in 2.x
    await old.close()

    new = await connect_sim("CP1", sim_version="2.0.1")
    new.connectors[1].register_wh = old.connectors[1].register_wh  # same meter, new firmware
    new.clock_offset_s = old.clock_offset_s
    assert await new.boot() == "Accepted"
    await new.send_all_status()
    await until(hass, lambda: "OCPPCommCtrlr/HeartbeatInterval" in model.configuration)
    assert model.protocol == "2.0.1"
    assert "HeartbeatInterval" not in model.configuration
    assert (
        dr.async_get(hass).async_get_device_by_identifier((DOMAIN, "CP1"), entry.entry_id).id
        == device.id
    )
    assert float(state(hass, f"sensor.{CONN}_energy")) == energy
    assert float(state(hass, f"sensor.{CONN}_session_energy")) == session
    await new.start_transaction(1)
    await new.send_meter_values(1, seconds=600)
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{CONN}_energy")) > energy


@V2X
async def test_boot_interval_is_the_configured_one(hass: HomeAssistant, charger) -> None:
    assert charger.heartbeat_interval == 300


@V2X
@pytest.mark.parametrize("csms_options", [{"heartbeat_interval": 90, "response_timeout": 3}])
async def test_boot_interval_follows_the_option(hass: HomeAssistant, charger) -> None:
    assert charger.heartbeat_interval == 90


@V2X
async def test_inventory_creates_evses_and_capabilities(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    await add_charger_entry(hass, "CP1")
    sim = await connect_sim("CP1", connectors=3)
    await sim.boot()  # no StatusNotification yet: the EVSEs come from the inventory
    await until(hass, lambda: state(hass, "sensor.cp1_connector_3_status") is not None)
    assert ("base_report", {"report_base": "FullInventory"}) in sim.received
    model = charger_model(hass)
    assert sorted(model.connectors) == [1, 2, 3]
    assert model.capabilities.charging_rate_units == ("A", "W")
    assert model.capabilities.max_profile_stack_level == 10
    assert model.configuration["EVSE@2/Power"] == "11040"
    assert "ChargingStation/VendorName" in model.readonly_keys


@V2X
async def test_status_before_inventory_is_kept(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    await add_charger_entry(hass, "CP1")
    sim = await connect_sim("CP1", connectors=2)
    sim.route_map.pop("GetBaseReport")  # answer the inventory request late (never)
    await sim.boot()
    await sim.send_status(2, "Faulted", "GroundFailure")
    await hass.async_block_till_done()
    assert state(hass, "sensor.cp1_connector_2_status") == "faulted"
    assert state(hass, "sensor.cp1_connector_2_error_code") == "GroundFailure"
    await sim.send_inventory(1)
    await hass.async_block_till_done()
    assert state(hass, "sensor.cp1_connector_2_status") == "faulted"


@V2X
async def test_inventory_after_reconnect_without_boot(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch
) -> None:
    from custom_components.ocpp_csms.protocol import shared

    monkeypatch.setattr(shared, "READY_WITHOUT_BOOT_S", 0.05)
    await add_charger_entry(hass, "CP1")
    sim = await connect_sim("CP1")
    await until(hass, lambda: ("base_report", {"report_base": "FullInventory"}) in sim.received)


@V2X
@pytest.mark.parametrize(
    "csms_options", [{"auth_mode": "allow_list", "allowed_tags": ["GOOD"], "response_timeout": 3}]
)
async def test_transaction_event_token_checked(hass: HomeAssistant, charger) -> None:
    conn = charger.connectors[1]
    conn.plugged, conn.transaction_id, conn.id_tag = True, "tx-bad", "BAD"
    result = await charger.call(
        charger._call.TransactionEvent(
            event_type="Started",
            timestamp=charger.now(),
            trigger_reason="Authorized",
            seq_no=1,
            transaction_info={"transactionId": "tx-bad"},
            evse={"id": 1, "connectorId": 1},
            id_token={"idToken": "BAD", "type": "ISO14443"},
        )
    )
    assert result.id_token_info == {"status": "Unknown"}
    conn.transaction_id, conn.id_tag = "tx-good", "GOOD"
    result = await charger.call(
        charger._call.TransactionEvent(
            event_type="Started",
            timestamp=charger.now(),
            trigger_reason="Authorized",
            seq_no=2,
            transaction_info={"transactionId": "tx-good"},
            evse={"id": 1, "connectorId": 1},
            id_token={"idToken": "good", "type": "ISO14443"},
        )
    )
    assert result.id_token_info == {"status": "Accepted"}


@V2X
async def test_remote_start_id_and_offline_replay(hass: HomeAssistant, charger) -> None:
    started = async_capture_events(hass, f"{DOMAIN}_session_started")
    await act(hass, "start_charging", {"device_id": device_id(hass, "CP1/1")})
    await until(hass, lambda: len(started) == 1)
    tx = model(hass).transactions[started[0].data["transaction_id"]]
    assert tx.remote_start_id == runtime_of(hass).csms.stored.remote_start_counter
    # an Updated for a session whose Started we never saw (sent while offline)
    await charger.call(
        charger._call.TransactionEvent(
            event_type="Updated",
            timestamp=charger.now(),
            trigger_reason="MeterValuePeriodic",
            seq_no=9,
            offline=True,
            transaction_info={"transactionId": "offline-1", "chargingState": "Charging"},
            evse={"id": 1, "connectorId": 1},
            meter_value=[
                {
                    "timestamp": charger.now(),
                    "sampledValue": [
                        {
                            "value": 2000.0,
                            "measurand": "Energy.Active.Import.Register",
                            "unitOfMeasure": {"unit": "Wh"},
                        }
                    ],
                }
            ],
        )
    )
    assert "offline-1" in model(hass).transactions


@V2X
async def test_meter_values_outside_a_transaction(hass: HomeAssistant, charger) -> None:
    await charger.send_meter_values(
        1,
        values=[
            {"value": "7.25", "measurand": "Energy.Active.Import.Register", "unit": "kWh"},
            {"value": "230.5", "measurand": "Voltage", "unit": "V"},
        ],
    )
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{CONN}_energy")) == 7.25
    # EVSE 0 is the station's main meter: kept, no connector invented
    await charger.call(
        charger._call.MeterValues(
            evse_id=0, meter_value=[{"timestamp": charger.now(), "sampledValue": [{"value": 1.0}]}]
        )
    )
    assert 0 not in charger_model(hass).connectors


@V2X
async def test_charge_limit_profiles_2x(hass: HomeAssistant, charger) -> None:
    tx_id = await charger.start_transaction(1)
    await act(hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "amps": 0})
    profile = [f for k, f in charger.received if k == "set_profile"][-1]
    assert profile | {"stack_level": 5, "profile_kind": "Absolute"} == {
        "connector_id": 1,
        "purpose": "TxProfile",
        "id": PROFILE_ID_BASE + 3,
        "stack_level": 5,
        "profile_kind": "Absolute",
        "limit": 0.0,
        "phases": None,
        "unit": "A",
        "transaction_id": tx_id,
        "periods": 1,
        "answer": "Accepted",
    }
    assert charger.connectors[1].limit_amps() == 0.0  # what the charger applies
    await until(hass, lambda: state(hass, f"sensor.{CONN}_status") == "suspended_evse")
    assert state(hass, f"switch.{CONN}_charging") == "on"


@V2X
async def test_configuration_keys_2x(hass: HomeAssistant, charger) -> None:
    """A malformed key is a validation error that shows the syntax, raised before the
    charger is asked, for get and set alike; the specification's own
    Component.Variable notation is understood."""
    dev = device_id(hass, "CP1")
    asked = len(charger.received)
    for service, data in (
        ("set_configuration", {"key": "NoSlash", "value": "1"}),
        ("get_configuration", {"keys": ["EVSE@1/Power", "bad@x/Y"]}),
        ("get_configuration", {"keys": ["X"]}),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await act(hass, service, {"device_id": dev, **data}, service.startswith("get"))
        assert err.value.translation_key == "invalid_command"
        assert "Component.Variable" in err.value.translation_placeholders["expected"]
    assert len(charger.received) == asked  # the charger was never asked
    result = await act(
        hass,
        "get_configuration",
        {"device_id": dev, "keys": ["EVSE@1/Power", "OCPPCommCtrlr.HeartbeatInterval"]},
        True,
    )
    assert result["chargers"]["CP1"]["values"] == {
        "EVSE@1/Power": "11040",
        "OCPPCommCtrlr/HeartbeatInterval": "300",
    }
    result = await act(
        hass,
        "set_configuration",
        {"device_id": dev, "key": "OCPPCommCtrlr.HeartbeatInterval", "value": "120"},
        True,
    )
    assert result["chargers"]["CP1"]["status"] == "Accepted"
    assert charger.variables["OCPPCommCtrlr/HeartbeatInterval"] == "120"
    with pytest.raises(ServiceValidationError) as err:
        await act(
            hass, "trigger_message", {"device_id": dev, "message": "DiagnosticsStatusNotification"}
        )
    assert "cannot be triggered in OCPP" in err.value.translation_placeholders["error"]


@V2X
async def test_reset_kinds_2x(hass: HomeAssistant, charger) -> None:
    await act(hass, "reset", {"device_id": device_id(hass, "CP1"), "type": "hard"})
    assert charger.received[-1] == ("reset", {"type": "hard"})


def _messages(version: str, now: str) -> list[tuple[Any, dict[str, Any] | None]]:
    """Every charger-to-CSMS message of 2.0.1 (and 2.1's additions), with a
    minimal valid payload, and what the answer must contain."""
    mod = call21 if version == "2.1" else call201
    schema_field = "iso_15118_schema_version" if version == "2.1" else "iso15118_schema_version"
    evse = {"id": 1, "connectorId": 1}
    schedule = {
        "id": 1,
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6}],
    }
    hash_data = {
        "hashAlgorithm": "SHA256",
        "issuerNameHash": "a",
        "issuerKeyHash": "b",
        "serialNumber": "c",
    }
    msgs: list[tuple[Any, dict[str, Any] | None]] = [
        (
            mod.Authorize(id_token={"idToken": "T", "type": "Central"}),
            {"id_token_info": {"status": "Accepted"}},
        ),
        (mod.ClearedChargingLimit(charging_limit_source="EMS"), None),
        (mod.DataTransfer(vendor_id="Acme", message_id="m"), {"status": "UnknownVendorId"}),
        (mod.FirmwareStatusNotification(status="Downloading"), None),
        (
            mod.Get15118EVCertificate(
                **{schema_field: "urn:iso:15118:2:2013:MsgDef"},
                action="Install",
                exi_request="AA==",
            ),
            {"status": "Failed"},
        ),
        (
            mod.GetCertificateStatus(ocsp_request_data={**hash_data, "responderURL": "http://x"}),
            {"status": "Failed"},
        ),
        (mod.Heartbeat(), None),
        (mod.LogStatusNotification(status="Uploaded", request_id=1), None),
        (
            mod.MeterValues(
                evse_id=1, meter_value=[{"timestamp": now, "sampledValue": [{"value": 1.0}]}]
            ),
            None,
        ),
        (mod.NotifyChargingLimit(charging_limit={"chargingLimitSource": "EMS"}, evse_id=1), None),
        (mod.NotifyCustomerInformation(data="x", seq_no=0, generated_at=now, request_id=1), None),
        (mod.NotifyDisplayMessages(request_id=1), None),
        (
            mod.NotifyEVChargingNeeds(
                evse_id=1, charging_needs={"requestedEnergyTransfer": "AC_three_phase"}
            ),
            {"status": "Rejected"},
        ),
        (
            mod.NotifyEVChargingSchedule(time_base=now, evse_id=1, charging_schedule=schedule),
            {"status": "Accepted"},
        ),
        (
            mod.NotifyEvent(
                generated_at=now,
                seq_no=0,
                event_data=[
                    {
                        "eventId": 1,
                        "timestamp": now,
                        "trigger": "Alerting",
                        "actualValue": "x",
                        "eventNotificationType": "CustomMonitor",
                        "component": {"name": "Foo"},
                        "variable": {"name": "Bar"},
                    }
                ],
            ),
            None,
        ),
        (mod.NotifyMonitoringReport(request_id=1, seq_no=0, generated_at=now), None),
        (mod.NotifyReport(request_id=1, generated_at=now, seq_no=0), None),
        (mod.PublishFirmwareStatusNotification(status="Published"), None),
        (
            mod.ReportChargingProfiles(
                request_id=1,
                charging_limit_source="CSO",
                evse_id=1,
                charging_profile=[
                    {
                        "id": 1,
                        "stackLevel": 0,
                        "chargingProfilePurpose": "TxDefaultProfile",
                        "chargingProfileKind": "Relative",
                        "chargingSchedule": [schedule],
                    }
                ],
            ),
            None,
        ),
        (mod.ReservationStatusUpdate(reservation_id=1, reservation_update_status="Expired"), None),
        (mod.SecurityEventNotification(type="TamperDetected", timestamp=now), None),
        (mod.SignCertificate(csr="CSR"), {"status": "Rejected"}),
        (
            mod.StatusNotification(
                timestamp=now, connector_status="Available", evse_id=1, connector_id=1
            ),
            None,
        ),
        (
            mod.TransactionEvent(
                event_type="Started",
                timestamp=now,
                trigger_reason="Authorized",
                seq_no=0,
                transaction_info={"transactionId": "all-1"},
                evse=evse,
            ),
            None,
        ),
    ]
    if version == "2.1":
        msgs += [
            (
                mod.BatterySwap(
                    event_type="BatteryIn",
                    request_id=1,
                    id_token={"idToken": "T", "type": "Central"},
                    battery_data=[{"evseId": 1, "serialNumber": "B1", "soC": 50, "soH": 90}],
                ),
                None,
            ),
            (mod.ClosePeriodicEventStream(id=1), None),
            (
                mod.GetCertificateChainStatus(
                    certificate_status_requests=[
                        {"certificateHashData": hash_data, "source": "OCSP", "urls": ["http://x"]}
                    ]
                ),
                None,
            ),
            (mod.NotifyDERAlarm(control_type="FreqDroop", timestamp=now), None),
            (mod.NotifyDERStartStop(control_id="c1", started=True, timestamp=now), None),
            (mod.NotifyPriorityCharging(transaction_id="all-1", activated=True), None),
            (
                mod.NotifySettlement(
                    psp_ref="p1", status="Settled", settlement_amount=12.5, settlement_time=now
                ),
                None,
            ),
            (
                mod.OpenPeriodicEventStream(
                    constant_stream_data={
                        "id": 1,
                        "variableMonitoringId": 1,
                        "params": {"interval": 10, "values": 1},
                    }
                ),
                {"status": "Accepted"},
            ),
            (mod.PullDynamicScheduleUpdate(charging_profile_id=1), {"status": "Rejected"}),
            (mod.ReportDERControl(request_id=1), None),
            (mod.VatNumberValidation(vat_number="NL123"), {"status": "Rejected"}),
        ]
    return msgs


@V2X
async def test_every_charger_message_gets_a_valid_answer(hass: HomeAssistant, charger) -> None:
    """The simulator's call() validates each answer against the version's schema."""
    for payload, expected in _messages(charger.version, charger.now()):
        result = await charger.call(payload, suppress=False)
        for field, value in (expected or {}).items():
            assert getattr(result, field) == value, type(payload).__name__
    kinds = {m["kind"] for m in charger_model(hass).diagnostics.entries}
    for kept in (
        "DataTransfer",
        "NotifyChargingLimit",
        "NotifyEVChargingNeeds",
        "SecurityEventNotification",
        "ReservationStatusUpdate",
        "NotifyCustomerInformation",
        "NotifyDisplayMessages",
    ):
        assert kept in kinds
    if charger.version == "2.1":
        assert {
            "NotifySettlement",
            "BatterySwap",
            "NotifyDERAlarm",
            "OpenPeriodicEventStream",
        } <= kinds


async def test_21_only_message_refused_on_201(hass: HomeAssistant, runtime, url) -> None:
    await add_charger_entry(hass, "V201")
    async with websockets.connect(f"{url}/V201", subprotocols=["ocpp2.0.1"]) as ws:
        await ws.send(json.dumps([2, "x1", "NotifySettlement", {}]))
        answer = json.loads(await ws.recv())
        assert answer[:3] == [4, "x1", "NotImplemented"]  # OCPP-J: not known here
        await ws.send(json.dumps([2, "x2", "Heartbeat", {"extra": 1}]))
        answer = json.loads(await ws.recv())
        assert answer[:3] == [4, "x2", "FormatViolation"]  # the 2.x spelling


async def test_21_send_and_callresulterror_frames(
    hass: HomeAssistant, runtime, url, caplog
) -> None:
    await add_charger_entry(hass, "V21")
    async with websockets.connect(f"{url}/V21", subprotocols=["ocpp2.1"]) as ws:
        await ws.send(
            json.dumps(
                [
                    6,
                    "s1",
                    "NotifyPeriodicEventStream",
                    {
                        "id": 1,
                        "pending": 0,
                        "basetime": "2026-01-01T00:00:00Z",
                        "data": [{"t": 0, "v": "1"}],
                    },
                ]
            )
        )
        await ws.send(json.dumps([5, "r1", "FormatViolation", "bad", {}]))
        await ws.send(json.dumps([2, "h1", "Heartbeat", {}]))
        answer = json.loads(await ws.recv())  # the first answer is the heartbeat's
        assert answer[:2] == [3, "h1"]
    assert charger_model(hass, "V21").diagnostics.entries[0]["kind"] == "NotifyPeriodicEventStream"
    assert "refused one of our answers" in caplog.text


@pytest.mark.parametrize("version", ["2.1"])
async def test_21_session_cost(hass: HomeAssistant, charger) -> None:
    """The charger's running cost (2.1 costDetails) makes the cost sensor appear, and
    it shows each new total."""
    from homeassistant.helpers import entity_registry as er

    registry = er.async_get(hass)
    cost_id = f"sensor.{CONN}_session_cost"
    tx_id = await charger.start_transaction(1)

    async def running_cost(seq_no: int, total: float) -> None:
        await charger.call(
            charger._call.TransactionEvent(
                event_type="Updated",
                timestamp=charger.now(),
                trigger_reason="RunningCost",
                seq_no=seq_no,
                transaction_info={"transactionId": tx_id},
                evse={"id": 1, "connectorId": 1},
                cost_details={
                    "totalCost": {
                        "currency": "EUR",
                        "typeOfCost": "NormalCost",
                        "total": {"exclTax": total / 1.21, "inclTax": total},
                    },
                    "totalUsage": {"energy": 5.0, "chargingTime": 60, "idleTime": 0},
                },
            )
        )
        await hass.async_block_till_done()

    assert registry.async_get(cost_id) is None  # no price, no cost yet: no sensor
    await running_cost(50, 2.42)
    entry = registry.async_get(cost_id)
    assert entry is not None  # it appeared, and stays
    if entry.disabled_by is not None:
        registry.async_update_entity(cost_id, disabled_by=None)
        await hass.config_entries.async_reload(entry.config_entry_id)
        await hass.async_block_till_done()
    cost = hass.states.get(cost_id)
    assert float(cost.state) == 2.42
    assert cost.attributes["unit_of_measurement"] == "EUR"
    await running_cost(51, 3.63)
    assert float(hass.states.get(cost_id).state) == 3.63


@pytest.mark.parametrize("version", ["2.1"])
async def test_21_discharge_limit(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    await add_charger_entry(hass, "CP1")
    sim = await connect_sim("CP1")
    sim.v2x = True  # its inventory says V2XChargingCtrlr.Enabled
    await sim.boot()
    await sim.send_all_status()
    await until(hass, lambda: charger_model(hass).capabilities.bidirectional)
    await sim.start_transaction(1)
    await act(hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "watts": -3000})
    assert sim.discharge_limits[1] == -3000
    # the number shows the limit in force, in A: -3000 W over 3 phases of 230 V
    assert state(hass, f"number.{CONN}_charging_current_limit") == "-4.3"

    async def discharging_only(raw: str) -> None:
        """A composite of discharging alone: limit 0 and a dischargeLimit."""
        frame = json.loads(raw)
        if frame[0] != 2 or frame[2] != "GetCompositeSchedule":
            await routed(raw)
            return
        period = {"startPeriod": 0, "limit": 0, "dischargeLimit": -2000, "numberPhases": 3}
        schedule = {
            "evseId": 1,
            "duration": 1800,
            "scheduleStart": sim.now()[:19] + "Z",
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [period],
        }
        await sim._send(json.dumps([3, frame[1], {"status": "Accepted", "schedule": schedule}]))

    routed, sim.route_message = sim.route_message, discharging_only
    result = await act(
        hass,
        "get_composite_schedule",
        {"device_id": device_id(hass, "CP1/1"), "duration": {"minutes": 30}, "unit": "W"},
        True,
    )
    assert [p["limit"] for p in result["connectors"]["CP1/1"]["periods"]] == [-2000]


@V2X
async def test_session_end_with_cable_in_shows_finishing(hass: HomeAssistant, charger) -> None:
    """As on a 1.6 charger: finishing after the session, until the cable is out."""
    tx_id = await charger.start_transaction(1)
    conn = charger.connectors[1]
    conn.end_transaction()
    await charger._transaction_event(
        conn,
        "Ended",
        "StopAuthorized",
        transaction_id=tx_id,
        stoppedReason="Local",
        chargingState="EVConnected",
    )
    await charger.send_status(1, "Occupied")  # the cable is still in
    await hass.async_block_till_done()
    assert state(hass, f"sensor.{CONN}_status") == "finishing"
    assert state(hass, f"binary_sensor.{CONN}_plug") == "on"
    conn.plugged = False
    await charger.send_status(1, "Available")
    await hass.async_block_till_done()
    assert state(hass, f"sensor.{CONN}_status") == "available"


@pytest.mark.parametrize("kind", ["0", "1", "5", "7", "99", "-1", '"2"', "null", "2.5"])
async def test_2x_unknown_message_types(hass: HomeAssistant, runtime, url, kind: str) -> None:
    await add_charger_entry(hass, "MT201")
    async with websockets.connect(f"{url}/MT201", subprotocols=["ocpp2.0.1"]) as ws:
        await ws.send(f'[{kind}, "m1", "Heartbeat", {{}}]')
        answer = json.loads(await ws.recv())
        assert answer[:3] == [4, "m1", "MessageTypeNotSupported"]
        await ws.send('[2, "ok", "Heartbeat", {}]')
        assert json.loads(await ws.recv())[:2] == [3, "ok"]


async def test_charger_not_accepted_gets_security_error(hass: HomeAssistant, runtime, url) -> None:
    """B02/B03: until a 2.x charger is accepted, only its boot is served."""
    async with websockets.connect(f"{url}/NEW201", subprotocols=["ocpp2.0.1"]) as ws:
        status = {
            "timestamp": "2026-12-01T00:00:00Z",
            "connectorStatus": "Available",
            "evseId": 1,
            "connectorId": 1,
        }
        await ws.send(json.dumps([2, "s1", "StatusNotification", status]))
        assert json.loads(await ws.recv())[:3] == [4, "s1", "SecurityError"]
        boot = {"chargingStation": {"vendorName": "V", "model": "M"}, "reason": "PowerUp"}
        await ws.send(json.dumps([2, "b1", "BootNotification", boot]))
        answer = json.loads(await ws.recv())
        assert answer[:2] == [3, "b1"]
        assert answer[2]["status"] == "Pending"
    assert not runtime.csms.get_charger("NEW201").connectors
