"""Switching between one and three phases in Solar mode, on every version: the site
chooses the phases from the surplus, the simulated charger draws on the phases of
the profile it applies (numberPhases), and a charger that says it can switch but
keeps drawing on three is found out and not asked again until it boots."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant

from .helpers import Clock, act, adopted, device_id, model, state, until
from .site_helpers import SOLAR, sun

SELECT = "select.cp1_connector_1_charging_mode"
ACTIVE = "sensor.cp1_connector_1_active_phases"
IGNORED = "binary_sensor.cp1_phase_switch_ignored"


async def solar_charger(
    hass: HomeAssistant, connect_sim, clock: Clock, quirks: set[str] | None = None
) -> Any:
    """A charger that says it can switch to one phase, charging in Solar mode."""
    sim = await adopted(
        hass,
        connect_sim,
        "CP1",
        prepare=lambda s: s.allow_phase_switching(),
        quirks=quirks or set(),
    )
    sim.connectors[1].max_amps = 32.0
    sim.engine.clock = clock.now
    await until(hass, lambda: model(hass).capabilities.phase_switching is True)
    await sim.start_transaction(1)
    await hass.services.async_call(
        "select", "select_option", {"entity_id": SELECT, "option": "solar"}, blocking=True
    )
    return sim


def phases_sent(sim: Any) -> int | None:
    """numberPhases of the TxProfile the charger holds for the session."""
    tx = [p for p in sim.engine.profiles.values() if p.purpose == "TxProfile"]
    assert tx, "no TxProfile"
    return tx[0].periods[0][2]


@pytest.mark.parametrize("csms_options", [SOLAR])
async def test_solar_switches_between_one_and_three_phases(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """5 kW: three phases (the first choice); 2.5 kW, under the three-phase minimum
    (6 A x 3 x 230 V = 4140 W) but over the one-phase one (1380 W): the minimum on
    three until the disable delay (3 minutes) has passed, then one phase; 6 kW,
    over the three-phase minimum plus the 500 W margin: still one phase until five
    minutes have passed since the switch, then three."""
    clock = Clock(hass, monkeypatch)
    sim = await solar_charger(hass, connect_sim, clock)
    conn = sim.connectors[1]
    shine = sun(hass, sim, clock)
    await shine(5000, 70)  # the enable delay
    await until(hass, lambda: conn.amps() == 7.0)  # 5000 W / 690 V = 7.2 A
    assert conn.active_phases() == 3
    await shine(2500, 120)  # a cloud: the minimum on three phases, for now
    assert (conn.amps(), conn.active_phases()) == (6.0, 3)
    await shine(2500, 70)  # below the three-phase minimum for the disable delay
    await until(hass, lambda: conn.active_phases() == 1)
    assert phases_sent(sim) == 1
    await until(hass, lambda: conn.amps() == 10.5)  # 2500 W / 230 V = 10.9 A
    await shine(2500, 10)
    assert state(hass, ACTIVE) == "1"
    await shine(6000, 120)  # enough for three, but within five minutes of the switch
    assert conn.active_phases() == 1
    assert conn.amps() == 26.0  # 6000 W / 230 V = 26.1 A, on one phase
    await act(hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "amps": 16})
    await until(hass, lambda: conn.amps() == 16.0)  # a cap below the share: its phases kept
    assert (phases_sent(sim), conn.active_phases()) == (1, 1)
    await act(hass, "clear_charge_limit", {"device_id": device_id(hass, "CP1/1")})
    await until(hass, lambda: conn.amps() == 26.0)
    await shine(6000, 190)
    await until(hass, lambda: conn.active_phases() == 3)
    await until(hass, lambda: conn.amps() == 8.5)  # 6000 W / 690 V = 8.7 A
    await shine(6000, 10)
    assert state(hass, ACTIVE) == "3"
    assert state(hass, IGNORED) == "off"
    assert conn.transaction_id is not None


@pytest.mark.parametrize("csms_options", [SOLAR])
async def test_a_charger_that_ignores_the_switch_is_not_asked_again(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A charger that accepts numberPhases 1 but draws on three: found out from two
    readings, shown on its binary sensor and in diagnostics, then given profiles
    without numberPhases (the three-phase minimum holds) until it boots again."""
    clock = Clock(hass, monkeypatch)
    sim = await solar_charger(hass, connect_sim, clock, {"ignores_phase_switch"})
    conn = sim.connectors[1]
    shine = sun(hass, sim, clock)
    await shine(2500, 70)  # one phase from the start (the first choice)
    await until(hass, lambda: phases_sent(sim) == 1)
    assert state(hass, IGNORED) == "off"
    await shine(2500, 15)  # it draws on three
    await until(hass, lambda: state(hass, IGNORED) == "on")
    assert model(hass).phase_switch_ignored
    await until(hass, lambda: phases_sent(sim) is None)
    await until(hass, lambda: conn.amps() == 6.0)  # the minimum on three, not 10.5
    await shine(2500, 30)
    assert phases_sent(sim) is None  # not asked again
    await sim.boot()
    await until(hass, lambda: state(hass, IGNORED) == "off")


