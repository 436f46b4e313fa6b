"""The benchmark's report: a markdown table, and a plot drawn as SVG, rendered to PNG.

The PNG is rendered by headless Chromium (installed by ``scripts/setup``), so no
plotting package is needed; the SVG is kept beside it.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any


def _get(row: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(row, dict) or key not in row:
            return None
        row = row[key]
    return row


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per ocpp_csms run, with the floor and the memory per charger."""
    floor = {e["chargers"]: _get(e, "closed", "server_cpu_ms_per_msg") for e in results["echo"]}
    ha_floor = {(f["chargers"], f["recorder"]): f for f in results.get("ha_floor", [])}
    base = {b["recorder"]: b["rss_idle_kib"] for b in results["baseline"]}
    out = []
    for run in results["ocpp_csms"]:
        cpu = _get(run, "closed", "server_cpu_ms_per_msg")
        echo = floor.get(run["chargers"])
        ha = ha_floor.get((run["chargers"], run["recorder"]), {})
        ha_ms = _get(ha, "closed", "server_cpu_ms_per_msg")
        ha_writes = _get(ha, "closed", "counters_per_msg", "state_changed")
        rss = None
        # below 100 chargers the per-charger share is lost in the process's noise
        if run.get("rss_loaded_kib") and run["recorder"] in base and run["chargers"] >= 100:
            rss = (run["rss_loaded_kib"] - base[run["recorder"]]) / run["chargers"]
        out.append(
            {
                "chargers": run["chargers"],
                "recorder": "on" if run["recorder"] else "off",
                "msgs_per_s": _get(run, "closed", "msgs_per_s"),
                "cpu_ms": cpu,
                "echo_ms": echo,
                "ratio": cpu / echo if cpu and echo else None,
                "ha_ms": ha_ms,
                "vs_ha": cpu / ha_ms if cpu and ha_ms else None,
                "ha_vs_echo": ha_ms / echo if ha_ms and echo else None,
                # what one state write costs: the HA floor above the echo, per write
                "write_us": (ha_ms - echo) / ha_writes * 1000
                if ha_ms and echo and ha_writes
                else None,
                "ha_open_p99": _get(ha, "open", "p99_ms"),
                "full_gc": _get(run, "open", "counters_delta", "gc_full_runs"),
                "full_gc_ms": _get(run, "open", "counters_delta", "gc_full_ms"),
                "open_gc_ms": _get(run, "open", "counters_per_msg", "gc_ms"),
                "open_messages": _get(run, "open", "messages"),
                "enabled": run.get("entities"),
                "log_errors": run.get("log_errors"),
                "storm": run.get("event_storm_errors"),
                "closed_p99": _get(run, "closed", "p99_ms"),
                "open_p50": _get(run, "open", "p50_ms"),
                "open_p99": _get(run, "open", "p99_ms"),
                "open_max": _get(run, "open", "max_ms"),
                "boot_s": _get(run, "boot", "seconds"),
                "boot_failed": _get(run, "boot", "failed"),
                "drain_s": _get(run, "drain", "seconds"),
                "drain_peak": _get(run, "drain", "backlog_peak"),
                "drain_p99": _get(run, "drain", "p99_ms"),
                "drain_max": _get(run, "drain", "max_ms"),
                "rss_kib": rss,
                "writes": _get(run, "closed", "counters_per_msg", "state_changed"),
                "errors": sum((run.get("errors") or {}).values()),
                "log_problems": run.get("log_problems"),
            }
        )
    return out


