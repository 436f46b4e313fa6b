"""Bad frames and odd values: a clear answer, the connection stays up, nothing lost."""

from __future__ import annotations

import json

import pytest
import websockets
from homeassistant.core import HomeAssistant

from .conftest import add_charger_entry
from .helpers import model, state


@pytest.fixture
async def raw(hass: HomeAssistant, url: str):
    await add_charger_entry(hass, "RAW1")
    async with websockets.connect(f"{url}/RAW1", subprotocols=["ocpp1.6"]) as ws:
        yield ws


async def ask(ws, frame: str) -> list:
    await ws.send(frame)
    return json.loads(await ws.recv())


async def test_malformed_frames(hass: HomeAssistant, raw, caplog) -> None:
    answer = await ask(raw, "not json")
    assert answer[:3] == [4, "-1", "FormationViolation"]
    assert answer[4] == {"cause": "Message is not valid JSON"}
    answer = await ask(raw, '{"a": 1}')
    assert answer[0] == 4
    assert answer[1] == "-1"
    assert answer[2] == "ProtocolError"
    answer = await ask(raw, '[7, "id1", "Heartbeat", {}]')
    assert answer[:3] == [4, "id1", "PropertyConstraintViolation"]
    answer = await ask(raw, '[2, "id2"]')
    assert answer[:3] == [4, "id2", "ProtocolError"]
    # still connected and served
    answer = await ask(raw, '[2, "ok", "Heartbeat", {}]')
    assert answer[0] == 3
    assert "currentTime" in answer[2]
    assert "malformed frame ignored" in caplog.text


async def test_unknown_and_unsupported_actions(hass: HomeAssistant, raw) -> None:
    """OCPP-J: NotImplemented for an action the receiver does not know,
    NotSupported for one it knows but does not take."""
    answer = await ask(raw, '[2, "u1", "TransactionEvent", {}]')  # not 1.6
    assert answer[:3] == [4, "u1", "NotImplemented"]
    answer = await ask(raw, '[2, "u2", "ReserveNow", {}]')  # a CSMS->charger action
    assert answer[:3] == [4, "u2", "NotSupported"]


async def test_schema_violations_use_16_codes(hass: HomeAssistant, raw) -> None:
    answer = await ask(
        raw, '[2, "s1", "StatusNotification", {"connectorId": 1, "status": "Available"}]'
    )
    assert answer[:3] == [4, "s1", "ProtocolError"]  # required errorCode missing
    answer = await ask(
        raw,
        '[2, "s2", "StatusNotification", {"connectorId": "one", "errorCode": "NoError", "status": "Available"}]',
    )
    assert answer[:3] == [4, "s2", "TypeConstraintViolation"]
    answer = await ask(
        raw,
        '[2, "s3", "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Dancing"}]',
    )
    assert answer[:3] == [4, "s3", "FormationViolation"]  # 1.6 spelling, not FormatViolation
    answer = await ask(raw, '[2, "s4", "Heartbeat", {"extra": 1}]')
    assert answer[:3] == [4, "s4", "FormationViolation"]
    answer = await ask(
        raw,
        '[2, "ok", "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"}]',
    )
    assert answer == [3, "ok", {}]
    await hass.async_block_till_done()
    assert state(hass, "sensor.raw1_connector_1_status") == "available"


async def test_stop_for_unknown_transaction_is_answered(hass: HomeAssistant, raw, caplog) -> None:
    answer = await ask(
        raw,
        '[2, "t1", "StopTransaction", {"meterStop": 10, "timestamp": "2026-01-01T00:00:00Z", "transactionId": 4242}]',
    )
    assert answer == [3, "t1", {}]
    assert "stop for unknown transaction 4242" in caplog.text


