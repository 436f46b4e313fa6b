"""Circuits below the main fuse: a limit per phase on the chargers wired to one.

A circuit (a garage's 32 A feed, a car park's sub-distribution) has a name, a
current limit per phase, its chargers or single connectors, and optionally the
circuit it hangs from; the main fuse is above them all. Load sharing
(``load_sharing.py``) treats each circuit's phases as budgets of their own: a
connector draws on its house phases and on the same phases of every circuit it
sits in, innermost first. A connector listed on its own wins over its charger.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Circuit:
    """One circuit: its key (the subentry's id), name, limit, parent and members."""

    key: str
    name: str
    limit_a: float
    parent: str | None = None
    members: tuple[str, ...] = ()  # "CP1" (all its connectors) or "CP1/2"


@dataclass(frozen=True, slots=True)
class Circuits:
    """Every circuit of the site."""

    items: tuple[Circuit, ...] = ()

    def __bool__(self) -> bool:
        """Tell whether any circuit is set up."""
        return bool(self.items)

    def by_key(self, key: str) -> Circuit | None:
        """Return a circuit by its key."""
        return next((c for c in self.items if c.key == key), None)

    def holding(self, charger_id: str, connector_id: int) -> Circuit | None:
        """Return the circuit a connector is wired to (None: straight to the main fuse)."""
        own = f"{charger_id}/{connector_id}"
        found = next((c for c in self.items if own in c.members), None)
        return found or next((c for c in self.items if charger_id in c.members), None)

    def path(self, charger_id: str, connector_id: int) -> tuple[Circuit, ...]:
        """Return the circuits a connector draws through, innermost first."""
        out: list[Circuit] = []
        circuit = self.holding(charger_id, connector_id)
        while circuit is not None and circuit not in out:  # a loop ends where it closes
            out.append(circuit)
            circuit = self.by_key(circuit.parent) if circuit.parent else None
        return tuple(out)

    def below(self, key: str) -> set[str]:
        """Return the keys of the circuits under one (at any depth), itself included."""
        found = {key}
        grew = True
        while grew:
            more = {c.key for c in self.items if c.parent in found} - found
            found |= more
            grew = bool(more)
        return found
