"""Benchmark probe: counters of a running Home Assistant, for the load generator.

Installed only into the benchmark's own configuration directory. It serves
``GET /api/bench_probe`` without authentication (the server listens on
127.0.0.1 only): the state writes so far, the ocpp_csms entries loaded, and the
process's resident memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

from homeassistant.components.http import HomeAssistantView
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.typing import ConfigType

DOMAIN = "bench_probe"


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

    def __init__(self, hass: HomeAssistant, counts: dict[str, int]) -> None:
        """Serve these counts."""
        self.hass = hass
        self.counts = counts

    async def get(self, request: web.Request) -> web.Response:
        """Return the counters now."""
        hass = self.hass
        entries = hass.config_entries.async_entries("ocpp_csms")
        body: dict[str, Any] = {
            "state_changed": self.counts["state_changed"],
            "ocpp_entries": len(entries),
            "ocpp_entries_loaded": sum(e.state is ConfigEntryState.LOADED for e in entries),
            "entities": len(hass.states.async_entity_ids()),
            "running": hass.is_running,
            "rss_kib": await hass.async_add_executor_job(_rss_kib),
        }
        return self.json(body)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Count state writes and serve the counters."""
    counts = {"state_changed": 0}

    @callback
    def _count(event: Event) -> None:
        counts["state_changed"] += 1

    hass.bus.async_listen(EVENT_STATE_CHANGED, _count)
    hass.http.register_view(ProbeView(hass, counts))
    return True
