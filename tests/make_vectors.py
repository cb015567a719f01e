"""Regenerate the sealed-bid test vectors in ``tests/vectors/`` (format v1, docs/envelope.md).

    .venv/bin/python tests/make_vectors.py                 # rewrites tests/vectors/
    .venv/bin/python tests/make_vectors.py --out /tmp/v    # anywhere else (test_vectors does)

Each case is one ``<case>.sealbid`` file beside a ``<case>.json`` sidecar::

    {"case": "payload-bitflip", "operation": "open", "expect": "PayloadCorruptedError",
     "description": "...", "identity": "bidder"}

``operation`` is ``open`` (``crypto.open_bid`` with ``<identity>.p12``) or ``verify``
(``crypto.verify`` with ``trust``, a CA file in this folder, or null for no trust anchors).
``expect`` is ``ok`` or the name of a class in ``crypto.errors``. Valid ``open`` cases also list
the documents (name, size, SHA-256) that must come out. tests/test_vectors.py runs every case.

The folder also holds the fixed test CA (``ca.pem``) and two bidders, ``bidder`` (dual RSA-2048)
and ``bidder-ec`` (dual P-256), as PKCS#12 (password in ``password.txt``) and as PEM
certificates and unencrypted keys so that ``openssl cms`` can check the vectors by hand.
THESE KEYS ARE PUBLIC TEST KEYS.

Deterministic where it matters: the times are fixed, and file keys, salts and document contents
come from generators seeded by the case name. Key pairs, RSA-OAEP, ECDSA and CMS content keys
are fresh on every run, so the bytes differ between runs while every case's outcome does not;
test_vectors regenerates the set and runs it again to hold that true. Tampered files are built
from the format's own pieces (``crypto.envelope`` internals), re-signed by the bidder wherever
a case is about a check that comes after the signature.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import struct
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

from crypto import cms, envelope
from crypto.ca import IssuedIdentity, KeyType, Role, SandboxCA
from crypto.identity import FileIdentity, Identity, RsaPadding

# The CA and certificates are made at T0; every bid is sealed at CREATED. Certificate checks
# are made at the bid's creation time, so the vectors stay valid after the certificates expire.
T0 = datetime(2025, 1, 1, tzinfo=UTC)
CREATED = datetime(2025, 3, 1, 2, 0, 0, tzinfo=UTC)
OPENING = datetime(2025, 3, 31, 1, 30, 0, tzinfo=UTC)
PASSWORD = "sealbid-vectors"
CHUNK = 4096  # the smallest chunk size the format allows: multi-chunk files stay a few KB
FULL = CHUNK + envelope.TAG
SECTION = "S-2025-001"
TENDER_VERSION = "T-2025-001-v2"
SUMMARY = {"bid_price": "1234567.89", "currency": "CNY", "工期": "180日历天"}
ORG_CODE = "91350100M000100Y43"

_OWNED = ("*.sealbid", "*.json", "*.pem", "*.p12", "password.txt", "README.md")


def _rng(seed: str) -> Callable[[int], bytes]:
    return random.Random(f"sealbid-vectors/{seed}").randbytes


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _block(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _flip(data: bytes, index: int) -> bytes:
    b = bytearray(data)
    b[index] ^= 0x01
    return bytes(b)


@dataclass
class Case:
    name: str
    operation: str  # "open" | "verify"
    expect: str  # "ok" or a crypto.errors class name
    description: str
    data: bytes
    identity: str = "bidder"  # open: which <identity>.p12 opens it
    trust: str | None = "ca.pem"  # verify: trust anchors (None: signature only, no path)
    documents: list[dict[str, Any]] | None = None  # open + ok: what must come out
    summary: Any = None
    params: dict[str, Any] | None = None  # failures: values the error must carry

    def sidecar(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "case": self.name,
            "operation": self.operation,
            "expect": self.expect,
            "description": self.description,
        }
        if self.operation == "open":
            out["identity"] = self.identity
        else:
            out["trust"] = self.trust
        if self.params is not None:
            out["params"] = self.params
        if self.operation == "open" and self.expect == "ok":
            out["documents"] = self.documents
            out["summary"] = self.summary
        return out


@dataclass
class Parts:
    """A sealed-bid file cut into its fields, to alter one and put it back together."""

    header: bytes
    recipients: bytes
    payload: bytes
    manifest: bytes
    signature: bytes
    magic: bytes = envelope.MAGIC
    major: int = envelope.MAJOR
    minor: int = envelope.MINOR
    prelude_length: int | None = None  # None: the real payload length

    @classmethod
    def of(cls, data: bytes) -> Parts:
        p = envelope._parse(io.BytesIO(data), len(data))
        return cls(
            header=p.header_bytes,
            recipients=p.recipients_der,
            payload=data[p.payload_start : p.payload_start + p.payload_length],
            manifest=p.manifest_bytes,
            signature=p.signature,
        )

    def to_bytes(self) -> bytes:
        length = len(self.payload) if self.prelude_length is None else self.prelude_length
        return (
            envelope._PRELUDE.pack(self.magic, self.major, self.minor, length)
            + _block(self.header)
            + _block(self.recipients)
            + self.payload
            + _block(self.manifest)
            + _block(self.signature)
        )

    def offsets(self) -> dict[str, int]:
        """Where each field starts in :meth:`to_bytes`."""
        header = envelope._PRELUDE.size
        recipients = header + 4 + len(self.header)
        payload = recipients + 4 + len(self.recipients)
        manifest = payload + len(self.payload)
        signature = manifest + 4 + len(self.manifest)
        return {
            "header": header,
            "recipients": recipients,
            "payload": payload,
            "manifest": manifest,
            "signature": signature,
            "end": signature + 4 + len(self.signature),
        }

    def header_json(self) -> dict[str, Any]:
        obj: dict[str, Any] = json.loads(self.header)
        return obj

    def with_header(self, edit: Callable[[dict[str, Any]], None]) -> Parts:
        h = self.header_json()
        edit(h)
        return replace(self, header=envelope.canonical_json(h))

    def chunks(self) -> list[bytes]:
        return [self.payload[i : i + FULL] for i in range(0, len(self.payload), FULL)]

    def with_chunks(self, chunks: Sequence[bytes]) -> Parts:
        return replace(self, payload=b"".join(chunks))

    def resigned(
        self, identity: Identity, edit: Callable[[dict[str, Any]], None] | None = None
    ) -> Parts:
        """The manifest rebuilt for the current header, recipients and payload, optionally
        edited, and signed again: the bidder vouches for whatever the file now holds."""
        m: dict[str, Any] = json.loads(self.manifest)
        m["header"] = self.header_json()
        m["header_sha256"] = _sha256(self.header)
        m["recipients_sha256"] = _sha256(self.recipients)
        m["payload"] = {"length": len(self.payload), "sha256": _sha256(self.payload)}
        if edit is not None:
            edit(m)
        manifest = envelope.canonical_json(m)
        return replace(
            self,
            manifest=manifest,
            signature=identity.sign_detached(manifest, signing_time=CREATED),
        )


def _inner(documents: list[dict[str, Any]], metadata: dict[str, Any], summary: Any = None) -> bytes:
    body = envelope.canonical_json(
        {
            "format": "sealbid-inner-manifest",
            "version": envelope.VERSION,
            "documents": documents,
            "summary": summary,
            "metadata": metadata,
        }
    )
    return struct.pack(">I", len(body)) + body


def _fake_cert(named_like: x509.Certificate, public_key: Any, signer: Any) -> x509.Certificate:
    """A certificate with ``named_like``'s issuer and serial but another public key: a
    recipient entry built for it names the bidder while being wrapped for someone else."""
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "impostor")]))
        .issuer_name(named_like.issuer)
        .public_key(public_key)
        .serial_number(named_like.serial_number)
        .not_valid_before(T0)
        .not_valid_after(T0 + timedelta(days=3650))
        .sign(signer, hashes.SHA256())
    )


@dataclass
class Vectors:
    work: Path
    ca: SandboxCA = field(init=False)
    bidder: IssuedIdentity = field(init=False)
    bidder_ec: IssuedIdentity = field(init=False)
    other: IssuedIdentity = field(init=False)
    _n: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.ca = SandboxCA.create(now=T0)
        self.bidder = self.ca.issue(
            role=Role.BIDDER, name="合肥建工集团有限公司", org_code=ORG_CODE, now=T0, days=730
        )
        self.bidder_ec = self.ca.issue(
            role=Role.BIDDER, name="安徽路桥工程有限公司", key_type=KeyType.P256, now=T0, days=730
        )
        # Another bidder of the same CA: a different key, not stored in the vectors folder.
        self.other = self.ca.issue(role=Role.BIDDER, name="Other Bidder Ltd", now=T0, days=730)

    @property
    def ident(self) -> FileIdentity:
        return self.bidder.identity()

    def metadata(self, identity: Identity, **changes: Any) -> dict[str, Any]:
        meta = {
            "section": SECTION,
            "tender_version": TENDER_VERSION,
            "bidder": envelope.bidder_of(identity.signing_cert),
            "created": envelope._iso(CREATED),
        }
        meta.update(changes)
        return meta

    # --- sealing with the real writer ---------------------------------------------------------

    def seal(
        self,
        seed: str,
        files: dict[str, bytes],
        *,
        identity: Identity | None = None,
        summary: Any = SUMMARY,
        opening_time: datetime | None = OPENING,
        recipients: Sequence[x509.Certificate] = (),
        skip_checks: bool = False,
    ) -> tuple[bytes, list[dict[str, Any]]]:
        """Seal ``files`` (relative names) with ``envelope.seal_at`` at CREATED; returns the
        file's bytes and the documents as the opener must find them."""
        self._n += 1
        root = self.work / f"docs-{self._n}"
        for name, data in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        tops = sorted({name.split("/")[0] for name in files})
        out = self.work / f"bid-{self._n}.sealbid"
        result = envelope.seal_at(
            CREATED,
            _rng(seed),
            [root / t for t in tops],
            out,
            identity=identity or self.ident,
            section=SECTION,
            summary=summary,
            tender_version=TENDER_VERSION,
            recipients=recipients,
            opening_time=opening_time,
            chunk_size=CHUNK,
            _skip_checks=skip_checks,
        )
        docs = [
            {"name": n, "size": len(files[n]), "sha256": _sha256(files[n])}
            for n in result.documents
        ]
        return out.read_bytes(), docs

    def plaintext_size(self, name: str, size: int, summary: Any = SUMMARY) -> int:
        """Plaintext bytes (inner manifest + document) of a one-document bid."""
        doc = envelope._Doc(name, Path(name), size)
        head = envelope._inner_manifest([doc], summary, self.metadata(self.ident))
        return len(head) + size

    def size_for_plaintext(self, name: str, target: int) -> int:
        """The document size that makes a one-document bid's plaintext exactly ``target``."""
        size = target
        for _ in range(8):
            size = target - (self.plaintext_size(name, size) - size)
        if self.plaintext_size(name, size) != target:
            raise SystemExit(f"cannot reach a plaintext of {target} bytes")
        return size

    # --- crafting a bid from its pieces (for what the writer refuses to produce) --------------

    def craft(
        self,
        seed: str,
        plaintext: bytes,
        *,
        identity: Identity | None = None,
        recipients: Sequence[cms.Recipient] | None = None,
        wrapped_key: bytes | None = None,
        header_edit: Callable[[dict[str, Any], bytes, bytes], None] | None = None,
        last_flag: Callable[[int, int], bool] = lambda i, n: i == n - 1,
        empty_last_chunk: bool = False,
    ) -> bytes:
        """A bid with exactly ``plaintext``, encrypted and signed as the format says, with
        hooks to break one thing: the recipients, the key they carry, the header (given the
        file key and salt), the last-chunk flags, an extra empty final chunk."""
        identity = identity or self.ident
        rng = _rng(seed)
        file_key, salt = rng(32), rng(32)
        header: dict[str, Any] = {
            "format": "sealbid",
            "version": envelope.VERSION,
            "aead": envelope.AEAD_NAME,
            "kdf": envelope.KDF_NAME,
            "chunk_size": CHUNK,
            "salt": envelope._b64(salt),
            "key_commitment": envelope._b64(envelope.key_commitment(file_key, salt)),
            "section": SECTION,
            "tender_version": TENDER_VERSION,
            "bidder": envelope.bidder_of(identity.signing_cert),
            "created": envelope._iso(CREATED),
            "opening_time": envelope._iso(OPENING),
        }
        if header_edit is not None:
            header_edit(header, file_key, salt)
        recipients = recipients or [cms.Recipient(identity.encryption_cert)]
        recipients_der = cms.build_recipients(
            file_key if wrapped_key is None else wrapped_key, recipients
        )
        aead = AESGCM(envelope.payload_key(file_key, salt))
        pieces = [plaintext[i : i + CHUNK] for i in range(0, len(plaintext), CHUNK)] or [b""]
        if empty_last_chunk:
            pieces.append(b"")
        n = len(pieces)
        payload = b"".join(
            aead.encrypt(envelope._nonce(i, last_flag(i, n)), p, None) for i, p in enumerate(pieces)
        )
        parts = Parts(
            header=envelope.canonical_json(header),
            recipients=recipients_der,
            payload=payload,
            manifest=envelope.canonical_json(
                {"format": "sealbid-outer-manifest", "version": "1.0"}
            ),
            signature=b"",
        )
        return parts.resigned(identity).to_bytes()

    def filled(self, total: int) -> bytes:
        """A one-document plaintext of exactly ``total`` bytes."""
        size = total
        for _ in range(8):
            size = total - len(self.documents_plaintext([{"name": "a.bin", "size": size}], b""))
        plain = self.documents_plaintext([{"name": "a.bin", "size": size}], b"\x00" * size)
        if len(plain) != total:
            raise SystemExit(f"cannot fill a plaintext of {total} bytes")
        return plain

    def documents_plaintext(
        self,
        documents: list[dict[str, Any]],
        content: bytes,
        *,
        identity: Identity | None = None,
        **meta: Any,
    ) -> bytes:
        return _inner(documents, self.metadata(identity or self.ident, **meta)) + content


