"""Offline verification of the signed opening record (client.record): a real record made by a
real opening on the platform (127.0.0.1), then tampered with in every way that matters; each
tampering must fail the check it concerns, and the untampered record passes."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from clienthelpers import Party
from cryptography.hazmat.primitives.serialization import Encoding
from openingkit import OpeningKit, org_code_of
from platformserver import RunningPlatform, SettableClock, start_platform

from client import wire
from client.errors import RecordInvalidError
from client.receipts import load_certificates
from client.record import (
    RecordReport,
    load_record,
    record_digest_ok,
    save_record,
    signature_digest,
    verify_record,
)
from crypto import canonical_json
from sealbid.cli import main


@dataclass
class Built:
    platform: RunningPlatform
    kit: OpeningKit
    section_id: str
    doc: wire.SignedRecord
    anchors: list[Any]
    body: dict[str, Any]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    tmp = tmp_path_factory.mktemp("record")
    clock = SettableClock()
    platform = start_platform(tmp, clock=clock)
    kit = OpeningKit(platform, clock, tmp)
    try:
        sid = kit.section(bidders=3)
        kit.past_opening(sid)
        doc = kit.run(sid, until="finished")
        assert doc is not None
        info = kit.client(kit.party("host")).platform_info()
        yield Built(
            platform, kit, sid, doc, load_certificates(info.certificate_pem), json.loads(doc.record)
        )
    finally:
        kit.close()
        platform.stop()


def _verify(b: Built, doc: wire.SignedRecord, **kw: Any) -> RecordReport:
    return verify_record(doc, anchors=kw.pop("anchors", b.anchors), **kw)


def _failed(report: RecordReport) -> set[str]:
    return {c.key for c in report.checks if not c.ok}


def _sign_as(
    party: Party,
    b: Built,
    *,
    role: str = "bidder",
    org_code: str | None = None,
    record_sha256: str | None = None,
    decision: str = "confirm",
    reason: str | None = None,
) -> wire.RecordSignature:
    """A well-formed signature made with ``party``'s real key: what a participant's client
    would send, for whatever it claims."""
    identity = party.identity()
    cert = identity.signing_cert
    signed_at = b.doc.signatures[0].signed_at
    subject = cert.subject.rfc4514_string()
    statement = wire.record_statement(
        platform_id=b.body["platform"]["id"],
        section_id=b.section_id,
        record_sha256=record_sha256 or b.doc.record_sha256,
        role=role,
        signer=org_code if role == "bidder" and org_code else subject,
        decision=decision,
        reason=reason,
        time=signed_at,
    )
    from datetime import UTC, datetime

    when = datetime.strptime(signed_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    der = identity.sign_detached(statement, signing_time=when)
    return wire.RecordSignature(
        role=role,  # type: ignore[arg-type]
        name=party.name,
        org_code=org_code,
        subject=subject,
        serial=format(cert.serial_number, "x"),
        certificate=cert.public_bytes(Encoding.PEM).decode(),
        decision=decision,  # type: ignore[arg-type]
        reason=reason,
        signed_at=signed_at,
        statement=statement.decode(),
        signature=base64.b64encode(der).decode(),
    )


def _bidder_index(b: Built, doc_sig: wire.RecordSignature) -> int:
    return next(i for i, s in enumerate(b.doc.signatures) if s is doc_sig)


# --- the untampered record -------------------------------------------------------------------


def test_the_real_record_verifies_and_is_final(built: Built) -> None:
    report = _verify(built, built.doc)
    assert report.ok, report.render()
    assert report.final and report.anchored and report.trust == "platform-cert"
    keys = {c.key for c in report.checks}
    assert {"format", "canonical", "digest", "platform", "closing", "closing-signature"} <= keys
    assert {f"receipt:{n}" for n in (1, 2, 3)} <= keys
    assert {f"signature:{i}" for i in range(1, 7)} <= keys  # 3 bidders + host, recorder, supervisor
    text = report.render("zh_CN")
    assert "√" in text and "×" not in text and "开标记录验证通过" in text


def test_without_anchors_it_is_intact_but_unanchored(built: Built) -> None:
    report = verify_record(built.doc, anchors=None)
    assert report.ok and not report.anchored and report.trust == "embedded"
    assert "UNANCHORED" in report.render("en_US") and "未锚定" in report.render("zh_CN")


def test_a_pinned_platform_chain_anchors_it(built: Built) -> None:
    report = verify_record(built.doc, anchors=None, pinned=built.anchors)
    assert report.ok and report.trust == "stored"


def test_the_ca_alone_does_not_pin_the_signer(built: Built) -> None:
    ca = [c for c in built.anchors if c.issuer == c.subject]
    report = verify_record(built.doc, anchors=ca)
    assert "platform" in _failed(report)
    assert "pinned" in report.check("platform").detail


def test_a_bidder_certificate_as_anchor_is_not_the_platform(built: Built) -> None:
    bidder = built.kit.party("bidder", 0).identity()
    ca = [c for c in built.anchors if c.issuer == c.subject]
    report = verify_record(built.doc, anchors=[bidder.signing_cert, *ca])
    assert "platform" in _failed(report)
    assert "receipt:1" in _failed(report) and "closing-signature" in _failed(report)


def test_a_record_not_yet_closed_is_not_final_but_what_is_there_verifies(
    built: Built,
) -> None:
    open_doc = built.doc.model_copy(
        update={"closed": False, "closing": None, "closing_signature": None}
    )
    report = _verify(built, open_doc)
    assert report.ok and not report.final
    assert "closing" not in {c.key for c in report.checks}
    assert "NOT FINAL" in report.render("en_US")


def test_the_record_file_round_trips(built: Built, tmp_path: Path) -> None:
    path = save_record(tmp_path / "记录" / "开标记录.json", built.doc)
    assert load_record(path) == built.doc
    (tmp_path / "bad.json").write_text('{"record": 1}', "utf-8")
    with pytest.raises(RecordInvalidError):
        load_record(tmp_path / "bad.json")


# --- tampering -------------------------------------------------------------------------------


def test_changed_record_text_fails_the_digest_and_the_platform_signature(built: Built) -> None:
    price = built.body["bidders"][0]["summary"]["price"]
    forged = built.doc.record.replace(price, "1.00", 1)
    assert forged != built.doc.record
    report = _verify(built, built.doc.model_copy(update={"record": forged}))
    assert {"digest", "platform"} <= _failed(report)
    # With the digest brought in line, the platform's signature and every statement still fail.
    digest = hashlib.sha256(forged.encode()).hexdigest()
    report = _verify(
        built, built.doc.model_copy(update={"record": forged, "record_sha256": digest})
    )
    failed = _failed(report)
    assert "digest" not in failed and "platform" in failed and "closing" in failed
    assert {f"signature:{i}" for i in range(1, 7)} <= failed


def test_record_text_that_is_not_canonical_fails(built: Built) -> None:
    spaced = json.dumps(built.body, ensure_ascii=False, sort_keys=True, indent=1)
    report = _verify(built, built.doc.model_copy(update={"record": spaced}))
    assert _failed(report) == {"format"} and "canonical" in report.check("format").detail


def test_a_swapped_platform_signature_fails(built: Built) -> None:
    assert built.doc.closing_signature is not None
    swapped = built.doc.model_copy(update={"platform_signature": built.doc.closing_signature})
    report = _verify(built, swapped)
    assert _failed(report) == {"platform"}


def test_a_statement_for_another_record_digest_fails(built: Built) -> None:
    i = next(k for k, s in enumerate(built.doc.signatures) if s.role == "bidder")
    party = built.kit.party("bidder", 0)
    original = built.doc.signatures[i]
    other = _sign_as(party, built, org_code=original.org_code, record_sha256="ab" * 32)
    sigs = list(built.doc.signatures)
    sigs[i] = other
    report = _verify(built, built.doc.model_copy(update={"signatures": tuple(sigs)}))
    assert f"signature:{i + 1}" in _failed(report)
    assert "record_sha256" in report.check(f"signature:{i + 1}").detail
    # The same party's correct statement for this record passes where the other one failed.
    sigs[i] = _sign_as(party, built, org_code=original.org_code)
    report = _verify(built, built.doc.model_copy(update={"signatures": tuple(sigs)}))
    assert report.check(f"signature:{i + 1}").ok


def test_a_signature_by_a_non_participant_fails(built: Built) -> None:
    outsider = built.kit.party("bidder", 4)  # registered, never bid
    extra = _sign_as(outsider, built, org_code=org_code_of(built.platform, outsider))
    doc = built.doc.model_copy(update={"signatures": (*built.doc.signatures, extra)})
    report = _verify(built, doc)
    key = f"signature:{len(doc.signatures)}"
    assert key in _failed(report) and "not a bidder of this opening" in report.check(key).detail
    # A staff member signing in a role the record gives to someone else fails too.
    impostor = _sign_as(built.kit.party("admin"), built, role="supervisor")
    doc = built.doc.model_copy(update={"signatures": (*built.doc.signatures, impostor)})
    report = _verify(built, doc)
    assert "not the record's supervisor" in report.check(key).detail


def test_a_bidder_signing_as_another_organisation_fails(built: Built) -> None:
    me, other = built.kit.party("bidder", 0), built.kit.party("bidder", 1)
    claimed = org_code_of(built.platform, other)
    forged = _sign_as(me, built, org_code=claimed)
    doc = built.doc.model_copy(update={"signatures": (*built.doc.signatures, forged)})
    report = _verify(built, doc)
    key = f"signature:{len(doc.signatures)}"
    assert key in _failed(report) and "organisation code" in report.check(key).detail


def test_a_removed_signature_with_the_closing_unchanged_fails_the_closing(built: Built) -> None:
    doc = built.doc.model_copy(update={"signatures": built.doc.signatures[:-1]})
    report = _verify(built, doc)
    assert _failed(report) == {"closing"}
    assert not report.final


def test_a_changed_closing_fails_its_signature(built: Built) -> None:
    assert built.doc.closing is not None
    closing = json.loads(built.doc.closing)
    entries = closing["confirmations"]
    entries[0]["status"] = "declined"
    doc = built.doc.model_copy(update={"closing": canonical_json(closing).decode()})
    report = _verify(built, doc)
    assert {"closing", "closing-signature"} <= _failed(report)
    assert "confirmations" in report.check("closing").detail


def test_the_closing_lists_each_signature_by_its_der(built: Built) -> None:
    assert built.doc.closing is not None
    listed = json.loads(built.doc.closing)["signatures"]
    assert listed == [signature_digest(s) for s in built.doc.signatures]


def test_digest_check_before_signing_refuses_a_forged_record(built: Built) -> None:
    record_digest_ok(built.doc, anchors=built.anchors)  # the real one passes
    forged = built.doc.model_copy(update={"platform_signature": built.doc.closing_signature})
    with pytest.raises(RecordInvalidError):
        record_digest_ok(forged, anchors=built.anchors)


# --- the user's own receipts -----------------------------------------------------------------


def test_own_receipts_agree_with_the_record(built: Built) -> None:
    c = built.kit.client(built.kit.party("bidder", 1))
    mine = [c.verify_receipt(s) for s in [c.submission(built.section_id).latest] if s is not None]
    report = _verify(built, built.doc, receipts=mine)
    key = f"own-receipt:{mine[0].receipt.sequence}"
    assert report.ok and report.check(key).ok
    # Another bidder's receipt for a file the record does not list for it is caught.
    theirs = built.body["bidders"][0]["submission"]
    fake = mine[0].receipt.model_copy(update={"file_sha256": theirs["file_sha256"]})
    from dataclasses import replace

    report = _verify(built, built.doc, receipts=[replace(mine[0], receipt=fake)])
    assert key in _failed(report)


# --- the CLI ---------------------------------------------------------------------------------


def test_record_verify_cli(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = save_record(tmp_path / "开标记录.json", built.doc)
    leaf = tmp_path / "platform.pem"
    leaf.write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in built.anchors))
    empty = tmp_path / "empty-state"
    assert (
        main(
            ["record", "verify", str(path), "--platform-cert", str(leaf), "--state-dir", str(empty)]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "√" in out and "×" not in out and "the opening record verifies" in out
    assert "UNANCHORED" not in out

    # No anchor at all: intact but unanchored, said plainly, and not a success (exit 2) unless
    # the user accepts that: anyone can make a record that verifies against its own chain.
    assert main(["record", "verify", str(path), "--state-dir", str(empty)]) == 2
    assert "UNANCHORED" in capsys.readouterr().out
    args = ["record", "verify", str(path), "--state-dir", str(empty), "--allow-unanchored"]
    assert main(args) == 0
    capsys.readouterr()
    # A record still being signed: exit 3 unless accepted.
    unfinished = tmp_path / "unfinished.json"
    save_record(
        unfinished,
        built.doc.model_copy(update={"closed": False, "closing": None, "closing_signature": None}),
    )
    common = ["--platform-cert", str(leaf), "--state-dir", str(empty)]
    assert main(["record", "verify", str(unfinished), *common]) == 3
    assert "NOT FINAL" in capsys.readouterr().out
    assert main(["record", "verify", str(unfinished), *common, "--allow-unfinished"]) == 0
    capsys.readouterr()
    # A signer listed twice in a record still being signed: refused.
    doubled = tmp_path / "doubled.json"
    save_record(
        doubled,
        built.doc.model_copy(
            update={
                "closed": False,
                "closing": None,
                "closing_signature": None,
                "signatures": (*built.doc.signatures, built.doc.signatures[-1]),
            }
        ),
    )
    assert main(["record", "verify", str(doubled), *common, "--allow-unfinished"]) == 1
    assert "signed twice" in capsys.readouterr().out
    # A signer's displayed name is bound to the record's row.
    renamed = tmp_path / "renamed.json"
    first = built.doc.signatures[0].model_copy(update={"name": "冒名主持人"})
    save_record(
        renamed, built.doc.model_copy(update={"signatures": (first, *built.doc.signatures[1:])})
    )
    assert main(["record", "verify", str(renamed), *common]) == 1
    assert "冒名主持人" in capsys.readouterr().out

    tampered = tmp_path / "tampered.json"
    save_record(tampered, built.doc.model_copy(update={"signatures": built.doc.signatures[1:]}))
    assert (
        main(
            [
                "record",
                "verify",
                str(tampered),
                "--platform-cert",
                str(leaf),
                "--state-dir",
                str(empty),
            ]
        )
        == 1
    )
    out = capsys.readouterr().out
    assert "×" in out and "does NOT verify" in out

    (tmp_path / "junk.json").write_text("not json", "utf-8")
    assert main(["record", "verify", str(tmp_path / "junk.json")]) == 1
    assert "开标记录文件无法读取" in capsys.readouterr().err


def test_a_failed_tender_record_verifies(built: Built) -> None:
    """流标 (fewer than 3 bids): start ends the opening; the record says so and is signed and
    closed like any other."""
    kit = built.kit
    sid = kit.section(bidders=2)
    kit.past_opening(sid)
    host = kit.opening(kit.party("host"), sid)
    state = host.start()
    assert state.outcome == "failed" and state.phase == "confirming"
    for b in kit.bidders(2):
        kit.opening(b, sid).sign_record("confirm")
    for role in ("host", "recorder", "supervisor"):
        kit.opening(kit.party(role), sid).sign_record("confirm")
    host.finish()
    doc = host.record()
    report = _verify(built, doc)
    assert report.ok and report.final, report.render()
    body = report.body or {}
    assert body["outcome"] == "failed" and body["valid_bids"] == 0
    assert all(r["summary"] is None for r in body["bidders"])
