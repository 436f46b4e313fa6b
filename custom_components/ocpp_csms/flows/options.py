"""Options flows: the CSMS entry's, and a charger's own.

The CSMS entry's options come in sections (chargers and access, RFID tags,
charging, limits on hostile input, TLS) and are saved flat; a charger's own are
a pinned OCPP version and its password.
"""

from __future__ import annotations

from typing import Any

import probatio
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.data_entry_flow import section
from homeassistant.helpers import selector

from ..const import (
    BELOW_MINIMUM_PAUSE,
    BELOW_MINIMUM_RAISE,
    CONF_ASK_TIMEOUT,
    CONF_BATTERY_FIRST_SOC,
    CONF_BATTERY_POWER,
    CONF_BATTERY_SOC,
    CONF_BELOW_MINIMUM,
    CONF_CHARGER_PROFILE,
    CONF_CLOCK_TOLERANCE,
    CONF_DEFAULT_ID_TAG,
    CONF_DISABLE_DELAY,
    CONF_DISCOVERY_CAP,
    CONF_ENABLE_DELAY,
    CONF_FEED_IN_PRICE,
    CONF_FIXED_PRICE,
    CONF_GRID_CURRENTS,
    CONF_GRID_EXPORT,
    CONF_GRID_IMPORT,
    CONF_GRID_POWER,
    CONF_HEARTBEAT_INTERVAL,
    CONF_HISTORY_DAYS,
    CONF_LIMIT_SPACING,
    CONF_MAIN_FUSE,
    CONF_MAIN_FUSE_PHASES,
    CONF_MAX_CONNECTORS,
    CONF_MIN_CURRENT,
    CONF_NO_PASSWORD,
    CONF_PHASE_INTERVAL,
    CONF_PHASE_MARGIN,
    CONF_PHASE_ROTATION,
    CONF_PHASES,
    CONF_PRICE_ENTITY,
    CONF_PROTOCOL,
    CONF_RESUME_HOLD,
    CONF_SAFE_LIMIT,
    CONF_SENSOR_TIMEOUT,
    CONF_SOLAR_THRESHOLD,
    CONF_SSL_CAFILE,
    CONF_SSL_CERTFILE,
    CONF_SSL_KEYFILE,
    CONF_TAG_POLICY,
    CONF_TLS_LEGACY,
    CONF_UNKNOWN_CHARGERS,
    CONF_UPSTREAM_ANSWERS,
    CONF_UPSTREAM_CAFILE,
    CONF_UPSTREAM_CERTFILE,
    CONF_UPSTREAM_COMMANDS,
    CONF_UPSTREAM_ID,
    CONF_UPSTREAM_KEYFILE,
    CONF_UPSTREAM_PASSWORD,
    CONF_UPSTREAM_QUEUE,
    CONF_UPSTREAM_TIMEOUT,
    CONF_UPSTREAM_URL,
    CONF_VOLTAGE,
    DEFAULT_ASK_TIMEOUT,
    DEFAULT_ID_TAG,
    DEFAULT_MIN_CURRENT,
    DEFAULT_PHASES,
    PHASE_ROTATION_AUTO,
    PROTOCOL_AUTO,
    TAG_POLICIES,
    TAG_POLICY_AUTO,
)
from ..hub.options import LIMITS, RANGES, unknown_policy
from ..hub.runtime import get_runtime
from ..hub.site_options import SITE_RANGES
from ..model.choices import choice_key, keys
from ..model.forwarding import CommandPolicy
from ..model.phase_rotation import ROTATIONS
from ..protocol.registry import VERSIONS
from ..transport.admission import NoPasswordPolicy, UnknownPolicy
from ..transport.passwords import valid_password


def _shown(options: dict[str, Any]) -> dict[str, Any]:
    """Return stored charger options as the form shows them (a version by its key)."""
    if pinned := options.get(CONF_PROTOCOL):  # stored as "1.6" before
        options[CONF_PROTOCOL] = choice_key(pinned)
    return options


