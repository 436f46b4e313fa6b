"""Security profile 1: each charger's own password (generated, shown once, stored
hashed, rotated over OCPP), the policy for chargers without one, failed logins."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import pytest
import websockets
from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry
from websockets.exceptions import InvalidStatus

from custom_components.ocpp_csms.const import (
    CONF_CHARGER_ID,
    CONF_KIND,
    DOMAIN,
    KIND_CHARGER,
    KIND_CSMS,
)
from custom_components.ocpp_csms.transport.passwords import FAILURES_FOR_REPAIR, PasswordHash

from .conftest import add_charger_entry
from .helpers import model, runtime_of, server_port, state, status_of, until

KNOWN = "Known-password-0123"


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def entry_with_password(hass: HomeAssistant, charger_id: str, password: str):
    entry = await add_charger_entry(hass, charger_id)
    await runtime_of(hass).access.store(entry, password, keep_previous=False)
    return entry


async def test_generated_password_is_shown_once_and_stored_hashed(
    hass: HomeAssistant, csms_entry, connect_sim, url: str, hass_storage: dict[str, Any]
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"charger_id": "GEN1", "password_mode": "generate"}
    )
    assert result["step_id"] == "credentials"
    shown = result["description_placeholders"]
    password = shown["password"]
    assert len(password) == 20
    assert password.isalnum()
    assert shown["url"].endswith("/ocpp/GEN1")
    assert shown["charger_id"] == "GEN1"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == "GEN1"
    assert PasswordHash.from_dict(entry.data["password_hash"]).verify(password)
    await hass.async_block_till_done()
    await hass.async_block_till_done()
    # the password itself is nowhere: not in the entry, not in any stored file
    assert password not in json.dumps(dict(entry.data))
    assert password not in json.dumps(hass_storage)

    assert await status_of(f"{url}/GEN1") == 401
    assert await status_of(f"{url}/GEN1", basic("GEN1", "wrong-password-000")) == 401
    assert await status_of(f"{url}/GEN1", basic("OTHER", password)) == 401
    assert await status_of(f"{url}/GEN1", {"Authorization": "Basic !!"}) == 401
    sim = await connect_sim("GEN1", password=password)
    assert await sim.boot() == "Accepted"


async def test_known_password_entered_and_checked(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"charger_id": "KN1", "password_mode": "enter", "password": "short"}
    )
    assert result["errors"] == {"password": "invalid_password"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"charger_id": "KN1", "password_mode": "enter", "password": KNOWN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY  # no page to show it again
    await hass.async_block_till_done()
    sim = await connect_sim("KN1", password=KNOWN)
    assert await sim.boot() == "Accepted"


async def test_failed_logins_logged_once_and_repaired(
    hass: HomeAssistant, csms_entry, connect_sim, url: str, caplog
) -> None:
    await entry_with_password(hass, "FL1", KNOWN)
    caplog.set_level(logging.WARNING)
    for _ in range(FAILURES_FOR_REPAIR):
        assert await status_of(f"{url}/FL1", basic("FL1", "not-the-password-1")) == 401
    refused = [r for r in caplog.records if "Refused connection of charger FL1" in r.getMessage()]
    assert len(refused) == 1
    assert "127.0.0.1" in refused[0].getMessage()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "auth_failures_FL1")
    assert issue is not None
    assert issue.translation_placeholders == {
        "charger": "FL1",
        "address": "127.0.0.1",
        "count": str(FAILURES_FOR_REPAIR),
    }
    sim = await connect_sim("FL1", password=KNOWN)
    assert await sim.boot() == "Accepted"
    assert ir.async_get(hass).async_get_issue(DOMAIN, "auth_failures_FL1") is None


async def test_unauthenticated_newcomer_never_replaces(
    hass: HomeAssistant, csms_entry, connect_sim, url: str
) -> None:
    await entry_with_password(hass, "NR1", KNOWN)
    sim = await connect_sim("NR1", password=KNOWN)
    assert await sim.boot() == "Accepted"
    assert await status_of(f"{url}/NR1") == 401
    await sim.heartbeat()  # still served
    assert runtime_of(hass).csms.chargers["NR1"].connected


async def test_rotate_password_over_ocpp(hass: HomeAssistant, csms_entry, connect_sim) -> None:
    entry = await entry_with_password(hass, "ROT1", KNOWN)
    sim = await connect_sim("ROT1", password=KNOWN)
    assert await sim.boot() == "Accepted"
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, "ROT1"), entry.entry_id).id
    response = await hass.services.async_call(
        DOMAIN, "rotate_password", {"device_id": device}, blocking=True, return_response=True
    )
    new = response["chargers"]["ROT1"]["password"]
    assert sim.password_set == new
    assert new != KNOWN
    assert "previous_password_hash" in entry.data
    # the old password still works until the charger logs in with the new one
    old_sim = await connect_sim("ROT1", password=KNOWN)
    await old_sim.heartbeat()
    new_sim = await connect_sim("ROT1", password=new)
    await new_sim.heartbeat()
    await until(hass, lambda: "previous_password_hash" not in entry.data)
    url = f"ws://127.0.0.1:{server_port(hass)}/ocpp"
    assert await status_of(f"{url}/ROT1", basic("ROT1", KNOWN)) == 401
    # a rotation the charger refuses changes nothing
    sim_offline_hash = dict(entry.data["password_hash"])
    await new_sim.close()
    # as Home Assistant sees it (a busy machine may take a moment to read the close)
    await until(hass, lambda: not model(hass, "ROT1").connected)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "rotate_password", {"device_id": device}, blocking=True, return_response=True
        )
    assert err.value.translation_key == "charger_offline"
    assert entry.data["password_hash"] == sim_offline_hash


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_adopting_a_discovered_charger_sends_its_password(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    sim = await connect_sim("DISC1")
    assert await sim.boot() == "Pending"
    await hass.async_block_till_done()
    flow = hass.config_entries.flow.async_progress_by_handler(DOMAIN)[0]
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"password_mode": "generate"}
    )
    assert result["step_id"] == "credentials"
    password = result["description_placeholders"]["password"]
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await until(hass, lambda: sim.password_set == password)
    await until(hass, lambda: state(hass, "sensor.disc1_password") == "waiting")
    again = await connect_sim("DISC1", password=password)
    assert await again.boot() == "Accepted"
    await until(hass, lambda: state(hass, "sensor.disc1_password") == "required")


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_charger_that_cannot_take_its_password_is_not_locked_out(
    hass: HomeAssistant, csms_entry, connect_sim
) -> None:
    """Adopted with a generated password it refuses: after its reboot it is still
    let in as before, a repair issue says so; once it logs in with the password,
    only the password works."""
    sim = await connect_sim("DISC2")
    sim.takes_password = False
    assert await sim.boot() == "Pending"
    await hass.async_block_till_done()
    flow = hass.config_entries.flow.async_progress_by_handler(DOMAIN)[0]
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"password_mode": "generate"}
    )
    password = result["description_placeholders"]["password"]
    await hass.config_entries.flow.async_configure(flow["flow_id"], {})
    issues = ir.async_get(hass)
    await until(
        hass, lambda: issues.async_get_issue(DOMAIN, "password_not_taken_DISC2") is not None
    )
    assert sim.password_set is None
    await until(hass, lambda: state(hass, "sensor.disc2_password") == "not_taken")
    await sim.close()
    rebooted = await connect_sim("DISC2")  # without credentials, as before its adoption
    assert await rebooted.boot() == "Accepted"
    await rebooted.close()
    # the user enters the password in the charger: from then on only it lets it in
    entered = await connect_sim("DISC2", password=password)
    assert await entered.boot() == "Accepted"
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, "password_not_taken_DISC2") is None
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "DISC2")
    assert "open_until_login" not in entry.data
    assert state(hass, "sensor.disc2_password") == "required"
    await entered.close()
    with pytest.raises(InvalidStatus):
        await connect_sim("DISC2")


@pytest.mark.parametrize("version", ["1.6"])
async def test_password_raises_a_profile_0_charger_to_profile_1(
    hass: HomeAssistant, charger
) -> None:
    """1.6 on security profile 0 keeps connecting without credentials after taking a
    key: the key first, then SecurityProfile 1 (the security whitepaper's order)."""
    charger.configuration["SecurityProfile"] = "0"
    entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, "CP1")
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, "CP1"), entry.entry_id).id
    response = await hass.services.async_call(
        DOMAIN, "rotate_password", {"device_id": device}, blocking=True, return_response=True
    )
    assert charger.password_set is not None
    assert charger.configuration["SecurityProfile"] == "1"
    sets = [f["key"] for k, f in charger.received if k == "set_config"]
    assert sets[-2:] == ["AuthorizationKey", "SecurityProfile"]
    assert response


