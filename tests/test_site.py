"""Load management on the house's fuse, and the charging modes, with real chargers.

The grid sensors are set as a user's Home Assistant would set them (states of
sensor entities); the simulated chargers apply the profiles they receive and
report what they draw on each phase. What is checked is what the chargers draw.
"""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.ocpp_csms.const import DOMAIN

from .helpers import Clock, model, state, until
from .site_helpers import (
    FUSE,
    GRID,
    SAFE_SHARE,
    SITE,
    SOLAR,
    charging,
    drawn,
    report,
    set_grid,
    three_charging,
)


@pytest.mark.parametrize("csms_options", [SITE])
async def test_three_chargers_never_over_the_fuse(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three chargers on a 3 x 25 A fuse, cars of 10 A, at the safe limit until the
    meter reports. After every step of the house's load, within one controller
    cycle, what the house and the chargers draw on each phase stays within the fuse,
    and a charger below the minimum is paused, never given less."""
    clock = Clock(hass, monkeypatch)
    sims = await three_charging(hass, connect_sim, clock, amps=10.0)
    assert drawn(sims) == pytest.approx(3 * SAFE_SHARE)
    steps = ((10.0, 5.0, 5.0), (5.0, 5.0, 5.0), (12.0, 3.0, 3.0), (20.0, 2.0, 2.0), (3.0,) * 3)
    for house in steps:
        set_grid(hass, house, sims)  # step 1: 40 A on L1
        await clock.skip(1.1)
        worst = max(house)

        def within() -> bool:
            return worst + drawn(sims) <= FUSE + 0.5  # noqa: B023

        await until(hass, within)
        for sim in sims:
            amps = sim.connectors[1].amps()
            assert amps == 0 or amps >= 6.0 - 0.05, (house, amps)
        await report(sims)
        set_grid(hass, house, sims)
        await clock.skip(1.1)
        assert worst + drawn(sims) <= FUSE + 0.5
    # the house light again: room for all three above the minimum, within the fuse;
    # one the fuse paused resumes once there has been room for it for a minute
    for _ in range(13):
        set_grid(hass, steps[-1], sims)
        await clock.skip(5)
    await until(hass, lambda: all(sim.connectors[1].amps() >= 6.0 for sim in sims))
    assert drawn(sims) + 3.0 <= FUSE + 0.5
    assert state(hass, "sensor.ocpp_central_system_headroom_l1") not in (None, "unavailable")


@pytest.mark.parametrize("csms_options", [SITE])
async def test_priority_pauses_the_lowest_first(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Room for two at the minimum: the connector of the lowest priority is paused,
    the others keep charging; the binary sensor says the load is limited."""
    clock = Clock(hass, monkeypatch)
    sims = await three_charging(hass, connect_sim, clock)
    for n, priority in ((1, 5), (2, 0), (3, 9)):
        model(hass, f"CP{n}").connectors[1].desired.priority = priority
    await report(sims)
    set_grid(hass, (12.0, 12.0, 12.0), sims)  # 13 A left per phase: two at 6 A
    await clock.skip(1.1)
    await until(hass, lambda: sims[1].connectors[1].amps() == 0)
    assert sims[0].connectors[1].amps() >= 6.0
    assert sims[2].connectors[1].amps() >= 6.0
    assert state(hass, "binary_sensor.ocpp_central_system_load_limited") == "on"


@pytest.mark.parametrize("csms_options", [SITE])
async def test_stale_grid_sensor_falls_back_to_safe_limits(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grid sensor that goes unavailable: every charging connector is held at the
    safe limit (the fuse's share), a repair issue names the sensor, and once it
    reports again the normal shares return and the issue goes."""
    clock = Clock(hass, monkeypatch)
    sims = await three_charging(hass, connect_sim, clock)
    await report(sims)
    for _ in range(13):  # past the first minute (the sensors' integrations loading)
        set_grid(hass, (2.0, 2.0, 2.0), sims)
        await clock.skip(5)
    await until(hass, lambda: all(s.connectors[1].amps() > FUSE / 3 for s in sims) is False)
    hass.states.async_set(GRID[1], "unavailable")
    await clock.skip(1.1)
    issues = ir.async_get(hass)
    await until(hass, lambda: issues.async_get_issue(DOMAIN, "site_sensor_stale") is not None)
    issue = issues.async_get_issue(DOMAIN, "site_sensor_stale")
    assert issue.translation_placeholders["entity_id"] == GRID[1]
    await until(hass, lambda: all(s.connectors[1].amps() <= FUSE / 3 + 0.05 for s in sims))
    set_grid(hass, (2.0, 2.0, 2.0), sims)
    await clock.skip(1.1)
    await until(hass, lambda: issues.async_get_issue(DOMAIN, "site_sensor_stale") is None)


@pytest.mark.parametrize("csms_options", [SITE])
async def test_a_sensor_that_stops_reporting_is_stale(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No state reported for the sensor timeout (60 s) is stale, even if its last
    number is still shown; a steady value that keeps being reported is fresh."""
    clock = Clock(hass, monkeypatch)
    sims = await three_charging(hass, connect_sim, clock)
    issues = ir.async_get(hass)
    for _ in range(4):  # reported every 20 s, unchanged: fresh
        set_grid(hass, (2.0, 2.0, 2.0), sims)
        await clock.skip(20)
    assert issues.async_get_issue(DOMAIN, "site_sensor_stale") is None
    await clock.skip(65)  # then nothing for over a minute
    await until(hass, lambda: issues.async_get_issue(DOMAIN, "site_sensor_stale") is not None)


async def test_charging_mode_off_and_now(hass: HomeAssistant, charger) -> None:
    """The mode select: Off holds 0 A with the session kept; Now charges again. Without
    a grid sensor the solar modes are not offered, and the action refuses them."""
    await charger.start_transaction(1)
    select = "select.cp1_connector_1_charging_mode"
    assert state(hass, select) == "now"
    assert hass.states.get(select).attributes["options"] == ["off", "now", "plan"]
    await hass.services.async_call(
        "select", "select_option", {"entity_id": select, "option": "off"}, blocking=True
    )
    await until(hass, lambda: charger.connectors[1].amps() == 0)
    assert charger.connectors[1].transaction_id is not None
    result = await hass.services.async_call(
        DOMAIN,
        "set_charging_mode",
        {"entity_id": select, "mode": "now"},
        blocking=True,
        return_response=True,
    )
    assert result["connectors"]["CP1/1"]["mode"] == "now"
    await until(hass, lambda: charger.connectors[1].amps() > 0)
    with pytest.raises(Exception, match="grid power sensor"):
        await hass.services.async_call(
            DOMAIN, "set_charging_mode", {"entity_id": select, "mode": "solar"}, blocking=True
        )


@pytest.mark.parametrize("csms_options", [SOLAR])
async def test_solar_mode_follows_the_surplus_with_its_delays(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Solar mode over a made-up afternoon (the clock moved, not slept): no charging
    without a surplus; a start once the surplus has held the minimum (6 A x 3 x 230 V
    = 4140 W) for the enable delay; following it in 0.5 A steps; the minimum through
    a dip until the disable delay has passed, then a pause with the session kept."""
    clock = Clock(hass, monkeypatch)
    sim = await charging(hass, connect_sim, clock)
    conn = sim.connectors[1]

    async def sun(surplus_w: float, seconds: float) -> None:
        """The surplus (what the house exports without the charger) for a while."""
        for _ in range(int(seconds // 5)):
            grid = -surplus_w + conn.power_w()  # the meter and the charger agree
            await sim.send_meter_values(1, seconds=0)
            hass.states.async_set(
                "sensor.grid_power", f"{grid / 1000:.3f}", {"unit_of_measurement": "kW"}
            )
            await clock.skip(5)

    select = "select.cp1_connector_1_charging_mode"
    assert "solar" in hass.states.get(select).attributes["options"]
    await hass.services.async_call(
        "select", "select_option", {"entity_id": select, "option": "solar"}, blocking=True
    )
    await sun(1000, 30)
    await until(hass, lambda: conn.amps() == 0)
    await sun(5000, 50)  # not yet a minute
    assert conn.amps() == 0
    await sun(5000, 20)
    await until(hass, lambda: conn.amps() == 7.0)  # 5000 W / 690 V = 7.2 A: 7.0
    await sun(8000, 20)
    await sun(8000, 5)
    assert conn.amps() == 11.5  # 8000 W / 690 V = 11.59 A: 11.5
    assert state(hass, "sensor.ocpp_central_system_solar_surplus") not in (None, "unavailable")
    await sun(2000, 60)  # a cloud: the minimum, not yet a pause
    await until(hass, lambda: conn.amps() == 6.0)
    await sun(2000, 130)  # below the minimum for over 3 minutes: paused
    await until(hass, lambda: conn.amps() == 0)
    assert conn.transaction_id is not None  # the session is kept


@pytest.mark.parametrize("csms_options", [SOLAR])
async def test_minimum_and_solar_never_goes_below_the_minimum(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Minimum + solar: the minimum without a surplus, more from a surplus."""
    clock = Clock(hass, monkeypatch)
    sim = await charging(hass, connect_sim, clock)
    conn = sim.connectors[1]
    result = await hass.services.async_call(
        DOMAIN,
        "set_charging_mode",
        {"entity_id": "select.cp1_connector_1_charging_mode", "mode": "min_solar"},
        blocking=True,
        return_response=True,
    )
    assert result["connectors"]["CP1/1"]["mode"] == "min_solar"
    hass.states.async_set("sensor.grid_power", "300", {"unit_of_measurement": "W"})
    await clock.skip(1.1)
    await until(hass, lambda: conn.amps() == 6.0)
    grid = -9000 + conn.power_w()
    await sim.send_meter_values(1, seconds=0)
    hass.states.async_set("sensor.grid_power", str(grid), {"unit_of_measurement": "W"})
    await clock.skip(1.1)
    await until(hass, lambda: conn.amps() == 13.0)  # 9000 W / 690 V = 13.04 A


@pytest.mark.parametrize("csms_options", [SITE])
async def test_readings_older_than_a_lower_limit_do_not_share_the_fuse_twice(
    hass: HomeAssistant, csms_entry, connect_sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chargers that last reported 32 A each, then accepted the safe limit (8.3 A):
    once the meter shows what they draw now, their old readings count for no more
    than the limit they accepted. Counted as 32 A, the house would look light and the
    fuse be shared out again on top of what they draw (6 + 6 + 13 A over a house of
    12 A on a 25 A fuse)."""
    clock = Clock(hass, monkeypatch)
    sims = [await charging(hass, connect_sim, clock, f"CP{n}") for n in (1, 2, 3)]
    await report(sims)  # 32 A each
    await clock.skip(1.1)  # the first cycle, no grid reading yet: the safe limits
    conns = [model(hass, f"CP{n}").connectors[1] for n in (1, 2, 3)]

    def accepted() -> bool:  # as Home Assistant has it (the chargers apply it before)
        return all(c.charge_limit and c.charge_limit.value == SAFE_SHARE for c in conns)

    await until(hass, accepted)
    for conn, priority in zip(conns, (5, 0, 9), strict=True):
        conn.desired.priority = priority
    await clock.skip(6)  # the cars follow; the chargers report nothing new
    set_grid(hass, (12.0, 12.0, 12.0), sims)  # the house's 12 A and their 24.9
    await clock.skip(1.1)
    await until(hass, lambda: sims[1].connectors[1].amps() == 0)  # room for two
    assert 12.0 + drawn(sims) <= FUSE + 0.5
