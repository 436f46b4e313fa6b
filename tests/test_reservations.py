"""Reservations on every version: made, shown, used, cancelled, expired (ours and
the charger's), unique ids, and kept across a restart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.ocpp_csms.const import DOMAIN

from .helpers import act, device_id, enable_entities, model, restart, state, until

SENSOR = "sensor.cp1_connector_1_reservation"
EVENT = "event.cp1_connector_1_reservation"


def _event_type(hass: HomeAssistant) -> str | None:
    st = hass.states.get(EVENT)
    return None if st is None else st.attributes.get("event_type")


async def test_reserve_show_and_use(hass: HomeAssistant, charger) -> None:
    await enable_entities(hass, "CP1", EVENT)
    events = async_capture_events(hass, f"{DOMAIN}_reservation")
    conn_device = device_id(hass, "CP1/1")
    result = await act(
        hass,
        "reserve_now",
        {"device_id": conn_device, "id_tag": "TAG7", "expires": "00:30:00"},
        response=True,
    )
    reservation = result["connectors"]["CP1/1"]
    rid = reservation["reservation_id"]
    kind, sent = charger.received[-1]
    assert kind == "reserve"
    assert sent["connector_id"] == 1
    assert sent["id_tag"] == "TAG7"
    assert sent["reservation_id"] == rid
    # the charger took it and says so in its status; the sensor shows it, and its expiry
    await until(hass, lambda: state(hass, "sensor.cp1_connector_1_status") == "reserved")
    st = hass.states.get(SENSOR)
    assert st.state == "reserved"
    assert dt_util.parse_datetime(st.attributes["expires"]) == dt_util.parse_datetime(
        reservation["expires"]
    )
    assert st.attributes["id_tag"] == "TAG7"
    assert st.attributes["scope"] == "connector"
    assert _event_type(hass) == "created"
    # ids are unique: the next one (another charger target) is a new number
    second = await act(
        hass,
        "reserve_now",
        {"device_id": device_id(hass, "CP1"), "id_tag": "TAG8", "expires": "01:00:00"},
        response=True,
    )
    assert second["chargers"]["CP1"]["reservation_id"] == rid + 1
    assert charger.received[-1][1]["connector_id"] is None  # any connector
    # a session with the tag uses the connector's reservation
    await charger.start_transaction(1, id_tag="TAG7")
    await until(hass, lambda: _event_type(hass) == "used")
    assert rid not in model(hass).reservations
    # the charger-wide one remains, and shows on the connector as such
    assert hass.states.get(SENSOR).attributes["scope"] == "charger"
    assert [e.data["event"] for e in events] == ["created", "created", "used"]


async def test_cancel_and_errors(hass: HomeAssistant, charger) -> None:
    await enable_entities(hass, "CP1", EVENT)
    conn_device = device_id(hass, "CP1/1")
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "cancel_reservation", {"device_id": conn_device})
    assert err.value.translation_key == "choose_reservation"
    with pytest.raises(ServiceValidationError) as err:
        await act(hass, "cancel_reservation", {"device_id": conn_device, "reservation_id": 99})
    assert err.value.translation_key == "unknown_reservation"
    with pytest.raises(ServiceValidationError) as err:
        await act(
            hass,
            "reserve_now",
            {"device_id": conn_device, "id_tag": "T", "expires": "2020-01-01T00:00:00"},
        )
    assert err.value.translation_key == "in_the_past"
    await act(hass, "reserve_now", {"device_id": conn_device, "id_tag": "T", "expires": "00:10:00"})
    await until(hass, lambda: state(hass, SENSOR) == "reserved")
    await act(hass, "cancel_reservation", {"device_id": conn_device})
    assert charger.received[-1][0] == "cancel_reservation"
    assert not charger.reservations
    await until(hass, lambda: state(hass, SENSOR) == "none")
    assert _event_type(hass) == "cancelled"
    await until(hass, lambda: state(hass, "sensor.cp1_connector_1_status") == "available")
    # a charger that refuses: the charger's answer, nothing kept
    await charger.plug_in(1)
    with pytest.raises(HomeAssistantError) as err:
        await act(
            hass, "reserve_now", {"device_id": conn_device, "id_tag": "T", "expires": "00:10:00"}
        )
    assert err.value.translation_placeholders["answer"] == "Occupied"
    assert not model(hass).reservations


async def test_expiry_ours_and_the_chargers(hass: HomeAssistant, charger) -> None:
    await enable_entities(hass, "CP1", EVENT)
    conn_device = device_id(hass, "CP1/1")
    await act(hass, "reserve_now", {"device_id": conn_device, "id_tag": "T", "expires": "00:05:00"})
    await until(hass, lambda: _event_type(hass) == "created")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=6))
    await until(hass, lambda: _event_type(hass) == "expired")
    assert state(hass, SENSOR) == "none"
    if charger.version == "1.6":
        return  # 1.6 chargers say nothing when theirs expires
    result = await act(
        hass,
        "reserve_now",
        {"device_id": conn_device, "id_tag": "T", "expires": "00:05:00"},
        response=True,
    )
    rid = result["connectors"]["CP1/1"]["reservation_id"]
    await charger.expire_reservation(rid)  # ReservationStatusUpdate Expired
    await until(hass, lambda: rid not in model(hass).reservations)
    assert state(hass, SENSOR) == "none"


async def test_reservation_survives_a_restart(hass: HomeAssistant, charger, connect_sim) -> None:
    conn_device = device_id(hass, "CP1/1")
    result = await act(
        hass,
        "reserve_now",
        {"device_id": conn_device, "id_tag": "TAGR", "expires": "02:00:00"},
        response=True,
    )
    rid = result["connectors"]["CP1/1"]["reservation_id"]
    runtime = await restart(hass)
    assert rid in runtime.csms.get_charger("CP1").reservations
    assert runtime.csms.stored.reservation_counter == rid
    sim = await connect_sim("CP1", sim_version=charger.version)
    await sim.send_all_status()
    await until(hass, lambda: hass.states.get(SENSOR).attributes.get("id_tag") == "TAGR")
    # and the next id is new
    nxt = await act(
        hass,
        "reserve_now",
        {"device_id": device_id(hass, "CP1"), "id_tag": "X", "expires": "00:10:00"},
        response=True,
    )
    assert nxt["chargers"]["CP1"]["reservation_id"] == rid + 1
