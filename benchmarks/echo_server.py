"""The floor: a bare websockets server that answers every OCPP call from a table.

It parses each frame as JSON and answers a CALL with a fixed CALLRESULT for its
action, as little as a CSMS can do. The runner measures it beside ocpp_csms,
with the same generator, so that our cost reads as a multiple of this.

    python -m benchmarks.echo_server --port 9100
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

ANSWERS = {
    "BootNotification": {"status": "Accepted", "interval": 300},
    "StartTransaction": {"transactionId": 1, "idTagInfo": {"status": "Accepted"}},
    "TransactionEvent": {},
    "Authorize": {"idTagInfo": {"status": "Accepted"}},
}


async def handle(ws: ServerConnection) -> None:
    """Answer every CALL on one connection."""
    with contextlib.suppress(ConnectionClosed):
        await _serve(ws)


async def _serve(ws: ServerConnection) -> None:
    async for raw in ws:
        frame = json.loads(raw)
        if frame[0] != 2:
            continue
        payload = dict(ANSWERS.get(frame[2], {}))
        if frame[2] == "BootNotification":
            payload["currentTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        await ws.send(json.dumps([3, frame[1], payload]))


async def main(port: int) -> None:
    """Serve until killed."""
    async with serve(
        handle,
        "127.0.0.1",
        port,
        subprotocols=["ocpp1.6", "ocpp2.0.1"],  # type: ignore[list-item]
        compression=None,
        ping_interval=None,
    ) as server:
        print(f"listening on {port}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(main(parser.parse_args().port))
