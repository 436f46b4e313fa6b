"""Run a simulated charger: python -m tests.simulator --url ws://127.0.0.1:9000 --id SIM1"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any

from websockets.exceptions import InvalidStatus

from . import SIMULATORS
from .profiles import QUIRKS

_LOGGER = logging.getLogger("simulator")


async def run(args: argparse.Namespace) -> None:
    cls = SIMULATORS[args.version]
    password = args.password
    while True:
        try:
            sim = await cls.connect(
                args.url,
                args.id,
                password=password,
                connectors=args.connectors,
                quirks=set(args.quirk),
            )
        except (OSError, InvalidStatus) as err:
            _LOGGER.warning("cannot connect (%s); retrying in 5 s", err)
            await asyncio.sleep(5)
            continue
        _LOGGER.info("connected to %s as %s (OCPP %s)", args.url, args.id, cls.version)
        _restore_registers(sim, args.register_file)
        if args.phase_switch:
            sim.allow_phase_switching()
        try:
            await sim.boot_until_accepted(retry_s=args.boot_retry)
            _LOGGER.info("boot accepted")
            await sim.send_all_status()
            if args.charge:
                await sim.plug_in(1)
                await sim.start_transaction(1, args.id_tag)
            last_heartbeat = time.monotonic()
            while sim.reset_requested is None and sim.password_set in (None, password):
                await asyncio.sleep(args.meter_interval)
                for conn in sim.connectors.values():
                    if conn.transaction_id is not None:
                        await sim.send_meter_values(conn.connector_id)
                _keep_registers(sim, args.register_file)
                if time.monotonic() - last_heartbeat > sim.heartbeat_interval:
                    await sim.heartbeat()
                    last_heartbeat = time.monotonic()
            if sim.password_set not in (None, password):
                _LOGGER.info("new password from the CSMS: reconnecting with it")
                password = sim.password_set
            else:
                _LOGGER.info("reset requested: rebooting")
        except Exception as err:
            _LOGGER.warning("connection lost (%s); reconnecting in 5 s", err)
        finally:
            await sim.close()
        await asyncio.sleep(5)


def _restore_registers(sim: Any, path: Path | None) -> None:
    """A real meter never goes back: start from the registers of the last run."""
    if path is not None and path.exists():
        for key, wh in json.loads(path.read_text()).items():
            if (conn := sim.connectors.get(int(key))) is not None:
                conn.register_wh = max(conn.register_wh, float(wh))


def _keep_registers(sim: Any, path: Path | None) -> None:
    if path is not None:
        registers = {str(n): conn.register_wh for n, conn in sim.connectors.items()}
        path.write_text(json.dumps(registers))


def main() -> None:
    parser = argparse.ArgumentParser(description="Simulated OCPP charger")
    parser.add_argument("--url", default="ws://127.0.0.1:9000", help="CSMS URL without the id")
    parser.add_argument("--id", default="SIM1", help="charger id (last path segment)")
    parser.add_argument("--version", default="1.6", choices=sorted(SIMULATORS))
    parser.add_argument("--connectors", type=int, default=1)
    parser.add_argument(
        "--register-file", type=Path, help="keep the energy registers here between runs"
    )
    parser.add_argument("--charge", action="store_true", help="plug in and start charging")
    parser.add_argument(
        "--phase-switch", action="store_true", help="switch between 1 and 3 phases when asked"
    )
    parser.add_argument("--id-tag", default="SIMTAG")
    parser.add_argument("--password", help="Basic-auth password (security profile 1)")
    parser.add_argument("--meter-interval", type=float, default=10.0)
    parser.add_argument("--boot-retry", type=float, default=5.0)
    parser.add_argument(
        "--quirk",
        action="append",
        default=[],
        choices=sorted(QUIRKS),
        help="behave like a real charger that bends the smart-charging rules (repeatable)",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(message)s",
    )
    if not args.verbose:
        logging.getLogger("ocpp").setLevel(logging.WARNING)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
