"""Planning by price on real-shaped data of every price source: normalisation
(MWh, missing ends, 15-minute and mixed slots) and the planning rules (deadline
with prices missing, no time left, ties to the later slot, minimum dwell,
price cap, continuous runs, a DST day)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.ocpp_csms.model.errors import InvalidCommand
from custom_components.ocpp_csms.model.price_plan import make_plan, schedule_steps
from custom_components.ocpp_csms.model.prices import PriceSlot, normalise

AMS = ZoneInfo("Europe/Amsterdam")
DAY = datetime(2026, 12, 1, tzinfo=AMS)  # a winter day: UTC+1


def hourly(prices: list[float], start: datetime = DAY) -> list[PriceSlot]:
    return [
        PriceSlot(
            (start + timedelta(hours=n)).astimezone(UTC),
            (start + timedelta(hours=n + 1)).astimezone(UTC),
            p,
        )
        for n, p in enumerate(prices)
    ]


# ---------------------------------------------------------------- sources
def test_custom_nordpool_sensor() -> None:
    attrs = {
        "unit": "kWh",
        "raw_today": [
            {
                "start": "2026-12-01T00:00:00+01:00",
                "end": "2026-12-01T01:00:00+01:00",
                "value": 0.25,
            },
            {
                "start": "2026-12-01T01:00:00+01:00",
                "end": "2026-12-01T02:00:00+01:00",
                "value": 0.21,
            },
        ],
        "raw_tomorrow": [
            {
                "start": "2026-12-02T00:00:00+01:00",
                "end": "2026-12-02T01:00:00+01:00",
                "value": 0.19,
            }
        ],
    }
    slots = normalise(attrs)
    assert [s.price for s in slots] == [0.25, 0.21, 0.19]
    assert slots[0].start == datetime(2026, 11, 30, 23, tzinfo=UTC)


def test_entsoe_without_ends() -> None:
    attrs = {
        "prices_today": [
            {"time": "2026-12-01T00:00:00+01:00", "price": 0.30},
            {"time": "2026-12-01T00:15:00+01:00", "price": 0.28},
            {"time": "2026-12-01T00:30:00+01:00", "price": 0.27},
        ]
    }
    slots = normalise(attrs)
    assert [s.hours for s in slots] == [0.25, 0.25, 0.25]  # the last keeps the length before it


def test_epex_spot() -> None:
    attrs = {
        "data": [
            {
                "start_time": "2026-12-01T10:00:00+00:00",
                "end_time": "2026-12-01T11:00:00+00:00",
                "price_per_kwh": 0.12,
            }
        ]
    }
    assert normalise(attrs) == [
        PriceSlot(
            datetime(2026, 12, 1, 10, tzinfo=UTC), datetime(2026, 12, 1, 11, tzinfo=UTC), 0.12
        )
    ]


def test_octopus_rates() -> None:
    attrs = {
        "rates": [
            {"start": "2026-12-01T00:00:00Z", "end": "2026-12-01T00:30:00Z", "value_inc_vat": 0.15},
            {"start": "2026-12-01T00:30:00Z", "end": "2026-12-01T01:00:00Z", "value_inc_vat": 0.05},
        ]
    }
    assert [(s.hours, s.price) for s in normalise(attrs)] == [(0.5, 0.15), (0.5, 0.05)]


def test_core_nordpool_response_is_per_mwh() -> None:
    response = {
        "NL": [
            {
                "start": "2026-12-01T00:00:00+00:00",
                "end": "2026-12-01T00:15:00+00:00",
                "price": 120.0,
            },
            {
                "start": "2026-12-01T00:15:00+00:00",
                "end": "2026-12-01T00:30:00+00:00",
                "price": 80.5,
            },
        ]
    }
    assert [s.price for s in normalise(response)] == [0.12, pytest.approx(0.0805)]


def test_core_tibber_response_without_ends() -> None:
    response = {
        "prices": {
            "Home": [
                {"start_time": "2026-12-01T00:00:00+01:00", "price": 0.31},
                {"start_time": "2026-12-01T01:00:00+01:00", "price": 0.29},
            ]
        }
    }
    slots = normalise(response)
    assert [(s.hours, s.price) for s in slots] == [(1.0, 0.31), (1.0, 0.29)]


def test_plain_list_with_mixed_slot_lengths() -> None:
    raw = [
        {"start": "2026-12-01T00:00:00Z", "end": "2026-12-01T01:00:00Z", "price": 0.2},
        {"start": "2026-12-01T01:00:00Z", "end": "2026-12-01T01:15:00Z", "price": 0.1},
        {"start": "2026-12-01T01:15:00Z", "price": 0.3},
        {"start": "2026-12-01T01:45:00Z", "price": 0.4},
    ]
    assert [s.hours for s in normalise(raw)] == [1.0, 0.25, 0.5, 0.5]


def test_nothing_understood_is_a_clear_error() -> None:
    with pytest.raises(InvalidCommand):
        normalise("cheap")
    with pytest.raises(InvalidCommand):
        normalise({"friendly_name": "Price"})


# ---------------------------------------------------------------- rules
def test_cheapest_hours_before_seven() -> None:
    prices = hourly([0.30, 0.10, 0.25, 0.05, 0.40, 0.20, 0.50])  # 00:00 .. 07:00
    plan = make_plan(prices, prices[0].start, prices[-1].end, need_h=2, power_kw=11)
    assert [(s.start.astimezone(AMS).hour, s.price) for s in plan.slots] == [(1, 0.10), (3, 0.05)]
    assert plan.energy_kwh == 22
    assert plan.cost == pytest.approx(11 * 0.15)
    assert plan.unplanned_kwh == 0


def test_ties_go_to_the_later_slot() -> None:
    prices = hourly([0.10, 0.20, 0.10, 0.20])
    plan = make_plan(prices, prices[0].start, prices[-1].end, need_h=1, power_kw=7)
    assert plan.slots[0].start == prices[2].start


def test_tomorrow_missing_charges_before_the_deadline() -> None:
    today = hourly([0.3, 0.2], DAY.replace(hour=20))  # 20:00-22:00 known
    deadline = DAY.replace(hour=7) + timedelta(days=1)
    plan = make_plan(today, today[0].start, deadline.astimezone(UTC), need_h=4, power_kw=11)
    known = [s for s in plan.slots if s.price is not None]
    unknown = [s for s in plan.slots if s.price is None]
    assert sum(s.hours for s in known) == 2
    assert unknown
    assert unknown[-1].end == deadline.astimezone(UTC)
    assert sum(s.hours for s in unknown) == 2
    assert plan.unplanned_kwh == 0
    assert plan.unpriced_kwh == 22  # what the known prices cannot cover


def test_not_enough_time_charges_now() -> None:
    prices = hourly([0.5, 0.1])
    now = prices[0].start
    plan = make_plan(prices, now, now + timedelta(minutes=90), need_h=3, power_kw=11)
    assert plan.slots[0].start == now
    assert plan.slots[-1].end == now + timedelta(minutes=90)
    assert plan.unplanned_kwh == pytest.approx(1.5 * 11)


def test_short_slot_not_planned_alone() -> None:
    prices = hourly([0.01, 0.30, 0.20])
    now = prices[0].end - timedelta(minutes=5)  # only 5 minutes left of the cheapest hour
    plan = make_plan(prices, now, prices[-1].end, need_h=1, power_kw=11)
    assert all(s.start >= prices[1].start for s in plan.slots)
    assert plan.slots[0].price == 0.20


def test_max_price_is_never_exceeded() -> None:
    prices = hourly([0.30, 0.10, 0.25, 0.05])
    plan = make_plan(prices, prices[0].start, prices[-1].end, need_h=3, power_kw=10, max_price=0.2)
    assert {s.price for s in plan.slots} == {0.10, 0.05}
    assert plan.unplanned_kwh == pytest.approx(10)  # what the cap leaves uncharged


def test_continuous_mode_finds_the_cheapest_run() -> None:
    prices = hourly([0.10, 0.50, 0.20, 0.15, 0.18, 0.60])
    plan = make_plan(
        prices, prices[0].start, prices[-1].end, need_h=3, power_kw=11, mode="continuous"
    )
    assert len(plan.slots) == 3
    assert plan.slots[0].start == prices[2].start


def test_fifteen_minute_day_ahead() -> None:
    quarters = [
        PriceSlot(
            datetime(2026, 12, 1, 0, tzinfo=UTC) + timedelta(minutes=15 * n),
            datetime(2026, 12, 1, 0, tzinfo=UTC) + timedelta(minutes=15 * (n + 1)),
            0.30 - 0.01 * (n % 5),
        )
        for n in range(16)
    ]
    plan = make_plan(quarters, quarters[0].start, quarters[-1].end, need_h=1, power_kw=11)
    assert sum(s.hours for s in plan.slots) == pytest.approx(1.0)
    assert sorted(round(s.price, 2) for s in plan.slots) == [0.26, 0.26, 0.26, 0.27]
    # of the 0.27 quarters, the latest
    assert max(s.start for s in plan.slots if round(s.price, 2) == 0.27) == quarters[13].start


def test_deadline_as_local_time_across_dst() -> None:
    """25 October 2026, Europe/Amsterdam: 02:00-03:00 happens twice. 07:00 local is
    06:00 UTC (not 05:00) on that day."""
    from homeassistant.util import dt as dt_util

    from custom_components.ocpp_csms.hub.planning import resolve_deadline

    old = dt_util.get_default_time_zone()
    dt_util.set_default_time_zone(AMS)
    try:
        before = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 00:00 local (summer time)
        deadline = resolve_deadline(time(7, 0), before)
        assert deadline == datetime(2026, 10, 25, 6, 0, tzinfo=UTC)
        assert (deadline - before) == timedelta(hours=8)  # the day has 25 hours
    finally:
        dt_util.set_default_time_zone(old)


def test_odd_entries_are_skipped_and_overlaps_resolved() -> None:
    raw = [
        {"start": "2026-12-01T00:00:00", "price": 0.1},  # naive: no certain time
        {"start": "2026-12-01T00:00:00Z", "price": "n/a"},  # not a number
        {"start": "2026-12-01T00:00:00Z", "end": "2026-12-01T01:00:00Z", "price": "NaN"},
        {
            "start": datetime(2026, 12, 1, 1, tzinfo=UTC),
            "end": "2026-12-01T02:00:00Z",
            "price": 0.2,
        },
        {"start": "2026-12-01T01:30:00Z", "end": "2026-12-01T02:30:00Z", "price": 0.3},  # overlaps
        {"start": "garbage", "price": 0.4},
        "not a mapping",
    ]
    slots = normalise(raw)
    assert [(s.start.hour, s.start.minute, s.price) for s in slots] == [(1, 0, 0.2), (1, 30, 0.3)]
    assert slots[0].end == slots[1].start  # the later one wins the overlap
    assert (
        normalise(
            {
                "unit": "EUR/MWh",
                "data": [{"start_time": "2026-12-01T00:00:00Z", "price_per_kwh": 100}],
            }
        )[0].price
        == 0.1
    )


def test_continuous_falls_back_to_just_before_the_deadline() -> None:
    prices = hourly([0.1, 0.2])  # 2 h known, 4 h needed, 6 h window
    now = prices[0].start
    deadline = now + timedelta(hours=6)
    plan = make_plan(prices, now, deadline, need_h=4, power_kw=10, mode="continuous")
    assert plan.slots[-1].end == deadline
    assert sum(s.hours for s in plan.slots) == pytest.approx(4)
    assert all(s.price is None for s in plan.slots)  # after the known prices
    with_cap = make_plan(
        prices, now, deadline, need_h=4, power_kw=10, mode="continuous", max_price=1
    )
    assert with_cap.slots == ()
    assert with_cap.unplanned_kwh == 40


def test_nothing_to_plan() -> None:
    prices = hourly([0.1])
    assert make_plan(prices, prices[0].start, prices[0].end, need_h=0, power_kw=7).slots == ()
    late = make_plan(prices, prices[0].end, prices[0].start, need_h=1, power_kw=7)
    assert late.slots == ()
    assert late.unplanned_kwh == 7


def test_plan_as_schedule_steps() -> None:
    from custom_components.ocpp_csms.model.price_plan import schedule_steps

    prices = hourly([0.5, 0.1, 0.5, 0.1])
    now = prices[0].start
    plan = make_plan(prices, now, prices[-1].end, need_h=2, power_kw=11)
    steps = schedule_steps(plan, now, "rate", "off")
    assert steps == [
        (now, "off"),
        (prices[1].start, "rate"),
        (prices[2].start, "off"),
        (prices[3].start, "rate"),
        (prices[3].end, None),
    ]
    assert plan.next_start(now) == prices[1].start
    # while a slot runs: its start, the same at every reading (not the clock's now)
    assert plan.next_start(prices[1].start + timedelta(minutes=10)) == prices[1].start
    assert plan.next_start(prices[1].start + timedelta(minutes=50)) == prices[1].start
    assert plan.next_start(prices[3].end) is None


def test_quarter_hour_prices_report_what_the_car_gets() -> None:
    """6.875 kWh at 11 kW is 37.5 minutes: two and a half 15-minute slots, and the
    plan's energy and cost are those of 37.5 minutes, not of three whole slots."""
    quarters = [
        PriceSlot(
            (DAY + timedelta(minutes=15 * n)).astimezone(UTC),
            (DAY + timedelta(minutes=15 * (n + 1))).astimezone(UTC),
            0.10 + 0.01 * n,
        )
        for n in range(16)
    ]
    plan = make_plan(
        quarters, DAY.astimezone(UTC), DAY.astimezone(UTC) + timedelta(hours=4), 6.875 / 11, 11.0
    )
    assert plan.energy_kwh == pytest.approx(6.875)
    # the two cheapest quarters whole, the third for its first 7.5 minutes
    assert plan.cost == pytest.approx(11 * (0.25 * 0.10 + 0.25 * 0.11 + 0.125 * 0.12))
    assert plan.slots[-1].end == (DAY + timedelta(minutes=37.5)).astimezone(UTC)
    assert plan.unplanned_kwh == 0


