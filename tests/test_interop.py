"""OpenSSL as the independent checker of the sealed-bid format (style rule 14).

Every check here runs the real ``openssl`` command line against what SealBid writes, or feeds
SealBid what OpenSSL made:

* OpenSSL verifies the bidder's detached CMS signature over the outer manifest, and refuses it
  after a one-byte change or against another CA;
* OpenSSL unwraps the file key from the recipients block (RSA-OAEP and ECDH recipients), and a
  decryptor written here from the format description alone (OpenSSL's HKDF, ``AESGCM`` used
  directly, no ``crypto.envelope`` helpers) recovers the documents;
* keys, certificates and PKCS#12 files made by OpenSSL work as SealBid identities and recipients;
* SealBid's dual-certificate PKCS#12 files (also with a Chinese password) read in OpenSSL.

    .venv/bin/pytest -q tests/test_interop.py
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

import crypto
from crypto.ca import IssuedIdentity, KeyType, Role, SandboxCA
from crypto.errors import IdentityError, WrongPasswordError
from crypto.identity import FileIdentity
from sealbid.cli import main as sealbid_main

OPENSSL = shutil.which("openssl")
pytestmark = pytest.mark.skipif(OPENSSL is None, reason="the openssl command is not installed")

CHUNK = 4096  # the smallest chunk size, so a few kilobytes of documents span several chunks
ORG_CODE = "91350100M000100Y43"
BIDDER_NAME = "合肥建工集团有限公司"
PASSWORD = "sealbid-interop-pw"
CHINESE_PASSWORD = "投标密码·二〇二四"

# From the format description (crypto/envelope.py, docs/envelope.md), written out again here so
# the decryptor below shares nothing with the implementation it checks.
MAGIC = b"\x89SBID\r\n\x1a"
PRELUDE_LEN = 8 + 1 + 1 + 8
TAG_LEN = 16
PAYLOAD_INFO = "SealBid v1 payload key"
COMMIT_INFO = "SealBid v1 key commitment"


# --- running openssl ---------------------------------------------------------------------------


def openssl(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    """Run ``openssl`` and return its result without judging it."""
    assert OPENSSL is not None
    return subprocess.run([OPENSSL, *map(str, args)], capture_output=True, check=False, timeout=60)


def openssl_ok(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    """Run ``openssl`` and fail the test, showing its stderr, unless it succeeds."""
    result = openssl(*args)
    assert result.returncode == 0, (
        f"openssl {' '.join(map(str, args))} failed:\n{result.stderr.decode(errors='replace')}"
    )
    return result


def legacy_provider_available() -> bool:
    return openssl("list", "-providers", "-provider", "legacy").returncode == 0


def hkdf_openssl(file_key: bytes, salt: bytes, info: str) -> bytes:
    out = openssl_ok(
        "kdf",
        "-keylen",
        "32",
        "-kdfopt",
        "digest:SHA256",
        "-kdfopt",
        f"hexkey:{file_key.hex()}",
        "-kdfopt",
        f"hexsalt:{salt.hex()}",
        "-kdfopt",
        f"info:{info}",
        "-binary",
        "HKDF",
    ).stdout
    assert len(out) == 32
    return out


def cms_decrypt_file_key(recipients_der: Path, key_pem: Path) -> bytes:
    """The file key as ``openssl cms -decrypt`` prints it (docs: crypto/cms.py)."""
    return openssl_ok(
        "cms", "-decrypt", "-binary", "-inform", "DER", "-in", recipients_der, "-inkey", key_pem
    ).stdout


def cms_verify(extracted: Path, ca_pem: Path) -> subprocess.CompletedProcess[bytes]:
    return openssl(
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        extracted / "outer-manifest.p7s",
        "-content",
        extracted / "outer-manifest",
        "-CAfile",
        ca_pem,
        "-out",
        os.devnull,
    )


def cms_print(der: Path) -> str:
    return openssl_ok("cms", "-cmsout", "-print", "-inform", "DER", "-in", der).stdout.decode()


# --- files -------------------------------------------------------------------------------------


def write_pem_cert(path: Path, cert: x509.Certificate) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def write_pem_key(path: Path, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def spki(holder: PrivateKeyTypes | x509.Certificate) -> bytes:
    """The SubjectPublicKeyInfo of a private key or certificate, to compare keys across tools."""
    return holder.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def pem_blocks(text: str, kind: str) -> list[bytes]:
    """Every ``-----BEGIN kind-----`` block in ``text``, as PEM bytes."""
    begin, end = f"-----BEGIN {kind}-----", f"-----END {kind}-----"
    blocks = []
    rest = text
    while begin in rest:
        start = rest.index(begin)
        stop = rest.index(end, start) + len(end)
        blocks.append(rest[start:stop].encode() + b"\n")
        rest = rest[stop:]
    return blocks


@pytest.fixture
def documents(tmp_path: Path) -> dict[str, bytes]:
    """Three documents, Chinese names, together several chunks long."""
    rng = random.Random(20240607)
    contents = {
        "商务标.pdf": rng.randbytes(3 * CHUNK + 123),
        "技术标.docx": rng.randbytes(CHUNK // 2 + 7),
        "报价说明.txt": "总价：人民币壹佰万元整\n".encode(),
    }
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    return contents


def doc_paths(tmp_path: Path, documents: dict[str, bytes]) -> list[Path]:
    return [tmp_path / "docs" / name for name in documents]


def fixed_rng(file_key: bytes, salt: bytes) -> Callable[[int], bytes]:
    """seal_at's random source: the file key first, then the salt (as crypto/envelope.py
    draws them), so the test knows the file key OpenSSL must recover."""
    draws = iter([file_key, salt])

    def rng(n: int) -> bytes:
        value = next(draws)
        assert len(value) == n
        return value

    return rng


# --- an independent reader of the v1 layout ----------------------------------------------------


@dataclass(frozen=True)
class BidParts:
    major: int
    minor: int
    header: bytes
    recipients: bytes
    payload: bytes
    manifest: bytes
    signature: bytes


def split_bid(data: bytes) -> BidParts:
    """Cut a sealed bid into its blocks, following the layout in the envelope.py docstring."""
    assert data[:8] == MAGIC
    major, minor = data[8], data[9]
    payload_length = int.from_bytes(data[10:18], "big")
    pos = PRELUDE_LEN

    def block() -> bytes:
        nonlocal pos
        n = int.from_bytes(data[pos : pos + 4], "big")
        out = data[pos + 4 : pos + 4 + n]
        assert len(out) == n
        pos += 4 + n
        return out

    header = block()
    recipients = block()
    payload = data[pos : pos + payload_length]
    assert len(payload) == payload_length
    pos += payload_length
    manifest = block()
    signature = block()
    assert pos == len(data), "bytes after the signature"
    return BidParts(major, minor, header, recipients, payload, manifest, signature)


def decrypt_payload(payload: bytes, key: bytes, chunk_size: int) -> bytes:
    """AES-256-GCM chunks of chunk_size + 16 bytes, the last shorter; nonce = 11-byte big-endian
    counter || last-chunk flag byte."""
    aead = AESGCM(key)
    full = chunk_size + TAG_LEN
    n_chunks = max(1, -(-len(payload) // full))
    plain = bytearray()
    for i in range(n_chunks):
        ct = payload[i * full : (i + 1) * full]
        nonce = i.to_bytes(11, "big") + (b"\x01" if i == n_chunks - 1 else b"\x00")
        plain += aead.decrypt(nonce, ct, None)
    return bytes(plain)


def split_plaintext(plain: bytes) -> tuple[dict[str, object], dict[str, bytes]]:
    """u32 length + inner manifest JSON, then each listed document's bytes in order."""
    n = int.from_bytes(plain[:4], "big")
    inner = json.loads(plain[4 : 4 + n].decode("utf-8"))
    pos = 4 + n
    docs: dict[str, bytes] = {}
    for entry in inner["documents"]:
        docs[entry["name"]] = plain[pos : pos + entry["size"]]
        pos += entry["size"]
    assert pos == len(plain), "plaintext longer than the inner manifest says"
    return inner, docs


