"""The benchmark runner: a real Home Assistant, a fleet, the echo floor and the HA floor.

For each fleet size N (and recorder off or on) it writes a configuration with N
chargers already adopted, starts Home Assistant on CPU 0, waits until every
entry is loaded, then runs the load generator on CPU 1: the fleet boots at
``--ramp`` connections a second, a closed loop measures saturation, and for
N >= ``--open-from`` an open loop measures latency at one message per charger
every ``--period`` seconds. The same generator against the bare echo server
(also on CPU 0) gives the floor of any websocket server; the same Home Assistant
with ``benchmarks/ha_floor`` in place of ocpp_csms gives the floor of any OCPP
central system in Home Assistant. Results go to ``--out`` as JSON and markdown,
and a plot to ``docs/benchmark.png``.

    benchmarks/run [--sizes 1 10 100 1000 2000] [--recorder off on]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .home_assistant import JEMALLOC, REPO, HomeAssistantProcess, free_port, write_config
from .profile import summarize_profile
from .report import markdown, plot, targets

SERVER_CPU, GENERATOR_CPU = 0, 1


def generate(args: argparse.Namespace, url: str, chargers: int, **extra: Any) -> dict[str, Any]:
    """Run the load generator on its CPU and return its result."""
    command = ["taskset", "-c", str(GENERATOR_CPU), sys.executable, "-m", "benchmarks.loadgen"]
    command += ["--url", url, "--chargers", str(chargers), "--version", args.version]
    command += ["--ramp", str(args.ramp)]
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def echo_floor(args: argparse.Namespace, size: int) -> dict[str, Any]:
    """The same closed loop against the bare echo server."""
    port = free_port()
    server = subprocess.Popen(
        [
            "taskset",
            "-c",
            str(SERVER_CPU),
            sys.executable,
            "-m",
            "benchmarks.echo_server",
            "--port",
            str(port),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()  # "listening on"
        result = generate(
            args, f"ws://127.0.0.1:{port}/ocpp", size, closed=args.closed, server_pid=server.pid
        )
    finally:
        server.terminate()
        server.wait()
    return result


def _profile(args: argparse.Namespace, pid: int, root: Path) -> subprocess.Popen[bytes]:
    """Sample HA with py-spy through the closed loop: from when the generator makes
    ``root/closed.mark`` (its warm-up) for the loop's seconds."""
    command = ["py-spy", "record", "--pid", str(pid), "--rate", "250", "--format", "raw"]
    command += ["--duration", str(int(args.closed)), "--output", str(root / "profile.raw")]
    command += ["--nonblocking"]
    mark = root / "closed.mark"
    wait = f'while [ ! -e "{mark}" ]; do sleep 0.2; done; sleep {min(5.0, args.closed / 5):.1f}'
    return subprocess.Popen(
        ["sh", "-c", f'{wait} && exec "$@"', "_", *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# Errors this machine logs whatever runs: no ffmpeg, no libturbojpeg.
_ENVIRONMENT = ("[haffmpeg", "[homeassistant.components.camera")


def _ours(line: str) -> bool:
    """A log line of ocpp_csms, of the libraries it logs through, or about them."""
    loggers = ("custom_components.ocpp_csms", "ocpp", "websockets")
    return any(f"[{name}" in line or f"Module {name}" in line for name in loggers)


def measure(
    args: argparse.Namespace, size: int, recorder: bool, work: Path, *, floor: bool = False
) -> dict[str, Any]:
    """Boot HA with ``size`` chargers adopted, run the fleet, read everything.

    With ``floor`` the fleet talks to the Home Assistant floor (``ha_floor``) instead.
    """
    root = work / f"{'floor' if floor else 'ha'}-{size}-{'rec' if recorder else 'norec'}"
    ocpp_port, http_port = free_port(), free_port()
    chargers = [f"B{i:05d}" for i in range(size)]
    write_config(
        root,
        chargers,
        recorder=recorder,
        ocpp_port=ocpp_port,
        http_port=http_port,
        integration=args.integration.resolve(),
        floor=floor,
    )
    ha = HomeAssistantProcess(
        root, http_port, SERVER_CPU, trace_memory=args.trace_memory, malloc=args.malloc
    )
    ha.start()
    try:
        startup_s = ha.wait_ready(0 if floor else size + 1, timeout=args.startup_timeout)
        time.sleep(3)
        idle = ha.probe(registry=True)
        result: dict[str, Any] = {
            "chargers": size,
            "recorder": recorder,
            "startup_s": round(startup_s, 1),
            "entities": idle["entities"],
            "rss_idle_kib": idle["rss_kib"],
            "registry_at_start": idle["registry"],
            "state_changed_at_start": idle["state_changed"],
        }
        if size:
            phases: dict[str, Any] = {"closed": args.closed}
            if size >= args.open_from:
                phases |= {"open": args.open, "period": args.period}
            profiler = _profile(args, ha.pid, root) if args.profile else None
            if profiler is not None:
                phases["mark_closed"] = root / "closed.mark"
            run = generate(
                args,
                f"ws://127.0.0.1:{ocpp_port}/ocpp",
                size,
                server_pid=ha.pid,
                counter_url=ha.probe_url,
                **phases,
            )
            if profiler is not None:
                profiler.wait()
                result["profile"] = str(args.profile / f"{root.name}.txt")
                summarize_profile(root / "profile.raw", args.profile / f"{root.name}.txt")
                shutil.copy(root / "profile.raw", args.profile / f"{root.name}.raw")
            result |= run
            loaded = ha.probe(memory=args.trace_memory, heap=True)
            result["heap"] = loaded["heap"]
            if args.trace_memory:
                result["memory_kib"] = loaded["memory_kib"]
            result["rss_loaded_kib"] = loaded["rss_kib"]
            result["entities"] = loaded["entities"]
        problems = [line for line in ha.log_lines(("WARNING", "ERROR", "CRITICAL")) if _ours(line)]
        result["log_problems"] = len(problems)
        result["log_sample"] = problems[:5]
        result["logging_too_frequently"] = sum("logging too frequently" in p for p in problems)
        # Errors of any logger (Home Assistant's own, caused by ours: an event storm),
        # but for the machine's missing ffmpeg and libturbojpeg
        errors = [
            line
            for line in ha.log_lines(("ERROR", "CRITICAL"))
            if not any(known in line for known in _ENVIRONMENT)
        ]
        result["log_errors"] = len(errors)
        result["log_errors_sample"] = errors[:5]
        result["event_storm_errors"] = ha.log_text().count("events were queued")
        info = [line for line in ha.log_lines(("INFO",)) if _ours(line)]
        result["info_lines"] = len(info)
        result["info_sample"] = info[:5]
    finally:
        ha.stop()
    return result


def _check_jemalloc() -> None:
    """Refuse to run if jemalloc would not load (the loader only warns and goes on)."""
    maps = "print(any('jemalloc' in line for line in open('/proc/self/maps')))"
    done = subprocess.run(
        [sys.executable, "-c", maps],
        env=dict(os.environ, **JEMALLOC),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.stdout.strip() != "True":
        raise SystemExit("jemalloc does not load here (scripts/setup installs libjemalloc2)")


def main(argv: list[str]) -> None:
    """Run every size, then write the JSON, the markdown table and the plot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000, 2000])
    parser.add_argument("--recorder", nargs="+", choices=["off", "on"], default=["off", "on"])
    parser.add_argument("--version", choices=["1.6", "2.0.1"], default="1.6")
    parser.add_argument("--ramp", type=float, default=50.0)
    parser.add_argument("--closed", type=float, default=15.0)
    parser.add_argument("--open", type=float, default=30.0)
    parser.add_argument("--period", type=float, default=10.0)
    parser.add_argument("--open-from", type=int, default=100)
    parser.add_argument("--startup-timeout", type=float, default=900.0)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--plot", type=Path, default=REPO / "docs" / "benchmark.png")
    parser.add_argument(
        "--profile",
        type=Path,
        help="write py-spy summaries of the closed loop here (ours and the HA floor)",
    )
    parser.add_argument(
        "--trace-memory", action="store_true", help="tracemalloc in HA (slow): memory by package"
    )
    parser.add_argument(
        "--integration",
        type=Path,
        default=REPO / "custom_components" / "ocpp_csms",
        help="the ocpp_csms folder to run (e.g. an older checkout's, to compare)",
    )
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the Home Assistant floor (ha_floor)"
    )
    parser.add_argument(
        "--malloc",
        choices=["glibc", "jemalloc"],
        default="glibc",
        help="Home Assistant's allocator (jemalloc: as its container image and HA OS run it)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the configuration folders")
    args = parser.parse_args(argv)
    if args.malloc == "jemalloc":
        _check_jemalloc()
    work = Path(tempfile.mkdtemp(prefix="ocpp_bench_"))
    results: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "settings": {k: str(v) for k, v in vars(args).items()},
        "echo": [],
        "ocpp_csms": [],
        "baseline": [],
        "ha_floor": [],
    }
    try:
        for recorder in [r == "on" for r in args.recorder]:
            results["baseline"].append(measure(args, 0, recorder, work))
            print(json.dumps(results["baseline"][-1]), file=sys.stderr, flush=True)
            for size in args.sizes:
                if not recorder:
                    results["echo"].append({"chargers": size} | echo_floor(args, size))
                    print(json.dumps(results["echo"][-1]), file=sys.stderr, flush=True)
                if not args.no_floor:
                    results["ha_floor"].append(measure(args, size, recorder, work, floor=True))
                    print(json.dumps(results["ha_floor"][-1]), file=sys.stderr, flush=True)
                results["ocpp_csms"].append(measure(args, size, recorder, work))
                print(json.dumps(results["ocpp_csms"][-1]), file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    table = markdown(results) + "\n" + targets(results)
    (args.out / "results.md").write_text(table)
    print(table)
    plot(results, args.plot)


if __name__ == "__main__":
    main(sys.argv[1:])