async def test_charger_options_set_and_remove_password(
    hass: HomeAssistant, csms_entry, connect_sim, url: str
) -> None:
    entry = await add_charger_entry(hass, "OPT1")
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"protocol": "auto", "new_password": "x"}
    )
    assert result["errors"] == {"new_password": "invalid_password"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"protocol": "auto", "new_password": KNOWN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert await status_of(f"{url}/OPT1") == 401
    sim = await connect_sim("OPT1", password=KNOWN)
    await sim.boot()
    await sim.close()
    result = await hass.config_entries.options.async_init(entry.entry_id)
    await hass.config_entries.options.async_configure(
        result["flow_id"], {"protocol": "auto", "remove_password": True}
    )
    assert "password_hash" not in entry.data
    assert await status_of(f"{url}/OPT1") == 101  # no charger has a password: allowed


async def test_chargers_without_password(hass: HomeAssistant, csms_entry, url: str) -> None:
    await add_charger_entry(hass, "NOPW")
    assert await status_of(f"{url}/NOPW") == 101  # nobody has a password yet
    await entry_with_password(hass, "HASPW", KNOWN)
    assert await status_of(f"{url}/NOPW") == 401  # automatic: refused once one has
    hass.config_entries.async_update_entry(
        csms_entry, options={**csms_entry.options, "no_password": "allow"}
    )
    await hass.async_block_till_done()
    assert await status_of(f"{url}/NOPW") == 101
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "no_password_NOPW")
    assert issue is not None
    assert issue.translation_key == "no_password"
    hass.config_entries.async_update_entry(
        csms_entry, options={**csms_entry.options, "no_password": "refuse"}
    )
    await hass.async_block_till_done()
    assert await status_of(f"{url}/NOPW") == 401


