"""An action, defined once: its name, its fields, its handler, and what it returns.

Each family module lists its ``ACTIONS``; ``services.py`` registers them all in
``async_setup``. An ``Action`` is run once per target (charger, or connector) with
the one handler signature, and its results are gathered by charger and connector;
a ``CallAction`` takes the whole call (its filters span the targets).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

import probatio
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv

from ..const import DOMAIN
from ..model.charger import Charger, Connector
from .targeting import targets

Data = dict[str, Any]  # an action's validated fields
# the one handler signature: Home Assistant, the target (a charger, and the
# connector where one was targeted), the fields; returns the target's result
Handler = Callable[[HomeAssistant, Charger, Connector | None, Data], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Action:
    """An action run on each targeted charger or connector."""

    name: str
    fields: Mapping[Any, Any]  # besides the target
    handler: Handler
    response: SupportsResponse = SupportsResponse.NONE

    def register(self, hass: HomeAssistant) -> None:
        """Register the action with Home Assistant."""
        schema = probatio.Schema({**cv.TARGET_SERVICE_FIELDS, **self.fields})
        hass.services.async_register(DOMAIN, self.name, self._run, schema, self.response)

    async def _run(self, call: ServiceCall) -> ServiceResponse:
        results: dict[str, dict[str, Any]] = {"chargers": {}, "connectors": {}}
        for charger, conn in targets(call.hass, call):
            result = await self.handler(call.hass, charger, conn, dict(call.data))
            if result is None:
                continue
            if conn is None:
                results["chargers"][charger.charger_id] = result
            else:
                results["connectors"][f"{charger.charger_id}/{conn.connector_id}"] = result
        if self.response is SupportsResponse.NONE:
            return None
        return {kind: found for kind, found in results.items() if found}


@dataclass(frozen=True, slots=True)
class CallAction:
    """An action that takes the whole call: its target, if any, is one of its filters."""

    name: str
    schema: probatio.Schema
    handler: Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]
    response: SupportsResponse = SupportsResponse.NONE

    def register(self, hass: HomeAssistant) -> None:
        """Register the action with Home Assistant."""
        hass.services.async_register(DOMAIN, self.name, self.handler, self.schema, self.response)
