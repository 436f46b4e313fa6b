"""Circuits below the main fuse, on every version: each circuit's chargers stay within
its limit, nested circuits within each of theirs, all within the main fuse; circuits
are added and edited in the UI (subentries) and apply without a reload."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.ocpp_csms.model.load_sharing import Claim, share

from .helpers import Clock, runtime_of, until
from .site_helpers import FUSE, SITE, report, set_grid, three_charging


async def add_circuit(hass: HomeAssistant, entry: Any, **fields: Any) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "circuit"), context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    return await hass.config_entries.subentries.async_configure(result["flow_id"], fields)


def circuit_id(entry: Any, name: str) -> str:
    return next(s.subentry_id for s in entry.subentries.values() if s.title == name)


async def settle(hass: HomeAssistant, sims: list[Any], clock: Clock, seconds: float) -> None:
    """The chargers report and the meter follows (the house draws nothing)."""
    for _ in range(int(seconds // 5)):
        await report(sims)
        set_grid(hass, (0.0, 0.0, 0.0), sims)
        await clock.skip(5)


def test_a_full_circuit_holds_back_only_its_own() -> None:
    """A 6 A bay full at its minimum: the claim beside it still fills up (it was held
    at its minimum with the bay's)."""
    claims = [
        Claim(key="bay", phases=(1, ("bay", 1)), minimum=6.0, wanted=10.0),
        Claim(key="free", phases=(1,), minimum=6.0, wanted=10.0),
    ]
    assert share({1: 25.0, ("bay", 1): 6.0}, claims) == {"bay": 6.0, "free": 10.0}


@pytest.mark.parametrize("csms_options", [SITE])
async def test_a_circuit_holds_its_chargers(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CP1 and CP2 on a 16 A garage circuit, CP3 straight on the 25 A fuse, cars of
    10 A: the garage's two share 16 A, CP3 takes the 9 A the fuse leaves (without
    the circuit all three would get 8.3 A). A 6 A bay inside the garage for CP1
    holds it at 6 A, and CP2 takes what the garage and the fuse leave."""
    clock = Clock(hass, monkeypatch)
    sims = await three_charging(hass, connect_sim, clock, amps=10.0)
    one, two, three = (sim.connectors[1] for sim in sims)
    result = await add_circuit(hass, csms_entry, name="Garage", limit=16, members=["CP1", "CP2"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass, sims, clock, 15)
    await until(hass, lambda: three.amps() == 9.0)
    assert one.amps() + two.amps() <= 16.0 + 0.1
    assert min(one.amps(), two.amps()) >= 6.0
    garage = circuit_id(csms_entry, "Garage")
    result = await add_circuit(
        hass, csms_entry, name="Bay 1", limit=6, parent=garage, members=["CP1/1"]
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass, sims, clock, 15)
    await until(hass, lambda: one.amps() == 6.0)
    await settle(hass, sims, clock, 10)
    assert one.amps() + two.amps() <= 16.0 + 0.1
    assert one.amps() + two.amps() + three.amps() <= FUSE + 0.1
    assert two.amps() > 8.0  # the bay's unused share went to CP2 and CP3
    assert csms_entry.state is config_entries.ConfigEntryState.LOADED  # no reload


@pytest.mark.parametrize("csms_options", [SITE])
async def test_circuit_form_errors(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A circuit needs a name and chargers of this central system; a charger is on
    one circuit only; a circuit cannot hang from itself or from one below it."""
    clock = Clock(hass, monkeypatch)
    await three_charging(hass, connect_sim, clock, amps=10.0)
    result = await add_circuit(hass, csms_entry, name=" ", limit=16, members=["CP1"])
    assert result["errors"] == {"name": "name_missing"}
    result = await add_circuit(hass, csms_entry, name="A", limit=16, members=["NOPE"])
    assert result["errors"] == {"members": "unknown_member"}
    await add_circuit(hass, csms_entry, name="A", limit=16, members=["CP1"])
    result = await add_circuit(hass, csms_entry, name="B", limit=16, members=["CP1", "CP2"])
    assert result["errors"] == {"members": "member_elsewhere"}
    upper = circuit_id(csms_entry, "A")
    await add_circuit(hass, csms_entry, name="B", limit=10, parent=upper, members=["CP2"])
    lower = circuit_id(csms_entry, "B")
    result = await csms_entry.start_subentry_reconfigure_flow(hass, upper)
    parents = result["data_schema"].schema["parent"].config["options"]
    assert [p["value"] for p in parents] == []  # not itself, not B below it
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "A", "limit": 20, "members": ["CP1", "CP3"]}
    )
    assert result["reason"] == "reconfigure_successful"
    assert csms_entry.subentries[upper].data["members"] == ["CP1", "CP3"]
    assert csms_entry.subentries[lower].data["parent"] == upper
    circuits = runtime_of(hass).site.options.circuits  # in force at once
    assert [c.limit_a for c in circuits.path("CP2", 1)] == [10.0, 20.0]
    assert [c.name for c in circuits.path("CP3", 1)] == ["A"]
