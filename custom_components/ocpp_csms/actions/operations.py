"""Reservation, firmware, log and display-message actions (registered by services.py).

Each returns what the charger took as response data; a version without the
operation refuses it with the ``not_in_version`` error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import probatio
from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from ..hub.log_uploads import LogUploads
from ..hub.runtime import get_runtime
from ..model.charger import Charger, Connector
from ..model.choices import MessagePriority, MessageState
from ..model.operations import DisplayMessage, FirmwareRequest, LogRequest, Reservation
from ..model.reservations import ReservationEnd
from .action import Action
from .commands import charger_commands, invalid, run_command
from .fields import one_of

TAG = probatio.All(cv.string, probatio.Length(1, 20))
COUNT = probatio.All(probatio.Coerce(int), probatio.Range(0, 1000))


def location(value: Any) -> str:
    """Read a URL a charger fetches from or uploads to: HTTP(S) or FTP(S/SFTP)."""
    url = cv.string(value)
    parts = urlparse(url)
    if parts.scheme not in ("http", "https", "ftp", "ftps", "sftp") or not parts.netloc:
        raise probatio.Invalid("expected an http, https, ftp, ftps or sftp URL")
    if len(url) > 512:
        raise probatio.Invalid("a URL of at most 512 characters")
    return url


def moment_field(
    period: Callable[[Any], timedelta],
) -> Callable[[Any], datetime | timedelta]:
    """Return a validator of a moment: a date and time, or a duration ``period`` reads."""

    def read(value: Any) -> datetime | timedelta:
        try:
            return period(value)
        except probatio.Invalid:
            return cv.datetime(value)

    return read


when = moment_field(cv.positive_time_period)  # a moment from now on


def moment(value: datetime | timedelta | None, default: datetime | None = None) -> datetime | None:
    """Return a field's moment in UTC (a duration counts from now)."""
    if value is None:
        return default
    if isinstance(value, timedelta):
        return dt_util.utcnow() + value
    return dt_util.as_utc(value)


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