def build_cases(v: Vectors) -> list[Case]:
    cases: list[Case] = []
    ident = v.ident

    def add(*args: Any, **kwargs: Any) -> None:
        cases.append(Case(*args, **kwargs))

    # --- valid bids ---------------------------------------------------------------------------
    one = {"商务标.txt": "投标报价：壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分\n".encode() * 8}
    small, small_docs = v.seal("small", one)
    add(
        "ok-small",
        "open",
        "ok",
        "one small document, one chunk",
        small,
        documents=small_docs,
        summary=SUMMARY,
    )
    add(
        "ok-small-verify",
        "verify",
        "ok",
        "the same kind of bid, verified against the CA",
        v.seal("small-verify", one)[0],
    )
    add(
        "ok-small-verify-no-trust",
        "verify",
        "ok",
        "verify without trust anchors checks the signature only",
        v.seal("small-nt", one)[0],
        trust=None,
    )

    empty = {"空白声明.txt": b""}
    data, docs = v.seal("empty", empty, summary=None)
    add(
        "ok-empty-document",
        "open",
        "ok",
        "a 0-byte document, no summary",
        data,
        documents=docs,
        summary=None,
    )

    exact = {"报价单.bin": _rng("exact")(CHUNK)}
    data, docs = v.seal("doc-chunk", exact)
    add(
        "ok-document-exactly-chunk-size",
        "open",
        "ok",
        f"a document of exactly chunk_size ({CHUNK}) bytes (plus the inner manifest: 2 chunks)",
        data,
        documents=docs,
        summary=SUMMARY,
    )
    for label, delta in (("minus-1", -1), ("exact", 0), ("plus-1", 1)):
        size = v.size_for_plaintext("报价单.bin", CHUNK + delta)
        files = {"报价单.bin": _rng(f"pt-{label}")(size)}
        data, docs = v.seal(f"pt-{label}", files)
        n = len(Parts.of(data).chunks())
        add(
            f"ok-plaintext-chunk-{label}",
            "open",
            "ok",
            f"plaintext (inner manifest + document) of chunk_size{delta:+d} bytes: {n} chunk(s)",
            data,
            documents=docs,
            summary=SUMMARY,
        )

    multi_files = {"施工组织设计.bin": _rng("multi")(3 * CHUNK + 1500)}
    multi, multi_docs = v.seal("multi", multi_files)
    add(
        "ok-multi-chunk",
        "open",
        "ok",
        "4 chunks of 4096 bytes",
        multi,
        documents=multi_docs,
        summary=SUMMARY,
    )

    tree = {
        "投标文件/商务标/报价单.txt": "报价：1234567.89 元\n".encode() * 20,
        "投标文件/商务标/工程量清单.csv": "序号,项目,数量\n1,土方,100\n".encode() * 30,
        "投标文件/技术标/施工方案.txt": _rng("tree-1")(5000),
        "投标文件/资格审查/空.txt": b"",
        "投标文件/README.txt": b"Bid documents\r\n",
        "开标一览表.txt": "投标人：合肥建工集团有限公司\n".encode(),
    }
    data, docs = v.seal("tree", tree)
    add(
        "ok-several-documents",
        "open",
        "ok",
        "six documents with Chinese names in sub-folders, one of them empty",
        data,
        documents=docs,
        summary=SUMMARY,
    )

    ec_ident = v.bidder_ec.identity()
    data, docs = v.seal("ec", one, identity=ec_ident)
    add(
        "ok-ec-dual",
        "open",
        "ok",
        "sealed and opened by a dual P-256 bidder (ECDSA, ECDH)",
        data,
        identity="bidder-ec",
        documents=docs,
        summary=SUMMARY,
    )
    add(
        "ok-ec-verify",
        "verify",
        "ok",
        "a P-256 bidder's bid verified against the CA",
        v.seal("ec-verify", one, identity=ec_ident)[0],
    )
    data, docs = v.seal("extra", one, identity=ec_ident, recipients=[v.bidder.encryption_cert])
    add(
        "ok-extra-recipient",
        "open",
        "ok",
        "sealed by the P-256 bidder with the RSA bidder as an extra recipient; RSA bidder opens",
        data,
        documents=docs,
        summary=SUMMARY,
    )

    plain_ok = v.documents_plaintext([{"name": "a.txt", "size": 5}], b"hello")
    ok_doc = [{"name": "a.txt", "size": 5, "sha256": _sha256(b"hello")}]
    add(
        "ok-crafted-control",
        "open",
        "ok",
        "built by this generator's own crafting code, nothing broken (control for the "
        "crafted cases below)",
        v.craft("crafted", plain_ok),
        documents=ok_doc,
    )
    for padding in (RsaPadding.OAEP_SHA1, RsaPadding.PKCS1V15):
        add(
            f"ok-recipient-{padding.value}",
            "open",
            "ok",
            f"own recipient entry uses RSA {padding.value} (tokens that cannot do OAEP-SHA256)",
            v.craft(
                f"pad-{padding.value}",
                plain_ok,
                recipients=[cms.Recipient(v.bidder.encryption_cert, padding)],
            ),
            documents=ok_doc,
        )
    add(
        "ok-resigned-control",
        "open",
        "ok",
        "cut into fields, manifest rebuilt and re-signed, nothing changed (control for the "
        "re-signed cases below)",
        Parts.of(small).resigned(ident).to_bytes(),
        documents=small_docs,
        summary=SUMMARY,
    )
    add(
        "ok-minor-version",
        "verify",
        "ok",
        "minor version 1.7 in prelude and signed header: a higher minor version is readable "
        "(spec §1)",
        replace(Parts.of(small), minor=7)
        .with_header(lambda h: h.update({"version": "1.7"}))
        .resigned(ident)
        .to_bytes(),
    )
    add(
        "prelude-minor-unsigned",
        "verify",
        "ManifestMismatchError",
        "prelude minor version changed to 1.7 while the signed header says 1.0",
        replace(Parts.of(small), minor=7).to_bytes(),
    )
    add(
        "ok-unknown-header-field",
        "open",
        "ok",
        "an unknown header field, signed by the bidder: readers ignore it (spec §2)",
        Parts.of(small)
        .with_header(lambda h: h.update({"x-future": "ignored"}))
        .resigned(ident)
        .to_bytes(),
        documents=small_docs,
        summary=SUMMARY,
    )

    # --- structure: magic, version, lengths ---------------------------------------------------
    sp = Parts.of(small)
    off = sp.offsets()
    add("empty-file", "verify", "NotASealedBidError", "a 0-byte file", b"")
    add(
        "truncated-in-magic",
        "verify",
        "NotASealedBidError",
        "only the first 5 bytes: too short to be recognised at all",
        small[:5],
    )
    add(
        "truncated-in-prelude",
        "verify",
        "TruncatedError",
        "magic intact, cut inside the payload-length field (12 bytes)",
        small[:12],
    )
    for part, cut in (
        ("header", off["header"] + 4 + 10),
        ("recipients", off["recipients"] + 4 + 100),
        ("payload", off["payload"] + 100),
        ("manifest", off["manifest"] + 4 + 100),
        ("signature", off["signature"] + 4 + 100),
    ):
        add(
            f"truncated-in-{part}",
            "verify",
            "TruncatedError",
            f"cut inside the {part}",
            small[:cut],
        )
    add(
        "truncated-after-payload",
        "verify",
        "TruncatedError",
        "cut right after the payload: no manifest, no signature",
        small[: off["manifest"]],
    )
    add(
        "truncated-last-byte",
        "open",
        "TruncatedError",
        "the last byte of the signature missing",
        small[:-1],
    )
    add(
        "truncated-last-chunk-dropped",
        "open",
        "TruncatedError",
        "the last ciphertext chunk cut away with everything after it (download stopped)",
        multi[: Parts.of(multi).offsets()["payload"] + 3 * FULL],
    )
    add("trailing-bytes", "verify", "TrailingDataError", "one byte appended", small + b"\x00")
    add(
        "trailing-block",
        "open",
        "TrailingDataError",
        "an empty length-prefixed block appended after the signature",
        small + _block(b""),
    )
    add(
        "prelude-length-huge",
        "verify",
        "TruncatedError",
        "payload length 2^62 in the prelude",
        replace(sp, prelude_length=1 << 62).to_bytes(),
    )
    add(
        "version-major-2",
        "verify",
        "UnsupportedVersionError",
        "prelude major version 2",
        replace(sp, major=2).to_bytes(),
    )
    add(
        "version-major-0",
        "open",
        "UnsupportedVersionError",
        "prelude major version 0",
        replace(sp, major=0).to_bytes(),
    )
    add(
        "magic-high-bit-stripped",
        "verify",
        "NotASealedBidError",
        "first byte 0x89 became 0x09 (a 7-bit transfer)",
        b"\x09" + small[1:],
    )
    add(
        "magic-crlf-to-lf",
        "verify",
        "NotASealedBidError",
        "every CR LF rewritten to LF (file sent in text mode to a Unix host)",
        small.replace(b"\r\n", b"\n"),
    )
    add(
        "magic-lf-to-crlf",
        "open",
        "NotASealedBidError",
        "every LF rewritten to CR LF (file sent in text mode to a Windows host)",
        small.replace(b"\n", b"\r\n"),
    )
    add(
        "magic-other-file",
        "verify",
        "NotASealedBidError",
        "a PDF, not a sealed bid",
        b"%PDF-1.7\n" + b"\x00" * 64,
    )
    add(
        "header-too-large",
        "verify",
        "FormatError",
        "header length field says 2 MiB (limit 1 MiB)",
        small[: off["header"]] + struct.pack(">I", 2 << 20) + small[off["header"] + 4 :],
    )
    add(
        "header-not-json",
        "verify",
        "FormatError",
        "header bytes are not JSON",
        replace(sp, header=b"\xff not json").to_bytes(),
    )
    add(
        "header-json-array",
        "verify",
        "FormatError",
        "header is a JSON array, not an object",
        replace(sp, header=b"[1,2,3]").to_bytes(),
    )
    add(
        "payload-empty-final-chunk",
        "open",
        "FormatError",
        "an extra empty final chunk (16-byte tag only) after a full one: the payload length "
        "does not fit the chunk size (spec §3.2)",
        v.craft("empty-final", v.filled(CHUNK), empty_last_chunk=True),
    )

    # --- the header, altered and not re-signed --------------------------------------------------
    def hdr(
        name: str,
        expect: str,
        description: str,
        edit: Callable[[dict[str, Any]], None],
        operation: str = "verify",
    ) -> None:
        add(name, operation, expect, description, sp.with_header(edit).to_bytes())

    hdr(
        "header-section",
        "HeaderTamperedError",
        "section S-2025-001 → S-2025-002",
        lambda h: h.update(section="S-2025-002"),
    )
    hdr(
        "header-section-open",
        "HeaderTamperedError",
        "section changed; refused when opening",
        lambda h: h.update(section="S-2025-002"),
        "open",
    )
    hdr(
        "header-tender-version",
        "HeaderTamperedError",
        "tender_version changed",
        lambda h: h.update(tender_version="T-2025-001-v3"),
    )
    hdr(
        "header-bidder-name",
        "HeaderTamperedError",
        "bidder.name changed",
        lambda h: h["bidder"].update(name="安徽某某建设有限公司"),
    )
    hdr(
        "header-bidder-cert",
        "HeaderTamperedError",
        "bidder.cert_sha256 changed",
        lambda h: h["bidder"].update(cert_sha256="00" * 32),
    )
    hdr(
        "header-created",
        "HeaderTamperedError",
        "created one day later",
        lambda h: h.update(created="2025-03-02T02:00:00Z"),
    )
    hdr(
        "header-opening-time",
        "HeaderTamperedError",
        "opening_time one day later",
        lambda h: h.update(opening_time="2025-04-01T01:30:00Z"),
    )
    hdr(
        "header-chunk-size",
        "HeaderTamperedError",
        "chunk_size 4096 → 8192 (still a valid size; the one-chunk payload still fits)",
        lambda h: h.update(chunk_size=8192),
    )
    hdr(
        "header-chunk-size-invalid",
        "FormatError",
        "chunk_size 4097 (not a power of two)",
        lambda h: h.update(chunk_size=4097),
    )
    hdr(
        "header-salt",
        "HeaderTamperedError",
        "salt replaced",
        lambda h: h.update(salt=envelope._b64(b"\x11" * 32)),
    )
    hdr(
        "header-key-commitment",
        "HeaderTamperedError",
        "key_commitment replaced",
        lambda h: h.update(key_commitment=envelope._b64(b"\x22" * 32)),
    )
    hdr(
        "header-salt-short",
        "FormatError",
        "salt of 16 bytes",
        lambda h: h.update(salt=envelope._b64(b"\x11" * 16)),
    )
    hdr(
        "header-aead",
        "UnsupportedAlgorithmError",
        "aead AES-128-GCM (unknown algorithm)",
        lambda h: h.update(aead="AES-128-GCM"),
    )
    hdr(
        "header-kdf",
        "UnsupportedAlgorithmError",
        "kdf HKDF-SM3 (unknown in 1.0)",
        lambda h: h.update(kdf="HKDF-SM3"),
    )
    hdr(
        "header-version-2",
        "UnsupportedVersionError",
        "header version 2.0",
        lambda h: h.update(version="2.0"),
    )
    hdr(
        "header-version-minor",
        "HeaderTamperedError",
        "header version 1.1 (readable, unsigned)",
        lambda h: h.update(version="1.1"),
    )
    hdr(
        "header-format",
        "FormatError",
        "header format is not 'sealbid'",
        lambda h: h.update(format="sealbid-x"),
    )
    hdr(
        "header-field-added",
        "HeaderTamperedError",
        "an unsigned extra header field",
        lambda h: h.update({"x-note": "added later"}),
    )
    add(
        "header-reserialized",
        "verify",
        "FormatError",
        "the same header object written with spaces and other key order: not canonical JSON "
        "(spec §2), so not the signed bytes either",
        replace(sp, header=json.dumps(sp.header_json(), indent=1).encode()).to_bytes(),
    )

    # --- recipients and manifest ------------------------------------------------------------------
    add(
        "recipients-altered",
        "verify",
        "HeaderTamperedError",
        "last byte of the recipients block flipped",
        replace(sp, recipients=_flip(sp.recipients, -1)).to_bytes(),
    )
    add(
        "recipients-altered-open",
        "open",
        "HeaderTamperedError",
        "recipients block flipped; refused before any key is used",
        replace(sp, recipients=_flip(sp.recipients, -1)).to_bytes(),
    )
    add(
        "recipients-not-der-resigned",
        "verify",
        "FormatError",
        "recipients block is not DER, signed by the bidder",
        replace(sp, recipients=b"\x30\x03\x02\x01").resigned(ident).to_bytes(),
    )
    add(
        "manifest-altered",
        "verify",
        "SignatureInvalidError",
        "one byte of the signed manifest changed",
        replace(
            sp, manifest=sp.manifest.replace(b'"version":"1.0"', b'"version":"1.1"')
        ).to_bytes(),
    )
    add(
        "manifest-payload-length-resigned",
        "verify",
        "ManifestMismatchError",
        "signed manifest states another payload length than the prelude",
        sp.resigned(
            ident, lambda m: m["payload"].update(length=m["payload"]["length"] + 1)
        ).to_bytes(),
    )
    add(
        "manifest-header-copy-resigned",
        "verify",
        "ManifestMismatchError",
        "signed manifest's copy of the header differs from the header it hashes",
        sp.resigned(ident, lambda m: m["header"].update(section="S-2025-999")).to_bytes(),
    )
    add(
        "manifest-format-resigned",
        "verify",
        "ManifestMismatchError",
        "signed manifest with another format name",
        sp.resigned(ident, lambda m: m.update(format="something-else")).to_bytes(),
    )
    add(
        "manifest-no-digest-resigned",
        "verify",
        "ManifestMismatchError",
        "signed manifest without a payload digest",
        sp.resigned(ident, lambda m: m["payload"].pop("sha256")).to_bytes(),
    )

    # --- the payload ----------------------------------------------------------------------------
    mp = Parts.of(multi)
    c = mp.chunks()
    if len(c) != 4:
        raise SystemExit(f"multi-chunk base has {len(c)} chunks, expected 4")
    flipped = mp.with_chunks([c[0], _flip(c[1], 7), c[2], c[3]])
    add(
        "payload-bitflip",
        "open",
        "PayloadCorruptedError",
        "one bit flipped in chunk 1",
        flipped.to_bytes(),
        params={"chunk": 1},
    )
    add(
        "payload-bitflip-verify",
        "verify",
        "PayloadDigestError",
        "one bit flipped in chunk 1; verify finds it by the signed digest",
        flipped.to_bytes(),
    )
    add(
        "payload-bitflip-resigned",
        "open",
        "PayloadCorruptedError",
        "one bit flipped in chunk 1, manifest re-signed: only the chunk tag catches it",
        flipped.resigned(ident).to_bytes(),
        params={"chunk": 1},
    )
    reordered = mp.with_chunks([c[0], c[2], c[1], c[3]])
    add(
        "chunks-reordered",
        "open",
        "PayloadCorruptedError",
        "chunks 1 and 2 swapped, not re-signed",
        reordered.to_bytes(),
        params={"chunk": 1},
    )
    add(
        "chunks-reordered-verify",
        "verify",
        "PayloadDigestError",
        "chunks 1 and 2 swapped, not re-signed",
        reordered.to_bytes(),
    )
    add(
        "chunks-reordered-resigned",
        "open",
        "PayloadCorruptedError",
        "chunks 1 and 2 swapped, manifest re-signed",
        reordered.resigned(ident).to_bytes(),
        params={"chunk": 1},
    )
    duplicated = mp.with_chunks([c[0], c[1], c[1], c[2], c[3]])
    add(
        "chunks-duplicated",
        "verify",
        "ManifestMismatchError",
        "chunk 1 repeated, prelude length updated, not re-signed",
        duplicated.to_bytes(),
    )
    add(
        "chunks-duplicated-resigned",
        "open",
        "PayloadCorruptedError",
        "chunk 1 repeated, manifest re-signed",
        duplicated.resigned(ident).to_bytes(),
        params={"chunk": 2},
    )
    dropped = mp.with_chunks([c[0], c[2], c[3]])
    add(
        "chunks-dropped",
        "open",
        "ManifestMismatchError",
        "chunk 1 removed, prelude length updated, not re-signed",
        dropped.to_bytes(),
    )
    add(
        "chunks-dropped-resigned",
        "open",
        "PayloadCorruptedError",
        "chunk 1 removed, manifest re-signed",
        dropped.resigned(ident).to_bytes(),
        params={"chunk": 1},
    )
    add(
        "chunks-last-dropped-resigned",
        "open",
        "PayloadCorruptedError",
        "last chunk removed, manifest re-signed: the new last chunk lacks the last flag",
        mp.with_chunks(c[:3]).resigned(ident).to_bytes(),
        params={"chunk": 2},
    )
    big_plain = v.documents_plaintext([{"name": "a.bin", "size": 2 * CHUNK}], b"\x00" * 2 * CHUNK)
    add(
        "chunk-no-last-flag",
        "open",
        "PayloadCorruptedError",
        "every chunk encrypted without the last-chunk flag (crafted, signed)",
        v.craft("no-last", big_plain, last_flag=lambda i, n: False),
        params={"chunk": 2},
    )
    add(
        "chunk-early-last-flag",
        "open",
        "PayloadCorruptedError",
        "chunk 0 encrypted with the last-chunk flag, more chunks follow (crafted, signed)",
        v.craft("early-last", big_plain, last_flag=lambda i, n: i in (0, n - 1)),
        params={"chunk": 0},
    )

    # --- keys -----------------------------------------------------------------------------------
    other_key = _rng("other-file-key")(32)
    add(
        "key-commitment-mismatch",
        "open",
        "KeyCommitmentError",
        "the file key opens the chunks but the signed header commits to another key",
        v.craft(
            "commit",
            plain_ok,
            header_edit=lambda h, k, s: h.update(
                key_commitment=envelope._b64(envelope.key_commitment(other_key, s))
            ),
        ),
    )
    add(
        "key-commitment-mismatch-verify",
        "verify",
        "ok",
        "as key-commitment-mismatch: verify has no key, so it cannot see it",
        v.craft(
            "commit-v",
            plain_ok,
            header_edit=lambda h, k, s: h.update(
                key_commitment=envelope._b64(envelope.key_commitment(other_key, s))
            ),
        ),
    )
    add(
        "file-key-16-bytes",
        "open",
        "FormatError",
        "the recipients block carries a 16-byte file key (the content must be 32 bytes)",
        v.craft("k16", plain_ok, wrapped_key=b"\x01" * 16),
    )
    other_ident = v.other.identity()
    add(
        "no-matching-recipient",
        "open",
        "NoMatchingRecipientError",
        "a valid bid of another bidder, encrypted only to that bidder",
        v.seal("other", one, identity=other_ident)[0],
    )
    fake = _fake_cert(
        v.bidder.encryption_cert, v.other.encryption_key.public_key(), v.other.signing_key
    )
    add(
        "recipient-wrong-key",
        "open",
        "WrongKeyError",
        "the recipient entry names the bidder's certificate but is wrapped for another RSA key",
        v.craft("wrong-key", plain_ok, recipients=[cms.Recipient(fake)]),
    )
    ec_key = ec.derive_private_key(0x5EA1B1D, ec.SECP256R1())
    fake_ec = _fake_cert(v.bidder_ec.encryption_cert, ec_key.public_key(), ec_key)
    ec_plain = v.documents_plaintext([{"name": "a.txt", "size": 5}], b"hello", identity=ec_ident)
    add(
        "recipient-wrong-key-ec",
        "open",
        "WrongKeyError",
        "the ECDH recipient entry names the P-256 bidder's certificate but is for another key",
        v.craft("wrong-key-ec", ec_plain, identity=ec_ident, recipients=[cms.Recipient(fake_ec)]),
        identity="bidder-ec",
    )

    # --- signature and signer certificate ------------------------------------------------------
    add(
        "signature-other-signer",
        "verify",
        "SignerMismatchError",
        "the manifest signed by another bidder's certificate (same CA)",
        sp.resigned(other_ident).to_bytes(),
    )
    add(
        "signature-other-signer-open",
        "open",
        "SignerMismatchError",
        "the manifest signed by another bidder's certificate",
        sp.resigned(other_ident).to_bytes(),
    )
    other_bid = Parts.of(v.seal("small-2", one)[0])
    add(
        "signature-from-other-bid",
        "verify",
        "SignatureInvalidError",
        "the bidder's signature of another bid's manifest",
        replace(sp, signature=other_bid.signature).to_bytes(),
    )
    add(
        "signature-bitflip",
        "verify",
        "SignatureInvalidError",
        "last byte of the signature value flipped",
        replace(sp, signature=_flip(sp.signature, -1)).to_bytes(),
    )
    add(
        "signature-not-der",
        "open",
        "SignatureInvalidError",
        "the signature block is not DER",
        replace(sp, signature=b"not a signature").to_bytes(),
    )

    def issued(**kw: Any) -> FileIdentity:
        return v.ca.issue(role=Role.BIDDER, name="过期证书测试有限公司", **kw).identity()

    expired = issued(now=T0, not_before=T0, not_after=CREATED - timedelta(days=1))
    add(
        "signer-expired",
        "verify",
        "CertificateExpiredError",
        "signing certificate expired the day before the bid was sealed",
        v.seal("expired", one, identity=expired, skip_checks=True)[0],
    )
    future = issued(
        now=T0, not_before=CREATED + timedelta(days=1), not_after=CREATED + timedelta(days=365)
    )
    add(
        "signer-not-yet-valid",
        "verify",
        "CertificateNotYetValidError",
        "signing certificate valid only from the day after the bid was sealed",
        v.seal("future", one, identity=future, skip_checks=True)[0],
    )
    rogue_ca = SandboxCA.create(now=T0)
    rogue = rogue_ca.issue(
        role=Role.BIDDER, name="合肥建工集团有限公司", org_code=ORG_CODE, now=T0
    ).identity()
    rogue_bid = v.seal("rogue", one, identity=rogue)[0]
    add(
        "signer-untrusted",
        "verify",
        "CertificateUntrustedError",
        "signed by a certificate of another CA with the same name",
        rogue_bid,
    )
    add(
        "signer-untrusted-no-trust",
        "verify",
        "ok",
        "the same kind of bid verified without trust anchors: only the signature is checked",
        v.seal("rogue-nt", one, identity=rogue)[0],
        trust=None,
    )
    b = v.bidder
    enc_as_signer = FileIdentity(
        signing_key=b.encryption_key,
        signing_cert=b.encryption_cert,
        encryption_key=b.encryption_key,
        encryption_cert=b.encryption_cert,
        chain=(v.ca.cert,),
    )
    add(
        "signer-encryption-certificate",
        "verify",
        "CertificateUsageError",
        "signed with the bidder's encryption certificate (key usage keyEncipherment only)",
        v.seal("enc-signer", one, identity=enc_as_signer)[0],
    )

    # --- document names inside a correctly encrypted and signed bid -----------------------------
    for label, name in (
        ("dotdot", "../x"),
        ("dotdot-nested", "a/../../x"),
        ("absolute", "/etc/x"),
        ("drive-letter", "C:x"),
        ("backslash", "a\\b"),
        ("nul", "a\x00b"),
        ("control", "a\x1bb"),
        ("con", "CON"),
        ("aux-txt", "aux.txt"),
        ("com1-in-folder", "docs/com1.pdf"),
        ("trailing-dot", "x."),
        ("trailing-space", "x "),
        ("empty", ""),
        ("empty-segment", "a//b"),
        ("colon", "报价:v2.pdf"),
    ):
        add(
            f"name-{label}",
            "open",
            "UnsafeDocumentNameError",
            f"a document named {name!r} (crafted, correctly encrypted and signed)",
            v.craft(f"name-{label}", v.documents_plaintext([{"name": name, "size": 5}], b"hello")),
            params={"name": name},
        )
    for label, names, description in (
        ("duplicate-case", ["报价单.PDF", "报价单.pdf"], "two names equal ignoring case"),
        ("duplicate-nfc", ["e\u0301.txt", "\u00e9.txt"], "two names equal after NFC"),
        ("file-and-folder", ["a", "a/b"], "a name that is also another document's folder"),
    ):
        add(
            f"name-{label}",
            "open",
            "UnsafeDocumentNameError",
            description,
            v.craft(
                f"name-{label}",
                v.documents_plaintext([{"name": n, "size": 1} for n in names], b"xy"),
            ),
            params={"name": names[1]},  # the second one is refused
        )

    # --- the inner manifest ---------------------------------------------------------------------
    def inner(label: str, expect: str, description: str, plaintext: bytes) -> None:
        add(f"inner-{label}", "open", expect, description, v.craft(f"inner-{label}", plaintext))

    inner(
        "sizes-more",
        "InnerManifestError",
        "documents listed as 5 + 5 bytes, 7 bytes of content follow",
        v.documents_plaintext([{"name": "a", "size": 5}, {"name": "b", "size": 5}], b"abcdefg"),
    )
    inner(
        "sizes-less",
        "InnerManifestError",
        "documents listed as 5 + 5 bytes, 12 bytes of content follow",
        v.documents_plaintext(
            [{"name": "a", "size": 5}, {"name": "b", "size": 5}], b"abcdefghijkl"
        ),
    )
    inner(
        "sizes-more-multi-chunk",
        "InnerManifestError",
        "a document listed one byte longer than the content, over 3 chunks",
        v.documents_plaintext([{"name": "a", "size": 2 * CHUNK + 1}], b"\x00" * 2 * CHUNK),
    )
    inner(
        "section",
        "InnerManifestError",
        "metadata.section differs from the header",
        v.documents_plaintext([{"name": "a", "size": 1}], b"x", section="S-2025-999"),
    )
    inner(
        "created",
        "InnerManifestError",
        "metadata.created differs from the header",
        v.documents_plaintext([{"name": "a", "size": 1}], b"x", created="2025-01-01T00:00:00Z"),
    )
    inner(
        "bidder",
        "InnerManifestError",
        "metadata.bidder names another bidder",
        v.documents_plaintext(
            [{"name": "a", "size": 1}], b"x", bidder=envelope.bidder_of(v.other.signing_cert)
        ),
    )
    inner(
        "no-documents",
        "InnerManifestError",
        "an empty document list",
        v.documents_plaintext([], b""),
    )
    inner(
        "negative-size",
        "InnerManifestError",
        "a document of size -1",
        v.documents_plaintext([{"name": "a", "size": -1}], b""),
    )
    inner(
        "size-not-int",
        "InnerManifestError",
        "a document size written as a string",
        v.documents_plaintext([{"name": "a", "size": "1"}], b"x"),
    )
    inner(
        "size-bool",
        "InnerManifestError",
        "a document size written as true",
        v.documents_plaintext([{"name": "a", "size": True}], b"x"),
    )
    inner(
        "format",
        "InnerManifestError",
        "inner manifest format is not sealbid-inner-manifest",
        b"".join([struct.pack(">I", 2), b"{}"]),
    )
    inner("empty-plaintext", "InnerManifestError", "the plaintext is empty", b"")
    inner(
        "length-only",
        "InnerManifestError",
        "the plaintext ends inside the inner manifest",
        struct.pack(">I", 100) + b"{",
    )
    inner(
        "length-huge",
        "InnerManifestError",
        "inner manifest length prefix of 4 GiB",
        struct.pack(">I", 0xFFFFFFFF) + b"{}",
    )
    inner(
        "not-json",
        "InnerManifestError",
        "inner manifest bytes are not JSON",
        struct.pack(">I", 5) + b"hello",
    )
    return cases


