"""Commands as Home Assistant sees them.

The one place that checks the charger is online, runs the command and
translates every failure into a Home Assistant error. Used by the actions
(services.py) and by the switch, number and button entities.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from ..const import DOMAIN
from ..hub.planning import ChargingPlanner
from ..hub.runtime import CsmsRuntime
from ..model.charger import Charger, Connector
from ..model.commands import CommandError, CommandOutcome, LimitUnit, ResetKind
from ..model.desired_limit import LimitValue
from ..model.errors import ChargerOffline, InvalidCommand, NotInVersion
from ..model.plan_request import PlanRequest
from ..model.port import ChargerCommands


def invalid(key: str, **placeholders: str) -> ServiceValidationError:
    """Return a translated validation error."""
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


@asynccontextmanager
async def translated_errors(charger: Charger) -> AsyncIterator[None]:
    """Every failure of a command leaves as a translated error."""
    try:
        yield
    except ChargerOffline as err:
        raise invalid("charger_offline", charger=charger.charger_id) from err
    except NotInVersion as err:  # the charger's version has no such operation
        raise invalid(
            "not_in_version",
            charger=charger.charger_id,
            version=err.version,
            operation=err.operation,
            versions=err.expected,
        ) from err
    except InvalidCommand as err:  # refused before the charger was asked
        raise invalid(
            "invalid_command", charger=charger.charger_id, error=str(err), expected=err.expected
        ) from err
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


@asynccontextmanager
async def charger_commands(charger: Charger) -> AsyncIterator[ChargerCommands]:
    """Give the commands of a charger that must be online."""
    try:
        commands = charger.require_commands()
    except ChargerOffline as err:
        raise invalid("charger_offline", charger=charger.charger_id) from err
    async with translated_errors(charger):
        yield commands


async def run_command[T](charger: Charger, command: Callable[[ChargerCommands], Awaitable[T]]) -> T:
    """Run one command on a charger that must be online; return its result.

    Every failure leaves as a translated error (``charger_commands``).
    """
    async with charger_commands(charger) as commands:
        return await command(commands)


async def async_start(
    runtime: CsmsRuntime, charger: Charger, conn: Connector | None, id_tag: str | None
) -> None:
    """Start a session on the connector, or wherever the charger chooses.

    Where no connector is named the charger chooses (OCPP lets it: 1.6
    connectorId and 2.x evseId are optional).
    """
    connector_id = conn.connector_id if conn is not None else None
    await run_command(
        charger,
        lambda commands: commands.remote_start(
            connector_id, id_tag or runtime.options.default_id_tag
        ),
    )


async def async_stop(charger: Charger, conn: Connector | None) -> None:
    """Remote stop of the connector's session, or of the charger's one session."""
    running = [c for c in charger.connectors.values() if c.transaction is not None]
    if conn is None and len(running) > 1:
        raise invalid("choose_session", charger=charger.charger_id, count=str(len(running)))
    target = conn if conn is not None else (running[0] if running else None)
    if target is None or target.transaction is None:
        connector = str(target.connector_id) if target is not None else "-"
        raise invalid("no_session", charger=charger.charger_id, connector=connector)
    transaction_id = target.transaction.transaction_id
    await run_command(charger, lambda commands: commands.remote_stop(transaction_id))


async def async_reset(charger: Charger, kind: ResetKind) -> None:
    """Restart the charger."""
    await run_command(charger, lambda commands: commands.reset(kind))


async def async_unlock(conn: Connector) -> None:
    """Release the connector's cable."""
    await run_command(conn.charger, lambda commands: commands.unlock(conn.connector_id))


async def async_change_availability(charger: Charger, connector_id: int, operative: bool) -> None:
    """Make a connector (0: the whole charger) operative or inoperative."""
    await run_command(
        charger, lambda commands: commands.change_availability(connector_id, operative)
    )


