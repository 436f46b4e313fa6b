"""Every action: success, the charger's answer, and each kind of error."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr

from custom_components.ocpp_csms.const import DOMAIN

from .conftest import add_charger_entry
from .helpers import act, both_running, device_id, model, runtime_of, state, until

CONN = "cp1_connector_1"


def _probe(record: tuple) -> bool:
    """The inventory request, capability probe and sampling read every charger gets
    when ready."""
    kind, fields = record
    keys = fields.get("keys") or [] if kind == "get_config" else []
    return kind == "base_report" or any(
        k in ("ChargeProfileMaxStackLevel", "MeterValuesSampledData")
        or k.startswith(("SmartChargingCtrlr/", "SampledDataCtrlr/"))
        for k in keys
    )


def commands(sim) -> list:
    """What the CSMS asked of the charger, less what every charger gets when ready."""
    return [r for r in sim.received if not _probe(r)]


async def test_start_and_stop_by_device_and_entity(hass: HomeAssistant, charger) -> None:
    await charger.plug_in(1)
    await act(hass, "start_charging", {"device_id": device_id(hass, "CP1/1"), "id_tag": "ABC"})
    await until(hass, lambda: both_running(hass, charger))
    assert charger.received[-1] == ("start", {"id_tag": "ABC", "connector_id": 1})
    # the charger device works too when it has one connector; any entity of it as well
    await act(hass, "stop_charging", {"entity_id": f"sensor.{CONN}_power"})
    await until(hass, lambda: both_running(hass, charger) is None)
    await act(hass, "start_charging", {"device_id": device_id(hass, "CP1")})
    await until(hass, lambda: both_running(hass, charger))
    await act(hass, "stop_charging", {"device_id": device_id(hass, "CP1")})
    await until(hass, lambda: both_running(hass, charger) is None)


async def test_stop_without_session(hass: HomeAssistant, charger) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "stop_charging", {"device_id": device_id(hass, "CP1/1")})
    assert err.value.translation_key == "no_session"


async def test_rejection_is_home_assistant_error(hass: HomeAssistant, charger) -> None:
    await charger.start_transaction(1)
    with pytest.raises(HomeAssistantError) as err:  # the simulator rejects a second start
        await act(hass, "start_charging", {"device_id": device_id(hass, "CP1/1")})
    assert not isinstance(err.value, ServiceValidationError)
    assert err.value.translation_key == "command_failed"
    assert err.value.translation_placeholders["answer"] == "Rejected"
    assert str(err.value).startswith("Charger CP1 answered ")
    assert str(err.value).endswith(" with: Rejected")


async def test_reset_soft_and_hard(hass: HomeAssistant, charger) -> None:
    await act(hass, "reset", {"device_id": device_id(hass, "CP1")})
    assert charger.received[-1] == ("reset", {"type": "soft"})
    await act(hass, "reset", {"device_id": device_id(hass, "CP1"), "type": "hard"})
    assert charger.received[-1] == ("reset", {"type": "hard"})
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.cp1_restart"}, blocking=True
    )
    assert charger.received[-1] == ("reset", {"type": "soft"})


async def test_unlock(hass: HomeAssistant, charger) -> None:
    await act(hass, "unlock_connector", {"device_id": device_id(hass, "CP1/1")})
    assert charger.received[-1] == ("unlock", {"connector_id": 1})
    await hass.services.async_call(
        "button", "press", {"entity_id": f"button.{CONN}_unlock"}, blocking=True
    )
    assert charger.received[-1] == ("unlock", {"connector_id": 1})


async def test_change_availability(hass: HomeAssistant, charger) -> None:
    await act(
        hass, "change_availability", {"device_id": device_id(hass, "CP1/1"), "operative": False}
    )
    assert charger.received[-1] == ("availability", {"connector_id": 1, "operative": False})
    await until(hass, lambda: state(hass, f"switch.{CONN}_available") == "off")
    await act(hass, "change_availability", {"device_id": device_id(hass, "CP1"), "operative": True})
    assert charger.received[-1] == ("availability", {"connector_id": 0, "operative": True})
    await until(hass, lambda: state(hass, f"switch.{CONN}_available") == "on")
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": f"switch.{CONN}_available"}, blocking=True
    )
    await until(hass, lambda: state(hass, f"switch.{CONN}_available") == "off")


# (read-write key, read-only key, unknown key, key whose change needs a reboot)
CONFIG_KEYS = {
    "1.6": ("HeartbeatInterval", "NumberOfConnectors", "Nope", None),
    "2.0.1": (
        "OCPPCommCtrlr/HeartbeatInterval",
        "ChargingStation/VendorName",
        "Nope/Nope",
        "SecurityCtrlr/SecurityProfile",
    ),
}
CONFIG_KEYS["2.1"] = CONFIG_KEYS["2.0.1"]


async def test_configuration(hass: HomeAssistant, charger) -> None:
    rw, ro, unknown, reboot = CONFIG_KEYS[charger.version]
    dev = device_id(hass, "CP1")
    await until(
        hass,
        lambda: model(hass, "CP1").configuration or charger.version == "1.6",
    )
    result = await act(hass, "get_configuration", {"device_id": dev, "keys": [rw, unknown]}, True)
    assert result == {
        "chargers": {"CP1": {"values": {rw: "300"}, "readonly": [], "unknown": [unknown]}}
    }
    everything = await act(hass, "get_configuration", {"device_id": dev}, True)
    assert ro in everything["chargers"]["CP1"]["readonly"]
    assert rw not in everything["chargers"]["CP1"]["readonly"]
    assert everything["chargers"]["CP1"]["values"][rw] == "300"
    result = await act(
        hass, "set_configuration", {"device_id": dev, "key": rw, "value": "60"}, True
    )
    assert result == {"chargers": {"CP1": {"status": "Accepted", "reboot_required": False}}}
    assert charger.received[-1] == ("set_config", {"key": rw, "value": "60"})
    with pytest.raises(HomeAssistantError) as err:
        await act(hass, "set_configuration", {"device_id": dev, "key": ro, "value": "2"})
    assert err.value.translation_placeholders["answer"] == "Rejected"
    if reboot:
        result = await act(
            hass, "set_configuration", {"device_id": dev, "key": reboot, "value": "2"}, True
        )
        assert result["chargers"]["CP1"] == {"status": "RebootRequired", "reboot_required": True}


async def test_trigger_and_data_transfer(hass: HomeAssistant, charger) -> None:
    dev = device_id(hass, "CP1")
    await act(hass, "trigger_message", {"device_id": dev, "message": "StatusNotification"})
    assert charger.received[-1] == (
        "trigger",
        {"message": "StatusNotification", "connector_id": None},
    )
    await act(
        hass, "trigger_message", {"device_id": device_id(hass, "CP1/1"), "message": "MeterValues"}
    )
    assert charger.received[-1][1]["connector_id"] == 1
    with pytest.raises(HomeAssistantError):
        await act(
            hass, "trigger_message", {"device_id": dev, "message": "FirmwareStatusNotification"}
        )
    result = await act(
        hass,
        "data_transfer",
        {"device_id": dev, "vendor_id": "SimVendor", "message_id": "m", "data": "hi"},
        True,
    )
    assert result == {"chargers": {"CP1": {"status": "Accepted", "data": "echo:hi"}}}
    result = await act(hass, "data_transfer", {"device_id": dev, "vendor_id": "Other"}, True)
    assert result["chargers"]["CP1"]["status"] == "UnknownVendorId"


async def test_offline_charger(hass: HomeAssistant, charger) -> None:
    await charger.close()
    await until(hass, lambda: state(hass, f"sensor.{CONN}_status") == "unavailable")
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "reset", {"device_id": device_id(hass, "CP1")})
    assert err.value.translation_key == "charger_offline"
    assert "CP1 is not connected" in str(err.value)


async def test_timeout(hass: HomeAssistant, charger) -> None:
    charger.route_map.pop("Reset")  # a charger that never answers Reset
    original = charger.route_message

    async def swallow(raw: str) -> None:
        if '"Reset"' not in raw:
            await original(raw)

    charger.route_message = swallow
    with pytest.raises(HomeAssistantError) as err:
        await act(hass, "reset", {"device_id": device_id(hass, "CP1")})
    assert err.value.translation_placeholders["answer"] == "timeout"


async def test_call_error_answer(hass: HomeAssistant, charger) -> None:
    from ocpp.exceptions import NotImplementedError as OcppNotImplemented

    def refuse(**kwargs):
        raise OcppNotImplemented(details={"cause": "not on this model"})

    charger.route_map["UnlockConnector"]["_on_action"] = refuse  # answers with a CallError
    with pytest.raises(HomeAssistantError) as err:
        await act(hass, "unlock_connector", {"device_id": device_id(hass, "CP1/1")})
    assert err.value.translation_placeholders["answer"].startswith("NotImplemented")


async def test_bad_targets(hass: HomeAssistant, charger) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "reset", {})
    assert err.value.translation_key == "no_target"
    hass.states.async_set("light.kitchen", "on")
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "reset", {"entity_id": "light.kitchen"})
    assert err.value.translation_key == "not_ocpp_target"
    other = dr.async_get(hass).async_get_or_create(
        config_entry_id=hass.config_entries.async_entries(DOMAIN)[0].entry_id,
        identifiers={("other", "x")},
    )
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "reset", {"device_id": other.id})
    assert err.value.translation_key == "not_ocpp_target"


async def test_multi_connector_needs_a_connector(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    await add_charger_entry(hass, "CP2")
    sim = await connect_sim("CP2", connectors=2)
    await sim.boot()
    await sim.send_all_status()
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "unlock_connector", {"device_id": device_id(hass, "CP2", "CP2")})
    assert err.value.translation_key == "choose_connector"
    await act(hass, "unlock_connector", {"device_id": device_id(hass, "CP2/2", "CP2")})
    assert sim.received[-1] == ("unlock", {"connector_id": 2})
    # stop on the charger picks the only connector with a session
    await sim.start_transaction(2)
    await act(hass, "stop_charging", {"device_id": device_id(hass, "CP2", "CP2")})
    await until(hass, lambda: sim.connectors[2].transaction_id is None)


async def test_actions_hit_only_their_charger(hass: HomeAssistant, charger, connect_sim) -> None:
    await add_charger_entry(hass, "CP3")
    other = await connect_sim("CP3")
    await other.boot()
    await other.send_all_status()
    await hass.async_block_till_done()
    await act(hass, "unlock_connector", {"device_id": device_id(hass, "CP3/1", "CP3")})
    assert commands(other) == [("unlock", {"connector_id": 1})]
    assert not commands(charger)
    # two targets at once: each charger gets its own command
    await act(hass, "reset", {"device_id": [device_id(hass, "CP1"), device_id(hass, "CP3", "CP3")]})
    assert commands(charger) == [("reset", {"type": "soft"})]
    assert commands(other)[-1] == ("reset", {"type": "soft"})


async def test_schema_errors(hass: HomeAssistant, charger) -> None:
    from probatio import Invalid

    dev = device_id(hass, "CP1")
    with pytest.raises(Invalid):
        await act(hass, "reset", {"device_id": dev, "type": "medium"})
    with pytest.raises(Invalid):
        await act(hass, "set_charge_limit", {"device_id": dev, "amps": 6, "watts": 1000})
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "set_charge_limit", {"device_id": dev})
    assert err.value.translation_key == "amps_or_watts"
    with pytest.raises(Invalid, match="boot_notification"):  # the keys are named
        await act(hass, "trigger_message", {"device_id": dev, "message": "Nonsense"})


async def test_a_choice_by_its_key_or_its_ocpp_word(hass: HomeAssistant, charger) -> None:
    """A fixed choice is offered by its key (what the UI sends); the OCPP word of
    earlier automations is taken too; the charger gets the OCPP word either way."""
    dev = device_id(hass, "CP1")
    for given in ("status_notification", "StatusNotification", "statusnotification"):
        await act(hass, "trigger_message", {"device_id": dev, "message": given})
        assert charger.received[-1] == (
            "trigger",
            {"message": "StatusNotification", "connector_id": None},
        )


async def test_unadopted_charger_device_rejected(hass: HomeAssistant, charger) -> None:
    dev = device_id(hass, "CP1")
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    runtime_of(hass).csms.adopted.discard("CP1")
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "reset", {"device_id": dev})
    assert err.value.translation_key == "unknown_charger"
    runtime_of(hass).csms.adopted.add(entry.unique_id)


async def test_start_and_stop_on_a_multi_connector_charger(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    """A charger target with several connectors: start lets the charger choose
    (no connector id is sent); stop ends its one session, and is refused only
    when several run."""
    await add_charger_entry(hass, "CP2")
    sim = await connect_sim("CP2", connectors=2)
    await sim.boot()
    await sim.send_all_status()
    await hass.async_block_till_done()
    charger_dev = device_id(hass, "CP2", "CP2")
    await act(hass, "start_charging", {"device_id": charger_dev, "id_tag": "ANY"})
    assert sim.received[-1] == ("start", {"id_tag": "ANY", "connector_id": None})
    # both sides know the session (the charger learns its id from our answer)
    await until(
        hass,
        lambda: (
            model(hass, "CP2").connectors[1].transaction is not None
            and sim.connectors[1].transaction_id is not None
        ),
    )
    await act(hass, "stop_charging", {"device_id": charger_dev})  # its one session
    await until(hass, lambda: model(hass, "CP2").connectors[1].transaction is None)
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "stop_charging", {"device_id": charger_dev})
    assert err.value.translation_key == "no_session"
    await sim.start_transaction(1)
    await sim.start_transaction(2)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "stop_charging", {"device_id": charger_dev})
    assert err.value.translation_key == "choose_session"
    assert [r[0] for r in sim.received].count("stop") == 1
