"""The CSMS options that govern connections.

Access policies, the limits on what one peer may cost, and TLS (security
profiles 2 and 3). Each default is far above what a real charger needs.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..const import (
    CONF_AUTO_ACCEPT,
    CONF_CONNECTIONS_PER_ADDRESS,
    CONF_CONNECTIONS_TOTAL,
    CONF_DISCOVERY_CAP,
    CONF_HANDSHAKE_TIMEOUT,
    CONF_MAX_FRAME_KIB,
    CONF_MAX_UPLOAD_MIB,
    CONF_MESSAGE_BURST,
    CONF_MESSAGES_PER_MINUTE,
    CONF_NO_PASSWORD,
    CONF_PING_INTERVAL,
    CONF_PING_TIMEOUT,
    CONF_RESPONSE_TIMEOUT,
    CONF_SSL_CAFILE,
    CONF_SSL_CERTFILE,
    CONF_SSL_KEYFILE,
    CONF_TLS_LEGACY,
    CONF_UNKNOWN_CHARGERS,
    DEFAULT_RESPONSE_TIMEOUT,
)
from ..transport.admission import NoPasswordPolicy, UnknownPolicy
from ..transport.connections import ConnectionManager
from .access import DEFAULT_DISCOVERY_CAP, ChargerAccess

# option: (default, smallest, largest)
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
SERVER_OPTIONS = (
    CONF_SSL_CERTFILE,
    CONF_SSL_KEYFILE,
    CONF_SSL_CAFILE,
    CONF_TLS_LEGACY,
    CONF_MAX_FRAME_KIB,
    CONF_HANDSHAKE_TIMEOUT,
    CONF_PING_INTERVAL,
    CONF_PING_TIMEOUT,
)  # these take a restart of the server (a reload of the CSMS entry)


def limit(options: dict[str, Any], key: str) -> int:
    """Return a limit option, clamped to its range (its default if unreadable)."""
    default, low, high = LIMITS[key]
    try:
        return min(high, max(low, int(options.get(key, default))))
    except TypeError, ValueError:
        return default


def unknown_policy(options: dict[str, Any]) -> UnknownPolicy:
    """Return the unknown-charger policy (the old auto-accept switch counts)."""
    if (value := options.get(CONF_UNKNOWN_CHARGERS)) in set(UnknownPolicy):
        return UnknownPolicy(value)
    return UnknownPolicy.ACCEPT if options.get(CONF_AUTO_ACCEPT) else UnknownPolicy.ASK


def apply(options: dict[str, Any], connections: ConnectionManager, access: ChargerAccess) -> None:
    """Apply the access and limit options to the connections."""
    settings = connections.settings
    settings.response_timeout = float(limit(options, CONF_RESPONSE_TIMEOUT))
    settings.messages_per_minute = float(limit(options, CONF_MESSAGES_PER_MINUTE))
    settings.message_burst = limit(options, CONF_MESSAGE_BURST)
    limits = connections.limits
    limits.max_frame_bytes = limit(options, CONF_MAX_FRAME_KIB) * 1024
    limits.connections_per_address = limit(options, CONF_CONNECTIONS_PER_ADDRESS)
    limits.connections_total = limit(options, CONF_CONNECTIONS_TOTAL)
    limits.handshake_timeout_s = float(limit(options, CONF_HANDSHAKE_TIMEOUT))
    ping = limit(options, CONF_PING_INTERVAL)
    limits.ping_interval_s = float(ping) if ping else None
    limits.ping_timeout_s = float(limit(options, CONF_PING_TIMEOUT)) if ping else None
    no_password = options.get(CONF_NO_PASSWORD, NoPasswordPolicy.AUTO)
    connections.admission.no_password = (
        NoPasswordPolicy(no_password)
        if no_password in set(NoPasswordPolicy)
        else NoPasswordPolicy.AUTO
    )
    access.unknown_policy = unknown_policy(options)
    access.discovery_cap = limit(options, CONF_DISCOVERY_CAP)


class CertificateProblem(Exception):
    """The certificate, key or CA file cannot be used; ``key`` names the reason."""

    def __init__(self, key: str, path: str, detail: str) -> None:
        """Say which file, and what is wrong with it."""
        super().__init__(f"{key}: {path}: {detail}")
        self.key, self.path, self.detail = key, path, detail


@dataclass(slots=True, frozen=True)
class TlsSetup:
    """The server's TLS context, the certificate's expiry, and whether profile 3."""

    context: ssl.SSLContext
    expires: datetime | None
    client_certificates: bool  # security profile 3


def tls_setup(options: dict[str, Any]) -> TlsSetup | None:
    """Return the server's TLS setup, or None for plain ws://. Runs in the executor.

    Raises CertificateProblem.
    """
    certfile = options.get(CONF_SSL_CERTFILE)
    if not certfile:
        return None
    keyfile = options.get(CONF_SSL_KEYFILE) or None
    cafile = options.get(CONF_SSL_CAFILE) or None
    expires = _expiry(certfile)
    if expires is not None and expires <= datetime.now(UTC):
        raise CertificateProblem("certificate_expired", certfile, expires.isoformat())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if options.get(CONF_TLS_LEGACY):
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    else:
        context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(certfile, keyfile)
    except FileNotFoundError as err:
        raise CertificateProblem("certificate_missing", err.filename or certfile, "") from err
    except PermissionError as err:
        raise CertificateProblem("certificate_unreadable", err.filename or certfile, "") from err
    except ssl.SSLError as err:
        raise CertificateProblem("certificate_invalid", certfile, str(err.reason)) from err
    if cafile:
        try:
            context.load_verify_locations(cafile)
        except (OSError, ssl.SSLError) as err:
            raise CertificateProblem("certificate_invalid", cafile, str(err)) from err
        context.verify_mode = ssl.CERT_REQUIRED
    return TlsSetup(context, expires, bool(cafile))


def _expiry(certfile: str) -> datetime | None:
    """Return the first certificate's notAfter; None if it cannot be read as PEM."""
    from cryptography import x509

    try:
        with open(certfile, "rb") as file:
            data = file.read()
    except FileNotFoundError as err:
        raise CertificateProblem("certificate_missing", certfile, "") from err
    except OSError as err:
        raise CertificateProblem("certificate_unreadable", certfile, str(err)) from err
    try:
        return x509.load_pem_x509_certificate(data).not_valid_after_utc
    except ValueError:
        return None
