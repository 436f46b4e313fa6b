"""The thin bridge from the model to Home Assistant.

Events on the bus, device registry updates, discovery flows, and the state
written to HA storage.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import discovery_flow
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import CONF_AUTO_ACCEPT, CONF_CHARGER_ID, DOMAIN, SAVE_DELAY_S, STORAGE_KEY
from .devices import charger_device
from .model.charger import Charger
from .model.csms import Csms, Persistence
from .model.events import EVENT_CHARGER_BOOTED
from .model.state import STATE_VERSION, migrate

FULL_DUMP_EVERY_S = 60.0
HISTORY_STORAGE_KEY = f"{DOMAIN}.sessions"
HISTORY_SAVE_DELAY_S = 10.0

_LOGGER = logging.getLogger(__package__)


def raise_repair(
    hass: HomeAssistant,
    issue_id: str,
    key: str,
    placeholders: dict[str, str],
    severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
) -> None:
    """Raise (or refresh) one of the integration's repair issues; none is fixable here."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=severity,
        translation_key=key,
        translation_placeholders=placeholders,
    )


class CsmsStore(Store[dict[str, Any]]):
    """HA storage of the model's state; older layouts are migrated on load."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        return migrate(old_major_version, old_data)


class HaBridge:
    """Events, devices, discovery and storage for the model."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Make the model, wired to Home Assistant."""
        self.hass = hass
        self.store = CsmsStore(hass, STATE_VERSION, STORAGE_KEY)
        # the session history: its own store, written in the background
        self.history_store: Store[dict[str, Any]] = Store(hass, 1, HISTORY_STORAGE_KEY)
        self.csms = Csms(
            emit=self.emit,
            persistence=Persistence(
                soon=self.save_soon,
                now=self.save_now,
                readings=self.save_readings,
                history=self.save_history,
            ),
        )
        self.csms.on_discovered = self.discovered
        self._save_pending = False
        # what the next write must remake: every record, or only these chargers'
        self._remake_all = True
        self._remake: set[str] = set()
        self._last_full = -math.inf

    async def async_load(self) -> None:
        """Load the stored state into the model."""
        self.csms.stored.load(await self.store.async_load())
        history = await self.history_store.async_load() or {}
        self.csms.history.load(history.get("sessions", []), dt_util.utcnow())

    @callback
    def save_history(self) -> None:
        """Write the session history within HISTORY_SAVE_DELAY_S (never on the message path)."""
        self.history_store.async_delay_save(
            lambda: {"sessions": self.csms.history.dump()}, HISTORY_SAVE_DELAY_S
        )

    # ------------------------------------------------------------ storage
    @callback
    def save_soon(self) -> None:
        """Write within SAVE_DELAY_S, every charger's record made anew.

        Later changes join the pending write rather than postponing it, so a
        charger that never falls silent is saved all the same.
        """
        self._remake_all = True
        self._schedule()

    @callback
    def save_readings(self, charger: Charger) -> None:
        """Write within SAVE_DELAY_S what one charger's meter values changed."""
        self._remake.add(charger.charger_id)
        self._schedule()

    def _schedule(self) -> None:
        if not self._save_pending:
            self._save_pending = True
            self.store.async_delay_save(self._data, SAVE_DELAY_S)

    @callback
    def save_now(self) -> None:
        """Write at the next turn of the event loop (a session started or ended)."""
        self._remake_all = True
        self._save_pending = True
        self.store.async_delay_save(self._data, 0)

    def _data(self) -> dict[str, Any]:
        self._save_pending = False
        # Every record is remade at least once a minute: a change that asked for no
        # write of its own still reaches the disk.
        now = time.monotonic()
        full = self._remake_all or now - self._last_full > FULL_DUMP_EVERY_S
        data = self.csms.stored.dump(self.csms.chargers, None if full else self._remake)
        self._remake_all, self._remake = False, set()
        if full:
            self._last_full = now
        return data

    # ------------------------------------------------------------ events, devices
    @callback
    def emit(self, event: str, data: dict[str, Any]) -> None:
        """Fire a model event on Home Assistant's bus."""
        if event == EVENT_CHARGER_BOOTED and data["charger_id"] in self.csms.adopted:
            charger = self.csms.get_charger(data["charger_id"])
            if charger is not None:
                self._update_device(charger)
        self.hass.bus.async_fire(f"{DOMAIN}_{event}", data)

    @callback
    def _update_device(self, charger: Charger) -> None:
        """Show what a boot told (vendor, model, serial, firmware) on the device."""
        entry = self.hass.config_entries.async_entry_for_domain_unique_id(
            DOMAIN, charger.charger_id
        )
        if entry is None:
            return
        dr.async_get(self.hass).async_get_or_create(
            config_entry_id=entry.entry_id, **charger_device(charger)
        )

    @callback
    def discovered(self, charger: Charger) -> None:
        """Offer a charger that booted without being adopted, or adopt it at once."""
        ident = charger.identity
        discovery_flow.async_create_flow(
            self.hass,
            DOMAIN,
            context={"source": SOURCE_INTEGRATION_DISCOVERY},
            data={
                CONF_CHARGER_ID: charger.charger_id,
                "vendor": ident.vendor or "",
                "model": ident.model or "",
                CONF_AUTO_ACCEPT: self.csms.settings.auto_accept,
            },
        )
