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

from ..const import (
    BELOW_MINIMUM_PAUSE,
    CONF_BELOW_MINIMUM,
    CONF_CLOCK_TOLERANCE,
    CONF_DEFAULT_ID_TAG,
    CONF_HEARTBEAT_INTERVAL,
    CONF_HISTORY_DAYS,
    CONF_KIND,
    CONF_LIMIT_SPACING,
    CONF_MAX_CONNECTORS,
    CONF_MAX_UPLOAD_MIB,
    CONF_MIN_CURRENT,
    CONF_PHASES,
    CONF_VOLTAGE,
    DEFAULT_CLOCK_TOLERANCE,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_HISTORY_DAYS,
    DEFAULT_ID_TAG,
    DEFAULT_LIMIT_SPACING,
    DEFAULT_MAX_CONNECTORS,
    DEFAULT_MIN_CURRENT,
    DEFAULT_PHASES,
    DEFAULT_VOLTAGE,
    DOMAIN,
    KIND_CSMS,
    LOGGER_NAME,
)
from ..model.charger import Charger
from ..model.csms import Csms
from ..model.desired_limit import Electrical
from ..model.limit_writer import WriteSettings
from ..transport.connections import ConnectionManager
from . import connection_options
from .access import ChargerAccess
from .bridge import HaBridge, raise_repair
from .connection_options import TlsSetup, tls_setup
from .log_uploads import LogUploads
from .planning import ChargingPlanner
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
        self.options: dict[str, Any] = {}
        self.planner = ChargingPlanner(hass, self.csms)
        self.log_uploads = LogUploads(hass, self.csms)
        self.csms.settings.currency = hass.config.currency  # kept current (__init__.py)
        self.csms.settings.time_zone = dt_util.get_default_time_zone()
        self._unsub_sweep: Callable[[], None] | None = None

    async def async_load(self) -> None:
        """Load the stored state."""
        await self.bridge.async_load()

    @property
    def default_id_tag(self) -> str:
        """Return the id tag sent with remote starts."""
        return str(self.options.get(CONF_DEFAULT_ID_TAG) or DEFAULT_ID_TAG)

    def apply_options(self, entry: ConfigEntry) -> None:
        """Apply the CSMS entry's options without dropping any connection."""
        options = self.options = dict(entry.options)
        settings = self.csms.settings
        connection_options.apply(options, self.connections, self.access)
        settings.auto_accept = self.access.unknown_policy == "accept"
        settings.heartbeat_interval = int(
            options.get(CONF_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_INTERVAL)
        )
        settings.max_connectors = int(options.get(CONF_MAX_CONNECTORS, DEFAULT_MAX_CONNECTORS))
        settings.clock_tolerance_s = float(
            options.get(CONF_CLOCK_TOLERANCE, DEFAULT_CLOCK_TOLERANCE)
        )
        self.tag_manager.apply(entry)
        limits = self.csms.limits
        limits.default_id_tag = self.default_id_tag
        limits.settings = WriteSettings(
            electrical=Electrical(
                voltage=float(options.get(CONF_VOLTAGE, DEFAULT_VOLTAGE)),
                phases=int(options.get(CONF_PHASES, DEFAULT_PHASES)),
            ),
            minimum_amps=float(options.get(CONF_MIN_CURRENT, DEFAULT_MIN_CURRENT)),
            below_minimum_pauses=options.get(CONF_BELOW_MINIMUM, BELOW_MINIMUM_PAUSE)
            == BELOW_MINIMUM_PAUSE,
        )
        self.csms.history.retention = timedelta(
            days=int(options.get(CONF_HISTORY_DAYS, DEFAULT_HISTORY_DAYS))
        )
        self.csms.history.prune(dt_util.utcnow())
        self.log_uploads.max_bytes = (
            connection_options.limit(options, CONF_MAX_UPLOAD_MIB) * 1024 * 1024
        )
        limits.spacing = timedelta(
            seconds=float(options.get(CONF_LIMIT_SPACING, DEFAULT_LIMIT_SPACING))
        )

    async def async_start_server(self, entry: ConfigEntry) -> None:
        """Start the server; raises CertificateProblem (TLS files) or OSError (the port)."""
        self.apply_options(entry)
        self.tls = await self.hass.async_add_executor_job(tls_setup, dict(entry.options))
        server = await self.connections.async_start(
            entry.data[CONF_HOST],
            entry.data[CONF_PORT],
            self.tls.context if self.tls is not None else None,
        )
        _LOGGER.info("OCPP central system listening on port %s", server.port)
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
