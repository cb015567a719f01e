"""The sandbox certificate authority, for demos and tests only (clearly labelled SANDBOX).

    ca = SandboxCA.init(Path("ca"))                 # writes ca/ca.pem and ca/ca-key.pem
    issued = ca.issue(role=Role.BIDDER, name="合肥建工集团有限公司", org_code="91340100...")
    issued.write_p12(Path("bidder.p12"), password=b"...")

Bidders get dual certificates (a signing pair and an encryption pair) by default, as Chinese
CAs issue them; the subject carries the unified social credit code as organizationIdentifier
(OID 2.5.4.97). Other roles get one certificate for both uses unless asked otherwise.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from sealbid.errors import UsageError
from sealbid.uscc import validate as validate_uscc

from . import _pkcs12
from ._files import atomic_write
from .errors import IdentityError
from .identity import FileIdentity

__all__ = ["CA_CERT_NAME", "IssuedIdentity", "KeyType", "Role", "SandboxCA", "generate_key"]

CA_CERT_NAME = "ca.pem"
CA_KEY_NAME = "ca-key.pem"
SANDBOX_LABEL = "SealBid 沙箱测试 CA (SANDBOX, NOT FOR REAL BIDS)"

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


class Role(enum.StrEnum):
    BIDDER = "bidder"
    HOST = "host"
    RECORDER = "recorder"
    SUPERVISOR = "supervisor"
    PLATFORM = "platform"


class KeyType(enum.StrEnum):
    RSA2048 = "rsa2048"
    RSA3072 = "rsa3072"
    RSA4096 = "rsa4096"
    P256 = "p256"


class Usage(enum.Enum):
    SIGN = "sign"
    ENCRYPT = "encrypt"
    BOTH = "both"


def generate_key(key_type: KeyType) -> _pkcs12.PrivateKey:
    if key_type is KeyType.P256:
        return ec.generate_private_key(ec.SECP256R1())
    bits = {KeyType.RSA2048: 2048, KeyType.RSA3072: 3072, KeyType.RSA4096: 4096}[key_type]
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _key_usage(usage: Usage, public_key: PublicKey) -> x509.KeyUsage:
    sign = usage in (Usage.SIGN, Usage.BOTH)
    enc = usage in (Usage.ENCRYPT, Usage.BOTH)
    is_ec = isinstance(public_key, ec.EllipticCurvePublicKey)
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=enc and not is_ec,
        data_encipherment=False,
        key_agreement=enc and is_ec,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def subject_name(*, role: Role, name: str, org_code: str | None, usage: Usage) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]
    if org_code is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, name))
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_code))
    attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, role.value))
    suffix = {Usage.SIGN: " (签名 sign)", Usage.ENCRYPT: " (加密 encrypt)", Usage.BOTH: ""}[usage]
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, name + suffix))
    return x509.Name(attrs)


@dataclass(frozen=True)
class IssuedIdentity:
    """Keys and certificates just issued by the sandbox CA."""

    signing_key: _pkcs12.PrivateKey
    signing_cert: x509.Certificate
    encryption_key: _pkcs12.PrivateKey
    encryption_cert: x509.Certificate
    ca_cert: x509.Certificate

    def identity(self) -> FileIdentity:
        return FileIdentity(
            signing_key=self.signing_key,
            signing_cert=self.signing_cert,
            encryption_key=self.encryption_key,
            encryption_cert=self.encryption_cert,
            chain=(self.ca_cert,),
        )

    def p12_bytes(self, password: bytes, name: str = "sealbid") -> bytes:
        return _pkcs12.write(
            name=name,
            signing_key=self.signing_key,
            signing_cert=self.signing_cert,
            encryption_key=self.encryption_key,
            encryption_cert=self.encryption_cert,
            ca_certs=[self.ca_cert],
            password=password,
        )

    def write_p12(self, path: Path, *, password: bytes) -> None:
        atomic_write(path, self.p12_bytes(password), private=True)


class SandboxCA:
    """A CA whose key sits in a folder: for the sandbox platform, demos and tests."""

    def __init__(self, cert: x509.Certificate, key: _pkcs12.PrivateKey) -> None:
        self.cert = cert
        self._key = key

    @classmethod
    def create(
        cls,
        *,
        now: datetime | None = None,
        key_type: KeyType = KeyType.P256,
        name: str = SANDBOX_LABEL,
        days: int = 3650,
    ) -> SandboxCA:
        now = now or datetime.now(UTC)
        key = generate_key(key_type)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SealBid Sandbox"),
                x509.NameAttribute(NameOID.COMMON_NAME, name),
            ]
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
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
        return cls(cert, key)

    @classmethod
    def init(cls, directory: Path, *, now: datetime | None = None) -> SandboxCA:
        """Create a CA in ``directory`` (ca.pem, ca-key.pem); refuse to overwrite one."""
        directory.mkdir(parents=True, exist_ok=True)
        if (directory / CA_KEY_NAME).exists() or (directory / CA_CERT_NAME).exists():
            raise UsageError(what=f"{directory}: 已有 CA / a CA already exists there")
        ca = cls.create(now=now)
        atomic_write(
            directory / CA_KEY_NAME,
            ca._key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            private=True,
        )
        atomic_write(directory / CA_CERT_NAME, ca.cert.public_bytes(serialization.Encoding.PEM))
        return ca

    @classmethod
    def load(cls, directory: Path) -> SandboxCA:
        try:
            cert = x509.load_pem_x509_certificate((directory / CA_CERT_NAME).read_bytes())
            key = serialization.load_pem_private_key((directory / CA_KEY_NAME).read_bytes(), None)
        except (OSError, ValueError) as exc:
            raise IdentityError(
                what=f"{directory}: 不是沙箱 CA 目录 / not a sandbox CA folder"
            ) from exc
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise IdentityError(what="unsupported CA key type")
        return cls(cert, key)

    def issue_certificate(
        self,
        public_key: PublicKey,
        *,
        role: Role,
        name: str,
        org_code: str | None,
        usage: Usage,
        not_before: datetime,
        not_after: datetime,
    ) -> x509.Certificate:
        """A certificate for a key held elsewhere (a token key, an OpenSSL key)."""
        return (
            x509.CertificateBuilder()
            .subject_name(subject_name(role=role, name=name, org_code=org_code, usage=usage))
            .issuer_name(self.cert.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(usage, public_key), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), False
            )
            .sign(self._key, hashes.SHA256())
        )

    def issue(
        self,
        *,
        role: Role,
        name: str,
        org_code: str | None = None,
        key_type: KeyType = KeyType.RSA2048,
        dual: bool | None = None,
        now: datetime | None = None,
        days: int = 730,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
    ) -> IssuedIdentity:
        """Keys and certificates for one party. ``dual`` defaults to True for bidders."""
        if not name.strip():
            raise UsageError(what="名称不能为空 / the name must not be empty")
        if org_code is not None:
            org_code = validate_uscc(org_code)
        now = now or datetime.now(UTC)
        start = not_before or now - timedelta(minutes=5)
        end = not_after or now + timedelta(days=days)
        dual = role is Role.BIDDER if dual is None else dual
        sign_key = generate_key(key_type)

        def cert_for(key: _pkcs12.PrivateKey, usage: Usage) -> x509.Certificate:
            return self.issue_certificate(
                key.public_key(),
                role=role,
                name=name,
                org_code=org_code,
                usage=usage,
                not_before=start,
                not_after=end,
            )

        if not dual:
            cert = cert_for(sign_key, Usage.BOTH)
            return IssuedIdentity(sign_key, cert, sign_key, cert, self.cert)
        enc_key = generate_key(key_type)
        sign_cert = cert_for(sign_key, Usage.SIGN)
        enc_cert = cert_for(enc_key, Usage.ENCRYPT)
        return IssuedIdentity(sign_key, sign_cert, enc_key, enc_cert, self.cert)
