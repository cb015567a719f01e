"""Key release for the remote opening: the bidder unwraps its file key from the small parts of
its stored bid, the platform checks a released key against the whole stored bid.

    head, tail = envelope_parts(path)                      # platform: the blocks around the payload
    unwrapped = unwrap_envelope(head, tail, identity)      # bidder: file key, locally
    checked = open_with_key(path, unwrapped.file_key)      # platform: every chunk, the summary

``head`` is the prelude, header and recipients; ``tail`` the outer manifest and the bidder's
signature (docs/envelope.md §1). Neither holds anything encrypted, so handing them to their
bidder reveals nothing; the payload never leaves the platform. ``open_with_key`` decrypts and
authenticates every chunk and reads the inner manifest, but keeps no document: the platform only
ever holds the summary (开标一览表), and only from the moment the bidder releases its key.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from sealbid.errors import UsageError

from . import cms
from .envelope import (
    _PRELUDE,
    BidInfo,
    Cancel,
    _check_commitment,
    _decrypt_payload,
    _file_errors,
    _header_metadata,
    _open_file,
    _parse,
    _Parsed,
    _PlainSink,
    _verify_parsed,
)
from .errors import FormatError, TruncatedError
from .identity import Identity

__all__ = [
    "CheckedBid",
    "UnwrappedKey",
    "envelope_parts",
    "open_with_key",
    "parts_info",
    "unwrap_envelope",
]


@_file_errors
def envelope_parts(path: Path) -> tuple[bytes, bytes]:
    """The bytes of ``path`` before its payload and after it (structure checked)."""
    with _open_file(path) as f:
        p = _parse(f, os.fstat(f.fileno()).st_size)
        f.seek(0)
        head = f.read(p.payload_start)
        f.seek(p.payload_start + p.payload_length)
        tail = f.read()
    if len(head) != p.payload_start:
        raise TruncatedError()
    return head, tail


class _Spliced(io.RawIOBase):
    """``head``, a hole as long as the payload, ``tail``: a file :func:`_parse` can read
    without the payload (it never reads the hole)."""

    def __init__(self, head: bytes, hole: int, tail: bytes) -> None:
        self._head, self._hole, self._tail = head, hole, tail
        self._pos = 0
        self.size = len(head) + hole + len(tail)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self.size}[whence]
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def read(self, n: int | None = -1) -> bytes:
        end = self.size if n is None or n < 0 else min(self.size, self._pos + n)
        out = bytearray()
        start_tail = len(self._head) + self._hole
        while self._pos < end:
            if self._pos < len(self._head):
                take = self._head[self._pos : min(end, len(self._head))]
            elif self._pos >= start_tail:
                take = self._tail[self._pos - start_tail : end - start_tail]
            else:
                raise FormatError(what="payload requested from the envelope parts")
            out += take
            self._pos += len(take)
        return bytes(out)


@dataclass(frozen=True)
class UnwrappedKey:
    """A file key unwrapped from a bid's envelope, with what the signed parts say."""

    file_key: bytes
    info: BidInfo
    signer: x509.Certificate
    trusted: bool
    recipient_certificate_sha256: str | None


def _parse_parts(head: bytes, tail: bytes) -> _Parsed:
    if len(head) < _PRELUDE.size:
        raise TruncatedError()
    payload_length = _PRELUDE.unpack(head[: _PRELUDE.size])[3]
    spliced = _Spliced(head, payload_length, tail)
    p = _parse(spliced, spliced.size)  # type: ignore[arg-type]
    if p.payload_start != len(head):
        raise FormatError(what="head does not end where the payload starts")
    return p


def unwrap_envelope(
    head: bytes,
    tail: bytes,
    identity: Identity,
    *,
    trust: Sequence[x509.Certificate] | None = None,
) -> UnwrappedKey:
    """Check the bidder's signature over the parts (and with ``trust`` its certificate path),
    unwrap the file key with ``identity`` (file or token: the private key stays where it is)
    and check it against the signed key commitment. Raises NoMatchingRecipientError when
    ``identity`` is not a recipient (a renewed certificate), WrongKeyError or
    KeyCommitmentError when the key does not fit."""
    p = _parse_parts(head, tail)
    info, signer = _verify_parsed(p, trust)
    file_key = cms.unwrap_file_key(p.recipients_der, identity)
    _check_commitment(p, file_key)
    enc = identity.encryption_cert
    own = hashlib.sha256(enc.public_bytes(Encoding.DER)).hexdigest()
    return UnwrappedKey(
        file_key=file_key,
        info=info,
        signer=signer.cert,
        trusted=signer.trusted,
        recipient_certificate_sha256=own,
    )


def parts_info(head: bytes, tail: bytes) -> BidInfo:
    """What the signed parts say (signature checked, no key needed)."""
    p = _parse_parts(head, tail)
    info, _ = _verify_parsed(p, None)
    return info


@dataclass(frozen=True)
class CheckedBid:
    """A stored bid that a released key opened: every chunk authenticated, digest matched."""

    info: BidInfo
    signer: x509.Certificate
    summary: Any
    metadata: dict[str, Any]
    documents: tuple[tuple[str, int], ...]


class _Null:
    def write(self, data: bytes) -> int:
        return len(data)

    def close(self) -> None:
        pass


class _DiscardSink(_PlainSink):
    """The inner-manifest and size checks of :class:`_PlainSink`; documents go nowhere."""

    def _next_document(self) -> None:
        self._file = None
        while self._index < len(self._docs):
            self._left = self._docs[self._index][1]
            if self._left > 0:
                self._file = _Null()  # type: ignore[assignment]
                return
            self._index += 1


@_file_errors
def open_with_key(
    path: Path,
    file_key: bytes,
    *,
    trust: Sequence[x509.Certificate] | None = None,
    cancel: Cancel | None = None,
) -> CheckedBid:
    """Open the stored bid at ``path`` with a released ``file_key`` without writing anything:
    structure, signature, key commitment (KeyCommitmentError), every chunk
    (PayloadCorruptedError), ciphertext digest, inner manifest. Returns the summary."""
    if not isinstance(file_key, bytes | bytearray) or len(file_key) != 32:
        raise UsageError(what="file key: 32 bytes / 文件密钥应为 32 字节")
    with _open_file(path) as f:
        p = _parse(f, os.fstat(f.fileno()).st_size)
        info, signer = _verify_parsed(p, trust)
        sink = _DiscardSink(Path("."), _header_metadata(p))
        _decrypt_payload(f, p, info, bytes(file_key), sink, None, cancel)
    manifest = sink.manifest or {}
    meta = manifest.get("metadata")
    return CheckedBid(
        info=info,
        signer=signer.cert,
        summary=manifest.get("summary"),
        metadata=meta if isinstance(meta, dict) else {},
        documents=sink.documents,
    )
