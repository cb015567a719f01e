"""Regression tests for defects a review found in the platform (each named after its defect),
against the real platform (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from serverkit import Api, seal_for

from client import wire
from crypto import Identity, load_identity

WORKS = 0  # 施工一标段 (far deadline, has a clarification)
GOODS = 2  # 第1包 (far deadline, 万元 form)


def _error(r: httpx.Response, status: int, code: str) -> wire.ErrorDetail:
    assert r.status_code == status, r.text
    err = wire.ErrorBody.model_validate_json(r.content).error
    assert err.code == code, err
    assert err.zh and err.en
    return err


def _ident(served: Any, role: str, i: int = 0) -> Identity:
    p12, password = served.identity(role, i)
    return load_identity(p12, password=password)


def _sid(served: Any, which: int) -> str:
    return str(served.sandbox["sections"][which]["id"])


@pytest.fixture(scope="module")
def api(served: Any) -> Api:
    return Api(served.api)


def _sealed(served: Any, api: Api, token: str, i: int, which: int, tmp: Path) -> bytes:
    section = api.section(token, _sid(served, which))
    return seal_for(
        _ident(served, "bidder", i),
        section,
        tmp / f"bid-{os.urandom(4).hex()}.sealbid",
        content=os.urandom(64),
    )


def test_stale_receipt_finish_after_withdraw_or_replace_is_closed(
    served: Any, api: Api, tmp_path: Path
) -> None:
    token = api.login(_ident(served, "bidder", 3))
    sid = _sid(served, WORKS)
    first = _sealed(served, api, token, 3, WORKS, tmp_path)
    u1 = api.upload(token, sid, first)
    assert api.finish(token, u1).status_code == 200
    # Replaced since: the old upload's receipt is no longer the bidder's current one.
    second = _sealed(served, api, token, 3, WORKS, tmp_path)
    u2 = api.upload(token, sid, second)
    r2 = api.finish(token, u2)
    assert r2.status_code == 200
    _error(api.finish(token, u1), 409, "upload.closed")
    again = api.finish(token, u2)  # still current: the lost answer again
    assert again.status_code == 200 and again.json() == r2.json()
    # Withdrawn since: no receipt for a bid the platform no longer holds as submitted.
    assert api.request("POST", f"/sections/{sid}/withdraw", token).status_code == 200
    _error(api.finish(token, u2), 409, "upload.closed")
    assert api.request("GET", f"/sections/{sid}/submission", token).json()["status"] == (
        "withdrawn"
    )


def test_bigbody_unauthenticated_json_body_is_capped(served: Any, api: Api) -> None:
    big = b'{"nonce":"' + b"A" * (2 << 20) + b'","time":"x","signature":"x"}'
    json_type = {"content-type": "application/json"}
    # With a Content-Length: refused before a byte is read.
    r = api.http.post(api.url("/auth/login"), content=big, headers=json_type)
    _error(r, 413, "request.too_large")

    # Without one (chunked): cut off once past the limit, not read whole.
    def pieces() -> Any:
        for i in range(0, len(big), 1 << 16):
            yield big[i : i + (1 << 16)]

    r = api.http.post(api.url("/auth/login"), content=pieces(), headers=json_type)
    _error(r, 413, "request.too_large")
    r = api.http.post(api.url("/admin/projects"), content=pieces(), headers=json_type)
    _error(r, 413, "request.too_large")
    # Under the cap but an absurd field: refused by the schema (422), not processed.
    r = api.http.post(
        api.url("/auth/login"),
        json={"nonce": "A" * 100_000, "time": "x", "signature": "x"},
    )
    _error(r, 422, "request.invalid")


def _parts(served: Any) -> set[str]:
    return {f.name for f in (served.data_dir / "uploads").glob("*.part")}


def test_uploadcreate_length_bounded_and_one_open_upload_per_section(served: Any, api: Api) -> None:
    token = api.login(_ident(served, "bidder", 2))
    sid = _sid(served, GOODS)
    before = _parts(served)
    for length in (served.config.max_bid_size + 1, 2**62, 2**63, 10**30):
        r = api.request(
            "POST", f"/sections/{sid}/uploads", token, json={"length": length, "sha256": "0" * 64}
        )
        _error(r, 413, "upload.too_large")
    assert _parts(served) == before
    # A new upload ends the bidder's previous open one in that section (its .part goes).
    data = os.urandom(1000)
    ids = []
    for _ in range(5):
        r = api.create_upload(token, sid, data)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    assert len(_parts(served) - before) == 1
    assert f"{ids[-1]}.part" in _parts(served)
    _error(api.patch(token, ids[0], 0, data), 409, "upload.closed")
    assert api.patch(token, ids[-1], 0, data).status_code == 204
    assert api.request("DELETE", f"/uploads/{ids[-1]}", token).status_code == 204


def _other_ca_impostor(subject: Any) -> tuple[Any, Identity]:
    """A second CA and a certificate it issues with ``subject`` (someone else's DN)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    cak = ec.generate_private_key(ec.SECP256R1())
    caname = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Other Province CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(caname)
        .issuer_name(caname)
        .public_key(cak.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(cak, hashes.SHA256())
    )
    k = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(caname)
        .public_key(k.public_key())
        .serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(True, False, False, False, True, False, False, False, False),
            critical=True,
        )
        .sign(cak, hashes.SHA256())
    )
    blob = pkcs12.serialize_key_and_certificates(
        b"x", k, leaf, [ca], serialization.BestAvailableEncryption(b"pw")
    )
    from crypto import load_identity as _load

    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"impostor-{os.urandom(4).hex()}.p12"
    tmp.write_bytes(blob)
    try:
        return ca, _load(tmp, password=b"pw")
    finally:
        tmp.unlink()


