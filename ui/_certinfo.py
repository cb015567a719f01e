"""Certificates as plain data for the screens, and a small cache of the public certificates of
identity files the app has opened.

    info = cert_info(identity.signing_cert)          # CertInfo: names, 统一社会信用代码, dates …
    summary = summarise(identity, kind="file", source="…/投标人.p12")
    cache = CertCache(ctx.data_dir)                  # in a worker: it reads and writes a file
    cache.remember(path, identity)                   # after a successful load
    signing, encryption = cache.lookup(path) or (None, None)
    warnings = expiry_warnings(summary, now, openings)

A PKCS#12 file keeps its certificates encrypted under the password, so the certificates list
cannot read a file it was not given the password for; the cache keeps the *public* certificates
(never a key or a password) of every file that was opened once, so that the list and the login
dialog can show them later. Nothing here imports Qt: workers use it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from crypto._files import atomic_write
from crypto.identity import Identity
from sealbid.errors import SealBidError
from sealbid.uscc import validate as validate_uscc

__all__ = [
    "EXPIRY_SOON",
    "BidOpening",
    "CertCache",
    "CertInfo",
    "ExpiryWarning",
    "IdentitySummary",
    "cert_info",
    "expiry_warnings",
    "file_summary",
    "find_org_code",
    "summarise",
    "summary_from_certs",
]

EXPIRY_SOON = timedelta(days=30)

IdentityKind = Literal["current", "file", "sandbox", "token"]


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def find_org_code(name: x509.Name) -> str | None:
    """The 统一社会信用代码 in a subject, if one is there.

    Chinese CAs put it in different places: organizationIdentifier (2.5.4.97, sometimes with
    a prefix such as ``NTRCN-``), serialNumber, an OU, or even the CN. The first value that is
    a well-formed code (check character included) wins.
    """
    order = (
        NameOID.ORGANIZATION_IDENTIFIER,
        NameOID.SERIAL_NUMBER,
        NameOID.ORGANIZATIONAL_UNIT_NAME,
        NameOID.COMMON_NAME,
    )
    for oid in order:
        for attr in name.get_attributes_for_oid(oid):
            text = str(attr.value).strip()
            for candidate in (text, text.rsplit("-", 1)[-1], text.rsplit(":", 1)[-1]):
                if len(candidate.strip()) != 18:
                    continue
                try:
                    return validate_uscc(candidate)
                except SealBidError:
                    continue
    return None


_KEY_USAGES = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
)


def _key_usage(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return ()
    return tuple(name for name in _KEY_USAGES if getattr(ku, name))


def _key_type(cert: x509.Certificate) -> str:
    try:
        key = cert.public_key()
    except (UnsupportedAlgorithm, ValueError):  # e.g. an SM2 key: name the type only
        return "?"
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA-{key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}"
    return type(key).__name__


@dataclass(frozen=True)
class CertInfo:
    """What a person wants to know about one certificate (all public)."""

    common_name: str
    organisation: str
    org_code: str | None
    """统一社会信用代码 from the subject, if present."""
    subject: str
    issuer: str
    """The issuer's CN (its full name when it has none)."""
    serial: str
    """Upper-case hex, as CAs print it."""
    not_before: datetime
    not_after: datetime
    key_usage: tuple[str, ...]
    """cryptography's names of the KeyUsage bits that are set (empty: no extension)."""
    key_type: str
    sha256: str
    """SHA-256 fingerprint as colon-separated upper-case hex."""
    pem: str

    def days_left(self, now: datetime) -> int:
        """Whole days from ``now`` to the end of validity (negative once expired)."""
        return (self.not_after - now) // timedelta(days=1)

    def state(self, now: datetime) -> Literal["valid", "soon", "expired", "not_yet_valid"]:
        if now < self.not_before:
            return "not_yet_valid"
        if now >= self.not_after:
            return "expired"
        if self.not_after - now <= EXPIRY_SOON:
            return "soon"
        return "valid"


