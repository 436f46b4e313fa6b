"""The running central system inside Home Assistant: model, storage, server and
one protocol adapter per connected charger."""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY, ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import discovery_flow
from homeassistant.helpers.storage import Store
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from .const import (
    AUTH_ALLOW_LIST,
    CONF_ALLOWED_TAGS,
    CONF_AUTH_MODE,
    CONF_AUTO_ACCEPT,
    CONF_CHARGER_ID,
    CONF_CHARGER_PASSWORD,
    CONF_DEFAULT_ID_TAG,
    CONF_HEARTBEAT_INTERVAL,
    CONF_RESPONSE_TIMEOUT,
    CONF_SSL_CERTFILE,
    CONF_SSL_KEYFILE,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_ID_TAG,
    DEFAULT_RESPONSE_TIMEOUT,
    DOMAIN,
    SAVE_DELAY_S,
    STORAGE_KEY,
    STORAGE_VERSION,
)
from .model.authorization import AcceptAll, AllowList
from .model.charger import Charger, Connector
from .model.charging_limit import managed_profile_ids, plan_limit
from .model.commands import ChargerCommands, LimitPurpose
from .model.csms import EVENT_CHARGER_BOOTED, Csms
from .protocol.v2x import V201Adapter
from .protocol.v16 import V16Adapter
from .protocol.v21 import V21Adapter
from .server import CsmsServer

_LOGGER = logging.getLogger(__package__)

ADAPTERS: dict[str, Any] = {"1.6": V16Adapter, "2.0.1": V201Adapter, "2.1": V21Adapter}
SUPPORTED_VERSIONS = [v for v in ("2.1", "2.0.1", "1.6") if v in ADAPTERS]


@dataclass(slots=True)
class _Link:
    adapter: Any
    connection: ServerConnection


