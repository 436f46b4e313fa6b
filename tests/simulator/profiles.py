"""A charger's smart-charging engine, version-neutral: it keeps the profiles it
accepted, computes the composite schedule, and decides the current the
simulated connector may draw. Quirks of real chargers can be switched on.

OCPP rules followed (1.6 §3.13, 2.0.1 K08): within one purpose the highest
stack level in force wins; a TxProfile overrides the TxDefaultProfile of its
connector (a TxDefaultProfile on connector 0 applies to every connector); the
charger-wide max profile caps both.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

TX, TX_DEFAULT = "TxProfile", "TxDefaultProfile"
STATION_MAX = ("ChargePointMaxProfile", "ChargingStationMaxProfile")

QUIRKS = {
    "amps_only": "rejects profiles in W",
    "watts_only": "rejects profiles in A",
    "rejects_tx_profile": "rejects every TxProfile",
    "ignores_tx_default_mid_session": "a TxDefaultProfile set during a session waits for the next one",
    "max_one_period": "rejects schedules of more than one period",
    "max_stack_level_3": "rejects stack levels above 3 (while reporting 10)",
    "accepts_and_ignores": "answers Accepted and applies nothing",
    "keeps_zero_after_session": "keeps applying a TxProfile after its session ended",
    "no_composite": "answers GetCompositeSchedule with Rejected",
    "over_draws": "reports the limit in its composite schedule, but draws full power",
    "applies_late": "puts an accepted profile in force a second later (and says so)",
    "applies_minutes_later": "puts an accepted profile in force two minutes later",
    "ends_session_at_zero": "ends the session itself at 0 A, the car still plugged",
    "rejects_station_max": "rejects ChargePointMaxProfile / ChargingStationMaxProfile",
    "ignores_phase_switch": "says it can switch to one phase, accepts numberPhases 1, draws on three",
}
APPLY_DELAY_S = 1.0
APPLY_MUCH_LATER_S = 120.0


@dataclass
class SimProfile:
    id: int
    connector_id: int
    purpose: str
    stack_level: int
    kind: str
    unit: str
    periods: list[tuple[int, float, int | None]]  # (startPeriod, limit, numberPhases)
    start: datetime | None
    transaction_id: str | None
    duration: int | None = None
    installed: datetime = field(default_factory=lambda: datetime.now(UTC))
    installed_in_tx: str | None = None  # the transaction running when it came


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class ProfileEngine:
    def __init__(self, quirks: set[str] | None = None, voltage: float = 230.0) -> None:
        unknown = set(quirks or ()) - set(QUIRKS)
        if unknown:
            raise ValueError(f"unknown quirks: {sorted(unknown)}")
        self.quirks = set(quirks or ())
        self.voltage = voltage
        self.profiles: dict[int, SimProfile] = {}
        # the charger's clock: a test that moves Home Assistant's clock moves this one
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    # ------------------------------------------------------------ messages
    def install(self, profile: SimProfile, conn: Any) -> str:
        """SetChargingProfile: the answer a charger with these quirks gives."""
        profile.installed = self.clock()
        q = self.quirks
        if (
            (profile.unit == "W" and "amps_only" in q)
            or (profile.unit == "A" and "watts_only" in q)
            or (profile.purpose == TX and "rejects_tx_profile" in q)
            or (profile.purpose in STATION_MAX and "rejects_station_max" in q)
            or (len(profile.periods) > 1 and "max_one_period" in q)
            or (profile.stack_level > 3 and "max_stack_level_3" in q)
        ):
            return "Rejected"
        if profile.purpose == TX and (
            conn is None
            or conn.transaction_id is None
            or str(profile.transaction_id) != str(conn.transaction_id)
        ):
            return "Rejected"  # K01.FR.09: a TxProfile needs its running transaction
        if not profile.periods or profile.periods[0][0] != 0:
            return "Rejected"  # the first period starts at 0
        if "accepts_and_ignores" in q:
            return "Accepted"
        if conn is not None and conn.transaction_id is not None:
            profile.installed_in_tx = str(conn.transaction_id)
        if "applies_late" in q:
            profile.installed += timedelta(seconds=APPLY_DELAY_S)
        if "applies_minutes_later" in q:
            profile.installed += timedelta(seconds=APPLY_MUCH_LATER_S)
        # the same id, or the same purpose and stack level on the connector, is replaced
        for other in list(self.profiles.values()):
            if other.id == profile.id or (
                other.connector_id == profile.connector_id
                and other.purpose == profile.purpose
                and other.stack_level == profile.stack_level
            ):
                del self.profiles[other.id]
        self.profiles[profile.id] = profile
        return "Accepted"

    def clear(self, profile_id: int | None) -> bool:
        if profile_id is None:
            cleared = bool(self.profiles)
            self.profiles.clear()
            return cleared
        return self.profiles.pop(profile_id, None) is not None

    def session_ended(self, connector_id: int) -> None:
        if "keeps_zero_after_session" in self.quirks:
            return
        for profile in list(self.profiles.values()):
            if profile.purpose == TX and profile.connector_id == connector_id:
                del self.profiles[profile.id]

    # ------------------------------------------------------------ what applies
    def _value_at(self, profile: SimProfile, moment: datetime, conn: Any) -> float | None:
        """The profile's limit at a moment, in A; None where it says nothing."""
        found = self._period_at(profile, moment, conn)
        if found is None:
            return None
        limit, phases = found
        if profile.unit == "W":
            limit = limit / (self.voltage * (phases or conn.phases))
        return limit

    def _period_at(
        self, profile: SimProfile, moment: datetime, conn: Any
    ) -> tuple[float, int | None] | None:
        """The profile's (limit, numberPhases) at a moment; None where it says nothing."""
        late = self.quirks & {"applies_late", "applies_minutes_later"}
        if late and moment < profile.installed:
            return None  # not in force yet, whatever its schedule says
        if profile.kind == "Absolute":
            origin = profile.start or profile.installed
        else:
            origin = getattr(conn, "tx_started", None) or profile.installed
        offset = (moment - origin).total_seconds()
        if offset < 0 or (profile.duration is not None and offset >= profile.duration):
            return None
        found = None
        for start, limit, phases in profile.periods:
            if start <= offset:
                found = (limit, phases)
        return found

    def _best(self, purpose: tuple[str, ...], conn: Any, moment: datetime) -> float | None:
        found = self._best_profile(purpose, conn, moment)
        return self._value_at(found, moment, conn) if found is not None else None

    def _best_profile(
        self, purpose: tuple[str, ...], conn: Any, moment: datetime
    ) -> SimProfile | None:
        best: tuple[int, SimProfile] | None = None
        for profile in self.profiles.values():
            if profile.purpose not in purpose:
                continue
            if profile.connector_id not in (0, conn.connector_id):
                continue
            if profile.purpose == TX and not self._tx_applies(profile, conn):
                continue
            if (
                profile.purpose == TX_DEFAULT
                and "ignores_tx_default_mid_session" in self.quirks
                and conn.transaction_id is not None
                and profile.installed_in_tx == str(conn.transaction_id)
            ):
                continue
            value = self._value_at(profile, moment, conn)
            if value is not None and (best is None or profile.stack_level > best[0]):
                best = (profile.stack_level, profile)
        return best[1] if best else None

    def phases(self, conn: Any, moment: datetime | None = None) -> int:
        """The phases the connector draws on: numberPhases of the profile in force,
        where the charger can switch (and does)."""
        if not conn.can_switch or "ignores_phase_switch" in self.quirks:
            return conn.phases
        moment = moment or self.clock()
        profile = None
        if conn.transaction_id is not None:
            profile = self._best_profile((TX,), conn, moment)
        profile = profile or self._best_profile((TX_DEFAULT,), conn, moment)
        found = self._period_at(profile, moment, conn) if profile is not None else None
        asked = found[1] if found is not None else None
        return min(conn.phases, asked) if asked else conn.phases

    def _tx_applies(self, profile: SimProfile, conn: Any) -> bool:
        if "keeps_zero_after_session" in self.quirks:
            return True
        return conn.transaction_id is not None and str(profile.transaction_id) == str(
            conn.transaction_id
        )

    def limit_amps(self, conn: Any, moment: datetime | None = None, drawn: bool = True) -> float:
        """The current the connector may draw now: what the charger applies
        (``drawn``) or what it says it applies (its composite schedule)."""
        if drawn and "over_draws" in self.quirks:
            return conn.max_amps
        moment = moment or self.clock()
        tx = (
            self._best((TX,), conn, moment)
            if conn.transaction_id is not None or ("keeps_zero_after_session" in self.quirks)
            else None
        )
        level = tx if tx is not None else self._best((TX_DEFAULT,), conn, moment)
        cap = self._best(STATION_MAX, conn, moment)
        limit = conn.max_amps
        for value in (level, cap):
            if value is not None:
                limit = min(limit, value)
        return max(0.0, limit)

    def composite(
        self, conn: Any, duration: int, unit: str, now: datetime | None = None
    ) -> dict[str, Any] | None:
        """GetCompositeSchedule's schedule (camelCase), or None where refused."""
        if "no_composite" in self.quirks:
            return None
        # evaluated at this very moment (a profile installed a moment ago is in force),
        # reported from the whole second
        now = now or self.clock()
        begin = now.replace(microsecond=0)
        end = now + timedelta(seconds=duration)
        moments = {now}
        for profile in self.profiles.values():
            origin = profile.start or profile.installed
            offsets = [start for start, _, _ in profile.periods]
            if profile.duration is not None:
                offsets.append(profile.duration)
            for start in offsets:
                moment = origin + timedelta(seconds=start)
                if now < moment < end:
                    moments.add(moment)
        periods: list[dict[str, Any]] = []
        for moment in sorted(moments):
            amps = self.limit_amps(conn, moment, drawn=False)
            limit = amps if unit == "A" else amps * self.voltage * conn.phases
            if periods and periods[-1]["limit"] == round(limit, 1):
                continue
            periods.append(
                {
                    # whole seconds from the reported start, never before the change
                    "startPeriod": 0
                    if moment == now
                    else math.ceil((moment - begin).total_seconds()),
                    "limit": round(limit, 1),
                    "numberPhases": conn.phases,
                }
            )
        return {
            "start": begin,
            "duration": duration,
            "unit": unit,
            "periods": periods,
        }