def write_identity(out: Path, stem: str, issued: IssuedIdentity) -> None:
    pem = serialization.Encoding.PEM
    pkcs8 = serialization.PrivateFormat.PKCS8
    (out / f"{stem}.p12").write_bytes(issued.p12_bytes(PASSWORD.encode(), name=stem))
    for role, cert, key in (
        ("sign", issued.signing_cert, issued.signing_key),
        ("enc", issued.encryption_cert, issued.encryption_key),
    ):
        (out / f"{stem}-{role}.pem").write_bytes(cert.public_bytes(pem))
        (out / f"{stem}-{role}-key.pem").write_bytes(
            key.private_bytes(pem, pkcs8, serialization.NoEncryption())
        )


def readme(cases: list[Case]) -> str:
    lines = [
        "# Sealed-bid test vectors (format v1)",
        "",
        "Generated by `tests/make_vectors.py` — do not edit by hand; run",
        "`.venv/bin/python tests/make_vectors.py` to regenerate, and commit the result.",
        "`tests/test_vectors.py` runs every case and checks the generator still yields this list.",
        "",
        "Each `<case>.sealbid` has a `<case>.json` sidecar: `operation` is `open` (with",
        "`<identity>.p12`, password in `password.txt`) or `verify` (with `trust`, `ca.pem` or",
        "null); `expect` is `ok` or the `crypto.errors` class that must be raised. Valid `open`",
        "cases list the documents (name, size, SHA-256) that must come out.",
        "",
        "Keys here are public test keys: `ca.pem` (test CA), `bidder` (dual RSA-2048) and",
        "`bidder-ec` (dual P-256), as `.p12` and as PEM (`-sign.pem`, `-sign-key.pem`,",
        "`-enc.pem`, `-enc-key.pem`) for OpenSSL, e.g.",
        "",
        "```sh",
        ".venv/bin/sealbid inspect tests/vectors/ok-small.sealbid --extract /tmp/parts",
        "openssl cms -verify -binary -inform DER -in /tmp/parts/outer-manifest.p7s \\",
        "    -content /tmp/parts/outer-manifest -CAfile tests/vectors/ca.pem \\",
        f"    -attime {int(CREATED.timestamp())} -out /dev/null",
        "openssl cms -decrypt -inform DER -in /tmp/parts/recipients.der \\",
        "    -inkey tests/vectors/bidder-enc-key.pem | xxd -p -c 64",
        "```",
        "",
        f"Bids are sealed at {envelope._iso(CREATED)} with chunk_size {CHUNK}; certificates",
        "are checked at that time, so the vectors do not expire.",
        "",
        "| case | operation | expect | description |",
        "| --- | --- | --- | --- |",
    ]
    for c in cases:
        desc = c.description.replace("|", "\\|")
        lines.append(f"| `{c.name}` | {c.operation} | {c.expect} | {desc} |")
    return "\n".join(lines) + "\n"


