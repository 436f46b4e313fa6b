"""The one running central system of a Home Assistant instance.

Why one, domain-wide, and not per config entry: the CSMS entry owns the single
websocket server, and every charger entry needs the same model. A charger connects
before it has an entry (that is how it is discovered), and a charger entry exists
before its charger connects (after a restart, or when added by id). So the model,
its storage and the live connections form one object: the CSMS entry's
``runtime_data``, created and torn down with that entry. Charger entries wait for
it (not ready until the CSMS entry is loaded) and keep it in their own
``runtime_data``; actions and flows reach it through ``get_runtime``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_time_interval,
)
from homeassistant.util import dt as dt_util

from ..const import CONF_KIND, DOMAIN, KIND_CSMS, LOGGER_NAME
from ..model.charger import Charger
from ..model.csms import Csms
from ..model.desired_limit import Electrical
from ..model.limit_writer import WriteSettings
from ..transport.admission import UnknownPolicy
from ..transport.connections import ConnectionManager
from . import connection_options
from .access import ChargerAccess
from .bridge import HaBridge, raise_repair
from .connection_options import TlsSetup, tls_setup
from .forwarding_manager import ForwardingManager
from .heap import HeapFreezer
from .log_uploads import LogUploads
from .options import CsmsOptions
from .planning import ChargingPlanner
from .site_control import SiteController
from .site_options import circuits_of
from .tags import TagManager

_LOGGER = logging.getLogger(LOGGER_NAME)
# how often charging connectors are checked for readings that stopped coming
STALE_SWEEP = timedelta(seconds=60)


class _LimitHost:
    """What the charging-limit logic needs from Home Assistant.

    Tasks tied to a charger's connection, timers, and a repair issue for a
    charger that rejects every way of writing a limit.
    """

    def __init__(self, hass: HomeAssistant, connections: ConnectionManager) -> None:
        self._hass = hass
        self._connections = connections
        self._unworkable: set[str] = set()

    def spawn(self, charger: Charger, coro: Coroutine[Any, Any, Any]) -> None:
        self._connections.spawn(charger.charger_id, coro)

    def call_at(self, when: datetime, action: Callable[[], None]) -> Callable[[], None]:
        @callback
        def _fire(_now: datetime) -> None:
            action()

        return async_track_point_in_utc_time(self._hass, _fire, when)

    def unworkable(self, charger: Charger, answer: str | None) -> None:
        issue_id = f"limits_rejected_{charger.charger_id}"
        if answer is None:
            if charger.charger_id in self._unworkable:
                self._unworkable.discard(charger.charger_id)
                ir.async_delete_issue(self._hass, DOMAIN, issue_id)
            return
        self._unworkable.add(charger.charger_id)
        raise_repair(
            self._hass,
            issue_id,
            "limits_rejected",
            {"charger": charger.charger_id, "answer": answer},
        )


class CsmsRuntime:
    """The model, its storage, the connections and the policies: one per HA."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Build the runtime; nothing listens until the CSMS entry starts the server."""
        self.hass = hass
        self.bridge = HaBridge(hass)
        self.csms: Csms = self.bridge.csms
        self.connections = ConnectionManager(self.csms)
        self.access = ChargerAccess(hass, self.connections)
        self.tag_manager = TagManager(hass, self.csms, self.connections)
        self.tls: TlsSetup | None = None
        self.csms.limits.host = _LimitHost(hass, self.connections)
        self.options = CsmsOptions()
        self.planner = ChargingPlanner(hass, self.csms)
        self.log_uploads = LogUploads(hass, self.csms)
        self.site = SiteController(hass, self.csms)
        self.forwarding = ForwardingManager(hass, self.csms)
        self.heap = HeapFreezer(hass, lambda: sum(c.connected for c in self.csms.chargers.values()))
        self.csms.settings.currency = hass.config.currency  # kept current (__init__.py)
        self.csms.settings.time_zone = dt_util.get_default_time_zone()
        self._unsub_sweep: Callable[[], None] | None = None
        # called after the options changed (entities that appear with an option)
        self.options_listeners: list[Callable[[], None]] = []
        self.started = False  # the server runs (the site controller follows its sensors)

    async def async_load(self) -> None:
        """Load the stored state."""
        await self.bridge.async_load()
        await self.forwarding.async_load()

    def apply_options(self, entry: ConfigEntry) -> None:
        """Apply the CSMS entry's options without dropping any connection."""
        options = CsmsOptions.parse(entry.options)
        options = self.options = replace(
            options, site=replace(options.site, circuits=circuits_of(entry))
        )
        settings = self.csms.settings
        connection_options.apply(options, self.connections, self.access)
        settings.auto_accept = options.unknown_chargers is UnknownPolicy.ACCEPT
        settings.heartbeat_interval = options.heartbeat_interval_s
        settings.max_connectors = options.max_connectors
        settings.clock_tolerance_s = options.clock_tolerance_s
        self.tag_manager.apply(entry, options)
        limits = self.csms.limits
        limits.default_id_tag = options.default_id_tag
        limits.settings = WriteSettings(
            electrical=Electrical(voltage=options.voltage, phases=options.phases),
            minimum_amps=options.minimum_amps,
            below_minimum_pauses=options.below_minimum_pauses,
        )
        self.csms.history.retention = timedelta(days=options.history_days)
        self.csms.history.prune(dt_util.utcnow())
        self.log_uploads.max_bytes = options.max_upload_bytes
        limits.spacing = timedelta(seconds=options.limit_spacing_s)
        if self.started and options.site != self.site.options:
            self.site.apply(options.site)
        for listener in tuple(self.options_listeners):
            listener()

    async def async_start_server(self, entry: ConfigEntry) -> None:
        """Start the server; raises CertificateProblem (TLS files) or OSError (the port)."""
        self.apply_options(entry)
        self.tls = await self.hass.async_add_executor_job(tls_setup, self.options.server)
        server = await self.connections.async_start(
            entry.data[CONF_HOST],
            entry.data[CONF_PORT],
            self.tls.context if self.tls is not None else None,
        )
        _LOGGER.info("OCPP central system listening on port %s", server.port)
        self.started = True
        self.site.apply(self.options.site)
        self.heap.start()
        self._unsub_sweep = async_track_time_interval(
            self.hass, self._ask_stale_readings, STALE_SWEEP
        )

    @callback
    def _ask_stale_readings(self, now: datetime) -> None:
        """Ask charging connectors whose readings stopped coming for them."""
        for conn in self.csms.stale_readings(now):
            commands = conn.charger.commands
            if commands is not None:
                self.connections.spawn(
                    conn.charger.charger_id,
                    commands.trigger_message("MeterValues", conn.connector_id),
                )

    async def async_unload(self) -> None:
        """Stop serving and write what is pending (the CSMS entry unloads)."""
        await self.async_stop_server()
        await self.bridge.storage.async_close()

    async def async_stop_server(self) -> None:
        """Stop the server and every timer."""
        if self._unsub_sweep is not None:
            self._unsub_sweep()
            self._unsub_sweep = None
        self.started = False
        self.heap.stop()
        self.site.stop()
        await self.forwarding.async_stop()
        await self.connections.async_stop()
        self.csms.limits.shutdown()
        self.csms.reservations.shutdown()
        self.planner.shutdown()

    def adopt(self, charger_id: str) -> None:
        """Accept the next boot of a charger whose entry was set up, and ask for it."""
        self.csms.adopted.add(charger_id)
        self.access.adopted(charger_id)
        self.connections.request_boot(charger_id)


def csms_entry(hass: HomeAssistant) -> ConfigEntry[CsmsRuntime] | None:
    """Return the central system's config entry, if there is one."""
    return next(
        (
            entry
            for entry in hass.config_entries.async_entries(DOMAIN)
            if entry.data.get(CONF_KIND) == KIND_CSMS
        ),
        None,
    )


def get_runtime(hass: HomeAssistant) -> CsmsRuntime:
    """Return the running central system: the loaded CSMS entry's runtime_data.

    Raises a translated error while no central system is loaded (its entry is
    disabled, failed to start, or is still starting).
    """
    entry = csms_entry(hass)
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="csms_not_loaded")
    return entry.runtime_data