def _select(options: list[str], key: str) -> selector.SelectSelector:
    return selector.SelectSelector(
        selector.SelectSelectorConfig(options=options, translation_key=key)
    )


def _number(low: float, high: float, step: float = 1, unit: str | None = None) -> Any:
    config = selector.NumberSelectorConfig(
        min=low, max=high, step=step, mode=selector.NumberSelectorMode.BOX
    )
    if unit is not None:
        config["unit_of_measurement"] = unit
    return selector.NumberSelector(config)


def _int(low: int, high: int, unit: str | None = None) -> Any:
    return probatio.All(_number(low, high, 1, unit), probatio.Coerce(int))


def _ranged(key: str, unit: str | None = None) -> dict[Any, Any]:
    """Return the field of a whole-number option, with its default and range."""
    default, low, high = RANGES[key]
    return {probatio.Required(key, default=default): _int(low, high, unit)}


def _site_ranged(key: str, unit: str | None = None) -> dict[Any, Any]:
    """Return the field of a whole-number site option, with its default and range."""
    default, low, high = SITE_RANGES[key]
    return {probatio.Required(key, default=default): _int(low, high, unit)}


def _sensor(device_class: SensorDeviceClass) -> selector.EntitySelector:
    return selector.EntitySelector(
        selector.EntitySelectorConfig(domain="sensor", device_class=device_class)
    )


_TEXT = selector.TextSelector()
_SECONDS = "s"

SECTIONS: dict[str, dict[Any, Any]] = {
    "chargers": {
        probatio.Required(CONF_UNKNOWN_CHARGERS, default=UnknownPolicy.ASK): _select(
            list(UnknownPolicy), CONF_UNKNOWN_CHARGERS
        ),
        **_ranged(CONF_DISCOVERY_CAP),
        probatio.Required(CONF_NO_PASSWORD, default=NoPasswordPolicy.AUTO): _select(
            list(NoPasswordPolicy), CONF_NO_PASSWORD
        ),
        **_ranged(CONF_HEARTBEAT_INTERVAL, _SECONDS),
        **_ranged(CONF_MAX_CONNECTORS),
        **_ranged(CONF_CLOCK_TOLERANCE, _SECONDS),
    },
    "tags": {
        probatio.Required(CONF_TAG_POLICY, default=TAG_POLICY_AUTO): _select(
            list(TAG_POLICIES), CONF_TAG_POLICY
        ),
        probatio.Required(CONF_ASK_TIMEOUT, default=DEFAULT_ASK_TIMEOUT): probatio.All(
            _number(0.5, 30, 0.5, _SECONDS), probatio.Coerce(float)
        ),
        probatio.Required(CONF_DEFAULT_ID_TAG, default=DEFAULT_ID_TAG): probatio.All(
            _TEXT, probatio.Length(1, 20)
        ),
    },
    "charging": {
        **_ranged(CONF_VOLTAGE, "V"),
        probatio.Required(CONF_PHASES, default=DEFAULT_PHASES): probatio.All(
            _select(["1", "3"], CONF_PHASES), probatio.Coerce(int)
        ),
        probatio.Required(CONF_MIN_CURRENT, default=DEFAULT_MIN_CURRENT): probatio.All(
            _number(0, 32, 0.5, "A"), probatio.Coerce(float)
        ),
        probatio.Required(CONF_BELOW_MINIMUM, default=BELOW_MINIMUM_PAUSE): _select(
            [BELOW_MINIMUM_PAUSE, BELOW_MINIMUM_RAISE], CONF_BELOW_MINIMUM
        ),
        **_ranged(CONF_LIMIT_SPACING, _SECONDS),
        **_ranged(CONF_HISTORY_DAYS, "d"),
    },
    "limits": {
        key: value
        for name in LIMITS
        if name != CONF_DISCOVERY_CAP
        for key, value in _ranged(name).items()
    },
    "site": {
        **{
            probatio.Optional(key): _sensor(SensorDeviceClass.POWER)
            for key in (CONF_GRID_POWER, CONF_GRID_IMPORT, CONF_GRID_EXPORT)
        },
        **{
            probatio.Optional(key): _sensor(SensorDeviceClass.CURRENT) for key in CONF_GRID_CURRENTS
        },
        probatio.Optional(CONF_MAIN_FUSE): probatio.All(
            _number(6, 1000, 1, "A"), probatio.Coerce(float)
        ),
        probatio.Required(
            CONF_MAIN_FUSE_PHASES, default=SITE_RANGES[CONF_MAIN_FUSE_PHASES][0]
        ): probatio.All(_select(["1", "3"], CONF_MAIN_FUSE_PHASES), probatio.Coerce(int)),
        probatio.Optional(CONF_BATTERY_POWER): _sensor(SensorDeviceClass.POWER),
        probatio.Optional(CONF_BATTERY_SOC): _sensor(SensorDeviceClass.BATTERY),
        probatio.Optional(CONF_BATTERY_FIRST_SOC): probatio.All(
            _number(1, 100, 1, "%"), probatio.Coerce(float)
        ),
        **_site_ranged(CONF_SENSOR_TIMEOUT, _SECONDS),
        probatio.Optional(CONF_SAFE_LIMIT): probatio.All(
            _number(0, 1000, 0.5, "A"), probatio.Coerce(float)
        ),
        **_site_ranged(CONF_ENABLE_DELAY, _SECONDS),
        **_site_ranged(CONF_DISABLE_DELAY, _SECONDS),
        **_site_ranged(CONF_SOLAR_THRESHOLD, "W"),
        **_site_ranged(CONF_RESUME_HOLD, _SECONDS),
        **_site_ranged(CONF_PHASE_MARGIN, "W"),
        **_site_ranged(CONF_PHASE_INTERVAL, _SECONDS),
        probatio.Optional(CONF_FEED_IN_PRICE): selector.EntitySelector(
            selector.EntitySelectorConfig(domain=["sensor", "input_number", "number"])
        ),
    },
    "tls": {
        probatio.Optional(CONF_SSL_CERTFILE): _TEXT,
        probatio.Optional(CONF_SSL_KEYFILE): _TEXT,
        probatio.Optional(CONF_SSL_CAFILE): _TEXT,
        probatio.Required(CONF_TLS_LEGACY, default=False): selector.BooleanSelector(),
    },
}
COLLAPSED = {"charging", "limits", "site", "tls"}
# the options each section shows: one a submitted section leaves empty is removed
SECTION_KEYS = {name: {str(key) for key in fields} for name, fields in SECTIONS.items()}
OPTIONAL_SECTIONS = {"site"}  # added later: a form without it keeps what is stored