@pytest.mark.parametrize("quirks", [set(), {"ignores_phase_switch"}])
async def test_the_manual_phases_of_set_charge_limit_are_verified(
    hass: HomeAssistant, connect_sim, csms_entry, quirks: set[str]
) -> None:
    """``set_charge_limit`` with ``phases: 1``: a charger that follows it draws on one
    phase; one that draws on three in two readings is flagged, as in Solar mode."""
    sim = await adopted(hass, connect_sim, "CP1", quirks=quirks)
    sim.connectors[1].can_switch = True  # it can, whatever it says
    await sim.start_transaction(1)
    await act(
        hass, "set_charge_limit", {"device_id": device_id(hass, "CP1/1"), "amps": 16, "phases": 1}
    )
    assert phases_sent(sim) == 1
    for _ in range(2):
        await sim.send_meter_values(1, seconds=0)
        await hass.async_block_till_done()
    if quirks:
        await until(hass, lambda: state(hass, IGNORED) == "on")
        assert sim.connectors[1].active_phases() == 3
    else:
        assert state(hass, IGNORED) == "off"
        assert state(hass, ACTIVE) == "1"


SITE_SOLAR = {**SOLAR, "main_fuse": 25, "main_fuse_phases": 3}
SITE_SOLAR |= {f"grid_current_l{n}": f"sensor.grid_l{n}" for n in (1, 2, 3)}


@pytest.mark.parametrize("csms_options", [SITE_SOLAR])
@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_on_one_phase_the_roomiest_phase_is_used(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 2.x charger that takes phaseToUse (ACPhaseSwitchingSupported), on one phase
    from a 2.5 kW surplus, while the house draws 15 A on L1, 2 A on L2 and 8 A on
    L3: it is asked to use L2, and draws there."""
    clock = Clock(hass, monkeypatch)
    sim = await adopted(
        hass, connect_sim, "CP1", prepare=lambda s: s.allow_phase_switching(phase_to_use=True)
    )
    conn = sim.connectors[1]
    conn.max_amps = 32.0
    sim.engine.clock = clock.now
    await until(hass, lambda: model(hass).capabilities.phase_to_use is True)
    await sim.start_transaction(1)
    await hass.services.async_call(
        "select", "select_option", {"entity_id": SELECT, "option": "solar"}, blocking=True
    )
    house = (15.0, 2.0, 8.0)
    for _ in range(20):
        await sim.send_meter_values(1, seconds=0)
        await hass.async_block_till_done()
        drawn = {n: conn.amps() if n in conn_phases(conn) else 0.0 for n in (1, 2, 3)}
        for n in (1, 2, 3):
            hass.states.async_set(
                f"sensor.grid_l{n}", f"{house[n - 1] + drawn[n]:.1f}", {"unit_of_measurement": "A"}
            )
        grid = -2500 + conn.power_w()
        hass.states.async_set("sensor.grid_power", f"{grid:.0f}", {"unit_of_measurement": "W"})
        await clock.skip(5)
    await until(hass, lambda: conn.active_phases() == 1)
    assert conn.phase_to_use == 2
    assert conn.amps() == 10.5  # 2500 W / 230 V = 10.9 A
    readings = model(hass).connectors[1].measurements.phase_currents
    assert readings[2] == 10.5
    assert readings.get(1, 0.0) == 0.0


def conn_phases(conn: Any) -> set[int]:
    """The phases the simulated connector draws on now."""
    if conn.active_phases() == 1 and conn.phase_to_use:
        return {conn.phase_to_use}
    return set(range(1, conn.active_phases() + 1))
