"""The one running central system of a Home Assistant instance.

Why one, domain-wide, and not per config entry: the CSMS entry owns the single
websocket server, and every charger entry needs the same model. A charger connects
before it has an entry (that is how it is discovered), and a charger entry exists
before its charger connects (after a restart, or when added by id). So the model,
its storage and the live connections form one object, created in ``async_setup``
and reached through ``DATA_RUNTIME``; each entry's ``runtime_data`` points into it.
"""

from __future__ import annotations

import logging
import ssl
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from .bridge import HaBridge
from .connections import ConnectionManager
from .const import (
    AUTH_ALLOW_LIST,
    CONF_ALLOWED_TAGS,
    CONF_AUTH_MODE,
    CONF_AUTO_ACCEPT,
    CONF_CHARGER_PASSWORD,
    CONF_CLOCK_TOLERANCE,
    CONF_DEFAULT_ID_TAG,
    CONF_HEARTBEAT_INTERVAL,
    CONF_MAX_CONNECTORS,
    CONF_RESPONSE_TIMEOUT,
    CONF_SSL_CERTFILE,
    CONF_SSL_KEYFILE,
    DEFAULT_CLOCK_TOLERANCE,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_ID_TAG,
    DEFAULT_MAX_CONNECTORS,
    DEFAULT_RESPONSE_TIMEOUT,
    DOMAIN,
)
from .model.authorization import AcceptAll, AllowList
from .model.csms import Csms

_LOGGER = logging.getLogger(__package__)


class CsmsRuntime:
    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self.bridge = HaBridge(hass)
        self.csms: Csms = self.bridge.csms
        self.connections = ConnectionManager(self.csms)
        self.options: dict[str, Any] = {}

    async def async_load(self) -> None:
        await self.bridge.async_load()

    @property
    def default_id_tag(self) -> str:
        return str(self.options.get(CONF_DEFAULT_ID_TAG) or DEFAULT_ID_TAG)

    def apply_options(self, entry: ConfigEntry) -> None:
        """The CSMS entry's options, applied without dropping any connection."""
        options = self.options = dict(entry.options)
        settings = self.csms.settings
        settings.auto_accept = bool(options.get(CONF_AUTO_ACCEPT))
        settings.heartbeat_interval = int(
            options.get(CONF_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_INTERVAL)
        )
        settings.max_connectors = int(options.get(CONF_MAX_CONNECTORS, DEFAULT_MAX_CONNECTORS))
        settings.clock_tolerance_s = float(
            options.get(CONF_CLOCK_TOLERANCE, DEFAULT_CLOCK_TOLERANCE)
        )
        if options.get(CONF_AUTH_MODE) == AUTH_ALLOW_LIST:
            self.csms.policy = AllowList(options.get(CONF_ALLOWED_TAGS, []))
        else:
            self.csms.policy = AcceptAll()
        connection = self.connections.settings
        connection.response_timeout = float(
            options.get(CONF_RESPONSE_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT)
        )
        connection.password = options.get(CONF_CHARGER_PASSWORD) or None

    async def async_start_server(self, entry: ConfigEntry) -> None:
        self.apply_options(entry)
        ssl_context = None
        if entry.options.get(CONF_SSL_CERTFILE):
            ssl_context = await self.hass.async_add_executor_job(
                _ssl_context, entry.options[CONF_SSL_CERTFILE], entry.options.get(CONF_SSL_KEYFILE)
            )
        server = await self.connections.async_start(
            entry.data[CONF_HOST], entry.data[CONF_PORT], ssl_context
        )
        _LOGGER.info("OCPP central system listening on port %s", server.port)

    async def async_stop_server(self) -> None:
        await self.connections.async_stop()

    def adopt(self, charger_id: str) -> None:
        """A charger entry was set up: accept its next boot, and ask for it now."""
        self.csms.adopted.add(charger_id)
        self.connections.request_boot(charger_id)


DATA_RUNTIME: HassKey[CsmsRuntime] = HassKey(DOMAIN)


def get_runtime(hass: HomeAssistant) -> CsmsRuntime:
    return hass.data[DATA_RUNTIME]


def _ssl_context(certfile: str, keyfile: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile)
    return context