def generate(out: Path) -> list[dict[str, Any]]:
    out.mkdir(parents=True, exist_ok=True)
    for pattern in _OWNED:
        for old in out.glob(pattern):
            old.unlink()
    with tempfile.TemporaryDirectory(prefix="sealbid-vectors-") as tmp:
        v = Vectors(Path(tmp))
        cases = build_cases(v)
        names = [c.name for c in cases]
        if len(set(names)) != len(names):
            raise SystemExit("duplicate case names")
        (out / "ca.pem").write_bytes(v.ca.cert.public_bytes(serialization.Encoding.PEM))
        write_identity(out, "bidder", v.bidder)
        write_identity(out, "bidder-ec", v.bidder_ec)
    (out / "password.txt").write_text(PASSWORD + "\n", encoding="utf-8")
    sidecars = []
    for c in cases:
        (out / f"{c.name}.sealbid").write_bytes(c.data)
        side = c.sidecar()
        text = json.dumps(side, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        (out / f"{c.name}.json").write_text(text, encoding="utf-8")
        sidecars.append(side)
    (out / "README.md").write_text(readme(cases), encoding="utf-8")
    return sidecars


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "vectors")
    args = parser.parse_args(argv)
    sidecars = generate(args.out)
    total = sum(f.stat().st_size for f in args.out.glob("*.sealbid"))
    print(f"{len(sidecars)} cases, {total / 1024:.0f} KiB of .sealbid files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
