"""Entities that appear with their feature: a measurand reported, an option set, a plan.

A charger that never reports the car's state of charge gets no SoC sensor that
would show "unknown" for ever; the priority number appears once the site shares
a fuse or follows the sun. Each such description has an ``exists_fn``; its
entity is added as soon as that holds, and at every later start (its registry
entry is what remembers that it appeared).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..const import DOMAIN
from ..hub.entry_data import ChargerConfigEntry, ChargerData
from ..hub.options import CsmsOptions
from ..model.charger import Charger, Connector

type ExistsFn = Callable[[Any, CsmsOptions], bool]
type Make = Callable[[], Sequence[Entity]]


def offer_entities(
    entry: ChargerConfigEntry,
    add: AddConfigEntryEntitiesCallback,
    domain: str,
    target: Charger | Connector,
    make: Make,
) -> None:
    """Add the target's entities whose feature is there (or that appeared before).

    The others wait for it; a platform whose entities all exist keeps nothing.
    """
    data: ChargerData = entry.runtime_data
    options = data.runtime.options
    registry = er.async_get(data.runtime.hass)
    now: list[Entity] = []
    tests: dict[str, ExistsFn] = {}
    # those a message of readings alone may bring (a measurand, a share of the sun)
    by_readings: set[str] = set()
    for entity in make():
        description = getattr(entity, "entity_description", None)
        exists_fn = getattr(description, "exists_fn", None)
        unique_id = entity.unique_id
        if (
            exists_fn is None
            or unique_id is None
            or exists_fn(target, options)
            or registry.async_get_entity_id(domain, DOMAIN, unique_id) is not None
        ):
            now.append(entity)
        else:
            tests[unique_id] = exists_fn
            if getattr(description, "shows_readings", True):
                by_readings.add(unique_id)
    if now:
        add(now)
    if tests:
        _Waiting(data, add, target, make, tests, by_readings).start(entry)


class _Waiting:
    """A target's entities that wait for their feature.

    Kept small: a unique id and its test each, and the way to make the target's
    entities again (not the entity objects).
    """

    __slots__ = ("_add", "_by_readings", "_data", "_make", "_stops", "_target", "_tests")

    def __init__(
        self,
        data: ChargerData,
        add: AddConfigEntryEntitiesCallback,
        target: Charger | Connector,
        make: Make,
        tests: dict[str, ExistsFn],
        by_readings: set[str],
    ) -> None:
        self._data, self._add, self._target = data, add, target
        self._make, self._tests, self._by_readings = make, tests, by_readings
        self._stops: list[Callable[[], None]] = [
            target.add_listener(self._check, self._check_readings if by_readings else None)
        ]

    def start(self, entry: ChargerConfigEntry) -> None:
        """Also check when the options change; stop with the entry or the connector."""
        listeners = self._data.runtime.options_listeners
        listeners.append(self._check)
        self._stops.append(lambda: listeners.remove(self._check))
        if isinstance(self._target, Connector):
            self._stops.append(self._data.charger.on_connector_removed(self._removed))
        entry.async_on_unload(self.stop)

    def stop(self) -> None:
        """Wait no more (the entry unloads, or everything appeared)."""
        stops, self._stops = self._stops, []
        for stop in stops:
            stop()

    def _removed(self, conn: Connector) -> None:
        if conn is self._target:
            self.stop()

    def _check_readings(self) -> None:
        """After a message of readings alone: test only what readings may bring."""
        self._check(self._by_readings)

    def _check(self, among: set[str] | None = None) -> None:
        if not self._stops:
            return
        options = self._data.runtime.options
        target = self._target
        tests = self._tests
        ready = {uid for uid in (tests if among is None else among) if tests[uid](target, options)}
        if not ready:
            return
        for unique_id in ready:
            del tests[unique_id]
            self._by_readings.discard(unique_id)
        if not self._tests:
            self.stop()
        self._add([e for e in self._make() if e.unique_id in ready])
