"""Which chargers and connectors an action targets.

Devices, entities and areas, resolved to our chargers (a charger brings its
connectors along, and is what is meant); anything else is a clear error.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.target import TargetSelection, async_extract_referenced_entity_ids

from ..const import DOMAIN
from ..hub.runtime import get_runtime
from ..model.charger import Charger, Connector
from .commands import invalid


def targets(hass: HomeAssistant, call: ServiceCall) -> list[tuple[Charger, Connector | None]]:
    """Each targeted charger (with the connector, where a connector was targeted)."""
    selection = TargetSelection(call.data)
    if not selection.has_any_target:
        raise invalid("no_target")
    selected = async_extract_referenced_entity_ids(hass, selection)
    ent_reg, dev_reg = er.async_get(hass), dr.async_get(hass)
    explicit = set(selection.device_ids)
    for entity_id in selected.referenced:
        entry = ent_reg.async_get(entity_id)
        if entry is None or entry.platform != DOMAIN or entry.device_id is None:
            raise invalid("not_ocpp_target", target=entity_id)
        explicit.add(entry.device_id)
    csms = get_runtime(hass).csms
    found: dict[tuple[str, int | None], tuple[Charger, Connector | None]] = {}
    from_expansion: set[tuple[str, int | None]] = set()
    for device_id in explicit | selected.referenced_devices:
        device = dev_reg.async_get(device_id)
        ident = next((i[1] for i in device.identifiers if i[0] == DOMAIN), None) if device else None
        if ident is None:
            if device_id in explicit:
                raise invalid(
                    "not_ocpp_target", target=(device.name if device else None) or device_id
                )
            continue  # a device in a targeted area that is not ours
        charger_id, _, connector = ident.partition("/")
        charger = csms.get_charger(charger_id)
        if charger is None or charger_id not in csms.adopted:
            raise invalid("unknown_charger", charger=charger_id)
        conn = charger.connectors.get(int(connector)) if connector else None
        if connector and conn is None:
            raise invalid("unknown_connector", charger=charger_id, connector=connector)
        key = (charger_id, conn.connector_id if conn else None)
        found[key] = (charger, conn)
        if device_id not in explicit:
            from_expansion.add(key)
    # A targeted charger brings its connector devices along; the charger is meant.
    for key in from_expansion:
        if key[1] is not None and (key[0], None) in found:
            del found[key]
    if not found:
        raise invalid("no_target")
    return list(found.values())
