"""The rules of forwarding, on plain data: what each command policy lets through,
which messages are readings, the 1.6 transaction id map both ways, and a charger's
upstream options as stored."""

from __future__ import annotations

from custom_components.ocpp_csms.hub.upstream_options import UpstreamOptions
from custom_components.ocpp_csms.model.forwarding import (
    CommandPolicy,
    TxIdMap,
    is_reading,
    kept_while_down,
    refusal,
    split_variables,
    to_charger,
    to_upstream,
    without_profile,
)

PROFILE = {"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 1, "transactionId": 9001}}


def test_each_policy() -> None:
    allowed, read_only, default = (
        CommandPolicy.ALLOWED,
        CommandPolicy.READ_ONLY,
        CommandPolicy.NO_CHARGING_CONTROL,
    )
    assert refusal(allowed, "SetChargingProfile", PROFILE) is None
    assert refusal(read_only, "GetConfiguration", {}) is None
    assert refusal(read_only, "Reset", {"type": "Soft"}) is not None
    assert refusal(default, "Reset", {"type": "Soft"}) is None
    assert refusal(default, "SetChargingProfile", PROFILE) is not None
    assert refusal(default, "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "1"})
    assert refusal(default, "ChangeConfiguration", {"key": "LightIntensity", "value": "1"}) is None
    managed = {"component": {"name": "SampledDataCtrlr"}, "variable": {"name": "Enabled"}}
    other = {"component": {"name": "DisplayCtrlr"}, "variable": {"name": "Language"}}
    mixed = {"setVariableData": [other, managed]}
    assert refusal(default, "SetVariables", mixed) is None  # split, not refused whole
    relayed, refused = split_variables(default, mixed)
    assert relayed == {"setVariableData": [other]}
    assert refused == [{"attributeStatus": "Rejected", **managed}]
    assert split_variables(allowed, mixed) == (mixed, [])
    start = {"idTag": "T", "chargingProfile": {"chargingProfileId": 1}}
    assert without_profile(default, "RemoteStartTransaction", start) == {"idTag": "T"}
    assert without_profile(allowed, "RemoteStartTransaction", start) == start
    assert without_profile(default, "Reset", start) == start


def test_only_transaction_messages_wait_for_an_upstream_that_is_down() -> None:
    assert kept_while_down("StartTransaction", {})
    assert kept_while_down("TransactionEvent", {"eventType": "Updated"})
    assert kept_while_down("MeterValues", {"transactionId": 1})
    assert not kept_while_down("MeterValues", {"connectorId": 1})
    assert not kept_while_down("StatusNotification", {})
    assert not kept_while_down("Authorize", {"idTag": "A"})


def test_readings_are_what_a_full_queue_may_drop() -> None:
    assert is_reading("MeterValues", {})
    periodic = {"eventType": "Updated", "triggerReason": "MeterValuePeriodic"}
    assert is_reading("TransactionEvent", periodic)
    assert not is_reading("TransactionEvent", {**periodic, "eventType": "Ended"})
    assert not is_reading("StatusNotification", {})


def test_transaction_ids_both_ways() -> None:
    ids = TxIdMap.from_dict({"1": 9001})
    ids.pair(2, 9002)
    assert to_upstream("MeterValues", {"transactionId": 2}, ids) == {"transactionId": 9002}
    assert to_upstream("StatusNotification", {"connectorId": 1}, ids) == {"connectorId": 1}
    assert to_charger("RemoteStopTransaction", {"transactionId": 9001}, ids) == {"transactionId": 1}
    assert to_charger("SetChargingProfile", PROFILE, ids)["csChargingProfiles"] == {
        "chargingProfileId": 1,
        "transactionId": 1,
    }
    assert to_charger("Reset", {"type": "Soft"}, ids) == {"type": "Soft"}
    assert ids.upstream(77) == 77  # unmapped: as it is
    assert ids.charger("x") == "x"
    ids.forget(1)
    assert ids.as_dict() == {"2": 9002}
    assert len(ids) == 1


def test_upstream_options_as_stored() -> None:
    assert UpstreamOptions.parse({}) is None
    assert UpstreamOptions.parse({"upstream_url": "http://x"}) is None
    options = UpstreamOptions.parse({"upstream_url": " ws://x/ocpp ", "upstream_commands": "?"})
    assert options == UpstreamOptions(url="ws://x/ocpp")
    assert options.policy is CommandPolicy.NO_CHARGING_CONTROL
    assert (options.timeout_s, options.queue_limit) == (5.0, 10_000)
    bounded = UpstreamOptions.parse(
        {
            "upstream_url": "wss://x",
            "upstream_timeout": 99,
            "upstream_queue": 7,
            "upstream_cafile": " ",
        }
    )
    assert bounded is not None
    assert (bounded.timeout_s, bounded.queue_limit, bounded.cafile) == (30.0, 100, None)
