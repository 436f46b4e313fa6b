"""Plot a made-up solar day of ``scripts/develop`` from Home Assistant's recorder.

The develop house's day passes in 24 minutes (``.dev/config/dev_site.yaml``): this
reads the last whole one from the recorder's database and draws the sun, the
house, the surplus the site controller saw, what SIM4 (Solar mode) drew, and the
phases it drew on. Run it after ``scripts/develop`` has run for half an hour:

    scripts/lib.sh's run_in_env python -m scripts.solar_day_plot [--db PATH] [--out PNG]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import time
from pathlib import Path

from benchmarks.report import render_png

DAY_S = 24 * 60  # a made-up day: a minute an hour
POWER = {  # entity: (label, colour)
    "sensor.dev_solar_power": ("Sun", "#f2a900"),
    "sensor.dev_house_load": ("House", "#888888"),
    "sensor.ocpp_central_system_solar_surplus": ("Surplus seen", "#2b8a3e"),
    "sensor.sim4_connector_1_power": ("SIM4 charging (Solar mode)", "#1864ab"),
}
PHASES = "sensor.sim4_connector_1_active_phases"
W, H, LEFT, TOP = 980, 520, 60, 30
POWER_H, PHASE_TOP, PHASE_H = 300, 370, 100


def series(db: Path) -> dict[str, list[tuple[float, float]]]:
    """Every numeric state of the plotted entities, in W (kW scaled), by time."""
    out: dict[str, list[tuple[float, float]]] = {}
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT m.entity_id, s.state, s.last_updated_ts, a.shared_attrs FROM states s "
            "JOIN states_meta m ON s.metadata_id = m.metadata_id "
            "LEFT JOIN state_attributes a ON s.attributes_id = a.attributes_id "
            "WHERE m.entity_id IN (?, ?, ?, ?, ?) ORDER BY s.last_updated_ts",
            [*POWER, PHASES],
        ).fetchall()
    for entity_id, state, moment, attrs in rows:
        try:
            value = float(state)
        except TypeError, ValueError:
            continue
        unit = json.loads(attrs or "{}").get("unit_of_measurement")
        out.setdefault(entity_id, []).append((moment, value * (1000 if unit == "kW" else 1)))
    return out


def last_day(data: dict[str, list[tuple[float, float]]], now: float) -> float:
    """Return the start of the last whole made-up day before ``now``.

    A state is recorded when it changes: the sun's last one is at sunset, so the
    day ends by the clock, not by the last state.
    """
    moments = [t for points in data.values() for t, _ in points]
    if not moments:
        raise SystemExit("nothing recorded yet: run scripts/develop for half an hour first")
    start = (now // DAY_S - 1) * DAY_S
    if start < min(moments):
        raise SystemExit("no whole made-up day recorded yet (24 minutes)")
    return start


def _clip(points: list[tuple[float, float]], start: float, end: float) -> list[tuple[float, float]]:
    """The points of the day, led by the value in force at its start."""
    shown = [(start, v) for t, v in points if t < start][-1:]
    shown += [(t, v) for t, v in points if start <= t < end]
    return [*shown, (end, shown[-1][1])] if shown else []


def _path(points: list[tuple[float, float]], x, y) -> str:
    """A step line: each value holds until the next."""
    parts, last = [], None
    for t, v in points:
        if last is not None:
            parts.append(f"L{x(t):.1f},{y(last):.1f}")
        parts.append(f"{'M' if last is None else 'L'}{x(t):.1f},{y(v):.1f}")
        last = v
    return " ".join(parts)


def svg(data: dict[str, list[tuple[float, float]]], start: float) -> str:
    end = start + DAY_S
    width = W - LEFT - 20
    clip = {e: [(t, v) for t, v in points if start <= t < end] for e, points in data.items()}
    top_w = max([v for e in POWER for _, v in clip.get(e, [])] + [1000.0])
    top_kw = int(top_w // 1000) + 1

    def x(t: float) -> float:
        return LEFT + (t - start) / DAY_S * width

    def y_power(w: float) -> float:
        return TOP + POWER_H - max(0.0, w) / (top_kw * 1000) * POWER_H

    def y_phase(n: float) -> float:
        return PHASE_TOP + PHASE_H - n / 3 * PHASE_H

    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
            'font-family="sans-serif" font-size="12">'
        ),
        f'<rect width="{W}" height="{H}" fill="white"/>',
        (
            f'<text x="{LEFT}" y="18" font-size="14">A made-up solar day in scripts/develop '
            "(power, kW)</text>"
        ),
    ]
    for kw in range(top_kw + 1):
        yy = y_power(kw * 1000)
        parts.append(f'<line x1="{LEFT}" x2="{W - 20}" y1="{yy}" y2="{yy}" stroke="#eee"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{yy + 4}" text-anchor="end">{kw}</text>')
    for hour in range(0, 25, 3):
        xx = LEFT + hour / 24 * width
        parts.append(f'<text x="{xx}" y="{H - 8}" text-anchor="middle">{hour:02d}:00</text>')
        parts.append(
            f'<line x1="{xx}" x2="{xx}" y1="{TOP}" y2="{PHASE_TOP + PHASE_H}" stroke="#f4f4f4"/>'
        )
    for n, (entity_id, (label, colour)) in enumerate(POWER.items()):
        if points := clip.get(entity_id):
            parts.append(
                f'<path d="{_path(points, x, y_power)}" fill="none" stroke="{colour}" '
                'stroke-width="2"/>'
            )
        lx = LEFT + 10 + n * 200
        parts.append(f'<rect x="{lx}" y="{TOP + 4}" width="14" height="4" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 18}" y="{TOP + 10}">{label}</text>')
    parts.append(f'<text x="{LEFT}" y="{PHASE_TOP - 8}">SIM4: phases drawn on</text>')
    for n in (0, 1, 3):
        yy = y_phase(n)
        parts.append(f'<line x1="{LEFT}" x2="{W - 20}" y1="{yy}" y2="{yy}" stroke="#eee"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{yy + 4}" text-anchor="end">{n}</text>')
    if points := clip.get(PHASES):
        parts.append(
            f'<path d="{_path(points, x, y_phase)}" fill="none" stroke="#862e9c" stroke-width="2"/>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path(".dev/config/home-assistant_v2.db"))
    parser.add_argument("--out", type=Path, default=Path("docs/solar-day.png"))
    args = parser.parse_args()
    data = series(args.db)
    path = args.out.with_suffix(".svg")
    path.write_text(svg(data, last_day(data, time.time())))
    render_png(path, args.out, (W, H))
    print(f"wrote {path} and {args.out}")


if __name__ == "__main__":
    main()
