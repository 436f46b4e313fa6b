"""Charger profiles: documented firmware quirks, as data, applied at boot from the
vendor and model the charger reports, shown in diagnostics, and turned off in the
charger's options."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from homeassistant.core import HomeAssistant
from ocpp.v16 import call
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.ocpp_csms.model.charger_profiles import PROFILES, TABLE, parse, profile_for
from custom_components.ocpp_csms.model.identity import ChargerIdentity
from custom_components.ocpp_csms.protocol import shared

from .helpers import act, adopted, device_id, model, restart, until


def test_every_profile_is_sourced_and_well_formed() -> None:
    raw = json.loads(TABLE.read_text())
    assert len(parse(raw)) == len(raw["profiles"]) == len(PROFILES)
    for profile in PROFILES:
        assert profile.source.startswith("https://"), profile.profile_id
        assert profile.note
    with pytest.raises(ValueError, match="unknown capabilities"):
        parse({"profiles": [{"id": "x", "vendor": "X", "capabilities": {"wings": 2}}]})
    with pytest.raises(ValueError, match="unknown fields"):  # a misspelt quirk is no quirk
        parse({"profiles": [{"id": "x", "vendor": "X", "boot_frist": True}]})


@pytest.mark.parametrize(
    ("vendor", "model_name", "expected"),
    [
        ("ABB", "Terra AC W11-G5", "abb_terra_ac"),
        ("abb", "TAC-W22", "abb_terra_ac"),
        ("Huawei", "SCharger-7KS", "huawei_fusioncharge"),
        ("go-e", "Gemini", "go_e"),
        ("EV-BOX", "Elvi", "evbox_elvi"),
        ("Growatt", "THOR 07AS-S", "growatt"),
        ("Wall Box Chargers", "PLP2-M-2-4", "wallbox"),
        ("Entratek", "Power Dot Pro", "entratek_power_dot"),
        ("ETREL", "INCH Home", "etrel_inch"),
        ("ABB", "Terra 54", None),  # a DC charger of the same vendor
        ("SimVendor", "SimCharger", None),
    ],
)
def test_profiles_match_vendor_and_model(
    vendor: str, model_name: str, expected: str | None
) -> None:
    found = profile_for(ChargerIdentity(vendor=vendor, model=model_name))
    assert (found.profile_id if found else None) == expected


async def limit_amps(hass: HomeAssistant, amps: float) -> dict[str, Any]:
    result = await act(
        hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "amps": amps}, True
    )
    return result["connectors"]["CP1/1"]


@pytest.mark.parametrize("version", ["1.6"])
async def test_abb_terra_ac_is_written_at_stack_level_3(
    hass: HomeAssistant, csms_entry, connect_sim, hass_client
) -> None:
    """Its probe says stack level 8; its profile says 3: the first profile sent is at
    3, with no rejection needed. Turned off in the options, the charger's word holds."""

    def prepare(sim: Any) -> None:
        sim.configuration["ChargeProfileMaxStackLevel"] = "8"
        sim.engine.quirks.add("max_stack_level_3")  # what the real one does

    sim = await adopted(
        hass, connect_sim, vendor="ABB", model="Terra AC W11-G5-R0", prepare=prepare
    )
    await until(hass, lambda: any(k == "get_config" for k, _ in sim.received))
    await hass.async_block_till_done()
    charger = model(hass)
    assert charger.profile is not None
    assert charger.capabilities.max_profile_stack_level == 3
    await sim.start_transaction(1)
    await limit_amps(hass, 10)
    sent = [f for k, f in sim.received if k == "set_profile"]
    assert [(f["stack_level"], f["answer"]) for f in sent] == [(3, "Accepted")]
    assert sim.connectors[1].limit_amps() == 10
    entry = hass.config_entries.async_entry_for_domain_unique_id("ocpp_csms", "CP1")
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diag["charger_profile"]["id"] == "abb_terra_ac"
    assert diag["charger_profile"]["source"].startswith("https://")

    result = await hass.config_entries.options.async_init(entry.entry_id)
    await hass.config_entries.options.async_configure(
        result["flow_id"], {"protocol": "auto", "remove_password": False, "charger_profile": False}
    )
    await hass.async_block_till_done()
    assert charger.profile is None
    await sim.boot()  # the next probe reads the charger's own word
    await until(hass, lambda: charger.capabilities.max_profile_stack_level == 8)