# ---------------------------------------------------------------- edges
def test_schedule_steps_skip_slots_already_over() -> None:
    """A plan looked at after its first slot ended starts at its next slot."""
    prices = hourly([0.10, 0.50, 0.10])
    plan = make_plan(prices, prices[0].start, prices[-1].end, need_h=2, power_kw=11)
    later = prices[1].start + timedelta(minutes=10)
    steps = schedule_steps(plan, later, "on", "off")
    assert steps == [(later, "off"), (prices[2].start, "on"), (prices[2].end, None)]


def test_an_empty_plan_has_nothing_unpriced() -> None:
    """Nothing to charge: no slot, and no division by zero for the unpriced share."""
    prices = hourly([0.10])
    plan = make_plan(prices, prices[0].start, prices[0].end, need_h=0, power_kw=11)
    assert plan.slots == ()
    assert plan.unpriced_kwh == 0.0


def test_adjacent_slots_at_one_price_are_one_slot() -> None:
    """Two neighbouring hours at the same price are planned as one unbroken slot."""
    prices = hourly([0.30, 0.10, 0.10, 0.30])
    plan = make_plan(prices, prices[0].start, prices[-1].end, need_h=2, power_kw=11)
    assert [(s.start, s.end) for s in plan.slots] == [(prices[1].start, prices[2].end)]


