"""2.x device-model keys: both notations, instances, EVSE ids, and clear errors."""

from __future__ import annotations

import pytest

from custom_components.ocpp_csms.protocol.ocpp2.variables import format_key, parse_key


@pytest.mark.parametrize(
    ("key", "component", "variable"),
    [
        ("AuthCtrlr.AuthorizeRemoteStart", {"name": "AuthCtrlr"}, {"name": "AuthorizeRemoteStart"}),
        ("EVSE@2.Power", {"name": "EVSE", "evse": {"id": 2}}, {"name": "Power"}),
        (
            "Connector.Main@1/Voltage.L1",
            {"name": "Connector", "instance": "Main", "evse": {"id": 1}},
            {"name": "Voltage", "instance": "L1"},
        ),
    ],
)
def test_keys_parse_and_format(key: str, component: dict, variable: dict) -> None:
    assert parse_key(key) == (component, variable)
    assert parse_key(format_key(component, variable)) == (component, variable)


@pytest.mark.parametrize(
    "key", ["NoSeparator", "A.B.C", "/Variable", "Component/", "EVSE@x/Power", "EVSE@²/Power"]
)
def test_malformed_keys_say_the_syntax(key: str) -> None:
    with pytest.raises(ValueError, match=r"is not Component|EVSE id") as err:
        parse_key(key)
    assert key in str(err.value)