@pytest.mark.parametrize("version", ["1.6"])
async def test_growatt_local_times_read_in_home_assistants_zone(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    """A Growatt sends local times without a zone: its session starts when it says in
    Home Assistant's time zone, not hours off as if it were UTC."""
    await hass.config.async_update(time_zone="Europe/Amsterdam")  # as a user sets it
    await hass.async_block_till_done()
    sim = await adopted(hass, connect_sim, vendor="Growatt", model="THOR 11AS-P")
    local = datetime.now(ZoneInfo("Europe/Amsterdam")).replace(microsecond=0)
    result = await sim.call(
        call.StartTransaction(
            connector_id=1,
            id_tag="TAG1",
            meter_start=1000,
            timestamp=local.replace(tzinfo=None).isoformat(),  # as it sends them
        )
    )
    tx = model(hass).transactions[str(result.transaction_id)]
    assert tx.started == local
    assert model(hass).profile is not None
    assert model(hass).profile.profile_id == "growatt"


async def test_evbox_station_limit_held_per_connector(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    """An EVBox rejects ChargePointMaxProfile: its profile says so, and the station
    limit holds through the connector's own limit, without a rejected profile."""
    sim = await adopted(
        hass, connect_sim, vendor="EVBox", model="BusinessLine", quirks={"rejects_station_max"}
    )
    await until(hass, lambda: any(k == "get_config" for k, _ in sim.received))
    await hass.async_block_till_done()
    assert model(hass).profile is not None
    result = await act(
        hass, "set_station_limit", {"device_id": device_id(hass, "CP1"), "amps": 10}, True
    )
    assert result["chargers"]["CP1"]["status"] == "accepted"
    await until(hass, lambda: sim.connectors[1].limit_amps() == 10)
    sent = [f for k, f in sim.received if k == "set_profile"]
    assert all(
        f["purpose"] not in ("ChargePointMaxProfile", "ChargingStationMaxProfile") for f in sent
    )
    assert all(f["answer"] == "Accepted" for f in sent)


@pytest.mark.parametrize("version", ["1.6"])
async def test_one_key_per_get_configuration(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    """A charger that answers one key per GetConfiguration (Vestel EVC04,
    GetConfigurationMaxKeys 1) is asked the rest one by one: its capabilities are
    all read."""

    def prepare(sim: Any) -> None:
        sim.max_keys = 1
        sim.configuration["ChargeProfileMaxStackLevel"] = "7"
        sim.configuration["ChargingScheduleAllowedChargingRateUnit"] = "Current"

    await adopted(hass, connect_sim, prepare=prepare)
    await until(hass, lambda: model(hass).capabilities.max_profile_stack_level == 7)
    await until(hass, lambda: model(hass).capabilities.charging_rate_units == ("A",))
    result = await act(
        hass,
        "get_configuration",
        {
            "device_id": device_id(hass, "CP1"),
            "keys": ["HeartbeatInterval", "NumberOfConnectors", "Nope"],
        },
        True,
    )
    values = result["chargers"]["CP1"]
    assert values["values"]["HeartbeatInterval"] == "300"
    assert values["values"]["NumberOfConnectors"] == "1"


@pytest.mark.parametrize("version", ["1.6"])
@pytest.mark.parametrize(("vendor", "ended"), [("Etrel", True), ("SimVendor", False)])
async def test_etrel_stop_with_its_own_id_ends_its_session(
    hass: HomeAssistant, csms_entry, connect_sim, vendor: str, ended: bool
) -> None:
    """An Etrel keeps its own negative transaction id after we answered ours: its stop
    ends its one open session. Any other charger's stop for an id never given changes
    nothing (it is counted)."""
    sim = await adopted(hass, connect_sim, vendor=vendor, model="INCH Home")
    now = datetime.now(ZoneInfo("UTC")).replace(microsecond=0)
    result = await sim.call(
        call.StartTransaction(
            connector_id=1, id_tag="TAG1", meter_start=1000, timestamp=now.isoformat()
        )
    )
    ours = str(result.transaction_id)
    await sim.call(
        call.StopTransaction(
            meter_stop=3000, timestamp=(now + timedelta(hours=1)).isoformat(), transaction_id=-7
        )
    )
    charger = model(hass)
    assert (ours not in charger.transactions) is ended
    if ended:
        last = charger.connectors[1].last_session
        assert last is not None
        assert last.transaction_id == ours
        assert last.meter_stop_wh == 3000
        assert charger.anomalies["own_transaction_id"] == 1
    else:
        assert charger.anomalies["unknown_transaction"] == 1


@pytest.mark.parametrize("version", ["1.6"])
async def test_wallbox_reconnecting_without_boot_is_asked_to_boot_first(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Wallbox answers nothing before its boot. After Home Assistant restarts (its
    make stored, so its profile known before it boots) and it reconnects without
    booting, the first thing it is sent is TriggerMessage BootNotification, and only
    after that boot the usual questions."""
    monkeypatch.setattr(shared, "READY_WITHOUT_BOOT_S", 0.05)
    await adopted(hass, connect_sim, vendor="Wall Box Chargers", model="PLP2-M-2-4")
    await restart(hass)
    assert model(hass).profile is not None
    assert model(hass).profile.profile_id == "wallbox"
    sim = await connect_sim("CP1", vendor="Wall Box Chargers", model="PLP2-M-2-4")
    await until(hass, lambda: any(k == "get_config" for k, _ in sim.received))
    kinds = [(k, f.get("message")) for k, f in sim.received]
    assert kinds[0] == ("trigger", "BootNotification")
    assert model(hass).boot_status is not None


@pytest.mark.parametrize("version", ["1.6"])
async def test_wallbox_that_refuses_to_boot_is_served_without_a_boot(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Wallbox that refuses the TriggerMessage BootNotification (or never boots)
    is not left waiting: after the second wait it is served as one that reconnected
    without a boot (its statuses asked)."""
    monkeypatch.setattr(shared, "READY_WITHOUT_BOOT_S", 0.05)
    await adopted(hass, connect_sim, vendor="Wall Box Chargers", model="PLP2-M-2-4")
    await restart(hass)
    sim = await connect_sim("CP1", vendor="Wall Box Chargers", model="PLP2-M-2-4")
    sim.refused_triggers = {"BootNotification"}
    asked = lambda: [f.get("message") for k, f in sim.received if k == "trigger"]  # noqa: E731
    await until(hass, lambda: "StatusNotification" in asked())
    assert asked()[0] == "BootNotification"
    assert model(hass).boot_status is None
