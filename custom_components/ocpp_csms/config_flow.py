"""Config flow: the CSMS entry (host, port), chargers added by id or adopted
from discovery (one entry per charger), and the CSMS options."""

from __future__ import annotations

import errno
import socket
from typing import Any

import probatio as vol  # Home Assistant 2026's voluptuous-compatible schema library
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import callback
from homeassistant.helpers import selector

from .const import (
    AUTH_ACCEPT_ALL,
    AUTH_ALLOW_LIST,
    BELOW_MINIMUM_PAUSE,
    BELOW_MINIMUM_RAISE,
    CONF_ALLOWED_TAGS,
    CONF_AUTH_MODE,
    CONF_AUTO_ACCEPT,
    CONF_BELOW_MINIMUM,
    CONF_CHARGER_ID,
    CONF_CHARGER_PASSWORD,
    CONF_CLOCK_TOLERANCE,
    CONF_DEFAULT_ID_TAG,
    CONF_HEARTBEAT_INTERVAL,
    CONF_KIND,
    CONF_LIMIT_SPACING,
    CONF_MAX_CONNECTORS,
    CONF_MIN_CURRENT,
    CONF_PHASES,
    CONF_PROTOCOL,
    CONF_SSL_CERTFILE,
    CONF_SSL_KEYFILE,
    CONF_VOLTAGE,
    DEFAULT_CLOCK_TOLERANCE,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_HOST,
    DEFAULT_ID_TAG,
    DEFAULT_LIMIT_SPACING,
    DEFAULT_MAX_CONNECTORS,
    DEFAULT_MIN_CURRENT,
    DEFAULT_PHASES,
    DEFAULT_PORT,
    DEFAULT_VOLTAGE,
    DOMAIN,
    KIND_CHARGER,
    KIND_CSMS,
    PROTOCOL_AUTO,
)
from .protocol.registry import VERSIONS
from .server import charger_id_from_path

