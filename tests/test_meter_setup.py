"""Meter values that arrive: what a charger samples is set after its first boot and
after each firmware change, where the register or the power is missing or the
interval is off; measurand by measurand where it refuses the list; never where its
charger profile says a change is unsafe."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant

from custom_components.ocpp_csms.model import charger_profiles

from .helpers import adopted, model, until

FACTORY = "Energy.Active.Import.Register"


def sets(sim: Any, key: str) -> list[str]:
    return [f["value"] for k, f in sim.received if k == "set_config" and f["key"] == key]


@pytest.mark.parametrize("version", ["1.6"])
async def test_16_sampling_set_within_its_length(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    def prepare(sim: Any) -> None:
        sim.configuration.update(
            {
                "MeterValuesSampledData": FACTORY,
                "MeterValuesSampledDataMaxLength": "3",
                "MeterValueSampleInterval": "0",
            }
        )
        sim.readonly.add("MeterValuesSampledDataMaxLength")

    sim = await adopted(hass, connect_sim, prepare=prepare)
    await until(hass, lambda: model(hass).sampling_set_for is not None)
    assert sim.configuration["MeterValuesSampledData"] == (
        "Energy.Active.Import.Register,Power.Active.Import,Current.Import"
    )
    assert sim.configuration["MeterValueSampleInterval"] == "60"
    # the same firmware boots again: nothing is read or set again
    before = len(sim.received)
    assert await sim.boot() == "Accepted"
    await hass.async_block_till_done()
    assert not sets(sim, "MeterValuesSampledData")[1:]
    assert not [
        f
        for k, f in sim.received[before:]
        if k == "get_config" and "MeterValuesSampledData" in (f["keys"] or [])
    ]
    # new firmware: read again (it samples what is needed now: nothing to set)
    sim.firmware_version = "2.0"
    assert await sim.boot() == "Accepted"
    await until(hass, lambda: model(hass).sampling_set_for == "2.0")
    assert len(sets(sim, "MeterValuesSampledData")) == 1


@pytest.mark.parametrize("version", ["1.6"])
async def test_a_list_refused_is_set_measurand_by_measurand(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    def prepare(sim: Any) -> None:
        sim.configuration["MeterValuesSampledData"] = ""
        sim.sampled_items_taken = 2

    sim = await adopted(hass, connect_sim, prepare=prepare)
    await until(hass, lambda: model(hass).sampling_set_for is not None)
    assert sim.configuration["MeterValuesSampledData"] == (
        "Energy.Active.Import.Register,Power.Active.Import"
    )
    tried = sets(sim, "MeterValuesSampledData")
    assert len(tried[0].split(",")) == 6  # the whole list first
    assert tried[1:3] == [FACTORY, "Energy.Active.Import.Register,Power.Active.Import"]


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_2x_sampling_set(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    def prepare(sim: Any) -> None:
        sim.variables["SampledDataCtrlr/TxUpdatedMeasurands"] = FACTORY
        sim.mutability["SampledDataCtrlr/TxUpdatedMeasurands"] = "ReadWrite"
        sim.variables["SampledDataCtrlr/TxUpdatedInterval"] = "900"

    sim = await adopted(hass, connect_sim, prepare=prepare)
    await until(hass, lambda: model(hass).sampling_set_for is not None)
    measurands = sim.variables["SampledDataCtrlr/TxUpdatedMeasurands"].split(",")
    assert measurands[:2] == ["Energy.Active.Import.Register", "Power.Active.Import"]
    assert sim.variables["SampledDataCtrlr/TxUpdatedInterval"] == "60"


@pytest.mark.parametrize("version", ["1.6"])
async def test_never_where_the_profile_says_unsafe(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    unsafe = charger_profiles.parse(
        {
            "profiles": [
                {
                    "id": "test_unsafe",
                    "vendor": "SimVendor",
                    "configure_sampling": False,
                    "source": "https://example.invalid/test",
                }
            ]
        }
    )
    monkeypatch.setattr(charger_profiles, "PROFILES", unsafe)

    def prepare(sim: Any) -> None:
        sim.configuration["MeterValuesSampledData"] = FACTORY

    sim = await adopted(hass, connect_sim, prepare=prepare)
    await until(hass, lambda: any(k == "get_config" for k, _ in sim.received))
    await hass.async_block_till_done()
    assert model(hass).profile is not None
    assert sim.configuration["MeterValuesSampledData"] == FACTORY
    assert not sets(sim, "MeterValuesSampledData")


ALIGNED_KEYS = {  # version -> (measurands, interval)
    "1.6": ("MeterValuesAlignedData", "ClockAlignedDataInterval"),
    "2.0.1": ("AlignedDataCtrlr/Measurands", "AlignedDataCtrlr/Interval"),
}


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_clock_aligned_register_set_where_off(
    hass: HomeAssistant, csms_entry, connect_sim, version: str
) -> None:
    """Clock-aligned readings that are off (interval 0) and hold no register are set to
    the register every quarter hour, so an idle charger's register is confirmed."""
    measurands, interval = ALIGNED_KEYS[version]

    def prepare(sim: Any) -> None:
        if version == "1.6":
            sim.configuration.update({measurands: "Voltage", interval: "0"})
        else:
            sim.variables.update({measurands: "Voltage", interval: "0"})
            sim.mutability.update({measurands: "ReadWrite", interval: "ReadWrite"})

    sim = await adopted(hass, connect_sim, prepare=prepare)
    await until(hass, lambda: model(hass).sampling_set_for is not None)
    values = sim.configuration if version == "1.6" else sim.variables
    assert values[measurands] == f"{FACTORY},Voltage"
    assert values[interval] == "900"


@pytest.mark.parametrize("version", ["1.6"])
async def test_clock_aligned_left_alone_where_it_has_the_register(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    """Aligned readings that already carry the register, hourly, are not touched."""

    def prepare(sim: Any) -> None:
        sim.configuration.update(
            {"MeterValuesAlignedData": FACTORY, "ClockAlignedDataInterval": "3600"}
        )

    sim = await adopted(hass, connect_sim, prepare=prepare)
    await until(hass, lambda: model(hass).sampling_set_for is not None)
    assert not sets(sim, "MeterValuesAlignedData")
    assert not sets(sim, "ClockAlignedDataInterval")