async def test_shared_password_of_earlier_versions_migrated(
    hass: HomeAssistant, socket_enabled
) -> None:
    charger = MockConfigEntry(
        domain=DOMAIN,
        title="OLD1",
        unique_id="OLD1",
        data={CONF_KIND: KIND_CHARGER, CONF_CHARGER_ID: "OLD1"},
    )
    charger.add_to_hass(hass)
    csms = MockConfigEntry(
        domain=DOMAIN,
        title="OCPP central system",
        data={CONF_KIND: KIND_CSMS, "host": "127.0.0.1", "port": 0},
        options={"charger_password": "shared-secret-1234", "response_timeout": 3},
    )
    csms.add_to_hass(hass)
    assert await hass.config_entries.async_setup(csms.entry_id)
    await hass.async_block_till_done()
    assert "charger_password" not in csms.options
    assert PasswordHash.from_dict(charger.data["password_hash"]).verify("shared-secret-1234")
    url = f"ws://127.0.0.1:{server_port(hass)}/ocpp"
    assert await status_of(f"{url}/OLD1", basic("OLD1", "shared-secret-1234")) == 101
    assert await status_of(f"{url}/OLD1") == 401


async def test_unsupported_version_raises_a_repair(hass: HomeAssistant, csms_entry, url) -> None:
    """A charger with an entry that offers no version we speak gets a repair issue;
    an unknown id only the log line; the issue clears at the next connection."""
    await add_charger_entry(hass, "OLDV")
    for charger_id in ("OLDV", "NOBODY"):
        with pytest.raises(InvalidStatus):
            async with websockets.connect(f"{url}/{charger_id}", subprotocols=["ocpp1.5"]):
                pass
    registry = ir.async_get(hass)
    issue = registry.async_get_issue(DOMAIN, "unsupported_version_OLDV")
    assert issue is not None
    assert issue.translation_placeholders["offered"] == "ocpp1.5"
    assert registry.async_get_issue(DOMAIN, "unsupported_version_NOBODY") is None
    assert await status_of(f"{url}/OLDV") == 101  # 1.6 now
    await hass.async_block_till_done()
    assert registry.async_get_issue(DOMAIN, "unsupported_version_OLDV") is None
