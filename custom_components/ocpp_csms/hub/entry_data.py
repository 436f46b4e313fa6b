"""What each kind of config entry holds as runtime_data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeGuard, cast

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context

from ..const import CONF_KIND, KIND_CHARGER
from ..model.charger import Charger, Connector
from .runtime import CsmsRuntime


@dataclass(slots=True)
class ChargerData:
    """runtime_data of a charger entry."""

    charger: Charger
    runtime: CsmsRuntime
    device_id: str  # the charger's device; its connectors are child devices of it
    # per charger or connector: the Context of its latest message of readings
    reading_contexts: dict[object, tuple[int, Context]] = field(default_factory=dict)

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
