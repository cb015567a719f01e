"""Client logic that needs no platform: URL policy, error translation, retries, receipts, state.

Fakes only where a fault is the point (style rule 14): httpx.MockTransport answers 5xx, expired
tokens and broken connections; receipts are signed here by a sandbox platform identity.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import inspect
import json
import re
import ssl
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import client
from client import (
    AuthError,
    BidRejectedError,
    ChecksumError,
    ConnectionFailedError,
    DeadlinePassedError,
    ForbiddenError,
    InsecureUrlError,
    NotFoundError,
    OffsetConflictError,
    PlatformClient,
    PlatformError,
    ReceiptInvalidError,
    ReceiptStore,
    RequestRefusedError,
    RetryPolicy,
    ServerError,
    TenderVersionError,
    TimedOutError,
    TlsError,
    UploadState,
    UploadStateStore,
    normalise_base_url,
    verify_receipt,
    wire,
)
from client.platform import error_from_response, translate_transport_error
from client.receipts import canonical_json
from crypto.ca import IssuedIdentity, Role, SandboxCA
from sealbid.errors import SealBidError, UsageError

_CJK = re.compile(r"[\u4e00-\u9fff]")


# --- the error tree --------------------------------------------------------------------------


def _client_errors() -> list[type[BaseException]]:
    module = importlib.import_module("client.errors")
    return [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, BaseException) and obj.__module__ == module.__name__
    ]


@pytest.mark.parametrize("cls", _client_errors(), ids=lambda c: c.__name__)
def test_every_client_error_derives_from_the_root_and_speaks_both_languages(
    cls: type[PlatformError],
) -> None:
    assert issubclass(cls, PlatformError) and issubclass(cls, SealBidError)
    assert _CJK.search(cls.zh) and not _CJK.search(cls.en)
    err = cls()
    assert err.diagnostics("zh_CN") and err.diagnostics("en_US")
    assert cls.__name__ in client.__all__


def test_client_error_codes_are_unique_and_namespaced() -> None:
    codes = [c.code for c in _client_errors()]  # type: ignore[attr-defined]
    assert len(codes) == len(set(codes))
    assert all(c == "platform" or c.startswith("platform.") for c in codes)


# --- URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.9.9.9/",
        "http://localhost:1/api/v1",
        "http://[::1]:9000",
        "https://ggzy.example.cn",
        "https://10.0.0.1:8443/base/",
    ],
)
def test_loopback_http_and_any_https_are_accepted(url: str) -> None:
    base = normalise_base_url(url)
    assert not base.endswith("/") and not base.endswith(wire.API_PREFIX)


@pytest.mark.parametrize(
    "url",
    ["http://ggzy.example.cn", "http://10.0.0.1:8080", "http://[2001:db8::1]/", "http://0.0.0.0"],
)
def test_plain_http_to_a_non_loopback_host_is_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(InsecureUrlError) as info:
        PlatformClient(base_url=url, state_dir=tmp_path)
    assert "https" in info.value.diagnostics("en_US")
    assert "明文" in info.value.diagnostics("zh_CN")


@pytest.mark.parametrize("url", ["ftp://127.0.0.1", "127.0.0.1:8080", "file:///etc/passwd", ""])
def test_what_is_not_an_http_url_is_a_usage_error(url: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        PlatformClient(base_url=url, state_dir=tmp_path)


# --- error translation -----------------------------------------------------------------------


def _answer(status: int, code: str | None, path: str = "/api/v1/x") -> httpx.Response:
    request = httpx.Request("POST", "http://127.0.0.1" + path)
    if code is None:
        return httpx.Response(status, request=request, content=b"<html>oops</html>")
    body = {"error": {"code": code, "zh": f"平台说：{code}", "en": f"platform says {code}"}}
    return httpx.Response(status, request=request, json=body)


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (409, "section.deadline_passed", DeadlinePassedError),
        (409, "bid.tender_version", TenderVersionError),
        (409, "upload.offset", OffsetConflictError),
        (460, "upload.checksum", ChecksumError),
        (401, "auth.expired", AuthError),
        (401, "auth.certificate.expired", AuthError),
        (403, "auth.account", AuthError),
        (403, "role.forbidden", ForbiddenError),
        (403, "section.not_registered", ForbiddenError),
        (404, "not_found", NotFoundError),
        (422, "bid.format.truncated", BidRejectedError),
        (403, "bid.signer", BidRejectedError),
        (409, "upload.closed", RequestRefusedError),
        (500, "internal", ServerError),
        (502, None, ServerError),
        (404, None, NotFoundError),
        (418, None, RequestRefusedError),
    ],
)
def test_error_bodies_are_mapped_by_code_and_show_the_platforms_text(
    status: int, code: str | None, cls: type[PlatformError]
) -> None:
    err = error_from_response(_answer(status, code))
    assert type(err) is cls
    assert err.status == status and err.server_code == code
    if code is not None:
        assert f"平台说：{code}" in err.diagnostics("zh_CN")
        assert f"platform says {code}" in err.diagnostics("en_US")
        assert "平台说" not in err.diagnostics("en_US")


def test_the_deadline_refusal_says_the_platform_clock_decides() -> None:
    err = error_from_response(_answer(409, "section.deadline_passed"))
    assert "平台" in err.diagnostics("zh_CN") and "platform's clock" in err.diagnostics("en_US")


def test_transport_errors_are_translated() -> None:
    url = "https://ggzy.example.cn"
    assert type(translate_transport_error(httpx.ConnectError("refused"), url)) is (
        ConnectionFailedError
    )
    assert type(translate_transport_error(httpx.ReadTimeout("slow"), url)) is TimedOutError
    assert type(translate_transport_error(httpx.RemoteProtocolError("eof"), url)) is (
        ConnectionFailedError
    )
    tls = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    tls.__cause__ = ssl.SSLCertVerificationError("verify failed")
    assert type(translate_transport_error(tls, url)) is TlsError
    assert issubclass(TimedOutError, ConnectionFailedError)


# --- a mock platform for retry and re-login --------------------------------------------------

Handler = Callable[[httpx.Request], httpx.Response]


class _Mock:
    """A few endpoints of the protocol, enough for login, listing and retries."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.tokens: list[str] = []
        self.valid: set[str] = set()
        self.fail: dict[str, list[int]] = {}
        self.signed: list[bytes] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(wire.API_PREFIX)
        self.calls.append(f"{request.method} {path}")
        queued = self.fail.get(path)
        if queued:
            return httpx.Response(
                queued.pop(0), json={"error": {"code": "x", "zh": "错", "en": "x"}}
            )
        now = datetime.now(UTC).replace(microsecond=0)
        if path == "/platform":
            return httpx.Response(
                200,
                json={
                    "platform_id": "mock",
                    "name": "模拟平台",
                    "certificate_pem": "",
                    "trusted_ca_pem": "",
                },
            )
        if path == "/auth/challenge":
            body = {
                "nonce": base64.b64encode(b"n" * 32).decode(),
                "platform_id": "mock",
                "issued_at": now.isoformat(),
                "expires_at": (now + timedelta(minutes=2)).isoformat(),
            }
            return httpx.Response(200, json=body)
        if path == "/auth/login":
            login = wire.LoginRequest.model_validate_json(request.content)
            self.signed.append(
                wire.login_message(nonce=login.nonce, platform_id="mock", time=login.time)
            )
            token = f"t{len(self.tokens) + 1}"
            self.tokens.append(token)
            self.valid.add(token)
            session = {
                "token": token,
                "expires_at": (now + timedelta(minutes=30)).isoformat(),
                "role": "bidder",
                "name": "合肥建工集团有限公司",
                "org_code": None,
                "cert_sha256": "0" * 64,
            }
            return httpx.Response(200, json=session)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid:
            body = {"error": {"code": "auth.expired", "zh": "登录已过期", "en": "expired"}}
            return httpx.Response(401, json=body)
        if path == "/projects":
            return httpx.Response(
                200, json=[{"id": "P1", "code": "C1", "name": "某工程", "sector": "工程建设"}]
            )
        return httpx.Response(404, json={"error": {"code": "not_found", "zh": "无", "en": "no"}})


