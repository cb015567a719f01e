"""Resumable submission against the real platform (SQLite and PostgreSQL): offsets, checksums,
resume, the checks at finish, replace, withdraw, and refusals at or after the deadline."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from serverkit import Api, seal_for
from sqlalchemy import select

from client import wire
from crypto import Identity, load_identity
from crypto.ca import KeyType, Role, SandboxCA
from server import db

WORKS = 0  # 施工一标段 (far deadline, has a clarification)
QUICK = 1  # 施工二标段 (deadline a few minutes after start)
GOODS = 2  # 第1包 (far deadline, 万元 form)


def _error(r: httpx.Response, status: int, code: str) -> wire.ErrorDetail:
    assert r.status_code == status, r.text
    err = wire.ErrorBody.model_validate_json(r.content).error
    assert err.code == code, err
    return err


def _ident(served: Any, i: int) -> Identity:
    p12, password = served.identity("bidder", i)
    return load_identity(p12, password=password)


def _sid(served: Any, which: int) -> str:
    return str(served.sandbox["sections"][which]["id"])


@pytest.fixture(scope="module")
def api(served: Any) -> Api:
    return Api(served.api)


@pytest.fixture(scope="module")
def tok(served: Any, api: Api) -> list[str]:
    """A token per sandbox bidder (A = 0, B = 1, …)."""
    return [api.login(_ident(served, i)) for i in range(5)]


def _sealed(served: Any, api: Api, token: str, i: int, which: int, tmp: Path, **kw: Any) -> bytes:
    section = api.section(token, _sid(served, which))
    return seal_for(_ident(served, i), section, tmp / f"bid-{os.urandom(4).hex()}.sealbid", **kw)


def _part_size(served: Any, upload_id: str) -> int:
    return int(served.platform.parts.path(upload_id).stat().st_size)


def _offset(api: Api, token: str, upload_id: str) -> int:
    r = api.head(token, upload_id)
    assert r.status_code == 200
    assert r.headers[wire.HEADER_LENGTH]
    return int(r.headers[wire.HEADER_OFFSET])


def test_wrong_offset_is_409_and_nothing_written(served: Any, api: Api, tok: list[str]) -> None:
    data = os.urandom(100_000)
    r = api.create_upload(tok[0], _sid(served, WORKS), data)
    assert r.status_code == 201, r.text
    up = wire.Upload.model_validate_json(r.content)
    assert (up.offset, up.length, up.chunk_max) == (0, 100_000, 8 << 20)
    assert api.patch(tok[0], up.id, 0, data[:60_000]).status_code == 204
    for wrong in (10, 0, 60_001, 99_999):
        r = api.patch(tok[0], up.id, wrong, data[wrong : wrong + 1000])
        _error(r, 409, "upload.offset")
        assert r.headers[wire.HEADER_OFFSET] == "60000"
        assert _part_size(served, up.id) == 60_000
        assert _offset(api, tok[0], up.id) == 60_000
    assert served.platform.parts.path(up.id).read_bytes() == data[:60_000]


def test_bad_checksum_is_460_and_offset_unchanged(served: Any, api: Api, tok: list[str]) -> None:
    data = os.urandom(50_000)
    up = api.create_upload(tok[0], _sid(served, WORKS), data).json()
    assert api.patch(tok[0], up["id"], 0, data[:20_000]).status_code == 204
    wrong = hashlib.sha256(b"something else").digest()
    import base64

    r = api.patch(
        tok[0], up["id"], 20_000, data[20_000:], checksum=base64.b64encode(wrong).decode()
    )
    _error(r, wire.CHECKSUM_MISMATCH_STATUS, "upload.checksum")
    assert _offset(api, tok[0], up["id"]) == 20_000
    assert _part_size(served, up["id"]) == 20_000
    r = api.patch(tok[0], up["id"], 20_000, data[20_000:], checksum="bm90IGEgZGlnZXN0")
    _error(r, 422, "request.invalid")
    assert api.patch(tok[0], up["id"], 20_000, data[20_000:]).status_code == 204
    assert _offset(api, tok[0], up["id"]) == 50_000


def test_too_much_data_is_413(served: Any, api: Api, tok: list[str]) -> None:
    data = os.urandom(1000)
    up = api.create_upload(tok[0], _sid(served, WORKS), data).json()
    _error(api.patch(tok[0], up["id"], 0, data + b"x"), 413, "upload.too_large")
    big = api.create_upload(tok[0], _sid(served, WORKS), b"\0" * (9 << 20)).json()
    r = api.patch(tok[0], big["id"], 0, b"\0" * ((8 << 20) + 1))
    _error(r, 413, "upload.too_large")
    assert _offset(api, tok[0], up["id"]) == 0 and _offset(api, tok[0], big["id"]) == 0


def test_resume_from_head_after_a_new_login(
    served: Any, api: Api, tok: list[str], tmp_path: Path
) -> None:
    data = _sealed(served, api, tok[0], 0, WORKS, tmp_path)
    up = api.create_upload(tok[0], _sid(served, WORKS), data).json()
    half = len(data) // 2
    assert api.patch(tok[0], up["id"], 0, data[:half]).status_code == 204
    # The app restarted: a new session of the same bidder asks where to go on.
    token = api.login(_ident(served, 0))
    offset = _offset(api, token, up["id"])
    assert offset == half
    _error(api.finish(token, up["id"]), 409, "upload.incomplete")
    assert api.patch(token, up["id"], offset, data[offset:]).status_code == 204
    r = api.finish(token, up["id"])
    assert r.status_code == 200, r.text
    receipt = wire.Receipt.model_validate_json(
        wire.SignedReceipt.model_validate_json(r.content).receipt
    )
    assert receipt.file_sha256 == hashlib.sha256(data).hexdigest()
    assert receipt.file_size == len(data)
    assert served.platform.blobs.path(receipt.file_sha256).read_bytes() == data
    assert not served.platform.parts.path(up["id"]).exists()


def test_finish_twice_gives_the_same_receipt(
    served: Any, api: Api, tok: list[str], tmp_path: Path
) -> None:
    data = _sealed(served, api, tok[2], 2, GOODS, tmp_path)
    upload_id = api.upload(tok[2], _sid(served, GOODS), data)
    first = api.finish(tok[2], upload_id)
    assert first.status_code == 200, first.text
    again = api.finish(tok[2], upload_id)
    assert again.status_code == 200
    assert again.json() == first.json()
    _error(api.patch(tok[2], upload_id, len(data), b""), 409, "upload.closed")


def _no_trace(served: Any, sha: str) -> None:
    with served.platform.db.read() as conn:
        rows = conn.execute(select(db.submissions).where(db.submissions.c.file_sha256 == sha))
        assert rows.first() is None
    assert not served.platform.blobs.exists(sha)


def test_tampered_file_refused(served: Any, api: Api, tok: list[str], tmp_path: Path) -> None:
    data = bytearray(_sealed(served, api, tok[0], 0, WORKS, tmp_path))
    # One bit of the ciphertext (prelude 18 bytes, then two length-prefixed blocks).
    header_len = int.from_bytes(data[18:22], "big")
    recipients_len = int.from_bytes(data[22 + header_len : 26 + header_len], "big")
    data[26 + header_len + recipients_len + 10] ^= 0x01
    tampered = bytes(data)
    r = api.submit(tok[0], _sid(served, WORKS), tampered)
    err = _error(r, 422, "bid.format.digest")
    assert "篡改" in err.zh
    _no_trace(served, hashlib.sha256(tampered).hexdigest())


def test_not_a_sealed_bid_refused(served: Any, api: Api, tok: list[str]) -> None:
    junk = b"%PDF-1.7 not sealed " + os.urandom(5000)
    _error(api.submit(tok[0], _sid(served, WORKS), junk), 422, "bid.format.magic")
    _no_trace(served, hashlib.sha256(junk).hexdigest())


def test_announced_digest_must_match(served: Any, api: Api, tok: list[str], tmp_path: Path) -> None:
    data = _sealed(served, api, tok[0], 0, WORKS, tmp_path)
    r = api.request(
        "POST",
        f"/sections/{_sid(served, WORKS)}/uploads",
        tok[0],
        json={"length": len(data), "sha256": "ab" * 32},
    )
    upload_id = r.json()["id"]
    assert api.patch(tok[0], upload_id, 0, data).status_code == 204
    _error(api.finish(tok[0], upload_id), 422, "upload.digest")


def test_other_bidders_bid_refused(served: Any, api: Api, tok: list[str], tmp_path: Path) -> None:
    bid_of_b = _sealed(served, api, tok[1], 1, WORKS, tmp_path)
    err = _error(api.submit(tok[0], _sid(served, WORKS), bid_of_b), 403, "bid.signer")
    assert "安徽路桥工程有限公司" in err.zh
    _no_trace(served, hashlib.sha256(bid_of_b).hexdigest())


def test_bid_for_another_section_refused(
    served: Any, api: Api, tok: list[str], tmp_path: Path
) -> None:
    for_goods = _sealed(served, api, tok[0], 0, GOODS, tmp_path)
    _error(api.submit(tok[0], _sid(served, WORKS), for_goods), 422, "bid.section")


def test_bid_signed_under_an_untrusted_ca_refused(
    served: Any, api: Api, tok: list[str], tmp_path: Path
) -> None:
    org = served.sandbox["identities"][4]["org_code"]
    stranger = SandboxCA.create().issue(
        role=Role.BIDDER, name="合肥建工集团有限公司", org_code=org, key_type=KeyType.P256
    )
    section = api.section(tok[0], _sid(served, WORKS))
    data = seal_for(stranger.identity(), section, tmp_path / "foreign.sealbid")
    _error(api.submit(tok[0], _sid(served, WORKS), data), 422, "bid.certificate.untrusted")


def test_stale_tender_version_refused_with_reseal_message(
    served: Any, api: Api, tok: list[str], tmp_path: Path
) -> None:
    sid = _sid(served, GOODS)
    stale = _sealed(served, api, tok[3], 3, GOODS, tmp_path)
    upload_id = api.upload(tok[3], sid, stale)
    host = api.login(served.identity("host"))
    r = api.request(
        "POST",
        f"/admin/sections/{sid}/documents",
        host,
        params={"name": "答疑澄清第2号.txt", "kind": "clarification"},
        content="交货期调整为 30 日历天。".encode(),
    )
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "clarification"
    err = _error(api.finish(tok[3], upload_id), 409, "bid.tender_version")
    assert "重新密封" in err.zh and "reseal" in err.en
    fresh = _sealed(served, api, tok[3], 3, GOODS, tmp_path)
    assert api.submit(tok[3], sid, fresh).status_code == 200


def test_bid_without_tender_version_refused(
    served: Any, api: Api, tok: list[str], tmp_path: Path
) -> None:
    data = _sealed(served, api, tok[0], 0, WORKS, tmp_path, tender_version=False)
    _error(api.submit(tok[0], _sid(served, WORKS), data), 409, "bid.tender_version")


def _receipt(r: httpx.Response) -> wire.Receipt:
    assert r.status_code == 200, r.text
    return wire.Receipt.model_validate_json(r.json()["receipt"])


def test_replace_keeps_the_old_one_for_audit(
    served: Any, api: Api, tok: list[str], tmp_path: Path
) -> None:
    sid = _sid(served, WORKS)
    first = _sealed(served, api, tok[4], 4, WORKS, tmp_path, content=b"first version")
    second = _sealed(served, api, tok[4], 4, WORKS, tmp_path, content=b"second version")
    r1 = _receipt(api.submit(tok[4], sid, first))
    r2 = _receipt(api.submit(tok[4], sid, second))
    assert r2.sequence > r1.sequence
    state = wire.SubmissionState.model_validate_json(
        api.request("GET", f"/sections/{sid}/submission", tok[4]).content
    )
    assert state.status == "submitted"
    assert state.latest is not None
    assert wire.Receipt.model_validate_json(state.latest.receipt) == r2
    with served.platform.db.read() as conn:
        rows = conn.execute(
            select(db.submissions.c.file_sha256, db.submissions.c.status).where(
                db.submissions.c.file_sha256.in_([r1.file_sha256, r2.file_sha256])
            )
        ).all()
    assert sorted(tuple(r) for r in rows) == sorted(
        [(r1.file_sha256, "superseded"), (r2.file_sha256, "current")]
    )
    assert served.platform.blobs.exists(r1.file_sha256)
    assert served.platform.blobs.exists(r2.file_sha256)
    mine = [
        wire.Receipt.model_validate_json(x["receipt"])
        for x in api.request("GET", "/receipts", tok[4]).json()
    ]
    assert r1 in mine and r2 in mine


def test_withdraw_then_submit_again(served: Any, api: Api, tok: list[str], tmp_path: Path) -> None:
    sid = _sid(served, WORKS)
    data = _sealed(served, api, tok[1], 1, WORKS, tmp_path)
    submitted = _receipt(api.submit(tok[1], sid, data))
    withdrawn = _receipt(api.request("POST", f"/sections/{sid}/withdraw", tok[1]))
    assert withdrawn.kind == "withdraw"
    assert withdrawn.file_sha256 == submitted.file_sha256
    assert withdrawn.sequence > submitted.sequence
    state = api.request("GET", f"/sections/{sid}/submission", tok[1]).json()
    assert state["status"] == "withdrawn"
    _error(api.request("POST", f"/sections/{sid}/withdraw", tok[1]), 409, "submission.none")
    assert served.platform.blobs.exists(submitted.file_sha256)  # kept for audit
    again = _receipt(api.submit(tok[1], sid, data))
    assert again.kind == "submit"
    assert api.request("GET", f"/sections/{sid}/submission", tok[1]).json()["status"] == "submitted"


def test_abandon_removes_the_partial_file(served: Any, api: Api, tok: list[str]) -> None:
    data = os.urandom(3000)
    up = api.create_upload(tok[0], _sid(served, WORKS), data).json()
    assert api.patch(tok[0], up["id"], 0, data[:1000]).status_code == 204
    assert api.request("DELETE", f"/uploads/{up['id']}", tok[0]).status_code == 204
    assert not served.platform.parts.path(up["id"]).exists()
    _error(api.patch(tok[0], up["id"], 1000, data[1000:]), 409, "upload.closed")
    _error(api.request("DELETE", f"/uploads/{up['id']}", tok[0]), 409, "upload.closed")


def test_unregistered_bidder_cannot_upload(served: Any, api: Api, tok: list[str]) -> None:
    admin = api.login(served.identity("admin"))
    project = api.request(
        "POST",
        "/admin/projects",
        admin,
        json={"code": f"T-{os.urandom(3).hex()}", "name": "测试项目", "sector": "政府采购"},
    ).json()
    form = {"fields": [{"key": "price", "label": "投标报价", "type": "money", "unit": "元"}]}
    section = api.request(
        "POST",
        "/admin/sections",
        admin,
        json={
            "project_id": project["id"],
            "code": "T-1",
            "name": "测试标段",
            "deadline": "2099-01-01T01:00:00Z",
            "opening_time": "2099-01-01T01:00:00Z",
            "form": form,
        },
    )
    assert section.status_code == 201, section.text
    sid = section.json()["id"]
    _error(api.create_upload(tok[0], sid, b"x"), 403, "section.not_registered")
    org = served.sandbox["identities"][4]["org_code"]
    r = api.request(
        "POST",
        f"/admin/sections/{sid}/bidders",
        admin,
        json={"org_code": org, "name": "合肥建工集团有限公司"},
    )
    assert r.status_code == 201, r.text
    assert api.create_upload(tok[0], sid, b"x").status_code == 201


def test_admin_input_is_validated(served: Any, api: Api) -> None:
    admin = api.login(served.identity("admin"))
    form = {"fields": [{"key": "price", "label": "投标报价", "type": "money", "unit": "元"}]}
    body = {
        "project_id": served.sandbox["sections"][0]["project_id"],
        "code": "X",
        "name": "开标早于截止",
        "deadline": "2099-01-02T01:00:00Z",
        "opening_time": "2099-01-01T01:00:00Z",
        "form": form,
    }
    _error(api.request("POST", "/admin/sections", admin, json=body), 422, "request.invalid")
    body["opening_time"] = body["deadline"]
    body["id"] = _sid(served, WORKS)
    _error(api.request("POST", "/admin/sections", admin, json=body), 409, "request.conflict")
    r = api.request(
        "POST",
        f"/admin/sections/{_sid(served, WORKS)}/bidders",
        admin,
        json={"org_code": "91340100MA2N0A1B20", "name": "校验位错误公司"},
    )
    _error(r, 422, "request.invalid")
    r = api.request(
        "POST",
        f"/admin/sections/{_sid(served, WORKS)}/documents",
        admin,
        params={"name": "../boot.ini"},
        content=b"x",
    )
    _error(r, 422, "request.invalid")


def test_everything_refused_at_and_after_the_deadline(
    served: Any, api: Api, tok: list[str], tmp_path: Path
) -> None:
    sid = _sid(served, QUICK)
    data = _sealed(served, api, tok[0], 0, QUICK, tmp_path)
    submitted = _receipt(api.submit(tok[0], sid, data))
    ready = api.upload(tok[0], sid, data)
    partial = api.create_upload(tok[0], sid, data).json()["id"]
    deadline = api.section(tok[0], sid)["deadline"]
    from datetime import datetime

    at = datetime.fromisoformat(deadline.replace("Z", "+00:00"))
    for moment in (at, at + timedelta(microseconds=1), at + timedelta(minutes=10)):
        served.clock.function = lambda moment=moment: moment
        try:
            assert api.section(tok[0], sid)["open_for_bids"] is False
            calls = [
                api.create_upload(tok[0], sid, data),
                api.patch(tok[0], partial, 0, data),
                api.finish(tok[0], ready),
                api.request("POST", f"/sections/{sid}/withdraw", tok[0]),
            ]
            for r in calls:
                err = _error(r, 409, "section.deadline_passed")
                assert "截止" in err.zh
            assert _offset(api, tok[0], partial) == 0
            state = api.request("GET", f"/sections/{sid}/submission", tok[0]).json()
            assert wire.Receipt.model_validate_json(state["latest"]["receipt"]) == submitted
        finally:
            served.clock.reset()
    assert json.loads(api.request("GET", f"/sections/{sid}", tok[0]).text)["open_for_bids"]


def test_expired_upload_is_closed_and_ended_at_restart(
    served: Any, api: Api, tok: list[str]
) -> None:
    data = os.urandom(2000)
    upload_id = api.create_upload(tok[0], _sid(served, WORKS), data).json()["id"]
    assert api.patch(tok[0], upload_id, 0, data[:500]).status_code == 204
    served.clock.offset = timedelta(days=2, seconds=1)
    try:
        token = api.login(_ident(served, 0), at=served.clock())
        err = _error(api.patch(token, upload_id, 500, data[500:]), 409, "upload.closed")
        assert "expired" in err.en
        served.platform.recover()  # what a restart does
        assert not served.platform.parts.path(upload_id).exists()
        _error(api.patch(token, upload_id, 500, data[500:]), 409, "upload.closed")
    finally:
        served.clock.reset()
        # Logging in two days later purged the module's (by then expired) sessions.
        tok[:] = [api.login(_ident(served, i)) for i in range(5)]


def test_bid_signed_with_a_since_expired_certificate_refused(
    served: Any, api: Api, tok: list[str], tmp_path: Path
) -> None:
    """crypto.verify judges the certificate at the bid's own "created" time; a bid created
    (or backdated) while the certificate was valid is still refused once it has expired."""
    from datetime import UTC, datetime

    from crypto import seal_at

    now = datetime.now(UTC)
    org = served.sandbox["identities"][4]["org_code"]
    old = SandboxCA.load(served.data_dir / "sandbox" / "ca").issue(
        role=Role.BIDDER,
        name="合肥建工集团有限公司",
        org_code=org,
        key_type=KeyType.P256,
        not_before=now - timedelta(days=30),
        not_after=now - timedelta(days=1),
    )
    section = api.section(tok[0], _sid(served, WORKS))
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(b"old bid")
    out = tmp_path / "old.sealbid"
    seal_at(
        now - timedelta(days=2),
        os.urandom,
        [doc],
        out,
        identity=old.identity(),
        section=section["id"],
        tender_version=section["tender_version"],
    )
    err = _error(
        api.submit(tok[0], section["id"], out.read_bytes()), 422, "bid.certificate.expired"
    )
    assert "有效期" in err.zh


def test_after_the_deadline_an_expired_upload_is_refused_as_past_the_deadline(
    served: Any, api: Api, tok: list[str], tmp_path: Path
) -> None:
    """Every write at or after the deadline is refused as such, even when the upload has also
    expired (before, its own expiry was reported first)."""
    sid = _sid(served, QUICK)
    data = _sealed(served, api, tok[0], 0, QUICK, tmp_path)
    partial = api.create_upload(tok[0], sid, data).json()["id"]
    served.clock.offset = timedelta(days=3)  # past the deadline and the upload's expiry
    try:
        token = api.login(_ident(served, 0), at=served.clock())
        _error(api.patch(token, partial, 0, data), 409, "section.deadline_passed")
    finally:
        served.clock.reset()
        tok[:] = [api.login(_ident(served, i)) for i in range(5)]


def test_a_body_that_stalls_is_cut_off_with_408(
    served: Any, api: Api, tok: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket
    import urllib.parse

    from server import app as server_app

    monkeypatch.setattr(server_app, "BODY_IDLE_SECONDS", 0.5)
    data = os.urandom(4000)
    upload_id = api.create_upload(tok[0], _sid(served, WORKS), data).json()["id"]
    url = urllib.parse.urlsplit(api.url(f"/uploads/{upload_id}"))
    head = (
        f"PATCH {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Authorization: Bearer {tok[0]}\r\n{wire.HEADER_OFFSET}: 0\r\n"
        f"Content-Type: {wire.OFFSET_CONTENT_TYPE}\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(head.encode() + data[:1000])  # then silence, like a pulled cable
        reply = s.recv(4096).decode("latin-1")
    assert reply.startswith("HTTP/1.1 408"), reply[:200]
    assert "request.timeout" in reply
    assert _offset(api, tok[0], upload_id) == 0
