"""A session's cost as Home Assistant reckons it, for every charger and version.

Each meter reading credited to a session adds its energy since the last one,
at the price in force when the reading came (a price entity or a fixed tariff,
chosen in the charger's options). Energy that came while no price was known is
counted apart, never priced after the fact. A charger that reports its own cost
(2.1 costDetails) keeps it beside ours; the charger's is preferred.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .transaction import Transaction

# The price per kWh now, or None while it is not known (an unavailable entity).
PriceSource = Callable[[], float | None]


def price_per_kwh(state: str, unit: str | None) -> float | None:
    """Read a price entity's state as a price per kWh (per-MWh and cent units scaled)."""
    try:
        value = float(state)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    unit = (unit or "").strip().lower()
    if unit.endswith("/mwh"):
        value /= 1000.0
    if unit.startswith(("ct", "c/", "cent", "p/", "¢")):
        value /= 100.0
    return value


def start_costing(tx: Transaction, price: PriceSource | None) -> None:
    """Begin the reckoning of a new session (nothing to reckon without a price source)."""
    if price is not None and tx.computed_cost is None:
        tx.computed_cost = 0.0
        tx.cost_mark_wh = tx.meter_start_wh


def credit_cost(
    tx: Transaction,
    price: PriceSource | None,
    solar_fraction: float | None = None,
    feed_in: PriceSource | None = None,
) -> None:
    """Add the energy since the last reckoning, at the price now.

    With a feed-in price, the part the surplus covered costs that (what the owner
    gave up by not exporting it), the rest the price.
    """
    if price is None or tx.meter_start_wh is None:
        return
    end = tx.meter_stop_wh if tx.meter_stop_wh is not None else tx.meter_last_wh
    if end is None:
        return
    if tx.computed_cost is None:  # a price was chosen mid-session: from now on
        tx.computed_cost = 0.0
        tx.unpriced_kwh += max(0.0, end - tx.meter_start_wh) / 1000.0
        tx.cost_mark_wh = end
        return
    mark = tx.cost_mark_wh if tx.cost_mark_wh is not None else tx.meter_start_wh
    delta_kwh = (end - mark) / 1000.0
    if delta_kwh <= 0:
        return
    tx.cost_mark_wh = end
    now = price()
    if now is None:
        tx.unpriced_kwh += delta_kwh
        return
    if feed_in is not None and solar_fraction and (given_up := feed_in()) is not None:
        now = solar_fraction * given_up + (1.0 - solar_fraction) * now
    tx.computed_cost = (tx.computed_cost or 0.0) + delta_kwh * now
