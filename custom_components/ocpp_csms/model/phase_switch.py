"""Switching a connector between one and three phases, and whether the charger does.

The choice (the site's, for a connector charging from the surplus): one phase once
the surplus has stayed below the three-phase minimum (6 A x 3 x 230 V) for the
solar disable delay; three once it has stayed at the three-phase minimum plus a
margin for the enable delay; at most one switch per interval. A session's first
choice is not a switch. Meanwhile the minimum holds, on the phases in use.

The check: once the charger accepted a profile on one phase, its next readings
must show it drawing on one phase. A charger that keeps drawing on more, in two
readings in a row, ignores the switch: it is not asked again until it boots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DRAWING_A = 1.0  # a phase carrying at least this much is in use
READINGS_OVER = 2  # readings in a row on more phases than asked before it counts


@dataclass(frozen=True, slots=True)
class PhaseTiming:
    """The site's options for switching."""

    margin_w: float = 500.0
    interval: timedelta = timedelta(minutes=5)


def active_phases(phase_currents: dict[int, float]) -> int | None:
    """Return how many phases carry current; None while none does (nothing to tell)."""
    count = sum(1 for amps in phase_currents.values() if amps >= DRAWING_A)
    return count or None


@dataclass(slots=True)
class PhaseChoice:
    """One connector's phases as the site chose them, and when they last changed."""

    phases: int | None = None  # None: not chosen yet (a new session)
    switched: datetime | None = None
    since: datetime | None = None  # when the surplus began to call for the other count

    def choose(
        self,
        surplus_w: float,
        minimum_a: float,
        voltage: float,
        timing: PhaseTiming,
        delays: tuple[timedelta, timedelta],
        now: datetime,
    ) -> int:
        """Return the phases for this surplus.

        A switch needs the surplus to have called for it for a delay (``delays``:
        the solar enable delay up to three, the disable delay down to one, so a
        passing cloud or a reading that lags does not switch), and the interval
        since the last switch.
        """
        three_min = minimum_a * voltage * 3
        if self.phases is None:  # a session's first choice: not a switch
            self.phases = 3 if surplus_w >= three_min else 1
            return self.phases
        if self.phases == 3:
            other, delay = (1 if surplus_w < three_min else 3), delays[1]
        else:
            other, delay = (3 if surplus_w >= three_min + timing.margin_w else 1), delays[0]
        if other == self.phases:
            self.since = None
            return self.phases
        self.since = self.since or now
        rested = self.switched is None or now - self.switched >= timing.interval
        if rested and now - self.since >= delay:
            self.phases, self.switched, self.since = other, now, None
        return self.phases


@dataclass(slots=True)
class PhaseCheck:
    """Whether a connector draws on the phases the charger accepted."""

    asked: int | None = None  # numberPhases of the profile it last accepted
    _over: int = 0

    def accepted(self, phases: int | None) -> None:
        """Note the phases of a profile the charger took."""
        if phases != self.asked:
            self.asked, self._over = phases, 0

    def reading(self, phase_currents: dict[int, float]) -> bool:
        """Take a reading; True once the charger has ignored the switch."""
        drawing = active_phases(phase_currents)
        if self.asked is None or drawing is None or drawing <= self.asked:
            self._over = 0
            return False
        self._over += 1
        return self._over >= READINGS_OVER
