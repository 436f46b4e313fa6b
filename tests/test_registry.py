"""The version registry is the one list of OCPP versions, and every adapter in it
implements every command and lifecycle method of ChargerAdapter itself."""

from __future__ import annotations

import inspect
from typing import get_protocol_members

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_csms.const import CONF_KIND, DOMAIN, KIND_CSMS
from custom_components.ocpp_csms.protocol.adapter import ChargerAdapter
from custom_components.ocpp_csms.protocol.registry import (
    ALL_TRIGGERABLE,
    DEFAULT_VERSION,
    VERSIONS,
    subprotocols,
)

from .simulator import SIMULATORS

MEMBERS = sorted(get_protocol_members(ChargerAdapter))


def _implementation(cls: type, name: str) -> object:
    """Where the class gets the member from: ours, never the ocpp library's."""
    for klass in cls.__mro__:
        if name in vars(klass):
            assert klass.__module__.startswith("custom_components.ocpp_csms"), (
                f"{cls.__name__}.{name} comes from {klass.__module__}"
            )
            return vars(klass)[name]
    raise AssertionError(f"{cls.__name__} has no {name}")


@pytest.mark.parametrize("name", sorted(VERSIONS))
def test_every_adapter_implements_the_whole_protocol(name: str) -> None:
    adapter = VERSIONS[name].adapter
    assert isinstance(adapter, type)
    assert {"remote_start", "set_charging_profile", "route_message", "close_tasks"} <= set(MEMBERS)
    for member in MEMBERS:
        impl = _implementation(adapter, member)
        if not callable(impl):  # a data member (sampling_keys): its value is the adapter's
            continue
        source = inspect.getsource(impl)  # type: ignore[arg-type]
        assert "raise NotImplementedError" not in source, f"{name}: {member} is a stub"


def test_registry_is_the_one_list() -> None:
    assert list(VERSIONS) == ["2.1", "2.0.1", "1.6"]  # newest first: it wins negotiation
    assert subprotocols() == {"ocpp2.1": "2.1", "ocpp2.0.1": "2.0.1", "ocpp1.6": "1.6"}
    assert DEFAULT_VERSION in VERSIONS
    assert set(SIMULATORS) == set(VERSIONS)
    for name, spec in VERSIONS.items():
        assert SIMULATORS[name].subprotocol == spec.subprotocol
        assert spec.triggerable <= set(ALL_TRIGGERABLE)
        assert spec.adapter.protocol_version == name  # type: ignore[attr-defined]


async def test_a_new_version_is_its_adapter_and_one_registry_line(
    hass: HomeAssistant, socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A made-up version "9.9" (2.1's messages) added as one registry entry: chargers
    offering its subprotocol are served by its adapter, its triggerable messages and
    the pinned-version choice come with it. Nothing else knows the list."""
    from custom_components.ocpp_csms.protocol import registry
    from custom_components.ocpp_csms.protocol.ocpp2.v21 import V21Adapter

    from .conftest import add_charger_entry
    from .helpers import model, runtime_of
    from .simulator.charger2x import SimCharger21

    class Adapter99(V21Adapter):
        protocol_version = "9.9"

    class Sim99(SimCharger21):
        subprotocol = "ocpp9.9"

    spec = registry.VersionSpec("9.9", "ocpp9.9", Adapter99, Adapter99.triggerable, "2.1")
    monkeypatch.setitem(registry.VERSIONS, "9.9", spec)
    csms = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_KIND: KIND_CSMS, "host": "127.0.0.1", "port": 0},
        options={"response_timeout": 3},
    )
    csms.add_to_hass(hass)
    assert await hass.config_entries.async_setup(csms.entry_id)
    await add_charger_entry(hass, "CP9")
    server = runtime_of(hass).connections.server
    sim = await Sim99.connect(f"ws://127.0.0.1:{server.port}/ocpp", "CP9")
    try:
        assert await sim.boot() == "Accepted"
        await sim.send_all_status()
        await hass.async_block_till_done()
        charger = model(hass, "CP9")
        assert charger.protocol == "9.9"
        assert isinstance(charger.commands, Adapter99)
        assert runtime_of(hass).connections.allowed_versions("CP9")[-1] == "9.9"
    finally:
        await sim.close()