async def reserve_now(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Reserve the connector (or, for a charger target, any of its connectors)."""
    csms = get_runtime(hass).csms
    # whole seconds: what the charger is told is what Home Assistant shows
    expires = (moment(data["expires"]) or dt_util.utcnow()).replace(microsecond=0)
    if expires <= dt_util.utcnow():
        raise invalid("in_the_past", field="expires")
    reservation = Reservation(
        reservation_id=csms.reservations.next_id(),
        charger_id=charger.charger_id,
        connector_id=conn.connector_id if conn is not None else None,
        id_tag=data["id_tag"],
        expires=expires,
        group_id_tag=data.get("group_id_tag"),
    )
    await run_command(charger, lambda commands: commands.reserve_now(reservation))
    csms.reservations.add(charger, reservation)
    return reservation.as_dict()


async def cancel_reservation(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Cancel the reservation named, or the one of the targeted connector or charger."""
    csms = get_runtime(hass).csms
    reservation_id = data.get("reservation_id")
    if reservation_id is None:
        held = [
            r
            for r in charger.reservations.values()
            if conn is None or r.connector_id in (None, conn.connector_id)
        ]
        if len(held) != 1:
            raise invalid("choose_reservation", charger=charger.charger_id, count=str(len(held)))
        reservation_id = held[0].reservation_id
    elif reservation_id not in charger.reservations:
        raise invalid("unknown_reservation", charger=charger.charger_id, id=str(reservation_id))
    await run_command(charger, lambda commands: commands.cancel_reservation(reservation_id))
    csms.reservations.end(charger, reservation_id, ReservationEnd.CANCELLED)
    return {"reservation_id": reservation_id, "status": "cancelled"}


async def update_firmware(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Have the charger fetch and install firmware; progress shows on its sensor."""
    csms = get_runtime(hass).csms
    request = FirmwareRequest(
        request_id=csms.next_request_id(),
        url=data["url"],
        retrieve_at=moment(data.get("retrieve_at"), dt_util.utcnow()) or dt_util.utcnow(),
        retries=data.get("retries"),
        retry_interval_s=_seconds(data.get("retry_interval")),
        install_at=moment(data.get("install_at")),
        signing_certificate=data.get("signing_certificate"),
        signature=data.get("signature"),
    )
    outcome = await run_command(charger, lambda commands: commands.update_firmware(request))
    return {"request_id": request.request_id, "status": outcome.value}


async def upload_logs(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Have the charger upload a log: to Home Assistant itself, or to ``location``."""
    runtime = get_runtime(hass)
    request_id = runtime.csms.next_request_id()
    uploads: LogUploads = runtime.log_uploads
    path = None
    location = data.get("location")
    if location is None:
        async with charger_commands(charger):  # the error words it, if there is no URL
            location, slot = uploads.issue(
                charger.charger_id, request_id, data["upload_window"], None
            )
        path = str(slot.path)
    request = LogRequest(
        request_id=request_id,
        location=location,
        log_type=data["log_type"],
        retries=data.get("retries"),
        retry_interval_s=_seconds(data.get("retry_interval")),
        oldest=moment(data.get("oldest")),
        latest=moment(data.get("latest")),
    )
    file_name = await run_command(charger, lambda commands: commands.upload_logs(request))
    return {"request_id": request_id, "file_name": file_name, "location": location, "path": path}


async def set_display_message(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Show a message on the charger's display (OCPP 2.x)."""
    message_id = data.get("message_id")
    if message_id is None:
        message_id = get_runtime(hass).csms.next_request_id()
    tx = conn.transaction if conn is not None else None
    message = DisplayMessage(
        message_id=message_id,
        text=data["message"],
        priority=data["priority"],
        language=data.get("language"),
        state=data.get("state"),
        start=moment(data.get("start")),
        end=moment(data.get("end")),
        transaction_id=tx.transaction_id if tx is not None else None,
    )
    outcome = await run_command(charger, lambda commands: commands.set_display_message(message))
    return {"message_id": message_id, "status": outcome.value}


async def get_display_messages(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Read the charger's display messages."""
    request_id = get_runtime(hass).csms.next_request_id()
    messages = await run_command(
        charger,
        lambda commands: commands.get_display_messages(
            request_id, data["message_ids"], data.get("priority"), data.get("state")
        ),
    )
    return {"messages": messages}


async def clear_display_message(
    hass: HomeAssistant, charger: Charger, conn: Connector | None, data: dict[str, Any]
) -> dict[str, Any]:
    """Remove one display message."""
    outcome = await run_command(
        charger, lambda commands: commands.clear_display_message(data["message_id"])
    )
    return {"message_id": data["message_id"], "status": outcome.value}


ACTIONS = (
    Action(
        "reserve_now",
        {
            probatio.Required("id_tag"): TAG,
            probatio.Required("expires"): when,
            probatio.Optional("group_id_tag"): TAG,
        },
        reserve_now,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "cancel_reservation",
        {
            probatio.Optional("reservation_id"): probatio.Coerce(int),
        },
        cancel_reservation,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "update_firmware",
        {
            probatio.Required("url"): location,
            probatio.Optional("retrieve_at"): when,
            probatio.Optional("install_at"): when,
            probatio.Optional("retries"): COUNT,
            probatio.Optional("retry_interval"): cv.positive_time_period,
            probatio.Inclusive("signing_certificate", "signed"): probatio.All(
                cv.string, probatio.Length(1, 5500)
            ),
            probatio.Inclusive("signature", "signed"): probatio.All(
                cv.string, probatio.Length(1, 800)
            ),
        },
        update_firmware,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "upload_logs",
        {
            probatio.Optional("log_type", default="diagnostics"): probatio.In(
                ["diagnostics", "security"]
            ),
            probatio.Optional("location"): location,
            probatio.Optional("oldest"): when,
            probatio.Optional("latest"): when,
            probatio.Optional("retries"): COUNT,
            probatio.Optional("retry_interval"): cv.positive_time_period,
            probatio.Optional("upload_window", default=timedelta(hours=1)): cv.positive_time_period,
        },
        upload_logs,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "set_display_message",
        {
            probatio.Required("message"): probatio.All(cv.string, probatio.Length(1, 1024)),
            probatio.Optional("message_id"): probatio.All(
                probatio.Coerce(int), probatio.Range(min=0)
            ),
            probatio.Optional("language"): probatio.All(cv.string, probatio.Length(1, 8)),
            probatio.Optional("priority", default="NormalCycle"): one_of(MessagePriority),
            probatio.Optional("state"): one_of(MessageState),
            probatio.Optional("start"): when,
            probatio.Optional("end"): when,
        },
        set_display_message,
        SupportsResponse.OPTIONAL,
    ),
    Action(
        "get_display_messages",
        {
            probatio.Optional("message_ids", default=[]): [probatio.Coerce(int)],
            probatio.Optional("priority"): one_of(MessagePriority),
            probatio.Optional("state"): one_of(MessageState),
        },
        get_display_messages,
        SupportsResponse.ONLY,
    ),
    Action(
        "clear_display_message",
        {
            probatio.Required("message_id"): probatio.Coerce(int),
        },
        clear_display_message,
        SupportsResponse.OPTIONAL,
    ),
)
