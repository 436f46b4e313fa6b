"""Meter values that arrive: what the charger samples, set once per firmware.

Many chargers leave the factory sampling the energy register only, or nothing in
a session, or every 15 minutes. After a charger's first boot with Home Assistant,
and after each firmware change, what it samples is read and, where the register or
the power is missing or the interval is off (0, or over 5 minutes), set: the list
whole, or measurand by measurand where the charger refuses the list; never a
read-only key, never beyond its maximum length, never where its charger profile
says a change is unsafe. The clock-aligned readings likewise: the register every
quarter hour where they are off or hold no register, so an idle charger's register
is confirmed too. The key names are the adapter's (``sampling_keys``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .commands import CommandError

if TYPE_CHECKING:
    from .central import Central
    from .charger import Charger
    from .commands import ConfigurationResult
    from .port import ChargerCommands

_LOGGER = logging.getLogger(__name__)

REGISTER = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
# what Home Assistant shows, most needed first (the list is cut to the charger's length)
WANTED = (REGISTER, POWER, "Current.Import", "Current.Offered", "Voltage", "SoC")
NEEDED = frozenset({REGISTER, POWER})
INTERVAL_S = 60
MAX_INTERVAL_S = 300
# clock-aligned: the register every quarter hour, charging or not (an idle charger's
# register stays confirmed; a 0 interval sends none)
ALIGNED_WANTED = (REGISTER,)
ALIGNED_INTERVAL_S = 900
MAX_ALIGNED_INTERVAL_S = 3600


class MeterSetup:
    """Sets what chargers sample, once per firmware."""

    def __init__(self, csms: Central) -> None:
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
        groups = [
            _Group(keys.measurands, keys.interval, keys.max_length, WANTED, NEEDED, SAMPLED),
        ]
        if keys.aligned_measurands and keys.aligned_interval:
            groups.append(
                _Group(
                    keys.aligned_measurands,
                    keys.aligned_interval,
                    keys.aligned_max_length,
                    ALIGNED_WANTED,
                    frozenset(ALIGNED_WANTED),
                    ALIGNED,
                )
            )
        read = await commands.get_configuration(
            [k for g in groups for k in (g.measurands, g.max_length, g.interval) if k]
        )
        changed = []
        for group in groups:
            changed += await _configure_group(charger, commands, read, group)
        charger.sampling_set_for = charger.identity.firmware_version or ""
        self._csms.persistence.soon()
        if changed:
            _LOGGER.info("%s: meter sampling set: %s", charger.charger_id, "; ".join(changed))
        return changed


@dataclass(frozen=True, slots=True)
class _Interval:
    """The interval to set, and which ones are off (0 is: nothing sent)."""

    set_s: int
    max_s: int


SAMPLED = _Interval(INTERVAL_S, MAX_INTERVAL_S)
ALIGNED = _Interval(ALIGNED_INTERVAL_S, MAX_ALIGNED_INTERVAL_S)


@dataclass(frozen=True, slots=True)
class _Group:
    """One list of measurands with its interval: sampled in sessions, or clock-aligned."""

    measurands: str
    interval: str
    max_length: str | None
    wanted: tuple[str, ...]  # most needed first (cut to the charger's length)
    needed: frozenset[str]  # a list without one of these is set anew
    every: _Interval


async def _configure_group(
    charger: Charger, commands: ChargerCommands, read: ConfigurationResult, group: _Group
) -> list[str]:
    changed = []
    have_s = read.values.get(group.measurands)
    if have_s is not None and group.measurands not in read.readonly:
        have = [m.strip() for m in have_s.split(",") if m.strip()]
        if not group.needed <= set(have):
            length = _int(read.values.get(group.max_length)) if group.max_length else None
            wanted = list(dict.fromkeys([*group.wanted, *have]))[: length or None]
            taken = await _set_list(commands, group.measurands, wanted)
            changed.append(f"{group.measurands}={','.join(taken)}")
    interval = _int(read.values.get(group.interval))
    if (
        group.interval in read.values
        and group.interval not in read.readonly
        and (interval is None or interval == 0 or interval > group.every.max_s)
    ):
        try:
            await commands.set_configuration(group.interval, str(group.every.set_s))
            changed.append(f"{group.interval}={group.every.set_s}")
        except CommandError as err:
            _LOGGER.info("%s: %s not set: %s", charger.charger_id, group.interval, err)
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