async def async_set_limit(
    runtime: CsmsRuntime,
    conn: Connector,
    limit: LimitValue,
    duration: timedelta | None = None,
) -> dict[str, Any]:
    """Set the dynamic cap (from an automation or the number entity)."""
    if limit.value < 0 and not conn.charger.capabilities.bidirectional:
        raise invalid("no_discharge", charger=conn.charger.charger_id)
    async with translated_errors(conn.charger):
        result = await runtime.csms.limits.set_cap(conn, limit, duration)
    return result.as_response()


async def async_pause(
    runtime: CsmsRuntime, conn: Connector, duration: timedelta | None
) -> dict[str, Any]:
    """Pause charging on the connector, for a while or until resumed."""
    async with translated_errors(conn.charger):
        result = await runtime.csms.limits.pause(conn, duration)
    return result.as_response()


async def async_resume(runtime: CsmsRuntime, conn: Connector) -> dict[str, Any]:
    """End a pause."""
    async with translated_errors(conn.charger):
        result = await runtime.csms.limits.resume(conn)
    return result.as_response()


async def async_clear_limit(runtime: CsmsRuntime, conn: Connector, scope: str) -> dict[str, Any]:
    """Clear the connector's cap and pause, its schedule, or both."""
    async with translated_errors(conn.charger):
        result = await runtime.csms.limits.clear(conn, scope)
    return result.as_response()


async def async_schedule(
    runtime: CsmsRuntime, conn: Connector, steps: list[tuple[Any, LimitValue | None]]
) -> dict[str, Any]:
    """Set the connector's schedule."""
    async with translated_errors(conn.charger):
        result = await runtime.csms.limits.set_schedule(conn, steps)
    return result.as_response()


async def async_plan(
    planner: ChargingPlanner, conn: Connector, request: PlanRequest
) -> dict[str, Any]:
    """Make or renew the connector's standing charging plan."""
    async with translated_errors(conn.charger):
        return await planner.async_plan(conn, request)


async def async_station_limit(
    runtime: CsmsRuntime, charger: Charger, limit: LimitValue | None
) -> dict[str, Any]:
    """Set the installer's ceiling for the whole charger."""
    async with charger_commands(charger):
        result = await runtime.csms.limits.set_station_limit(charger, limit)
    return result.as_response()


async def async_composite_schedule(
    runtime: CsmsRuntime, conn: Connector, duration_s: int, unit: LimitUnit
) -> dict[str, Any]:
    """Read the schedule the charger applies on the connector."""
    async with charger_commands(conn.charger):
        schedule = await runtime.csms.limits.composite(conn, duration_s, unit)
    return {
        "connector_id": schedule.connector_id,
        "start": schedule.start.isoformat(),
        "duration": schedule.duration_s,
        "unit": schedule.unit.value,
        "periods": [
            {
                "start": (schedule.start + timedelta(seconds=p.start_s)).isoformat(),
                "limit": p.limit,
                "phases": p.phases,
            }
            for p in schedule.periods
        ],
    }


async def async_get_configuration(charger: Charger, keys: list[str]) -> dict[str, Any]:
    """Read configuration keys (all of them for an empty list)."""
    result = await run_command(charger, lambda commands: commands.get_configuration(keys))
    return {"values": result.values, "readonly": result.readonly, "unknown": result.unknown}


async def async_set_configuration(charger: Charger, key: str, value: str) -> dict[str, Any]:
    """Write one configuration key; tells whether a reboot is needed."""
    outcome = await run_command(charger, lambda commands: commands.set_configuration(key, value))
    return {
        "status": outcome.value,
        "reboot_required": outcome is CommandOutcome.REBOOT_REQUIRED,
    }


async def async_trigger(charger: Charger, message: str, connector_id: int | None) -> None:
    """Ask the charger to send a message now."""
    await run_command(charger, lambda commands: commands.trigger_message(message, connector_id))


async def async_data_transfer(
    charger: Charger, vendor_id: str, message_id: str | None, data: str | None
) -> dict[str, Any]:
    """Send a vendor-specific DataTransfer."""
    result = await run_command(
        charger, lambda commands: commands.data_transfer(vendor_id, message_id, data)
    )
    return {"status": result.status, "data": result.data}
