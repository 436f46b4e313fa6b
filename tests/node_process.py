"""The Node.js programs nobody here wrote (``tests/stranger``), run as subprocesses:
their JSON-line reports, and where Node.js is."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

STRANGER = Path(__file__).parent / "stranger"


def node() -> str:
    """Return Node.js with ocpp-rpc installed; a CI run without them fails, others skip."""
    found = shutil.which("node")
    if found is None or not (STRANGER / "node_modules" / "ocpp-rpc").is_dir():
        if os.environ.get("CI"):
            pytest.fail("Node.js or ocpp-rpc missing: scripts/setup installs them")
        pytest.skip("Node.js or ocpp-rpc missing (scripts/setup installs them)")
    return found


class NodeProcess:
    """A Node.js subprocess, and what it reported (one JSON object a line)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.events: list[dict[str, Any]] = []
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            try:
                self.events.append(json.loads(line))
            except ValueError:
                self.events.append({"event": "output", "line": line.decode(errors="replace")})

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == kind]

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()
        await self._reader
