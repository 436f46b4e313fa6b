"""What the write path costs per message: the journal an answer waits for.

Meter values acknowledge nothing that must survive a crash: their answer asks the
journal whether anything is pending, and does not wait. Starts, stops, the ids
handed out and the history records are appended and fsync'd before the answer
leaves; answers that arrive together share one fsync (group commit).

    python -m benchmarks.journal [--dir DIR] [--rounds N]

measures, on the disk under DIR (default: a folder under the repository's .dev/):
- the check a meter-value answer makes (nothing pending);
- one acknowledged message alone: append + fsync;
- 10 and 100 acknowledged messages that arrive together: one append + fsync.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from custom_components.ocpp_csms.hub.journal import Journal
from custom_components.ocpp_csms.hub.persistence import Persistence

REPO = Path(__file__).resolve().parents[1]

# a session start's journal entry, as the integration writes it (one charger's record)
ENTRY: dict[str, Any] = {
    "n": 1,
    "t": {
        "tx_counter": 41,
        "remote_start_counter": 3,
        "reservation_counter": 0,
        "request_counter": 7,
    },
    "c": "CP0042",
    "r": {
        "connectors": {"1": {"energy": [1234.567, "2026-12-03T18:00:00+00:00"]}},
        "transactions": {
            "41": {
                "transaction_id": "41",
                "charger_id": "CP0042",
                "connector_id": 1,
                "id_tag": "TAG0042",
                "started": "2026-12-03T18:00:00+00:00",
                "meter_start_wh": 1234567.0,
                "meter_last_wh": 1234567.0,
            }
        },
        "ended": [str(n) for n in range(50)],
        "limit_strategy": {"stack_level": 5, "kind": "Absolute", "tx_profile": True, "unit": None},
        "station_limit": None,
        "local_list": {"version": 0},
        "reservations": [],
        "firmware_status": None,
    },
}


def _idle_persistence() -> Persistence:
    """The real barrier check, on a Persistence with nothing pending (no Home Assistant)."""
    idle = object.__new__(Persistence)
    idle._seq = idle._durable = 12
    idle._dirty, idle._counters_dirty, idle._new_history = set(), False, []
    return idle


def _timed(action: Any, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def _row(name: str, samples: list[float], per: int = 1) -> str:
    samples = sorted(samples)
    p50 = statistics.median(samples) / per
    p99 = samples[int(0.99 * (len(samples) - 1))] / per
    return f"| {name} | {p50 * 1e6:,.1f} µs | {p99 * 1e6:,.1f} µs |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=REPO / ".dev" / "journal-bench")
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        journal = Journal(Path(folder) / "ocpp_csms.journal")
        idle = _idle_persistence()
        assert idle.barrier() is None
        rows = [
            "| per message | median | 99th percentile |",
            "|---|---|---|",
            _row("meter values: barrier() with nothing pending", _timed(idle.barrier, 100_000)),
        ]
        for batch in (1, 10, 100):
            entries = [json.loads(json.dumps(ENTRY)) for _ in range(batch)]
            samples = _timed(lambda e=entries: journal.append(e), args.rounds)
            name = (
                "a start or stop alone: append + fsync" if batch == 1 else f"{batch} at once, each"
            )
            rows.append(_row(name, samples, per=batch))
            journal.rewrite([])  # compaction, as after a snapshot
    print("\n".join(rows))


if __name__ == "__main__":
    main()
