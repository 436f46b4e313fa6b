"""What each kind of config entry holds as runtime_data."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .model.charger import Charger
from .runtime import CsmsRuntime


@dataclass(slots=True)
class ChargerData:
    """runtime_data of a charger entry."""

    charger: Charger
    runtime: CsmsRuntime
    device_id: str  # the charger's device; its connectors are child devices of it


type CsmsConfigEntry = ConfigEntry[CsmsRuntime]
type ChargerConfigEntry = ConfigEntry[ChargerData]
type OcppConfigEntry = ConfigEntry[ChargerData | CsmsRuntime]
