"""2.x device-model keys: ``Component[.instance][@evseId]/Variable[.instance]``."""

from __future__ import annotations

from typing import Any


def format_key(component: dict[str, Any], variable: dict[str, Any]) -> str:
    key = component["name"]
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

    Raises ValueError when the key is not of that form.
    """
    comp_part, sep, var_part = key.partition("/")
    if not sep or not comp_part or not var_part:
        raise ValueError(f"{key!r} is not Component[.instance][@evseId]/Variable[.instance]")
    comp_part, at, evse = comp_part.partition("@")
    name, dot, instance = comp_part.partition(".")
    component: dict[str, Any] = {"name": name}
    if dot:
        component["instance"] = instance
    if at:
        if not evse.isdigit():
            raise ValueError(f"{key!r}: the EVSE id after @ must be a number")
        component["evse"] = {"id": int(evse)}
    var_name, dot, var_instance = var_part.partition(".")
    variable: dict[str, Any] = {"name": var_name}
    if dot:
        variable["instance"] = var_instance
    return component, variable
