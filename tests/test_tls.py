"""Security profiles 2 and 3: wss:// with the configured certificate (TLS 1.2 at
least), client certificates against a CA file, and clear errors with a repair
issue for a certificate that is missing, unusable or expired. Every certificate
here comes from a throwaway CA made in the test."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_csms.const import CONF_KIND, DOMAIN, KIND_CSMS

from .helpers import server_port

NOW = datetime.now(UTC)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def make_ca(folder: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Test CA"))
        .issuer_name(_name("Test CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(minutes=1))
        .not_valid_after(NOW + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    path = folder / "ca.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key, path


def make_leaf(
    folder: Path,
    name: str,
    ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey, Path],
    *,
    days: float = 1,
    server: bool = True,
) -> tuple[Path, Path]:
    ca_cert, ca_key, _ = ca
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=3))
        .not_valid_after(NOW + timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    cert = builder.sign(ca_key, hashes.SHA256())
    cert_file = folder / f"{name}.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_file, _write_key(key, folder / f"{name}.key")


@pytest.fixture
def ca(tmp_path: Path):
    return make_ca(tmp_path)


@pytest.fixture
def csms_options(tmp_path: Path, ca) -> dict:
    cert, key = make_leaf(tmp_path, "server", ca)
    return {"ssl_certfile": str(cert), "ssl_keyfile": str(key), "response_timeout": 3}


def _client(ca, **kwargs) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca[2]))
    for key, value in kwargs.items():
        setattr(context, key, value)
    return context


@contextlib.contextmanager
def production_loop():
    """A failed TLS handshake reaches asyncio's exception handler only in debug mode
    (as the tests run); Home Assistant runs without it, where it is silent."""
    loop = asyncio.get_running_loop()
    debug = loop.get_debug()
    loop.set_debug(False)
    try:
        yield
    finally:
        loop.set_debug(debug)


async def _refused(port: int, context: ssl.SSLContext) -> None:
    with production_loop():
        with pytest.raises((ssl.SSLError, OSError, websockets.exceptions.InvalidMessage)):
            await _heartbeat(port, context)
        await asyncio.sleep(0.2)  # the server's side of the handshake ends too


async def _heartbeat(port: int, context: ssl.SSLContext) -> str:
    async with websockets.connect(
        f"wss://127.0.0.1:{port}/ocpp/TLS1", subprotocols=["ocpp1.6"], ssl=context
    ) as ws:
        await ws.send('[2,"1","Heartbeat",{}]')
        return await ws.recv()


async def test_wss_and_certificate_expiry_sensor(hass: HomeAssistant, runtime, ca) -> None:
    port = server_port(hass)
    assert '"currentTime"' in await _heartbeat(port, _client(ca))
    expiry = hass.states.get("sensor.ocpp_central_system_certificate_expiry")
    assert expiry is not None
    assert abs(datetime.fromisoformat(expiry.state) - (NOW + timedelta(days=1))) < timedelta(
        seconds=2
    )


async def test_tls_below_1_2_refused(hass: HomeAssistant, runtime, ca) -> None:
    port = server_port(hass)
    old = _client(ca)
    old.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    with pytest.warns(DeprecationWarning, match="TLSv1_1"):
        old.maximum_version = ssl.TLSVersion.TLSv1_1
    await _refused(port, old)
    assert runtime.tls.context.minimum_version is ssl.TLSVersion.TLSv1_2


@pytest.fixture
def profile3(tmp_path: Path, ca, csms_options) -> dict:
    return {**csms_options, "ssl_cafile": str(ca[2])}


async def test_profile_3_client_certificates(
    hass: HomeAssistant, socket_enabled, tmp_path: Path, ca, profile3
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_KIND: KIND_CSMS, "host": "127.0.0.1", "port": 0},
        options=profile3,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    port = server_port(hass)
    await _refused(port, _client(ca))  # no client certificate
    (tmp_path / "other").mkdir()
    stranger_ca = make_ca(tmp_path / "other")
    cert, key = make_leaf(tmp_path / "other", "stranger", stranger_ca, server=False)
    stranger = _client(ca)
    stranger.load_cert_chain(str(cert), str(key))
    await _refused(port, stranger)  # a certificate from another CA
    cert, key = make_leaf(tmp_path, "TLS1", ca, server=False)
    ours = _client(ca)
    ours.load_cert_chain(str(cert), str(key))
    assert '"currentTime"' in await _heartbeat(port, ours)


@pytest.mark.parametrize(
    ("problem", "issue"),
    [
        ("missing", "certificate_missing"),
        ("expired", "certificate_expired"),
        ("mismatched", "certificate_invalid"),
        ("not_pem", "certificate_invalid"),
    ],
)
async def test_unusable_certificate_is_an_error_with_a_repair(
    hass: HomeAssistant, socket_enabled, tmp_path: Path, ca, problem: str, issue: str
) -> None:
    cert, key = make_leaf(tmp_path, "server", ca, days=-1 if problem == "expired" else 1)
    if problem == "missing":
        cert = tmp_path / "nowhere.pem"
    elif problem == "mismatched":
        _, key = make_leaf(tmp_path, "other", ca)
    elif problem == "not_pem":
        cert.write_text("not a certificate")
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_KIND: KIND_CSMS, "host": "127.0.0.1", "port": 0},
        options={"ssl_certfile": str(cert), "ssl_keyfile": str(key)},
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR  # not retried for ever
    found = ir.async_get(hass).async_get_issue(DOMAIN, "certificate")
    assert found is not None
    assert found.translation_key == issue
    assert found.translation_placeholders["path"] == str(cert)


def test_tls_setup_words_each_file_problem(tmp_path: Path, ca) -> None:
    """Each way a certificate file can be wrong gets its own problem, with its
    path; the legacy option lowers the minimum TLS version."""
    from custom_components.ocpp_csms.hub.connection_options import CertificateProblem
    from custom_components.ocpp_csms.hub.connection_options import tls_setup as setup
    from custom_components.ocpp_csms.hub.options import CsmsOptions

    def tls_setup(options: dict[str, Any]) -> Any:
        return setup(CsmsOptions.parse(options).server)

    cert, key = make_leaf(tmp_path, "server", ca)
    legacy = tls_setup({"ssl_certfile": str(cert), "ssl_keyfile": str(key), "tls_legacy": True})
    assert legacy is not None
    assert legacy.context.minimum_version is ssl.TLSVersion.MINIMUM_SUPPORTED

    def problem(options: dict[str, str]) -> str:
        with pytest.raises(CertificateProblem) as err:
            tls_setup(options)
        return err.value.key

    assert problem({"ssl_certfile": str(tmp_path)}) == "certificate_unreadable"  # a folder
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("no certificate here")
    assert problem({"ssl_certfile": str(not_pem)}) == "certificate_invalid"
    assert (
        problem({"ssl_certfile": str(cert), "ssl_keyfile": str(tmp_path / "gone.key")})
        == "certificate_missing"
    )
    assert (
        problem({"ssl_certfile": str(cert), "ssl_keyfile": str(key), "ssl_cafile": str(not_pem)})
        == "certificate_invalid"
    )
