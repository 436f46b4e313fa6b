"""Entities that appear with their feature: a measurand reported, an option set, a plan.

A charger that never reports the car's state of charge gets no SoC sensor that
would show "unknown" for ever; the priority number appears once the site shares
a fuse or follows the sun. Each such description has an ``exists_fn``; its
entity is added as soon as that holds, and at every later start (its registry
entry is what remembers that it appeared).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import (
    AddConfigEntryEntitiesCallback,
    async_get_current_platform,
)

from ..hub.entry_data import ChargerConfigEntry, ChargerData
from ..hub.options import CsmsOptions
from ..model.charger import Charger, Connector

type ExistsFn = Callable[[Any, CsmsOptions], bool]


class FeatureGate:
    """Adds a platform's entities of one charger entry: now, or once their feature is there.

    What waits is kept small (a unique id and its test per entity, and the way to
    make the target's entities again), not the entity objects.
    """

    def __init__(self, entry: ChargerConfigEntry, add: AddConfigEntryEntitiesCallback) -> None:
        """Remember which entities of the entry the registry has (they are added at once)."""
        self._data: ChargerData = entry.runtime_data
        self._add = add
        registry = er.async_get(self._data.runtime.hass)
        domain = async_get_current_platform().domain  # the platform being set up
        self._known = {
            e.unique_id
            for e in er.async_entries_for_config_entry(registry, entry.entry_id)
            if e.domain == domain
        }
        self._waiting: dict[Charger | Connector, _Waiting] = {}
        listeners = self._data.runtime.options_listeners
        listeners.append(self._options_changed)
        entry.async_on_unload(lambda: listeners.remove(self._options_changed))
        entry.async_on_unload(self.stop)

    def offer(self, target: Charger | Connector, make: Callable[[], Sequence[Entity]]) -> None:
        """Add the target's entities whose feature is there; wait for the others'."""
        options = self._data.runtime.options
        now: list[Entity] = []
        tests: dict[str, ExistsFn] = {}
        for entity in make():
            exists_fn = getattr(getattr(entity, "entity_description", None), "exists_fn", None)
            unique_id = entity.unique_id
            if exists_fn is None or unique_id in self._known or exists_fn(target, options):
                now.append(entity)
            elif unique_id is not None:
                tests[unique_id] = exists_fn
        if now:
            self._add(now)
        if tests:
            check = partial(self._check, target)
            self._waiting[target] = _Waiting(make, tests, target.add_listener(check, check))

    def forget(self, target: Charger | Connector) -> None:
        """Wait no more for a connector the charger no longer has."""
        if (waiting := self._waiting.pop(target, None)) is not None:
            waiting.stop()

    def stop(self) -> None:
        """Wait for nothing more (the entry unloads)."""
        for target in list(self._waiting):
            self.forget(target)

    def _check(self, target: Charger | Connector) -> None:
        waiting = self._waiting.get(target)
        if waiting is None:
            return
        options = self._data.runtime.options
        ready = {uid for uid, exists_fn in waiting.tests.items() if exists_fn(target, options)}
        if not ready:
            return
        self._known |= ready
        for unique_id in ready:
            del waiting.tests[unique_id]
        if not waiting.tests:
            self.forget(target)
        self._add([e for e in waiting.make() if e.unique_id in ready])

    def _options_changed(self) -> None:
        for target in list(self._waiting):
            self._check(target)


@dataclass(slots=True)
class _Waiting:
    make: Callable[[], Sequence[Entity]]
    tests: dict[str, ExistsFn]
    stop: Callable[[], None]
