"""Reading a limit back: what the charger has in force after it accepted a profile.

Its composite schedule where it tells one (asked again a moment later where it is
above the accepted limit: many chargers apply a profile a little late), else the
current or power it offers, else what was accepted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from . import clock
from .commands import CommandError, LimitUnit
from .limit_check import EffectiveLimit, LimitSource
from .limit_result import LimitResult, offered
from .limit_sender import TRANSPORT_FAILURES

if TYPE_CHECKING:
    from .charger import Connector
    from .desired_limit import LimitValue
    from .limit_check import LimitWatch
    from .profiles import CompositeSchedule

VERIFY_DURATION_S = 300
RECHECK_S = 2.0  # a composite schedule above the accepted limit is read again after this

Composite = Callable[["Connector", int, LimitUnit], Awaitable["CompositeSchedule"]]


async def read_back(
    conn: Connector, watch: LimitWatch, result: LimitResult, composite: Composite
) -> None:
    """Note the limit in force after a profile was accepted, on the watch and result."""
    accepted = watch.accepted
    if accepted is None:
        return
    effective = await composite_limit(conn, accepted, composite)
    if effective is not None and watch.over(effective):
        # Many chargers put an accepted profile in force a moment later: ask
        # once more before calling the limit ignored.
        await asyncio.sleep(RECHECK_S)
        effective = await composite_limit(conn, accepted, composite) or effective
    if effective is None:
        effective = offered(conn, accepted.unit) or EffectiveLimit(
            accepted.value, accepted.unit, LimitSource.DESIRED
        )
    watch.reported(effective)
    result.effective = effective


async def composite_limit(
    conn: Connector, accepted: LimitValue, composite: Composite
) -> EffectiveLimit | None:
    """Return the limit the charger's composite schedule has in force now."""
    charger = conn.charger
    if charger.composite_supported is False:
        return None
    try:
        schedule = await composite(conn, VERIFY_DURATION_S, accepted.unit)
    except CommandError as err:
        if err.answer in TRANSPORT_FAILURES:
            raise
        charger.composite_supported = False
        return None
    charger.composite_supported = True
    period = schedule.period_at(clock.now())
    if period is None and schedule.periods:
        period = schedule.periods[0]  # the charger's clock is a little behind
    if period is None:
        return None
    return EffectiveLimit(period.limit, schedule.unit, LimitSource.COMPOSITE)