def cert_info(cert: x509.Certificate) -> CertInfo:
    fingerprint = cert.fingerprint(hashes.SHA256()).hex().upper()
    issuer_cn = _first(cert.issuer, NameOID.COMMON_NAME)
    return CertInfo(
        common_name=_first(cert.subject, NameOID.COMMON_NAME) or cert.subject.rfc4514_string(),
        organisation=_first(cert.subject, NameOID.ORGANIZATION_NAME),
        org_code=find_org_code(cert.subject),
        subject=cert.subject.rfc4514_string(),
        issuer=issuer_cn or cert.issuer.rfc4514_string(),
        serial=f"{cert.serial_number:X}",
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_usage=_key_usage(cert),
        key_type=_key_type(cert),
        sha256=":".join(fingerprint[i : i + 2] for i in range(0, len(fingerprint), 2)),
        pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    )


@dataclass(frozen=True)
class IdentitySummary:
    """One identity as the screens list it: where it is and its certificates (if known)."""

    kind: IdentityKind
    source: str
    """A file path, or a token description (``pkcs11:token=…``)."""
    label: str
    """The name to show: the signing certificate's organisation or CN, else the file name."""
    signing: CertInfo | None = None
    encryption: CertInfo | None = None
    """None when unknown, or when ``single``."""
    single: bool = False
    """One certificate (and key) for both signing and encryption."""
    current: bool = False
    role: str = ""
    """The sandbox role (bidder, host …) for demo identities."""

    def certificates(self) -> list[tuple[str, CertInfo]]:
        """(``signing``/``encryption``/``both``, info) for each known certificate."""
        if self.signing is None:
            return []
        if self.single:
            return [("both", self.signing)]
        if self.encryption is None:
            return [("signing", self.signing)]
        return [("signing", self.signing), ("encryption", self.encryption)]

    @property
    def org_code(self) -> str | None:
        return self.signing.org_code if self.signing else None


def _label(signing: CertInfo | None, fallback: str) -> str:
    if signing is None:
        return fallback
    return signing.organisation or signing.common_name


def summary_from_certs(
    *,
    kind: IdentityKind,
    source: str,
    signing: x509.Certificate | None,
    encryption: x509.Certificate | None,
    fallback_label: str = "",
    current: bool = False,
    role: str = "",
) -> IdentitySummary:
    sign = cert_info(signing) if signing is not None else None
    single = encryption is not None and encryption == signing
    enc = cert_info(encryption) if encryption is not None and not single else None
    return IdentitySummary(
        kind=kind,
        source=source,
        label=_label(sign, fallback_label or Path(source).name),
        signing=sign,
        encryption=enc,
        single=single,
        current=current,
        role=role,
    )


def summarise(
    identity: Identity, *, kind: IdentityKind, source: str, current: bool = False, role: str = ""
) -> IdentitySummary:
    """The summary of a loaded identity (cheap: its certificates are in memory)."""
    return summary_from_certs(
        kind=kind,
        source=source,
        signing=identity.signing_cert,
        encryption=identity.encryption_cert,
        current=current,
        role=role,
    )


# --- the cache of public certificates ----------------------------------------------------------

_CACHE_NAME = "certinfo.json"
_cache_lock = threading.Lock()


