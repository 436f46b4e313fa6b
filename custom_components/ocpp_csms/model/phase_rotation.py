"""Which house phase each of a charger's phases is wired to: its phase rotation.

OCPP names a rotation by the grid's phases R, S and T (the house's L1, L2, L3) in
the order of the charger's L1, L2 and L3: RST is the standard wiring, TRS puts the
charger's L1 on the house's L3. Installers rotate the chargers of a site so that
single-phase cars spread over the house's phases; load management must know it to
count a car's current on the phase that really carries it.

1.6 reports it per connector in ``ConnectorPhaseRotation`` ("0.RST,1.TRS"), 2.x in
the EVSE's (or the station's) ``PhaseRotation``; a charger's options may set it,
for the many chargers that say ``Unknown``. Without one, RST.
"""

from __future__ import annotations

GRID = "RST"
ROTATIONS = ("RST", "RTS", "SRT", "STR", "TRS", "TSR")


def parse_rotation(value: object) -> str | None:
    """Return a rotation, or None for NotApplicable, Unknown or anything else."""
    text = str(value or "").strip().upper()
    return text if text in ROTATIONS else None


def parse_connector_rotations(value: str) -> dict[int, str]:
    """Read 1.6 ``ConnectorPhaseRotation``: connector id (0: the charger) -> rotation.

    A bare rotation, without an id, is the charger's.
    """
    found: dict[int, str] = {}
    for part in value.split(","):
        ident, dot, text = part.strip().partition(".")
        if not dot:
            ident, text = "0", ident
        rotation = parse_rotation(text)
        if rotation is not None and ident.strip().isdigit():
            found[int(ident)] = rotation
    return found


def roomiest(rotation: str | None, headroom: dict[int, float]) -> int:
    """Return the charger phase wired to the house phase with the most room.

    For 2.x phaseToUse; the charger's L1 where the room is not known.
    """
    if not headroom:
        return 1
    best = max(sorted(headroom), key=lambda p: headroom[p])
    return next((p for p in (1, 2, 3) if house_phase(rotation, p) == best), 1)


def house_phase(rotation: str | None, phase: int) -> int:
    """Return the house phase that the charger's ``phase`` (1-3) is wired to."""
    if rotation is None or not 1 <= phase <= len(GRID):
        return phase
    return GRID.index(rotation[phase - 1]) + 1
