"""Phase rotation, on every version: a single-phase car's current counts on the
house phase its charger's L1 is wired to, as the charger reports it (1.6
ConnectorPhaseRotation, 2.x EVSE PhaseRotation) or as its options set it."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant

from custom_components.ocpp_csms.const import DOMAIN
from custom_components.ocpp_csms.model.load_sharing import Claim, share
from custom_components.ocpp_csms.model.phase_rotation import (
    house_phase,
    parse_connector_rotations,
    parse_rotation,
)

from .helpers import Clock, model, until
from .site_helpers import FUSE, GRID, SITE, charging


def single_phase(sim: Any) -> None:
    sim.connectors[1].phases = 1


def grid(hass: HomeAssistant, house: tuple[float, float, float], on: dict[int, float]) -> None:
    """The meter: the house's own load plus each car's current on its house phase."""
    for phase, entity_id in enumerate(GRID, start=1):
        value = house[phase - 1] + on.get(phase, 0.0)
        hass.states.async_set(entity_id, f"{value:.1f}", {"unit_of_measurement": "A"})


def test_rotations_are_read_as_ocpp_writes_them() -> None:
    assert parse_connector_rotations("0.RST,1.TRS, 2.Unknown,x.RST") == {0: "RST", 1: "TRS"}
    assert parse_connector_rotations("STR") == {0: "STR"}
    assert parse_rotation("NotApplicable") is None
    assert parse_rotation("tsr") == "TSR"
    assert [house_phase("TRS", p) for p in (1, 2, 3)] == [3, 1, 2]
    assert [house_phase(None, p) for p in (1, 2, 3)] == [1, 2, 3]


def test_only_a_claim_on_a_full_phase_is_paused() -> None:
    """Room for 5 A on L1 and 25 A on L2: the car on L1 is paused, not the one on L2
    (the last of equal priorities would have been, whatever its phase)."""
    claims = [
        Claim(key="on_l1", phases=(1,), minimum=6.0, wanted=16.0),
        Claim(key="on_l2", phases=(2,), minimum=6.0, wanted=16.0),
    ]
    assert share({1: 5.0, 2: 25.0, 3: 25.0}, claims) == {"on_l1": 0.0, "on_l2": 16.0}


@pytest.mark.parametrize("csms_options", [SITE])
async def test_a_single_phase_car_counts_on_its_wired_phase(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The house draws 20 A on L1. CP1 (RST) puts its car on L1: 5 A left there,
    paused. CP2 reports STR, its car on L2: after the resume hold it gets the car's
    16 A (counted on L1 as well, both would stay paused). CP1's options set TRS (its L1 on the house's
    L3): after the resume hold it charges too; no phase is ever above the fuse."""
    clock = Clock(hass, monkeypatch)
    one = await charging(hass, connect_sim, clock, "CP1", amps=16.0, prepare=single_phase)

    def wired(sim: Any) -> None:
        single_phase(sim)
        sim.wire("STR")

    two = await charging(hass, connect_sim, clock, "CP2", amps=16.0, prepare=wired)
    await until(hass, lambda: model(hass, "CP2").phase_rotation(1) == "STR")
    assert model(hass, "CP1").phase_rotation(1) is None
    where = {"CP1": 1, "CP2": 2}

    async def meter(seconds: float) -> None:
        for _ in range(int(seconds // 5)):
            for sim in (one, two):
                await sim.send_meter_values(1, seconds=0)
            on: dict[int, float] = {}
            for sim, charger_id in ((one, "CP1"), (two, "CP2")):
                phase = where[charger_id]
                on[phase] = on.get(phase, 0.0) + sim.connectors[1].amps()
            grid(hass, (20.0, 0.0, 0.0), on)
            await clock.skip(5)
            loads = dict.fromkeys((1, 2, 3), 0.0)
            loads[1] = 20.0
            for sim, charger_id in ((one, "CP1"), (two, "CP2")):
                loads[where[charger_id]] += sim.connectors[1].amps()
            checked.append(loads)

    checked: list[dict[int, float]] = []

    await meter(80)  # the first cycle, before any reading, took both for three-phase
    await until(hass, lambda: two.connectors[1].amps() == 16.0)
    assert one.connectors[1].amps() == 0
    await meter(10)
    assert (one.connectors[1].amps(), two.connectors[1].amps()) == (0, 16.0)
    # the installer knows better than CP1: its L1 is on the house's L3
    entry = next(
        e for e in hass.config_entries.async_entries(DOMAIN) if e.data.get("charger_id") == "CP1"
    )
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    await hass.config_entries.options.async_configure(
        flow["flow_id"], {"protocol": "auto", "phase_rotation": "trs"}
    )
    assert model(hass, "CP1").phase_rotation(1) == "TRS"
    where["CP1"] = 3
    await meter(70)
    await until(hass, lambda: one.connectors[1].amps() == 16.0)
    assert two.connectors[1].amps() == 16.0
    # one cycle after the first reading, every phase within the fuse
    assert all(max(loads.values()) <= FUSE + 0.5 for loads in checked[1:]), checked
