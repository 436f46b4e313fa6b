"""The session-history actions: get_sessions and export_sessions.

Both take an optional target (chargers, connectors or their entities; none:
every charger), a time range and a tag. get_sessions returns the sessions with
totals per tag; export_sessions writes them as CSV under the config directory.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import probatio
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.target import TargetSelection
from homeassistant.util import dt as dt_util

from ..hub.runtime import get_runtime
from ..model.session_history import FIELDS, SessionQuery, totals_by_tag
from .action import CallAction
from .commands import invalid
from .operations import moment, moment_field
from .targeting import targets

_when = moment_field(cv.time_period)  # a negative duration is a moment ago


MAX_RETURNED = 5000  # sessions in one response (the export has them all)

SCHEMA = probatio.Schema(  # the target is a filter: none means every charger
    {
        **cv.TARGET_SERVICE_FIELDS,
        probatio.Optional("start"): _when,
        probatio.Optional("end"): _when,
        probatio.Optional("id_tag"): probatio.All(cv.string, probatio.Length(1, 36)),
    }
)


def _query(call: ServiceCall) -> SessionQuery:
    """Read the filters; a target narrows to its chargers (and connectors)."""
    charger_ids = None
    if TargetSelection(call.data).has_any_target:
        charger_ids = frozenset(c.charger_id for c, _ in targets(call.hass, call))
    start = moment(call.data.get("start"))
    end = moment(call.data.get("end"))
    if start is not None and end is not None and end <= start:
        raise invalid("range_order")
    return SessionQuery(start, end, charger_ids, call.data.get("id_tag"))


def _named(hass: HomeAssistant, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add each tag's name from the tag list."""
    tags = get_runtime(hass).csms.tags.tags
    named = []
    for record in records:
        tag = tags.get(record["id_tag"]) if record["id_tag"] else None
        named.append({**record, "tag_name": tag.name if tag is not None else None})
    return named


async def get_sessions(call: ServiceCall) -> ServiceResponse:
    """Return the finished sessions asked for, and totals per tag."""
    records = get_runtime(call.hass).csms.history.query(_query(call))
    response: dict[str, Any] = {
        "count": len(records),
        "truncated": len(records) > MAX_RETURNED,
        "totals": totals_by_tag(records),
        "sessions": _named(call.hass, records[-MAX_RETURNED:]),
    }
    return response


async def export_sessions(call: ServiceCall) -> ServiceResponse:
    """Write the sessions asked for as CSV; return its path."""
    hass = call.hass
    records = _named(hass, get_runtime(hass).csms.history.query(_query(call)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*FIELDS, "tag_name"], extrasaction="ignore")
    writer.writeheader()
    writer.writerows(records)
    stamp = dt_util.utcnow().strftime("%Y%m%d-%H%M%S")
    path = Path(hass.config.path("ocpp_csms", "exports", f"sessions-{stamp}.csv"))
    await hass.async_add_executor_job(_write, path, out.getvalue())
    response: dict[str, Any] = {
        "path": str(path),
        "count": len(records),
        "totals": totals_by_tag(records),
    }
    return response


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    tmp.replace(path)


ACTIONS = (
    CallAction("get_sessions", SCHEMA, get_sessions, SupportsResponse.ONLY),
    CallAction("export_sessions", SCHEMA, export_sessions, SupportsResponse.ONLY),
)
