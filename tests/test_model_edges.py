"""The model's edge cases that a whole scenario rarely reaches: prices a sensor
cannot give, payloads diagnostics cannot keep, a composite schedule that tells
nothing, a report whose connection closes. Plain model objects, no mocks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ocpp_csms.model.charger import Charger
from custom_components.ocpp_csms.model.commands import CommandError, LimitUnit
from custom_components.ocpp_csms.model.desired_limit import Electrical, LimitValue
from custom_components.ocpp_csms.model.diagnostics_log import MAX_ENTRY_BYTES, DiagnosticsLog
from custom_components.ocpp_csms.model.limit_check import LimitSource, LimitWatch
from custom_components.ocpp_csms.model.limit_host import NoHost
from custom_components.ocpp_csms.model.limit_readback import composite_limit, read_back
from custom_components.ocpp_csms.model.limit_result import LimitResult, offered
from custom_components.ocpp_csms.model.profiles import CompositeSchedule, SchedulePeriod
from custom_components.ocpp_csms.model.session_cost import credit_cost, price_per_kwh
from custom_components.ocpp_csms.model.transaction import Transaction
from custom_components.ocpp_csms.protocol.report_collector import ReportCollector


def _connector():
    charger = Charger("CP1")
    return charger._add_connector(1)


@pytest.mark.parametrize(
    ("state", "unit", "expected"),
    [
        ("unknown", "EUR/kWh", None),
        ("inf", "EUR/kWh", None),
        ("250", "EUR/MWh", 0.25),
        ("25", "ct/kWh", 0.25),
        ("0.3", None, 0.3),
    ],
)
def test_prices_a_sensor_gives(state: str, unit: str | None, expected: float | None) -> None:
    assert price_per_kwh(state, unit) == expected


def test_no_cost_reckoned_without_a_price_or_readings() -> None:
    tx = Transaction("1", "CP1", 1, "TAG", datetime.now(UTC))
    credit_cost(tx, None)
    credit_cost(tx, lambda: 0.3)  # no meter start: nothing to reckon from
    assert tx.computed_cost is None
    tx.meter_start_wh = 1000.0
    credit_cost(tx, lambda: 0.3)  # no reading since
    assert tx.computed_cost is None


def test_a_payload_that_cannot_be_measured_is_not_kept_whole() -> None:
    looped: dict[str, object] = {}
    looped["self"] = looped
    log = DiagnosticsLog()
    log.add("DataTransfer", looped)
    kept = log.entries[-1]["payload"]
    assert kept["truncated"] is True  # a preview, not the loop
    assert kept["bytes"] == MAX_ENTRY_BYTES + 1


def test_a_model_alone_runs_and_times_nothing() -> None:
    host = NoHost()

    async def never() -> None:
        raise AssertionError("ran")

    coro = never()
    host.spawn(Charger("CP1"), coro)
    assert coro.cr_frame is None  # closed, never run
    host.call_at(datetime.now(UTC), lambda: None)()


def test_the_limit_offered_in_the_unit_asked_or_the_other() -> None:
    conn = _connector()
    assert offered(conn, LimitUnit.AMPS) is None
    conn.measurements.power_offered_w = 7400.0
    found = offered(conn, LimitUnit.WATTS)
    assert found is not None
    assert (found.value, found.unit) == (7400.0, LimitUnit.WATTS)
    conn.measurements.power_offered_w = None
    conn.measurements.current_offered_a = 16.0
    found = offered(conn, LimitUnit.WATTS)  # only amps told: amps
    assert found is not None
    assert found.unit is LimitUnit.AMPS


async def test_composite_schedules_that_tell_nothing() -> None:
    conn = _connector()
    accepted = LimitValue(10.0, LimitUnit.AMPS)
    now = datetime.now(UTC)

    def schedule(*periods: SchedulePeriod, start: datetime = now) -> CompositeSchedule:
        return CompositeSchedule(1, start, 300, LimitUnit.AMPS, periods)

    async def empty(*_args: object) -> CompositeSchedule:
        return schedule()

    assert await composite_limit(conn, accepted, empty) is None
    assert conn.charger.composite_supported is True

    async def ahead(*_args: object) -> CompositeSchedule:  # the charger's clock is behind
        return schedule(SchedulePeriod(0, 8.0), start=now + timedelta(minutes=1))

    found = await composite_limit(conn, accepted, ahead)
    assert found is not None
    assert (found.value, found.source) == (8.0, LimitSource.COMPOSITE)

    async def refused(*_args: object) -> CompositeSchedule:
        raise CommandError("GetCompositeSchedule", "Rejected")

    assert await composite_limit(conn, accepted, refused) is None
    assert conn.charger.composite_supported is False
    assert await composite_limit(conn, accepted, ahead) is None  # not asked again

    async def gone(*_args: object) -> CompositeSchedule:
        raise CommandError("GetCompositeSchedule", "disconnected")

    conn.charger.composite_supported = None
    with pytest.raises(CommandError):
        await composite_limit(conn, accepted, gone)
    watch = LimitWatch(Electrical())
    result = LimitResult(desired=accepted)
    await read_back(conn, watch, result, ahead)  # nothing accepted: nothing read
    assert result.effective is None


async def test_a_report_whose_connection_closes() -> None:
    reports = ReportCollector()
    pending = reports.expect(7, "GetBaseReport")
    waiting = asyncio.ensure_future(reports.wait(7, pending, 5.0))
    await asyncio.sleep(0)
    reports.close()
    with pytest.raises(CommandError, match="disconnected"):
        await waiting


def test_a_stored_password_hash_that_is_spoiled_is_none() -> None:
    from custom_components.ocpp_csms.transport.passwords import PasswordHash

    good = PasswordHash.of("A-Good-Password-123", iterations=1000).as_dict()
    assert PasswordHash.from_dict(good) is not None
    assert PasswordHash.from_dict({**good, "salt": "not hex"}) is None
    assert PasswordHash.from_dict({**good, "iterations": None}) is None
    assert PasswordHash.from_dict("nonsense") is None


def test_failed_logins_are_counted_per_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Five failures in a window report once; a failure after the window starts a new
    count; a flood of made-up ids forgets the windows that are over."""
    from custom_components.ocpp_csms.transport import passwords

    now = [1000.0]
    monkeypatch.setattr(passwords.time, "monotonic", lambda: now[0])
    reported: list[tuple[str, int]] = []
    log = passwords.FailureLog(lambda charger, _address, count: reported.append((charger, count)))
    for _ in range(passwords.FAILURES_FOR_REPAIR):
        log.failed("CP1", "127.0.0.1", "no credentials")
    assert reported == [("CP1", passwords.FAILURES_FOR_REPAIR)]
    now[0] += passwords.FAILURE_WINDOW_S + 1
    log.failed("CP1", "127.0.0.1", "no credentials")  # a new window: counted from 1
    assert len(reported) == 1
    for n in range(1001):
        log.failed(f"X{n}", "127.0.0.1", "no credentials")
    now[0] += 61
    log.failed("Y", "127.0.0.1", "no credentials")
    assert "X0" not in log._windows


