"""Display messages, monitoring, reports, transaction status, customer
information, charging profiles, certificates, ClearCache and triggers: each
action on every version that has it, and a clear refusal where it has not."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ocpp_csms.const import DOMAIN
from custom_components.ocpp_csms.protocol.registry import VERSIONS

from .helpers import act, call, device_id, until

V2X = pytest.mark.parametrize("version", ["2.0.1", "2.1"])
PEM = "-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----"


@V2X
async def test_display_messages(hass: HomeAssistant, charger) -> None:
    first = await call(hass, "set_display_message", message="Cheap after 22:00", language="en")
    await call(hass, "set_display_message", message="Welcome", priority="InFront", state="Idle")
    await call(hass, "set_display_message", message="Third", message_id=77)
    assert set(charger.display_messages) == {first["message_id"], first["message_id"] + 1, 77}
    got = await call(hass, "get_display_messages")
    # three messages, sent in two parts: all assembled
    assert [m["message"]["content"] for m in got["messages"]] == [
        "Cheap after 22:00",
        "Welcome",
        "Third",
    ]
    only = await call(hass, "get_display_messages", priority="InFront")
    assert [m["message"]["content"] for m in only["messages"]] == ["Welcome"]
    assert (await call(hass, "clear_display_message", message_id=77))["status"] == "Accepted"
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "clear_display_message", message_id=77)
    assert err.value.translation_placeholders["answer"] == "Unknown"
    assert (await call(hass, "get_display_messages", message_ids=[77]))["messages"] == []


@V2X
async def test_monitoring_and_its_events(hass: HomeAssistant, charger) -> None:
    fired = async_capture_events(hass, f"{DOMAIN}_monitor")
    set_result = await call(
        hass,
        "set_variable_monitoring",
        key="EVSE@1/Power",
        type="UpperThreshold",
        value=7400,
        severity=3,
    )
    (result,) = set_result["results"]
    assert result["status"] == "Accepted"
    monitor_id = result["id"]
    await call(
        hass,
        "set_variable_monitoring",
        key="OCPPCommCtrlr/HeartbeatInterval",
        type="Delta",
        value=10,
    )
    bad = await call(hass, "set_variable_monitoring", key="Nope/Nothing", type="Delta", value=1)
    assert bad["results"][0]["status"] == "UnknownVariable"
    report = await call(hass, "get_monitoring_report")
    assert len(report["monitors"]) == 2  # two parts' worth
    assert report["monitors"][0]["variable_monitoring"][0]["severity"] == 3
    # the charger raises the monitor: the event has the variable, value and severity
    await charger.trigger_monitor(monitor_id, "7800")
    await until(hass, lambda: len(fired) == 1)
    data = fired[0].data
    assert data["key"] == "EVSE@1/Power"
    assert data["value"] == "7800"
    assert data["severity"] == 3
    assert data["trigger"] == "alerting"
    cleared = await call(hass, "clear_variable_monitoring", monitor_ids=[monitor_id, 999])
    assert [r["status"] for r in cleared["results"]] == ["Accepted", "NotFound"]
    empty = await call(hass, "get_monitoring_report", keys=["EVSE@1/Power"])
    assert empty["monitors"] == []
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "set_variable_monitoring", key="no key", type="Delta", value=1)
    assert err.value.translation_key == "invalid_command"


@V2X
async def test_reports_are_assembled(hass: HomeAssistant, charger) -> None:
    full = await call(hass, "get_base_report")
    assert len(full["report"]) == len(charger.variables)  # sent two items a message
    some = await call(
        hass, "get_report", keys=["SmartChargingCtrlr/Enabled", "OCPPCommCtrlr/HeartbeatInterval"]
    )
    names = {item["variable"]["name"] for item in some["report"]}
    assert names == {"Enabled", "HeartbeatInterval"}
    assert (await call(hass, "get_report", keys=["Nope/Nothing"]))["report"] == []


@V2X
async def test_a_report_that_never_ends_times_out(hass: HomeAssistant, charger) -> None:
    async def first_part_only(request_id: int, items: list[Any]) -> None:
        await charger.call(
            charger._call.NotifyReport(
                request_id=request_id,
                generated_at=charger.now(),
                seq_no=0,
                tbc=True,
                report_data=items[:1],
            )
        )

    charger.send_report = first_part_only
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "get_base_report")
    assert "report incomplete (1 parts)" in err.value.translation_placeholders["answer"]


@V2X
async def test_transaction_status_customer_and_profiles(hass: HomeAssistant, charger) -> None:
    tx_id = await charger.start_transaction(1)
    status = await act(
        hass, "get_transaction_status", {"device_id": device_id(hass, "CP1/1")}, True
    )
    answer = status["connectors"]["CP1/1"]
    assert answer == {"transaction_id": tx_id, "ongoing": True, "messages_in_queue": False}
    info = await call(hass, "customer_information", id_tag="TAG1")
    assert info["data"] == charger.customer_data  # two parts joined
    await act(hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "amps": 10})
    assert any(r[0] == "set_profile" for r in charger.received)
    profiles = await call(hass, "get_charging_profiles")
    assert profiles["profiles"]
    assert {p["evse_id"] for p in profiles["profiles"]} == {1}
    cleared = await call(hass, "customer_information", report=False, clear=True, id_tag="TAG1")
    assert cleared["data"] == ""
    assert charger.customer_data == ""


async def test_certificates(hass: HomeAssistant, charger) -> None:
    assert (await call(hass, "get_installed_certificates"))["certificates"] == []
    done = await call(
        hass, "install_certificate", certificate_type="CSMSRootCertificate", certificate=PEM
    )
    assert done["status"] == "Accepted"
    found = (await call(hass, "get_installed_certificates"))["certificates"]
    assert len(found) == 1
    hash_data = found[0]["certificate_hash_data"]
    with pytest.raises(HomeAssistantError):  # the charger refuses what is no certificate
        await call(
            hass,
            "install_certificate",
            certificate_type="CSMSRootCertificate",
            certificate="nonsense",
        )
    deleted = await call(
        hass,
        "delete_certificate",
        hash_algorithm="SHA256",
        issuer_name_hash=hash_data["issuer_name_hash"],
        issuer_key_hash=hash_data["issuer_key_hash"],
        serial_number=hash_data["serial_number"],
    )
    assert deleted["status"] == "Accepted"
    assert not charger.certificates
    if charger.version == "1.6":  # a 2.x-only type, refused before the charger is asked
        with pytest.raises(ServiceValidationError) as err:
            await call(
                hass, "install_certificate", certificate_type="V2GRootCertificate", certificate=PEM
            )
        assert err.value.translation_key == "invalid_command"


async def test_clear_cache_and_every_trigger(hass: HomeAssistant, charger) -> None:
    before = charger.cache_cleared
    assert (await call(hass, "clear_cache"))["status"] == "Accepted"
    assert charger.cache_cleared == before + 1
    for message in sorted(VERSIONS[charger.version].triggerable):
        await_error = None
        try:
            await act(
                hass, "trigger_message", {"device_id": device_id(hass, "CP1"), "message": message}
            )
        except HomeAssistantError as err:
            await_error = err
        # the call reached the charger (which answers NotImplemented for some)
        assert charger.received[-1] == ("trigger", {"message": message, "connector_id": None})
        if await_error is not None:
            assert await_error.translation_placeholders["answer"] == "NotImplemented"


@pytest.mark.parametrize("version", ["1.6"])
async def test_what_16_lacks_is_refused_clearly(hass: HomeAssistant, charger) -> None:
    sent = len(charger.received)
    for service, data in (
        ("set_display_message", {"message": "hi"}),
        ("get_display_messages", {}),
        ("clear_display_message", {"message_id": 1}),
        ("set_variable_monitoring", {"key": "A/B", "type": "Delta", "value": 1}),
        ("clear_variable_monitoring", {"monitor_ids": [1]}),
        ("get_monitoring_report", {}),
        ("get_report", {}),
        ("get_base_report", {}),
        ("get_transaction_status", {}),
        ("customer_information", {}),
        ("get_charging_profiles", {}),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, service, **data)
        assert err.value.translation_key == "not_in_version", service
        assert err.value.translation_placeholders["version"] == "1.6"
        assert "2.0.1" in str(err.value), service
    assert len(charger.received) == sent  # nothing was sent


@V2X
async def test_display_message_window_and_a_replacing_monitor(hass: HomeAssistant, charger) -> None:
    """A message shown from a start to an end, and a monitor that replaces one by its
    id and watches the transaction only: the charger is told each."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC).replace(microsecond=0)
    shown = await call(
        hass,
        "set_display_message",
        message="Cheap tonight",
        start=now.isoformat(),
        end=(now + timedelta(hours=2)).isoformat(),
    )
    message = charger.display_messages[shown["message_id"]]
    assert message["start_date_time"]
    assert message["end_date_time"]
    done = await call(
        hass,
        "set_variable_monitoring",
        key="EVSE@1/Power",
        type="UpperThreshold",
        value=7000,
        monitor_id=5,
        transaction=True,
    )
    assert done["results"][0]["status"] == "Accepted"