async def test_implausible_energy_never_reaches_the_sensor(
    hass: HomeAssistant, charger, caplog
) -> None:
    conn = "cp1_connector_1"

    def reg(wh: float) -> list[dict]:
        return [{"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}]

    await charger.send_meter_values(1, values=reg(5_000_000))
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{conn}_energy")) == 5000.0
    await charger.send_meter_values(1, values=reg(4_000_000))  # drop
    await charger.send_meter_values(1, values=reg(9_000_000))  # 4 MWh in no time
    await charger.send_meter_values(1, seconds=60, values=reg(5_000_500))  # plausible
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{conn}_energy")) == 5000.5
    assert caplog.text.count("energy register reading") == 1
    assert model(hass, "CP1").connectors[1].energy.rejected == 2


@pytest.mark.parametrize("version", ["1.6"])
async def test_units_phases_and_locations(hass: HomeAssistant, charger) -> None:
    conn = "cp1_connector_1"
    values = [
        {"value": "7.5", "measurand": "Energy.Active.Import.Register", "unit": "kWh"},
        {"value": "2.0", "measurand": "Power.Active.Import", "unit": "kW", "phase": "L1"},
        {"value": "2.5", "measurand": "Power.Active.Import", "unit": "kW", "phase": "L2"},
        {"value": "9", "measurand": "Current.Import", "unit": "A", "phase": "L1"},
        {"value": "11", "measurand": "Current.Import", "unit": "A", "phase": "L2"},
        {"value": "400", "measurand": "Voltage", "unit": "V", "phase": "L1-L2"},
        {"value": "231", "measurand": "Voltage", "unit": "V", "phase": "L1-N"},
        {"value": "95", "measurand": "Temperature", "unit": "Fahrenheit"},
        {"value": "300", "measurand": "Temperature", "unit": "K", "location": "Body"},
        {"value": "50", "measurand": "Frequency"},
        {"value": "1.2", "measurand": "Power.Reactive.Import", "unit": "kvar"},
        {"value": "abc", "measurand": "Power.Offered", "unit": "W"},
        {"value": "deadbeef", "format": "SignedData", "measurand": "Energy.Active.Import.Register"},
        {"value": "3", "measurand": "Current.Import", "unit": "A", "location": "Inlet"},
    ]
    await charger.send_meter_values(1, values=values)
    await hass.async_block_till_done()
    assert float(state(hass, f"sensor.{conn}_energy")) == 7.5
    assert float(state(hass, f"sensor.{conn}_power")) == 4500
    assert float(state(hass, f"sensor.{conn}_current")) == 11
    m = model(hass, "CP1").connectors[1].measurements
    assert m.voltage_v == 231
    assert m.temperature_c == pytest.approx(35.0)
    assert m.frequency_hz == 50
    assert m.raw["Power.Reactive.Import"].value == 1200
    assert m.raw["Temperature@Body"].value == pytest.approx(26.85)
    assert m.raw["Current.Import@Inlet"].value == 3
    assert m.power_offered_w is None


@pytest.mark.parametrize("version", ["1.6"])
async def test_charger_messages_kept_for_diagnostics(hass: HomeAssistant, charger) -> None:
    from ocpp.v16 import call

    result = await charger.call(call.DataTransfer(vendor_id="Acme", message_id="hello", data="x"))
    assert result.status == "UnknownVendorId"
    await charger.call(call.FirmwareStatusNotification(status="Downloading"))
    await charger.call(call.DiagnosticsStatusNotification(status="Uploaded"))
    await charger.call(
        call.SecurityEventNotification(
            type="TamperDetected", timestamp=charger.now(), tech_info=None
        )
    )
    await charger.call(call.LogStatusNotification(status="Uploaded", request_id=1))
    await charger.call(call.SignedFirmwareStatusNotification(status="Installed", request_id=2))
    result = await charger.call(call.SignCertificate(csr="CSR"))
    assert result.status == "Rejected"
    c = model(hass, "CP1")
    kinds = [m["kind"] for m in c.diagnostics.entries]
    assert kinds == ["DataTransfer", "SecurityEventNotification", "SignCertificate"]
    assert c.firmware_status == "installed"
    assert c.diagnostics_status == "uploaded"


@pytest.mark.parametrize("version", ["1.6"])
async def test_meter_values_on_connector_zero(hass: HomeAssistant, charger) -> None:
    await charger.call(
        __import__("ocpp.v16.call", fromlist=["MeterValues"]).MeterValues(
            connector_id=0,
            meter_value=[{"timestamp": charger.now(), "sampledValue": [{"value": "1"}]}],
        )
    )
    c = model(hass, "CP1")
    assert c.diagnostics.entries[-1]["kind"] == "MeterValues"
    assert 0 not in c.connectors


FRAMES_16 = [
    ('[2, "a1", ["Heartbeat"], {}]', ["a1", "FormationViolation"]),  # the action a list
    ('[2, "a2", {"x": 1}, {}]', ["a2", "FormationViolation"]),
    ('[2, "a3", "Heartbeat", []]', ["a3", "FormationViolation"]),  # the payload no object
    ("[2, " + "9" * 5000 + "]", ["-1", "FormationViolation"]),  # past Python's int limit
    ("[" * 100_000 + "]" * 100_000, ["-1", "FormationViolation"]),  # nested too deep
    ('[2, 7, "Heartbeat", {}]', ["-1", "FormationViolation"]),  # the id no string
    ('[2, "", "Heartbeat", {}]', ["-1", "FormationViolation"]),
    ('[2, "' + "x" * 37 + '", "Heartbeat", {}]', ["-1", "FormationViolation"]),
    ('[2, "' + "y" * 10_000 + '", "Heartbeat", {}]', ["-1", "FormationViolation"]),
    ("[]", ["-1", "ProtocolError"]),
    ('["2", "t1", "Heartbeat", {}]', ["t1", "PropertyConstraintViolation"]),
    ('[true, "t2", "Heartbeat", {}]', ["t2", "PropertyConstraintViolation"]),
]


@pytest.mark.parametrize(("frame", "expected"), FRAMES_16)
async def test_hostile_frames_get_answers_and_keep_the_connection(
    hass: HomeAssistant, raw, frame: str, expected: list
) -> None:
    answer = await ask(raw, frame)
    assert [answer[0], *answer[1:3]] == [4, *expected]
    answer = await ask(raw, '[2, "ok", "Heartbeat", {}]')  # still served
    assert answer[:2] == [3, "ok"]


async def test_unsolicited_answers_are_not_kept(hass: HomeAssistant, raw) -> None:
    from .helpers import model

    big = '{"data": "' + "z" * 100_000 + '"}'
    for n in range(50):
        await raw.send(f'[3, "never-sent-{n}", {big}]')
    answer = await ask(raw, '[2, "ok", "Heartbeat", {}]')
    assert answer[:2] == [3, "ok"]
    charger = model(hass, "RAW1")
    adapter = charger.commands
    assert adapter is not None
    assert adapter._response_queue.qsize() == 0
    assert charger.anomalies["unsolicited_answer"] == 50


async def test_pending_16_charger_opens_no_transaction(hass: HomeAssistant, url) -> None:
    from .helpers import runtime_of

    counter = runtime_of(hass).csms.stored.tx_counter
    async with websockets.connect(f"{url}/PEND16", subprotocols=["ocpp1.6"]) as ws:
        boot = '{"chargePointVendor": "V", "chargePointModel": "M"}'
        answer = await ask(ws, f'[2, "b1", "BootNotification", {boot}]')
        assert answer[2]["status"] == "Pending"
        start = (
            '{"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": "2026-12-01T00:00:00Z"}'
        )
        answer = await ask(ws, f'[2, "s1", "StartTransaction", {start}]')
        assert answer[:3] == [4, "s1", "SecurityError"]
        assert (await ask(ws, '[2, "h1", "Heartbeat", {}]'))[:2] == [3, "h1"]
    assert runtime_of(hass).csms.stored.tx_counter == counter
    assert not runtime_of(hass).csms.get_charger("PEND16").transactions


async def test_a_fault_of_ours_is_an_internal_error_with_a_traceback(
    hass: HomeAssistant, raw, caplog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler that fails (a bug of ours, not the charger's input) answers
    InternalError, logs its traceback, and the connection stays up."""
    from custom_components.ocpp_csms.model.csms import Csms

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(Csms, "meter_values", broken)
    answer = await ask(
        raw,
        json.dumps(
            [
                2,
                "m1",
                "MeterValues",
                {
                    "connectorId": 1,
                    "meterValue": [
                        {"timestamp": "2026-12-04T17:00:00Z", "sampledValue": [{"value": "1"}]}
                    ],
                },
            ],
            separators=(",", ":"),
        ),
    )
    assert answer[:3] == [4, "m1", "InternalError"]
    assert "a bug of ours" in caplog.text
    assert "Traceback" in caplog.text
    monkeypatch.undo()
    answer = await ask(raw, '[2, "ok", "Heartbeat", {}]')
    assert answer[0] == 3
