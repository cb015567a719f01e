"""Certificate login against the real platform (SQLite and PostgreSQL): the happy path and every
refusal docs/protocol.md names, each answered as ``wire.ErrorBody`` with zh and en."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from serverkit import Api, login_body

from client import wire
from crypto import load_identity
from crypto.ca import KeyType, Role, SandboxCA
from sealbid.uscc import with_check_character


def _error(r: httpx.Response, status: int, code: str) -> wire.ErrorDetail:
    assert r.status_code == status, r.text
    body = wire.ErrorBody.model_validate_json(r.content)
    assert body.error.code == code, body
    assert body.error.zh and body.error.en
    return body.error


def _bidder(served: Any) -> Any:
    p12, password = served.identity("bidder")
    return load_identity(p12, password=password)


def _sandbox_ca(served: Any) -> SandboxCA:
    return SandboxCA.load(served.data_dir / "sandbox" / "ca")


def test_login_happy_path_and_session(served: Any) -> None:
    api = Api(served.api)
    ident = _bidder(served)
    challenge = api.challenge()
    assert len(base64.b64decode(challenge["nonce"])) == 32
    issued = datetime.fromisoformat(challenge["issued_at"])
    expires = datetime.fromisoformat(challenge["expires_at"])
    assert expires - issued == timedelta(minutes=2)
    r = api.http.post(api.url("/auth/login"), json=login_body(ident, challenge))
    assert r.status_code == 200, r.text
    session = wire.Session.model_validate_json(r.content)
    assert session.role == "bidder"
    assert session.org_code == served.sandbox["identities"][4]["org_code"]
    assert session.expires_at - datetime.now(UTC) <= timedelta(minutes=30, seconds=5)
    assert len(session.token) >= 43  # 256 random bits, base64url
    assert api.request("GET", "/projects", session.token).status_code == 200
    # Only the token's hash is stored: the token itself is nowhere in the database.
    with served.platform.db.read() as conn:
        dump = [tuple(row) for row in conn.exec_driver_sql("SELECT * FROM sessions")]
    assert session.token not in repr(dump)


def test_every_role_logs_in_with_its_role(served: Any) -> None:
    api = Api(served.api)
    for entry in served.sandbox["identities"]:
        password = open(entry["password_file"], encoding="utf-8").read().strip().encode()
        ident = load_identity(entry["p12"], password=password)
        r = api.http.post(api.url("/auth/login"), json=login_body(ident, api.challenge()))
        assert r.status_code == 200, r.text
        assert r.json()["role"] == entry["role"]


def test_reused_nonce_refused(served: Any) -> None:
    api = Api(served.api)
    ident = _bidder(served)
    challenge = api.challenge()
    assert api.http.post(api.url("/auth/login"), json=login_body(ident, challenge)).is_success
    r = api.http.post(api.url("/auth/login"), json=login_body(ident, challenge))
    _error(r, 401, "auth.nonce")


def test_failed_attempt_burns_the_nonce(served: Any) -> None:
    api = Api(served.api)
    ident = _bidder(served)
    challenge = api.challenge()
    bad = login_body(ident, challenge)
    bad["signature"] = base64.b64encode(b"\x30\x00").decode()
    _error(api.http.post(api.url("/auth/login"), json=bad), 401, "auth.signature")
    r = api.http.post(api.url("/auth/login"), json=login_body(ident, challenge))
    _error(r, 401, "auth.nonce")


def test_unknown_nonce_refused(served: Any) -> None:
    api = Api(served.api)
    fake = {"nonce": base64.b64encode(b"x" * 32).decode(), "platform_id": "sealbid-sandbox"}
    r = api.http.post(api.url("/auth/login"), json=login_body(_bidder(served), fake))
    _error(r, 401, "auth.nonce")


def test_expired_nonce_refused(served: Any) -> None:
    api = Api(served.api)
    ident = _bidder(served)
    challenge = api.challenge()
    served.clock.offset = timedelta(minutes=2, seconds=1)
    try:
        now = datetime.now(UTC) + served.clock.offset
        r = api.http.post(api.url("/auth/login"), json=login_body(ident, challenge, time=now))
        _error(r, 401, "auth.nonce_expired")
    finally:
        served.clock.reset()


def test_signed_time_far_from_platform_clock_refused(served: Any) -> None:
    api = Api(served.api)
    late = datetime.now(UTC) - timedelta(minutes=3)
    r = api.http.post(
        api.url("/auth/login"), json=login_body(_bidder(served), api.challenge(), time=late)
    )
    _error(r, 401, "auth.time")


def test_wrong_platform_id_refused(served: Any) -> None:
    api = Api(served.api)
    ident = _bidder(served)
    # Said openly: the platform names the problem.
    body = login_body(ident, api.challenge(), platform_id="another-platform", send_platform_id=True)
    _error(api.http.post(api.url("/auth/login"), json=body), 401, "auth.platform")
    # Not said: the signature covers the platform id, so it does not verify here.
    body = login_body(ident, api.challenge(), platform_id="another-platform")
    _error(api.http.post(api.url("/auth/login"), json=body), 401, "auth.signature")


def test_bad_signature_refused(served: Any) -> None:
    api = Api(served.api)
    ident = _bidder(served)
    challenge = api.challenge()
    body = login_body(ident, challenge)
    # A valid signature over other bytes (another nonce).
    other = dict(challenge, nonce=base64.b64encode(b"y" * 32).decode())
    body["signature"] = login_body(ident, other)["signature"]
    _error(api.http.post(api.url("/auth/login"), json=body), 401, "auth.signature")
    body = login_body(ident, api.challenge())
    body["signature"] = "not base64!"
    _error(api.http.post(api.url("/auth/login"), json=body), 401, "auth.signature")


def test_untrusted_ca_refused(served: Any) -> None:
    api = Api(served.api)
    stranger_ca = SandboxCA.create()
    org = served.sandbox["identities"][4]["org_code"]  # even with a registered bidder's code
    ident = stranger_ca.issue(
        role=Role.BIDDER, name="合肥建工集团有限公司", org_code=org, key_type=KeyType.P256
    ).identity()
    r = api.http.post(api.url("/auth/login"), json=login_body(ident, api.challenge()))
    _error(r, 401, "auth.certificate.untrusted")


def test_expired_certificate_refused(served: Any) -> None:
    api = Api(served.api)
    now = datetime.now(UTC)
    org = served.sandbox["identities"][4]["org_code"]
    ident = (
        _sandbox_ca(served)
        .issue(
            role=Role.BIDDER,
            name="合肥建工集团有限公司",
            org_code=org,
            key_type=KeyType.P256,
            not_before=now - timedelta(days=400),
            not_after=now - timedelta(days=1),
        )
        .identity()
    )
    r = api.http.post(api.url("/auth/login"), json=login_body(ident, api.challenge()))
    err = _error(r, 401, "auth.certificate.expired")
    assert "过期" in err.zh


def test_not_yet_valid_certificate_refused(served: Any) -> None:
    api = Api(served.api)
    now = datetime.now(UTC)
    ident = (
        _sandbox_ca(served)
        .issue(
            role=Role.HOST,
            name="张明（主持人）",
            key_type=KeyType.P256,
            not_before=now + timedelta(days=1),
            not_after=now + timedelta(days=30),
        )
        .identity()
    )
    r = api.http.post(api.url("/auth/login"), json=login_body(ident, api.challenge()))
    _error(r, 401, "auth.certificate.not_yet_valid")


def test_unknown_account_refused(served: Any) -> None:
    api = Api(served.api)
    ca = _sandbox_ca(served)
    person = ca.issue(role=Role.HOST, name="赵六（未登记）", key_type=KeyType.P256).identity()
    r = api.http.post(api.url("/auth/login"), json=login_body(person, api.challenge()))
    err = _error(r, 403, "auth.account")
    assert "赵六" in err.zh
    company = ca.issue(
        role=Role.BIDDER,
        name="未登记建设有限公司",
        org_code=with_check_character("91110000MA01ABCD1"),
        key_type=KeyType.P256,
    ).identity()
    r = api.http.post(api.url("/auth/login"), json=login_body(company, api.challenge()))
    _error(r, 403, "auth.account")


def test_renewed_bidder_certificate_keeps_its_account(served: Any) -> None:
    """Bidders are keyed by their unified social credit code, not by one certificate."""
    api = Api(served.api)
    entry = served.sandbox["identities"][5]
    renewed = (
        _sandbox_ca(served)
        .issue(
            role=Role.BIDDER, name=entry["name"], org_code=entry["org_code"], key_type=KeyType.P256
        )
        .identity()
    )
    r = api.http.post(api.url("/auth/login"), json=login_body(renewed, api.challenge()))
    assert r.status_code == 200, r.text
    assert r.json()["org_code"] == entry["org_code"]


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Token abc"]
)
def test_bad_tokens_refused(served: Any, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    r = httpx.get(served.api + "/projects", headers=headers)
    assert r.status_code == 401
    assert wire.ErrorBody.model_validate_json(r.content).error.code in (
        "auth.required",
        "auth.token",
    )


def test_token_expires_after_30_minutes(served: Any) -> None:
    api = Api(served.api)
    token = api.login(_bidder(served))
    served.clock.offset = timedelta(minutes=29)
    try:
        assert api.request("GET", "/projects", token).status_code == 200
        served.clock.offset = timedelta(minutes=30, seconds=1)
        _error(api.request("GET", "/projects", token), 401, "auth.expired")
    finally:
        served.clock.reset()
