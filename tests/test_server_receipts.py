"""Receipts checked by OpenSSL alone against the sandbox CA, their per-section hash chain, and the
audit log's hash chain (which must notice a modified or removed row). SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from serverkit import Api, seal_for
from sqlalchemy import delete, update

from client import wire
from crypto import cms, load_identity
from server import db
from server.receipts import GENESIS, AuditChainError, verify_audit_chain


def _openssl_verify(tmp: Path, signed: dict[str, str], ca: str) -> subprocess.CompletedProcess[str]:
    content = tmp / "receipt.json"
    sig = tmp / "receipt.p7s"
    content.write_bytes(signed["receipt"].encode())
    sig.write_bytes(base64.b64decode(signed["signature"]))
    return subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(sig),
         "-content", str(content), "-CAfile", ca, "-purpose", "any", "-out", str(tmp / "out")],
        capture_output=True, text=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def history(served: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three bidders submit, one replaces, one withdraws, in two sections."""
    api = Api(served.api)
    tmp = tmp_path_factory.mktemp("bids")
    sections = [s["id"] for s in served.sandbox["sections"]][0::2]  # works + goods
    tokens = []
    idents = []
    for i in range(3):
        p12, pw = served.identity("bidder", i)
        ident = load_identity(p12, password=pw)
        idents.append(ident)
        token = api.login(ident)
        tokens.append(token)
        for sid in sections:
            bid = seal_for(ident, api.section(token, sid), tmp / f"{i}-{sid}.sealbid")
            assert api.submit(token, sid, bid).status_code == 200
    replaced = seal_for(
        idents[0],
        api.section(tokens[0], sections[0]),
        tmp / "replace.sealbid",
        content=b"replacement",
    )
    assert api.submit(tokens[0], sections[0], replaced).status_code == 200
    r = api.request("POST", f"/sections/{sections[1]}/withdraw", tokens[2])
    assert r.status_code == 200
    receipts = []
    for token in tokens:
        receipts += api.request("GET", "/receipts", token).json()
    return {"api": api, "receipts": receipts, "sections": sections, "tokens": tokens}


def test_receipts_verify_with_openssl(served: Any, history: dict[str, Any], tmp_path: Path) -> None:
    assert len(history["receipts"]) == 8
    for signed in history["receipts"]:
        result = _openssl_verify(tmp_path, signed, served.sandbox["ca"])
        assert result.returncode == 0, result.stderr
        assert "Verification successful" in result.stderr


def test_openssl_refuses_an_altered_receipt(
    served: Any, history: dict[str, Any], tmp_path: Path
) -> None:
    signed = dict(history["receipts"][0])
    signed["receipt"] = signed["receipt"].replace('"sequence":', '"sequence":1')
    assert _openssl_verify(tmp_path, signed, served.sandbox["ca"]).returncode != 0


def test_receipts_are_signed_by_the_platform_certificate(
    served: Any, history: dict[str, Any]
) -> None:
    from cryptography import x509

    info = wire.PlatformInfo.model_validate_json(
        history["api"].http.get(served.api + "/platform").content
    )
    platform_cert = x509.load_pem_x509_certificates(info.certificate_pem.encode())[0]
    ca = x509.load_pem_x509_certificate(Path(served.sandbox["ca"]).read_bytes())
    for signed in history["receipts"]:
        signer = cms.verify_detached(
            base64.b64decode(signed["signature"]),
            signed["receipt"].encode(),
            trust=[ca],
            at=datetime.now(UTC),
        )
        assert signer.cert == platform_cert


def test_receipts_chain_per_section(served: Any, history: dict[str, Any]) -> None:
    by_section: dict[str, list[tuple[wire.Receipt, str]]] = {}
    for signed in history["receipts"]:
        text = signed["receipt"]
        receipt = wire.Receipt.model_validate_json(text)
        # Canonical JSON: what was signed re-serialises to itself.
        as_dict = json.loads(text)
        assert (
            json.dumps(as_dict, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == text
        )
        assert receipt.platform_id == served.config.platform_id
        by_section.setdefault(receipt.section_id, []).append((receipt, text))
    assert set(by_section) == set(history["sections"])
    for chain in by_section.values():
        chain.sort(key=lambda pair: pair[0].sequence)
        assert [r.sequence for r, _ in chain] == list(range(1, len(chain) + 1))
        previous = GENESIS
        for receipt, text in chain:
            assert receipt.previous_sha256 == previous
            previous = hashlib.sha256(text.encode()).hexdigest()
    kinds = sorted(r.kind for chain in by_section.values() for r, _ in chain)
    assert kinds == ["submit"] * 7 + ["withdraw"]


def test_receipt_names_the_stored_file(served: Any, history: dict[str, Any]) -> None:
    for signed in history["receipts"]:
        receipt = wire.Receipt.model_validate_json(signed["receipt"])
        assert receipt.file_sha256 is not None
        stored = served.platform.blobs.path(receipt.file_sha256).read_bytes()
        assert hashlib.sha256(stored).hexdigest() == receipt.file_sha256
        assert len(stored) == receipt.file_size
        assert receipt.received_at.endswith("Z") and len(receipt.received_at) == 20


def test_audit_log_chain_verifies_over_http(served: Any, history: dict[str, Any]) -> None:
    api = history["api"]
    supervisor = api.login(served.identity("supervisor"))
    rows = [
        wire.AuditEntry.model_validate(x)
        for x in api.request("GET", "/admin/audit", supervisor, params={"limit": 10000}).json()
    ]
    dicts = [r.model_dump() for r in rows]
    assert verify_audit_chain(dicts) == len(rows)
    actions = {r.action for r in rows}
    assert {"login", "submit", "withdraw", "upload.create", "section.create"} <= actions
    receipts_in_log = {r.data["receipt_sha256"] for r in rows if r.action in ("submit", "withdraw")}
    for signed in history["receipts"]:
        assert hashlib.sha256(signed["receipt"].encode()).hexdigest() in receipts_in_log
    # Paging: after=N gives the rest.
    tail = api.request("GET", "/admin/audit", supervisor, params={"after": 3, "limit": 2}).json()
    assert [t["seq"] for t in tail] == [4, 5]


def test_audit_log_detects_a_modified_row(served: Any, history: dict[str, Any]) -> None:
    """Runs last in this module: it alters the database behind the platform's back."""
    assert served.platform.verify_audit() > 10
    database = served.platform.db
    with database.write() as conn:
        conn.execute(update(db.audit).where(db.audit.c.seq == 7).values(actor="admin:someone-else"))
    with pytest.raises(AuditChainError) as info:
        served.platform.verify_audit()
    assert info.value.params["seq"] == 7
    assert "7" in info.value.diagnostics("zh_CN")
    with database.write() as conn:
        conn.execute(delete(db.audit).where(db.audit.c.seq == 7))
    with pytest.raises(AuditChainError):
        served.platform.verify_audit()
    # Even rewriting the whole tail consistently is caught by the recorded head... unless the
    # head is rewritten too; a copy of the head kept elsewhere (a receipt, a printout) is what
    # makes that visible: receipts carry their own chain for exactly that reason.
