"""Charging planned by price.

Which times, before a deadline, to charge a given energy (or for a given time)
at a given rate.

Rules, from what users of planners complain about:
- within the known prices if they cover the need; with prices missing (tomorrow's
  come around 13:00 CET), the known part is planned and the rest charged just
  before the deadline, so the car is ready whatever happens;
- without enough time left: charge now, continuously;
- ties go to the later slot;
- a slot shorter than the minimum dwell is not planned alone;
- ``max_price`` never plans a slot above it (nor unknown prices): what that leaves
  uncharged is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .prices import PriceSlot

MODES = ("cheapest", "continuous")


def schedule_steps(plan: Plan, now: datetime, rate: Any, off: Any) -> list[tuple[datetime, Any]]:
    """Return the plan as schedule steps.

    ``rate`` in its slots, ``off`` between them until the last slot ends, then no
    say (None).
    """
    steps: list[tuple[datetime, Any]] = []
    cursor = now
    for slot in plan.slots:
        if slot.end <= now:
            continue
        if slot.start > cursor:
            steps.append((cursor, off))
        steps.append((max(slot.start, now), rate))
        cursor = slot.end
    if steps:
        steps.append((cursor, None))
    return steps


@dataclass(frozen=True, slots=True)
class PlannedSlot:
    """A time to charge, at a known (or unknown) price."""

    start: datetime
    end: datetime
    price: float | None  # None: no price known yet (charging just before the deadline)

    @property
    def hours(self) -> float:
        """Return the slot's length in hours."""
        return (self.end - self.start).total_seconds() / 3600.0

    def as_dict(self) -> dict[str, Any]:
        """Return the slot as plain data."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "price": self.price}


@dataclass(frozen=True, slots=True)
class Plan:
    """The planned slots, their energy and cost, and what could not be planned."""

    slots: tuple[PlannedSlot, ...]
    energy_kwh: float
    cost: float | None
    unplanned_kwh: float

    @property
    def unpriced_kwh(self) -> float:
        """Planned where no price is known yet (just before the deadline)."""
        total = sum(s.hours for s in self.slots)
        if not total:
            return 0.0
        unpriced = sum(s.hours for s in self.slots if s.price is None)
        return round(self.energy_kwh * unpriced / total, 3)

    def running(self, now: datetime) -> bool:
        """Tell whether a planned slot is running now."""
        return any(slot.start <= now < slot.end for slot in self.slots)

    def next_start(self, now: datetime) -> datetime | None:
        """Return when charging starts next: the running slot's own start, if one runs.

        Not ``now``: a value that moved with the clock would be written (and recorded)
        again at every reading while a slot runs.
        """
        for slot in self.slots:
            if slot.end > now:
                return slot.start
        return None


def _clip(prices: list[PriceSlot], now: datetime, deadline: datetime) -> list[PriceSlot]:
    out = []
    for slot in prices:
        start, end = max(slot.start, now), min(slot.end, deadline)
        if end > start:
            out.append(PriceSlot(start, end, slot.price))
    return out


def _merge(slots: list[PlannedSlot]) -> tuple[PlannedSlot, ...]:
    merged: list[PlannedSlot] = []
    for slot in sorted(slots, key=lambda s: s.start):
        if merged and merged[-1].end >= slot.start and merged[-1].price == slot.price:
            last = merged.pop()
            slot = PlannedSlot(last.start, max(last.end, slot.end), last.price)
        merged.append(slot)
    return tuple(merged)


def _cheapest(candidates: list[PriceSlot], need_h: float, dwell_h: float) -> list[PlannedSlot]:
    chosen: list[PlannedSlot] = []
    left = need_h
    # cheapest first; of equal prices, the later
    for slot in sorted(candidates, key=lambda s: (s.price, -s.start.timestamp())):
        if left <= 1e-9:
            break
        if slot.hours + 1e-9 < dwell_h:
            continue  # too short to plan alone
        take = min(slot.hours, max(left, dwell_h))
        start = slot.end - timedelta(hours=take)  # the later part of the slot
        chosen.append(PlannedSlot(start, slot.end, slot.price))
        left -= take
    return chosen


def _continuous(candidates: list[PriceSlot], need_h: float) -> list[PlannedSlot] | None:
    """Return the cheapest unbroken run of ``need_h`` in the candidates (ties: later)."""
    best: tuple[float, float, list[PlannedSlot]] | None = None
    for i, first in enumerate(candidates):
        run: list[PlannedSlot] = []
        left, cost, cursor = need_h, 0.0, first.start
        for slot in candidates[i:]:
            if slot.start != cursor:
                break  # a gap: no unbroken run from here
            take = min(slot.hours, left)
            run.append(PlannedSlot(slot.start, slot.start + timedelta(hours=take), slot.price))
            cost += take * slot.price
            left -= take
            cursor = slot.end
            if left <= 1e-9:
                break
        if left > 1e-9:
            continue
        key = (cost, -first.start.timestamp())
        if best is None or key <= (best[0], best[1]):
            best = (cost, -first.start.timestamp(), run)
    return best[2] if best else None


def make_plan(
    prices: list[PriceSlot],
    now: datetime,
    deadline: datetime,
    need_h: float,
    power_kw: float,
    mode: str = "cheapest",
    max_price: float | None = None,
    min_dwell: timedelta = timedelta(minutes=15),
) -> Plan:
    """Plan ``need_h`` hours of charging at ``power_kw`` before the deadline."""
    window_h = max(0.0, (deadline - now).total_seconds() / 3600.0)
    if need_h <= 0 or window_h <= 0:
        return Plan((), 0.0, None, max(0.0, need_h) * power_kw)
    known = _clip(prices, now, deadline)
    candidates = [s for s in known if max_price is None or s.price <= max_price]
    chosen: list[PlannedSlot]
    if need_h >= window_h and max_price is None:
        # not enough time left: now, continuously, at whatever price
        chosen = [PlannedSlot(s.start, s.end, s.price) for s in known]
        chosen += _unknown_before(deadline, now, known, window_h, chosen)
    elif mode == "continuous":
        run = _continuous(candidates, need_h)
        if run is None and max_price is None:
            run = [PlannedSlot(deadline - timedelta(hours=need_h), deadline, None)]
            run = _priced(run, known)
        chosen = run or []
    else:
        chosen = _cheapest(candidates, need_h, min_dwell.total_seconds() / 3600.0)
        planned = sum(s.hours for s in chosen)
        if planned + 1e-9 < need_h and max_price is None:
            chosen += _unknown_before(deadline, now, known, need_h - planned, chosen)
    slots = _trimmed(_merge(chosen), need_h)
    hours = sum(s.hours for s in slots)
    costs = [s.hours * power_kw * s.price for s in slots if s.price is not None]
    cost = sum(costs) if costs else None
    return Plan(
        slots=slots,
        energy_kwh=round(hours * power_kw, 3),
        cost=round(cost, 4) if cost is not None else None,
        unplanned_kwh=round(max(0.0, need_h - hours) * power_kw, 3),
    )


def _trimmed(slots: tuple[PlannedSlot, ...], need_h: float) -> tuple[PlannedSlot, ...]:
    """Return the slots ending once ``need_h`` is charged.

    The car takes energy in time order, so the last slot is used in part (whole
    slots of 15-minute prices would report more energy and cost than the car gets).
    """
    out: list[PlannedSlot] = []
    left = need_h
    for slot in slots:
        if left <= 1e-9:
            break
        take = min(slot.hours, left)
        out.append(
            slot
            if take == slot.hours
            else PlannedSlot(slot.start, slot.start + timedelta(hours=take), slot.price)
        )
        left -= take
    return tuple(out)


def _unknown_before(
    deadline: datetime,
    now: datetime,
    known: list[PriceSlot],
    hours: float,
    chosen: list[PlannedSlot],
) -> list[PlannedSlot]:
    """Return time without known prices, latest first, up to ``hours``.

    That is charging just before the deadline where prices are missing.
    """
    edges = sorted([(s.start, s.end) for s in known])
    gaps: list[tuple[datetime, datetime]] = []
    cursor = now
    for start, end in edges:
        if start > cursor:
            gaps.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < deadline:
        gaps.append((cursor, deadline))
    out: list[PlannedSlot] = []
    left = hours
    for start, end in reversed(gaps):
        if left <= 1e-9:
            break
        take = min((end - start).total_seconds() / 3600.0, left)
        out.append(PlannedSlot(end - timedelta(hours=take), end, None))
        left -= take
    return out


def _priced(run: list[PlannedSlot], known: list[PriceSlot]) -> list[PlannedSlot]:
    """Return a run before the deadline, cut where known prices begin and end."""
    out: list[PlannedSlot] = []
    for slot in run:
        cursor = slot.start
        for price in known:
            if price.end <= cursor or price.start >= slot.end:
                continue
            if price.start > cursor:
                out.append(PlannedSlot(cursor, price.start, None))
            end = min(price.end, slot.end)
            out.append(PlannedSlot(max(cursor, price.start), end, price.price))
            cursor = end
        if cursor < slot.end:
            out.append(PlannedSlot(cursor, slot.end, None))
    return out
