"""A real Home Assistant for the benchmark: its configuration and its process.

The configuration directory holds ocpp_csms and the benchmark probe, an
OCPP central system entry and N charger entries already adopted (written to
``.storage/core.config_entries`` as the UI would leave them), and optionally
the recorder with its default settings (SQLite).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# The run sends from one address far faster than a charger does: the limits on
# hostile input are raised (every other option keeps its default).
CSMS_OPTIONS = {
    "messages_per_minute": 60000,
    "message_burst": 10000,
    "connections_per_address": 10000,
    "connections_total": 20000,
}


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _entry(
    data: dict[str, Any], title: str, unique_id: str | None, options: dict[str, Any]
) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {
        "created_at": now,
        "data": data,
        "disabled_by": None,
        "discovery_keys": {},
        "domain": "ocpp_csms",
        "entry_id": uuid.uuid4().hex,
        "minor_version": 1,
        "modified_at": now,
        "options": options,
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "user",
        "subentries": [],
        "title": title,
        "unique_id": unique_id,
        "version": 1,
    }


def write_config(
    root: Path,
    chargers: list[str],
    *,
    recorder: bool,
    ocpp_port: int,
    http_port: int,
    integration: Path = REPO / "custom_components" / "ocpp_csms",
    floor: bool = False,
) -> None:
    """Write a configuration directory with the CSMS and these chargers adopted.

    ``integration`` is the ocpp_csms folder to run (another checkout's, to compare).
    With ``floor`` the OCPP port is served by the Home Assistant floor
    (``benchmarks/ha_floor``) instead, and ocpp_csms is not installed.
    """
    (root / "custom_components").mkdir(parents=True, exist_ok=True)
    (root / ".storage").mkdir(exist_ok=True)
    link = root / "custom_components" / "ocpp_csms"
    if not floor and not link.exists():
        link.symlink_to(integration)
    for name in ("bench_probe", "ha_floor") if floor else ("bench_probe",):
        folder = root / "custom_components" / name
        if not folder.exists():
            folder.symlink_to(REPO / "benchmarks" / name)
    lines = [
        "homeassistant:",
        "  name: ocpp_csms benchmark",
        "  unit_system: metric",
        "  time_zone: UTC",
        "  latitude: 52.37",
        "  longitude: 4.89",
        "  elevation: 0",
        "  currency: EUR",
        # Home Assistant's own default level (INFO): what it counts toward "is
        # logging too frequently".
        "logger:",
        "  default: info",
        "bench_probe:",
    ]
    if floor:
        lines += ["ha_floor:", f"  port: {ocpp_port}"]
    if recorder:
        lines.append("recorder:")
    (root / "configuration.yaml").write_text("\n".join(lines) + "\n")
    # HTTP settings live in a store since 2026.10 (YAML is migrated once, as a
    # trial that reverts after five minutes): write the confirmed ("stable") one.
    http = {
        "server_host": ["127.0.0.1"],
        "server_port": http_port,
        "cors_allowed_origins": [],
        "login_attempts_threshold": -1,
        "ip_ban_enabled": False,
        "ssl_profile": "modern",
        "use_x_frame_options": True,
        "created_at": datetime.now(UTC).isoformat(),
        "error": None,
        "error_message": None,
    }
    http_store = {"stable": http, "pending": None, "yaml_migration_done": True}
    _store(root, "http", http_store, version=2, minor_version=2)
    if floor:
        _store(root, "core.config_entries", {"entries": []}, version=1, minor_version=5)
        return
    entries = [
        _entry(
            {"kind": "csms", "host": "127.0.0.1", "port": ocpp_port},
            "OCPP central system",
            None,
            CSMS_OPTIONS,
        )
    ]
    entries += [_entry({"kind": "charger", "charger_id": c}, c, c, {}) for c in chargers]
    _store(root, "core.config_entries", {"entries": entries}, version=1, minor_version=5)


def _store(root: Path, key: str, data: dict[str, Any], *, version: int, minor_version: int) -> None:
    store = {"version": version, "minor_version": minor_version, "key": key, "data": data}
    (root / ".storage" / key).write_text(json.dumps(store))


# What Home Assistant's container image (and so Home Assistant OS) runs it with.
JEMALLOC = {
    "LD_PRELOAD": "libjemalloc.so.2",
    "MALLOC_CONF": "background_thread:true,metadata_thp:auto,dirty_decay_ms:20000,"
    "muzzy_decay_ms:20000",
}


class HomeAssistantProcess:
    """``python -m homeassistant`` on one CPU, with the probe to ask how it is."""

    def __init__(
        self,
        root: Path,
        http_port: int,
        cpu: int,
        *,
        trace_memory: bool = False,
        malloc: str = "glibc",
    ) -> None:
        """Remember where it lives; nothing runs yet. ``malloc``: glibc or jemalloc."""
        self.trace_memory = trace_memory
        self.malloc = malloc
        self.root = root
        self.probe_url = f"http://127.0.0.1:{http_port}/api/bench_probe"
        self.cpu = cpu
        self.process: subprocess.Popen[bytes] | None = None
        self.log = root / "home-assistant.log"

    def start(self) -> None:
        """Start Home Assistant pinned to its CPU."""
        command = ["taskset", "-c", str(self.cpu), sys.executable, "-m", "homeassistant"]
        command += ["-c", str(self.root), "--skip-pip", "--log-file", str(self.log)]
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        if self.trace_memory:
            env["PYTHONTRACEMALLOC"] = "1"
        if self.malloc == "jemalloc":
            env |= JEMALLOC
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            # not the repository: its custom_components/ would shadow the config's
            cwd=self.root,
        )

    @property
    def pid(self) -> int:
        """The process id (for /proc)."""
        assert self.process is not None
        return self.process.pid

    def probe(
        self, *, memory: bool = False, registry: bool = False, heap: bool = False
    ) -> dict[str, Any]:
        """Ask the probe for its counters (where memory went, if traced; the registry
        updates so far, by kind; the collector's generations)."""
        asks = (("memory=1", memory), ("registry=1", registry), ("heap=1", heap))
        query = "&".join(name for name, asked in asks if asked)
        url = f"{self.probe_url}?{query}" if query else self.probe_url
        with urllib.request.urlopen(url, timeout=300) as response:
            return json.load(response)  # type: ignore[no-any-return]

    def wait_ready(self, entries: int, timeout: float) -> float:
        """Wait until HA runs with every ocpp_csms entry loaded; return the seconds."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"Home Assistant exited; see {self.log}")
            try:
                state = self.probe()
            except OSError:
                time.sleep(0.5)
                continue
            if state["running"] and state["ocpp_entries_loaded"] == entries:
                return time.monotonic() - start
            time.sleep(0.5)
        raise RuntimeError(f"Home Assistant not ready in {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        """Stop Home Assistant (SIGTERM, then SIGKILL after 60 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_text(self) -> str:
        """The whole log."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def log_lines(self, levels: tuple[str, ...]) -> list[str]:
        """The log's records at these levels (their first lines)."""
        if not self.log.exists():
            return []
        return [
            line
            for line in self.log.read_text(errors="replace").splitlines()
            if any(f" {level} (" in line for level in levels)
        ]
