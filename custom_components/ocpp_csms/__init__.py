"""ocpp_csms: an OCPP central system (CSMS) inside Home Assistant.

One CSMS entry runs the server. Each adopted charger is its own config entry:
Home Assistant caps enabled entities per config entry at 10,000, and a site with
1,000 chargers has about 18,000.
"""

from __future__ import annotations

import errno
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import EVENT_CORE_CONFIG_UPDATE, EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .const import (
    CONF_CHARGER_ID,
    CONF_CHARGER_PASSWORD,
    CONF_CHARGER_PROFILE,
    CONF_KIND,
    CONF_PASSWORD_HASH,
    CONF_PHASE_ROTATION,
    CONF_PROTOCOL,
    DOMAIN,
    KIND_CHARGER,
    PROTOCOL_AUTO,
)
from .entities.forwarding_entities import remove_leg_entities
from .hub.bridge import raise_repair
from .hub.connection_options import CertificateProblem
from .hub.costs import price_source
from .hub.devices import charger_device, remove_connector_device
from .hub.entry_data import (
    ChargerConfigEntry,
    ChargerData,
    CsmsConfigEntry,
    OcppConfigEntry,
    as_csms_entry,
    is_charger_entry,
)
from .hub.log_uploads import UploadView
from .hub.runtime import CsmsRuntime, csms_entry, get_runtime
from .hub.tags import async_migrate_allow_list
from .hub.upstream_options import UpstreamOptions
from .model import choices
from .model.phase_rotation import parse_rotation
from .protocol.registry import VERSIONS, prepare_validation
from .services import async_setup_services

_LOGGER = logging.getLogger(__name__)

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]

CSMS_PLATFORMS = [Platform.BINARY_SENSOR, Platform.SENSOR]
CERTIFICATE_ISSUE = "certificate"

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions and the log upload endpoint (the runtime is the CSMS entry's)."""
    # Schema validation in the loop with compiled validators, not a thread hop each.
    await hass.async_add_executor_job(prepare_validation)
    async_setup_services(hass)
    # log uploads to Home Assistant itself (http is a dependency: it is set up)
    hass.http.register_view(UploadView(lambda: get_runtime(hass).log_uploads))
    return True


async def async_setup_entry(hass: HomeAssistant, entry: OcppConfigEntry) -> bool:
    """Set up the central system, or a charger."""
    if is_charger_entry(entry):
        return await _async_setup_charger(hass, entry)
    return await _async_setup_csms(hass, as_csms_entry(entry))


async def _async_setup_csms(hass: HomeAssistant, entry: CsmsConfigEntry) -> bool:
    runtime = CsmsRuntime(hass)
    await runtime.async_load()
    try:
        await _async_start_csms(hass, entry, runtime)
    except Exception:
        await runtime.async_unload()  # nothing of a failed start stays behind
        raise
    entry.runtime_data = runtime

    @callback
    def _core_config_updated(_event: Event) -> None:
        # the costs Home Assistant reckons are in its currency, as it is now
        runtime.csms.settings.currency = hass.config.currency
        runtime.csms.settings.time_zone = dt_util.get_default_time_zone()

    entry.async_on_unload(hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, _core_config_updated))
    entry.async_on_unload(entry.async_on_state_change(lambda: _chargers_may_start(hass, entry)))
    await hass.config_entries.async_forward_entry_setups(entry, CSMS_PLATFORMS)

    async def _on_stop(event: Event) -> None:
        await runtime.async_stop_server()

    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _on_stop))
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))

    @callback
    def _started(_hass: HomeAssistant) -> None:
        # said once Home Assistant runs (after its own start, which yields no more):
        # a stop from now on is an orderly one, with everything written
        hass.loop.call_soon(
            _LOGGER.info, "Home Assistant started: %d chargers adopted", len(runtime.csms.adopted)
        )

    entry.async_on_unload(async_at_started(hass, _started))
    return True


@callback
def _chargers_may_start(hass: HomeAssistant, entry: CsmsConfigEntry) -> None:
    """Start the charger entries that waited for the central system, now loaded."""
    if entry.state is ConfigEntryState.LOADED:
        _reload_chargers(hass, ConfigEntryState.SETUP_RETRY)


@callback
def _reload_chargers(hass: HomeAssistant, state: ConfigEntryState) -> None:
    """Set up again the charger entries in ``state`` (they follow the runtime)."""
    for charger_entry in hass.config_entries.async_entries(DOMAIN):
        if is_charger_entry(charger_entry) and charger_entry.state is state:
            hass.config_entries.async_schedule_reload(charger_entry.entry_id)


async def _async_start_csms(
    hass: HomeAssistant, entry: CsmsConfigEntry, runtime: CsmsRuntime
) -> None:
    await _migrate_shared_password(hass, runtime, entry)
    await async_migrate_allow_list(hass, entry)
    # Known chargers are served from their first message, even before their own
    # entries are set up: one reconnecting while Home Assistant starts must not be
    # refused its statuses and queued readings.
    for known in hass.config_entries.async_entries(DOMAIN):
        if known.data.get(CONF_KIND) == KIND_CHARGER and known.disabled_by is None:
            runtime.csms.adopted.add(known.data[CONF_CHARGER_ID])
    try:
        await runtime.async_start_server(entry)
    except CertificateProblem as err:
        raise_repair(
            hass,
            CERTIFICATE_ISSUE,
            err.key,
            {"path": err.path, "detail": err.detail},
            severity=ir.IssueSeverity.ERROR,
        )
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key=err.key,
            translation_placeholders={"path": err.path, "detail": err.detail},
        ) from err
    except OSError as err:
        key = "port_in_use" if err.errno == errno.EADDRINUSE else "server_failed"
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={"port": str(entry.data["port"]), "error": str(err)},
        ) from err
    ir.async_delete_issue(hass, DOMAIN, CERTIFICATE_ISSUE)


