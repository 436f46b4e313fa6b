"""Charger profiles: documented firmware quirks, as data.

The table is ``data/charger_profiles.json``: each profile matches a charger's
BootNotification (vendor, model, firmware: regular expressions) and overrides
what the charger reports of itself (its smart-charging capabilities, whether it
tells its composite schedule). It is applied at every boot, shown in the
diagnostics, and can be turned off in the charger's options.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .identity import CAPABILITY_FIELDS, ChargerIdentity

TABLE = Path(__file__).parent.parent / "data" / "charger_profiles.json"


@dataclass(frozen=True, slots=True)
class ChargerProfile:
    """One documented quirk set, and where it is documented."""

    profile_id: str
    vendor: re.Pattern[str]
    model: re.Pattern[str] | None
    firmware: re.Pattern[str] | None
    capabilities: dict[str, Any] = field(default_factory=dict)
    composite_schedule: bool | None = None  # False: the charger never tells it
    configure_sampling: bool | None = None  # False: changing its sampling is unsafe
    local_timestamps: bool = False  # its times without a zone are local, not UTC
    # False: it rejects ChargePointMaxProfile; the station limit is held per connector
    station_max_profile: bool | None = None
    # True: it keeps its own (local, often negative) transaction id after we gave it
    # ours; a stop for an id we never gave is its one open session's
    own_transaction_ids: bool = False
    # True: it takes no request before it booted on this connection; one that
    # reconnects without booting is asked to boot (TriggerMessage) first
    boot_first: bool = False
    note: str = ""
    source: str = ""

    def matches(self, identity: ChargerIdentity) -> bool:
        """Tell whether the boot is of a charger this profile describes."""
        pairs: tuple[tuple[re.Pattern[str] | None, str | None], ...] = (
            (self.vendor, identity.vendor),
            (self.model, identity.model),
            (self.firmware, identity.firmware_version),
        )
        return all(
            pattern is None or (value is not None and pattern.match(value) is not None)
            for pattern, value in pairs
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the profile as shown in diagnostics."""
        return {
            "id": self.profile_id,
            "capabilities": self.capabilities,
            "composite_schedule": self.composite_schedule,
            "configure_sampling": self.configure_sampling,
            "local_timestamps": self.local_timestamps,
            "station_max_profile": self.station_max_profile,
            "own_transaction_ids": self.own_transaction_ids,
            "boot_first": self.boot_first,
            "note": self.note,
            "source": self.source,
        }


ROW_KEYS = frozenset(
    {
        "id",
        "vendor",
        "model",
        "firmware",
        "capabilities",
        "composite_schedule",
        "configure_sampling",
        "local_timestamps",
        "station_max_profile",
        "own_transaction_ids",
        "boot_first",
        "note",
        "source",
    }
)


def _pattern(value: str | None) -> re.Pattern[str] | None:
    return re.compile(value, re.IGNORECASE) if value else None


def parse(data: dict[str, Any]) -> tuple[ChargerProfile, ...]:
    """Read the table; an entry naming an unknown capability is refused (ValueError)."""
    profiles = []
    for raw in data["profiles"]:
        if unknown_keys := set(raw) - ROW_KEYS:
            raise ValueError(f"charger profile {raw.get('id')}: unknown fields {unknown_keys}")
        capabilities = dict(raw.get("capabilities", {}))
        if unknown := set(capabilities) - CAPABILITY_FIELDS:
            raise ValueError(f"charger profile {raw['id']}: unknown capabilities {unknown}")
        if "charging_rate_units" in capabilities:
            capabilities["charging_rate_units"] = tuple(capabilities["charging_rate_units"])
        profiles.append(
            ChargerProfile(
                profile_id=raw["id"],
                vendor=re.compile(raw["vendor"], re.IGNORECASE),
                model=_pattern(raw.get("model")),
                firmware=_pattern(raw.get("firmware")),
                capabilities=capabilities,
                composite_schedule=raw.get("composite_schedule"),
                configure_sampling=raw.get("configure_sampling"),
                local_timestamps=bool(raw.get("local_timestamps", False)),
                station_max_profile=raw.get("station_max_profile"),
                own_transaction_ids=bool(raw.get("own_transaction_ids", False)),
                boot_first=bool(raw.get("boot_first", False)),
                note=raw.get("note", ""),
                source=raw.get("source", ""),
            )
        )
    return tuple(profiles)


# read once, when the integration is imported (in the executor, as Home Assistant does)
PROFILES = parse(json.loads(TABLE.read_text(encoding="utf-8")))


def profile_for(identity: ChargerIdentity) -> ChargerProfile | None:
    """Return the first profile that describes this charger, if any."""
    return next((p for p in PROFILES if p.matches(identity)), None)