CSMS_TITLE = "OCPP central system"


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
    VERSION = 1

    def __init__(self) -> None:
        self._discovered: dict[str, Any] = {}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        if config_entry.data.get(CONF_KIND) == KIND_CHARGER:
            return ChargerOptionsFlow()
        return CsmsOptionsFlow()

    def _csms_configured(self) -> bool:
        return any(e.data.get(CONF_KIND) == KIND_CSMS for e in self._async_current_entries())

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
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
                        options={CONF_AUTO_ACCEPT: False, CONF_AUTH_MODE: AUTH_ACCEPT_ALL},
                    )
                errors[CONF_PORT] = "port_in_use"
        schema = vol.Schema(
            {
                vol.Required(CONF_HOST, default=DEFAULT_HOST): str,
                vol.Required(CONF_PORT, default=DEFAULT_PORT): vol.All(
                    vol.Coerce(int), vol.Range(min=1, max=65535)
                ),
            }
        )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )

    async def async_step_add_charger(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            charger_id = user_input[CONF_CHARGER_ID].strip()
            if charger_id_from_path("/" + charger_id) != charger_id or "%" in charger_id:
                errors[CONF_CHARGER_ID] = "invalid_charger_id"
            else:
                await self.async_set_unique_id(charger_id)
                self._abort_if_unique_id_configured()
                return self._create_charger(charger_id)
        return self.async_show_form(
            step_id="add_charger",
            data_schema=vol.Schema({vol.Required(CONF_CHARGER_ID): str}),
            errors=errors,
        )

    async def async_step_integration_discovery(
        self, discovery_info: dict[str, Any]
    ) -> ConfigFlowResult:
        charger_id = discovery_info[CONF_CHARGER_ID]
        await self.async_set_unique_id(charger_id)
        self._abort_if_unique_id_configured()
        self._discovered = discovery_info
        if discovery_info.get(CONF_AUTO_ACCEPT):
            return self._create_charger(charger_id)
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
        charger_id = self._discovered[CONF_CHARGER_ID]
        if user_input is not None:
            return self._create_charger(charger_id)
        self._set_confirm_only()
        return self.async_show_form(
            step_id="confirm",
            description_placeholders={
                "charger_id": charger_id,
                "vendor": self._discovered.get("vendor") or "?",
                "model": self._discovered.get("model") or "?",
            },
        )

    def _create_charger(self, charger_id: str) -> ConfigFlowResult:
        return self.async_create_entry(
            title=charger_id, data={CONF_KIND: KIND_CHARGER, CONF_CHARGER_ID: charger_id}
        )


class CsmsOptionsFlow(OptionsFlow):
    """Options of the CSMS entry; policy options apply without dropping connections."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        if user_input is not None:
            tags = user_input.get(CONF_ALLOWED_TAGS, "")
            user_input[CONF_ALLOWED_TAGS] = [t.strip() for t in tags.split(",") if t.strip()]
            return self.async_create_entry(data=user_input)
        options = dict(self.config_entry.options)
        options[CONF_ALLOWED_TAGS] = ", ".join(options.get(CONF_ALLOWED_TAGS, []))
        schema = vol.Schema(
            {
                vol.Required(CONF_AUTO_ACCEPT, default=False): bool,
                vol.Required(CONF_AUTH_MODE, default=AUTH_ACCEPT_ALL): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=[AUTH_ACCEPT_ALL, AUTH_ALLOW_LIST],
                        translation_key=CONF_AUTH_MODE,
                    )
                ),
                vol.Optional(CONF_ALLOWED_TAGS, default=""): str,
                vol.Optional(CONF_DEFAULT_ID_TAG, default=DEFAULT_ID_TAG): vol.All(
                    str, vol.Length(1, 20)
                ),
                vol.Optional(CONF_HEARTBEAT_INTERVAL, default=DEFAULT_HEARTBEAT_INTERVAL): vol.All(
                    vol.Coerce(int), vol.Range(min=10, max=86400)
                ),
                vol.Optional(CONF_MAX_CONNECTORS, default=DEFAULT_MAX_CONNECTORS): vol.All(
                    vol.Coerce(int), vol.Range(min=1, max=1000)
                ),
                vol.Optional(CONF_CLOCK_TOLERANCE, default=DEFAULT_CLOCK_TOLERANCE): vol.All(
                    vol.Coerce(int), vol.Range(min=0, max=7 * 86400)
                ),
                vol.Optional(CONF_VOLTAGE, default=DEFAULT_VOLTAGE): vol.All(
                    vol.Coerce(int), vol.Range(min=100, max=480)
                ),
                vol.Optional(CONF_PHASES, default=DEFAULT_PHASES): vol.All(
                    vol.Coerce(int), vol.In([1, 3])
                ),
                vol.Optional(CONF_MIN_CURRENT, default=DEFAULT_MIN_CURRENT): vol.All(
                    vol.Coerce(float), vol.Range(min=0, max=32)
                ),
                vol.Optional(CONF_BELOW_MINIMUM, default=BELOW_MINIMUM_PAUSE): (
                    selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=[BELOW_MINIMUM_PAUSE, BELOW_MINIMUM_RAISE],
                            translation_key=CONF_BELOW_MINIMUM,
                        )
                    )
                ),
                vol.Optional(CONF_LIMIT_SPACING, default=DEFAULT_LIMIT_SPACING): vol.All(
                    vol.Coerce(int), vol.Range(min=0, max=3600)
                ),
                vol.Optional(CONF_CHARGER_PASSWORD): selector.TextSelector(
                    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
                ),
                vol.Optional(CONF_SSL_CERTFILE): str,
                vol.Optional(CONF_SSL_KEYFILE): str,
            }
        )
        return self.async_show_form(
            step_id="init", data_schema=self.add_suggested_values_to_schema(schema, options)
        )


class ChargerOptionsFlow(OptionsFlow):
    """Per-charger options: pin one OCPP version for chargers whose 2.x firmware is weak."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        schema = vol.Schema(
            {
                vol.Required(CONF_PROTOCOL, default=PROTOCOL_AUTO): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=[PROTOCOL_AUTO, *VERSIONS],
                        translation_key=CONF_PROTOCOL,
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, self.config_entry.options),
        )
