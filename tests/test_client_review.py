"""Regression tests for the second review's client defects (one test per defect)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from clienthelpers import Party, client_for, open_sections, seal_for
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from platformserver import RunningPlatform, start_platform

from client import (
    PlatformClient,
    ReceiptInvalidError,
    RetryPolicy,
    load_certificates,
    verify_receipt,
    wire,
)
from client.platform import _read_chunk, normalise_base_url
from client.uploads import UploadState
from crypto import canonical_json
from sealbid.cli import main
from sealbid.errors import UsageError


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    p = start_platform(tmp_path_factory.mktemp("platform"))
    yield p
    p.stop()


def _forged_by_bidder(platform: RunningPlatform, bidder: Party, info: wire.PlatformInfo) -> str:
    ident = bidder.identity()
    fp = ident.signing_cert.fingerprint(hashes.SHA256()).hex()
    rec = {
        "kind": "submit",
        "platform_id": info.platform_id,
        "section_id": open_sections(platform)[0],
        "bidder": {"name": "FORGED", "org_code": None, "cert_sha256": fp},
        "file_sha256": "ab" * 32,
        "file_size": 123,
        "received_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sequence": 1,
        "previous_sha256": "0" * 64,
    }
    text = canonical_json(rec)
    sig = ident.sign_detached(text, signing_time=datetime.now(UTC))
    signed = wire.SignedReceipt(receipt=text.decode(), signature=base64.b64encode(sig).decode())
    return signed.model_dump_json()


def test_receipt_forgery_a_receipt_signed_by_a_bidder_under_the_platform_ca_is_refused(
    platform: RunningPlatform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bidder = Party.of(platform, "bidder", 0)
    with client_for(platform, bidder, tmp_path / "state") as c:
        info = c.platform_info()
        forged = wire.SignedReceipt.model_validate_json(_forged_by_bidder(platform, bidder, info))
        with pytest.raises(ReceiptInvalidError, match="receipt certificate"):
            c.verify_receipt(forged)
    chain = load_certificates(info.certificate_pem)
    cas = [x for x in chain if x.extensions.get_extension_for_class(x509.BasicConstraints).value.ca]
    assert cas
    with pytest.raises(ReceiptInvalidError, match="receipt certificate"):
        verify_receipt(forged, platform_cert=chain)
    with pytest.raises(ReceiptInvalidError, match="pinned"):  # only a CA and nothing saved
        verify_receipt(forged, platform_cert=cas)
    with pytest.raises(ReceiptInvalidError, match="receipt certificate"):  # the saved pin
        verify_receipt(forged, platform_cert=cas, pinned=chain)
    with pytest.raises(ReceiptInvalidError, match="another platform"):
        verify_receipt(
            forged, platform_cert=cas, any_signer_under_ca=True, platform_id="other-platform"
        )
    assert verify_receipt(forged, platform_cert=cas, any_signer_under_ca=True).trust

    # The CLI: a forged file in the store folder, and the CA only.
    folder = tmp_path / "state" / "receipts" / info.platform_id / "S"
    folder.mkdir(parents=True)
    (folder / "000001-submit-forged.json").write_text(forged.model_dump_json(), "utf-8")
    ca = tmp_path / "ca.pem"
    ca.write_bytes(b"".join(x.public_bytes(serialization.Encoding.PEM) for x in cas))
    loose = tmp_path / "forged.json"
    loose.write_text(forged.model_dump_json(), "utf-8")
    assert main(["receipt", "verify", str(loose), "--platform-cert", str(ca)]) == 1
    assert "pinned" in capsys.readouterr().err
    state = ["--state-dir", str(tmp_path / "state")]
    assert main(["receipt", "verify", str(loose), "--platform-cert", str(ca), *state]) == 1
    assert main(["receipts", *state]) == 1
    assert "receipt certificate" in capsys.readouterr().err


def test_stale_receipt_a_resumed_finished_upload_is_not_shown_as_accepted(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = open_sections(platform)[1]
    bidder = Party.of(platform, "bidder", 2)
    state = tmp_path / "state"
    with client_for(platform, bidder, tmp_path / "seal") as c0:
        bid = seal_for(c0, bidder, sid, tmp_path / "bid")
    with client_for(platform, bidder, state) as c:
        removed: list[UploadState] = []
        remove = c.upload_store.remove

        def keep(st: UploadState) -> None:
            removed.append(st)
            remove(st)

        monkeypatch.setattr(c.upload_store, "remove", keep)
        first = c.submit(sid, bid)
        finished = removed[-1]  # the state a client whose finish answer was lost still has
        c.upload_store.save(finished)
        c.withdraw(sid)
        key = {
            "base_url": finished.base_url,
            "cert_sha256": finished.cert_sha256,
            "section_id": sid,
        }
        assert c.upload_store.load(**key) is None  # withdraw forgets the upload
        c.upload_store.save(finished)  # ...which an older client did not: resumed below
        again = c.submit(sid, bid)
        current = c.submission(sid)
        assert current.status == "submitted" and current.latest == again.signed
        assert again.receipt.sequence > first.receipt.sequence + 1


def test_plain_http_loopback_bypass_no_proxy_and_no_dot_localhost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    got: list[bytes] = []

    def serve() -> None:
        conn, _ = srv.accept()
        got.append(conn.recv(65536))
        conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{srv.getsockname()[1]}")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{srv.getsockname()[1]}")
    c = PlatformClient(
        base_url=f"http://127.0.0.1:{port}", state_dir=tmp_path, retry=RetryPolicy(attempts=1)
    )
    with pytest.raises(Exception):  # noqa: B017 - any refusal; what matters is the proxy
        c.platform_info()
    c.close()
    srv.close()
    assert got == []
    from client import InsecureUrlError

    for url in ("http://evil.localhost", "http://a.b.localhost:8000", "http://127.0.0.1.nip.io"):
        with pytest.raises(InsecureUrlError):
            normalise_base_url(url)
    for url in ("http://localhost:8000", "http://127.9.9.9", "http://[::1]:80"):
        normalise_base_url(url)


def test_unanchored_receipts_are_labelled_and_stored_pins_are_used(
    platform: RunningPlatform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = open_sections(platform)[2 % len(open_sections(platform))]
    bidder = Party.of(platform, "bidder", 1)
    state = tmp_path / "state"
    with client_for(platform, bidder, state) as c:
        r = c.submit(sid, seal_for(c, bidder, sid, tmp_path / "b"))
    assert r.path is not None
    assert main(["receipts", "--state-dir", str(state)]) == 0
    out = capsys.readouterr().out
    assert "signer pinned" in out and "UNANCHORED" not in out
    # Without the saved platform certificate: only the carried chain, said visibly.
    (state / "receipts" / c.platform_info().platform_id / "platform.json").unlink()
    assert main(["receipts", "--state-dir", str(state)]) == 0
    out = capsys.readouterr().out
    assert "未锚定" in out and "UNANCHORED" in out
    loose = tmp_path / "copy.json"
    shutil.copy(r.path, loose)
    assert main(["receipt", "verify", str(loose)]) == 0
    out = capsys.readouterr().out
    assert "UNANCHORED" in out and "回执验证通过" not in out


def test_builtin_exceptions_damaged_receipt_bad_url_and_unreadable_chunk(
    platform: RunningPlatform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A receipt whose signature carries a certificate that does not parse.
    bidder = Party.of(platform, "bidder", 0)
    with client_for(platform, bidder, tmp_path / "s") as c:
        info = c.platform_info()
    body = json.loads(_forged_by_bidder(platform, bidder, info))
    der = bytearray(base64.b64decode(body["signature"]))
    name = "合肥建工集团有限公司".encode()
    at = der.find(name)
    der[at - 2] = 0x13  # a UTF8String turned into a PrintableString: not parseable text
    body["signature"] = base64.b64encode(bytes(der)).decode()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(body), "utf-8")
    assert main(["receipt", "verify", str(bad)]) == 1
    assert "回执验证失败" in capsys.readouterr().err
    folder = tmp_path / "st" / "receipts" / info.platform_id / "S"
    folder.mkdir(parents=True)
    shutil.copy(bad, folder / "000001-submit-bad.json")
    assert main(["receipts", "--state-dir", str(tmp_path / "st")]) == 1
    assert "bad.json" in capsys.readouterr().err

    for url in ("http://[::1", "https://example.com:abc"):
        with pytest.raises(UsageError):
            PlatformClient(base_url=url, state_dir=tmp_path)
        login = ["--platform", url, "--identity", str(bidder.p12)]
        assert main(["sections", *login, "--password-file", str(bidder.password_file)]) == 2
        capsys.readouterr()

    gone = tmp_path / "gone.bin"
    gone.write_bytes(b"x" * 10)
    os.chmod(gone, 0)
    if os.access(gone, os.R_OK):  # root reads anything: remove it instead
        gone.unlink()
    with pytest.raises(UsageError):
        _read_chunk(gone, 0, 10)
