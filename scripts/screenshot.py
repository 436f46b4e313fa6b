"""Screenshot pages of the running development Home Assistant with headless Chromium,
logged in as dev / dev, over the Chrome DevTools Protocol.

Used by scripts/screenshot (which starts Chromium); writes PNGs into docs/."""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import time
import urllib.request
from typing import Any

import websockets
from dev_bootstrap import CLIENT_ID, login_tokens  # same folder (PYTHONPATH)

_ids = itertools.count(1)


async def cdp(ws: Any, method: str, **params: Any) -> dict[str, Any]:
    msg_id = next(_ids)
    await ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
    while True:
        reply = json.loads(await ws.recv())
        if reply.get("id") == msg_id:
            return reply.get("result", {})


async def ha_ws(url: str, token: str, command: dict[str, Any]) -> Any:
    async with websockets.connect(url.replace("http", "ws") + "/api/websocket") as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "auth", "access_token": token}))
        await ws.recv()
        await ws.send(json.dumps({"id": 1, **command}))
        return json.loads(await ws.recv())["result"]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    parser.add_argument("--cdp", default="http://127.0.0.1:9222")
    parser.add_argument("--charger", default="SIM1")
    parser.add_argument("--connector", default="1", help="the connector {child} is")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1400)
    parser.add_argument("--wait", type=float, default=20.0, help="seconds per page")
    parser.add_argument("shots", nargs="+", help="NAME=PATH, PATH may use {device} and {child}")
    args = parser.parse_args()

    granted = login_tokens(args.url)
    access = granted["access_token"]
    tokens = {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": granted["expires_in"],
        "refresh_token": granted["refresh_token"],
        "hassUrl": args.url,
        "clientId": CLIENT_ID,
        "expires": int(time.time() * 1000) + granted["expires_in"] * 1000,
    }
    devices = await ha_ws(args.url, access, {"type": "config/device_registry/list"})
    device = next(d for d in devices if ["ocpp_csms", args.charger] in d["identifiers"])
    child = next(
        (
            d
            for d in devices
            if ["ocpp_csms", f"{args.charger}/{args.connector}"] in d["identifiers"]
        ),
        device,
    )
    services = await ha_ws(args.url, access, {"type": "get_services"})
    print(f"action list: {len(services.get('ocpp_csms', {}))} ocpp_csms actions")
    targets = json.loads(urllib.request.urlopen(f"{args.cdp}/json").read())
    page = next(t for t in targets if t["type"] == "page")
    async with websockets.connect(page["webSocketDebuggerUrl"], max_size=2**26) as ws:
        await cdp(
            ws,
            "Emulation.setDeviceMetricsOverride",
            width=args.width,
            height=args.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        await cdp(ws, "Page.navigate", url=args.url + "/")
        await asyncio.sleep(3)
        await cdp(
            ws,
            "Runtime.evaluate",
            expression=f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(tokens))})",
        )
        for shot in args.shots:
            name, _, path = shot.partition("=")
            path = path.format(device=device["id"], child=child["id"])
            await cdp(ws, "Page.navigate", url=args.url + path)
            await asyncio.sleep(args.wait)
            result = await cdp(ws, "Page.captureScreenshot", format="png")
            with open(name, "wb") as fh:
                fh.write(base64.b64decode(result["data"]))
            print(f"wrote {name}")


if __name__ == "__main__":
    asyncio.run(main())
