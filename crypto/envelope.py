"""The sealed-bid file, format v1 (spec: docs/envelope.md).

    result = seal([Path("商务标.pdf")], Path("bid.sealbid"), identity=ident, section="S-001")
    info = verify(Path("bid.sealbid"), trust=[ca_cert])          # no key needed
    opened = open_bid(Path("bid.sealbid"), ident, Path("out"))   # documents in out/documents/

Layout (all integers big-endian)::

    prelude     magic 89 53 42 49 44 0D 0A 1A, major 1, minor 0
    layout      u64 payload length
    header      u32 length + canonical JSON (algorithms, salt, section, bidder, key commitment)
    recipients  u32 length + CMS EnvelopedData whose content is the 32-byte file key
    payload     AES-256-GCM chunks: chunk_size plaintext + 16-byte tag each, the last shorter;
                nonce = 11-byte counter || last-chunk flag
    manifest    u32 length + canonical JSON: the header, digests of header and recipients,
                the payload's length and SHA-256
    signature   u32 length + detached CMS SignedData over the manifest, by the bidder
    (end of file: anything after is an error)

Memory stays constant: the payload is streamed a chunk at a time. Time and randomness are
injectable (:func:`seal_at`) for tests and test vectors.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import shutil
import struct
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from queue import Queue
from typing import Any, BinaryIO, ParamSpec, TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sealbid.errors import CancelledError, UsageError

from . import cms
from ._files import AtomicFile, long_path, remove_quietly
from .errors import (
    CertificateExpiredError,
    CertificateNotYetValidError,
    CryptoError,
    ExpiresBeforeOpeningError,
    FileAccessError,
    FormatError,
    HeaderTamperedError,
    InnerManifestError,
    KeyCommitmentError,
    ManifestMismatchError,
    NotASealedBidError,
    PayloadCorruptedError,
    PayloadDigestError,
    SelfCheckError,
    SignerMismatchError,
    TrailingDataError,
    TruncatedError,
    UnsupportedAlgorithmError,
    UnsupportedVersionError,
)
from .identity import Identity, RsaPadding
from .names import check_document_name, check_unique

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "MAGIC",
    "BidInfo",
    "OpenedBid",
    "SealResult",
    "VerifiedBid",
    "extract",
    "inspect",
    "open_bid",
    "seal",
    "seal_at",
    "verify",
]

MAGIC = b"\x89SBID\r\n\x1a"
MAJOR, MINOR = 1, 0
VERSION = f"{MAJOR}.{MINOR}"
DEFAULT_CHUNK_SIZE = 1 << 20
MIN_CHUNK, MAX_CHUNK = 1 << 12, 1 << 24
TAG = 16
AEAD_NAME = "AES-256-GCM"
KDF_NAME = "HKDF-SHA256"
_PAYLOAD_INFO = b"SealBid v1 payload key"
_COMMIT_INFO = b"SealBid v1 key commitment"
_MAX_BLOCK = 1 << 20  # header, recipients, manifest, signature
_MAX_INNER = 1 << 20  # inner manifest: some ten thousand documents; bounds the JSON's memory
_PRELUDE = struct.Struct(">8sBBQ")

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


# --- small helpers ---------------------------------------------------------------------------

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _file_errors(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Translate what the OS says (disk full, access denied, a folder where a file should be)
    once, at the public boundary, into an error the user can read."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return func(*args, **kwargs)
        except OSError as exc:
            raise FileAccessError(
                type(exc).__name__, path=exc.filename or "-", why=exc.strerror or str(exc)
            ) from exc

    return wrapper


def _json_default(obj: object) -> str:
    # Money is Decimal yuan (product rule): written as its exact decimal string.
    if isinstance(obj, Decimal):
        if not obj.is_finite():
            raise UsageError(what=f"金额不是有限数 / not a finite amount: {obj}")
        return str(obj)
    raise UsageError(what=f"无法写成 JSON / cannot be written as JSON: {type(obj).__name__}")


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 (Chinese kept as is), no NaN or Infinity: one byte string
    per value. Decimals are written as strings."""
    try:
        text = json.dumps(
            obj,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
            default=_json_default,
        )
    except ValueError as exc:  # NaN or Infinity: not JSON
        raise UsageError(what=f"NaN/Infinity 不是 JSON / not JSON ({exc})") from exc
    return text.encode()


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _hkdf(file_key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(file_key)


def payload_key(file_key: bytes, salt: bytes) -> bytes:
    return _hkdf(file_key, salt, _PAYLOAD_INFO)


def key_commitment(file_key: bytes, salt: bytes) -> bytes:
    return _hkdf(file_key, salt, _COMMIT_INFO)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _b64(b: bytes) -> str:
    import base64

    return base64.b64encode(b).decode("ascii")


def _unb64(s: object, what: str) -> bytes:
    import base64
    import binascii

    if not isinstance(s, str):
        raise FormatError(what=f"{what}: not a string")
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise FormatError(what=f"{what}: bad base64") from exc


def _cert_sha256(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _subject_attr(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    attrs = cert.subject.get_attributes_for_oid(oid)
    return str(attrs[0].value) if attrs else None


def bidder_of(cert: x509.Certificate) -> dict[str, Any]:
    """The bidder block of the header: who signs, as the certificate says."""
    from cryptography.x509.oid import NameOID

    name = _subject_attr(cert, NameOID.ORGANIZATION_NAME) or _subject_attr(
        cert, NameOID.COMMON_NAME
    )
    return {
        "name": name or cert.subject.rfc4514_string(),
        "org_code": _subject_attr(cert, NameOID.ORGANIZATION_IDENTIFIER),
        "subject": cert.subject.rfc4514_string(),
        "cert_sha256": _cert_sha256(cert),
    }


def _check_cancel(cancel: Cancel | None) -> None:
    if cancel is not None and cancel():
        raise CancelledError()


# --- the plaintext: inner manifest + documents ---------------------------------------------


@dataclass(frozen=True)
class _Doc:
    name: str
    path: Path
    size: int


def _collect(documents: Sequence[Path]) -> list[_Doc]:
    """Files as given; a folder contributes its files under its own name, sorted."""
    out: list[_Doc] = []
    try:
        for doc in documents:
            p = Path(doc)
            if long_path(p).is_dir():
                # Long Windows paths must not make a file silently drop out of the bid.
                for f in sorted(q for q in long_path(p).rglob("*") if q.is_file()):
                    rel = f.relative_to(long_path(p).parent).as_posix()
                    out.append(_Doc(check_document_name(rel), f, f.stat().st_size))
            elif p.is_file():
                out.append(_Doc(check_document_name(p.name), p, p.stat().st_size))
            else:
                raise UsageError(what=f"{p}: 文件不存在 / no such file")
    except OSError as exc:
        raise UsageError(what=f"{exc.filename}: 无法读取 / cannot read ({exc.strerror})") from exc
    if not out:
        raise UsageError(what="没有要密封的文档 / no documents to seal")
    check_unique(d.name for d in out)
    return out


def _inner_manifest(docs: list[_Doc], summary: Any, metadata: dict[str, Any]) -> bytes:
    body = canonical_json(
        {
            "format": "sealbid-inner-manifest",
            "version": VERSION,
            "documents": [{"name": d.name, "size": d.size} for d in docs],
            "summary": summary,
            "metadata": metadata,
        }
    )
    if len(body) > _MAX_INNER:
        raise UsageError(
            what=f"文档清单与开标一览表超过 {_MAX_INNER >> 20} MiB（文档过多？）"
            f" / the document list and summary exceed {_MAX_INNER >> 20} MiB (too many documents?)"
        )
    return struct.pack(">I", len(body)) + body


def _open_document(path: Path) -> io.RawIOBase:
    try:
        return open(long_path(path), "rb", buffering=0)
    except OSError as exc:
        # On Windows a document still open in Word or WPS is locked: say so, in both languages.
        raise UsageError(
            what=f"{path}: 无法读取（文件是否在其他程序中打开？）/ cannot read ({exc.strerror})"
        ) from exc


class _PlainSource:
    """The plaintext stream: the inner manifest, then every document, read in chunk-size
    pieces across file boundaries. A file that changes size while sealing is an error."""

    def __init__(self, head: bytes, docs: list[_Doc]) -> None:
        self._head = head
        self._docs = docs
        self.total = len(head) + sum(d.size for d in docs)

    def chunks(self, size: int) -> Iterator[memoryview]:
        """Successive chunk-size pieces of the plaintext (the last one shorter), read straight
        into one reused buffer: each piece is valid until the next is asked for."""
        buf = memoryview(bytearray(size))
        fill = 0
        yielded = False
        changed = "密封过程中文件被改动 / file changed while sealing"
        sources: list[tuple[Path | None, int]] = [(None, len(self._head))]
        sources += [(d.path, d.size) for d in self._docs]
        for path, expected in sources:
            # Unbuffered files: readinto() goes straight from the OS into our buffer.
            with io.BytesIO(self._head) if path is None else _open_document(path) as f:
                remaining = expected
                while remaining:
                    n = f.readinto(buf[fill : fill + min(size - fill, remaining)])
                    if not n:
                        raise UsageError(what=f"{path}: {changed}")
                    fill += n
                    remaining -= n
                    if fill == size:
                        yield buf
                        yielded = True
                        fill = 0
                if f.read(1):
                    raise UsageError(what=f"{path}: {changed}")
        if fill or not yielded:
            yield buf[:fill]


# --- sealing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealResult:
    """A sealed bid just written."""

    path: Path
    size: int
    payload_sha256: str
    section: str
    signer: str
    documents: tuple[str, ...]


def seal(
    documents: Sequence[Path],
    out: Path,
    *,
    identity: Identity,
    section: str,
    summary: Any = None,
    tender_version: str | None = None,
    recipients: Sequence[x509.Certificate | cms.Recipient] = (),
    opening_time: datetime | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> SealResult:
    """Sign and encrypt ``documents`` (and the bid summary) into one sealed-bid file.

    The file appears at ``out`` only after the self-check passed: the identity's own key
    unwraps the file key and the first and last chunks authenticate. With ``opening_time``,
    an encryption certificate that expires before it is refused.
    """
    return seal_at(
        datetime.now(UTC),
        os.urandom,
        documents,
        out,
        identity=identity,
        section=section,
        summary=summary,
        tender_version=tender_version,
        recipients=recipients,
        opening_time=opening_time,
        chunk_size=chunk_size,
        progress=progress,
        cancel=cancel,
    )


def _check_identity_times(identity: Identity, now: datetime, opening: datetime | None) -> None:
    sc = identity.signing_cert
    subject = sc.subject.rfc4514_string()
    if sc.not_valid_after_utc < now:
        raise CertificateExpiredError(subject=subject, when=_iso(sc.not_valid_after_utc))
    if sc.not_valid_before_utc > now:
        raise CertificateNotYetValidError(subject=subject, when=_iso(sc.not_valid_before_utc))
    ec_ = identity.encryption_cert
    if ec_.not_valid_after_utc < now:
        raise CertificateExpiredError(
            subject=ec_.subject.rfc4514_string(), when=_iso(ec_.not_valid_after_utc)
        )
    if opening is not None and ec_.not_valid_after_utc < opening:
        raise ExpiresBeforeOpeningError(when=_iso(ec_.not_valid_after_utc), opening=_iso(opening))


@_file_errors
def seal_at(
    now: datetime,
    rng: Callable[[int], bytes],
    documents: Sequence[Path],
    out: Path,
    *,
    identity: Identity,
    section: str,
    summary: Any = None,
    tender_version: str | None = None,
    recipients: Sequence[x509.Certificate | cms.Recipient] = (),
    opening_time: datetime | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    _skip_checks: bool = False,
) -> SealResult:
    """:func:`seal` with the time and the random source injected (tests, test vectors)."""
    if not section or not isinstance(section, str):
        raise UsageError(what="标段编号不能为空 / the section id must not be empty")
    if chunk_size < MIN_CHUNK or chunk_size > MAX_CHUNK or chunk_size & (chunk_size - 1):
        raise UsageError(what=f"chunk size {chunk_size}")
    if now.tzinfo is None or (opening_time is not None and opening_time.tzinfo is None):
        raise UsageError(what="时间须带时区 / times must carry a time zone")
    now = now.astimezone(UTC).replace(microsecond=0)
    if not _skip_checks:
        _check_identity_times(identity, now, opening_time)
    docs = _collect(documents)
    bidder = bidder_of(identity.signing_cert)
    metadata = {
        "section": section,
        "tender_version": tender_version,
        "bidder": bidder,
        "created": _iso(now),
    }
    source = _PlainSource(_inner_manifest(docs, summary, metadata), docs)

    file_key = rng(32)
    salt = rng(32)
    header = {
        "format": "sealbid",
        "version": VERSION,
        "aead": AEAD_NAME,
        "kdf": KDF_NAME,
        "chunk_size": chunk_size,
        "salt": _b64(salt),
        "key_commitment": _b64(key_commitment(file_key, salt)),
        "section": section,
        "tender_version": tender_version,
        "bidder": bidder,
        "created": _iso(now),
        "opening_time": _iso(opening_time) if opening_time else None,
    }
    header_bytes = canonical_json(header)
    # The bidder's own entry uses the best padding its key source can unwrap (a token may only
    # do OAEP-SHA1 or PKCS#1 v1.5); an EC key has no RSA paddings and uses ECDH.
    schemes = identity.rsa_schemes()
    own = cms.Recipient(identity.encryption_cert, schemes[0] if schemes else RsaPadding.OAEP_SHA256)
    others = [r if isinstance(r, cms.Recipient) else cms.Recipient(r) for r in recipients]
    others = [r for r in others if _cert_sha256(r.cert) != _cert_sha256(identity.encryption_cert)]
    recipients_der = cms.build_recipients(file_key, [own, *others])

    out = Path(out)
    if any(_same_file(out, d.path) for d in docs):
        raise UsageError(
            what=f"{out}: 输出文件不能是要密封的文档 / the output is one of the documents"
        )
    if not out.parent.is_dir():
        raise UsageError(what=f"{out.parent}: 文件夹不存在 / no such folder")
    atomic = AtomicFile(out)
    try:
        f = atomic.__enter__()
    except OSError as exc:
        raise UsageError(what=f"{out}: {exc.strerror}") from exc
    n_chunks = max(1, -(-source.total // chunk_size))
    length = source.total + TAG * n_chunks
    try:
        f.write(_PRELUDE.pack(MAGIC, MAJOR, MINOR, length))
        _write_block(f, header_bytes)
        _write_block(f, recipients_der)
        payload_start = f.tell()
        digest = _encrypt_stream(
            f, source, payload_key(file_key, salt), chunk_size, progress, cancel
        )
        manifest = canonical_json(
            {
                "format": "sealbid-outer-manifest",
                "version": VERSION,
                "header": header,
                "header_sha256": hashlib.sha256(header_bytes).hexdigest(),
                "recipients_sha256": hashlib.sha256(recipients_der).hexdigest(),
                "payload": {"length": length, "sha256": digest},
            }
        )
        signature = identity.sign_detached(manifest, signing_time=now)
        _write_block(f, manifest)
        _write_block(f, signature)
        f.flush()
        _self_check(atomic.tmp, identity, payload_start, length)
    except BaseException as exc:
        atomic.__exit__(type(exc), exc, exc.__traceback__)
        raise
    atomic.__exit__(None, None, None)
    return SealResult(
        path=out,
        size=out.stat().st_size,
        payload_sha256=digest,
        section=section,
        signer=identity.signing_cert.subject.rfc4514_string(),
        documents=tuple(d.name for d in docs),
    )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _block(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _write_block(f: BinaryIO, data: bytes) -> None:
    f.write(_block(data))


class _Background:
    """Runs ``consume(item)`` for each queued item on a second thread, so hashing and file I/O
    overlap with AES on the main thread (hashlib, AES and file I/O all release the GIL). The
    bounded queue keeps memory constant."""

    def __init__(self, consume: Callable[[bytes], object], name: str) -> None:
        self._consume = consume
        self._q: Queue[bytes | None] = Queue(maxsize=8)
        self._error: BaseException | None = None
        self._t = threading.Thread(target=self._run, name=name, daemon=True)
        self._t.start()

    def _run(self) -> None:
        try:
            while (item := self._q.get()) is not None:
                self._consume(item)
        except BaseException as exc:  # reported to the producer in put()/close()
            self._error = exc
            while self._q.get() is not None:
                pass

    def put(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._q.put(data)

    def close(self) -> None:
        self._q.put(None)
        self._t.join()
        if self._error is not None:
            raise self._error


def _prefetch(produce: Iterator[bytes], name: str) -> Generator[bytes, None, None]:
    """Run the ``produce`` generator on a second thread, a bounded queue ahead of the caller."""
    q: Queue[tuple[bytes | None, BaseException | None]] = Queue(maxsize=8)
    stop = threading.Event()

    def run() -> None:
        try:
            for item in produce:
                if stop.is_set():
                    return
                q.put((item, None))
            q.put((None, None))
        except BaseException as exc:  # handed to the consumer below
            q.put((None, exc))

    t = threading.Thread(target=run, name=name, daemon=True)
    t.start()
    try:
        while True:
            item, error = q.get()
            if error is not None:
                raise error
            if item is None:
                return
            yield item
    finally:
        stop.set()
        while t.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(Exception):
                q.get(timeout=0.05)
        t.join()


def _encrypt_stream(
    f: BinaryIO,
    source: _PlainSource,
    key: bytes,
    chunk_size: int,
    progress: Progress | None,
    cancel: Cancel | None,
) -> str:
    """Encrypt the plaintext into ``f``; the SHA-256 of the ciphertext written."""
    aead = AESGCM(key)
    total = source.total
    n_chunks = max(1, -(-total // chunk_size))
    digest = hashlib.sha256()
    # Three stages on three threads: read + AES here, SHA-256 and the write beside it. AES is
    # the cheapest (~0.1 s/GiB with AES-NI); SHA-256 (~0.5 s/GiB) and the copy into the page
    # cache would otherwise queue behind each other.
    hasher = _Background(digest.update, "sealbid-hash")
    writer = _Background(f.write, "sealbid-write")
    done = 0
    try:
        for i, chunk in enumerate(source.chunks(chunk_size)):
            if i >= n_chunks:
                raise UsageError(what="文档在密封过程中变大 / documents grew while sealing")
            last = i == n_chunks - 1
            if not last and len(chunk) != chunk_size:
                raise UsageError(what="文档在密封过程中变小 / documents shrank while sealing")
            ct = aead.encrypt(_nonce(i, last), chunk, None)
            hasher.put(ct)
            writer.put(ct)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
            _check_cancel(cancel)
    except BaseException:
        for stage in (hasher, writer):
            with contextlib.suppress(BaseException):
                stage.close()
        raise
    hasher.close()
    writer.close()
    if done != total:
        raise UsageError(what="文档在密封过程中被改动 / documents changed while sealing")
    return digest.hexdigest()


def _self_check(path: Path, identity: Identity, payload_start: int, length: int) -> None:
    """Prove the bidder's own key opens what was just written: unwrap, commitment, and the
    first and last chunks authenticate."""
    try:
        with open(path, "rb") as f:
            parsed = _parse(f, os.fstat(f.fileno()).st_size)
            file_key = cms.unwrap_file_key(parsed.recipients_der, identity)
            _check_commitment(parsed, file_key)
            aead = AESGCM(payload_key(file_key, parsed.salt))
            n = parsed.n_chunks
            for i in sorted({0, n - 1}):
                f.seek(parsed.payload_start + i * (parsed.chunk_size + TAG))
                ct = f.read(parsed.chunk_len(i))
                aead.decrypt(_nonce(i, i == n - 1), ct, None)
    except (CryptoError, InvalidTag) as exc:
        what = exc.code if isinstance(exc, CryptoError) else "chunk authentication"
        raise SelfCheckError(what=what) from exc


# --- reading ---------------------------------------------------------------------------------


@dataclass
class _Parsed:
    header: dict[str, Any]
    header_bytes: bytes
    recipients_der: bytes
    payload_start: int
    payload_length: int
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: bytes
    chunk_size: int
    salt: bytes
    commitment: bytes
    minor: int
    file_size: int
    prefix_sha256: bytes  # of every byte before the payload, as parsed
    suffix_sha256: bytes  # of every byte after it
    n_chunks: int = field(init=False)

    def __post_init__(self) -> None:
        full = self.chunk_size + TAG
        self.n_chunks = max(1, -(-self.payload_length // full))

    def chunk_len(self, i: int) -> int:
        full = self.chunk_size + TAG
        return full if i < self.n_chunks - 1 else self.payload_length - full * (self.n_chunks - 1)


def _read_exact(f: BinaryIO, n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise TruncatedError()
    return data


def _read_block(f: BinaryIO, limit: int, what: str) -> bytes:
    (n,) = struct.unpack(">I", _read_exact(f, 4))
    if n > limit:
        raise FormatError(what=f"{what} too large ({n} bytes)")
    return _read_exact(f, n)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate key")
    return obj


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json(data: bytes, what: str) -> dict[str, Any]:
    """A canonical JSON object (§2): strict JSON, no duplicate keys, written exactly as
    :func:`canonical_json` writes it, so one value has one encoding and one digest."""
    try:
        obj = json.loads(
            data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FormatError(what=f"{what} is not JSON") from exc
    if not isinstance(obj, dict):
        raise FormatError(what=f"{what} is not a JSON object")
    try:
        canonical = canonical_json(obj) == data
    except (UsageError, RecursionError):
        canonical = False
    if not canonical:
        raise FormatError(what=f"{what} is not canonical JSON")
    return obj


def _parse(f: BinaryIO, file_size: int) -> _Parsed:
    """Read everything but the payload; check the structure, not yet the signature."""
    raw = f.read(_PRELUDE.size)
    if len(raw) < 8 or raw[:8] != MAGIC:
        raise NotASealedBidError()
    if len(raw) < _PRELUDE.size:
        raise TruncatedError()
    _, major, minor, payload_length = _PRELUDE.unpack(raw)
    if major != MAJOR:
        raise UnsupportedVersionError(version=f"{major}.{minor}")
    header_bytes = _read_block(f, _MAX_BLOCK, "header")
    header = _json(header_bytes, "header")
    recipients_der = _read_block(f, _MAX_BLOCK, "recipients")
    payload_start = f.tell()
    if payload_start + payload_length > file_size:
        raise TruncatedError()
    f.seek(payload_start + payload_length)
    manifest_bytes = _read_block(f, _MAX_BLOCK, "manifest")
    signature = _read_block(f, _MAX_BLOCK, "signature")
    if f.tell() != file_size:
        raise TrailingDataError()
    if header.get("format") != "sealbid":
        raise FormatError(what="header format")
    version = header.get("version")
    if not isinstance(version, str) or version.split(".")[0] != str(MAJOR):
        raise UnsupportedVersionError(version=str(version))
    for key, known in (("aead", AEAD_NAME), ("kdf", KDF_NAME)):
        if header.get(key) != known:
            raise UnsupportedAlgorithmError(name=f"{key}={header.get(key)!r}")
    chunk_size = header.get("chunk_size")
    if (
        not isinstance(chunk_size, int)
        or chunk_size < MIN_CHUNK
        or chunk_size > MAX_CHUNK
        or chunk_size & (chunk_size - 1)
    ):
        raise FormatError(what="chunk_size")
    salt = _unb64(header.get("salt"), "salt")
    commitment = _unb64(header.get("key_commitment"), "key_commitment")
    if len(salt) != 32 or len(commitment) != 32:
        raise FormatError(what="salt / key_commitment length")
    parsed = _Parsed(
        header=header,
        header_bytes=header_bytes,
        recipients_der=recipients_der,
        payload_start=payload_start,
        payload_length=payload_length,
        manifest=_json(manifest_bytes, "manifest"),
        manifest_bytes=manifest_bytes,
        signature=signature,
        chunk_size=chunk_size,
        salt=salt,
        commitment=commitment,
        minor=minor,
        file_size=file_size,
        prefix_sha256=hashlib.sha256(raw + _block(header_bytes) + _block(recipients_der)).digest(),
        suffix_sha256=hashlib.sha256(_block(manifest_bytes) + _block(signature)).digest(),
    )
    last = parsed.chunk_len(parsed.n_chunks - 1)
    if last < TAG or (parsed.n_chunks > 1 and last == TAG):
        raise FormatError(what="payload length does not fit the chunk size")
    return parsed


def _check_manifest(p: _Parsed) -> None:
    """The signed manifest must describe exactly this file's header, recipients and payload."""
    m = p.manifest
    if m.get("format") != "sealbid-outer-manifest":
        raise ManifestMismatchError(what="format")
    if m.get("header_sha256") != hashlib.sha256(p.header_bytes).hexdigest():
        raise HeaderTamperedError(what="header / 文件头")
    if m.get("recipients_sha256") != hashlib.sha256(p.recipients_der).hexdigest():
        raise HeaderTamperedError(what="recipients / 收件人")
    if p.header.get("version") != f"{MAJOR}.{p.minor}":
        raise ManifestMismatchError(what="prelude version ≠ signed header / 版本号不一致")
    if m.get("header") != p.header:
        raise ManifestMismatchError(what="header copy / 文件头副本")
    payload = m.get("payload")
    if not isinstance(payload, dict) or payload.get("length") != p.payload_length:
        raise ManifestMismatchError(what="payload length / 密文长度")
    if not isinstance(payload.get("sha256"), str):
        raise ManifestMismatchError(what="payload digest")


def _check_commitment(p: _Parsed, file_key: bytes) -> None:
    import hmac

    if len(file_key) != 32 or not hmac.compare_digest(
        key_commitment(file_key, p.salt), p.commitment
    ):
        raise KeyCommitmentError()


@dataclass(frozen=True)
class BidInfo:
    """What ``inspect`` shows without a key and without reading the payload."""

    version: str
    section: str
    tender_version: str | None
    bidder: dict[str, Any]
    created: datetime
    opening_time: str | None
    chunk_size: int
    payload_length: int
    payload_sha256: str
    file_size: int
    recipients: tuple[cms.RecipientSummary, ...]
    signer_subject: str
    signer_serial: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "section": self.section,
            "tender_version": self.tender_version,
            "bidder": self.bidder,
            "created": _iso(self.created),
            "opening_time": self.opening_time,
            "chunk_size": self.chunk_size,
            "payload_length": self.payload_length,
            "payload_sha256": self.payload_sha256,
            "file_size": self.file_size,
            "signer": {"subject": self.signer_subject, "serial": self.signer_serial},
            "recipients": [
                {"issuer": r.issuer, "serial": r.serial, "algorithm": r.algorithm}
                for r in self.recipients
            ],
        }


@dataclass(frozen=True)
class VerifiedBid:
    """A sealed bid whose signature, manifest and ciphertext digest checked out."""

    info: BidInfo
    signer: x509.Certificate
    trusted: bool
    sha256: str


def _open_file(path: Path) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise UsageError(what=f"{path}: {exc.strerror}") from exc


def _info(p: _Parsed, signer: x509.Certificate) -> BidInfo:
    h = p.header
    try:
        created = _parse_time(str(h.get("created")))
    except ValueError as exc:
        raise FormatError(what="created") from exc
    section = h.get("section")
    bidder = h.get("bidder")
    if not isinstance(section, str) or not isinstance(bidder, dict):
        raise FormatError(what="section / bidder")
    return BidInfo(
        version=f"{MAJOR}.{p.minor}",
        section=section,
        tender_version=h.get("tender_version"),
        bidder=bidder,
        created=created,
        opening_time=h.get("opening_time"),
        chunk_size=p.chunk_size,
        payload_length=p.payload_length,
        payload_sha256=str(p.manifest.get("payload", {}).get("sha256")),
        file_size=p.file_size,
        recipients=tuple(cms.describe_recipients(p.recipients_der)),
        signer_subject=signer.subject.rfc4514_string(),
        signer_serial=signer.serial_number,
    )


def _verify_parsed(
    p: _Parsed, trust: Sequence[x509.Certificate] | None
) -> tuple[BidInfo, cms.VerifiedSigner]:
    try:
        created = _parse_time(str(p.header.get("created")))
    except ValueError as exc:
        raise FormatError(what="created") from exc
    # §7: signature, then the manifest against the file, then the signer, and only then the
    # certificate path, judged at the creation time the bidder signed (now authenticated).
    # The platform's receipt (its own clock) is what proves when a bid really arrived.
    signer = cms.verify_detached(p.signature, p.manifest_bytes, trust=None, at=created)
    _check_manifest(p)
    info = _info(p, signer.cert)
    if info.bidder.get("cert_sha256") != _cert_sha256(signer.cert):
        raise SignerMismatchError()
    if trust is not None:
        signer = cms.validate_path(signer, trust=trust, at=created)
    return info, signer


@_file_errors
def inspect(path: Path) -> BidInfo:
    """Structure and metadata, without a key and without hashing the payload."""
    with _open_file(path) as f:
        p = _parse(f, os.fstat(f.fileno()).st_size)
    # What inspect shows comes from the header: only once it matches what the bidder signed.
    info, _ = _verify_parsed(p, None)
    return info


@_file_errors
def extract(path: Path, directory: Path) -> list[Path]:
    """Write ``recipients.der``, ``outer-manifest``, ``outer-manifest.p7s`` and
    ``header.json`` for checking with OpenSSL alone (docs/envelope.md)."""
    with _open_file(path) as f:
        p = _parse(f, os.fstat(f.fileno()).st_size)
    directory.mkdir(parents=True, exist_ok=True)
    from ._files import atomic_write

    written = []
    for name, data in (
        ("recipients.der", p.recipients_der),
        ("outer-manifest", p.manifest_bytes),
        ("outer-manifest.p7s", p.signature),
        ("header.json", p.header_bytes),
    ):
        atomic_write(directory / name, data)
        written.append(directory / name)
    return written


@_file_errors
def verify(
    path: Path,
    *,
    trust: Sequence[x509.Certificate] | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> VerifiedBid:
    """Check structure, the bidder's signature (and with ``trust`` its certificate path),
    the manifest against header and recipients, and the ciphertext digest. No key needed."""
    with _open_file(path) as f:
        size = os.fstat(f.fileno()).st_size
        p = _parse(f, size)
        info, signer = _verify_parsed(p, trust)
        f.seek(0)
        whole = hashlib.sha256()
        regions = [hashlib.sha256(), hashlib.sha256(), hashlib.sha256()]  # before/payload/after
        bounds = (0, p.payload_start, p.payload_start + p.payload_length, size)
        pos = 0
        hasher = _Background(whole.update, "sealbid-verify-hash")
        try:
            # Exactly the bytes that were parsed: a file that grows meanwhile is not hashed on.
            while pos < size and (chunk := f.read(min(1 << 20, size - pos))):
                hasher.put(chunk)
                for h, lo, hi in zip(regions, bounds, bounds[1:], strict=False):
                    a, b = max(pos, lo), min(pos + len(chunk), hi)
                    if a < b:
                        h.update(memoryview(chunk)[a - pos : b - pos])
                pos += len(chunk)
                if progress is not None:
                    progress(pos, size)
                _check_cancel(cancel)
        finally:
            hasher.close()
    if pos != size:
        raise TruncatedError()
    if regions[1].hexdigest() != info.payload_sha256:
        raise PayloadDigestError()
    # The parts around the payload must still be the ones whose signature was checked.
    if (regions[0].digest(), regions[2].digest()) != (p.prefix_sha256, p.suffix_sha256):
        raise ManifestMismatchError(
            what="文件在验证过程中被改动 / the file changed while verifying"
        )
    return VerifiedBid(
        info=info, signer=signer.cert, trusted=signer.trusted, sha256=whole.hexdigest()
    )


# --- opening ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedBid:
    """A bid opened into ``directory``: documents under ``documents/``, the summary in
    ``summary.json`` and the inner manifest in ``manifest.json``."""

    directory: Path
    documents: tuple[tuple[str, int], ...]
    summary: Any
    metadata: dict[str, Any]
    info: BidInfo
    trusted: bool


class _PlainSink:
    """Consumes the decrypted stream: inner manifest first, then each document into its file
    in the staging folder. Sizes are checked against the manifest as bytes arrive."""

    def __init__(self, staging: Path, expected: dict[str, Any]) -> None:
        self._staging = staging
        self._expected = expected
        self._buf = bytearray()
        self.manifest: dict[str, Any] | None = None
        self._docs: list[tuple[str, int]] = []
        self._index = 0
        self._left = 0
        self._file: BinaryIO | None = None

    def _start_documents(self, manifest: dict[str, Any]) -> None:
        if manifest.get("format") != "sealbid-inner-manifest":
            raise InnerManifestError(what="format")
        meta = manifest.get("metadata")
        if not isinstance(meta, dict):
            raise InnerManifestError(what="metadata")
        for key in ("section", "tender_version", "created"):
            if meta.get(key) != self._expected.get(key):
                raise InnerManifestError(what=f"metadata.{key} ≠ header")
        bidder = meta.get("bidder")
        if not isinstance(bidder, dict) or bidder != self._expected.get("bidder"):
            raise InnerManifestError(what="metadata.bidder ≠ header")
        docs = manifest.get("documents")
        if not isinstance(docs, list) or not docs:
            raise InnerManifestError(what="documents")
        for d in docs:
            if (
                not isinstance(d, dict)
                or not isinstance(d.get("name"), str)
                or not isinstance(d.get("size"), int)
                or isinstance(d.get("size"), bool)
                or d["size"] < 0
            ):
                raise InnerManifestError(what="document entry")
            self._docs.append((check_document_name(d["name"]), d["size"]))
        check_unique(n for n, _ in self._docs)
        self.manifest = manifest
        self._next_document()

    def _next_document(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        while self._index < len(self._docs):
            name, size = self._docs[self._index]
            target = long_path(self._staging / "documents" / Path(*name.split("/")))
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Owner-only: this is a decrypted bid. O_EXCL: never write through a planted file.
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            self._file = os.fdopen(os.open(target, flags, 0o600), "wb")
            self._left = size
            if size > 0:
                return
            self._file.close()
            self._file = None
            self._index += 1

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        if self.manifest is None:
            self._buf += view
            if len(self._buf) < 4:
                return
            (n,) = struct.unpack(">I", self._buf[:4])
            if n > _MAX_INNER:
                raise InnerManifestError(what="inner manifest too large")
            if len(self._buf) < 4 + n:
                return
            try:
                manifest = _json(bytes(self._buf[4 : 4 + n]), "inner manifest")
            except FormatError as exc:
                raise InnerManifestError(what="not a JSON object / 不是 JSON 对象") from exc
            rest = bytes(self._buf[4 + n :])
            self._buf = bytearray()
            self._start_documents(manifest)
            view = memoryview(rest)
        while len(view):
            if self._file is None:
                raise InnerManifestError(
                    what="more content than the documents' sizes / 内容多于清单"
                )
            take = min(self._left, len(view))
            self._file.write(view[:take])
            view = view[take:]
            self._left -= take
            if self._left == 0:
                self._index += 1
                self._next_document()

    def finish(self) -> None:
        if self.manifest is None:
            raise InnerManifestError(what="no inner manifest")
        if self._file is not None or self._index < len(self._docs):
            raise InnerManifestError(what="less content than the documents' sizes / 内容少于清单")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    @property
    def documents(self) -> tuple[tuple[str, int], ...]:
        return tuple(self._docs)


_OUTPUTS = ("documents", "summary.json", "manifest.json")


def _remove_created(created: list[Path]) -> None:
    """Remove the folders a failed open created, innermost first, if nothing else is in them."""
    for d in reversed(created):
        with contextlib.suppress(OSError):
            d.rmdir()


@_file_errors
def open_bid(
    path: Path,
    identity: Identity,
    out_dir: Path,
    *,
    trust: Sequence[x509.Certificate] | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> OpenedBid:
    """Verify and decrypt a sealed bid into ``out_dir``.

    Checks, in order: structure, signature (and path with ``trust``), manifest, recipient and
    key, key commitment, every chunk, the ciphertext digest, the inner manifest. On any fault
    nothing is left in ``out_dir`` (a folder it created is removed again).
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(what=f"{out_dir}: 不是文件夹 / not a folder")
    for name in _OUTPUTS:
        if (out_dir / name).exists():
            raise UsageError(what=f"{out_dir / name}: 已存在 / already exists")
    # Folders this call creates, outermost first, so a failure can remove exactly those.
    created = [d for d in (out_dir, *out_dir.parents) if not d.exists()][::-1]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = out_dir / f".sealbid-open-{os.urandom(6).hex()}"
        staging.mkdir(mode=0o700)
    except OSError as exc:
        _remove_created(created)
        raise UsageError(what=f"{out_dir}: {exc.strerror}") from exc
    try:
        opened = _open_into(path, identity, staging, trust, progress, cancel)
        for name in _OUTPUTS:
            if (staging / name).exists():
                os.replace(staging / name, out_dir / name)
        staging.rmdir()
    except BaseException:
        shutil.rmtree(long_path(staging), ignore_errors=True)
        for name in _OUTPUTS:
            target = out_dir / name
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
            else:
                remove_quietly(target)
        _remove_created(created)
        raise
    return OpenedBid(
        directory=out_dir,
        documents=opened[0],
        summary=opened[1],
        metadata=opened[2],
        info=opened[3],
        trusted=opened[4],
    )


def _header_metadata(p: _Parsed) -> dict[str, Any]:
    """What the inner manifest's metadata must repeat of the signed header."""
    return {k: p.header.get(k) for k in ("section", "tender_version", "created", "bidder")}


def _decrypt_payload(
    f: BinaryIO,
    p: _Parsed,
    info: BidInfo,
    file_key: bytes,
    sink: _PlainSink,
    progress: Progress | None,
    cancel: Cancel | None,
) -> None:
    """Check ``file_key`` against the key commitment, then decrypt and authenticate every
    chunk of ``f``'s payload into ``sink`` and check the ciphertext digest."""
    _check_commitment(p, file_key)
    aead = AESGCM(payload_key(file_key, p.salt))
    digest = hashlib.sha256()
    f.seek(p.payload_start)

    def read_and_hash() -> Iterator[bytes]:
        for i in range(p.n_chunks):
            n = p.chunk_len(i)
            ct = f.read(n)
            if len(ct) != n:
                raise TruncatedError()
            digest.update(ct)
            yield ct

    done = 0
    chunks = _prefetch(read_and_hash(), "sealbid-read-hash")
    try:
        for i, ct in enumerate(chunks):
            try:
                plain = aead.decrypt(_nonce(i, i == p.n_chunks - 1), ct, None)
            except InvalidTag as exc:
                raise PayloadCorruptedError(chunk=i) from exc
            sink.write(plain)
            done += len(ct)
            if progress is not None:
                progress(done, p.payload_length)
            _check_cancel(cancel)
        sink.finish()
    finally:
        # Stop the reader thread before the file closes under it.
        chunks.close()
        sink.close()
    if digest.hexdigest() != info.payload_sha256:
        raise PayloadDigestError()


def _open_into(
    path: Path,
    identity: Identity,
    staging: Path,
    trust: Sequence[x509.Certificate] | None,
    progress: Progress | None,
    cancel: Cancel | None,
) -> tuple[tuple[tuple[str, int], ...], Any, dict[str, Any], BidInfo, bool]:
    with _open_file(path) as f:
        p = _parse(f, os.fstat(f.fileno()).st_size)
        info, signer = _verify_parsed(p, trust)
        file_key = cms.unwrap_file_key(p.recipients_der, identity)
        sink = _PlainSink(staging, _header_metadata(p))
        _decrypt_payload(f, p, info, file_key, sink, progress, cancel)
    manifest = sink.manifest or {}
    summary = manifest.get("summary")
    from ._files import atomic_write

    atomic_write(
        staging / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    )
    if summary is not None:
        atomic_write(
            staging / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2).encode()
        )
    (staging / "documents").mkdir(exist_ok=True)
    meta = manifest.get("metadata")
    return sink.documents, summary, meta if isinstance(meta, dict) else {}, info, signer.trusted
