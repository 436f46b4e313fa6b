"""Security profile 2: the server speaks wss:// with the configured certificate."""

from __future__ import annotations

import datetime
import ssl
from pathlib import Path

import pytest
import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from homeassistant.core import HomeAssistant

from .helpers import server_port


def make_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def csms_options(tmp_path: Path) -> dict:
    cert, key = make_certificate(tmp_path)
    return {"ssl_certfile": str(cert), "ssl_keyfile": str(key), "response_timeout": 3}


async def test_wss(hass: HomeAssistant, runtime, csms_options) -> None:
    port = server_port(hass)
    client = ssl.create_default_context(cafile=csms_options["ssl_certfile"])
    async with websockets.connect(
        f"wss://127.0.0.1:{port}/ocpp/TLS1", subprotocols=["ocpp1.6"], ssl=client
    ) as ws:
        await ws.send('[2,"1","Heartbeat",{}]')
        assert '"currentTime"' in await ws.recv()
