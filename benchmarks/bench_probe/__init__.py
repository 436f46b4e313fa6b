"""Benchmark probe: counters of a running Home Assistant, for the load generator.

Installed only into the benchmark's own configuration directory. It serves
``GET /api/bench_probe`` without authentication (the server listens on
127.0.0.1 only): the state writes so far, the ocpp_csms entries loaded, and the
process's resident memory.
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import web
from homeassistant.components.http import HomeAssistantView
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.typing import ConfigType

DOMAIN = "bench_probe"


def _memory_by_package(top: int = 30) -> list[tuple[str, int]]:
    """Live allocations (tracemalloc, if started) summed by package: KiB each."""
    if not tracemalloc.is_tracing():
        return []
    totals: Counter[str] = Counter()
    for stat in tracemalloc.take_snapshot().statistics("filename"):
        path = stat.traceback[0].filename
        parts = Path(path).parts
        if "site-packages" in parts:
            rest = parts[parts.index("site-packages") + 1 :]
            name = "/".join(rest[:3] if rest[0] == "homeassistant" else rest[:1])
        elif "custom_components" in parts:
            name = "/".join(
                parts[parts.index("custom_components") : parts.index("custom_components") + 3]
            )
        else:
            name = "/".join(parts[-2:])
        totals[name] += stat.size
    return [(name, size // 1024) for name, size in totals.most_common(top)]


def _dump_snapshot(path: str) -> None:
    """Write the tracemalloc snapshot to ``path`` (tracemalloc.Snapshot.load reads it)."""
    if tracemalloc.is_tracing():
        tracemalloc.take_snapshot().dump(path)


async def _garbage_types(seconds: float = 2.0, top: int = 25) -> list[tuple[str, int]]:
    """What the cyclic collector frees over a few seconds, by type (for diagnosis)."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        await asyncio.sleep(seconds)
        gc.collect()
        found = Counter(type(obj).__qualname__ for obj in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return found.most_common(top)


async def _cprofile(seconds: float, path: str) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        await asyncio.sleep(seconds)
    finally:
        profiler.disable()
    profiler.dump_stats(path)


def _recorder_backlog(hass: HomeAssistant) -> int:
    """Events the recorder has queued and not yet written (0 without a recorder)."""
    if "recorder" not in hass.config.components:
        return 0
    from homeassistant.helpers.recorder import get_instance

    return get_instance(hass).backlog


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class ProbeView(HomeAssistantView):
    """The counters, as JSON."""

    url = "/api/bench_probe"
    name = "api:bench_probe"
    requires_auth = False

    def __init__(self, hass: HomeAssistant, counts: dict[str, Any]) -> None:
        """Serve these counts."""
        self.hass = hass
        self.counts = counts

    async def get(self, request: web.Request) -> web.Response:
        """Return the counters now."""
        hass = self.hass
        entries = hass.config_entries.async_entries("ocpp_csms")
        body: dict[str, Any] = {
            "state_changed": self.counts["state_changed"],
            "gc_ms": round(self.counts["gc_s"] * 1000, 3),
            "gc_runs": self.counts["gc_runs"],
            "gc_full_runs": self.counts["gc_full_runs"],
            "gc_full_ms": round(self.counts["gc_full_s"] * 1000, 3),
            "gc_full_max_ms": round(self.counts["gc_full_max_s"] * 1000, 3),
            "ocpp_entries": len(entries),
            "ocpp_entries_loaded": sum(e.state is ConfigEntryState.LOADED for e in entries),
            "entities": len(hass.states.async_entity_ids()),
            "running": hass.is_running,
            "rss_kib": await hass.async_add_executor_job(_rss_kib),
            "recorder_backlog": _recorder_backlog(hass),
        }
        if request.query.get("registry"):
            body["registry"] = dict(self.counts["registry"].most_common(20))
        if request.query.get("heap"):
            # what a full collection walks: generation 2, and what gc.freeze() hid from it
            generations = [gc.get_objects(generation=g) for g in range(3)]
            census = Counter(type(obj).__qualname__ for obj in generations[2])
            sizes = [len(objects) for objects in generations]
            del generations
            body["heap"] = {
                "frozen": gc.get_freeze_count(),
                "generations": sizes,
                "threshold": list(gc.get_threshold()),
                "oldest_by_type": census.most_common(15),
            }
        if request.query.get("garbage"):
            body["garbage"] = await _garbage_types()
        if request.query.get("memory"):
            body["memory_kib"] = await hass.async_add_executor_job(_memory_by_package)
        if profile := request.query.get("cprofile"):
            # deterministic profile of the loop for some seconds (call counts and
            # attribution are exact; its overhead inflates the times evenly)
            await _cprofile(float(request.query.get("seconds", "10")), profile)
        if dump := request.query.get("dump"):
            # the whole tracemalloc snapshot, to compare two moments offline
            await hass.async_add_executor_job(_dump_snapshot, dump)
        return self.json(body)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Count state writes and serve the counters."""
    counts: dict[str, Any] = {
        "state_changed": 0,
        "gc_s": 0.0,
        "gc_runs": 0,
        "gc_full_runs": 0,
        "gc_full_s": 0.0,
        "gc_full_max_s": 0.0,
    }
    started = [0.0]

    def _gc(phase: str, info: dict[str, Any]) -> None:
        # the cyclic collector's time (any thread), to tell it from our own
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            took = time.perf_counter() - started[0]
            counts["gc_s"] += took
            counts["gc_runs"] += 1
            if info.get("generation") == 2:  # a full collection: the whole heap
                counts["gc_full_runs"] += 1
                counts["gc_full_s"] += took
                counts["gc_full_max_s"] = max(counts["gc_full_max_s"], took)

    gc.callbacks.append(_gc)

    @callback
    def _count(event: Event) -> None:
        counts["state_changed"] += 1

    registry: Counter[str] = Counter()
    counts["registry"] = registry

    @callback
    def _registry(event: Event) -> None:
        # what the registries were told, by kind: an event storm shows here
        changes = sorted(event.data.get("changes", {}))
        registry[f"{event.event_type} {event.data['action']} {','.join(changes)}"] += 1

    hass.bus.async_listen(EVENT_STATE_CHANGED, _count)
    hass.bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, _registry)
    hass.bus.async_listen(dr.EVENT_DEVICE_REGISTRY_UPDATED, _registry)
    hass.http.register_view(ProbeView(hass, counts))
    return True
