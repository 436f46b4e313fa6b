"""Actions (services): every family's, registered once in ``async_setup``.

Each action is defined once, in its family module under ``actions/``: its name,
fields, handler and response. They target charger devices, connector devices or
any of their entities.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from .actions import (
    access,
    charging,
    configuration,
    history,
    limits,
    operations,
    reports,
    site,
    tariffs,
)

FAMILIES = (charging, limits, site, configuration, access, operations, reports, tariffs, history)


def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action (once, in async_setup)."""
    for family in FAMILIES:
        for action in family.ACTIONS:
            action.register(hass)
