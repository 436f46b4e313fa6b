"""The thin bridge from the model to Home Assistant.

Events on the bus, device registry updates and discovery flows; the state
written to HA storage is persistence.py's.
"""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import discovery_flow
from homeassistant.helpers import issue_registry as ir

from ..const import CONF_AUTO_ACCEPT, CONF_CHARGER_ID, DOMAIN, LOGGER_NAME
from ..model.central import Saving
from ..model.charger import Charger
from ..model.csms import Csms
from ..model.events import EVENT_CHARGER_BOOTED
from .devices import charger_device
from .persistence import HISTORY_STORAGE_KEY, Persistence

__all__ = ["HISTORY_STORAGE_KEY", "HaBridge", "raise_repair"]

_LOGGER = logging.getLogger(LOGGER_NAME)


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


class HaBridge:
    """Events, devices, discovery and storage for the model."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Make the model, wired to Home Assistant."""
        self.hass = hass
        self.csms = Csms(emit=self.emit)
        self.storage = storage = Persistence(hass, self.csms)
        self.csms.persistence = Saving(
            soon=storage.save_soon,
            now=storage.save_now,
            readings=storage.save_readings,
            history=storage.history_added,
            barrier=storage.barrier,
        )
        self.csms.on_discovered = self.discovered

    async def async_load(self) -> None:
        """Load the stored state into the model (the journal replayed on top)."""
        await self.storage.async_load()

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
