"""Home Assistant killed for real: a Home Assistant process with the integration,
chargers (1.6 and 2.0.1) in sessions, SIGKILL the instant the chargers have their
answers, then a restart. What the answers acknowledged must be there: every ended
session in the history, the open ones still open (their stops accepted), and no
1.6 transaction id handed out twice.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from .helpers import free_port
from .simulator import SIMULATORS

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 180.0  # a busy 2-core machine starts Home Assistant slowly
STARTED = "Home Assistant started:"  # the integration's line once it has started
STOP_TIMEOUT_S = 180.0


def entry(entry_id: str, title: str, data: dict[str, Any], unique_id: str | None) -> dict:
    return {
        "entry_id": entry_id,
        "version": 1,
        "domain": "ocpp_csms",
        "title": title,
        "data": data,
        "options": {"response_timeout": 5},
        "source": "user",
        "unique_id": unique_id,
        "disabled_by": None,
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
    }


def make_config(config: Path, ocpp_port: int, http_port: int) -> None:
    (config / "custom_components").mkdir(parents=True)
    (config / "custom_components" / "ocpp_csms").symlink_to(
        REPO / "custom_components" / "ocpp_csms"
    )
    (config / "configuration.yaml").write_text(
        "homeassistant:\n  time_zone: UTC\n  currency: EUR\n"
        f"http:\n  server_host: 127.0.0.1\n  server_port: {http_port}\n"
        "logger:\n  default: warning\n  logs:\n    custom_components.ocpp_csms: info\n"
    )
    storage = config / ".storage"
    storage.mkdir()
    entries = [
        entry(
            "csms",
            "OCPP central system",
            {"kind": "csms", "host": "127.0.0.1", "port": ocpp_port},
            None,
        ),
        entry("cp16", "CP16", {"kind": "charger", "charger_id": "CP16"}, "CP16"),
        entry("cp201", "CP201", {"kind": "charger", "charger_id": "CP201"}, "CP201"),
    ]
    (storage / "core.config_entries").write_text(
        json.dumps(
            {
                "version": 1,
                "minor_version": 1,
                "key": "core.config_entries",
                "data": {"entries": entries},
            }
        )
    )


class HomeAssistantProcess:
    """A real Home Assistant, started and killed as an operating system would."""

    def __init__(self, config: Path, ocpp_port: int, http_port: int) -> None:
        self.config, self.ocpp_port, self.http_port = config, ocpp_port, http_port
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        (self.config / "home-assistant.log").unlink(missing_ok=True)  # this run's lines only
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "homeassistant",
            "--config",
            str(self.config),
            "--skip-pip",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await self._listening(self.ocpp_port)  # chargers come while it still starts

    async def _listening(self, port: int) -> None:
        """Wait until the port takes connections."""
        assert self.process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT_S
        while loop.time() < deadline:
            assert self.process.returncode is None, self.log()
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.2)
                continue
            writer.close()
            await writer.wait_closed()
            return
        raise AssertionError(f"Home Assistant did not start:\n{self.log()}")

    async def _started(self) -> None:
        """Wait for the integration's word that Home Assistant has started."""
        assert self.process is not None
        path = self.config / "home-assistant.log"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT_S
        while loop.time() < deadline:
            assert self.process.returncode is None, self.log()
            if path.exists() and STARTED in path.read_text():
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"Home Assistant did not start:\n{self.log()}")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)

    async def wait(self) -> None:
        assert self.process is not None
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            # Home Assistant takes SIGTERM as "stop" once it has started (its
            # signal handlers come last, after its web server listens); before that
            # the signal kills it outright, and a busy machine can still be starting
            await self._started()
            self.process.send_signal(signal.SIGTERM)
            try:  # longer than Home Assistant's own shutdown stages may take
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                self.kill()
                await self.process.wait()
                raise AssertionError(f"Home Assistant did not stop:\n{self.log()}") from None
            assert self.process.returncode == 0, self.log()

    def log(self) -> str:
        path = self.config / "home-assistant.log"
        return path.read_text()[-4000:] if path.exists() else "(no log)"

    def stored(self, key: str) -> dict[str, Any]:
        path = self.config / ".storage" / key
        assert path.exists(), f"{key} was not written:\n{self.log()}"
        return json.loads(path.read_text())["data"]


async def session(sim: Any) -> str:
    tx_id = str(await sim.start_transaction(1))
    await sim.send_meter_values(1, seconds=900)
    return tx_id


async def test_kill_during_sessions_loses_nothing_acknowledged(
    socket_enabled: None, tmp_path: Path
) -> None:
    ocpp_port, http_port = free_port(), free_port()
    make_config(tmp_path / "config", ocpp_port, http_port)
    ha = HomeAssistantProcess(tmp_path / "config", ocpp_port, http_port)
    url = f"ws://127.0.0.1:{ocpp_port}"
    sims: list[Any] = []
    try:
        await ha.start()
        cp16 = await SIMULATORS["1.6"].connect(url, "CP16")
        cp201 = await SIMULATORS["2.0.1"].connect(url, "CP201")
        sims += [cp16, cp201]
        for sim in (cp16, cp201):
            await sim.boot_until_accepted(retry_s=0.5)
            await sim.send_all_status()
        ended = {}
        for sim in (cp16, cp201):  # two ended sessions each
            for _ in range(2):
                tx_id = await session(sim)
                await sim.stop_transaction(1)
                ended[tx_id] = sim.id
        open_16 = await session(cp16)
        open_201 = await session(cp201)
        ha.kill()  # the instant the last answers arrived: no snapshot was due yet
        await ha.wait()
        for sim in sims:
            await sim.close()

        await ha.start()
        again = []
        for old in (cp16, cp201):
            sim = await SIMULATORS[old.version].connect(url, old.id)
            sim.connectors[1] = old.connectors[1]
            sim.clock_offset_s = old.clock_offset_s
            sims.append(sim)
            again.append(sim)
            await sim.send_all_status()
            await sim.send_meter_values(1, seconds=900)
            await sim.stop_transaction(1)  # the sessions begun before the kill
        ended[open_16], ended[open_201] = "CP16", "CP201"
        issued_16 = {t for t, who in ended.items() if who == "CP16"}
        fresh = str(await again[0].start_transaction(1))
        assert fresh not in issued_16  # never handed out twice
        await asyncio.sleep(0.5)
    finally:
        for sim in sims:
            await sim.close()
        await ha.stop()
    history = ha.stored("ocpp_csms.sessions")["sessions"]
    recorded = {(r["charger_id"], r["transaction_id"]): r for r in history}
    assert {(who, tx) for tx, who in ended.items()} <= set(recorded), ha.log()
    assert all(recorded[(who, tx)]["energy_kwh"] > 0 for tx, who in ended.items())
    assert len(history) == len(ended)  # each once
    state = ha.stored("ocpp_csms.state")
    assert fresh in state["chargers"]["CP16"]["transactions"]
    for sim in again:  # the register is what the charger said last, never less
        stored_kwh = state["chargers"][sim.id]["connectors"]["1"]["energy"][0]
        assert stored_kwh * 1000 == pytest.approx(sim.connectors[1].register_wh, abs=1.0)
    assert "stop for unknown transaction" not in ha.log()
