"""The solar share of a session, on every version: the energy of each reading split
by the surplus of that moment (the grid sensor's), shown on the connector, kept in
the session history and its CSV export, and costed at the feed-in price for the
part the surplus covered."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.ocpp_csms.const import CONF_FIXED_PRICE, DOMAIN

from .helpers import Clock, adopted, state, until
from .test_session_history import until_sessions

SITE = {
    "response_timeout": 3,
    "limit_spacing": 0,
    "ping_interval": 0,
    "grid_power": "sensor.grid_power",
    "feed_in_price": "sensor.feed_in",
}
SHARE = "sensor.cp1_connector_1_session_solar_share"
COST = "sensor.cp1_connector_1_session_cost"


@pytest.mark.parametrize("csms_options", [SITE])
async def test_a_session_counts_what_the_surplus_covered(
    hass: HomeAssistant,
    csms_entry,
    connect_sim,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """16 A on three phases (11 040 W) in Now mode: for 15 minutes the house
    exports half of that without the charger (half the energy is surplus), then all
    of it (all surplus): 75 % of 5.52 kWh. At 0.30 a kWh from the grid and 0.08
    paid for a kWh exported: 2.76 x (0.5 x 0.08 + 0.5 x 0.30) + 2.76 x 0.08."""
    hass.config.config_dir = str(tmp_path)
    clock = Clock(hass, monkeypatch)
    hass.states.async_set("sensor.feed_in", "8", {"unit_of_measurement": "ct/kWh"})
    sim = await adopted(hass, connect_sim, "CP1")
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    hass.config_entries.async_update_entry(entry, options={CONF_FIXED_PRICE: 0.30})
    await hass.async_block_till_done()
    sim.engine.clock = clock.now
    await sim.start_transaction(1, id_tag="SUN")
    conn = sim.connectors[1]
    await until(hass, lambda: conn.amps() == 16.0)
    await sim.send_meter_values(1, seconds=0)

    async def export(without_charger_w: float) -> None:
        """The grid meter while the house would export this without the charger."""
        grid = -without_charger_w + conn.power_w()
        hass.states.async_set("sensor.grid_power", f"{grid:.0f}", {"unit_of_measurement": "W"})
        await clock.skip(1.1)  # a site cycle: the share of the moment

    await export(5520)
    await sim.send_meter_values(1, seconds=900)  # 2.76 kWh, half surplus
    await until(hass, lambda: state(hass, SHARE) == "50.0")
    await export(20000)  # more than the charger takes: all of it is surplus
    await sim.send_meter_values(1, seconds=900)  # 2.76 kWh, all surplus
    await until(hass, lambda: state(hass, SHARE) == "75.0")
    expected_cost = 2.76 * (0.5 * 0.08 + 0.5 * 0.30) + 2.76 * 0.08
    assert float(state(hass, COST)) == pytest.approx(expected_cost, abs=0.001)
    await sim.stop_transaction(1)
    result = await until_sessions(hass, 1)
    (record,) = result["sessions"]
    assert record["solar_share"] == 75.0
    assert record["solar_kwh"] == pytest.approx(4.14, abs=0.001)
    assert record["grid_kwh"] == pytest.approx(1.38, abs=0.001)
    assert record["cost"] == pytest.approx(expected_cost, abs=0.001)
    exported = await hass.services.async_call(
        DOMAIN, "export_sessions", {}, blocking=True, return_response=True
    )
    text = await hass.async_add_executor_job(Path(exported["path"]).read_text)
    (row,) = list(csv.DictReader(text.splitlines()))
    assert (row["solar_share"], row["solar_kwh"], row["grid_kwh"]) == ("75.0", "4.14", "1.38")
    assert state(hass, SHARE) == "75.0"  # the last session's, until the next starts


async def test_without_a_grid_sensor_there_is_no_share(hass: HomeAssistant, charger) -> None:
    """No site: the energy's source is not known, and nothing claims it."""
    await charger.start_transaction(1)
    await charger.send_meter_values(1, seconds=900)
    await charger.stop_transaction(1)
    result = await until_sessions(hass, 1)
    (record,) = result["sessions"]
    assert record["solar_share"] is None
    assert record["solar_kwh"] is None
    # it cannot be known, not merely not yet: no sensor that would say unknown for ever
    assert hass.states.get(SHARE) is None
    assert er.async_get(hass).async_get(SHARE) is None
