"""What the load generator reads at each end of a measured window, and the figures
it makes of them: the server's CPU time, the probe's counters, the latencies."""

from __future__ import annotations

import argparse
import json
import os
import time
import urllib.request
from typing import Any


class Probe:
    """The server's CPU (from /proc), our own CPU and the counter URL, at one moment."""

    @staticmethod
    def read(args: argparse.Namespace) -> dict[str, Any]:
        """Read everything there is to read now."""
        out: dict[str, Any] = {"wall": time.perf_counter(), "own_cpu": time.process_time()}
        if args.server_pid:
            with open(f"/proc/{args.server_pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            out["server_cpu"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        if args.counter_url:
            with urllib.request.urlopen(args.counter_url, timeout=10) as response:
                out["counters"] = json.load(response)
        return out


def summarize(
    latencies: list[float], before: dict[str, Any], after: dict[str, Any], seconds: float
) -> dict[str, Any]:
    """Turn one window's samples and readings into figures."""
    latencies.sort()
    count = len(latencies)

    def pct(p: float) -> float | None:
        return round(latencies[min(count - 1, int(count * p))] * 1000, 3) if count else None

    wall = after["wall"] - before["wall"]
    result: dict[str, Any] = {
        "messages": count,
        "seconds": round(seconds, 3),
        "msgs_per_s": round(count / seconds, 1),
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": round(latencies[-1] * 1000, 3) if count else None,
        "generator_cpu_share": round((after["own_cpu"] - before["own_cpu"]) / wall, 3),
    }
    if "server_cpu" in before and count:
        cpu = after["server_cpu"] - before["server_cpu"]
        result["server_cpu_share"] = round(cpu / wall, 3)
        result["server_cpu_ms_per_msg"] = round(cpu / count * 1000, 4)
    if "counters" in before and count:
        result["counters_per_msg"] = {
            key: round((after["counters"][key] - value) / count, 3)
            for key, value in before["counters"].items()
            if isinstance(value, (int, float))
        }
        result["counters_delta"] = {
            key: round(after["counters"][key] - value, 3)
            for key, value in before["counters"].items()
            if isinstance(value, (int, float))
        }
    return result
