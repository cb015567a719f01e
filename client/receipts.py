"""Receipts (回执): verify the platform's signature and keep verified receipts on disk.

A receipt proves a submission only once it verifies: the platform's CMS signature over the
receipt's exact bytes, the signer's certificate path to a platform CA, and, for a file just sent,
that its SHA-256 and size are the ones the platform signed::

    receipt = verify_receipt(signed, file_path=Path("bid.sealbid"), platform_cert=[ca])
    store = ReceiptStore(state_dir / "receipts")
    path = store.save(receipt)
    for path in store.list():
        again = verify_receipt(store.load(path), platform_cert=[ca])

Anyone can check the same receipt with OpenSSL alone (docs/protocol.md, "Receipts")::

    openssl cms -verify -binary -inform DER -in sig.p7s -content receipt.json -CAfile ca.pem
"""

from __future__ import annotations

import base64
import binascii
import builtins
import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from pydantic import ValidationError

from crypto import canonical_json
from crypto._files import atomic_write
from crypto.cms import VerifiedSigner, validate_path, verify_detached
from crypto.errors import SignatureError
from sealbid.errors import CancelledError, UsageError

from . import wire
from .errors import ReceiptInvalidError

__all__ = [
    "ReceiptStore",
    "TrustSource",
    "VerifiedReceipt",
    "canonical_json",
    "file_digest",
    "load_certificates",
    "receipt_signers",
    "verify_receipt",
]

TrustSource = Literal["platform-cert", "platform-info", "stored", "embedded"]
"""Where the trust anchor of a verified receipt came from: a certificate the user gave, the
platform's published chain (``GET /platform``), the platform chain the local store saved when
the client last talked to the platform, or the root carried inside the signature itself
(integrity and a consistent chain, but no outside anchor: *unanchored*, 未锚定). In every case
but ``embedded`` the signer is pinned: it must be exactly the platform's receipt certificate
(the leaf of the platform's chain), not just any certificate under the platform's CA."""

_HASH_BLOCK = 1 << 20


