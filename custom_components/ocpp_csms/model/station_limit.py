"""The installer's ceiling for a whole charger (``set_station_limit``).

A ChargePointMax / ChargingStationMax profile, written at most once a minute (it
wears the charger's flash), and held by every connector's own limit where the
charger's profile says it rejects such profiles.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from . import clock
from .commands import LimitPurpose
from .desired_limit import LimitValue
from .errors import InvalidCommand
from .limit_result import LimitResult
from .limit_writer import build_profile, ladder, profile_id

if TYPE_CHECKING:
    from .central import Central
    from .charger import Charger, Connector
    from .limit_sender import ProfileSender
    from .limit_writer import WriteSettings
    from .profiles import ChargingProfile
    from .write_strategy import WriteStrategy


class LimitController(Protocol):
    """What the ceiling needs of the limit controller (``charging_limit.py``)."""

    csms: Central
    sender: ProfileSender
    settings: WriteSettings
    station_written: dict[str, datetime]

    def request(self, conn: Connector) -> None:
        """Apply a connector's limit in the background."""


STATION_LIMIT_SPACING = timedelta(seconds=60)


async def write_station_limit(
    limits: LimitController, charger: Charger, limit: LimitValue | None
) -> LimitResult:
    """Set (or, with None, clear) the charger's ceiling; every connector follows."""
    now = clock.now()
    last = limits.station_written.get(charger.charger_id)
    if last is not None and now - last < STATION_LIMIT_SPACING:
        raise InvalidCommand(
            "the station limit was changed less than a minute ago", "at most once a minute"
        )
    charger.station_limit = limit
    limits.csms.persistence.soon()
    result = LimitResult(desired=limit)
    commands = charger.require_commands()
    limits.station_written[charger.charger_id] = now
    profile = charger.profile
    if profile is not None and profile.station_max_profile is False:
        # documented to reject it: the ceiling holds through each connector's limit
        result.status = "cleared" if limit is None else "accepted"
    elif limit is None:
        await commands.clear_charging_profile(profile_id(0, LimitPurpose.STATION_MAX))
        result.status = "cleared"
    else:
        anchor = next(iter(charger.connectors.values()), None)
        if anchor is None:
            raise InvalidCommand("the charger has reported no connector yet")
        await limits.sender.send(charger, station_candidates(limits, anchor, limit), result)
        result.status = "accepted"
    for conn in charger.connectors.values():
        limits.request(conn)
    return result


def station_candidates(
    limits: LimitController, anchor: Connector, limit: LimitValue
) -> list[tuple[WriteStrategy, ChargingProfile]]:
    """Return the ways of writing the ceiling, the one that worked before first."""
    charger = anchor.charger
    strategies = ladder(charger.limit_strategy, charger.capabilities, False, limit.unit)
    return [
        (s, build_profile(anchor, LimitPurpose.STATION_MAX, s, limit, limits.settings, clock.now()))
        for s in strategies
    ]
