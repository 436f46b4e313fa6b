"""A small driver for headless Chromium over the DevTools protocol, for the
end-to-end test of the real Home Assistant UI. Home Assistant's frontend is web
components all the way down, so elements are found through every shadow root."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

import websockets

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Walk the DOM through shadow roots; elements whose own text matches come last.
DEEP = """
(() => {
  window.__deep = (pred) => {
    const out = [];
    const walk = (node) => {
      if (node.nodeType === 1 && pred(node)) out.push(node);
      if (node.shadowRoot) walk(node.shadowRoot);
      for (const child of node.children || []) walk(child);
    };
    walk(document);
    return out;
  };
  window.__text = () => {
    const parts = [];
    const walk = (node) => {
      if (node.nodeType === 1 && ["SCRIPT", "STYLE"].includes(node.tagName)) return;
      if (node.nodeType === 3) parts.push(node.textContent);
      if (node.shadowRoot) walk(node.shadowRoot);
      for (const child of node.childNodes || []) walk(child);
    };
    walk(document.body);
    return parts.join(" ").replace(/\\s+/g, " ");
  };
  return true;
})()
"""


TYPE_SCRIPT = """
(() => {
  const want = __WANT__;
  const labelled = (el) => {
    let node = el;
    for (let i = 0; i < 8 && node; i++) {
      if (node.label === want || (node.getAttribute && node.getAttribute("label") === want))
        return true;
      node = node.parentNode || node.host;
    }
    return false;
  };
  const inputs = window.__deep((el) => el.tagName === "INPUT"
    && (el.name === want || el.getAttribute("aria-label") === want
        || el.getAttribute("autocomplete") === want || labelled(el)));
  if (!inputs.length) return false;
  const input = inputs[inputs.length - 1];
  input.focus();
  input.value = __VALUE__;
  input.dispatchEvent(new Event("input", {bubbles: true, composed: true}));
  input.dispatchEvent(new Event("change", {bubbles: true, composed: true}));
  return true;
})()
"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    def __init__(self, binary: str, port: int) -> None:
        self._profile = tempfile.mkdtemp()
        self._process = subprocess.Popen(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={self._profile}",
                f"--remote-debugging-port={port}",
                "--remote-allow-origins=*",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._port = port
        self._ids = itertools.count(1)
        self._ws: Any = None

    async def open(self) -> None:
        for _ in range(100):
            try:
                targets = json.loads(
                    urllib.request.urlopen(f"http://127.0.0.1:{self._port}/json").read()
                )
                break
            except OSError:
                await asyncio.sleep(0.2)
        else:
            raise RuntimeError("Chromium did not start")
        page = next(t for t in targets if t["type"] == "page")
        self._ws = await websockets.connect(page["webSocketDebuggerUrl"], max_size=2**26)
        await self.call(
            "Emulation.setDeviceMetricsOverride",
            width=1400,
            height=1000,
            deviceScaleFactor=1,
            mobile=False,
        )

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
        shutil.rmtree(self._profile, ignore_errors=True)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        msg_id = next(self._ids)
        await self._ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            reply = json.loads(await self._ws.recv())
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(reply["error"])
                return reply.get("result", {})

    async def js(self, expression: str) -> Any:
        await self.call("Runtime.evaluate", expression=DEEP)
        result = await self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    async def goto(self, url: str) -> None:
        await self.call("Page.navigate", url=url)
        await asyncio.sleep(1)

    async def open_page(self, url: str, needle: str, timeout: float = 180) -> str:
        """Go to ``url`` and wait for ``needle``; the page is loaded again once.

        On a busy machine the frontend can sit on "Loading…" for over a minute, or
        miss a chunk: the first half of the time waits, then one reload gets the
        second half.
        """
        await self.goto(url)
        try:
            return await self.wait_text(needle, timeout / 2, shot=False)
        except AssertionError:
            await self.call("Page.reload", ignoreCache=True)
            await asyncio.sleep(1)
            return await self.wait_text(needle, timeout / 2)

    async def text(self) -> str:
        return str(await self.js("window.__text()"))

    async def wait_text(self, needle: str, timeout: float = 60, shot: bool = True) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            text = await self.text()
            if needle in text:
                return text
            if loop.time() > deadline:
                if shot:
                    await self.screenshot(Path(tempfile.gettempdir()) / "ocpp_csms-e2e-failure.png")
                raise AssertionError(f"{needle!r} not on the page; it shows: {text[:3000]}")
            await asyncio.sleep(0.5)

    async def click(self, label: str, timeout: float = 60) -> None:
        """Click the innermost clickable element whose text or label is ``label``."""
        script = f"""
        (() => {{
          const want = {json.dumps(label)};
          const clickable = (el) => ["BUTTON", "HA-BUTTON", "MWC-BUTTON", "HA-PROGRESS-BUTTON",
            "HA-LIST-ITEM", "HA-MD-LIST-ITEM", "A", "HA-SWITCH", "HA-ENTITY-TOGGLE",
            "HA-INTEGRATION-LIST-ITEM", "HA-MD-BUTTON-MENU", "HA-ICON-BUTTON"].includes(el.tagName)
            || el.getAttribute("role") === "button" || el.getAttribute("role") === "switch";
          const named = (el) => (el.textContent || "").trim() === want
            || el.getAttribute("aria-label") === want || el.getAttribute("label") === want;
          const found = window.__deep((el) => clickable(el) && named(el));
          if (!found.length) return false;
          found[found.length - 1].click();
          return true;
        }})()
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not await self.js(script):
            if loop.time() > deadline:
                raise AssertionError(f"nothing to click labelled {label!r}: {await self.text()}")
            await asyncio.sleep(0.5)
        await asyncio.sleep(0.5)

    async def type_into(self, name: str, value: str, timeout: float = 60) -> None:
        """Type into the input named ``name``: its name, aria-label, autocomplete,
        or the label of the field element around it."""
        script = TYPE_SCRIPT.replace("__WANT__", json.dumps(name)).replace(
            "__VALUE__", json.dumps(value)
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not await self.js(script):
            if loop.time() > deadline:
                raise AssertionError(f"no input {name!r}: {await self.text()}")
            await asyncio.sleep(0.5)

    async def screenshot(self, path: Path) -> None:
        result = await self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(result["data"]))