def _as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class CsmsOptionsFlow(OptionsFlow):
    """Options of the CSMS entry.

    Policies apply at once; TLS and transport limits restart the server
    (chargers reconnect).
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options in sections; save them flat."""
        if user_input is not None:
            flat: dict[str, Any] = {}
            for name in SECTIONS:
                flat.update(user_input.get(name, {}))
            for key in (CONF_SSL_CERTFILE, CONF_SSL_KEYFILE, CONF_SSL_CAFILE):
                if not (flat.get(key) or "").strip():
                    flat.pop(key, None)
            shown = {k for name in user_input for k in SECTION_KEYS.get(name, ())}
            keep = {k: v for k, v in self.config_entry.options.items() if k not in shown}
            keep.pop("auto_accept", None)  # replaced by unknown_chargers
            return self.async_create_entry(data={**keep, **flat})
        options = dict(self.config_entry.options)
        options[CONF_UNKNOWN_CHARGERS] = unknown_policy(options)
        options[CONF_PHASES] = str(options.get(CONF_PHASES, DEFAULT_PHASES))
        if CONF_MAIN_FUSE_PHASES in options:
            options[CONF_MAIN_FUSE_PHASES] = str(options[CONF_MAIN_FUSE_PHASES])
        schema = probatio.Schema(
            {
                (probatio.Optional if name in OPTIONAL_SECTIONS else probatio.Required)(
                    name
                ): section(probatio.Schema(fields), {"collapsed": name in COLLAPSED})
                for name, fields in SECTIONS.items()
            }
        )
        suggested = {
            name: {str(key): options[str(key)] for key in fields if str(key) in options}
            for name, fields in SECTIONS.items()
        }
        return self.async_show_form(
            step_id="init", data_schema=self.add_suggested_values_to_schema(schema, suggested)
        )


