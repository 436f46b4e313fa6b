"""Sharing what the house's connection leaves among the connectors that charge.

Pure arithmetic, in amps per house phase, on nothing but numbers: the site
controller (``hub/site_control.py``) gathers the numbers, and writes the shares
through the limit writer.

- The headroom on a phase is its limit (the main fuse) minus what the house draws
  on it besides our own chargers.
- Every claim gets at least its minimum or nothing (paused); the claims that do
  not fit are paused lowest priority first (of equal priorities, the last), of
  those on a phase too full: a car on another phase keeps charging.
- What is left goes to the highest priority first, equally among equals, each
  up to what it wants, and never more than a phase it draws on has left.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class Claim:
    """One connector's claim on the connection."""

    key: Hashable
    # the house phases it draws on (1, 2, 3), and a circuit's, as (circuit, phase)
    phases: tuple[Hashable, ...]
    minimum: float  # less than this is no charging at all
    wanted: float  # the most it would take (its own limits, the charger's maximum)
    priority: int = 0  # a higher number is served first


def headroom(
    limit: float, measured: Mapping[Hashable, float], ours: Mapping[Hashable, float]
) -> dict[Hashable, float]:
    """Return per phase: limit - (measured - what our own chargers draw on it)."""
    return {phase: limit - (value - ours.get(phase, 0.0)) for phase, value in measured.items()}


def _overloaded(claims: Iterable[Claim], room: Mapping[Hashable, float]) -> set[Hashable]:
    """Return the phases the claims' minimums do not fit on."""
    load: dict[Hashable, float] = {}
    for claim in claims:
        for phase in claim.phases:
            load[phase] = load.get(phase, 0.0) + claim.minimum
    return {phase for phase, value in load.items() if value > room.get(phase, 0.0) + EPSILON}


def share(room: Mapping[Hashable, float], claims: Iterable[Claim]) -> dict[Hashable, float]:
    """Return each claim's share (0: paused, it cannot get its minimum)."""
    ordered = sorted(claims, key=lambda c: -c.priority)  # stable: the first of equals first
    active = list(ordered)
    while active and (over := _overloaded(active, room)):
        # the lowest priority, the last of equals, of those on a phase too full
        active.remove(next(c for c in reversed(active) if over.intersection(c.phases)))
    given: dict[Hashable, float] = {c.key: 0.0 for c in ordered}
    left = dict(room)
    for claim in active:
        given[claim.key] = min(claim.minimum, claim.wanted)
        for phase in claim.phases:
            left[phase] = left.get(phase, 0.0) - given[claim.key]
    for priority in sorted({c.priority for c in active}, reverse=True):
        _fill([c for c in active if c.priority == priority], given, left)
    return given


def _fill(group: list[Claim], given: dict[Hashable, float], left: dict[Hashable, float]) -> None:
    """Raise the group's shares together (water-filling) until each is full or stuck.

    A claim on a phase (or circuit) already full is stuck from the start: it must
    not hold the others back.
    """
    open_ = _open(group, given, left)
    while open_:
        users: dict[Hashable, int] = {}
        for claim in open_:
            for phase in claim.phases:
                users[phase] = users.get(phase, 0) + 1
        room = [max(0.0, left.get(p, 0.0)) / n for p, n in users.items()]
        step = min(*room, *(c.wanted - given[c.key] for c in open_))
        if step <= EPSILON:
            return
        for claim in open_:
            given[claim.key] += step
            for phase in claim.phases:
                left[phase] = left.get(phase, 0.0) - step
        open_ = _open(open_, given, left)


def _open(
    claims: list[Claim], given: dict[Hashable, float], left: dict[Hashable, float]
) -> list[Claim]:
    """Return the claims that want more and have room for it on every phase."""
    return [
        c
        for c in claims
        if given[c.key] < c.wanted - EPSILON and all(left.get(p, 0.0) > EPSILON for p in c.phases)
    ]