def test_dn_collision_staff_account_bound_to_its_ca(served: Any, api: Api) -> None:
    from server.auth import cert_sha256

    admin = _ident(served, "admin")
    ca, impostor = _other_ca_impostor(admin.signing_cert.subject)
    served.platform.add_trusted_ca(ca)  # a second trusted CA (sealbid server --trust)
    try:
        challenge = api.challenge()
        from serverkit import login_body

        r = api.http.post(api.url("/auth/login"), json=login_body(impostor, challenge))
        _error(r, 403, "auth.account")
        assert api.login(admin)  # the real admin still logs in
        # Adding the impostor's certificate as the admin's account is a conflict, not a merge.
        from sealbid.errors import SealBidError

        with pytest.raises(SealBidError):
            served.platform.add_account(role="admin", name="x", cert=impostor.signing_cert)
    finally:
        from sqlalchemy import delete

        from server import db

        with served.platform.db.write() as conn:
            conn.execute(delete(db.trusted_cas).where(db.trusted_cas.c.sha256 == cert_sha256(ca)))


_V3 = bytes.fromhex("a003020102")  # a certificate's [0] EXPLICIT version v3


def _bad_version_tag(sig: bytes) -> bytes:
    """The carried CA certificate's version field untagged: the CMS structure still parses,
    that certificate does not (asn1crypto raises ValueError while the path is built)."""
    at = sig.index(_V3)
    return sig[:at] + b"\x00" + sig[at + 1 :]


def _bad_version_number(sig: bytes) -> bytes:
    """The signer certificate's version 6 (cryptography raises InvalidVersion)."""
    at = sig.index(_V3, sig.index(_V3) + 1) + 4
    return sig[:at] + b"\x05" + sig[at + 1 :]


