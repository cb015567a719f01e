"""Certificate login (challenge-response) and bearer tokens.

    challenge = issue_challenge(db, config)                 # wire.Challenge, nonce stored
    session = login(db, config, trust, request)             # wire.Session, or an ApiError
    principal = authenticate(db, config, "Bearer …")        # who is calling, or an ApiError

The nonce (32 random bytes) is single use and expires after two minutes: it is burnt in its own
committed transaction *before* the signature is looked at, so a failed attempt cannot be
replayed either. The signature covers ``wire.login_message`` with the platform's own id, so a
signature made for another platform does not verify here. Tokens are 256 random bits; only
their SHA-256 is stored, so a copy of the database does not let anyone log in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from sqlalchemy import select, update

from client import wire
from crypto import cms
from crypto.errors import (
    CertificateExpiredError,
    CertificateNotYetValidError,
    CertificateUntrustedError,
    CertificateUsageError,
    SignatureError,
)

from . import db
from .config import Config
from .errors import (
    AccountUnknown,
    AuthCertificate,
    AuthRequired,
    NonceExpired,
    NonceInvalid,
    SignatureInvalid,
    SignedTimeInvalid,
    TokenExpired,
    TokenInvalid,
    WrongPlatform,
    plain_messages,
)
from .receipts import append_audit, iso_seconds

__all__ = [
    "Principal",
    "account_key",
    "authenticate",
    "cert_sha256",
    "issue_challenge",
    "login",
    "org_code_of",
]


@dataclass(frozen=True)
class Principal:
    """The caller of a request, as its bearer token says."""

    account_id: str
    role: wire.Role
    name: str
    org_code: str | None
    cert_sha256: str

    @property
    def actor(self) -> str:
        """How the audit log names the caller."""
        return f"{self.role}:{self.org_code or self.name}"

    def holds(self, cert: x509.Certificate) -> bool:
        """Whether ``cert`` is this caller's: a bidder's by its organisation code (a renewed
        certificate is still the company's), anyone else's by the certificate logged in with."""
        if self.org_code is not None:
            return org_code_of(cert) == self.org_code
        return cert_sha256(cert) == self.cert_sha256


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cert_sha256(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def org_code_of(cert: x509.Certificate) -> str | None:
    attrs = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)
    return str(attrs[0].value) if attrs else None


def account_key(cert: x509.Certificate) -> list[tuple[str, str]]:
    """The account keys a certificate may match, most specific first: its subject DN (a
    person's account), then its organisation identifier (a bidder company's account)."""
    keys = [("dn", cert.subject.rfc4514_string())]
    org = org_code_of(cert)
    if org:
        keys.append(("org", org))
    return keys


def issue_challenge(database: db.Database, config: Config) -> wire.Challenge:
    now = config.now()
    nonce = secrets.token_bytes(32)
    expires = now + config.challenge_ttl
    with database.write() as conn:
        # Expired challenges are dead weight; drop them as new ones come.
        conn.execute(db.challenges.delete().where(db.challenges.c.expires_at < now))
        conn.execute(
            db.challenges.insert().values(
                nonce_sha256=_sha256_hex(nonce), issued_at=now, expires_at=expires, used=False
            )
        )
    return wire.Challenge(
        nonce=base64.b64encode(nonce).decode("ascii"),
        platform_id=config.platform_id,
        issued_at=now,
        expires_at=expires,
    )


def _burn_nonce(database: db.Database, nonce_b64: str, now: datetime) -> None:
    try:
        nonce = base64.b64decode(nonce_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NonceInvalid("nonce is not base64") from exc
    key = _sha256_hex(nonce)
    with database.write() as conn:
        row = conn.execute(
            select(db.challenges).where(db.challenges.c.nonce_sha256 == key).with_for_update()
        ).first()
        if row is None or row.used:
            raise NonceInvalid("unknown or used nonce")
        burnt = conn.execute(
            update(db.challenges)
            .where(db.challenges.c.nonce_sha256 == key, db.challenges.c.used.is_(False))
            .values(used=True)
        ).rowcount
        if burnt != 1:
            raise NonceInvalid("nonce used concurrently")
    # Committed: the nonce is spent whatever the rest of the check says.
    if row.expires_at <= now:
        raise NonceExpired()


def _parse_signed_time(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise SignedTimeInvalid("time is not YYYY-MM-DDTHH:MM:SSZ") from exc


# What the parsers (asn1crypto, cryptography, pyhanko-certvalidator) raise on malformed input.
_MALFORMED = (ValueError, TypeError, KeyError, IndexError, OverflowError, x509.InvalidVersion)


def _check_certificate(
    signature: bytes, message: bytes, trust: Sequence[x509.Certificate], now: datetime
) -> x509.Certificate:
    try:
        signer = cms.verify_detached(signature, message, trust=None, at=now)
    except SignatureError as exc:
        raise SignatureInvalid(exc.detail) from exc
    except _MALFORMED as exc:
        # Untrusted bytes that the ASN.1 and X.509 parsers choke on: a bad signature.
        raise SignatureInvalid(f"malformed: {type(exc).__name__}") from exc
    try:
        signer = cms.validate_path(signer, trust=trust, at=now)
    except _MALFORMED as exc:
        # The carried certificates are parsed only while the path is built.
        raise SignatureInvalid(f"malformed certificate: {type(exc).__name__}") from exc
    except (
        CertificateExpiredError,
        CertificateNotYetValidError,
        CertificateUntrustedError,
        CertificateUsageError,
    ) as exc:
        why_zh, why_en = plain_messages(exc)
        raise AuthCertificate(
            exc.detail, wire_code=f"auth.{exc.code}", why_zh=why_zh, why_en=why_en
        ) from exc
    return signer.cert


def _issued_by(
    cert: x509.Certificate, ca_sha256: str | None, trust: Sequence[x509.Certificate]
) -> bool:
    """Whether ``cert`` was issued by the trusted CA whose certificate has SHA-256
    ``ca_sha256`` (an account not bound to a CA matches no certificate)."""
    for ca in trust:
        if ca_sha256 is not None and cert_sha256(ca) == ca_sha256 and ca.subject == cert.issuer:
            try:
                cert.verify_directly_issued_by(ca)
            except (ValueError, TypeError, InvalidSignature):
                return False
            return True
    return False


def login(
    database: db.Database,
    config: Config,
    trust: Sequence[x509.Certificate],
    request: wire.LoginRequest,
) -> wire.Session:
    now = config.now()
    _burn_nonce(database, request.nonce, now)
    if request.platform_id is not None and request.platform_id != config.platform_id:
        raise WrongPlatform(got=request.platform_id)
    signed_at = _parse_signed_time(request.time)
    if abs(signed_at - now) > config.challenge_ttl:
        raise SignedTimeInvalid(f"signed {request.time}, platform {iso_seconds(now)}")
    message = wire.login_message(
        nonce=request.nonce, platform_id=config.platform_id, time=request.time
    )
    try:
        signature = base64.b64decode(request.signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureInvalid("signature is not base64") from exc
    cert = _check_certificate(signature, message, trust, now)

    token = secrets.token_urlsafe(32)
    expires = now + config.token_ttl
    fingerprint = cert_sha256(cert)
    with database.write() as conn:
        account = None
        for kind, key in account_key(cert):
            row = conn.execute(
                select(db.accounts).where(db.accounts.c.key_kind == kind, db.accounts.c.key == key)
            ).first()
            # Staff accounts are bound to their CA: the same DN from another trusted CA is
            # someone else. (Bidders are keyed by organisation code under any trusted CA.)
            if row is not None and (kind != "dn" or _issued_by(cert, row.issuer_sha256, trust)):
                account = row
                break
        if account is None:
            raise AccountUnknown(subject=cert.subject.rfc4514_string())
        conn.execute(db.sessions.delete().where(db.sessions.c.expires_at < now))
        conn.execute(
            db.sessions.insert().values(
                token_sha256=_sha256_hex(token.encode()),
                account_id=account.id,
                cert_sha256=fingerprint,
                created_at=now,
                expires_at=expires,
            )
        )
        append_audit(
            conn,
            at=now,
            actor=f"{account.role}:{account.org_code or account.name}",
            action="login",
            subject=account.id,
            data={"cert_sha256": fingerprint, "expires_at": iso_seconds(expires)},
        )
    return wire.Session(
        token=token,
        expires_at=expires,
        role=account.role,
        name=account.name,
        org_code=account.org_code,
        cert_sha256=fingerprint,
    )


def authenticate(database: db.Database, config: Config, authorization: str | None) -> Principal:
    """The caller behind an ``Authorization: Bearer`` header."""
    if not authorization:
        raise AuthRequired()
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthRequired("not a bearer token")
    with database.read() as conn:
        row = conn.execute(
            select(db.sessions, db.accounts)
            .join(db.accounts, db.accounts.c.id == db.sessions.c.account_id)
            .where(db.sessions.c.token_sha256 == _sha256_hex(token.strip().encode()))
        ).first()
    if row is None:
        raise TokenInvalid()
    if row.expires_at <= config.now():
        raise TokenExpired()
    return Principal(
        account_id=row.id,
        role=row.role,
        name=row.name,
        org_code=row.org_code,
        cert_sha256=row.cert_sha256,
    )
