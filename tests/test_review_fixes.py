"""Regression tests for defects found in review of the sealed-bid code, one test per defect,
each named after what went wrong. Every one of these failed before its fix."""

from __future__ import annotations

import json
import os
import struct
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from crypto import cms, envelope, inspect, open_bid, seal, verify
from crypto.ca import IssuedIdentity, SandboxCA
from crypto.errors import (
    FileAccessError,
    FormatError,
    KeyCommitmentError,
    SignerMismatchError,
)
from crypto.identity import FileIdentity
from sealbid.cli import main
from sealbid.errors import UsageError


def _doc(tmp_path: Path, name: str = "商务标.pdf", data: bytes = b"%PDF-1.7 bid") -> Path:
    p = tmp_path / "in" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


def _seal(tmp_path: Path, issued: IssuedIdentity, **kw: object) -> Path:
    out = tmp_path / "bid.sealbid"
    seal([_doc(tmp_path)], out, identity=issued.identity(), section="S-1", **kw)  # type: ignore[arg-type]
    return out


def test_seal_refuses_an_inner_manifest_the_reader_would_refuse(
    tmp_path: Path, bidder_rsa: IssuedIdentity
) -> None:
    huge = {"说明": "字" * (400 * 1024)}  # ~1.2 MB of UTF-8: over the 1 MiB inner-manifest cap
    with pytest.raises(UsageError) as info:
        _seal(tmp_path, bidder_rsa, summary=huge)
    assert "1 MiB" in info.value.diagnostics("en_US")
    assert not (tmp_path / "bid.sealbid").exists()


def test_a_tampered_cbc_block_gives_the_same_error_whatever_its_padding(
    tmp_path: Path, bidder_rsa: IssuedIdentity
) -> None:
    """No padding oracle on the file key: every change to the content-encryption ciphertext
    ends at the key commitment, never in a distinct padding error."""
    ident = bidder_rsa.identity()
    out = _seal(tmp_path, bidder_rsa)
    with open(out, "rb") as f:
        parsed = envelope._parse(f, out.stat().st_size)
    good = cms.unwrap_file_key(parsed.recipients_der, ident)
    outcomes = set()
    for block, byte in ((0, 5), (1, 15), (2, 15), (2, 0)):
        der = bytearray(parsed.recipients_der)
        # The encrypted content is the last 48 bytes of the DER (the final OCTET STRING).
        der[len(der) - 48 + 16 * block + byte] ^= 0x01
        try:
            key = cms.unwrap_file_key(bytes(der), ident)
        except Exception as exc:
            outcomes.add(type(exc).__name__)
            continue
        if block == 2:
            # The last block only carries the padding, which is not checked: same key.
            assert key == good
            outcomes.add("same key")
            continue
        assert key != good
        with pytest.raises(KeyCommitmentError):
            envelope._check_commitment(parsed, key)
        outcomes.add("commitment")
    assert outcomes == {"commitment", "same key"}


def test_header_json_that_is_not_canonical_or_strict_is_refused(
    tmp_path: Path, bidder_rsa: IssuedIdentity
) -> None:
    for bad in (
        b'{"a":1,"a":2}',
        b'{"a":NaN}',
        b'{"b":1,"a":2}',
        b"[" * 5000 + b"]" * 5000,
    ):
        with pytest.raises(FormatError):
            envelope._json(bad, "header")


def test_summary_money_as_decimal_is_written_exactly_and_nan_is_refused(
    tmp_path: Path, bidder_rsa: IssuedIdentity
) -> None:
    out = _seal(tmp_path, bidder_rsa, summary={"投标报价": Decimal("1234567.89")})
    opened = open_bid(out, bidder_rsa.identity(), tmp_path / "o")
    assert opened.summary == {"投标报价": "1234567.89"}
    with pytest.raises(UsageError):
        _seal(tmp_path / "2", bidder_rsa, summary={"投标报价": float("nan")})
    with pytest.raises(UsageError):
        _seal(tmp_path / "3", bidder_rsa, summary={"投标报价": Decimal("Infinity")})


def test_a_naive_opening_time_is_a_usage_error_not_a_type_error(
    tmp_path: Path, bidder_rsa: IssuedIdentity
) -> None:
    with pytest.raises(UsageError):
        _seal(tmp_path, bidder_rsa, opening_time=datetime(2030, 1, 1, 9, 0))


def test_sealing_over_one_of_the_documents_is_refused(
    tmp_path: Path, bidder_rsa: IssuedIdentity
) -> None:
    doc = _doc(tmp_path)
    with pytest.raises(UsageError):
        seal([doc], doc, identity=bidder_rsa.identity(), section="S")
    assert doc.read_bytes() == b"%PDF-1.7 bid"