CONF_NEW_PASSWORD = "new_password"
CONF_REMOVE_PASSWORD = "remove_password"


class ChargerOptionsFlow(OptionsFlow):
    """A charger's options.

    Pin one OCPP version (for weak 2.x firmware), enter a password the charger
    already has, or remove its password.
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the charger's options; a password is stored as its hash."""
        errors: dict[str, str] = {}
        if user_input is not None:
            access = get_runtime(self.hass).access
            new = user_input.pop(CONF_NEW_PASSWORD, None)
            remove = user_input.pop(CONF_REMOVE_PASSWORD, False)
            url = str(user_input.get(CONF_UPSTREAM_URL) or "").strip()
            if new and not valid_password(new):
                errors[CONF_NEW_PASSWORD] = "invalid_password"
            elif url and not url.startswith(("ws://", "wss://")):
                errors[CONF_UPSTREAM_URL] = "invalid_upstream_url"
            else:
                if new:
                    await access.store(self.config_entry, new, keep_previous=False)
                elif remove:
                    access.clear(self.config_entry)
                return self.async_create_entry(data=user_input)
        schema = probatio.Schema(
            {
                probatio.Required(CONF_PROTOCOL, default=PROTOCOL_AUTO): _select(
                    keys([PROTOCOL_AUTO, *VERSIONS]), CONF_PROTOCOL
                ),
                probatio.Optional(CONF_NEW_PASSWORD): selector.TextSelector(
                    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
                ),
                probatio.Required(CONF_REMOVE_PASSWORD, default=False): selector.BooleanSelector(),
                probatio.Required(CONF_CHARGER_PROFILE, default=True): selector.BooleanSelector(),
                probatio.Required(CONF_PHASE_ROTATION, default=PHASE_ROTATION_AUTO): _select(
                    [PHASE_ROTATION_AUTO, *(r.lower() for r in ROTATIONS)], CONF_PHASE_ROTATION
                ),
                probatio.Optional(CONF_PRICE_ENTITY): selector.EntitySelector(
                    selector.EntitySelectorConfig(domain=["sensor", "input_number", "number"])
                ),
                probatio.Optional(CONF_FIXED_PRICE): probatio.All(
                    _number(-10, 100, 0.001), probatio.Coerce(float)
                ),
                probatio.Optional(CONF_UPSTREAM_URL): selector.TextSelector(
                    selector.TextSelectorConfig(type=selector.TextSelectorType.URL)
                ),
                probatio.Optional(CONF_UPSTREAM_ID): _TEXT,
                probatio.Optional(CONF_UPSTREAM_PASSWORD): selector.TextSelector(
                    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
                ),
                probatio.Required(
                    CONF_UPSTREAM_COMMANDS, default=CommandPolicy.NO_CHARGING_CONTROL.value
                ): _select([p.value for p in CommandPolicy], CONF_UPSTREAM_COMMANDS),
                probatio.Required(CONF_UPSTREAM_ANSWERS, default=False): selector.BooleanSelector(),
                probatio.Required(CONF_UPSTREAM_TIMEOUT, default=5): probatio.All(
                    _number(1, 30, 1, "s"), probatio.Coerce(float)
                ),
                probatio.Required(CONF_UPSTREAM_QUEUE, default=10_000): probatio.All(
                    _number(100, 100_000, 100), probatio.Coerce(int)
                ),
                probatio.Optional(CONF_UPSTREAM_CAFILE): _TEXT,
                probatio.Optional(CONF_UPSTREAM_CERTFILE): _TEXT,
                probatio.Optional(CONF_UPSTREAM_KEYFILE): _TEXT,
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                schema, _shown(dict(self.config_entry.options))
            ),
            errors=errors,
        )
