"""What every simulated charger does of the operations beyond charging,
whatever its version: reservations held, a firmware update run step by step
(ending in a reboot with the new version), a log uploaded over real HTTP, and
installed certificates."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

Report = Callable[[str, int | None], Awaitable[None]]
FIRMWARE_STEPS = ("Downloading", "Downloaded", "Installing", "Installed")


class SimOperations:
    """Version-neutral state and steps; the version mixins answer the messages."""

    connectors: dict[int, Any]
    _record: Callable[..., None]
    _spawn: Callable[[Any], None]
    boot: Callable[[], Awaitable[str]]
    send_status: Callable[..., Awaitable[None]]

    def _init_sim(self, *args: Any, **kwargs: Any) -> None:
        super()._init_sim(*args, **kwargs)  # type: ignore[misc]
        self.firmware_version = "1.2.3"
        self.new_firmware_version = "2.0.0"
        self.firmware_fails = False
        self.log_content: bytes | None = b"2026-12-01 12:00:00 charger log line\n" * 50
        self.upload_results: list[int | str] = []  # HTTP status per upload (or the error)
        self.upload_delay_s = 0.0
        self.reservations: dict[int, dict[str, Any]] = {}
        self.certificates: list[dict[str, Any]] = []

    # ------------------------------------------------------------ reservations
    def take_reservation(self, reservation_id: int, connector_id: int | None, id_tag: str) -> str:
        """Hold a connector: Occupied while a session runs, else Accepted (and Reserved)."""
        if connector_id is not None:
            conn = self.connectors.get(connector_id)
            if conn is None:
                return "Rejected"
            if conn.transaction_id is not None or conn.plugged:
                return "Occupied"
            self._spawn(self.send_status(connector_id, "Reserved"))
        self.reservations[reservation_id] = {"connector_id": connector_id, "id_tag": id_tag}
        return "Accepted"

    def drop_reservation(self, reservation_id: int) -> str:
        held = self.reservations.pop(reservation_id, None)
        if held is None:
            return "Rejected"
        if held["connector_id"] is not None:
            self._spawn(self.send_status(held["connector_id"], "Available"))
        return "Accepted"

    # ------------------------------------------------------------ firmware
    async def run_firmware_update(self, request_id: int | None, report: Report) -> None:
        """Report each step; once installed, boot again with the new version."""
        for step in FIRMWARE_STEPS:
            await asyncio.sleep(0.01)
            if self.firmware_fails and step == "Downloaded":
                await report("DownloadFailed", request_id)
                return
            await report(step, request_id)
        self.firmware_version = self.new_firmware_version
        await self.boot()

    # ------------------------------------------------------------ logs
    async def run_upload(self, location: str, request_id: int | None, report: Report) -> None:
        """Upload the log to ``location`` by HTTP POST (multipart), reporting each step."""
        await report("Uploading", request_id)
        await asyncio.sleep(self.upload_delay_s)
        try:
            form = aiohttp.FormData()
            form.add_field("file", self.log_content or b"", filename="charger.log")
            async with (
                aiohttp.ClientSession() as session,
                session.post(location, data=form, timeout=aiohttp.ClientTimeout(5)) as resp,
            ):
                self.upload_results.append(resp.status)
                ok = resp.status < 300
        except (aiohttp.ClientError, TimeoutError) as err:
            self.upload_results.append(type(err).__name__)
            ok = False
        await report("Uploaded" if ok else "UploadFailure", request_id)

    # ------------------------------------------------------------ certificates
    def add_certificate(self, certificate_type: str, certificate: str) -> str:
        if "BEGIN CERTIFICATE" not in certificate:
            return "Rejected"
        serial = f"{len(self.certificates) + 1:04d}"
        self.certificates.append(
            {
                "type": certificate_type,
                "hash": {
                    "hashAlgorithm": "SHA256",
                    "issuerNameHash": f"name{serial}",
                    "issuerKeyHash": f"key{serial}",
                    "serialNumber": serial,
                },
            }
        )
        return "Accepted"

    def remove_certificate(self, hash_data: dict[str, Any]) -> str:
        serial = hash_data.get("serial_number", hash_data.get("serialNumber"))
        for cert in self.certificates:
            if cert["hash"]["serialNumber"] == serial:
                self.certificates.remove(cert)
                return "Accepted"
        return "NotFound"
