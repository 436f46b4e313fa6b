"""Benchmark: does the per-message cost grow with the fleet?

For each fleet size N, a real Home Assistant (the test harness's instance, no
mocks of ours) runs ocpp_csms with N adopted chargers, each a simulated 1.6
charger on a real websocket. We then send MeterValues round-robin and measure
the round-trip time, the CPU time per message and how many entity states each
message writes, plus the process's memory per charger.

Simulators and Home Assistant share one process and one event loop, so the
figures include the simulator's own work: they are an upper bound for the
integration. Run: scripts/benchmark [--sizes 1 100 500] [--messages 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from homeassistant import loader
from homeassistant.const import EVENT_STATE_CHANGED
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

import custom_components  # noqa: F401  (ours before the harness's test integrations)
from custom_components.ocpp_csms.const import DOMAIN, STORAGE_KEY
from custom_components.ocpp_csms.runtime import get_runtime
from tests.simulator import SimCharger16


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(size: int, messages: int) -> dict[str, float]:
    async with async_test_home_assistant() as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # allow custom integrations
        # The test config dir is shared: start from no stored state, as a new install.
        Path(hass.config.path(".storage", STORAGE_KEY)).unlink(missing_ok=True)
        # The run sends as fast as it can: far above the per-charger message rate a
        # real charger keeps to, from one address: the limits on hostile input are
        # raised for it.
        csms = MockConfigEntry(
            domain=DOMAIN,
            data={"kind": "csms", "host": "127.0.0.1", "port": 0},
            options={
                "messages_per_minute": 60000,
                "message_burst": 10000,
                "connections_per_address": 5000,
            },
        )
        csms.add_to_hass(hass)
        await hass.config_entries.async_setup(csms.entry_id)
        await hass.async_block_till_done()
        port = get_runtime(hass).connections.server.port
        url = f"ws://127.0.0.1:{port}/ocpp"
        base_rss = rss_mib()
        t0 = time.perf_counter()
        sims = []
        for i in range(size):
            cid = f"B{i:04d}"
            entry = MockConfigEntry(
                domain=DOMAIN, unique_id=cid, data={"kind": "charger", "charger_id": cid}
            )
            entry.add_to_hass(hass)
            await hass.config_entries.async_setup(entry.entry_id)
            sim = await SimCharger16.connect(url, cid)
            await sim.boot()
            await sim.send_all_status()
            await sim.start_transaction(1)
            sims.append(sim)
        await hass.async_block_till_done()
        setup_s = time.perf_counter() - t0
        gc.collect()
        per_charger_kib = (rss_mib() - base_rss) * 1024 / size

        writes = 0

        def count(event: object) -> None:
            nonlocal writes
            writes += 1

        unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, count)
        latencies = []
        cpu0 = time.process_time()
        wall0 = time.perf_counter()
        for n in range(messages):
            sim = sims[n % size]
            start = time.perf_counter()
            await sim.send_meter_values(1, seconds=10)
            latencies.append(time.perf_counter() - start)
        await hass.async_block_till_done()
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        unsub()
        for sim in sims:
            await sim.close()
        await hass.async_block_till_done()
        await hass.config_entries.async_unload(csms.entry_id)
        latencies.sort()
        return {
            "chargers": size,
            "entities": len(hass.states.async_all()),
            "setup_s_per_charger": setup_s / size,
            "rss_kib_per_charger": per_charger_kib,
            "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
            "cpu_ms_per_msg": cpu / messages * 1000,
            "msgs_per_s": messages / wall,
            "writes_per_msg": writes / messages,
        }


async def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("custom_components.ocpp_csms").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 500])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    print(
        "| chargers | entities | setup s/charger | RSS KiB/charger | p50 ms | p95 ms "
        "| CPU ms/msg | msgs/s | state writes/msg |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        r = await run(size, args.messages)
        print(
            f"| {r['chargers']} | {r['entities']} | {r['setup_s_per_charger']:.3f} "
            f"| {r['rss_kib_per_charger']:.0f} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} "
            f"| {r['cpu_ms_per_msg']:.2f} | {r['msgs_per_s']:.0f} | {r['writes_per_msg']:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