def markdown(results: dict[str, Any]) -> str:
    """The results as a markdown table."""
    lines = [
        "| chargers | recorder | msgs/s (closed) | HA CPU ms/msg | HA floor ms/msg "
        "| × HA floor | echo floor ms/msg | HA floor × echo | µs/state write "
        "| closed p99 ms | open p50 / p99 / max ms | boot s (failed) | RSS KiB/charger "
        "| state writes/msg | errors | log warnings |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows(results):
        open_loop = (
            f"{_fmt(r['open_p50'])} / {_fmt(r['open_p99'])} / {_fmt(r['open_max'])}"
            if r["open_p99"] is not None
            else "–"
        )
        lines.append(
            f"| {r['chargers']} | {r['recorder']} | {_fmt(r['msgs_per_s'], 0)} "
            f"| {_fmt(r['cpu_ms'], 3)} | {_fmt(r['ha_ms'], 3)} | {_fmt(r['vs_ha'], 1)} "
            f"| {_fmt(r['echo_ms'], 3)} | {_fmt(r['ha_vs_echo'], 1)} | {_fmt(r['write_us'], 1)} "
            f"| {_fmt(r['closed_p99'], 1)} | {open_loop} "
            f"| {_fmt(r['boot_s'], 1)} ({_fmt(r['boot_failed'])}) | {_fmt(r['rss_kib'], 0)} "
            f"| {_fmt(r['writes'])} | {r['errors']} | {_fmt(r['log_problems'])} |"
        )
    settings = results["settings"]
    lines.append("")
    lines.append(
        f"OCPP {settings['version']}, {results['started']}; closed loop {settings['closed']} s, "
        f"open loop {settings['open']} s at one message per charger every {settings['period']} s, "
        f"boot ramp {settings['ramp']}/s. Home Assistant on CPU 0, generator on CPU 1; "
        f"allocator {settings.get('malloc', 'glibc')}."
    )
    return "\n".join(lines) + "\n"


def targets(results: dict[str, Any]) -> str:
    """The issue's targets against what this run measured, as a markdown table."""
    by = {(r["chargers"], r["recorder"]): r for r in rows(results)}
    lines = ["| target | measured | met |", "|---|---|---|"]

    def add(target: str, measured: str, met: bool | None) -> None:
        lines.append(
            f"| {target} | {measured} | {'–' if met is None else 'yes' if met else 'no'} |"
        )

    for size in (100, 1000):
        for recorder in ("off", "on"):
            r = by.get((size, recorder))
            if r and r["vs_ha"] is not None:
                add(
                    f"closed loop, {size} chargers, recorder {recorder}: ≤ 2× the HA floor",
                    f"{r['cpu_ms']:.3f} ms against {r['ha_ms']:.3f} ms: {r['vs_ha']:.1f}×",
                    r["vs_ha"] <= 2,
                )
    for size, bound in ((1000, 20.0), (2000, 50.0)):
        r = by.get((size, "off"))
        if r and r["open_p99"] is not None:
            ok = r["open_p99"] <= bound and r["errors"] == 0
            add(
                f"open loop, {size} chargers every 10 s: p99 ≤ {bound:.0f} ms, 0 errors",
                f"p99 {r['open_p99']:.1f} ms, {r['errors']} errors",
                ok,
            )
    r = by.get((1000, "off"))
    if r and r["boot_s"] is not None:
        add(
            "1,000 chargers boot at 50/s with no failure",
            f"all booted in {r['boot_s']:.1f} s, {r['boot_failed']} failed",
            r["boot_failed"] == 0,
        )
    if r and r["rss_kib"] is not None:
        add(
            "RSS ≤ 250 KiB per charger (1,000)",
            f"{r['rss_kib']:.0f} KiB, {r['enabled']} entities in all",
            r["rss_kib"] <= 250,
        )
    for r in rows(results):
        if r["log_errors"] is not None and r["chargers"] >= 100:
            add(
                f"a start with {r['chargers']} chargers, recorder {r['recorder']}: "
                "no error in the log",
                f"{r['log_errors']} errors, {r['storm']} of them the event storm",
                r["log_errors"] == 0,
            )
    for r in rows(results):
        if r["drain_s"] is not None and r["recorder"] == "on":
            add(
                f"after the boot of {r['chargers']} chargers, recorder on: the recorder's "
                "backlog written (reported; the open loop measures what follows)",
                f"{r['drain_s']:.0f} s after the quiet that follows the boot, at most "
                f"{r['drain_peak']:.0f} events queued; p99 {_fmt(r['drain_p99'], 1)} ms, "
                f"max {_fmt(r['drain_max'], 1)} ms meanwhile",
                None,
            )
    for r in rows(results):
        if r["full_gc"] is not None:
            cost = f", {r['full_gc_ms'] / r['full_gc']:.0f} ms each" if r["full_gc"] else ""
            add(
                f"open loop, {r['chargers']} chargers, recorder {r['recorder']}: "
                "full collections (reported)",
                f"{r['full_gc']:.0f} in the window{cost}; p99 {_fmt(r['open_p99'], 1)} ms",
                None,
            )
    return "\n".join(lines) + "\n"


def _svg(results: dict[str, Any]) -> str:
    data = rows(results)
    width, height, pad = 980, 420, 70
    panel = (width - 3 * pad) / 2
    sizes = sorted({r["chargers"] for r in data}) or [1]
    lo, hi = math.log10(min(sizes)), math.log10(max(sizes)) or 1.0

    def x(n: int, left: float) -> float:
        span = hi - lo or 1.0
        return left + (math.log10(n) - lo) / span * panel

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="13">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    series = [
        ("cpu_ms", "off", "#1f77b4", "ocpp_csms, recorder off"),
        ("cpu_ms", "on", "#d62728", "ocpp_csms, recorder on"),
        ("ha_ms", "off", "#2ca02c", "HA floor, recorder off"),
        ("ha_ms", "on", "#ff7f0e", "HA floor, recorder on"),
        ("echo_ms", "off", "#7f7f7f", "echo floor"),
    ]
    panels = [
        ("HA CPU per message (ms)", series, pad),
        (
            "open-loop p99 latency (ms)",
            [
                ("open_p99", "off", "#1f77b4", "recorder off"),
                ("open_p99", "on", "#d62728", "recorder on"),
            ],
            2 * pad + panel,
        ),
    ]
    top, bottom = 40, height - 50
    for title, lines, left in panels:
        values = [
            r[key] for key, rec, _, _ in lines for r in data if r["recorder"] == rec and r[key]
        ]
        ymax = max(values) * 1.15 if values else 1.0
        parts.append(f'<text x="{left}" y="24" font-weight="bold">{title}</text>')
        parts.append(
            f'<rect x="{left}" y="{top}" width="{panel}" height="{bottom - top}" '
            'fill="none" stroke="#999"/>'
        )
        for k in range(5):
            value = ymax * k / 4
            y = bottom - (bottom - top) * k / 4
            label = f"{value:.0f}" if ymax >= 20 else f"{value:.2f}"
            parts.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{label}</text>')
        parts.extend(
            f'<text x="{x(n, left)}" y="{bottom + 18}" text-anchor="middle">{n}</text>'
            for n in sizes
        )
        parts.append(
            f'<text x="{left + panel / 2}" y="{bottom + 36}" text-anchor="middle">chargers</text>'
        )
        for index, (key, rec, colour, label) in enumerate(lines):
            points = [
                (x(r["chargers"], left), bottom - (bottom - top) * r[key] / ymax)
                for r in data
                if r["recorder"] == rec and r[key] is not None
            ]
            if points:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
                )
                parts += [
                    f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>'
                    for px, py in points
                ]
            ly = top + 16 + 18 * index
            parts.append(
                f'<rect x="{left + 10}" y="{ly - 9}" width="12" height="3" fill="{colour}"/>'
            )
            parts.append(f'<text x="{left + 28}" y="{ly - 3}">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def plot(results: dict[str, Any], png: Path) -> None:
    """Write the plot as SVG beside ``png``, and render the PNG with Chromium."""
    svg = png.with_suffix(".svg")
    svg.parent.mkdir(parents=True, exist_ok=True)
    svg.write_text(_svg(results))
    render_png(svg, png, (980, 420))


def render_png(svg: Path, png: Path, size: tuple[int, int]) -> None:
    """Render an SVG file to PNG with Debian's headless Chromium (if it is there)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print(f"no chromium: the plot is only {svg}")
        return
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size={size[0]},{size[1]}",
                "--hide-scrollbars",
                svg.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