def independent_open(bid: Path, extracted: Path, file_key: bytes) -> dict[str, bytes]:
    """Open a bid with the file key, header.json and the byte layout alone."""
    header = json.loads((extracted / "header.json").read_bytes())
    salt = base64.b64decode(header["salt"])
    assert len(salt) == 32
    # The key commitment the bidder signed must be what OpenSSL derives from the file key.
    commitment = hkdf_openssl(file_key, salt, COMMIT_INFO)
    assert commitment == base64.b64decode(header["key_commitment"])
    key = hkdf_openssl(file_key, salt, PAYLOAD_INFO)
    assert key != commitment
    parts = split_bid(bid.read_bytes())
    assert parts.header == (extracted / "header.json").read_bytes()
    assert parts.recipients == (extracted / "recipients.der").read_bytes()
    inner, docs = split_plaintext(decrypt_payload(parts.payload, key, header["chunk_size"]))
    assert inner["format"] == "sealbid-inner-manifest"
    # The signed manifest vouches for exactly this ciphertext.
    manifest = json.loads(parts.manifest)
    assert manifest["payload"] == {
        "length": len(parts.payload),
        "sha256": hashlib.sha256(parts.payload).hexdigest(),
    }
    return docs


def inspect_extract(bid: Path, directory: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """``sealbid inspect BID --extract DIR``, through the command-line entry point."""
    assert sealbid_main(["inspect", str(bid), "--extract", str(directory)]) == 0
    out = capsys.readouterr().out
    for name in ("recipients.der", "outer-manifest", "outer-manifest.p7s", "header.json"):
        assert (directory / name).is_file()
        assert name in out
    return directory


# --- our sandbox PKI ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SandboxPKI:
    ca: SandboxCA
    ca_pem: Path
    other_ca_pem: Path
    identities: dict[str, IssuedIdentity]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> SandboxPKI:
    d = tmp_path_factory.mktemp("sandbox")
    ca = SandboxCA.create()
    other = SandboxCA.create(name="另一个 CA / another CA")
    identities = {
        "rsa-dual": ca.issue(role=Role.BIDDER, name=BIDDER_NAME, org_code=ORG_CODE),
        "ec-dual": ca.issue(
            role=Role.BIDDER, name=BIDDER_NAME, org_code=ORG_CODE, key_type=KeyType.P256
        ),
        "rsa-single": ca.issue(role=Role.BIDDER, name="单证书投标人", dual=False),
        "host-ec": ca.issue(role=Role.HOST, name="开标主持人", key_type=KeyType.P256),
        "host-rsa": ca.issue(role=Role.HOST, name="开标主持人 RSA"),
    }
    return SandboxPKI(
        ca=ca,
        ca_pem=write_pem_cert(d / "ca.pem", ca.cert),
        other_ca_pem=write_pem_cert(d / "other-ca.pem", other.cert),
        identities=identities,
    )


# --- 1. OpenSSL verifies our signatures ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["rsa-dual", "ec-dual", "rsa-single"])
def test_openssl_verifies_outer_manifest_signature(
    kind: str,
    sandbox: SandboxPKI,
    documents: dict[str, bytes],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    issued = sandbox.identities[kind]
    bid = tmp_path / "bid.sealbid"
    crypto.seal(
        doc_paths(tmp_path, documents),
        bid,
        identity=issued.identity(),
        section="S-001",
        chunk_size=CHUNK,
    )
    parts = inspect_extract(bid, tmp_path / "parts", capsys)

    ok = cms_verify(parts, sandbox.ca_pem)
    assert ok.returncode == 0, ok.stderr.decode(errors="replace")
    assert b"Verification successful" in ok.stderr

    # OpenSSL names the signer we sealed with.
    printed = cms_print(parts / "outer-manifest.p7s")
    assert f"{issued.signing_cert.serial_number:x}".upper() in printed.upper().replace(":", "")

    manifest = (parts / "outer-manifest").read_bytes()
    tampered = bytearray(manifest)
    i = manifest.index(b'"section":"S-001"') + len('"section":"S-00')
    tampered[i] = ord("2")  # S-001 → S-002: one byte
    (parts / "outer-manifest").write_bytes(bytes(tampered))
    bad = cms_verify(parts, sandbox.ca_pem)
    assert bad.returncode != 0
    assert b"Verification failure" in bad.stderr
    assert b"content verify error" in bad.stderr  # the digest, not the chain

    (parts / "outer-manifest").write_bytes(manifest)
    untrusted = cms_verify(parts, sandbox.other_ca_pem)
    assert untrusted.returncode != 0
    assert b"Verification failure" in untrusted.stderr
    assert b"certificate verify error" in untrusted.stderr  # the chain, not the digest


# --- 2. OpenSSL recovers our file keys; an independent decryptor opens the payload ---------------


@pytest.mark.parametrize(
    ("kind", "algorithm"),
    [("rsa-dual", "rsaesOaep"), ("ec-dual", "dhSinglePass-stdDH-sha256kdf-scheme")],
)
def test_openssl_recovers_file_key_and_independent_decrypt(
    kind: str,
    algorithm: str,
    sandbox: SandboxPKI,
    documents: dict[str, bytes],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    issued = sandbox.identities[kind]
    file_key = bytes(range(1, 33))
    salt = hashlib.sha256(b"interop salt").digest()
    bid = tmp_path / "bid.sealbid"
    crypto.seal_at(
        datetime.now(UTC),
        fixed_rng(file_key, salt),
        doc_paths(tmp_path, documents),
        bid,
        identity=issued.identity(),
        section="S-001",
        chunk_size=CHUNK,
    )
    parts = inspect_extract(bid, tmp_path / "parts", capsys)
    assert base64.b64decode(json.loads((parts / "header.json").read_bytes())["salt"]) == salt

    printed = cms_print(parts / "recipients.der")
    assert algorithm in printed
    if kind == "rsa-dual":
        assert "sha256" in printed  # OAEP with SHA-256, not the SHA-1 default

    key_pem = write_pem_key(tmp_path / "enc-key.pem", issued.encryption_key)
    assert cms_decrypt_file_key(parts / "recipients.der", key_pem) == file_key
    # The signing key of a dual identity is not a recipient.
    sign_pem = write_pem_key(tmp_path / "sign-key.pem", issued.signing_key)
    wrong = openssl(
        "cms",
        "-decrypt",
        "-binary",
        "-inform",
        "DER",
        "-in",
        parts / "recipients.der",
        "-inkey",
        sign_pem,
        "-recip",
        write_pem_cert(tmp_path / "sign.pem", issued.signing_cert),
    )
    assert wrong.returncode != 0

    assert independent_open(bid, parts, file_key) == documents


def test_openssl_opens_extra_recipient_from_cli_seal(
    sandbox: SandboxPKI,
    documents: dict[str, bytes],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``sealbid seal --recipient host.pem``: an RSA bidder and an EC host in one EnvelopedData
    (KeyTrans + KeyAgree); OpenSSL unwraps the same file key with either key."""
    bidder = sandbox.identities["rsa-dual"]
    host = sandbox.identities["host-ec"]
    p12 = tmp_path / "bidder.p12"
    bidder.write_p12(p12, password=PASSWORD.encode())
    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\n")
    host_pem = write_pem_cert(tmp_path / "host.pem", host.encryption_cert)
    bid = tmp_path / "bid.sealbid"
    args = ["seal", "--identity", str(p12), "--password-file", str(pw), "--section", "S-007"]
    args += ["--recipient", str(host_pem), "-o", str(bid)]
    args += [str(p) for p in doc_paths(tmp_path, documents)]
    assert sealbid_main(args) == 0
    capsys.readouterr()
    parts = inspect_extract(bid, tmp_path / "parts", capsys)

    printed = cms_print(parts / "recipients.der")
    assert "rsaesOaep" in printed
    assert "dhSinglePass-stdDH-sha256kdf-scheme" in printed

    der = parts / "recipients.der"
    host_key = cms_decrypt_file_key(der, write_pem_key(tmp_path / "h.pem", host.encryption_key))
    own_key = cms_decrypt_file_key(der, write_pem_key(tmp_path / "b.pem", bidder.encryption_key))
    assert len(host_key) == 32
    assert host_key == own_key
    assert independent_open(bid, parts, host_key) == documents


# --- 3. keys and certificates made by OpenSSL --------------------------------------------------

OPENSSL_CNF = """\
[req]
distinguished_name = dn
prompt = no
utf8 = yes
string_mask = utf8only

[dn]

[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ee_rsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation,keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer

[ee_ec]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyAgreement
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
"""

OPENSSL_CN = {"rsa": "张三 RSA 投标", "ec": "李四 EC 投标"}
OPENSSL_SERIAL = {"rsa": 0x5EA1B1D01, "ec": 0x5EA1B1D02}


@dataclass(frozen=True)
class OpenSSLPKI:
    directory: Path
    ca_pem: Path
    password_file: Path
    chinese_password_file: Path

    def key(self, kind: str) -> Path:
        return self.directory / f"{kind}.key"

    def cert(self, kind: str) -> Path:
        return self.directory / f"{kind}.pem"

    def p12(self, kind: str, flavour: str) -> Path:
        return self.directory / f"{kind}-{flavour}.p12"

    def file_identity(self, kind: str) -> FileIdentity:
        key = serialization.load_pem_private_key(self.key(kind).read_bytes(), None)
        assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
        cert = x509.load_pem_x509_certificate(self.cert(kind).read_bytes())
        return FileIdentity(
            signing_key=key, signing_cert=cert, encryption_key=key, encryption_cert=cert
        )


@pytest.fixture(scope="module")
def openssl_pki(tmp_path_factory: pytest.TempPathFactory) -> OpenSSLPKI:
    """A CA, an RSA-3072 and an EC P-256 end-entity certificate, all made by the openssl CLI,
    with Chinese subjects, and PKCS#12 bundles of each (OpenSSL 3 defaults, and -legacy when the
    legacy provider is there)."""
    d = tmp_path_factory.mktemp("openssl-pki")
    cnf = d / "openssl.cnf"
    cnf.write_text(OPENSSL_CNF)
    pw = d / "pw"
    pw.write_text(PASSWORD + "\n")
    cpw = d / "pw-zh"
    cpw.write_text(CHINESE_PASSWORD + "\n", encoding="utf-8")
    openssl_ok(
        "req", "-x509", "-config", cnf, "-extensions", "v3_ca", "-utf8",
        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc",
        "-keyout", d / "ca.key", "-out", d / "ca.pem", "-days", "30",
        "-subj", "/C=CN/O=互操作测试/CN=OpenSSL 测试根 CA",
    )  # fmt: skip
    newkey = {"rsa": ["rsa:3072"], "ec": ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"]}
    for kind, cn in OPENSSL_CN.items():
        openssl_ok(
            "req", "-new", "-config", cnf, "-utf8", "-newkey", *newkey[kind], "-noenc",
            "-keyout", d / f"{kind}.key", "-out", d / f"{kind}.csr",
            "-subj", f"/C=CN/O={BIDDER_NAME}/CN={cn}",
        )  # fmt: skip
        openssl_ok(
            "x509", "-req", "-in", d / f"{kind}.csr", "-CA", d / "ca.pem", "-CAkey", d / "ca.key",
            "-set_serial", str(OPENSSL_SERIAL[kind]), "-days", "30", "-sha256",
            "-extfile", cnf, "-extensions", f"ee_{kind}", "-out", d / f"{kind}.pem",
        )  # fmt: skip
        export: list[str | Path] = [
            "pkcs12", "-export", "-inkey", d / f"{kind}.key", "-in", d / f"{kind}.pem",
            "-certfile", d / "ca.pem", "-name", f"{cn} 密钥",
        ]  # fmt: skip
        openssl_ok(*export, "-passout", f"file:{pw}", "-out", d / f"{kind}-default.p12")
        openssl_ok(*export, "-passout", f"file:{cpw}", "-out", d / f"{kind}-zh.p12")
        if legacy_provider_available():
            legacy = [*export, "-legacy"]
            openssl_ok(*legacy, "-passout", f"file:{pw}", "-out", d / f"{kind}-legacy.p12")
            openssl_ok(*legacy, "-passout", f"file:{cpw}", "-out", d / f"{kind}-legacy-zh.p12")
    return OpenSSLPKI(directory=d, ca_pem=d / "ca.pem", password_file=pw, chinese_password_file=cpw)


@pytest.mark.parametrize("kind", ["rsa", "ec"])
@pytest.mark.parametrize("flavour", ["default", "zh", "legacy", "legacy-zh"])
def test_openssl_made_pkcs12_is_an_identity(
    kind: str,
    flavour: str,
    openssl_pki: OpenSSLPKI,
    documents: dict[str, bytes],
    tmp_path: Path,
) -> None:
    p12 = openssl_pki.p12(kind, flavour)
    legacy = flavour.startswith("legacy")
    if legacy and not p12.exists():
        pytest.skip("this openssl build has no legacy provider (-legacy unsupported)")
    chinese = flavour.endswith("zh")
    password = CHINESE_PASSWORD if chinese else PASSWORD
    pw_file = openssl_pki.chinese_password_file if chinese else openssl_pki.password_file

    # The bundle really is what the flavour says: PBES2/AES by default, RC2 or 3DES with -legacy.
    listing = openssl_ok(
        "pkcs12", "-info", "-noout", "-in", p12, "-passin", f"file:{pw_file}",
        *(["-legacy"] if legacy else []),
    ).stderr.decode()  # fmt: skip
    if legacy:
        assert "pbeWithSHA1And" in listing
        assert "PBES2" not in listing
    else:
        assert "PBES2" in listing

    ca_cert = x509.load_pem_x509_certificate(openssl_pki.ca_pem.read_bytes())
    openssl_cert = x509.load_pem_x509_certificate(openssl_pki.cert(kind).read_bytes())
    ident = crypto.load_identity(p12, password=password.encode())
    assert ident.signing_cert == openssl_cert
    assert ident.signing_cert.serial_number == OPENSSL_SERIAL[kind]
    assert ident.encryption_cert == openssl_cert
    cn = ident.signing_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == OPENSSL_CN[kind]

    bid = tmp_path / "bid.sealbid"
    sealed = crypto.seal(
        doc_paths(tmp_path, documents), bid, identity=ident, section="S-009", chunk_size=CHUNK
    )
    assert sealed.documents == tuple(documents)
    verified = crypto.verify(bid, trust=[ca_cert])
    assert verified.trusted is True
    assert verified.signer == openssl_cert
    assert verified.info.bidder["name"] == BIDDER_NAME
    opened = crypto.open_bid(bid, ident, tmp_path / "out", trust=[ca_cert])
    assert opened.trusted is True
    for name, data in documents.items():
        assert (tmp_path / "out" / "documents" / name).read_bytes() == data

    # And OpenSSL agrees: the signature chains to the OpenSSL CA.
    parts = tmp_path / "parts"
    crypto.extract(bid, parts)
    ok = cms_verify(parts, openssl_pki.ca_pem)
    assert ok.returncode == 0, ok.stderr.decode(errors="replace")


def test_openssl_made_pkcs12_wrong_password(openssl_pki: OpenSSLPKI) -> None:
    with pytest.raises(WrongPasswordError):
        crypto.load_identity(openssl_pki.p12("rsa", "default"), password=b"not-the-password")


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_openssl_made_cert_as_extra_recipient(
    kind: str,
    sandbox: SandboxPKI,
    openssl_pki: OpenSSLPKI,
    documents: dict[str, bytes],
    tmp_path: Path,
) -> None:
    bidder = sandbox.identities["rsa-dual"]
    recipient_cert = x509.load_pem_x509_certificate(openssl_pki.cert(kind).read_bytes())
    file_key = hashlib.sha256(b"extra recipient " + kind.encode()).digest()
    bid = tmp_path / "bid.sealbid"
    crypto.seal_at(
        datetime.now(UTC),
        fixed_rng(file_key, os.urandom(32)),
        doc_paths(tmp_path, documents),
        bid,
        identity=bidder.identity(),
        section="S-010",
        recipients=[recipient_cert],
        chunk_size=CHUNK,
    )
    info = crypto.inspect(bid)
    assert [r.serial for r in info.recipients] == [
        bidder.encryption_cert.serial_number,
        recipient_cert.serial_number,
    ]

    opened = crypto.open_bid(
        bid, openssl_pki.file_identity(kind), tmp_path / "out", trust=[sandbox.ca.cert]
    )
    assert opened.trusted is True
    for name, data in documents.items():
        assert (tmp_path / "out" / "documents" / name).read_bytes() == data

    parts = tmp_path / "parts"
    crypto.extract(bid, parts)
    assert cms_decrypt_file_key(parts / "recipients.der", openssl_pki.key(kind)) == file_key
    assert independent_open(bid, parts, file_key) == documents


# --- 4 and 5. our dual-certificate PKCS#12 files in OpenSSL --------------------------------------


def openssl_pkcs12_info(p12: Path, pw_file: Path) -> subprocess.CompletedProcess[bytes]:
    return openssl("pkcs12", "-info", "-in", p12, "-passin", f"file:{pw_file}", "-nodes")


@pytest.mark.parametrize("password", [PASSWORD, CHINESE_PASSWORD], ids=["ascii", "chinese"])
def test_openssl_reads_our_dual_pkcs12(password: str, sandbox: SandboxPKI, tmp_path: Path) -> None:
    issued = sandbox.identities["rsa-dual"]
    p12 = tmp_path / "b.p12"
    issued.write_p12(p12, password=password.encode())
    pw = tmp_path / "pw"
    pw.write_text(password + "\n", encoding="utf-8")

    result = openssl_pkcs12_info(p12, pw)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    stderr = result.stderr.decode(errors="replace")
    # OpenSSL falls back to a byte-wise password conversion for files written by old, broken
    # writers and says so; ours must verify with the RFC 7292 (UTF-8 → BMPString) conversion.
    assert "broken" not in stderr.lower()
    assert "MAC: sha256" in stderr
    text = result.stdout.decode()

    keys = [serialization.load_pem_private_key(k, None) for k in pem_blocks(text, "PRIVATE KEY")]
    assert len(keys) == 2
    assert sorted(map(spki, keys)) == sorted(
        [spki(issued.signing_key), spki(issued.encryption_key)]
    )
    certs = [x509.load_pem_x509_certificate(c) for c in pem_blocks(text, "CERTIFICATE")]
    assert sorted(c.serial_number for c in certs) == sorted(
        c.serial_number for c in (issued.signing_cert, issued.encryption_cert, issued.ca_cert)
    )

    # And back: our own reader gets the same dual identity from the same bytes.
    ident = crypto.load_identity(p12, password=password.encode())
    assert ident.signing_cert == issued.signing_cert
    assert ident.encryption_cert == issued.encryption_cert


@pytest.mark.parametrize("password", [PASSWORD, CHINESE_PASSWORD], ids=["ascii", "chinese"])
def test_wrong_password_rejected_by_openssl_and_us(
    password: str, sandbox: SandboxPKI, tmp_path: Path
) -> None:
    issued = sandbox.identities["ec-dual"]
    p12 = tmp_path / "b.p12"
    issued.write_p12(p12, password=password.encode())
    wrong = tmp_path / "wrong"
    wrong.write_text(password + "x\n", encoding="utf-8")

    result = openssl_pkcs12_info(p12, wrong)
    assert result.returncode != 0
    assert b"invalid password" in result.stderr
    assert b"PRIVATE KEY" not in result.stdout
    with pytest.raises(WrongPasswordError):
        crypto.load_identity(p12, password=(password + "x").encode())


def pkcs12_bags(openssl_info_text: str) -> list[tuple[str | None, bytes]]:
    """(localKeyID or None, PEM) for every bag ``openssl pkcs12 -info -nodes`` prints."""
    bag = re.compile(
        r"Bag Attributes(.*?)(-----BEGIN (CERTIFICATE|PRIVATE KEY)-----.*?-----END \3-----)",
        re.DOTALL,
    )
    out = []
    for m in bag.finditer(openssl_info_text):
        key_id = re.search(r"localKeyID: ([0-9A-F ]+)", m.group(1))
        out.append((key_id.group(1).strip() if key_id else None, m.group(2).encode() + b"\n"))
    return out


def test_openssl_pairs_each_key_of_our_dual_pkcs12_with_its_certificate(
    sandbox: SandboxPKI, tmp_path: Path
) -> None:
    issued = sandbox.identities["rsa-dual"]
    p12 = tmp_path / "b.p12"
    issued.write_p12(p12, password=PASSWORD.encode())
    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\n")
    text = openssl_ok("pkcs12", "-info", "-in", p12, "-passin", f"file:{pw}", "-nodes")
    bags = pkcs12_bags(text.stdout.decode())
    keys = [
        (kid, serialization.load_pem_private_key(pem, None)) for kid, pem in bags if b"KEY" in pem
    ]
    certs = {kid: x509.load_pem_x509_certificate(pem) for kid, pem in bags if b"CERT" in pem}
    assert len(keys) == 2
    for key_id, key in keys:
        assert key_id is not None, "a private key bag without localKeyID"
        assert key_id in certs, "no certificate bag with the key's localKeyID"
        assert spki(certs[key_id]) == spki(key)


@pytest.mark.parametrize(
    ("algorithm", "options"),
    [
        ("RSA", ["-pkeyopt", "rsa_keygen_bits:1024"]),
        ("EC", ["-pkeyopt", "ec_paramgen_curve:P-384"]),
    ],
)
def test_keys_format_v1_does_not_take_are_refused_clearly(
    tmp_path: Path, algorithm: str, options: list[str]
) -> None:
    key = tmp_path / "key.pem"
    cert = tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", algorithm, *options, "-out", str(key)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-new",
            "-key",
            str(key),
            "-subj",
            "/CN=weak",
            "-days",
            "30",
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    p12 = tmp_path / "weak.p12"
    pw = tmp_path / "pw"
    pw.write_text("pw\n")
    subprocess.run(
        [
            "openssl",
            "pkcs12",
            "-export",
            "-inkey",
            str(key),
            "-in",
            str(cert),
            "-passout",
            f"file:{pw}",
            "-out",
            str(p12),
        ],
        check=True,
        capture_output=True,
    )
    with pytest.raises(IdentityError) as info:
        crypto.load_identity(p12, password=b"pw")
    assert "不支持的密钥类型" in info.value.diagnostics("zh_CN")
    assert "unsupported key type" in info.value.diagnostics("en_US")
