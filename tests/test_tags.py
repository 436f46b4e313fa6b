"""RFID tags managed in the UI (config subentries): the decisions (listed, blocked,
expired, group, unknown) for every version, the policies (accept all, listed
only, ask an automation), the last rejected tag, the tag event entity, and the
chargers' local lists (full, then differential, re-checked at boot)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ocpp_csms.const import DOMAIN

from .helpers import runtime_of, state, until


async def add_tag(hass: HomeAssistant, csms_entry, **fields: Any) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (csms_entry.entry_id, "tag"), context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    return await hass.config_entries.subentries.async_configure(result["flow_id"], fields)


def unlisted(version: str) -> str:
    return "Invalid" if version == "1.6" else "Unknown"  # 1.6 has no Unknown


async def test_tag_flow_and_decisions(hass: HomeAssistant, csms_entry, charger) -> None:
    presented = async_capture_events(hass, f"{DOMAIN}_tag_presented")
    assert await charger.authorize("ANYONE") == "Accepted"  # no tags yet: all accepted
    result = await add_tag(hass, csms_entry, id_tag="x" * 37)
    assert result["errors"] == {"id_tag": "invalid_tag"}
    result = await add_tag(hass, csms_entry, id_tag="CARD1", name="Anna", group="FAMILY")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["unique_id"] == "card1"
    result = await add_tag(hass, csms_entry, id_tag="card1")
    assert result["errors"] == {"id_tag": "tag_exists"}  # case does not make a new tag
    past = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    await add_tag(hass, csms_entry, id_tag="OLD", expires=past)
    await add_tag(hass, csms_entry, id_tag="STOLEN", blocked=True)
    await add_tag(hass, csms_entry, id_tag="FAMILY")
    await add_tag(hass, csms_entry, id_tag="KID", group="GROUNDED")
    await add_tag(hass, csms_entry, id_tag="GROUNDED", blocked=True)
    await hass.async_block_till_done()

    assert await charger.authorize("card1") == "Accepted"
    info = charger.last_token_info
    group = info.get("parent_id_tag") or (info.get("group_id_token") or {}).get("id_token")
    assert group == "FAMILY"
    assert await charger.authorize("OLD") == "Expired"
    assert await charger.authorize("STOLEN") == "Blocked"
    assert await charger.authorize("KID") == "Blocked"  # its group is blocked
    assert await charger.authorize("ANYONE") == unlisted(charger.version)  # listed only now
    await hass.async_block_till_done()
    assert presented[1].data["name"] == "Anna"
    assert [e.data["status"] for e in presented[1:]] == [
        "Accepted",
        "Expired",
        "Blocked",
        "Blocked",
        "Unknown",
    ]
    # the last refused tag, ready to copy into the list
    rejected = hass.states.get("sensor.ocpp_central_system_last_rejected_tag")
    assert rejected.state == "ANYONE"
    assert rejected.attributes["charger_id"] == "CP1"
    assert rejected.attributes["status"] == "Unknown"
    # the tag event entity fired for the last decision
    event = hass.states.get("event.cp1_tag")
    assert event.attributes["event_type"] == "unknown"
    assert event.attributes["id_tag"] == "ANYONE"


async def test_tag_reconfigured_takes_effect_at_once(
    hass: HomeAssistant, csms_entry, charger
) -> None:
    await add_tag(hass, csms_entry, id_tag="CARD2", name="Ben")
    await hass.async_block_till_done()
    assert await charger.authorize("CARD2") == "Accepted"
    subentry = next(s for s in csms_entry.subentries.values() if s.unique_id == "card2")
    result = await csms_entry.start_subentry_reconfigure_flow(hass, subentry.subentry_id)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Ben", "blocked": True, "token_type": "iso14443"}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert await charger.authorize("CARD2") == "Blocked"
    assert csms_entry.state is config_entries.ConfigEntryState.LOADED  # no reload


@pytest.mark.parametrize("csms_options", [{"tag_policy": "ask", "ask_timeout": 1}])
async def test_ask_an_automation(hass: HomeAssistant, csms_entry, charger) -> None:
    requests = async_capture_events(hass, f"{DOMAIN}_authorize_request")

    async def answer_when_asked(accept: bool) -> None:
        await until(hass, lambda: len(requests) > answered)
        await hass.services.async_call(
            DOMAIN,
            "authorize_tag",
            {"id_tag": requests[-1].data["id_tag"], "accept": accept},
            blocking=True,
        )

    answered = 0
    task = asyncio.ensure_future(answer_when_asked(True))
    assert await charger.authorize("GUEST") == "Accepted"
    await task
    assert requests[0].data["charger_id"] == "CP1"
    assert requests[0].data["timeout"] == 1
    answered = 1
    task = asyncio.ensure_future(answer_when_asked(False))
    assert await charger.authorize("INTRUDER") == "Invalid"
    await task
    # no answer within the timeout: the list decides (listed tags only)
    loop = asyncio.get_running_loop()
    start = loop.time()
    assert await charger.authorize("NOBODY") == unlisted(charger.version)
    assert 0.9 < loop.time() - start < 3
    # a blocked tag is refused without asking
    await add_tag(hass, csms_entry, id_tag="STOLEN", blocked=True)
    await hass.async_block_till_done()
    asked = len(requests)
    assert await charger.authorize("STOLEN") == "Blocked"
    assert len(requests) == asked


async def test_local_list_full_then_differential(hass: HomeAssistant, csms_entry, charger) -> None:
    await add_tag(hass, csms_entry, id_tag="CARD1", name="Anna")
    await until(hass, lambda: "CARD1" in charger.local_list)
    assert charger.local_list_version == 1
    first = [r for r in charger.received if r[0] == "local_list"]
    assert first[-1][1]["update_type"] == "Full"
    await add_tag(hass, csms_entry, id_tag="CARD2")
    await until(hass, lambda: "CARD2" in charger.local_list)
    last = [r for r in charger.received if r[0] == "local_list"][-1][1]
    assert last["update_type"] == "Differential"
    assert last["version"] == 2
    assert [tag for tag, _ in last["items"]] == ["CARD2"]
    # blocking a tag updates the list and clears the charger's cache
    subentry = next(s for s in csms_entry.subentries.values() if s.unique_id == "card1")
    hass.config_entries.async_update_subentry(
        csms_entry, subentry, data={**subentry.data, "blocked": True}
    )
    await until(hass, lambda: charger.local_list["CARD1"]["status"] == "Blocked")
    await until(hass, lambda: charger.cache_cleared == 1)
    # removed from the list: removed from the charger
    hass.config_entries.async_remove_subentry(csms_entry, subentry.subentry_id)
    await until(hass, lambda: "CARD1" not in charger.local_list)
    # the charger applied it before it answered; our side learns it from the answer
    await until(hass, lambda: runtime_of(hass).csms.get_charger("CP1").local_list.version == 4)


async def test_local_list_resent_when_the_charger_lost_it(
    hass: HomeAssistant, csms_entry, charger
) -> None:
    await add_tag(hass, csms_entry, id_tag="CARD1")
    await until(hass, lambda: "CARD1" in charger.local_list)
    charger.local_list, charger.local_list_version = {}, 0  # a factory reset
    assert await charger.boot() == "Accepted"
    await until(hass, lambda: "CARD1" in charger.local_list)
    last = [r for r in charger.received if r[0] == "local_list"][-1][1]
    assert last["update_type"] == "Full"


async def test_a_version_mismatch_sends_the_whole_list(
    hass: HomeAssistant, csms_entry, charger
) -> None:
    """A charger whose list version moved on without us (another backend, say)
    answers a differential update with VersionMismatch: the whole list goes."""
    await add_tag(hass, csms_entry, id_tag="CARD1")
    await until(hass, lambda: "CARD1" in charger.local_list)
    charger.local_list_version = 99
    await add_tag(hass, csms_entry, id_tag="CARD2")
    await until(hass, lambda: "CARD2" in charger.local_list)
    sent = [r[1] for r in charger.received if r[0] == "local_list"]
    assert [(s["update_type"], s["version"]) for s in sent] == [
        ("Full", 1),
        ("Differential", 2),
        ("Full", 2),
    ]
    assert set(charger.local_list) == {"CARD1", "CARD2"}


async def test_charger_without_local_lists(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    from .conftest import add_charger_entry

    await add_charger_entry(hass, "NOLL")
    sim = await connect_sim("NOLL")
    sim.local_list_supported = False
    await add_tag(hass, csms_entry, id_tag="CARD1")
    assert await sim.boot() == "Accepted"
    model = runtime_of(hass).csms.get_charger("NOLL")
    await until(hass, lambda: model.capabilities.local_auth_list is False)
    assert await sim.authorize("CARD1") == "Accepted"  # still authorized online
    assert state(hass, "event.noll_tag") is not None


async def test_session_event_entity(hass: HomeAssistant, charger) -> None:
    """The connector's Session event entity fires at start and end, with the data
    of the bus events, so automations can use it as a device trigger."""
    tx = await charger.start_transaction(1, "CARD1")
    await until(hass, lambda: state(hass, "event.cp1_connector_1_session") not in (None, "unknown"))
    started = hass.states.get("event.cp1_connector_1_session")
    assert started.attributes["event_type"] == "started"
    assert started.attributes["transaction_id"] == str(tx)
    await charger.send_meter_values(1, seconds=60)
    await charger.stop_transaction(1)
    await until(
        hass,
        lambda: (
            hass.states.get("event.cp1_connector_1_session").attributes["event_type"] == "ended"
        ),
    )
    ended = hass.states.get("event.cp1_connector_1_session")
    assert ended.attributes["energy_kwh"] > 0
    assert ended.state != started.state  # a new event, a new timestamp


async def test_local_list_updates_one_at_a_time(hass: HomeAssistant, csms_entry, charger) -> None:
    """Two updates at once (a tag change while the boot's update runs) do not both
    count from the same version: the second sees what the first sent."""
    from custom_components.ocpp_csms.model.authorization import Tag, TagList

    csms = runtime_of(hass).csms
    model = csms.get_charger("CP1")
    await until(hass, lambda: model.capabilities.local_auth_list is True)
    csms.tags.tags = TagList([Tag("RACE1")])
    await asyncio.gather(csms.local_lists.sync(model), csms.local_lists.sync(model))
    sent = [r[1] for r in charger.received if r[0] == "local_list"]
    assert [(s["update_type"], s["version"]) for s in sent] == [("Full", 1)]
    assert model.local_list.version == 1


async def test_tag_form_refuses_what_cannot_be_used(hass: HomeAssistant, csms_entry) -> None:
    """A group longer than a tag may be is refused, when added and when edited; a
    tag stored with the OCPP word of its type (earlier releases) shows it by its
    key when edited."""
    result = await add_tag(hass, csms_entry, id_tag="CARD9", group="G" * 40)
    assert result["errors"] == {"base": "invalid_tag"}
    assert (await add_tag(hass, csms_entry, id_tag="CARD9"))["type"] is FlowResultType.CREATE_ENTRY
    subentry = next(s for s in csms_entry.subentries.values() if s.unique_id == "card9")
    hass.config_entries.async_update_subentry(
        csms_entry, subentry, data={**subentry.data, "token_type": "KeyCode"}
    )
    result = await csms_entry.start_subentry_reconfigure_flow(hass, subentry.subentry_id)
    shown = next(k for k in result["data_schema"].schema if k == "token_type")
    assert shown.description["suggested_value"] == "key_code"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"blocked": False, "token_type": "key_code", "group": "G" * 40}
    )
    assert result["errors"] == {"base": "invalid_tag"}
