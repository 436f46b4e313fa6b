"""Meter values that arrive: what the charger samples, set once per firmware.

Many chargers leave the factory sampling the energy register only, or nothing in
a session, or every 15 minutes. After a charger's first boot with Home Assistant,
and after each firmware change, what it samples is read and, where the register or
the power is missing or the interval is off (0, or over 5 minutes), set: the list
whole, or measurand by measurand where the charger refuses the list; never a
read-only key, never beyond its maximum length, never where its charger profile
says a change is unsafe. The key names are the adapter's (``sampling_keys``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .commands import CommandError

if TYPE_CHECKING:
    from .charger import Charger
    from .commands import ChargerCommands
    from .csms import Csms

_LOGGER = logging.getLogger(__name__)

REGISTER = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
# what Home Assistant shows, most needed first (the list is cut to the charger's length)
WANTED = (REGISTER, POWER, "Current.Import", "Current.Offered", "Voltage", "SoC")
INTERVAL_S = 60
MAX_INTERVAL_S = 300


class MeterSetup:
    """Sets what chargers sample, once per firmware."""

    def __init__(self, csms: Csms) -> None:
        """Work for the central system's chargers."""
        self._csms = csms

    def charger_ready(self, charger: Charger) -> None:
        """Booted: set its sampling if not done for this firmware."""
        profile = charger.profile
        if profile is not None and profile.configure_sampling is False:
            return  # documented: changing it is unsafe on this firmware
        if charger.sampling_set_for == (charger.identity.firmware_version or ""):
            return
        self._csms.limits.host.spawn(charger, self.configure(charger))

    async def configure(self, charger: Charger) -> list[str]:
        """Read and set the charger's sampling; return what was changed."""
        commands = charger.require_commands()
        keys = commands.sampling_keys
        read = await commands.get_configuration(
            [k for k in (keys.measurands, keys.max_length, keys.interval) if k]
        )
        changed = []
        sampled = read.values.get(keys.measurands)
        if sampled is not None and keys.measurands not in read.readonly:
            have = [m.strip() for m in sampled.split(",") if m.strip()]
            if not {REGISTER, POWER} <= set(have):
                length = _int(read.values.get(keys.max_length)) if keys.max_length else None
                wanted = list(dict.fromkeys([*WANTED, *have]))[: length or None]
                taken = await _set_list(commands, keys.measurands, wanted)
                changed.append(f"{keys.measurands}={','.join(taken)}")
        interval = _int(read.values.get(keys.interval))
        if (
            keys.interval in read.values
            and keys.interval not in read.readonly
            and (interval is None or interval == 0 or interval > MAX_INTERVAL_S)
        ):
            try:
                await commands.set_configuration(keys.interval, str(INTERVAL_S))
                changed.append(f"{keys.interval}={INTERVAL_S}")
            except CommandError as err:
                _LOGGER.info("%s: sample interval not set: %s", charger.charger_id, err)
        charger.sampling_set_for = charger.identity.firmware_version or ""
        self._csms.persistence.soon()
        if changed:
            _LOGGER.info("%s: meter sampling set: %s", charger.charger_id, "; ".join(changed))
        return changed


async def _set_list(commands: ChargerCommands, key: str, wanted: list[str]) -> list[str]:
    """Set the list whole; where refused, measurand by measurand (what it takes)."""
    try:
        await commands.set_configuration(key, ",".join(wanted))
    except CommandError:
        pass
    else:
        return wanted
    taken: list[str] = []
    for measurand in wanted:
        try:
            await commands.set_configuration(key, ",".join([*taken, measurand]))
        except CommandError:
            continue
        taken.append(measurand)
    return taken


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None
