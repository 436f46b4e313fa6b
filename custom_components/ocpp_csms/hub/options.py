"""The central system's options, typed and read once.

The CSMS entry stores its options flat (as the options flow saves them). Each
time they change, :meth:`CsmsOptions.parse` reads them into one frozen value;
the runtime, the connections, the tag policy and the flows use that value and
never the stored dict. Every default and every range is here, once: an option
missing, unreadable or out of range falls back to its default or is clamped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from ..const import (
    AUTH_ALLOW_LIST,
    BELOW_MINIMUM_PAUSE,
    CONF_ASK_TIMEOUT,
    CONF_AUTH_MODE,
    CONF_AUTO_ACCEPT,
    CONF_BELOW_MINIMUM,
    CONF_CLOCK_TOLERANCE,
    CONF_CONNECTIONS_PER_ADDRESS,
    CONF_CONNECTIONS_TOTAL,
    CONF_DEFAULT_ID_TAG,
    CONF_DISCOVERY_CAP,
    CONF_HANDSHAKE_TIMEOUT,
    CONF_HEARTBEAT_INTERVAL,
    CONF_HISTORY_DAYS,
    CONF_LIMIT_SPACING,
    CONF_MAX_CONNECTORS,
    CONF_MAX_FRAME_KIB,
    CONF_MAX_UPLOAD_MIB,
    CONF_MESSAGE_BURST,
    CONF_MESSAGES_PER_MINUTE,
    CONF_MIN_CURRENT,
    CONF_NO_PASSWORD,
    CONF_PHASES,
    CONF_PING_INTERVAL,
    CONF_PING_TIMEOUT,
    CONF_RESPONSE_TIMEOUT,
    CONF_SSL_CAFILE,
    CONF_SSL_CERTFILE,
    CONF_SSL_KEYFILE,
    CONF_TAG_POLICY,
    CONF_TLS_LEGACY,
    CONF_UNKNOWN_CHARGERS,
    CONF_VOLTAGE,
    DEFAULT_ASK_TIMEOUT,
    DEFAULT_CLOCK_TOLERANCE,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_HISTORY_DAYS,
    DEFAULT_ID_TAG,
    DEFAULT_LIMIT_SPACING,
    DEFAULT_MAX_CONNECTORS,
    DEFAULT_MIN_CURRENT,
    DEFAULT_PHASES,
    DEFAULT_RESPONSE_TIMEOUT,
    DEFAULT_VOLTAGE,
)
from ..model.authorization import TagPolicy
from ..transport.admission import NoPasswordPolicy, UnknownPolicy
from .site_options import SiteOptions

DEFAULT_DISCOVERY_CAP = 20  # unknown chargers listed for adoption at once

# option: (default, smallest, largest) of the limits on what one peer may cost
LIMITS: dict[str, tuple[int, int, int]] = {
    CONF_MAX_FRAME_KIB: (1024, 16, 16384),
    CONF_MESSAGES_PER_MINUTE: (6000, 10, 60000),
    CONF_MESSAGE_BURST: (3000, 10, 10000),
    CONF_CONNECTIONS_PER_ADDRESS: (250, 1, 10000),
    CONF_CONNECTIONS_TOTAL: (2000, 1, 20000),
    CONF_HANDSHAKE_TIMEOUT: (10, 1, 120),
    CONF_RESPONSE_TIMEOUT: (DEFAULT_RESPONSE_TIMEOUT, 1, 300),
    CONF_PING_INTERVAL: (60, 0, 3600),  # 0: no pings
    CONF_PING_TIMEOUT: (30, 1, 600),
    CONF_DISCOVERY_CAP: (DEFAULT_DISCOVERY_CAP, 0, 1000),
    CONF_MAX_UPLOAD_MIB: (50, 1, 4096),
}
# every whole-number option: the limits above, and those of the other sections
RANGES: dict[str, tuple[int, int, int]] = {
    **LIMITS,
    CONF_HEARTBEAT_INTERVAL: (DEFAULT_HEARTBEAT_INTERVAL, 10, 86400),
    CONF_MAX_CONNECTORS: (DEFAULT_MAX_CONNECTORS, 1, 1000),
    CONF_CLOCK_TOLERANCE: (DEFAULT_CLOCK_TOLERANCE, 0, 7 * 86400),
    CONF_VOLTAGE: (DEFAULT_VOLTAGE, 100, 480),
    CONF_PHASES: (DEFAULT_PHASES, 1, 3),
    CONF_LIMIT_SPACING: (DEFAULT_LIMIT_SPACING, 0, 3600),
    CONF_HISTORY_DAYS: (DEFAULT_HISTORY_DAYS, 1, 36500),
}


def limit(options: Mapping[str, Any], key: str) -> int:
    """Return a whole-number option, clamped to its range (its default if unreadable)."""
    default, low, high = RANGES[key]
    try:
        return min(high, max(low, int(options.get(key, default))))
    except TypeError, ValueError:
        return default


def _number(options: Mapping[str, Any], key: str, default: float) -> float:
    try:
        return float(options.get(key, default))
    except TypeError, ValueError:
        return default


def unknown_policy(options: Mapping[str, Any]) -> UnknownPolicy:
    """Return the unknown-charger policy (the old auto-accept switch counts)."""
    if (value := options.get(CONF_UNKNOWN_CHARGERS)) in set(UnknownPolicy):
        return UnknownPolicy(value)
    return UnknownPolicy.ACCEPT if options.get(CONF_AUTO_ACCEPT) else UnknownPolicy.ASK


def tag_policy(options: Mapping[str, Any]) -> TagPolicy:
    """Return the tag policy (the allow-list mode of earlier versions counts)."""
    if (value := options.get(CONF_TAG_POLICY)) in set(TagPolicy):
        return TagPolicy(value)
    legacy = options.get(CONF_AUTH_MODE) == AUTH_ALLOW_LIST
    return TagPolicy.KNOWN if legacy else TagPolicy.AUTO


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """What takes a restart of the server (a reload of the CSMS entry) to change."""

    certfile: str | None = None
    keyfile: str | None = None
    cafile: str | None = None  # security profile 3: client certificates
    tls_legacy: bool = False  # allow TLS 1.0 and 1.1
    max_frame_bytes: int = LIMITS[CONF_MAX_FRAME_KIB][0] * 1024
    handshake_timeout_s: float = LIMITS[CONF_HANDSHAKE_TIMEOUT][0]
    ping_interval_s: float | None = LIMITS[CONF_PING_INTERVAL][0]  # None: no pings
    ping_timeout_s: float | None = LIMITS[CONF_PING_TIMEOUT][0]


@dataclass(frozen=True, slots=True)
class CsmsOptions:
    """Every option of the central system, with its default."""

    server: ServerOptions = ServerOptions()
    # access
    unknown_chargers: UnknownPolicy = UnknownPolicy.ASK
    no_password: NoPasswordPolicy = NoPasswordPolicy.AUTO
    discovery_cap: int = DEFAULT_DISCOVERY_CAP
    tag_policy: TagPolicy = TagPolicy.AUTO
    ask_timeout_s: float = DEFAULT_ASK_TIMEOUT
    default_id_tag: str = DEFAULT_ID_TAG
    # what one peer may cost
    response_timeout_s: float = DEFAULT_RESPONSE_TIMEOUT
    messages_per_minute: float = LIMITS[CONF_MESSAGES_PER_MINUTE][0]
    message_burst: int = LIMITS[CONF_MESSAGE_BURST][0]
    connections_per_address: int = LIMITS[CONF_CONNECTIONS_PER_ADDRESS][0]
    connections_total: int = LIMITS[CONF_CONNECTIONS_TOTAL][0]
    max_upload_bytes: int = LIMITS[CONF_MAX_UPLOAD_MIB][0] * 1024 * 1024
    # chargers
    heartbeat_interval_s: int = DEFAULT_HEARTBEAT_INTERVAL
    max_connectors: int = DEFAULT_MAX_CONNECTORS
    clock_tolerance_s: float = DEFAULT_CLOCK_TOLERANCE
    # limits
    voltage: float = DEFAULT_VOLTAGE
    phases: int = DEFAULT_PHASES
    minimum_amps: float = DEFAULT_MIN_CURRENT
    below_minimum_pauses: bool = True
    limit_spacing_s: float = DEFAULT_LIMIT_SPACING
    # sessions
    history_days: int = DEFAULT_HISTORY_DAYS
    # the house's connection: load management and solar
    site: SiteOptions = field(default_factory=SiteOptions)

    @classmethod
    def parse(cls, options: Mapping[str, Any]) -> CsmsOptions:
        """Read the stored options; what is missing or unreadable takes its default."""
        ping = limit(options, CONF_PING_INTERVAL)
        no_password = options.get(CONF_NO_PASSWORD)
        return cls(
            server=ServerOptions(
                certfile=options.get(CONF_SSL_CERTFILE) or None,
                keyfile=options.get(CONF_SSL_KEYFILE) or None,
                cafile=options.get(CONF_SSL_CAFILE) or None,
                tls_legacy=bool(options.get(CONF_TLS_LEGACY)),
                max_frame_bytes=limit(options, CONF_MAX_FRAME_KIB) * 1024,
                handshake_timeout_s=float(limit(options, CONF_HANDSHAKE_TIMEOUT)),
                ping_interval_s=float(ping) if ping else None,
                ping_timeout_s=float(limit(options, CONF_PING_TIMEOUT)) if ping else None,
            ),
            unknown_chargers=unknown_policy(options),
            no_password=(
                NoPasswordPolicy(no_password)
                if no_password in set(NoPasswordPolicy)
                else NoPasswordPolicy.AUTO
            ),
            discovery_cap=limit(options, CONF_DISCOVERY_CAP),
            tag_policy=tag_policy(options),
            ask_timeout_s=_number(options, CONF_ASK_TIMEOUT, DEFAULT_ASK_TIMEOUT),
            default_id_tag=str(options.get(CONF_DEFAULT_ID_TAG) or DEFAULT_ID_TAG),
            response_timeout_s=float(limit(options, CONF_RESPONSE_TIMEOUT)),
            messages_per_minute=float(limit(options, CONF_MESSAGES_PER_MINUTE)),
            message_burst=limit(options, CONF_MESSAGE_BURST),
            connections_per_address=limit(options, CONF_CONNECTIONS_PER_ADDRESS),
            connections_total=limit(options, CONF_CONNECTIONS_TOTAL),
            max_upload_bytes=limit(options, CONF_MAX_UPLOAD_MIB) * 1024 * 1024,
            heartbeat_interval_s=limit(options, CONF_HEARTBEAT_INTERVAL),
            max_connectors=limit(options, CONF_MAX_CONNECTORS),
            clock_tolerance_s=float(limit(options, CONF_CLOCK_TOLERANCE)),
            voltage=float(limit(options, CONF_VOLTAGE)),
            phases=limit(options, CONF_PHASES),
            minimum_amps=_number(options, CONF_MIN_CURRENT, DEFAULT_MIN_CURRENT),
            below_minimum_pauses=options.get(CONF_BELOW_MINIMUM, BELOW_MINIMUM_PAUSE)
            == BELOW_MINIMUM_PAUSE,
            limit_spacing_s=float(limit(options, CONF_LIMIT_SPACING)),
            history_days=limit(options, CONF_HISTORY_DAYS),
            site=SiteOptions.parse(options),
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the options as diagnostics show them (paths, never secrets)."""
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        for part in ("server", "site"):
            value = getattr(self, part)
            shown[part] = {f.name: getattr(value, f.name) for f in fields(value)}
        return shown