async def _async_options_updated(hass: HomeAssistant, entry: CsmsConfigEntry) -> None:
    """Policy options apply at once; TLS and transport limits need the server restarted."""
    runtime = entry.runtime_data
    old = runtime.options
    runtime.apply_options(entry)
    if old.server != runtime.options.server:
        hass.config_entries.async_schedule_reload(entry.entry_id)


async def _migrate_shared_password(
    hass: HomeAssistant, runtime: CsmsRuntime, entry: CsmsConfigEntry
) -> None:
    """Give each charger entry the shared password of earlier versions, hashed.

    Before per-charger passwords, one password served every charger: it becomes
    each charger entry's own, and leaves the options.
    """
    shared = entry.options.get(CONF_CHARGER_PASSWORD)
    if not shared:
        return
    digest = await runtime.access.hash_of(shared)
    for charger_entry in hass.config_entries.async_entries(DOMAIN):
        if charger_entry.data.get(CONF_KIND) == KIND_CHARGER and not charger_entry.data.get(
            CONF_PASSWORD_HASH
        ):
            hass.config_entries.async_update_entry(
                charger_entry, data={**charger_entry.data, CONF_PASSWORD_HASH: digest}
            )
    options = {k: v for k, v in entry.options.items() if k != CONF_CHARGER_PASSWORD}
    hass.config_entries.async_update_entry(entry, options=options)
    _LOGGER.info("The shared charger password is now each charger's own password")


async def _async_setup_charger(hass: HomeAssistant, entry: ChargerConfigEntry) -> bool:
    central = csms_entry(hass)
    if central is None or central.state is not ConfigEntryState.LOADED:
        # it starts once the central system is loaded (_chargers_may_start)
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="csms_not_loaded")
    runtime = central.runtime_data
    charger_id = entry.data[CONF_CHARGER_ID]
    charger = runtime.csms.attach_charger(charger_id)
    _apply_charger_options(runtime, entry)
    entry.async_on_unload(entry.add_update_listener(_async_charger_options_updated))
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **charger_device(charger)
    )
    entry.runtime_data = ChargerData(charger, runtime, device.id)
    entry.async_on_unload(
        charger.on_connector_removed(
            lambda conn: remove_connector_device(hass, entry.entry_id, conn)
        )
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    runtime.adopt(charger_id)
    runtime.access.entry_set_up(charger)
    planner = runtime.planner
    if any(c.plan_request for c in charger.connectors.values()):

        @callback
        def _replan(_hass: HomeAssistant) -> None:
            for conn in charger.connectors.values():
                planner.restored(conn)

        async_at_started(hass, _replan)
    return True


def _apply_charger_options(runtime: CsmsRuntime, entry: ConfigEntry) -> None:
    charger_id = entry.data[CONF_CHARGER_ID]
    charger = runtime.csms.attach_charger(charger_id)
    charger.price = price_source(runtime.hass, entry.options)
    enabled = bool(entry.options.get(CONF_CHARGER_PROFILE, True))
    if enabled != charger.profile_enabled:
        charger.profile_enabled = enabled
        runtime.csms.apply_profile(charger)  # at once; the next probe reads the rest
    rotation = parse_rotation(entry.options.get(CONF_PHASE_ROTATION))
    if rotation != charger.phase_rotation_set:
        charger.phase_rotation_set = rotation
        for conn in charger.connectors.values():  # the site counts its phases anew
            runtime.csms.site.readings(conn)
    upstream = UpstreamOptions.parse(entry.options)
    if runtime.forwarding.apply(charger_id, upstream) and entry.state is ConfigEntryState.LOADED:
        if upstream is None:  # its leg's entities go with it
            remove_leg_entities(runtime.hass, charger_id)
        runtime.hass.config_entries.async_schedule_reload(entry.entry_id)  # its entities
    pinned = _pinned_version(entry.options.get(CONF_PROTOCOL))
    if pinned == PROTOCOL_AUTO:
        runtime.connections.pinned_versions.pop(charger_id, None)
    else:
        runtime.connections.pinned_versions[charger_id] = pinned


def _pinned_version(stored: Any) -> str:
    """Return the version a charger's options pin (stored by key, or as before)."""
    try:
        return choices.parse([PROTOCOL_AUTO, *VERSIONS], str(stored or PROTOCOL_AUTO))
    except ValueError:
        return PROTOCOL_AUTO


async def _async_charger_options_updated(hass: HomeAssistant, entry: ChargerConfigEntry) -> None:
    """Apply a pinned version (from the next connection on) and the price (at once)."""
    _apply_charger_options(entry.runtime_data.runtime, entry)


async def async_unload_entry(hass: HomeAssistant, entry: OcppConfigEntry) -> bool:
    """Unload a charger's platforms, or stop the central system and write its state."""
    data = entry.runtime_data
    if isinstance(data, ChargerData):
        ok = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
        if ok:
            data.runtime.csms.adopted.discard(entry.data[CONF_CHARGER_ID])
        return ok
    ok = await hass.config_entries.async_unload_platforms(entry, CSMS_PLATFORMS)
    await data.async_unload()
    # the chargers' entities show the runtime that just ended: they start again
    # with the next one (and wait for it, not ready, while there is none)
    _reload_chargers(hass, ConfigEntryState.LOADED)
    return ok


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: OcppConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow removing a connector device; the charger goes with its entry."""
    return entry.data.get(CONF_KIND) == KIND_CHARGER and not any(
        ident == (DOMAIN, entry.data[CONF_CHARGER_ID]) for ident in device.identifiers
    )
