"""Config flow: the CSMS entry, and chargers added by id or adopted from discovery.

The CSMS entry has the host and port; each charger is an entry of its own, with
its own password. The options flows are in options_flow.py, the tag list's
subentry flow in tag_flow.py.
"""

from __future__ import annotations

import errno
import socket
from typing import Any, override
from urllib.parse import urlparse

import probatio
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import callback
from homeassistant.helpers import selector
from homeassistant.helpers.network import NoURLAvailableError, get_url

from .const import (
    CONF_AUTO_ACCEPT,
    CONF_CHARGER_ID,
    CONF_KIND,
    CONF_OPEN_UNTIL_LOGIN,
    CONF_PASSWORD_HASH,
    CONF_UNKNOWN_CHARGERS,
    DEFAULT_HOST,
    DEFAULT_PORT,
    DOMAIN,
    KIND_CHARGER,
    KIND_CSMS,
    SUBENTRY_CIRCUIT,
    SUBENTRY_TAG,
)
from .flows.circuits import CircuitSubentryFlow
from .flows.options import ChargerOptionsFlow, CsmsOptionsFlow
from .flows.tags import TagSubentryFlow
from .hub.options import CsmsOptions
from .hub.runtime import get_runtime
from .model.commands import CommandError
from .transport.passwords import PasswordHash, generate_password, valid_password
from .transport.server import charger_id_from_path

CSMS_TITLE = "OCPP central system"
CONF_PASSWORD_MODE = "password_mode"
CONF_PASSWORD = "password"
MODE_GENERATE, MODE_ENTER, MODE_NONE = "generate", "enter", "none"


def _csms_schema() -> probatio.Schema:
    return probatio.Schema(
        {
            probatio.Required(CONF_HOST, default=DEFAULT_HOST): selector.TextSelector(),
            probatio.Required(CONF_PORT, default=DEFAULT_PORT): probatio.All(
                selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=1, max=65535, mode=selector.NumberSelectorMode.BOX
                    )
                ),
                probatio.Coerce(int),
            ),
        }
    )


def _password_fields(default_mode: str) -> dict[Any, Any]:
    return {
        probatio.Required(CONF_PASSWORD_MODE, default=default_mode): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[MODE_GENERATE, MODE_ENTER, MODE_NONE], translation_key=CONF_PASSWORD_MODE
            )
        ),
        probatio.Optional(CONF_PASSWORD): selector.TextSelector(
            selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
        ),
    }


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                return False
            raise
    return True


class OcppCsmsConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up the central system, and add or adopt chargers."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with no charger chosen."""
        self._discovered: dict[str, Any] = {}
        self._charger_id = ""
        self._password: str | None = None  # never stored, only its hash
        self._generated = False  # shown once; sent over OCPP to a connected charger

    @override
    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow of the entry's kind."""
        if config_entry.data.get(CONF_KIND) == KIND_CHARGER:
            return ChargerOptionsFlow()
        return CsmsOptionsFlow()

    @override
    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Offer tags and circuits as subentries of the central system's entry."""
        if config_entry.data.get(CONF_KIND) == KIND_CSMS:
            return {SUBENTRY_TAG: TagSubentryFlow, SUBENTRY_CIRCUIT: CircuitSubentryFlow}
        return {}

    def _csms_configured(self) -> bool:
        return any(e.data.get(CONF_KIND) == KIND_CSMS for e in self._async_current_entries())

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Set up the central system; once it exists, add a charger instead."""
        if self._csms_configured():
            return await self.async_step_add_charger()
        errors: dict[str, str] = {}
        if user_input is not None:
            host, port = user_input[CONF_HOST], user_input[CONF_PORT]
            try:
                free = await self.hass.async_add_executor_job(_port_free, host, port)
            except OSError:
                errors[CONF_HOST] = "invalid_host"
            else:
                if free:
                    return self.async_create_entry(
                        title=CSMS_TITLE,
                        data={CONF_KIND: KIND_CSMS, CONF_HOST: host, CONF_PORT: port},
                        options={CONF_UNKNOWN_CHARGERS: "ask"},
                    )
                errors[CONF_PORT] = "port_in_use"
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(_csms_schema(), user_input),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the CSMS entry's address and port, or a charger entry's password."""
        entry = self._get_reconfigure_entry()
        if entry.data.get(CONF_KIND) == KIND_CHARGER:
            self._charger_id = entry.data[CONF_CHARGER_ID]
            return await self.async_step_reconfigure_charger()
        errors: dict[str, str] = {}
        if user_input is not None:
            host, port = user_input[CONF_HOST], int(user_input[CONF_PORT])
            unchanged = (host, port) == (entry.data[CONF_HOST], entry.data[CONF_PORT])
            try:
                free = unchanged or await self.hass.async_add_executor_job(_port_free, host, port)
            except OSError:
                errors[CONF_HOST] = "invalid_host"
            else:
                if free:
                    return self.async_update_reload_and_abort(
                        entry, data_updates={CONF_HOST: host, CONF_PORT: port}
                    )
                errors[CONF_PORT] = "port_in_use"
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _csms_schema(), user_input or dict(entry.data)
            ),
            errors=errors,
        )

    async def async_step_reconfigure_charger(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Give a charger a new password."""
        return await self._password_step(
            "reconfigure_charger", user_input, {"charger_id": self._charger_id}
        )

    async def _password_step(
        self, step_id: str, user_input: dict[str, Any] | None, placeholders: dict[str, str]
    ) -> ConfigFlowResult:
        """Ask for the charger's password (generate, enter, none)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if (error := self._take_password(user_input)) is not None:
                errors[CONF_PASSWORD] = error
            else:
                return await self._next_after_password(user_input)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                probatio.Schema(_password_fields(MODE_GENERATE)), user_input
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_add_charger(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a charger by its id, with its password."""
        errors: dict[str, str] = {}
        if user_input is not None:
            charger_id = user_input[CONF_CHARGER_ID].strip()
            if charger_id_from_path("/" + charger_id) != charger_id or "%" in charger_id:
                errors[CONF_CHARGER_ID] = "invalid_charger_id"
            elif (error := self._take_password(user_input)) is not None:
                errors[CONF_PASSWORD] = error
            else:
                await self.async_set_unique_id(charger_id)
                self._abort_if_unique_id_configured()
                self._charger_id = charger_id
                return await self._next_after_password(user_input)
        schema = probatio.Schema(
            {
                probatio.Required(CONF_CHARGER_ID): selector.TextSelector(),
                **_password_fields(MODE_GENERATE),
            }
        )
        return self.async_show_form(
            step_id="add_charger",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )

    def _take_password(self, user_input: dict[str, Any]) -> str | None:
        """Remember the password the user chose; an error key if it cannot be used."""
        mode = user_input.get(CONF_PASSWORD_MODE, MODE_GENERATE)
        self._generated = mode == MODE_GENERATE
        if mode == MODE_GENERATE:
            self._password = generate_password()
        elif mode == MODE_ENTER:
            password = user_input.get(CONF_PASSWORD) or ""
            if not valid_password(password):
                return "invalid_password"
            self._password = password
        else:
            self._password = None
        return None

    async def _next_after_password(self, user_input: dict[str, Any]) -> ConfigFlowResult:
        if self._generated:
            return await self.async_step_credentials()
        return await self._create_charger()

    @override
    async def async_step_integration_discovery(
        self, discovery_info: dict[str, Any]
    ) -> ConfigFlowResult:
        """Offer a charger that connected and booted, or adopt it at once."""
        charger_id = discovery_info[CONF_CHARGER_ID]
        await self.async_set_unique_id(charger_id)
        self._abort_if_unique_id_configured()
        self._discovered = discovery_info
        self._charger_id = charger_id
        if discovery_info.get(CONF_AUTO_ACCEPT):
            return await self._create_charger()
        description = " ".join(
            p for p in (discovery_info.get("vendor"), discovery_info.get("model")) if p
        )
        self.context["title_placeholders"] = {
            "name": f"{charger_id} — {description}" if description else charger_id
        }
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Adopt a discovered charger, with its password."""
        return await self._password_step(
            "confirm",
            user_input,
            {
                "charger_id": self._charger_id,
                "vendor": self._discovered.get("vendor") or "?",
                "model": self._discovered.get("model") or "?",
            },
        )

    async def async_step_credentials(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the generated password once, with how to enter it in the charger."""
        if user_input is not None:
            return await self._create_charger()
        csms = next(
            (e for e in self._async_current_entries() if e.data.get(CONF_KIND) == KIND_CSMS),
            None,
        )
        port = str(csms.data[CONF_PORT]) if csms is not None else "9000"
        tls = csms is not None and CsmsOptions.parse(csms.options).server.certfile
        scheme = "wss" if tls else "ws"
        return self.async_show_form(
            step_id="credentials",
            description_placeholders={
                "charger_id": self._charger_id,
                "password": self._password or "",
                "url": f"{scheme}://{self._address()}:{port}/ocpp/{self._charger_id}",
                "sent": "yes" if self._discovered or self._reconfiguring_online() else "no",
            },
        )

    def _address(self) -> str:
        """Return this Home Assistant's address on the local network, where known."""
        try:
            url = get_url(self.hass, allow_external=False, allow_cloud=False)
        except NoURLAvailableError:
            return "HOME-ASSISTANT-ADDRESS"
        return urlparse(url).hostname or "HOME-ASSISTANT-ADDRESS"

    async def _create_charger(self) -> ConfigFlowResult:
        if self.source == SOURCE_RECONFIGURE:
            return await self._update_charger()
        data: dict[str, Any] = {CONF_KIND: KIND_CHARGER, CONF_CHARGER_ID: self._charger_id}
        if self._password is not None:
            digest = await self.hass.async_add_executor_job(PasswordHash.of, self._password)
            data[CONF_PASSWORD_HASH] = digest.as_dict()
            if self._discovered and self._generated:  # connected: send it over OCPP too
                get_runtime(self.hass).access.send_after_adoption(self._charger_id, self._password)
                # it may not take it: it keeps its way in until it logs in with it
                data[CONF_OPEN_UNTIL_LOGIN] = True
        return self.async_create_entry(title=self._charger_id, data=data)

    def _reconfiguring_online(self) -> bool:
        if self.source != SOURCE_RECONFIGURE:
            return False
        charger = get_runtime(self.hass).csms.get_charger(self._charger_id)
        return charger is not None and charger.connected

    async def _update_charger(self) -> ConfigFlowResult:
        """Give an existing charger its new password.

        It is sent over OCPP when the charger is connected (kept only if the
        charger takes it), else just stored.
        """
        entry = self._get_reconfigure_entry()
        access = get_runtime(self.hass).access
        if self._password is None:
            access.clear(entry)
            return self.async_abort(reason="reconfigure_successful")
        charger = get_runtime(self.hass).csms.get_charger(self._charger_id)
        if self._generated and charger is not None and charger.connected:
            try:
                await access.rotate(entry, charger, self._password)
            except CommandError as err:
                return self.async_abort(
                    reason="password_not_taken", description_placeholders={"answer": err.answer}
                )
        else:
            await access.store(entry, self._password, keep_previous=False)
        return self.async_abort(reason="reconfigure_successful")