def test_an_unknown_connector_status_counts_as_unavailable() -> None:
    from custom_components.ocpp_csms.model.charger import ConnectorStatus
    from custom_components.ocpp_csms.protocol.inputs import connector_status

    assert connector_status("SuspendedEV") is ConnectorStatus.SUSPENDED_EV
    assert connector_status("Exploded") is ConnectorStatus.UNAVAILABLE


def test_reservations_replaced_used_by_tag_expired_and_forgotten() -> None:
    """The model alone (no host: no timers): a reservation of the same id replaces
    the old; a session started by its tag uses it; one stored past its expiry ends
    as expired when its charger comes back."""
    from custom_components.ocpp_csms.model.csms import Csms
    from custom_components.ocpp_csms.model.operations import Reservation
    from custom_components.ocpp_csms.model.reservations import ReservationEnd

    events: list[tuple[str, dict[str, object]]] = []
    csms = Csms(emit=lambda kind, data: events.append((kind, data)))
    charger = csms.attach_charger("CP1")
    soon = datetime.now(UTC) + timedelta(hours=1)
    csms.reservations.add(charger, Reservation(1, "CP1", 1, "TAG", soon))
    csms.reservations.add(charger, Reservation(1, "CP1", 1, "OTHER", soon))
    assert charger.reservations[1].id_tag == "OTHER"
    csms.reservations.session_started(charger, 1, "OTHER", None)  # no id: by its tag
    assert charger.reservations == {}
    csms.reservations.add(charger, Reservation(2, "CP1", None, "TAG", soon))
    csms.reservations.forget(charger)  # timers go, the reservation stays
    assert 2 in charger.reservations
    charger.reservations[2] = Reservation(2, "CP1", None, "TAG", datetime.now(UTC) - timedelta(1))
    csms.reservations.restored(charger)
    assert charger.reservations == {}
    ended = [d for kind, d in events if kind == "reservation"]
    assert [d["event"] for d in ended] == [
        "created",
        "created",
        ReservationEnd.USED,
        "created",
        ReservationEnd.EXPIRED,
    ]


def test_an_automation_s_tag_answer_is_reused_for_a_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from custom_components.ocpp_csms.model import tag_decisions

    now = [500.0]
    monkeypatch.setattr(tag_decisions.time, "monotonic", lambda: now[0])
    decisions = tag_decisions.TagDecisions(lambda *_: None)
    decisions.answered("Tag-1", True)
    assert decisions._reused("tag-1") is True
    now[0] += tag_decisions.ANSWER_REUSE_S + 1
    assert decisions._reused("tag-1") is None
    assert decisions._reused("tag-1") is None  # gone, not kept


def test_a_learnt_write_strategy_asks_the_saving_wired_in_later() -> None:
    """Home Assistant wires persistence into the model after it is built: a way of
    writing limits learnt afterwards asks that saving, not the one of construction."""
    from custom_components.ocpp_csms.model.central import Saving
    from custom_components.ocpp_csms.model.csms import Csms
    from custom_components.ocpp_csms.model.write_strategy import WriteStrategy

    csms = Csms(emit=lambda *_: None)
    asked: list[str] = []
    csms.persistence = Saving(soon=lambda: asked.append("soon"))
    charger = csms.attach_charger("CP1")
    lower = WriteStrategy(stack_level=0)
    for _ in range(2):  # needed twice in a row: learnt
        csms.limits.sender._worked(charger, lower, as_tx=True)
    assert charger.limit_strategy == lower
    assert asked == ["soon"]
