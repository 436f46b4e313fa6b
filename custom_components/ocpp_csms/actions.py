"""Commands as Home Assistant sees them: one place that checks the charger is
online, runs the adapter command and turns failures into translated errors.
Used by the actions (services.py) and by the switch, number and button entities."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import DOMAIN
from .model.charger import Charger, Connector
from .model.commands import ChargerCommands, CommandError, ResetKind
from .runtime import ChargerOffline, require_commands

if TYPE_CHECKING:
    from .runtime import CsmsRuntime


@asynccontextmanager
async def _command(charger: Charger) -> AsyncIterator[ChargerCommands]:
    try:
        commands = require_commands(charger)
    except ChargerOffline as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="charger_offline",
            translation_placeholders={"charger": charger.charger_id},
        ) from err
    try:
        yield commands
    except CommandError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_failed",
            translation_placeholders={
                "charger": charger.charger_id,
                "command": err.action,
                "answer": err.answer,
            },
        ) from err


def invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


async def async_start(runtime: CsmsRuntime, conn: Connector, id_tag: str | None) -> None:
    async with _command(conn.charger) as commands:
        await commands.remote_start(conn.connector_id, id_tag or runtime.default_id_tag)


async def async_stop(conn: Connector) -> None:
    if conn.transaction is None:
        raise invalid(
            "no_session", charger=conn.charger.charger_id, connector=str(conn.connector_id)
        )
    async with _command(conn.charger) as commands:
        await commands.remote_stop(conn.transaction.transaction_id)


async def async_reset(charger: Charger, kind: ResetKind) -> None:
    async with _command(charger) as commands:
        await commands.reset(kind)


async def async_unlock(conn: Connector) -> None:
    async with _command(conn.charger) as commands:
        await commands.unlock(conn.connector_id)


async def async_change_availability(charger: Charger, connector_id: int, operative: bool) -> None:
    async with _command(charger) as commands:
        await commands.change_availability(connector_id, operative)


async def async_set_limit(
    runtime: CsmsRuntime, conn: Connector, *, amps: float | None = None, watts: float | None = None
) -> None:
    value = amps if amps is not None else watts
    if value is not None and value < 0 and not conn.charger.capabilities.bidirectional:
        raise invalid("no_discharge", charger=conn.charger.charger_id)
    async with _command(conn.charger):
        await runtime.async_set_charge_limit(conn, amps=amps, watts=watts)


async def async_clear_limit(runtime: CsmsRuntime, conn: Connector) -> None:
    async with _command(conn.charger):
        await runtime.async_clear_charge_limit(conn)


async def async_get_configuration(charger: Charger, keys: list[str]) -> dict[str, Any]:
    async with _command(charger) as commands:
        result = await commands.get_configuration(keys)
    return {"values": result.values, "readonly": result.readonly, "unknown": result.unknown}


async def async_set_configuration(charger: Charger, key: str, value: str) -> dict[str, Any]:
    async with _command(charger) as commands:
        status = await commands.set_configuration(key, value)
    return {"status": status, "reboot_required": status == "RebootRequired"}


async def async_trigger(charger: Charger, message: str, connector_id: int | None) -> None:
    async with _command(charger) as commands:
        await commands.trigger_message(message, connector_id)


async def async_data_transfer(
    charger: Charger, vendor_id: str, message_id: str | None, data: str | None
) -> dict[str, Any]:
    async with _command(charger) as commands:
        return await commands.data_transfer(vendor_id, message_id, data)
