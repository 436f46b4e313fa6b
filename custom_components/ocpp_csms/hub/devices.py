"""Device info of a charger (a device) and of its connectors (child devices)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import ChildDeviceInfo, DeviceInfo

from ..const import DOMAIN
from ..model.charger import Charger, Connector


def charger_device(charger: Charger) -> DeviceInfo:
    """Return the charger's device.

    Identity fields are only given once known: after a restart a charger
    reconnects without booting, and None would wipe what the device registry
    kept from its last boot.
    """
    ident = charger.identity
    info = DeviceInfo(identifiers={(DOMAIN, charger.charger_id)}, name=charger.charger_id)
    if ident.vendor is not None:
        info["manufacturer"] = ident.vendor
    if ident.model is not None:
        info["model"] = ident.model
    if ident.serial_number is not None:
        info["serial_number"] = ident.serial_number
    if ident.firmware_version is not None:
        info["sw_version"] = ident.firmware_version
    return info


def connector_device(conn: Connector, charger_device_id: str) -> ChildDeviceInfo:
    """Return a connector's device: a child device of its charger's."""
    return ChildDeviceInfo(
        identifiers={(DOMAIN, f"{conn.charger.charger_id}/{conn.connector_id}")},
        translation_key="connector",
        translation_placeholders={"connector_id": str(conn.connector_id)},
        parent_device_id=charger_device_id,
    )


@callback
def remove_connector_device(hass: HomeAssistant, entry_id: str, conn: Connector) -> None:
    """Remove the device of a connector the charger no longer has (its entities go too)."""
    registry = dr.async_get(hass)
    identifier = (DOMAIN, f"{conn.charger.charger_id}/{conn.connector_id}")
    device = registry.async_get_child_device_by_identifier(identifier, entry_id)
    if device is not None:
        registry.async_remove_device(device.id)
