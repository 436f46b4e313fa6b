"""The tag list in the UI.

Each RFID tag (idToken) is a subentry of the central system's entry, added and
edited here: its id, a name, a group, blocked, and an expiry date.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import probatio
from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.helpers import selector
from homeassistant.util import dt as dt_util

from ..model.choices import TokenType, choice_key, keys

MAX_TAG_LENGTH = 36  # 2.x IdToken; 1.6 chargers get the tags of up to 20


def _schema(editing: bool) -> probatio.Schema:
    fields: dict[Any, Any] = {}
    if not editing:
        fields[probatio.Required("id_tag")] = selector.TextSelector()
    fields.update(
        {
            probatio.Optional("name"): selector.TextSelector(),
            probatio.Optional("group"): selector.TextSelector(),
            probatio.Required("blocked", default=False): selector.BooleanSelector(),
            probatio.Optional("expires"): selector.DateTimeSelector(),
            probatio.Required(
                "token_type", default=choice_key(TokenType.ISO14443)
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(options=keys(TokenType), translation_key="token_type")
            ),
        }
    )
    return probatio.Schema(fields)


def _clean(user_input: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Return the subentry's data, and an error key if it cannot be used."""
    data = {k: v for k, v in user_input.items() if v not in (None, "")}
    group = str(data.get("group", "")).strip()
    if group and len(group) > MAX_TAG_LENGTH:
        return data, "invalid_tag"
    if group:
        data["group"] = group
    if expires := data.get("expires"):
        parsed = dt_util.parse_datetime(str(expires))
        if parsed is None:
            return data, "invalid_expiry"
        local = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt_util.get_default_time_zone())
        data["expires"] = local.astimezone(UTC).isoformat()
    return data, None


class TagSubentryFlow(ConfigSubentryFlow):
    """Add and edit the tags of the tag list."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add a tag."""
        errors: dict[str, str] = {}
        if user_input is not None:
            id_tag = str(user_input.get("id_tag", "")).strip()
            user_input["id_tag"] = id_tag
            data, error = _clean(user_input)
            entry = self._get_entry()
            if not 1 <= len(id_tag) <= MAX_TAG_LENGTH or not id_tag.isprintable():
                errors["id_tag"] = "invalid_tag"
            elif any(s.unique_id == id_tag.casefold() for s in entry.subentries.values()):
                errors["id_tag"] = "tag_exists"
            elif error is not None:
                errors["base"] = error
            else:
                return self.async_create_entry(
                    title=data.get("name") or id_tag, data=data, unique_id=id_tag.casefold()
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(_schema(False), user_input),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Edit a tag (its id stays)."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data, error = _clean({**user_input, "id_tag": subentry.data["id_tag"]})
            if error is None:
                return self.async_update_and_abort(
                    self._get_entry(),
                    subentry,
                    title=data.get("name") or data["id_tag"],
                    data=data,
                )
            errors["base"] = error
        suggested = dict(subentry.data)
        if token_type := suggested.get("token_type"):  # stored as the OCPP word before
            suggested["token_type"] = choice_key(token_type)
        if expires := suggested.get("expires"):
            suggested["expires"] = dt_util.as_local(datetime.fromisoformat(expires)).strftime(
                "%Y-%m-%d %H:%M:%S"
            )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(_schema(True), suggested),
            errors=errors,
            description_placeholders={"id_tag": subentry.data["id_tag"]},
        )