def _mock_client(
    mock: Handler, tmp_path: Path, identity: Any = None, **kw: Any
) -> tuple[PlatformClient, list[float]]:
    slept: list[float] = []
    policy = RetryPolicy(attempts=4, initial=0.5, cap=2.0, jitter=0.0, sleep=slept.append)
    c = PlatformClient(
        base_url="http://127.0.0.1:9",
        identity=identity,
        transport=httpx.MockTransport(mock),
        state_dir=tmp_path,
        retry=policy,
        **kw,
    )
    return c, slept


def test_5xx_is_retried_with_exponential_backoff(tmp_path: Path) -> None:
    mock = _Mock()
    mock.fail["/platform"] = [503, 500, 502]
    c, slept = _mock_client(mock, tmp_path)
    assert c.platform_info().platform_id == "mock"
    assert slept == [0.5, 1.0, 2.0]


def test_retries_stop_at_the_cap_and_raise_the_typed_error(tmp_path: Path) -> None:
    mock = _Mock()
    mock.fail["/platform"] = [503] * 10
    c, slept = _mock_client(mock, tmp_path)
    with pytest.raises(ServerError):
        c.platform_info()
    assert slept == [0.5, 1.0, 2.0]  # attempts=4: three waits, then the error
    assert mock.calls.count("GET /platform") == 4


