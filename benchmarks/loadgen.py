"""A load generator for any OCPP CSMS at a ``ws://`` URL.

Each simulated charger connects to ``<url>/<id>`` (ramped at a bounded rate),
boots, starts a transaction and then sends meter messages with ten sampled
values: MeterValues in 1.6, TransactionEvent(Updated) in 2.0.1. It answers
every call the CSMS sends. Frames are raw JSON, so one core plays thousands.

Phases, after the boot (the open loop first):
- drain (with ``--counter-url`` and ``--open``): the open loop's sending until the
  server's backlog is below ``--drained-below`` (its recorder has written what the
  boot queued);
- closed loop (``--closed S``): every charger sends its next message as soon as
  the last one is answered, for S seconds: saturation throughput;
- open loop (``--open S --period P``): every charger sends one message every P
  seconds (phases spread evenly), for S seconds. Latency counts from the
  scheduled send time, so a CSMS that falls behind cannot hide its queue.

With ``--server-pid`` the CSMS process's CPU time is read from ``/proc`` at the
start and end of each measured window; with ``--counter-url`` a JSON object of
counters is read there too. The result is one JSON object on stdout.

    python -m benchmarks.loadgen --url ws://127.0.0.1:9000/ocpp --chargers 100 --closed 15
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from .messages import SUBPROTOCOLS, Script, answer, call, follow_up
from .readings import Probe, summarize

CALL_TIMEOUT_S = 30.0


class CallFailed(Exception):
    """A call got a CALLERROR, no answer in time, or lost its connection."""

    def __init__(self, kind: str) -> None:
        """Name the kind of failure (an error count key)."""
        super().__init__(kind)
        self.kind = kind


class Charger:
    """One simulated charger: a connection, a reader, and the calls in flight."""

    def __init__(self, run: Run, charger_id: str) -> None:
        """Prepare the charger; nothing is connected yet."""
        self.run = run
        self.script = Script(run.version, charger_id)
        self.ws: ClientConnection | None = None
        self.pending: dict[str, asyncio.Future[Any]] = {}
        self.next_id = 0
        self.reader: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Connect (no compression, as chargers do) and start reading."""
        self.ws = await connect(
            f"{self.run.url}/{self.script.charger_id}",
            subprotocols=[SUBPROTOCOLS[self.run.version]],  # type: ignore[list-item]
            compression=None,
            open_timeout=CALL_TIMEOUT_S,
            ping_interval=None,
            max_size=2**22,
        )
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                if frame[0] == 2:
                    await self._answer(frame[1], frame[2], frame[3])
                elif (future := self.pending.pop(frame[1], None)) is not None:
                    if frame[0] == 3:
                        future.set_result(frame[2])
                    else:
                        future.set_exception(CallFailed(f"CALLERROR {frame[2]}"))
        except ConnectionClosed:
            pass
        for future in self.pending.values():
            if not future.done():
                future.set_exception(CallFailed("connection closed"))
        self.pending.clear()
        if not self.run.stopping:
            self.run.errors["connection closed by the CSMS"] += 1

    async def _answer(self, unique_id: str, action: str, payload: dict[str, Any]) -> None:
        assert self.ws is not None
        self.run.server_calls[action] += 1
        body = answer(self.run.version, action, payload)
        await self.ws.send(json.dumps([3, unique_id, body], separators=(",", ":")))
        if (then := follow_up(self.run.version, action, payload)) is not None:
            asyncio.get_running_loop().create_task(self._quiet_call(*then))

    async def _quiet_call(self, action: str, payload: dict[str, Any]) -> None:
        with contextlib.suppress(CallFailed):
            await self.call(action, payload)

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a CALL and return its CALLRESULT payload."""
        if self.ws is None:
            raise CallFailed("not connected")
        self.next_id += 1
        unique_id = f"{self.next_id}"
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[unique_id] = future
        try:
            await self.ws.send(call(unique_id, action, payload))
            async with asyncio.timeout(CALL_TIMEOUT_S):
                return await future  # type: ignore[no-any-return]
        except TimeoutError:
            self.pending.pop(unique_id, None)
            raise CallFailed("timeout") from None
        except ConnectionClosed:
            raise CallFailed("connection closed") from None

    async def boot(self) -> None:
        """Boot, report the connectors and start a transaction."""
        for action, payload in self.script.boot():
            result = await self.call(action, payload)
            if action == "BootNotification" and result.get("status") != "Accepted":
                raise CallFailed(f"boot {result.get('status')}")
        result = await self.call(*self.script.start())
        for action, payload in self.script.started(result):
            await self.call(action, payload)

    async def close(self) -> None:
        """Close the connection and stop reading."""
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await self.reader


class Run:
    """A fleet of simulated chargers and what was measured of it."""

    def __init__(self, args: argparse.Namespace) -> None:
        """Take the command line's settings."""
        self.url = args.url.rstrip("/")
        self.version = args.version
        self.args = args
        self.errors: Counter[str] = Counter()
        self.server_calls: Counter[str] = Counter()
        self.stopping = False
        self.chargers = [Charger(self, f"{args.prefix}{i:05d}") for i in range(args.chargers)]

    async def boot_fleet(self) -> dict[str, Any]:
        """Connect and boot every charger, ``--ramp`` per second; time it."""
        start = time.perf_counter()
        ready: list[Charger] = []

        async def one(index: int, charger: Charger) -> None:
            await asyncio.sleep(index / self.args.ramp)
            try:
                await charger.open()
                await charger.boot()
            except InvalidStatus as err:
                self.errors[f"connect refused: HTTP {err.response.status_code}"] += 1
            except CallFailed as err:
                self.errors[f"boot: {err.kind}"] += 1
            except OSError as err:
                self.errors[f"connect: {type(err).__name__}"] += 1
            else:
                ready.append(charger)

        await asyncio.gather(*(one(i, c) for i, c in enumerate(self.chargers)))
        self.chargers = ready
        return {
            "chargers": len(ready),
            "failed": self.args.chargers - len(ready),
            "seconds": round(time.perf_counter() - start, 3),
            "ramp_per_s": self.args.ramp,
        }

    async def closed_loop(self, seconds: float) -> dict[str, Any]:
        """Every charger sends back to back; measure the middle of the run."""
        window = Window(self, seconds)

        async def loop(charger: Charger) -> None:
            while not window.over():
                sent = time.perf_counter()
                try:
                    await charger.call(*charger.script.meter())
                except CallFailed as err:
                    self.errors[f"meter: {err.kind}"] += 1
                    return
                window.record(sent, sent)

        return await window.run([loop(c) for c in self.chargers])

    def _open_senders(self, window: Window, period: float) -> list[Any]:
        """One sender a charger, each sending every ``period`` s, phases spread evenly."""
        count = len(self.chargers)

        async def loop(index: int, charger: Charger) -> None:
            scheduled = window.begin + index * period / count
            while not window.over():
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                try:
                    await charger.call(*charger.script.meter())
                except CallFailed as err:
                    self.errors[f"meter: {err.kind}"] += 1
                    return
                window.record(scheduled, scheduled)
                scheduled += period

        return [loop(i, c) for i, c in enumerate(self.chargers)]

    async def open_loop(self, seconds: float, period: float) -> dict[str, Any]:
        """Every charger sends every ``period`` seconds, phases spread evenly."""
        window = Window(self, seconds)
        result = await window.run(self._open_senders(window, period))
        result["period_s"] = period
        return result

    async def drain(self, period: float, most_s: float) -> dict[str, Any]:
        """Send as the open loop does until the server's queued work (the recorder's
        backlog, from the counter URL) is down to ``--drained-below`` events (what
        the recorder holds between two commits), or ``most_s`` seconds have passed.

        A fleet's first connection makes thousands of registry updates and state
        writes that the recorder writes for tens of seconds after; the open loop
        that follows measures the steady state, and this phase what came before it.
        """
        window = Window(self, most_s, warmup=0.0)
        tasks = [asyncio.ensure_future(s) for s in self._open_senders(window, period)]
        before = await asyncio.to_thread(Probe.read, self.args)
        backlog = at_start = peak = before["counters"].get("recorder_backlog", 0)
        while backlog > self.args.drained_below and not window.over():
            await asyncio.sleep(1.0)
            reading = await asyncio.to_thread(Probe.read, self.args)
            backlog = reading["counters"].get("recorder_backlog", 0)
            peak = max(peak, backlog)
        window.end = min(window.end, time.perf_counter())
        after = await asyncio.to_thread(Probe.read, self.args)
        await asyncio.gather(*tasks)
        result = summarize(window.latencies, before, after, max(window.end - window.start, 1e-3))
        drained = backlog <= self.args.drained_below
        result |= {"backlog_at_start": at_start, "backlog_peak": peak, "drained": drained}
        result["period_s"] = period
        return result