def file_digest(
    path: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, streamed. ``OSError`` becomes :class:`UsageError`."""
    h = hashlib.sha256()
    done = 0
    try:
        with open(path, "rb", buffering=0) as f:
            total = os.fstat(f.fileno()).st_size
            buf = bytearray(_HASH_BLOCK)
            view = memoryview(buf)
            while n := f.readinto(view):
                h.update(view[:n])
                done += n
                if progress is not None:
                    progress(done, total)
                if cancel is not None and cancel():
                    raise CancelledError()
    except OSError as exc:
        raise UsageError(what=f"{path}: 无法读取 / cannot read ({exc.strerror})") from exc
    return h.hexdigest(), done


def load_certificates(data: bytes | str) -> list[x509.Certificate]:
    """Certificates from PEM text (one or more) or one DER certificate."""
    raw = data.encode() if isinstance(data, str) else data
    try:
        if b"-----BEGIN" in raw:
            return list(x509.load_pem_x509_certificates(raw))
        return [x509.load_der_x509_certificate(raw)]
    except ValueError as exc:
        raise UsageError(what="不是证书 / not a certificate") from exc


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


@dataclass(frozen=True)
class VerifiedReceipt:
    """A receipt whose platform signature and certificate path checked out."""

    receipt: wire.Receipt
    """The parsed receipt (section, bidder, file digest and size, time, sequence, chain)."""
    signed: wire.SignedReceipt
    """What the platform sent: the exact signed JSON text and the base64 CMS signature."""
    signer: x509.Certificate = field(repr=False)
    """The platform's receipt-signing certificate."""
    trust: TrustSource
    """Where the trust anchor came from (see :data:`TrustSource`)."""
    sha256: str
    """SHA-256 of the receipt's bytes: the next receipt of the section names it as previous."""
    path: Path | None = None
    """Where the local store keeps it, once saved."""

    @property
    def received_at(self) -> datetime:
        """When the platform received it, by the platform's clock (UTC)."""
        return _parse_time(self.receipt.received_at)


def _parse_time(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise ReceiptInvalidError(what=f"received_at {text!r}") from exc


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ReceiptInvalidError(what=f"duplicate key {key!r}")
        out[key] = value
    return out


def _parse_receipt(text: str) -> wire.Receipt:
    """The receipt, refusing anything that is not exactly its canonical JSON: two readers of
    the same signed bytes must never see two different receipts."""
    data = text.encode("utf-8")
    try:
        obj = json.loads(data, object_pairs_hook=_no_duplicates)
    except ValueError as exc:
        raise ReceiptInvalidError(what="not JSON / 不是 JSON") from exc
    if canonical_json(obj) != data:
        raise ReceiptInvalidError(what="not canonical JSON / 不是规范 JSON")
    try:
        return wire.Receipt.model_validate(obj)
    except ValidationError as exc:
        raise ReceiptInvalidError(what=f"fields / 字段不符: {exc.error_count()} error(s)") from exc


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def receipt_signers(chain: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """The receipt-signing certificate(s) of a platform chain: its leaf (non-CA) certificates;
    a platform whose receipt certificate is itself the root signs with its first one."""
    leaves = [c for c in chain if not _is_ca(c)]
    return leaves or list(chain[:1])


def _fingerprint(cert: x509.Certificate) -> bytes:
    return cert.fingerprint(hashes.SHA256())


_UNPINNED = (
    "无法锁定签名证书：--platform-cert 只含 CA，且本地没有保存平台的回执签名证书；请给出平台"
    "公布的回执签名证书（或明确使用 --any-signer-under-ca）/ the signer could not be pinned:"
    " --platform-cert holds only CA certificates and no platform receipt certificate is"
    " saved locally; give the platform's published receipt certificate (or, knowingly,"
    " --any-signer-under-ca)"
)


def _anchors(
    signer: VerifiedSigner,
    platform_cert: Sequence[x509.Certificate] | None,
    platform_info: wire.PlatformInfo | None,
    pinned: Sequence[x509.Certificate] | None,
    any_signer_under_ca: bool,
) -> tuple[list[x509.Certificate], list[x509.Certificate] | None, TrustSource]:
    """(trust anchors, the certificates the signer must be one of or None, source)."""
    if platform_cert:
        leaves = [c for c in platform_cert if not _is_ca(c)]
        if leaves:
            pins: list[x509.Certificate] | None = leaves
        elif pinned:
            pins = receipt_signers(pinned)
        elif any_signer_under_ca:
            pins = None
        else:
            raise ReceiptInvalidError(what=_UNPINNED)
        return list(platform_cert), pins, "platform-cert"
    if platform_info is not None or pinned:
        published = (
            load_certificates(platform_info.certificate_pem)
            if platform_info is not None
            else list(pinned or ())
        )
        roots = [c for c in published if _self_signed(c)]
        # A platform whose receipt certificate is itself the root is anchored at it.
        source: TrustSource = "platform-info" if platform_info is not None else "stored"
        return roots or published[:1], receipt_signers(published), source
    carried = [x509.load_der_x509_certificate(c.dump()) for c in signer.carried]
    roots = [c for c in (signer.cert, *carried) if _self_signed(c)]
    if not roots:
        raise ReceiptInvalidError(
            what="签名中没有平台根证书，请用 --platform-cert 指定 / no platform root in the"
            " signature; give the platform certificate"
        )
    return roots, None, "embedded"


def verify_receipt(
    signed: wire.SignedReceipt,
    *,
    file_path: Path | None = None,
    file_sha256: str | None = None,
    file_size: int | None = None,
    platform_cert: Sequence[x509.Certificate] | None = None,
    platform_info: wire.PlatformInfo | None = None,
    pinned: Sequence[x509.Certificate] | None = None,
    platform_id: str | None = None,
    any_signer_under_ca: bool = False,
    section_id: str | None = None,
    kind: Literal["submit", "withdraw"] | None = None,
    bidder_cert_sha256: str | None = None,
) -> VerifiedReceipt:
    """Verify a signed receipt; raise :class:`ReceiptInvalidError` on any fault.

    The trust anchor is ``platform_cert`` when given, else the self-signed certificates of
    ``platform_info.certificate_pem`` (and its ``platform_id`` must match), else those of
    ``pinned`` (the platform chain saved in the :class:`ReceiptStore`), else the root the
    signature carries (``trust == "embedded"``: unanchored). The signer is pinned: it must be
    the leaf (non-CA) certificate of ``platform_cert``, else of ``pinned`` (when
    ``platform_cert`` holds only CAs; with neither, :class:`ReceiptInvalidError` unless
    ``any_signer_under_ca``), or of ``platform_info``/``pinned`` as anchor. ``platform_id``,
    when given, must be the receipt's. The path is judged at the receipt's ``received_at``. With
    ``file_path`` (or ``file_sha256``/``file_size``) the signed digest and size must be the
    file's; ``section_id``, ``kind`` and ``bidder_cert_sha256`` are checked when given.
    """
    data = signed.receipt.encode("utf-8")
    try:
        signature = base64.b64decode(signed.signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ReceiptInvalidError(what="signature is not base64 / 签名不是 base64") from exc
    receipt = _parse_receipt(signed.receipt)
    at = _parse_time(receipt.received_at)
    try:
        signer = verify_detached(signature, data, trust=None, at=at)
        anchors, pins, source = _anchors(
            signer, platform_cert, platform_info, pinned, any_signer_under_ca
        )
        signer = validate_path(signer, trust=anchors, at=at)
        signer_name = signer.cert.subject.rfc4514_string()
        if pins is not None and _fingerprint(signer.cert) not in {_fingerprint(c) for c in pins}:
            raise ReceiptInvalidError(
                what=f"签名者不是平台的回执签名证书 / signed by {signer_name}, not by the"
                " platform's receipt certificate"
            )
    except SignatureError as exc:
        raise ReceiptInvalidError(
            exc.detail, what=f"平台签名 / platform signature: {exc.diagnostics('en_US')}"
        ) from exc
    except (ValueError, TypeError) as exc:  # a certificate or signature that does not parse
        raise ReceiptInvalidError(
            what=f"平台签名无法解析 / the platform signature does not parse ({exc})"[:300]
        ) from exc
    for expected in (platform_info.platform_id if platform_info else None, platform_id):
        if expected is not None and receipt.platform_id != expected:
            raise ReceiptInvalidError(
                what=f"回执属于另一平台 / issued by another platform ({receipt.platform_id})"
            )
    if file_path is not None:
        file_sha256, file_size = file_digest(file_path)
    if file_sha256 is not None and receipt.file_sha256 != file_sha256:
        raise ReceiptInvalidError(
            what="回执中的文件摘要与所提交文件不符 / the receipt's file digest is not the file's"
        )
    if file_size is not None and receipt.file_size != file_size:
        raise ReceiptInvalidError(
            what="回执中的文件大小与所提交文件不符 / the receipt's file size is not the file's"
        )
    if section_id is not None and receipt.section_id != section_id:
        raise ReceiptInvalidError(what=f"标段不符 / for section {receipt.section_id}")
    if kind is not None and receipt.kind != kind:
        raise ReceiptInvalidError(what=f"回执类型不符 / a {receipt.kind} receipt")
    if bidder_cert_sha256 is not None and receipt.bidder.cert_sha256 != bidder_cert_sha256:
        raise ReceiptInvalidError(what="投标人证书不符 / for another bidder certificate")
    return VerifiedReceipt(
        receipt=receipt,
        signed=signed,
        signer=signer.cert,
        trust=source,
        sha256=hashlib.sha256(data).hexdigest(),
    )


# --- the local store -------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^0-9A-Za-z._\-\u4e00-\u9fff]")


def _safe(part: str) -> str:
    """A file-name segment from an id the platform chose: nothing that could leave the folder."""
    cleaned = _UNSAFE.sub("_", part).strip(". ") or "_"
    return cleaned[:80]


_PINNED = "platform.json"


class ReceiptStore:
    """Verified receipts on disk, one JSON file (``wire.SignedReceipt``) each, written
    atomically under ``root/<platform>/<section>/``. The files are what the platform sent, so
    ``sealbid receipt verify FILE`` and OpenSSL check them later without the platform.

    Beside them, ``root/<platform>/platform.json`` keeps every receipt-certificate chain the
    platform published (``GET /platform``) while the client talked to it: later, offline
    checks pin the signer to it (:meth:`pinned`)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _pinned_path(self, platform_id: str) -> Path:
        return self.root / _safe(platform_id) / _PINNED

    def save_platform(self, info: wire.PlatformInfo) -> None:
        """Remember the platform's published receipt-certificate chain (kept with any earlier
        ones, so receipts signed before a certificate change still pin)."""
        path = self._pinned_path(info.platform_id)
        known = self._read_pinned(path, info.platform_id) or []
        if info.certificate_pem in known:
            return
        body = {"platform_id": info.platform_id, "certificate_pem": [*known, info.certificate_pem]}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, json.dumps(body, ensure_ascii=False, indent=2).encode() + b"\n")
        except OSError as exc:
            raise UsageError(
                what=f"无法保存平台证书 / cannot save the platform certificate {path}: {exc.strerror}"
            ) from exc

    @staticmethod
    def _read_pinned(path: Path, platform_id: str) -> builtins.list[str] | None:
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("platform_id") != platform_id:
            return None
        pems = data.get("certificate_pem")
        if not isinstance(pems, builtins.list) or not all(isinstance(x, str) for x in pems):
            return None
        return pems

    def platforms(self) -> builtins.list[str]:
        """The ids of the platforms whose certificates are saved here."""
        out = []
        try:
            folders = sorted(p for p in self.root.iterdir() if p.is_dir())
        except OSError:
            return []
        for folder in folders:
            try:
                data = json.loads((folder / _PINNED).read_bytes())
            except (OSError, ValueError):
                continue
            if isinstance(data, dict) and isinstance(data.get("platform_id"), str):
                out.append(data["platform_id"])
        return out

    def pinned(self, platform_id: str) -> builtins.list[x509.Certificate] | None:
        """The platform certificates saved for ``platform_id`` (None: none, or unreadable)."""
        pems = self._read_pinned(self._pinned_path(platform_id), platform_id)
        if not pems:
            return None
        certs: builtins.list[x509.Certificate] = []
        try:
            for pem in pems:
                certs.extend(load_certificates(pem))
        except UsageError:
            return None
        return certs or None

    @staticmethod
    def pinned_beside(
        receipt_path: Path, signed: wire.SignedReceipt
    ) -> tuple[str, builtins.list[x509.Certificate] | None] | None:
        """For a receipt file kept in a store (``root/<platform>/<section>/x.json``): the
        receipt's platform id and the platform certificates saved for it; None when the file
        is not in a store folder of its platform."""
        try:
            platform_id = json.loads(signed.receipt).get("platform_id")
        except (ValueError, AttributeError):
            return None
        if not isinstance(platform_id, str):
            return None
        folder = Path(receipt_path).resolve().parent.parent
        if folder.name != _safe(platform_id):
            return None
        return platform_id, ReceiptStore(folder.parent).pinned(platform_id)

    def path_for(self, receipt: VerifiedReceipt) -> Path:
        r = receipt.receipt
        name = f"{r.sequence:06d}-{r.kind}-{receipt.sha256[:12]}.json"
        return self.root / _safe(r.platform_id) / _safe(r.section_id) / name

    def save(self, receipt: VerifiedReceipt) -> VerifiedReceipt:
        """Write (idempotently) and return the receipt with its ``path`` set."""
        path = self.path_for(receipt)
        body = receipt.signed.model_dump_json(indent=2).encode() + b"\n"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not (path.is_file() and path.read_bytes() == body):
                atomic_write(path, body)
        except OSError as exc:
            raise UsageError(
                what=f"无法保存回执 / cannot save the receipt {path}: {exc.strerror}"
            ) from exc
        return VerifiedReceipt(
            receipt=receipt.receipt,
            signed=receipt.signed,
            signer=receipt.signer,
            trust=receipt.trust,
            sha256=receipt.sha256,
            path=path,
        )

    def list(self) -> builtins.list[Path]:
        """Every stored receipt file, oldest sequence first within each section."""
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.glob("*/*/*.json") if not p.name.startswith("."))

    @staticmethod
    def load(path: Path) -> wire.SignedReceipt:
        """A stored (or any saved) receipt file; verify it with :func:`verify_receipt`."""
        try:
            return wire.SignedReceipt.model_validate_json(Path(path).read_bytes())
        except OSError as exc:
            raise UsageError(what=f"{path}: {exc.strerror}") from exc
        except ValidationError as exc:
            raise ReceiptInvalidError(what=f"{path}: 不是回执文件 / not a receipt file") from exc