class CertCache:
    """Public certificates of identity files opened before, in ``data_dir/certinfo.json``.

    Keyed by the file's path; an entry whose file changed (size or modification time) is not
    used. Workers only: it reads and writes a file."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / _CACHE_NAME

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        entries = data.get("entries") if isinstance(data, dict) else None
        return entries if isinstance(entries, dict) else {}

    @staticmethod
    def _stamp(path: Path) -> tuple[int, int] | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return st.st_size, st.st_mtime_ns

    def remember(self, path: Path | str, identity: Identity) -> None:
        """Keep ``identity``'s public certificates for the file ``path``."""
        stamp = self._stamp(Path(path))
        if stamp is None:
            return
        pem = serialization.Encoding.PEM
        entry = {
            "size": stamp[0],
            "mtime_ns": stamp[1],
            "signing": identity.signing_cert.public_bytes(pem).decode("ascii"),
            "encryption": identity.encryption_cert.public_bytes(pem).decode("ascii"),
        }
        with _cache_lock:
            entries = self._read()
            entries[str(path)] = entry
            body = {"version": 1, "entries": entries}
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(self.path, json.dumps(body, ensure_ascii=False, indent=1).encode())
            except OSError:
                # Only a convenience for the lists: a read-only data folder must not fail a login.
                return

    def lookup(self, path: Path | str) -> tuple[x509.Certificate, x509.Certificate] | None:
        """(signing, encryption) certificates kept for ``path``, if the file is unchanged."""
        entry = self._read().get(str(path))
        if not isinstance(entry, dict):
            return None
        if self._stamp(Path(path)) != (entry.get("size"), entry.get("mtime_ns")):
            return None
        try:
            signing = x509.load_pem_x509_certificate(str(entry["signing"]).encode())
            encryption = x509.load_pem_x509_certificate(str(entry["encryption"]).encode())
        except (KeyError, ValueError):
            return None
        return signing, encryption


def file_summary(
    cache: CertCache, path: Path, *, kind: IdentityKind = "file", role: str = "", label: str = ""
) -> IdentitySummary:
    """What can be known about an identity file without its password (workers only): the
    cached certificates, else the signing certificate the sandbox keeps beside its files
    (``name.pem``), else just the file."""
    found = cache.lookup(path)
    if found is not None:
        return summary_from_certs(
            kind=kind,
            source=str(path),
            signing=found[0],
            encryption=found[1],
            fallback_label=label,
            role=role,
        )
    beside = path.with_suffix(".pem")
    if kind == "sandbox" and beside.is_file():
        try:
            cert = x509.load_pem_x509_certificate(beside.read_bytes())
        except (OSError, ValueError):
            cert = None
        if cert is not None:
            return summary_from_certs(
                kind=kind,
                source=str(path),
                signing=cert,
                encryption=None,
                fallback_label=label,
                role=role,
            )
    return IdentitySummary(kind=kind, source=str(path), label=label or path.name, role=role)


# --- expiry warnings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BidOpening:
    """A section this user has a bid in, and when it opens (platform's clock, UTC)."""

    section_id: str
    name: str
    opening_time: datetime


@dataclass(frozen=True)
class ExpiryWarning:
    kind: Literal["expired", "not_yet_valid", "before_opening", "soon"]
    summary: IdentitySummary
    usage: str
    """``signing``, ``encryption`` or ``both``."""
    cert: CertInfo
    opening: BidOpening | None = None


def expiry_warnings(
    summaries: Iterable[IdentitySummary],
    now: datetime,
    openings: Sequence[BidOpening] = (),
    *,
    soon: timedelta = EXPIRY_SOON,
) -> list[ExpiryWarning]:
    """Every certificate that is out of validity, expires within ``soon``, or — for the
    current identity — expires at or before the opening of a section with a bid in it (the
    encryption key opens the bid there and the signing key signs in and confirms the record)."""
    out: list[ExpiryWarning] = []
    for summary in summaries:
        for usage, cert in summary.certificates():
            if now < cert.not_before:
                out.append(ExpiryWarning("not_yet_valid", summary, usage, cert))
                continue
            if now >= cert.not_after:
                out.append(ExpiryWarning("expired", summary, usage, cert))
                continue
            late = [o for o in openings if summary.current and cert.not_after <= o.opening_time]
            for opening in sorted(late, key=lambda o: o.opening_time):
                out.append(ExpiryWarning("before_opening", summary, usage, cert, opening))
            if not late and cert.not_after - now <= soon:
                out.append(ExpiryWarning("soon", summary, usage, cert))
    return out
