"""Electricity prices from any of the sources homeowners use, normalised.

One model: slots of ``{start, end, price per kWh}`` in UTC, sorted, without
overlap.

Understood without configuration (each as the integration exposes it):
- the custom ``nordpool`` sensor: ``raw_today`` / ``raw_tomorrow`` of ``{start, end, value}``;
- ENTSO-e: ``prices_today`` / ``prices_tomorrow`` / ``prices`` of ``{time, price}``;
- EPEX Spot: ``data`` of ``{start_time, end_time, price_per_kwh}``;
- Octopus Energy rate events: ``rates`` of ``{start, end, value_inc_vat}``;
- HA core ``nordpool.get_prices_for_date``: ``{area: [{start, end, price}]}``, per MWh;
- HA core ``tibber.get_prices``: ``{prices: {home: [{start_time, price}]}}``;
- a plain list of ``{start, end?, price}``.
A missing end is taken from the next start (the last slot keeps the length of the
one before it, else one hour); 15-, 30- and 60-minute slots, mixed ones included.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .errors import InvalidCommand

START_KEYS = ("start", "start_time", "time", "startsAt", "from")
END_KEYS = ("end", "end_time", "endsAt", "till", "to")
PRICE_KEYS = ("price", "value", "price_per_kwh", "value_inc_vat", "total")
LIST_ATTRIBUTES = (
    ("raw_today", "raw_tomorrow"),  # nordpool (custom)
    ("prices_today", "prices_tomorrow"),  # ENTSO-e
    ("prices",),  # ENTSO-e (all known)
    ("data",),  # EPEX Spot
    ("rates",),  # Octopus Energy
    ("forecast",),
)
EXPECTED = "a price entity, a list of {start, end?, price}, or a nordpool / tibber price response"


@dataclass(frozen=True, slots=True)
class PriceSlot:
    """A price for a stretch of time."""

    start: datetime
    end: datetime
    price: float  # per kWh

    @property
    def hours(self) -> float:
        """Return the slot's length in hours."""
        return (self.end - self.start).total_seconds() / 3600.0


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        return None  # a naive time means nothing certain
    return moment.astimezone(UTC)


def _pick(item: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    return next((item[k] for k in keys if k in item and item[k] is not None), None)


def _entries(items: Iterable[Any], scale: float) -> list[tuple[datetime, datetime | None, float]]:
    out = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        start = _time(_pick(item, START_KEYS))
        price = _pick(item, PRICE_KEYS)
        try:
            value = float(price) * scale
        except TypeError, ValueError:
            continue
        if start is None or not math.isfinite(value):
            continue
        out.append((start, _time(_pick(item, END_KEYS)), value))
    return out


def _lists(raw: Any) -> tuple[list[Any], float]:
    """Return the price entries in whatever came, and the factor to per kWh."""
    if isinstance(raw, list):
        return raw, 1.0
    if not isinstance(raw, Mapping):
        raise InvalidCommand(f"prices of type {type(raw).__name__} are not understood", EXPECTED)
    # a state's attributes (or the whole state object as a dict)
    attributes = raw.get("attributes", raw)
    scale = 1.0
    unit = str(attributes.get("unit") or attributes.get("unit_of_measurement") or "")
    if "mwh" in unit.lower():
        scale = 0.001
    for group in LIST_ATTRIBUTES:
        found = [x for key in group for x in (attributes.get(key) or []) if isinstance(x, Mapping)]
        if found:
            return found, scale
    if isinstance(raw.get("prices"), Mapping):  # tibber.get_prices: {prices: {home: [...]}}
        return [x for lst in raw["prices"].values() if isinstance(lst, list) for x in lst], 1.0
    lists = [v for v in raw.values() if isinstance(v, list)]
    if lists and all(isinstance(x, Mapping) for lst in lists for x in lst):
        # nordpool.get_prices_for_date: {area: [{start, end, price}]}, in currency per MWh
        return [x for lst in lists for x in lst], 0.001
    raise InvalidCommand("no price list found in what was given", EXPECTED)


def normalise(raw: Any) -> list[PriceSlot]:
    """Turn any understood price data into sorted slots without overlap."""
    items, scale = _lists(raw)
    entries = sorted(_entries(items, scale), key=lambda e: e[0])
    slots: list[PriceSlot] = []
    for index, (start, end, price) in enumerate(entries):
        if end is None:
            if index + 1 < len(entries):
                end = entries[index + 1][0]
            elif slots:
                end = start + (slots[-1].end - slots[-1].start)
            else:
                end = start + timedelta(hours=1)
        if slots and start < slots[-1].end:  # overlapping or repeated: the later wins
            if start <= slots[-1].start:
                slots.pop()
            else:
                slots[-1] = PriceSlot(slots[-1].start, start, slots[-1].price)
        if end > start:
            slots.append(PriceSlot(start, end, price))
    return slots
