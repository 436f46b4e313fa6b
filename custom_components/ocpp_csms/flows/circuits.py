"""The site's circuits in the UI.

Each circuit below the main fuse is a subentry of the central system's entry: a
name, a current limit per phase, the circuit it hangs from (none: the main fuse)
and its chargers or single connectors. Load management keeps each circuit's
chargers within its limit (``model/circuits.py``); saving one applies at once.
"""

from __future__ import annotations

from typing import Any

import probatio
from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.helpers import selector

from ..const import CONF_CHARGER_ID, CONF_KIND, DOMAIN, KIND_CHARGER
from ..hub.runtime import get_runtime
from ..hub.site_options import circuits_of


class CircuitSubentryFlow(ConfigSubentryFlow):
    """Add and edit the circuits below the main fuse."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add a circuit."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _clean(user_input)
            errors = self._errors(data, None)
            if not errors:
                return self.async_create_entry(title=data["name"], data=data)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(self._schema(None), user_input),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Edit a circuit."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _clean(user_input)
            errors = self._errors(data, subentry.subentry_id)
            if not errors:
                return self.async_update_and_abort(
                    self._get_entry(), subentry, title=data["name"], data=data
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                self._schema(subentry.subentry_id), user_input or dict(subentry.data)
            ),
            errors=errors,
            description_placeholders={"name": subentry.title},
        )

    def _schema(self, editing: str | None) -> probatio.Schema:
        circuits = circuits_of(self._get_entry())
        below = circuits.below(editing) if editing else set()
        parents = [
            selector.SelectOptionDict(value=c.key, label=c.name)
            for c in circuits.items
            if c.key not in below
        ]
        return probatio.Schema(
            {
                probatio.Required("name"): selector.TextSelector(),
                probatio.Required("limit"): selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=1,
                        max=1000,
                        step=0.5,
                        unit_of_measurement="A",
                        mode=selector.NumberSelectorMode.BOX,
                    )
                ),
                probatio.Optional("parent"): selector.SelectSelector(
                    selector.SelectSelectorConfig(options=parents)
                ),
                probatio.Required("members", default=[]): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=self._members(), multiple=True, custom_value=True
                    )
                ),
            }
        )

    def _members(self) -> list[str]:
        """Every charger, and each connector known, as a circuit may hold them."""
        chargers = self._chargers()
        known = get_runtime(self.hass).csms.chargers
        out: list[str] = []
        for charger_id in sorted(chargers):
            out.append(charger_id)
            charger = known.get(charger_id)
            if charger is not None and len(charger.connectors) > 1:
                out += [f"{charger_id}/{n}" for n in sorted(charger.connectors)]
        return out

    def _chargers(self) -> set[str]:
        return {
            str(e.data[CONF_CHARGER_ID])
            for e in self.hass.config_entries.async_entries(DOMAIN)
            if e.data.get(CONF_KIND) == KIND_CHARGER
        }

    def _errors(self, data: dict[str, Any], editing: str | None) -> dict[str, str]:
        if not data["name"]:
            return {"name": "name_missing"}
        chargers = self._chargers()
        for member in data["members"]:
            charger_id, _, connector = member.partition("/")
            if charger_id not in chargers or (connector and not connector.isdigit()):
                return {"members": "unknown_member"}
        for circuit in circuits_of(self._get_entry()).items:
            if circuit.key != editing and set(circuit.members) & set(data["members"]):
                return {"members": "member_elsewhere"}
        return {}


def _clean(user_input: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": str(user_input.get("name", "")).strip(),
        "limit": float(user_input["limit"]),
        "members": sorted({str(m).strip() for m in user_input.get("members") or () if m}),
    }
    if parent := user_input.get("parent"):
        data["parent"] = parent
    return data