class CsmsRuntime:
    """Lives in hass.data[DOMAIN] from async_setup on; the CSMS entry starts the server."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self.store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)
        self.csms = Csms(emit=self._emit, schedule_save=self._schedule_save)
        self.csms.on_discovered = self._discovered
        self.server: CsmsServer | None = None
        self.options: dict[str, Any] = {}
        self._links: dict[str, _Link] = {}
        # charger id -> the one OCPP version it may use (charger option), if pinned
        self.pinned_versions: dict[str, str] = {}

    async def async_load(self) -> None:
        self.csms.load(await self.store.async_load())

    # ------------------------------------------------------------ wiring
    @callback
    def _emit(self, event: str, data: dict[str, Any]) -> None:
        if event == EVENT_CHARGER_BOOTED and data["charger_id"] in self.csms.adopted:
            self._update_device(self.csms.charger(data["charger_id"]))
        self.hass.bus.async_fire(f"{DOMAIN}_{event}", data)

    @callback
    def _update_device(self, charger: Charger) -> None:
        """A boot tells vendor, model, serial and firmware: show them on the device."""
        dev_reg = dr.async_get(self.hass)
        ident = charger.identity
        entry = self.hass.config_entries.async_entry_for_domain_unique_id(
            DOMAIN, charger.charger_id
        )
        if entry is None:
            return
        device = dev_reg.async_get_device_by_identifier(
            (DOMAIN, charger.charger_id), entry.entry_id
        )
        if device is not None:
            dev_reg.async_update_device(
                device.id,
                manufacturer=ident.vendor,
                model=ident.model,
                serial_number=ident.serial_number,
                sw_version=ident.firmware_version,
            )

    @callback
    def _schedule_save(self) -> None:
        self.store.async_delay_save(self.csms.dump, SAVE_DELAY_S)

    @callback
    def _discovered(self, charger: Charger) -> None:
        """A charger that is not adopted booted: offer it, or adopt it at once."""
        ident = charger.identity
        discovery_flow.async_create_flow(
            self.hass,
            DOMAIN,
            context={"source": SOURCE_INTEGRATION_DISCOVERY},
            data={
                CONF_CHARGER_ID: charger.charger_id,
                "vendor": ident.vendor or "",
                "model": ident.model or "",
                CONF_AUTO_ACCEPT: self.csms.auto_accept,
            },
        )

    # ------------------------------------------------------------ CSMS entry
    async def async_start_server(self, entry: ConfigEntry) -> None:
        self.apply_options(entry)
        ssl_context = None
        if entry.options.get(CONF_SSL_CERTFILE):
            ssl_context = await self.hass.async_add_executor_job(
                _ssl_context, entry.options[CONF_SSL_CERTFILE], entry.options.get(CONF_SSL_KEYFILE)
            )
        self.server = CsmsServer(
            entry.data[CONF_HOST],
            entry.data[CONF_PORT],
            self._serve_charger,
            versions=self.allowed_versions,
            password=lambda charger_id: self.options.get(CONF_CHARGER_PASSWORD) or None,
            ssl_context=ssl_context,
        )
        await self.server.start()
        _LOGGER.info("OCPP central system listening on port %s", self.server.port)

    def allowed_versions(self, charger_id: str) -> list[str]:
        pinned = self.pinned_versions.get(charger_id)
        return [pinned] if pinned else SUPPORTED_VERSIONS

    def apply_options(self, entry: ConfigEntry) -> None:
        self.options = dict(entry.options)
        self.csms.auto_accept = bool(self.options.get(CONF_AUTO_ACCEPT))
        self.csms.heartbeat_interval = int(
            self.options.get(CONF_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_INTERVAL)
        )
        if self.options.get(CONF_AUTH_MODE) == AUTH_ALLOW_LIST:
            self.csms.policy = AllowList(self.options.get(CONF_ALLOWED_TAGS, []))
        else:
            self.csms.policy = AcceptAll()

    async def async_stop_server(self) -> None:
        if self.server is not None:
            server, self.server = self.server, None
            await server.stop()

    @property
    def default_id_tag(self) -> str:
        return self.options.get(CONF_DEFAULT_ID_TAG) or DEFAULT_ID_TAG

    # ------------------------------------------------------------ connections
    async def _serve_charger(self, charger_id: str, version: str, ws: ServerConnection) -> None:
        charger = self.csms.charger(charger_id)
        if (old := self._links.get(charger_id)) is not None:
            _LOGGER.info("%s: new connection replaces the old one", charger_id)
            await old.connection.close(code=1000, reason="replaced by a new connection")
        timeout = float(self.options.get(CONF_RESPONSE_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT))
        if charger.protocol is not None and charger.protocol != version:
            _LOGGER.info("%s: now speaks OCPP %s (was %s)", charger_id, version, charger.protocol)
            charger.reset_protocol_state()
        adapter = ADAPTERS[version](charger, self.csms, ws, timeout)
        link = self._links[charger_id] = _Link(adapter, ws)
        charger.protocol = version
        charger.commands = adapter
        charger.set_connected(True)
        _LOGGER.info("%s: connected (OCPP %s) from %s", charger_id, version, ws.remote_address)
        adapter.on_connected(self.csms.is_adopted(charger_id))
        try:
            async for raw in ws:
                await adapter.route_message(raw)
        except ConnectionClosed:
            pass
        finally:
            await adapter.close_tasks()
            if self._links.get(charger_id) is link:
                del self._links[charger_id]
                charger.set_connected(False)
                _LOGGER.warning("%s: disconnected", charger_id)

    async def async_close_connections(self) -> None:
        links = list(self._links.values())
        await asyncio.gather(
            *(link.connection.close(code=1001, reason="going away") for link in links),
            return_exceptions=True,
        )

    # ------------------------------------------------------------ adoption
    @callback
    def adopt(self, charger_id: str) -> None:
        """A charger entry was set up: accept its next boot, and ask for it now."""
        self.csms.adopted.add(charger_id)
        charger = self.csms.chargers.get(charger_id)
        link = self._links.get(charger_id)
        if charger is not None and link is not None and charger.boot_status == "Pending":
            link.adapter.spawn(link.adapter.trigger_message("BootNotification", None))

    # ------------------------------------------------------------ charging limits
    async def async_set_charge_limit(
        self, conn: Connector, *, amps: float | None = None, watts: float | None = None
    ) -> None:
        commands = require_commands(conn.charger)
        limit = plan_limit(
            conn, amps=amps, watts=watts, allow_discharge=conn.charger.capabilities.bidirectional
        )
        await commands.set_charge_limit(limit)
        conn.charge_limit, conn.charge_limit_unit = limit.limit, limit.unit
        if limit.purpose is LimitPurpose.TX_DEFAULT:
            self.csms.remember_default_limit(
                conn.charger.charger_id,
                conn.connector_id,
                {"limit": limit.limit, "unit": limit.unit},
            )
        conn.notify()

    async def async_clear_charge_limit(self, conn: Connector) -> None:
        commands = require_commands(conn.charger)
        await commands.clear_charge_limit(conn.connector_id, managed_profile_ids(conn.connector_id))
        conn.charge_limit = conn.charge_limit_unit = None
        self.csms.remember_default_limit(conn.charger.charger_id, conn.connector_id, None)
        conn.notify()


def get_runtime(hass: HomeAssistant) -> CsmsRuntime:
    runtime: CsmsRuntime = hass.data[DOMAIN]
    return runtime


class ChargerOffline(Exception):
    """Raised by require_commands; the HA layer turns it into a validation error."""


def require_commands(charger: Charger) -> ChargerCommands:
    if charger.commands is None or not charger.connected:
        raise ChargerOffline(charger.charger_id)
    return charger.commands


def _ssl_context(certfile: str, keyfile: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile)
    return context
