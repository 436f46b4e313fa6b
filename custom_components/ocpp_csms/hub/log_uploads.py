"""Log uploads received by Home Assistant itself.

``upload_logs`` without a location of the user's own gives the charger a
one-time URL on Home Assistant's web server: ``/api/ocpp_csms/logs/<token>``
(a charger may add its file name after it). The token is single-use and expires;
the upload is capped in size, streamed to a file under the config directory
(``ocpp_csms/logs/<charger>/``), and announced with its path.

Chargers upload by HTTP POST (multipart, as most do, or a raw body) or PUT.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any

from aiohttp import BodyPartReader, web
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.helpers.network import NoURLAvailableError, get_url

from ..const import LOGGER_NAME
from ..model.csms import Csms
from ..model.errors import InvalidCommand

_LOGGER = logging.getLogger(LOGGER_NAME)

UPLOAD_URL = "/api/ocpp_csms/logs/{token}"
CHUNK = 64 * 1024
MAX_OPEN_TOKENS = 200  # the oldest outstanding token goes beyond this


def _safe(name: str, fallback: str) -> str:
    """Return a file-name part with nothing but letters, digits, '.', '-' and '_'."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", name).strip("._")[:100]
    return cleaned or fallback


@dataclass(slots=True, frozen=True)
class UploadSlot:
    """Where one expected upload goes."""

    charger_id: str
    request_id: int
    path: Path
    expires: datetime


class LogUploads:
    """The upload tokens handed out, and the endpoint that takes the files."""

    def __init__(self, hass: HomeAssistant, csms: Csms) -> None:
        """Hand out no token yet; the view is registered on first use."""
        self._hass = hass
        self._csms = csms
        self._slots: dict[str, UploadSlot] = {}
        self.max_bytes = 50 * 1024 * 1024

    def issue(
        self, charger_id: str, request_id: int, window: timedelta, base_url: str | None
    ) -> tuple[str, UploadSlot]:
        """Return a one-time upload URL and where its file will be stored."""
        if base_url is None:
            try:
                base_url = get_url(self._hass, allow_cloud=False, prefer_external=False)
            except NoURLAvailableError as err:
                raise InvalidCommand(
                    "Home Assistant has no local URL for the charger to upload to",
                    "a location, or a local URL in the network settings",
                ) from err
        self._purge()
        now = datetime.now(UTC)
        token = secrets.token_urlsafe(24)
        name = f"{now:%Y%m%d-%H%M%S}-{request_id}-{secrets.token_hex(3)}.log"
        folder = Path(self._hass.config.path("ocpp_csms", "logs", _safe(charger_id, "charger")))
        slot = UploadSlot(charger_id, request_id, folder / name, now + window)
        self._slots[token] = slot
        while len(self._slots) > MAX_OPEN_TOKENS:
            del self._slots[next(iter(self._slots))]
        return f"{base_url.rstrip('/')}{UPLOAD_URL.format(token=token)}", slot

    def claim(self, token: str) -> UploadSlot | None:
        """Take a token's slot: once only, and only before it expires."""
        self._purge()
        return self._slots.pop(token, None)

    def _purge(self) -> None:
        now = datetime.now(UTC)
        for token, slot in list(self._slots.items()):
            if slot.expires <= now:
                del self._slots[token]

    async def store(self, slot: UploadSlot, chunks: AsyncIterator[bytes]) -> int:
        """Write the upload to its file; raises _TooLarge (and keeps nothing) past the cap."""
        hass = self._hass
        handle: IO[bytes] = await hass.async_add_executor_job(_open, slot.path)
        size = 0
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > self.max_bytes:
                    break
                await hass.async_add_executor_job(handle.write, chunk)
        except BaseException:
            await hass.async_add_executor_job(_discard, handle, slot.path)
            raise
        if size > self.max_bytes:
            await hass.async_add_executor_job(_discard, handle, slot.path)
            raise _TooLarge
        await hass.async_add_executor_job(handle.close)
        return size

    def received(self, slot: UploadSlot, size: int) -> None:
        """Announce a stored upload on the charger (sensor, event entity, bus)."""
        charger = self._csms.get_charger(slot.charger_id)
        if charger is not None:
            self._csms.maintenance.log_received(charger, slot.request_id, str(slot.path), size)
        _LOGGER.info("%s: log stored in %s (%d bytes)", slot.charger_id, slot.path, size)


class _TooLarge(Exception):
    """The upload passed the size cap."""


def _open(path: Path) -> IO[bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("xb")


def _discard(handle: IO[bytes], path: Path) -> None:
    handle.close()
    path.unlink(missing_ok=True)


async def _body(request: web.Request) -> AsyncIterator[bytes]:
    """Yield the uploaded bytes: the first file of a multipart form, or the raw body."""
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if isinstance(part, BodyPartReader) and (part.filename or part.name == "file"):
                while chunk := await part.read_chunk(CHUNK):
                    yield chunk
                return
        return
    async for chunk in request.content.iter_chunked(CHUNK):
        yield chunk


class UploadView(HomeAssistantView):
    """Takes a charger's upload; the token in the URL is its only credential.

    Registered once, in async_setup; it asks for the runtime's uploads each time.
    """

    url = UPLOAD_URL
    extra_urls = [f"{UPLOAD_URL}/{{name}}"]
    name = "api:ocpp_csms:logs"
    requires_auth = False

    def __init__(self, uploads: Callable[[], LogUploads]) -> None:
        """Serve the uploads of whatever runtime runs."""
        self._get_uploads = uploads

    async def post(self, request: web.Request, token: str, **kw: Any) -> web.Response:
        """Take an upload by POST."""
        return await self._take(request, token)

    async def put(self, request: web.Request, token: str, **kw: Any) -> web.Response:
        """Take an upload by PUT."""
        return await self._take(request, token)

    async def _take(self, request: web.Request, token: str) -> web.Response:
        uploads = self._get_uploads()
        if request.content_length is not None and request.content_length > uploads.max_bytes:
            uploads.claim(token)  # single use, even when refused
            return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        slot = uploads.claim(token)
        if slot is None:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        try:
            size = await uploads.store(slot, _body(request))
        except _TooLarge:
            _LOGGER.warning(
                "%s: log upload over %d bytes refused", slot.charger_id, uploads.max_bytes
            )
            return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        uploads.received(slot, size)
        return web.Response(status=HTTPStatus.CREATED)