def test_unknown_prices_fill_the_latest_gap_first() -> None:
    """Known prices in the middle of the window: what they cannot cover is planned in
    the latest gap before the deadline, and an earlier gap is not used."""
    now = DAY.astimezone(UTC)
    known = [PriceSlot(now + timedelta(hours=2), now + timedelta(hours=3), 0.2)]
    plan = make_plan(known, now, now + timedelta(hours=6), need_h=2, power_kw=10)
    assert [(s.start - now, s.end - now, s.price) for s in plan.slots] == [
        (timedelta(hours=2), timedelta(hours=3), 0.2),
        (timedelta(hours=5), timedelta(hours=6), None),
    ]
    assert plan.unpriced_kwh == 10


def test_continuous_across_a_gap_in_prices_runs_before_the_deadline() -> None:
    """No unbroken run of known prices: the run just before the deadline, priced
    where prices are known, unpriced in the gap."""
    now = DAY.astimezone(UTC)
    prices = [
        PriceSlot(now, now + timedelta(hours=1), 0.1),
        PriceSlot(now + timedelta(hours=2), now + timedelta(hours=3), 0.3),
    ]
    plan = make_plan(
        prices, now, now + timedelta(hours=3), need_h=2, power_kw=10, mode="continuous"
    )
    assert [(s.start - now, s.end - now, s.price) for s in plan.slots] == [
        (timedelta(hours=1), timedelta(hours=2), None),
        (timedelta(hours=2), timedelta(hours=3), 0.3),
    ]
