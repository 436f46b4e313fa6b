"""The version registry is the one list of OCPP versions, and every adapter in it
implements every command and lifecycle method of ChargerAdapter itself."""

from __future__ import annotations

import inspect
from typing import get_protocol_members

import pytest

from custom_components.ocpp_csms.protocol.adapter import ChargerAdapter
from custom_components.ocpp_csms.protocol.registry import (
    ALL_TRIGGERABLE,
    DEFAULT_VERSION,
    SUBPROTOCOLS,
    VERSIONS,
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
    assert SUBPROTOCOLS == {"ocpp2.1": "2.1", "ocpp2.0.1": "2.0.1", "ocpp1.6": "1.6"}
    assert DEFAULT_VERSION in VERSIONS
    assert set(SIMULATORS) == set(VERSIONS)
    for name, spec in VERSIONS.items():
        assert SIMULATORS[name].subprotocol == spec.subprotocol
        assert spec.triggerable <= set(ALL_TRIGGERABLE)
        assert spec.adapter.protocol_version == name  # type: ignore[attr-defined]