def test_timeouts_and_dropped_connections_are_retried(tmp_path: Path) -> None:
    faults = [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("eof")]
    mock = _Mock()

    def handler(request: httpx.Request) -> httpx.Response:
        if faults:
            raise faults.pop(0)
        return mock(request)

    c, slept = _mock_client(handler, tmp_path)
    assert c.platform_info().name == "模拟平台"
    assert len(slept) == 2


def test_a_4xx_is_not_retried(tmp_path: Path) -> None:
    mock = _Mock()
    mock.fail["/platform"] = [403]
    c, slept = _mock_client(mock, tmp_path)
    with pytest.raises(ForbiddenError):
        c.platform_info()
    assert slept == []


def test_an_expired_session_logs_in_again_once(tmp_path: Path, bidder_rsa: IssuedIdentity) -> None:
    mock = _Mock()
    c, _ = _mock_client(mock, tmp_path, identity=bidder_rsa.identity())
    assert [p.name for p in c.projects()] == ["某工程"]
    mock.valid.clear()  # the platform forgets every token (restart, expiry)
    assert [p.name for p in c.projects()] == ["某工程"]
    assert mock.tokens == ["t1", "t2"]
    assert mock.calls.count("POST /auth/login") == 2


def test_the_login_signature_covers_the_protocols_canonical_json(
    tmp_path: Path, bidder_rsa: IssuedIdentity
) -> None:
    mock = _Mock()
    c, _ = _mock_client(mock, tmp_path, identity=bidder_rsa.identity())
    c.login()
    message = json.loads(mock.signed[0])
    assert message["purpose"] == "sealbid-login" and message["platform_id"] == "mock"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", message["time"])
    assert mock.signed[0] == canonical_json(message)


def test_login_without_an_identity_is_an_auth_error(tmp_path: Path) -> None:
    c, _ = _mock_client(_Mock(), tmp_path)
    with pytest.raises(AuthError):
        c.projects()


def test_a_challenge_for_another_platform_is_refused(
    tmp_path: Path, bidder_rsa: IssuedIdentity
) -> None:
    mock = _Mock()

    def handler(request: httpx.Request) -> httpx.Response:
        response = mock(request)
        if request.url.path.endswith("/auth/challenge"):
            body = json.loads(response.content) | {"platform_id": "elsewhere"}
            return httpx.Response(200, json=body)
        return response

    c, _ = _mock_client(handler, tmp_path, identity=bidder_rsa.identity())
    with pytest.raises(client.ProtocolError):
        c.login()
    assert "POST /auth/login" not in mock.calls


def test_retry_policy_grows_and_caps() -> None:
    policy = RetryPolicy(initial=0.5, factor=2, cap=4, jitter=0)
    assert [policy.delay(n) for n in range(1, 7)] == [0.5, 1, 2, 4, 4, 4]
    jittered = RetryPolicy(initial=1, jitter=0.25)
    assert all(0.75 <= jittered.delay(1) <= 1 for _ in range(50))


# --- receipts --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def platform_signer(sandbox_ca: SandboxCA) -> IssuedIdentity:
    return sandbox_ca.issue(role=Role.PLATFORM, name="SealBid 参考交易平台", dual=False)


def _receipt(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "submit",
        "platform_id": "sealbid-sandbox",
        "section_id": "S-001",
        "bidder": {"name": "合肥建工集团有限公司", "org_code": None, "cert_sha256": "ab" * 32},
        "file_sha256": hashlib.sha256(b"bid").hexdigest(),
        "file_size": 3,
        "received_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sequence": 1,
        "previous_sha256": "0" * 64,
    }
    return body | over


def _sign(signer: IssuedIdentity, text: bytes) -> wire.SignedReceipt:
    der = signer.identity().sign_detached(text, signing_time=datetime.now(UTC))
    return wire.SignedReceipt(receipt=text.decode(), signature=base64.b64encode(der).decode())