@pytest.mark.parametrize(
    "damage",
    [
        lambda sig: os.urandom(300),
        lambda sig: sig[: len(sig) // 2],
        lambda sig: sig[:40],
        lambda sig: b"\x30\x80" + sig[2:],
        lambda sig: b"",
        lambda sig: sig + b"\x00" * 5,
        _bad_version_tag,
        _bad_version_number,
    ],
)
def test_malformed_cms_at_login_is_auth_signature(served: Any, api: Api, damage: Any) -> None:
    import base64

    from serverkit import login_body

    body = login_body(_ident(served, "bidder", 0), api.challenge())
    sig = base64.b64decode(body["signature"])
    body["signature"] = base64.b64encode(damage(sig)).decode()
    r = api.http.post(api.url("/auth/login"), json=body)
    _error(r, 401, "auth.signature")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--port", "70000"], "0–65535"),
        (["--port", "http"], "0–65535"),
        (["--host", "999.1.1.1"], "not a valid IP address or host name"),
        (["--host", "bad host"], "not a valid IP address or host name"),
    ],
)
def test_builtin_exceptions_cli_bad_address_is_a_usage_error(
    argv: list[str], words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sealbid.cli_server import run_standalone

    with pytest.raises(SystemExit) as info:
        run_standalone(["--data", str(tmp_path), *argv])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_builtin_exceptions_database_url_and_unreachable_database() -> None:
    from sealbid.errors import SealBidError, UsageError
    from server import db

    for url in ("bogus://x", "postgresql+nosuchdriver://u@h/x", "not a url"):
        with pytest.raises(UsageError) as usage:
            db.Database.open(url)
        assert "--db" in usage.value.diagnostics("en_US")
    with pytest.raises(db.DatabaseUnavailable) as info:
        db.Database.open("postgresql+psycopg://u:hunter2@127.0.0.1:1/x?connect_timeout=5")
    assert isinstance(info.value, SealBidError) and not isinstance(info.value, UsageError)
    assert "hunter2" not in info.value.bilingual()
    assert "127.0.0.1:1" in info.value.bilingual()


def test_publish_document_checks_the_section_before_storing(served: Any, api: Api) -> None:
    from datetime import timedelta

    host = api.login(_ident(served, "host"))
    folder = served.data_dir / "documents"

    def stored() -> set[Path]:
        return {f for f in folder.rglob("*") if f.is_file()}

    before = stored()
    content = os.urandom(2000)  # content no document has
    r = api.request(
        "POST",
        "/admin/sections/no-such-section/documents",
        host,
        params={"name": "答疑.txt", "kind": "clarification"},
        content=content,
    )
    _error(r, 404, "section.not_found")
    assert stored() == before
    section = api.section(host, _sid(served, GOODS))
    from datetime import datetime

    deadline = datetime.fromisoformat(section["deadline"].replace("Z", "+00:00"))
    late = deadline + timedelta(minutes=1)
    served.clock.function = lambda: late
    try:
        r = api.request(
            "POST",
            f"/admin/sections/{_sid(served, GOODS)}/documents",
            api.login(_ident(served, "host"), at=late),
            params={"name": "答疑.txt", "kind": "clarification"},
            content=content,
        )
    finally:
        served.clock.reset()
    _error(r, 409, "section.deadline_passed")
    assert stored() == before


QUICK = 1  # 施工二标段 (deadline a few minutes after start)


def test_missing_upload_offset_after_the_deadline_is_deadline_passed(served: Any, api: Api) -> None:
    from datetime import datetime, timedelta

    token = api.login(_ident(served, "bidder", 1))
    sid = _sid(served, QUICK)
    data = os.urandom(100)
    r = api.create_upload(token, sid, data)
    assert r.status_code == 201, r.text
    upload_id = r.json()["id"]
    octet = {"Content-Type": wire.OFFSET_CONTENT_TYPE}
    for bad in ({}, {wire.HEADER_OFFSET: "abc"}, {wire.HEADER_OFFSET: "-1"}):
        r = api.request(
            "PATCH", f"/uploads/{upload_id}", token, content=data, headers={**octet, **bad}
        )
        _error(r, 422, "request.invalid")
    deadline = datetime.fromisoformat(api.section(token, sid)["deadline"].replace("Z", "+00:00"))
    late = deadline + timedelta(minutes=1)
    served.clock.function = lambda: late
    try:
        late_token = api.login(_ident(served, "bidder", 1), at=late)
        for bad in ({}, {wire.HEADER_OFFSET: "abc"}, {wire.HEADER_OFFSET: "-1"}):
            r = api.request(
                "PATCH", f"/uploads/{upload_id}", late_token, content=data, headers={**octet, **bad}
            )
            _error(r, 409, "section.deadline_passed")
    finally:
        served.clock.reset()


def test_deeply_nested_json_is_request_invalid(served: Any, api: Api) -> None:
    json_type = {"content-type": "application/json"}
    for body in (
        b"[" * 100_000 + b"]" * 100_000,
        b'{"nonce":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ):
        r = api.http.post(api.url("/auth/login"), content=body, headers=json_type)
        _error(r, 422, "request.invalid")


def test_pg_race_concurrent_creates_conflict_not_500(served: Any, api: Api) -> None:
    import threading

    from sealbid.uscc import with_check_character

    host = api.login(_ident(served, "host"))
    auth = {"Authorization": f"Bearer {host}"}
    sections = [str(s["id"]) for s in served.sandbox["sections"]]
    n = 6

    def race(call: Any) -> list[int]:
        results: list[int] = []
        barrier = threading.Barrier(n)

        def go(i: int) -> None:
            with httpx.Client(timeout=60) as c:
                barrier.wait()
                results.append(call(c, i).status_code)

        threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results

    for trial in range(6):
        tag = os.urandom(3).hex().upper()
        org = with_check_character(f"91340100MA{tag[:6]}"[:17].ljust(17, "0"))
        got = race(
            lambda c, i, org=org: c.post(
                api.url(f"/admin/sections/{sections[i % len(sections)]}/bidders"),
                headers=auth,
                json={"org_code": org, "name": "新公司"},
            )
        )
        assert set(got) == {201}, got
        got = race(
            lambda c, i, code=f"DUP-{tag}-{trial}": c.post(
                api.url("/admin/projects"),
                headers=auth,
                json={"code": code, "name": "x", "sector": "x"},
            )
        )
        assert sorted(got) == [201] + [409] * (n - 1), got


def test_recover_sweeps_tender_document_files_no_document_refers_to(served: Any) -> None:
    """A publish that crashed between storing the file and its commit leaves a file no
    document row names, and perhaps a half-written .incoming-* temp file: restart removes both,
    and keeps every published document."""
    store = served.platform.documents
    orphan_sha, _ = store.put_stream(iter([os.urandom(3000)]))
    half = store.root / ".incoming-crashed"
    half.write_bytes(b"half a document")
    kept = {f for f in store.root.rglob("*") if f.is_file()} - {store.path(orphan_sha), half}
    assert kept, "the sandbox has published documents"
    served.platform.recover()
    assert not store.path(orphan_sha).exists()
    assert not half.exists()
    assert {f for f in store.root.rglob("*") if f.is_file()} == kept
