"""The client against the real reference platform on 127.0.0.1: login, catalogue, downloads,
submission with verified receipts, replace, withdraw, the receipt store, and the refusals a
bidder meets (deadline by the platform's clock, stale tender version)."""

from __future__ import annotations

import base64
import hashlib
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from clienthelpers import Party, client_for, open_sections, publish_clarification, seal_for
from cryptography.hazmat.primitives import hashes, serialization
from platformserver import RunningPlatform, start_platform

from client import (
    AuthError,
    ChecksumError,
    DeadlinePassedError,
    ForbiddenError,
    ReceiptInvalidError,
    ReceiptStore,
    TenderVersionError,
    load_certificates,
    verify_receipt,
    wire,
)
from crypto.ca import Role, SandboxCA


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    p = start_platform(tmp_path_factory.mktemp("platform"))
    yield p
    p.stop()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_login_with_a_file_identity_and_the_platform_clock(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    bidder = Party.of(platform, "bidder", 0)
    with client_for(platform, bidder, tmp_path) as c:
        session = c.login()
        assert session.role == "bidder" and session.name == bidder.name
        fingerprint = bidder.identity().signing_cert.fingerprint(hashes.SHA256()).hex()
        assert session.cert_sha256 == fingerprint
        assert abs(c.clock_offset()) < timedelta(seconds=2)  # same machine
        assert abs(c.server_time() - datetime.now(UTC)) < timedelta(seconds=2)
        assert c.platform_info().platform_id == platform.sandbox["platform_id"]  # type: ignore[index]


def test_a_certificate_from_another_ca_cannot_log_in(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    stranger = SandboxCA.create().issue(
        role=Role.BIDDER, name="合肥建工集团有限公司", org_code="91340100MA2N0A1B25"
    )
    with client_for(platform, None, tmp_path, identity=stranger.identity()) as c:
        with pytest.raises(AuthError) as info:
            c.login()
    assert info.value.server_code is not None and info.value.server_code.startswith("auth.")
    assert "平台" in info.value.diagnostics("zh_CN")


def test_the_catalogue_lists_projects_and_sections_with_forms(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    with client_for(platform, Party.of(platform, "bidder", 1), tmp_path) as c:
        projects = c.projects()
        assert {p.sector for p in projects} >= {"工程建设", "政府采购"}
        sections = c.sections()
        assert {s.id for s in sections} == {s["id"] for s in platform.sandbox["sections"]}  # type: ignore[index]
        one = c.sections(project=projects[0].id)
        assert one and all(s.project_id == projects[0].id for s in one)
        s = c.section(one[0].id)
        assert s.form.fields and s.documents and s.tender_version


def test_documents_download_with_their_digest_checked(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    sid = open_sections(platform)[0]
    seen: list[tuple[int, int]] = []
    with client_for(platform, Party.of(platform, "bidder", 1), tmp_path / "s") as c:
        docs = c.section(sid).documents
        for d in docs:
            path = c.download_document(
                sid, d, tmp_path / "招标文件", progress=lambda a, b: seen.append((a, b))
            )
            assert path.parent == tmp_path / "招标文件" and path.name == d.name
            assert _sha256(path) == d.sha256 and path.stat().st_size == d.size
        assert seen and seen[-1][0] == seen[-1][1]
        # By id, too.
        assert c.download_document(sid, docs[0].id, tmp_path / "by-id").is_file()
        # A listing that does not match what arrives: refused, and nothing is left behind.
        wrong = docs[0].model_copy(update={"sha256": "0" * 64})
        dest = tmp_path / "wrong"
        with pytest.raises(ChecksumError):
            c.download_document(sid, wrong, dest)
        assert list(dest.iterdir()) == []


def _openssl_verify(tmp: Path, signed: wire.SignedReceipt, ca_pem: str) -> None:
    (tmp / "receipt.json").write_bytes(signed.receipt.encode())
    (tmp / "sig.p7s").write_bytes(base64.b64decode(signed.signature))
    (tmp / "ca.pem").write_text(ca_pem, encoding="ascii")
    subprocess.run(
        [
            "openssl", "cms", "-verify", "-binary", "-inform", "DER",
            "-in", str(tmp / "sig.p7s"), "-content", str(tmp / "receipt.json"),
            "-CAfile", str(tmp / "ca.pem"), "-purpose", "any", "-out", str(tmp / "out"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    assert (tmp / "out").read_bytes() == signed.receipt.encode()


def test_submit_replace_withdraw_with_verified_receipts(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    sid = open_sections(platform)[0]
    bidder = Party.of(platform, "bidder", 2)
    state = tmp_path / "state"
    with client_for(platform, bidder, state) as c:
        assert c.submission(sid).status == "none"
        first_bid = seal_for(c, bidder, sid, tmp_path / "1", size=300 << 10)
        progress: list[tuple[int, int]] = []
        first = c.submit(sid, first_bid, progress=lambda d, t: progress.append((d, t)))
        size = first_bid.stat().st_size
        assert progress[-1] == (size, size)
        r = first.receipt
        assert (r.kind, r.section_id, r.file_sha256, r.file_size) == (
            "submit", sid, _sha256(first_bid), size,
        )  # fmt: skip
        assert r.bidder.name == bidder.name and first.trust == "platform-info"
        assert first.path is not None and first.path.is_file()
        assert first.path.is_relative_to(state / "receipts")
        # The stored file is what the platform signed: OpenSSL alone verifies it.
        pem = c.platform_info().certificate_pem
        roots = [x for x in load_certificates(pem) if x.subject == x.issuer]
        ca_pem = "".join(x.public_bytes(serialization.Encoding.PEM).decode() for x in roots)
        _openssl_verify(tmp_path, ReceiptStore.load(first.path), ca_pem)
        # Nothing left of the upload once the receipt is kept.
        assert not list((state / "uploads").glob("*.json"))

        # Replace: the newest counts; its receipt chains to the first.
        second_bid = seal_for(c, bidder, sid, tmp_path / "2", size=200 << 10)
        second = c.submit(sid, second_bid)
        assert second.receipt.sequence > r.sequence
        assert second.receipt.file_sha256 == _sha256(second_bid)
        current = c.submission(sid)
        assert current.status == "submitted" and current.latest == second.signed

        # Withdraw.
        gone = c.withdraw(sid)
        assert gone.receipt.kind == "withdraw" and gone.path is not None
        assert c.submission(sid).status == "withdrawn"

        # Every receipt of this bidder, verified and kept locally.
        mine = c.receipts()
        assert [x.receipt.kind for x in mine if x.receipt.section_id == sid] == [
            "submit", "submit", "withdraw",
        ]  # fmt: skip
        stored = ReceiptStore(state / "receipts").list()
        assert {x.path for x in mine} <= set(stored)
        for path in stored:
            verify_receipt(ReceiptStore.load(path))  # offline, anchored at the carried root


def test_the_receipt_proves_only_the_file_that_was_sent(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    sid = open_sections(platform)[1]
    bidder = Party.of(platform, "bidder", 3)
    with client_for(platform, bidder, tmp_path / "s") as c:
        bid = seal_for(c, bidder, sid, tmp_path)
        receipt = c.submit(sid, bid)
        other = seal_for(c, bidder, sid, tmp_path / "other")
        with pytest.raises(ReceiptInvalidError):
            c.verify_receipt(receipt.signed, file_path=other)
        assert c.verify_receipt(receipt.signed, file_path=bid).receipt == receipt.receipt


def test_another_bidders_bid_is_refused_and_shown_as_refused(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    sid = open_sections(platform)[0]
    alice, bob = Party.of(platform, "bidder", 3), Party.of(platform, "bidder", 4)
    with client_for(platform, bob, tmp_path / "bob") as c:
        alices_bid = seal_for(c, alice, sid, tmp_path)
        with pytest.raises(Exception) as info:
            c.submit(sid, alices_bid)
        assert info.value.__class__.__name__ in {"BidRejectedError", "ForbiddenError"}
        assert c.submission(sid).status == "none"
        assert not ReceiptStore(tmp_path / "bob" / "receipts").list()


def test_a_host_cannot_submit(platform: RunningPlatform, tmp_path: Path) -> None:
    sid = open_sections(platform)[0]
    with client_for(platform, Party.of(platform, "host"), tmp_path) as c:
        bid = tmp_path / "x.sealbid"
        bid.write_bytes(b"not a bid")
        with pytest.raises(ForbiddenError):
            c.submit(sid, bid)


# --- the platform's clock and the tender version decide ----------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.shift = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift


def _soonest(platform: RunningPlatform) -> str:
    sections = [s for s in platform.sandbox["sections"] if s["open_for_bids"]]  # type: ignore[index]
    return str(min(sections, key=lambda s: s["deadline"])["id"])


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[tuple[RunningPlatform, _Clock]]:
    clock = _Clock()
    p = start_platform(tmp_path / "clocked", clock=clock)
    yield p, clock
    p.stop()


def test_the_deadline_refusal_is_a_typed_error_by_the_platforms_clock(
    clocked: tuple[RunningPlatform, _Clock], tmp_path: Path
) -> None:
    platform, clock = clocked
    sid = _soonest(platform)
    bidder = Party.of(platform, "bidder", 0)
    with client_for(platform, bidder, tmp_path / "s") as c:
        bid = seal_for(c, bidder, sid, tmp_path)
        deadline = c.section(sid).deadline
        clock.shift = deadline - datetime.now(UTC)  # the platform's clock is at the deadline
        with pytest.raises(DeadlinePassedError) as info:
            c.submit(sid, bid)
        text = info.value.diagnostics("zh_CN")
        assert "截止" in text and info.value.server_code == "section.deadline_passed"
        with pytest.raises(DeadlinePassedError):
            c.withdraw(sid)
        assert not ReceiptStore(tmp_path / "s" / "receipts").list()


def test_a_deadline_passing_mid_upload_stops_it_with_the_typed_error(
    clocked: tuple[RunningPlatform, _Clock], tmp_path: Path
) -> None:
    platform, clock = clocked
    sid = _soonest(platform)  # an upload outlives a shift to it (uploads expire after days)
    bidder = Party.of(platform, "bidder", 1)
    with client_for(platform, bidder, tmp_path / "s") as c:
        bid = seal_for(c, bidder, sid, tmp_path, size=20 << 20)
        deadline = c.section(sid).deadline

        def progress(done: int, total: int) -> None:
            if done > 9 << 20:
                clock.shift = deadline - datetime.now(UTC) + timedelta(seconds=1)

        with pytest.raises(DeadlinePassedError):
            c.submit(sid, bid, progress=progress)
        assert c.submission(sid).status == "none"


def test_a_bid_sealed_against_an_old_tender_version_must_be_resealed(
    clocked: tuple[RunningPlatform, _Clock], tmp_path: Path
) -> None:
    platform, _ = clocked
    sid = open_sections(platform)[1]
    bidder = Party.of(platform, "bidder", 2)
    with client_for(platform, bidder, tmp_path / "s") as c:
        old = seal_for(c, bidder, sid, tmp_path / "old")
        publish_clarification(platform, Party.of(platform, "host"), sid, tmp_path / "host")
        with pytest.raises(TenderVersionError) as info:
            c.submit(sid, old)
        assert not list((tmp_path / "s" / "uploads").glob("*.json"))  # abandoned, not kept
        assert "重新密封" in info.value.diagnostics("zh_CN")
        assert "reseal" in info.value.diagnostics("en_US")
        resealed = seal_for(c, bidder, sid, tmp_path / "new")
        assert c.submit(sid, resealed).receipt.kind == "submit"
