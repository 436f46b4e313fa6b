"""What each kind of config entry holds as runtime_data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeGuard, cast

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context
from homeassistant.helpers.device_registry import ChildDeviceInfo, DeviceInfo

from ..const import CONF_KIND, KIND_CHARGER
from ..model.charger import Charger, Connector
from .devices import charger_device, connector_device
from .runtime import CsmsRuntime


@dataclass(slots=True)
class ChargerData:
    """runtime_data of a charger entry."""

    charger: Charger
    runtime: CsmsRuntime
    device_id: str  # the charger's device; its connectors are child devices of it
    # per charger or connector: the Context of its latest message of readings
    reading_contexts: dict[object, tuple[int, Context]] = field(default_factory=dict)
    # one device info per device, shared by its entities (read when each is added)
    device_infos: dict[object, DeviceInfo | ChildDeviceInfo] = field(default_factory=dict)

    def device_info(self, target: Charger | Connector) -> DeviceInfo | ChildDeviceInfo:
        """Return the device of the charger or connector (one dict for all its entities)."""
        info = self.device_infos.get(target)
        if info is None:
            made: DeviceInfo | ChildDeviceInfo = (
                connector_device(target, self.device_id)
                if isinstance(target, Connector)
                else charger_device(target)
            )
            info = self.device_infos[target] = made
        return info

    def readings_context(self, target: Charger | Connector) -> Context:
        """Return one Context for all the state writes of one message of readings.

        Home Assistant ties each event to its context in a reference cycle, which
        only the garbage collector frees; one context per message instead of one
        per state write makes a quarter of the garbage (and says, truly, that the
        writes had one cause).
        """
        seen = self.reading_contexts.get(target)
        if seen is not None and seen[0] == target.readings_seq:
            return seen[1]
        context = Context()
        self.reading_contexts[target] = (target.readings_seq, context)
        return context


type CsmsConfigEntry = ConfigEntry[CsmsRuntime]
type ChargerConfigEntry = ConfigEntry[ChargerData]
type OcppConfigEntry = ConfigEntry[ChargerData | CsmsRuntime]


def is_charger_entry(entry: ConfigEntry[Any]) -> TypeGuard[ChargerConfigEntry]:
    """Tell whether the entry is an adopted charger's (else: the central system's)."""
    return bool(entry.data.get(CONF_KIND) == KIND_CHARGER)


def as_csms_entry(entry: ConfigEntry[Any]) -> CsmsConfigEntry:
    """Return an entry that is not a charger's as what it is: the central system's."""
    return cast("CsmsConfigEntry", entry)
