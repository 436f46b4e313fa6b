"""What the sensors show: the value and attribute functions their descriptions use."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..model.charger import Charger, Connector
from ..model.limit_check import EffectiveLimit
from ..model.reservations import held_reservation


def log_attrs(charger: Charger) -> dict[str, Any]:
    """Return the last log upload's request, path and size."""
    last = charger.log_happenings.last
    if last is None:
        return {}
    return {k: v for k, v in last[1].items() if k in ("request_id", "path", "size")}


def reservation_attrs(conn: Connector) -> dict[str, Any]:
    """Return the reservation the connector holds."""
    held = held_reservation(conn)
    if held is None:
        return {}
    return {
        "reservation_id": held.reservation_id,
        "id_tag": held.id_tag,
        "group_id_tag": held.group_id_tag,
        "expires": held.expires.isoformat(),
        "scope": "connector" if held.connector_id is not None else "charger",
    }


def session_cost(conn: Connector) -> float | None:
    """Return the session's cost (the charger's own, else Home Assistant's)."""
    cost = conn.session.preferred_cost()[0] if conn.session else None
    return None if cost is None else round(cost, 4)


def cost_attrs(conn: Connector) -> dict[str, Any]:
    """Return both costs of the session, where each comes from."""
    session = conn.session
    if session is None:
        return {}
    return {
        "source": session.preferred_cost()[1],
        "computed_cost": None if session.computed_cost is None else round(session.computed_cost, 4),
        "charger_cost": session.cost,
        "unpriced_kwh": round(session.unpriced_kwh, 3),
    }


def effective_limit(conn: Connector) -> EffectiveLimit | None:
    """Return the limit in force on the connector."""
    return conn.watch.effective if conn.watch is not None else None


def plan_attrs(conn: Connector) -> dict[str, Any]:
    """Return the charging plan: its request and slots."""
    plan, request = conn.plan, conn.plan_request
    if plan is None or request is None:
        return {}
    return {
        "deadline": request.deadline.isoformat(),
        "energy_kwh": plan.energy_kwh,
        "cost": plan.cost,
        "unplanned_kwh": plan.unplanned_kwh,
        "slots": [s.as_dict() for s in plan.slots],
    }


def effective_attrs(conn: Connector) -> dict[str, Any]:
    """Return where the limit in force comes from, and what the charger accepted."""
    effective = effective_limit(conn)
    accepted = conn.charge_limit
    return {
        "source": effective.source.value if effective else None,
        "accepted": accepted.value if accepted else None,
        "accepted_unit": accepted.unit.value if accepted else None,
    }


def session_minutes(conn: Connector) -> float | None:
    """Return the session's duration in minutes."""
    session = conn.session
    if session is None:
        return None
    return round(session.duration_s(datetime.now(UTC)) / 60.0, 1)


def session_energy(conn: Connector) -> float | None:
    """Return the session's energy in kWh."""
    session = conn.session
    return None if session is None or session.energy_kwh is None else round(session.energy_kwh, 3)
