"""The CSMS options that govern connections.

Access policies, the limits on what one peer may cost, and TLS (security
profiles 2 and 3). Each default is far above what a real charger needs.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import UTC, datetime

from ..transport.connections import ConnectionManager
from .access import ChargerAccess
from .options import CsmsOptions, ServerOptions


def apply(options: CsmsOptions, connections: ConnectionManager, access: ChargerAccess) -> None:
    """Apply the access and limit options to the connections."""
    settings = connections.settings
    settings.response_timeout = options.response_timeout_s
    settings.messages_per_minute = options.messages_per_minute
    settings.message_burst = options.message_burst
    limits = connections.limits
    server = options.server
    limits.max_frame_bytes = server.max_frame_bytes
    limits.connections_per_address = options.connections_per_address
    limits.connections_total = options.connections_total
    limits.handshake_timeout_s = server.handshake_timeout_s
    limits.ping_interval_s = server.ping_interval_s
    limits.ping_timeout_s = server.ping_timeout_s
    connections.admission.no_password = options.no_password
    access.unknown_policy = options.unknown_chargers
    access.discovery_cap = options.discovery_cap


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


def tls_setup(options: ServerOptions) -> TlsSetup | None:
    """Return the server's TLS setup, or None for plain ws://. Runs in the executor.

    Raises CertificateProblem.
    """
    certfile, keyfile, cafile = options.certfile, options.keyfile, options.cafile
    if not certfile:
        return None
    expires = _expiry(certfile)
    if expires is not None and expires <= datetime.now(UTC):
        raise CertificateProblem("certificate_expired", certfile, expires.isoformat())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if options.tls_legacy:
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
