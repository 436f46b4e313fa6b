"""2.x device-model keys, as the actions write them.

``Component[.instance][@evseId]/Variable[.instance]``, or the specification's
own ``Component.Variable`` (``AuthCtrlr.AuthorizeRemoteStart``).
"""

from __future__ import annotations

from typing import Any

KEY_SYNTAX = "Component[.instance][@evseId]/Variable[.instance] or Component.Variable"


def format_key(component: dict[str, Any], variable: dict[str, Any]) -> str:
    """Return the key of a component and variable."""
    key = str(component["name"])
    if component.get("instance"):
        key += f".{component['instance']}"
    if (evse := component.get("evse")) and evse.get("id") is not None:
        key += f"@{evse['id']}"
    key += f"/{variable['name']}"
    if variable.get("instance"):
        key += f".{variable['instance']}"
    return key


def parse_key(key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(component, variable) in camelCase, ready for Get/SetVariables.

    Raises ValueError when the key is not of either form.
    """
    comp_instance = var_instance = None
    if "/" in key:
        comp_part, _, var_part = key.partition("/")
        comp_part, evse = _split_evse(comp_part, key)
        name, dot, instance = comp_part.partition(".")
        comp_instance = instance if dot else None
        var_name, dot, instance = var_part.partition(".")
        var_instance = instance if dot else None
    else:
        comp_part, sep, var_name = key.partition(".")
        if not sep or "." in var_name:
            raise ValueError(f"{key!r} is not {KEY_SYNTAX}")
        name, evse = _split_evse(comp_part, key)
    if not name or not var_name or "/" in var_name:
        raise ValueError(f"{key!r} is not {KEY_SYNTAX}")
    component: dict[str, Any] = {"name": name}
    if comp_instance is not None:
        component["instance"] = comp_instance
    if evse is not None:
        component["evse"] = {"id": evse}
    variable: dict[str, Any] = {"name": var_name}
    if var_instance is not None:
        variable["instance"] = var_instance
    return component, variable


def _split_evse(part: str, key: str) -> tuple[str, int | None]:
    """'EVSE@2' -> ('EVSE', 2); the id after @ must be a number."""
    name, at, evse = part.partition("@")
    if not at:
        return name, None
    if not evse.isascii() or not evse.isdigit():
        raise ValueError(f"{key!r}: the EVSE id after @ must be a number")
    return name, int(evse)