def test_a_receipt_verifies_against_the_platform_cert_and_the_file(
    tmp_path: Path, platform_signer: IssuedIdentity, sandbox_ca: SandboxCA
) -> None:
    bid = tmp_path / "投标.sealbid"
    bid.write_bytes(b"bid")
    signed = _sign(platform_signer, canonical_json(_receipt()))
    pinned = [platform_signer.signing_cert, sandbox_ca.cert]
    r = verify_receipt(signed, file_path=bid, platform_cert=pinned, section_id="S-001")
    assert r.trust == "platform-cert" and r.receipt.sequence == 1
    assert r.sha256 == hashlib.sha256(signed.receipt.encode()).hexdigest()
    # Offline, without a certificate: anchored at the root the signature carries.
    assert verify_receipt(signed).trust == "embedded"


def test_a_receipt_for_another_file_is_not_proof(
    tmp_path: Path, platform_signer: IssuedIdentity, sandbox_ca: SandboxCA
) -> None:
    other = tmp_path / "other.sealbid"
    other.write_bytes(b"bix")
    signed = _sign(platform_signer, canonical_json(_receipt()))
    with pytest.raises(ReceiptInvalidError, match="digest"):
        verify_receipt(
            signed, file_path=other, platform_cert=[platform_signer.signing_cert, sandbox_ca.cert]
        )


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s.replace('"sequence":1', '"sequence":2'),
        lambda s: s.replace("合肥", "芜湖"),
    ],
)
def test_a_changed_receipt_does_not_verify(
    platform_signer: IssuedIdentity, sandbox_ca: SandboxCA, tamper: Callable[[str], str]
) -> None:
    signed = _sign(platform_signer, canonical_json(_receipt()))
    forged = wire.SignedReceipt(receipt=tamper(signed.receipt), signature=signed.signature)
    with pytest.raises(ReceiptInvalidError):
        verify_receipt(forged, platform_cert=[sandbox_ca.cert])


def test_a_receipt_that_is_not_canonical_json_is_refused(
    platform_signer: IssuedIdentity, sandbox_ca: SandboxCA
) -> None:
    text = json.dumps(_receipt(), ensure_ascii=False, indent=1).encode()
    with pytest.raises(ReceiptInvalidError, match="canonical"):
        verify_receipt(_sign(platform_signer, text), platform_cert=[sandbox_ca.cert])
    dup = canonical_json(_receipt())[:-1] + b',"sequence":1}'
    with pytest.raises(ReceiptInvalidError, match="duplicate"):
        verify_receipt(_sign(platform_signer, dup), platform_cert=[sandbox_ca.cert])


def test_a_receipt_signed_under_another_ca_is_refused(platform_signer: IssuedIdentity) -> None:
    stranger = SandboxCA.create()
    signed = _sign(platform_signer, canonical_json(_receipt()))
    with pytest.raises(ReceiptInvalidError):
        verify_receipt(signed, platform_cert=[stranger.cert])


def test_the_receipt_store_writes_atomically_and_lists(
    tmp_path: Path, platform_signer: IssuedIdentity, sandbox_ca: SandboxCA
) -> None:
    store = ReceiptStore(tmp_path / "receipts")
    assert store.list() == []
    saved = []
    for seq in (1, 2):
        signed = _sign(platform_signer, canonical_json(_receipt(sequence=seq, section_id="../x")))
        pinned = [platform_signer.signing_cert, sandbox_ca.cert]
        saved.append(store.save(verify_receipt(signed, platform_cert=pinned)))
    paths = store.list()
    assert paths == [r.path for r in saved]
    assert all(p.is_relative_to(tmp_path / "receipts") and ".." not in p.parts for p in paths)
    again = store.save(saved[0])  # idempotent
    assert again.path == saved[0].path and len(store.list()) == 2
    assert store.load(paths[0]) == saved[0].signed
    assert not list((tmp_path / "receipts").rglob(".*"))  # no temp files left


# --- upload state ----------------------------------------------------------------------------


def test_upload_state_round_trips_and_a_damaged_file_is_set_aside(tmp_path: Path) -> None:
    store = UploadStateStore(tmp_path)
    key = {"base_url": "http://127.0.0.1:1", "cert_sha256": "ab" * 32, "section_id": "S-1"}
    assert store.load(**key) is None
    state = UploadState(
        **key,
        upload_id="U1",
        file_path="/tmp/投标.sealbid",
        file_size=10,
        file_sha256="cd" * 32,
        chunk_max=4,
    )
    store.save(state)
    assert store.load(**key) == state
    assert store.load(**(key | {"section_id": "S-2"})) is None
    store.path_for(**key).write_text("{not json", encoding="utf-8")
    assert store.load(**key) is None
    assert not store.path_for(**key).exists()
