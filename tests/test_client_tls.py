"""TLS to the platform: a certificate not in the CA bundle is refused with the typed error, and
``ca_bundle`` makes a private platform CA trusted. A small HTTPS server on 127.0.0.1 stands in
for a platform behind TLS (the reference platform itself serves plain HTTP on loopback)."""

from __future__ import annotations

import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from client import PlatformClient, TlsError, wire


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


_CA_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def _pki(tmp: Path) -> tuple[Path, Path, Path]:
    """A CA, and a server certificate for 127.0.0.1 issued by it: (ca.pem, cert.pem, key.pem)."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("平台 TLS 测试 CA"))
        .issuer_name(_name("平台 TLS 测试 CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_CA_USAGE, critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = (tmp / "ca.pem", tmp / "cert.pem", tmp / "key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


class _Time(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        now = datetime.now(UTC)
        body = json.dumps({"now": now.isoformat(), "now_ms": int(now.timestamp() * 1000)})
        data = body.encode()
        self.send_response(200 if self.path == wire.API_PREFIX + "/time" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def https(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    ca, cert, key = _pki(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Time)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}", ca
    server.shutdown()
    server.server_close()


def test_a_platform_certificate_outside_the_bundle_is_refused(
    https: tuple[str, Path], tmp_path: Path
) -> None:
    url, _ = https
    with PlatformClient(base_url=url, state_dir=tmp_path) as c:  # the system's CAs
        with pytest.raises(TlsError) as info:
            c.server_time()
    assert "TLS" in info.value.diagnostics("zh_CN") and "not trusted" in info.value.diagnostics(
        "en_US"
    )


def test_the_ca_bundle_makes_a_private_platform_ca_trusted(
    https: tuple[str, Path], tmp_path: Path
) -> None:
    url, ca = https
    with PlatformClient(base_url=url, ca_bundle=ca, state_dir=tmp_path) as c:
        assert abs(c.server_time() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_ca_bundle_that_cannot_be_read_is_a_usage_error(tmp_path: Path) -> None:
    from sealbid.errors import UsageError

    with pytest.raises(UsageError):
        PlatformClient(
            base_url="https://127.0.0.1:1", ca_bundle=tmp_path / "missing.pem", state_dir=tmp_path
        )