def test_sealing_onto_a_folder_is_a_clear_error_and_leaves_no_temp_file(
    tmp_path: Path, bidder_rsa: IssuedIdentity, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _doc(tmp_path)
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(FileAccessError):
        seal([doc], target, identity=bidder_rsa.identity(), section="S")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    pw = tmp_path / "pw"
    pw.write_text("pw")
    p12 = tmp_path / "b.p12"
    bidder_rsa.write_p12(p12, password=b"pw")
    args = ["seal", "--identity", str(p12), "--password-file", str(pw), "--section", "S"]
    assert main([*args, "-o", str(target), str(doc)]) == 1
    err = capsys.readouterr().err
    assert "无法读写文件" in err and "Cannot read or write" in err


def test_opened_plaintext_is_owner_only(tmp_path: Path, bidder_rsa: IssuedIdentity) -> None:
    out = _seal(tmp_path, bidder_rsa)
    open_bid(out, bidder_rsa.identity(), tmp_path / "o")
    doc = tmp_path / "o" / "documents" / "商务标.pdf"
    assert doc.stat().st_mode & 0o077 == 0
    assert (tmp_path / "o" / "documents").stat().st_mode & 0o077 == 0


def test_inspect_refuses_a_bid_signed_by_someone_else_than_the_named_bidder(
    tmp_path: Path, bidder_rsa: IssuedIdentity, bidder_ec: IssuedIdentity
) -> None:
    out = _seal(tmp_path, bidder_rsa)
    with open(out, "rb") as f:
        parsed = envelope._parse(f, out.stat().st_size)
    now = datetime.now(UTC)
    forged = bidder_ec.identity().sign_detached(parsed.manifest_bytes, signing_time=now)
    data = out.read_bytes()
    cut = len(data) - 4 - len(parsed.signature)
    out.write_bytes(data[:cut] + struct.pack(">I", len(forged)) + forged)
    with pytest.raises(SignerMismatchError):
        inspect(out)


def test_verify_hashes_only_the_bytes_it_checked(
    tmp_path: Path, bidder_rsa: IssuedIdentity
) -> None:
    out = tmp_path / "bid.sealbid"
    doc = _doc(tmp_path, "大文件.bin", os.urandom(3 << 20))
    seal([doc], out, identity=bidder_rsa.identity(), section="S-1")
    size = out.stat().st_size
    expected = verify(out).sha256

    def append(done: int, total: int) -> None:
        if done < total:
            with open(out, "ab") as f:
                f.write(b"appended while verifying")

    # Bytes appended while the digest pass runs are not part of what was checked, so they
    # must not be part of the digest returned either.
    got = verify(out, progress=append).sha256
    assert out.stat().st_size > size
    assert got == expected


def test_a_signing_certificate_with_only_non_repudiation_seals_and_verifies(
    tmp_path: Path, sandbox_ca: SandboxCA
) -> None:
    from crypto.ca import KeyType, generate_key

    key = generate_key(KeyType.P256)
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "只有不可否认")]))
        .issuer_name(sandbox_ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    cert = builder.sign(sandbox_ca._key, hashes.SHA256())
    ident = FileIdentity(
        signing_key=key, signing_cert=cert, encryption_key=key, encryption_cert=cert
    )
    out = tmp_path / "b.sealbid"
    seal([_doc(tmp_path)], out, identity=ident, section="S")
    assert verify(out, trust=[sandbox_ca.cert]).trusted


def test_cli_never_prints_a_traceback_for_a_folder_given_as_extract_target(
    tmp_path: Path, bidder_rsa: IssuedIdentity, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _seal(tmp_path, bidder_rsa)
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    assert main(["inspect", str(out), "--extract", str(a_file)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "error:" in err


def test_ca_issue_with_bad_days_or_missing_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ca = tmp_path / "ca"
    assert main(["ca", "init", str(ca)]) == 0
    pw = tmp_path / "pw"
    pw.write_text("pw")
    base = ["ca", "issue", str(ca), "--role", "host", "--name", "甲", "--password-file", str(pw)]
    assert main([*base, "--days", "-1000", "--out", str(tmp_path / "a.p12")]) == 2
    assert main([*base, "--out", str(tmp_path / "missing" / "a.p12")]) in (1, 2)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not (tmp_path / "a.p12").exists()


def test_json_of_the_vectors_is_canonical() -> None:
    vectors = Path(__file__).parent / "vectors"
    for sidecar in sorted(vectors.glob("ok-*.json")):
        case = json.loads(sidecar.read_text(encoding="utf-8"))
        if case["operation"] != "verify":
            continue
        bid = sidecar.with_suffix(".sealbid")
        with open(bid, "rb") as f:
            parsed = envelope._parse(f, os.fstat(f.fileno()).st_size)
        assert envelope.canonical_json(parsed.header) == parsed.header_bytes
