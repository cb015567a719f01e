"""Sealing and opening bids (crypto.envelope) and the ``sealbid`` command line around it.

Real keys from the session's sandbox CA (tests/conftest.py), real files in temporary folders.
Fakes appear only to inject faults: an identity whose key is sabotaged, a callback that edits
a document mid-seal or cancels. The tampered-file cases live in tests/vectors (test_vectors.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto import envelope, inspect, open_bid, seal, verify
from crypto.ca import IssuedIdentity, KeyType, Role, SandboxCA
from crypto.errors import (
    CertificateExpiredError,
    CertificateNotYetValidError,
    ExpiresBeforeOpeningError,
    HeaderTamperedError,
    NoMatchingRecipientError,
    NotASealedBidError,
    PayloadCorruptedError,
    SelfCheckError,
    UnsafeDocumentNameError,
    WrongKeyError,
    WrongPasswordError,
)
from crypto.identity import FileIdentity, Identity, RsaPadding
from sealbid.cli import main
from sealbid.errors import CancelledError, UsageError

CHUNK = 4096
FULL = CHUNK + envelope.TAG

HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    # Session-scoped key fixtures are shared on purpose; every example makes its own folder.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


# --- helpers ---------------------------------------------------------------------------------


def _write(root: Path, files: dict[str, bytes]) -> list[Path]:
    """Write ``files`` (relative names) under ``root``; the top-level entries to seal, so the
    documents in the bid carry exactly these names."""
    for name, data in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return [root / top for top in sorted({n.split("/")[0] for n in files})]


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def _blob(seed: object, n: int) -> bytes:
    return random.Random(str(seed)).randbytes(n)


def _round_trip(
    identity: Identity, files: dict[str, bytes], work: Path, **kw: Any
) -> envelope.OpenedBid:
    docs = _write(work / "in", files)
    result = seal(docs, work / "bid.sealbid", identity=identity, section="S-001", **kw)
    assert sorted(result.documents) == sorted(files)
    opened = open_bid(work / "bid.sealbid", identity, work / "out")
    assert _tree(work / "out" / "documents") == files
    assert sorted(n for n, _ in opened.documents) == sorted(files)
    return opened


def _flip_payload_byte(path: Path, offset_from_payload_end: int) -> None:
    data = bytearray(path.read_bytes())
    with open(path, "rb") as f:
        p = envelope._parse(f, len(data))
    data[p.payload_start + p.payload_length - offset_from_payload_end] ^= 0x01
    path.write_bytes(bytes(data))


def _identity_of(issued: IssuedIdentity, cls: type[FileIdentity] = FileIdentity) -> FileIdentity:
    return cls(
        signing_key=issued.signing_key,
        signing_cert=issued.signing_cert,
        encryption_key=issued.encryption_key,
        encryption_cert=issued.encryption_cert,
        chain=(issued.ca_cert,),
    )


@pytest.fixture(params=["bidder_rsa", "bidder_ec", "bidder_single"])
def any_bidder(request: pytest.FixtureRequest) -> IssuedIdentity:
    issued: IssuedIdentity = request.getfixturevalue(request.param)
    return issued


# --- round trips -----------------------------------------------------------------------------


def _plaintext_size(identity: Identity, now: datetime, name: str, size: int) -> int:
    metadata = {
        "section": "S-001",
        "tender_version": None,
        "bidder": envelope.bidder_of(identity.signing_cert),
        "created": envelope._iso(now),
    }
    head = envelope._inner_manifest([envelope._Doc(name, Path(name), size)], None, metadata)
    return len(head) + size


@pytest.mark.parametrize(
    ("target", "chunks"),
    [
        (0, 1),  # only the inner manifest: a 0-byte document
        (CHUNK - 1, 1),
        (CHUNK, 1),
        (CHUNK + 1, 2),
        (2 * CHUNK, 2),
        (2 * CHUNK + 1, 3),
        (5 * CHUNK - 1, 5),
    ],
)
def test_plaintext_at_chunk_boundaries_round_trips(
    bidder_rsa: IssuedIdentity, tmp_path: Path, target: int, chunks: int
) -> None:
    identity = bidder_rsa.identity()
    now = datetime.now(UTC).replace(microsecond=0)
    name = "报价单.bin"
    size = 0
    if target:
        for _ in range(5):  # the inner manifest's length depends on the size's digits
            size = target - (_plaintext_size(identity, now, name, size) - size)
    total = _plaintext_size(identity, now, name, size)
    assert target == 0 or total == target
    data = _blob(target, size)
    docs = _write(tmp_path / "in", {name: data})
    seen: list[tuple[int, int]] = []
    envelope.seal_at(
        now,
        os.urandom,
        docs,
        tmp_path / "bid.sealbid",
        identity=identity,
        section="S-001",
        chunk_size=CHUNK,
        progress=lambda done, of: seen.append((done, of)),
    )
    info = inspect(tmp_path / "bid.sealbid")
    assert info.chunk_size == CHUNK
    assert info.payload_length == total + chunks * envelope.TAG
    assert seen[-1] == (total, total) and len(seen) == chunks
    opened = open_bid(tmp_path / "bid.sealbid", identity, tmp_path / "out")
    assert (tmp_path / "out" / "documents" / name).read_bytes() == data
    assert opened.documents == ((name, size),)
    assert opened.summary is None and not (tmp_path / "out" / "summary.json").exists()


_SIZES = st.one_of(
    st.sampled_from([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 1, 2 * CHUNK, 2 * CHUNK + 1]),
    st.integers(min_value=0, max_value=6 * CHUNK),
)


@HYPOTHESIS
@given(size=_SIZES, seed=st.integers(0, 2**32))
def test_one_document_of_any_size_round_trips(
    bidder_rsa: IssuedIdentity, size: int, seed: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _round_trip(
            bidder_rsa.identity(), {"a.bin": _blob(seed, size)}, Path(tmp), chunk_size=CHUNK
        )


_NAMES = [
    "商务标/报价单.pdf",
    "商务标/工程量清单.xlsx",
    "技术标/施工组织设计.docx",
    "技术标/图纸/总平面图.dwg",
    "资格审查/营业执照.pdf",
    "开标一览表.json",
    "README.txt",
    "empty.bin",
]


@HYPOTHESIS
@given(
    names=st.lists(st.sampled_from(_NAMES), min_size=1, max_size=len(_NAMES), unique=True),
    total=st.integers(min_value=0, max_value=5 * CHUNK),
    cuts=st.lists(st.integers(min_value=0, max_value=5 * CHUNK), max_size=len(_NAMES)),
    seed=st.integers(0, 2**32),
)
def test_documents_split_any_way_round_trip(
    bidder_rsa: IssuedIdentity, names: list[str], total: int, cuts: list[int], seed: int
) -> None:
    """One stream of bytes cut into documents at arbitrary points (empty ones included):
    every document comes back byte for byte under its name."""
    blob = _blob(seed, total)
    points = sorted(min(c, total) for c in cuts[: len(names) - 1])
    bounds = [0, *points, total]
    bounds += [total] * (len(names) + 1 - len(bounds))
    files = {n: blob[bounds[i] : bounds[i + 1]] for i, n in enumerate(names)}
    summary = {"bid_price": "1234567.89", "工期": "180"}
    with tempfile.TemporaryDirectory() as tmp:
        opened = _round_trip(
            bidder_rsa.identity(), files, Path(tmp), chunk_size=CHUNK, summary=summary
        )
        assert opened.summary == summary
        stored = json.loads((Path(tmp) / "out" / "summary.json").read_text(encoding="utf-8"))
        assert stored == summary


def test_each_kind_of_identity_seals_verifies_and_opens(
    any_bidder: IssuedIdentity, sandbox_ca: SandboxCA, tmp_path: Path
) -> None:
    identity = any_bidder.identity()
    files = {"技术标/方案.bin": _blob("kinds", 3 * CHUNK + 7), "空.txt": b""}
    docs = _write(tmp_path / "in", files)
    result = seal(
        docs,
        tmp_path / "bid.sealbid",
        identity=identity,
        section="S-001",
        tender_version="v2",
        chunk_size=CHUNK,
    )
    v = verify(tmp_path / "bid.sealbid", trust=[sandbox_ca.cert])
    assert v.trusted
    assert v.sha256 == hashlib.sha256((tmp_path / "bid.sealbid").read_bytes()).hexdigest()
    assert result.size == (tmp_path / "bid.sealbid").stat().st_size
    assert v.signer == any_bidder.signing_cert
    assert v.info.payload_sha256 == result.payload_sha256
    assert v.info.section == "S-001" and v.info.tender_version == "v2"
    assert (
        v.info.bidder["cert_sha256"] == any_bidder.signing_cert.fingerprint(hashes.SHA256()).hex()
    )
    [recipient] = v.info.recipients
    assert recipient.serial == any_bidder.encryption_cert.serial_number
    is_ec = isinstance(any_bidder.encryption_key, ec.EllipticCurvePrivateKey)
    assert recipient.algorithm == ("ecdh-x963-sha256+aes256-wrap" if is_ec else "rsaes-oaep-sha256")
    open_bid(tmp_path / "bid.sealbid", identity, tmp_path / "out", trust=[sandbox_ca.cert])
    assert _tree(tmp_path / "out" / "documents") == files


def test_extra_recipients_can_all_open_and_others_cannot(
    bidder_rsa: IssuedIdentity,
    bidder_ec: IssuedIdentity,
    bidder_single: IssuedIdentity,
    sandbox_ca: SandboxCA,
    tmp_path: Path,
) -> None:
    files = {"报价单.pdf": _blob("extra", 2 * CHUNK + 3)}
    docs = _write(tmp_path / "in", files)
    seal(
        docs,
        tmp_path / "bid.sealbid",
        identity=bidder_rsa.identity(),
        section="S-001",
        # The bidder's own certificate again must not add a second entry.
        recipients=[
            bidder_ec.encryption_cert,
            bidder_single.encryption_cert,
            bidder_rsa.encryption_cert,
        ],
        chunk_size=CHUNK,
    )
    # RecipientInfos are a DER SET OF: sorted by encoding, not in the order given.
    serials = sorted(r.serial for r in inspect(tmp_path / "bid.sealbid").recipients)
    assert serials == sorted(
        i.encryption_cert.serial_number for i in (bidder_rsa, bidder_ec, bidder_single)
    )
    for i, issued in enumerate([bidder_rsa, bidder_ec, bidder_single]):
        open_bid(tmp_path / "bid.sealbid", issued.identity(), tmp_path / f"out{i}")
        assert _tree(tmp_path / f"out{i}" / "documents") == files
    stranger = sandbox_ca.issue(role=Role.BIDDER, name="Stranger", key_type=KeyType.P256)
    with pytest.raises(NoMatchingRecipientError):
        open_bid(tmp_path / "bid.sealbid", stranger.identity(), tmp_path / "stranger")
    assert not (tmp_path / "stranger").exists()


# --- refusals when sealing -------------------------------------------------------------------


def test_opening_time_after_the_encryption_certificate_expires_is_refused(
    bidder_rsa: IssuedIdentity, tmp_path: Path
) -> None:
    docs = _write(tmp_path, {"a.txt": b"bid"})
    expiry = bidder_rsa.encryption_cert.not_valid_after_utc
    with pytest.raises(ExpiresBeforeOpeningError) as info:
        seal(
            docs,
            tmp_path / "bid.sealbid",
            identity=bidder_rsa.identity(),
            section="S-001",
            opening_time=expiry + timedelta(days=1),
        )
    assert info.value.params["when"] == envelope._iso(expiry)
    assert _listing(tmp_path) == ["a.txt"]
    # An opening before the expiry is fine and recorded in the signed header.
    opening = expiry - timedelta(days=1)
    seal(
        docs,
        tmp_path / "ok.sealbid",
        identity=bidder_rsa.identity(),
        section="S",
        opening_time=opening,
    )
    assert inspect(tmp_path / "ok.sealbid").opening_time == envelope._iso(opening)


@pytest.mark.parametrize(
    ("when", "error"),
    [("after", CertificateExpiredError), ("before", CertificateNotYetValidError)],
)
def test_signing_outside_the_certificate_validity_is_refused(
    bidder_rsa: IssuedIdentity, tmp_path: Path, when: str, error: type[Exception]
) -> None:
    cert = bidder_rsa.signing_cert
    now = (
        cert.not_valid_after_utc + timedelta(seconds=1)
        if when == "after"
        else cert.not_valid_before_utc - timedelta(hours=1)
    )
    docs = _write(tmp_path, {"a.txt": b"bid"})
    with pytest.raises(error):
        envelope.seal_at(
            now,
            os.urandom,
            docs,
            tmp_path / "bid.sealbid",
            identity=bidder_rsa.identity(),
            section="S",
        )
    assert _listing(tmp_path) == ["a.txt"]


def test_an_expired_encryption_certificate_is_refused(
    sandbox_ca: SandboxCA, bidder_rsa: IssuedIdentity, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    old = sandbox_ca.issue(
        role=Role.BIDDER,
        name="过期加密证书",
        key_type=KeyType.P256,
        not_before=now - timedelta(days=400),
        not_after=now - timedelta(days=1),
    )
    identity = FileIdentity(
        signing_key=bidder_rsa.signing_key,
        signing_cert=bidder_rsa.signing_cert,
        encryption_key=old.encryption_key,
        encryption_cert=old.encryption_cert,
    )
    docs = _write(tmp_path, {"a.txt": b"bid"})
    with pytest.raises(CertificateExpiredError) as info:
        seal(docs, tmp_path / "bid.sealbid", identity=identity, section="S")
    assert "加密" in info.value.params["subject"]
    assert _listing(tmp_path) == ["a.txt"]


class _WrongRsaKey(FileIdentity):
    """A key source that answers with the wrong bytes (a token that silently misbehaves)."""

    def rsa_decrypt(self, ciphertext: bytes, scheme: RsaPadding) -> bytes:
        return bytes(32)


class _FailingRsaKey(FileIdentity):
    def rsa_decrypt(self, ciphertext: bytes, scheme: RsaPadding) -> bytes:
        raise WrongKeyError("injected")


class _WrongEcdh(FileIdentity):
    def ecdh(self, peer: ec.EllipticCurvePublicKey) -> bytes:
        return bytes(32)


@pytest.mark.parametrize(
    ("bidder", "cls"),
    [("bidder_rsa", _WrongRsaKey), ("bidder_rsa", _FailingRsaKey), ("bidder_ec", _WrongEcdh)],
)
def test_self_check_failure_leaves_no_file(
    request: pytest.FixtureRequest, tmp_path: Path, bidder: str, cls: type[FileIdentity]
) -> None:
    identity = _identity_of(request.getfixturevalue(bidder), cls)
    docs = _write(tmp_path, {"a.bin": _blob("self", 3 * CHUNK)})
    with pytest.raises(SelfCheckError) as info:
        seal(docs, tmp_path / "bid.sealbid", identity=identity, section="S", chunk_size=CHUNK)
    assert info.value.params["what"] in ("key.wrong", "format.commitment")
    # Neither the bid nor its temporary file (.bid.sealbid.*.part) is left.
    assert _listing(tmp_path) == ["a.bin"]


# --- progress, cancel, files changing --------------------------------------------------------


def test_progress_reaches_the_total_for_seal_verify_and_open(
    bidder_rsa: IssuedIdentity, tmp_path: Path
) -> None:
    files = {"a.bin": _blob("p", 3 * CHUNK + 10), "b.bin": _blob("q", 100)}
    docs = _write(tmp_path / "in", files)
    calls: dict[str, list[tuple[int, int]]] = {"seal": [], "verify": [], "open": []}

    def rec(op: str) -> Callable[[int, int], None]:
        return lambda done, total: calls[op].append((done, total))

    bid = tmp_path / "bid.sealbid"
    seal(
        docs,
        bid,
        identity=bidder_rsa.identity(),
        section="S",
        chunk_size=CHUNK,
        progress=rec("seal"),
    )
    verify(bid, progress=rec("verify"))
    open_bid(bid, bidder_rsa.identity(), tmp_path / "out", progress=rec("open"))
    info = inspect(bid)
    plaintext = info.payload_length - 4 * envelope.TAG
    assert len(calls["seal"]) == 4 and calls["seal"][-1] == (plaintext, plaintext)
    assert calls["open"][-1] == (info.payload_length, info.payload_length)
    assert len(calls["open"]) == 4
    assert calls["verify"][-1] == (info.file_size, info.file_size)
    for seen in calls.values():
        dones = [d for d, _ in seen]
        assert dones == sorted(dones)
        assert len({t for _, t in seen}) == 1


def test_cancel_while_sealing_writes_nothing(bidder_rsa: IssuedIdentity, tmp_path: Path) -> None:
    docs = _write(tmp_path, {"a.bin": _blob("c", 5 * CHUNK)})
    asked = []

    def cancel() -> bool:
        asked.append(1)
        return len(asked) >= 2

    with pytest.raises(CancelledError):
        seal(
            docs,
            tmp_path / "bid.sealbid",
            identity=bidder_rsa.identity(),
            section="S",
            chunk_size=CHUNK,
            cancel=cancel,
        )
    assert len(asked) == 2
    assert _listing(tmp_path) == ["a.bin"]


def test_cancel_while_opening_or_verifying_leaves_nothing(
    bidder_rsa: IssuedIdentity, tmp_path: Path
) -> None:
    docs = _write(tmp_path / "in", {"a.bin": _blob("c", 5 * CHUNK), "b.bin": b"b"})
    bid = tmp_path / "bid.sealbid"
    seal(docs, bid, identity=bidder_rsa.identity(), section="S", chunk_size=CHUNK)
    asked: list[int] = []

    def cancel() -> bool:
        asked.append(1)
        return len(asked) >= 3

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(CancelledError):
        open_bid(bid, bidder_rsa.identity(), tmp_path / "out", cancel=cancel)
    assert len(asked) == 3  # two chunks (and a.bin's first bytes) were already written
    assert _listing(tmp_path / "out") == ["keep.txt"]
    with pytest.raises(CancelledError):
        verify(bid, cancel=lambda: True)


@pytest.mark.parametrize("change", ["grow", "shrink"])
def test_a_document_changing_while_sealing_is_refused(
    bidder_rsa: IssuedIdentity, tmp_path: Path, change: str
) -> None:
    doc = tmp_path / "a.bin"
    doc.write_bytes(_blob("g", 5 * CHUNK))

    def progress(done: int, total: int) -> None:
        if done <= CHUNK:  # after the first chunk, while the rest is still unread
            if change == "grow":
                with open(doc, "ab") as f:
                    f.write(b"late addition")
            else:
                os.truncate(doc, CHUNK)

    with pytest.raises(UsageError) as info:
        seal(
            [doc],
            tmp_path / "bid.sealbid",
            identity=bidder_rsa.identity(),
            section="S",
            chunk_size=CHUNK,
            progress=progress,
        )
    assert "file changed while sealing" in info.value.diagnostics("en_US")
    assert _listing(tmp_path) == ["a.bin"]


@pytest.mark.parametrize(
    "names",
    [["x/报价单.PDF", "y/报价单.pdf"], ["x/Readme.txt", "y/README.TXT"]],
)
def test_documents_whose_names_differ_only_in_case_are_refused(
    bidder_rsa: IssuedIdentity, tmp_path: Path, names: list[str]
) -> None:
    for n in names:
        _write(tmp_path, {n: b"x"})
    with pytest.raises(UnsafeDocumentNameError):
        seal(
            [tmp_path / n for n in names],
            tmp_path / "bid.sealbid",
            identity=bidder_rsa.identity(),
            section="S",
        )
    assert not (tmp_path / "bid.sealbid").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"chunk_size": 5000}, UsageError),  # not a power of two
        ({"chunk_size": 2048}, UsageError),  # below the format's minimum
        ({"chunk_size": 1 << 25}, UsageError),  # above the maximum
        ({"section": ""}, UsageError),
        ({"documents": "empty-folder"}, UsageError),
        ({"documents": "报价:v2.pdf"}, UnsafeDocumentNameError),  # fine on Linux, not on Windows
        ({"documents": "aux.txt"}, UnsafeDocumentNameError),
    ],
)
def test_bad_seal_arguments_are_refused_before_writing(
    bidder_rsa: IssuedIdentity, tmp_path: Path, change: dict[str, Any], error: type[Exception]
) -> None:
    (tmp_path / "empty-folder").mkdir()
    kw: dict[str, Any] = {"section": "S", "chunk_size": CHUNK, "documents": "a.txt"}
    kw.update(change)
    (tmp_path / kw["documents"]).touch()
    before = _listing(tmp_path)
    docs = [tmp_path / kw.pop("documents")]
    with pytest.raises(error):
        seal(docs, tmp_path / "bid.sealbid", identity=bidder_rsa.identity(), **kw)
    assert _listing(tmp_path) == before


def test_the_same_file_twice_is_refused(bidder_rsa: IssuedIdentity, tmp_path: Path) -> None:
    [doc] = _write(tmp_path, {"a.txt": b"x"})
    with pytest.raises(UnsafeDocumentNameError):
        seal([doc, doc], tmp_path / "bid.sealbid", identity=bidder_rsa.identity(), section="S")
    assert _listing(tmp_path) == ["a.txt"]


# --- opening never overwrites, never leaves partial output ------------------------------------


@pytest.fixture(scope="module")
def small_bid(tmp_path_factory: pytest.TempPathFactory, bidder_rsa: IssuedIdentity) -> Path:
    folder = tmp_path_factory.mktemp("small-bid")
    files = {"商务标/报价单.txt": b"1234567.89", "技术标.bin": _blob("small", 3 * CHUNK)}
    docs = _write(folder / "in", files)
    bid = folder / "bid.sealbid"
    seal(
        docs, bid, identity=bidder_rsa.identity(), section="S", summary={"p": "1"}, chunk_size=CHUNK
    )
    return bid


@pytest.mark.parametrize("existing", ["documents", "summary.json", "manifest.json"])
def test_open_never_overwrites_existing_output(
    bidder_rsa: IssuedIdentity, small_bid: Path, tmp_path: Path, existing: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    if existing == "documents":
        (out / "documents").mkdir()
        (out / "documents" / "技术标.bin").write_bytes(b"an older file")
    else:
        (out / existing).write_bytes(b"an older file")
    before, listing = _tree(out), _listing(out)
    with pytest.raises(UsageError) as info:
        open_bid(small_bid, bidder_rsa.identity(), out)
    assert "already exists" in info.value.diagnostics("en_US")
    assert _tree(out) == before
    assert _listing(out) == listing  # nothing new, not even a staging folder


def test_open_into_a_folder_with_other_files_keeps_them(
    bidder_rsa: IssuedIdentity, small_bid: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    open_bid(small_bid, bidder_rsa.identity(), out)
    assert (out / "notes.txt").read_text() == "mine"
    assert _listing(out) == [
        "documents",
        "documents/商务标",
        "documents/商务标/报价单.txt",
        "documents/技术标.bin",
        "manifest.json",
        "notes.txt",
        "summary.json",
    ]


@pytest.mark.parametrize("out_exists", [True, False])
def test_a_failure_late_in_the_payload_removes_partial_output(
    bidder_rsa: IssuedIdentity, small_bid: Path, tmp_path: Path, out_exists: bool
) -> None:
    bid = tmp_path / "late.sealbid"
    bid.write_bytes(small_bid.read_bytes())
    _flip_payload_byte(bid, 1)  # in the tag of the last chunk
    out = tmp_path / "out"
    if out_exists:
        out.mkdir()
        (out / "keep.txt").write_text("mine")
    done: list[int] = []
    with pytest.raises(PayloadCorruptedError) as info:
        open_bid(bid, bidder_rsa.identity(), out, progress=lambda d, t: done.append(d))
    n_chunks = inspect(bid).payload_length // FULL + 1
    assert info.value.params["chunk"] == n_chunks - 1
    assert len(done) == n_chunks - 1  # earlier chunks were decrypted and written to staging
    if out_exists:
        assert _listing(out) == ["keep.txt"]
    else:
        assert not out.exists()


def test_open_of_a_missing_file_is_a_usage_error_and_creates_nothing(
    bidder_rsa: IssuedIdentity, tmp_path: Path
) -> None:
    with pytest.raises(UsageError):
        open_bid(tmp_path / "nope.sealbid", bidder_rsa.identity(), tmp_path / "out")
    assert _listing(tmp_path) == []


def test_a_failed_open_removes_the_parent_folders_it_created(
    bidder_rsa: IssuedIdentity, tmp_path: Path
) -> None:
    bid = tmp_path / "bad.sealbid"
    bid.write_bytes(b"not a bid at all")
    with pytest.raises(NotASealedBidError):
        open_bid(bid, bidder_rsa.identity(), tmp_path / "x" / "y" / "out")
    assert _listing(tmp_path) == ["bad.sealbid"]


def test_open_into_an_existing_file_is_a_usage_error(
    bidder_rsa: IssuedIdentity, small_bid: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out"
    target.write_text("a file, not a folder")
    with pytest.raises(UsageError):
        open_bid(small_bid, bidder_rsa.identity(), target)


def test_seal_into_a_missing_folder_is_a_usage_error(
    bidder_rsa: IssuedIdentity, tmp_path: Path
) -> None:
    docs = _write(tmp_path, {"a.txt": b"x"})
    with pytest.raises(UsageError):
        seal(
            docs, tmp_path / "missing" / "bid.sealbid", identity=bidder_rsa.identity(), section="S"
        )


def test_inspect_refuses_a_tampered_header(
    bidder_rsa: IssuedIdentity, small_bid: Path, tmp_path: Path
) -> None:
    data = small_bid.read_bytes()
    with open(small_bid, "rb") as f:
        p = envelope._parse(f, len(data))
    header = dict(p.header, section="S-999")
    new = envelope.canonical_json(header)
    start = envelope._PRELUDE.size
    tampered = (
        data[:start] + struct.pack(">I", len(new)) + new + data[start + 4 + len(p.header_bytes) :]
    )
    bid = tmp_path / "tampered.sealbid"
    bid.write_bytes(tampered)
    with pytest.raises(HeaderTamperedError):
        verify(bid)  # verify does refuse it ...
    with pytest.raises(HeaderTamperedError):
        inspect(bid)  # ... but inspect shows section S-999 under the bidder's signature


# --- the command line ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_env(
    tmp_path_factory: pytest.TempPathFactory, bidder_rsa: IssuedIdentity, sandbox_ca: SandboxCA
) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cli")
    env = {
        "p12": d / "投标人.p12",
        "pw": d / "pw.txt",
        "ca": d / "ca.pem",
        "summary": d / "summary.json",
        "doc": d / "商务标.pdf",
        "dir": d,
    }
    bidder_rsa.write_p12(env["p12"], password="投标密码".encode())
    env["pw"].write_bytes("投标密码\r\n".encode())
    env["ca"].write_bytes(sandbox_ca.cert.public_bytes(serialization.Encoding.PEM))
    env["summary"].write_text('{"bid_price": 1234567.89, "工期": "180"}', encoding="utf-8")
    env["doc"].write_bytes(_blob("cli", 10_000))
    return env


def _cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_seal_verify_inspect_open(
    cli_env: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    e = cli_env
    bid = tmp_path / "bid.sealbid"
    ident = ["--identity", e["p12"], "--password-file", e["pw"]]
    code, out, err = _cli(
        capsys, "seal", *ident, "--section", "S-001", "--summary", e["summary"], "-o", bid, e["doc"]
    )
    assert (code, err) == (0, "")
    assert "已密封 / sealed" in out and bid.exists()

    code, out, err = _cli(capsys, "verify", bid, "--trust", e["ca"])
    assert (code, err) == (0, "")
    assert "验证通过 / verified" in out and "S-001" in out
    code, out, _ = _cli(capsys, "verify", bid, "--trust", e["ca"], "--json")
    report = json.loads(out)
    assert code == 0 and report["trusted"] is True and report["section"] == "S-001"

    parts = tmp_path / "parts"
    code, out, _ = _cli(capsys, "inspect", bid, "--json", "--extract", parts)
    report = json.loads(out)
    assert code == 0 and report["section"] == "S-001" and len(report["recipients"]) == 1
    assert sorted(Path(p).name for p in report["extracted"]) == [
        "header.json",
        "outer-manifest",
        "outer-manifest.p7s",
        "recipients.der",
    ]
    assert json.loads((parts / "header.json").read_bytes())["section"] == "S-001"

    out_dir = tmp_path / "opened"
    code, out, err = _cli(capsys, "open", bid, *ident, "-o", out_dir)
    assert (code, err) == (0, "")
    assert (out_dir / "documents" / "商务标.pdf").read_bytes() == e["doc"].read_bytes()
    # Money keeps its exact decimal digits, as a string.
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary == {"bid_price": "1234567.89", "工期": "180"}

    # Opening again into the same folder: a usage error (2), nothing overwritten.
    code, _, err = _cli(capsys, "open", bid, *ident, "-o", out_dir)
    assert code == 2
    assert "错误：参数有误" in err and "error: Invalid input" in err and "already exists" in err


def test_cli_failures_exit_1_with_both_languages(
    cli_env: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    e = cli_env
    bid = tmp_path / "bid.sealbid"
    ident = ["--identity", e["p12"], "--password-file", e["pw"]]
    assert _cli(capsys, "seal", *ident, "--section", "S-001", "-o", bid, e["doc"])[0] == 0
    data = bytearray(bid.read_bytes())
    data[-1] ^= 1  # the signature value
    bid.write_bytes(bytes(data))
    code, out, err = _cli(capsys, "verify", bid, "--trust", e["ca"])
    assert (code, out) == (1, "")
    assert "错误：投标人签名无效" in err and "error: The bidder's signature is invalid" in err

    bad_pw = tmp_path / "bad.txt"
    bad_pw.write_text("wrong")
    code, _, err = _cli(
        capsys,
        "open",
        bid,
        "--identity",
        e["p12"],
        "--password-file",
        bad_pw,
        "-o",
        tmp_path / "out",
    )
    assert code == 1
    assert WrongPasswordError.zh in err and WrongPasswordError.en in err
    assert not (tmp_path / "out").exists()


def test_cli_usage_errors_exit_2(
    cli_env: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    e = cli_env
    ident = ["--identity", e["p12"], "--password-file", e["pw"]]
    code, _, err = _cli(
        capsys,
        "seal",
        *ident,
        "--section",
        "S",
        "-o",
        tmp_path / "b.sealbid",
        tmp_path / "无此文件.pdf",
    )
    assert code == 2 and "文件不存在" in err and "no such file" in err
    code, _, err = _cli(capsys, "verify", e["doc"], "--trust", e["doc"])
    assert code == 2 and "不是证书" in err and "not a certificate" in err
    code, _, err = _cli(capsys, "verify", tmp_path / "nope.sealbid")
    assert code == 2 and err.startswith("错误：")
    with pytest.raises(SystemExit) as info:
        main(["seal", "-o", str(tmp_path / "b.sealbid"), str(e["doc"])])  # no --section
    assert info.value.code == 2
    assert _listing(tmp_path) == []


def test_cli_seal_into_a_missing_folder_exits_2(
    cli_env: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    e = cli_env
    code, _, err = _cli(
        capsys,
        "seal",
        "--identity",
        e["p12"],
        "--password-file",
        e["pw"],
        "--section",
        "S",
        "-o",
        tmp_path / "missing" / "b.sealbid",
        e["doc"],
    )
    assert code == 2 and "错误：" in err and "error:" in err


def test_cli_as_a_subprocess(cli_env: dict[str, Path], tmp_path: Path) -> None:
    """The installed entry point as a user runs it: exit codes and UTF-8 text on the pipes."""
    e = cli_env
    bid = tmp_path / "bid.sealbid"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")

    def run(*args: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sealbid", *map(str, args)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=tmp_path,
            check=False,
            timeout=120,
        )

    r = run(
        "seal",
        "--identity",
        e["p12"],
        "--password-file",
        e["pw"],
        "--section",
        "标段-1",
        "-o",
        bid,
        e["doc"],
    )
    assert r.returncode == 0, r.stderr
    r = run("verify", bid, "--trust", e["ca"])
    assert r.returncode == 0, r.stderr
    assert "验证通过 / verified" in r.stdout and "标段-1" in r.stdout
    bid.write_bytes(bid.read_bytes() + b"\x00")
    r = run("verify", bid, "--trust", e["ca"])
    assert r.returncode == 1
    assert "投标文件末尾有多余数据" in r.stderr and "trailing data" in r.stderr
    assert "Traceback" not in r.stderr


# --- memory ----------------------------------------------------------------------------------

_MEMORY_SCRIPT = textwrap.dedent(
    """
    import json, os, resource, sys
    from pathlib import Path
    from crypto import open_bid, seal
    from crypto.ca import Role, SandboxCA

    work = Path(sys.argv[1])
    identity = SandboxCA.create().issue(role=Role.BIDDER, name="mem").identity()
    small = work / "small.bin"
    small.write_bytes(b"warm-up")
    # Warm up: lazy imports (pyHanko, certvalidator) and thread start-up are not growth.
    seal([small], work / "small.sealbid", identity=identity, section="S")
    open_bid(work / "small.sealbid", identity, work / "small-out")
    big = work / "big.bin"
    with open(big, "wb") as f:
        block = os.urandom(1 << 20)
        for _ in range(64):
            f.write(block)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seal([big], work / "big.sealbid", identity=identity, section="S")
    open_bid(work / "big.sealbid", identity, work / "big-out")
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    same = (work / "big-out" / "documents" / "big.bin").stat().st_size == big.stat().st_size
    print(json.dumps({"before_kib": before, "after_kib": after, "same_size": same}))
    """
)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform not in ("linux", "darwin"), reason="needs resource.getrusage")
def test_sealing_and_opening_64_mib_keeps_memory_flat(tmp_path: Path) -> None:
    """A bound on peak memory, not a timing: streaming keeps RSS growth far below the size."""
    r = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    scale = 1024 if sys.platform == "darwin" else 1  # ru_maxrss: bytes on macOS, KiB on Linux
    growth_mib = (report["after_kib"] - report["before_kib"]) / scale / 1024
    assert report["same_size"] is True
    assert growth_mib < 100, f"peak RSS grew by {growth_mib:.0f} MiB"


def test_a_document_that_vanishes_while_sealing_is_a_usage_error(
    tmp_path: Path, bidder_rsa: IssuedIdentity
) -> None:
    files = {"a.bin": _blob("vanish-a", 5 * CHUNK), "b.bin": _blob("vanish-b", 10)}
    docs = _write(tmp_path / "in", files)
    out = tmp_path / "out" / "bid.sealbid"
    out.parent.mkdir()

    def delete_b(done: int, total: int) -> None:
        (tmp_path / "in" / "b.bin").unlink(missing_ok=True)

    with pytest.raises(UsageError) as info:
        seal(
            docs,
            out,
            identity=bidder_rsa.identity(),
            section="S",
            chunk_size=CHUNK,
            progress=delete_b,
        )
    assert "b.bin" in info.value.diagnostics("en_US")
    assert "无法读取" in info.value.diagnostics("zh_CN")
    assert list(out.parent.iterdir()) == []