class Window:
    """A measured phase: a warm-up, then ``seconds`` counted, CPU read at both ends."""

    def __init__(self, run: Run, seconds: float, warmup: float | None = None) -> None:
        """Place the counted window after a warm-up (a fifth of it, at most 5 s)."""
        self.fleet = run
        self.begin = time.perf_counter()
        self.start = self.begin + (min(5.0, seconds / 5) if warmup is None else warmup)
        self.end = self.start + seconds
        self.latencies: list[float] = []
        self.started = False

    def over(self) -> bool:
        """Tell whether the phase's senders should stop."""
        return time.perf_counter() >= self.end

    def record(self, counted_from: float, scheduled: float) -> None:
        """Count a message answered now if it was scheduled inside the window."""
        if self.start <= scheduled < self.end:
            self.latencies.append(time.perf_counter() - counted_from)

    async def run(self, senders: list[Any]) -> dict[str, Any]:
        """Run the senders; read the counters at the window's ends."""
        tasks = [asyncio.ensure_future(s) for s in senders]
        await asyncio.sleep(max(0.0, self.start - time.perf_counter()))
        before = await asyncio.to_thread(Probe.read, self.fleet.args)
        await asyncio.sleep(max(0.0, self.end - time.perf_counter()))
        after = await asyncio.to_thread(Probe.read, self.fleet.args)
        await asyncio.gather(*tasks)
        return summarize(self.latencies, before, after, self.end - self.start)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    """Boot the fleet, run the phases asked for, close everything."""
    run = Run(args)
    result: dict[str, Any] = {"version": args.version, "boot": await run.boot_fleet()}
    # Then quiet, so that what follows measures the steady state: a fleet's first
    # connection creates its connectors' entities, and Home Assistant writes its
    # registries some seconds later (a stall of about a second at 1,000 chargers).
    await asyncio.sleep(args.settle)
    result["settled"] = (await asyncio.to_thread(Probe.read, args)).get("counters", {})
    if args.open and args.counter_url:
        result["drain"] = await run.drain(args.period, args.drain_timeout)
    # The open loop first: a saturating closed loop leaves a backlog (the
    # recorder's queue, say) that would stall the open loop's latencies.
    if args.open:
        result["open"] = await run.open_loop(args.open, args.period)
    if args.closed:
        if args.mark_closed:  # for a profiler that samples the closed loop only
            Path(args.mark_closed).touch()
        result["closed"] = await run.closed_loop(args.closed)
    run.stopping = True
    await asyncio.gather(*(c.close() for c in run.chargers), return_exceptions=True)
    result["errors"] = dict(run.errors)
    result["server_calls"] = dict(run.server_calls)
    return result


def parse(argv: list[str]) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="ws://host:port/path; the id is appended")
    parser.add_argument("--chargers", type=int, default=1)
    parser.add_argument("--prefix", default="B")
    parser.add_argument("--version", choices=sorted(SUBPROTOCOLS), default="1.6")
    parser.add_argument("--ramp", type=float, default=50.0, help="connections per second")
    parser.add_argument("--closed", type=float, default=0.0, help="closed-loop seconds")
    parser.add_argument("--open", type=float, default=0.0, help="open-loop seconds")
    parser.add_argument("--period", type=float, default=10.0, help="open-loop period, s")
    parser.add_argument("--settle", type=float, default=15.0, help="quiet seconds after boot")
    parser.add_argument(
        "--drain-timeout", type=float, default=180.0, help="most seconds to wait for the backlog"
    )
    parser.add_argument(
        "--drained-below", type=int, default=500, help="a backlog this small is drained"
    )
    parser.add_argument("--mark-closed", default="", help="a file made as the closed loop starts")
    parser.add_argument("--server-pid", type=int, default=0)
    parser.add_argument("--counter-url", default="")
    return parser.parse_args(argv)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(parse(sys.argv[1:])))))
