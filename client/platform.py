"""The platform client: certificate login, catalogue, downloads, resumable submission, receipts.

One :class:`PlatformClient` per platform and user; it is synchronous (the desktop app calls it
from a worker thread) and not thread-safe::

    with PlatformClient(base_url="https://ggzy.example.cn", identity=ident,
                        ca_bundle="platform-ca.pem") as client:
        client.login()                                      # optional: any call logs in
        for s in client.sections():
            print(s.name, s.deadline)
        path = client.download_document("S-001", "DOC-1", Path("招标文件"))
        receipt = client.submit("S-001", Path("bid.sealbid"), progress=show)
        print(receipt.path, receipt.receipt.received_at)

Every httpx or socket exception and every error answer of the platform is translated here,
once, into the :mod:`client.errors` tree; nothing else escapes (besides
:class:`~sealbid.errors.CancelledError` when a ``cancel`` callback says so, and the identity's
own errors, e.g. a wrong token PIN). Plain ``http://`` is refused unless the host is loopback.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import logging
import os
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pydantic import BaseModel, TypeAdapter, ValidationError

from crypto._files import AtomicFile
from crypto.errors import UnsafeDocumentNameError
from crypto.identity import Identity
from crypto.names import check_document_name
from sealbid.errors import CancelledError, UsageError

from . import wire
from .errors import (
    AuthError,
    BidRejectedError,
    ChecksumError,
    ConnectionFailedError,
    DeadlinePassedError,
    ForbiddenError,
    InsecureUrlError,
    NotFoundError,
    OffsetConflictError,
    PlatformError,
    ProtocolError,
    RequestRefusedError,
    ServerError,
    SubmissionNotCurrentError,
    TenderVersionError,
    TimedOutError,
    TlsError,
)
from .receipts import (
    ReceiptStore,
    VerifiedReceipt,
    file_digest,
    load_certificates,
    verify_receipt,
)
from .uploads import RetryPolicy, UploadState, UploadStateStore, default_state_dir

__all__ = ["DEFAULT_TIMEOUT", "PlatformClient", "Progress", "normalise_base_url"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""``progress(done, total)`` in bytes."""
Cancel = Callable[[], bool]
"""Returns True when the user wants to stop; checked between pieces of work."""

DEFAULT_TIMEOUT = httpx.Timeout(connect=15.0, read=60.0, write=60.0, pool=15.0)
# Finishing makes the platform hash and verify the whole bid (GBs): give it time to answer.
_FINISH_READ_TIMEOUT = 600.0
# Re-login this long before the platform's token expires, so no call races the expiry.
_SESSION_MARGIN = 60.0
# Request bodies are handed to httpx in slices: progress and cancel work inside a chunk, and
# httpcore's send loop (which re-slices what is left after each partial send) stays linear.
_SLICE = 1 << 20
# The smallest chunk sent after repeated drops: below this, headers and round trips dominate.
_MIN_CHUNK = 256 << 10

_M = TypeVar("_M", bound=BaseModel)

# --- error translation: the one boundary -----------------------------------------------------

_BY_CODE: dict[str, type[PlatformError]] = {
    "section.deadline_passed": DeadlinePassedError,
    "bid.tender_version": TenderVersionError,
    "upload.offset": OffsetConflictError,
    "upload.checksum": ChecksumError,
    # The whole file's SHA-256 is not the one announced: the file changed while uploading.
    "upload.digest": ChecksumError,
}
_BY_PREFIX: tuple[tuple[str, type[PlatformError]], ...] = (
    ("auth.", AuthError),
    ("bid.", BidRejectedError),
)
_BY_STATUS: dict[int, type[PlatformError]] = {
    401: AuthError,
    403: ForbiddenError,
    404: NotFoundError,
    wire.CHECKSUM_MISMATCH_STATUS: ChecksumError,
}
_RETRY_STATUS = {408, 429, 500, 502, 503, 504}
# The platform's answers to a bearer token it no longer takes (as opposed to a refused login).
_STALE_TOKEN_CODES = frozenset({"auth.token", "auth.expired"})


def _error_class(status: int, code: str | None) -> type[PlatformError]:
    if code:
        if code in _BY_CODE:
            return _BY_CODE[code]
        if code.endswith("not_found"):
            return NotFoundError
        if code.endswith("forbidden") or code.startswith("access."):
            return ForbiddenError
        for prefix, cls in _BY_PREFIX:
            if code.startswith(prefix):
                return cls
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    return RequestRefusedError


def error_from_response(response: httpx.Response) -> PlatformError:
    """The typed error for an error answer; the platform's code picks the class."""
    detail: wire.ErrorDetail | None = None
    try:
        detail = wire.ErrorBody.model_validate_json(response.content).error
    except (ValidationError, ValueError):
        detail = None
    status = response.status_code
    cls = _error_class(status, detail.code if detail else None)
    what = f"{response.request.method} {response.request.url.path}"
    return cls(
        f"HTTP {status} {detail.code if detail else ''} {what}".strip(),
        status=status,
        server_code=detail.code if detail else None,
        server_zh=detail.zh if detail else None,
        server_en=detail.en if detail else None,
        status_code=status,
        what=what,
    )


def _is_tls_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, ssl.SSLError | ssl.CertificateError):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc) or "SSL" in str(exc)


def translate_transport_error(exc: httpx.TransportError, url: str) -> PlatformError:
    """An httpx (transport-level) exception as the typed error a user can act on."""
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, httpx.TimeoutException):
        return TimedOutError(detail, url=url)
    if isinstance(exc, httpx.ConnectError) and _is_tls_failure(exc):
        return TlsError(detail, url=url)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return InsecureUrlError(detail, url=url)
    if isinstance(exc, httpx.ProxyError):
        return ConnectionFailedError(detail, url=url)
    return ConnectionFailedError(detail, url=url)


# --- URLs ------------------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    # Only literal loopback addresses and exactly ``localhost``: not ``*.localhost``, which a
    # resolver (or a proxy) may send anywhere.
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_base_url(base_url: str) -> str:
    """``scheme://host[:port][/path]`` without a trailing ``/`` or ``/api/v1``.

    Raises :class:`InsecureUrlError` for ``http://`` to anything but loopback (127.0.0.0/8,
    ::1, localhost) and :class:`UsageError` for anything that is not an http(s) URL.
    """
    bad = UsageError(
        what=f"平台地址应为 https://… / the platform URL must be https://…: {base_url!r}"
    )
    try:
        parts = urllib.parse.urlsplit(base_url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise bad from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise bad
    if scheme == "http" and not _is_loopback(parts.hostname):
        raise InsecureUrlError(url=base_url)
    path = parts.path.rstrip("/")
    if path.endswith(wire.API_PREFIX):
        path = path[: -len(wire.API_PREFIX)]
    return urllib.parse.urlunsplit((scheme, parts.netloc, path, "", ""))


def _q(part: str) -> str:
    return urllib.parse.quote(part, safe="")


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cert_sha256(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _first_problem(exc: ValidationError) -> str:
    e = exc.errors()[0]
    return f"{'.'.join(str(p) for p in e.get('loc', ())) or '-'}: {e.get('msg', '')}"


def _check_cancel(cancel: Cancel | None) -> None:
    if cancel is not None and cancel():
        raise CancelledError()


@dataclass(frozen=True)
class _Chunk:
    offset: int
    data: bytes
    checksum: str


def _read_chunk(path: Path, offset: int, length: int) -> _Chunk:
    try:
        with open(path, "rb", buffering=0) as f:
            f.seek(offset)
            buf = bytearray(length)
            view = memoryview(buf)
            got = 0
            while got < length:
                n = f.readinto(view[got:])
                if not n:
                    raise UsageError(
                        what=f"{path}: 上传过程中文件变短了 / the file shrank during the upload"
                    )
                got += n
    except OSError as exc:
        raise UsageError(
            what=f"{path}: 上传过程中无法读取 / cannot read during the upload ({exc.strerror})"
        ) from exc
    data = bytes(buf)
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")
    return _Chunk(offset, data, digest)


class _Session:
    def __init__(self, session: wire.Session, renew_at: float) -> None:
        self.session = session
        self.renew_at = renew_at  # time.monotonic() after which to log in again


# --- the client ------------------------------------------------------------------------------


class PlatformClient:
    """A connection to one trading platform, as one user (see the module docstring)."""

    def __init__(
        self,
        *,
        base_url: str,
        identity: Identity | None = None,
        ca_bundle: str | Path | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] | None = None,
        state_dir: Path | None = None,
        retry: RetryPolicy | None = None,
        proxy: str | None = None,
    ) -> None:
        """
        ``base_url``: the platform's origin (``https://host[:port]``); ``/api/v1`` is added.
        ``identity``: who logs in (file or token identity); not needed for ``/platform``,
        ``/time`` and offline receipt checks. The caller owns it (and closes it).
        ``ca_bundle``: PEM file of CAs that may issue the platform's TLS certificate (default:
        the system's). ``transport``: an httpx transport (tests inject faults with it).
        ``clock``: the local clock (UTC-aware), for the offset display. ``state_dir``: upload
        state and receipts (default :func:`client.uploads.default_state_dir`). ``retry``:
        the retry policy for network faults and 5xx answers. ``proxy``: an HTTP(S) proxy URL
        for an ``https://`` platform (default: the system's settings); never used for the
        loopback sandbox.
        """
        self.base_url = normalise_base_url(base_url)
        self.identity = identity
        self.state_dir = Path(state_dir) if state_dir is not None else default_state_dir()
        self.retry = retry or RetryPolicy()
        self.receipt_store = ReceiptStore(self.state_dir / "receipts")
        self.upload_store = UploadStateStore(self.state_dir / "uploads")
        self._clock = clock or (lambda: datetime.now(UTC))
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        verify: ssl.SSLContext | bool = True
        if ca_bundle is not None:
            try:
                verify = ssl.create_default_context(cafile=str(ca_bundle))
            except (OSError, ssl.SSLError) as exc:
                raise UsageError(what=f"--ca-bundle {ca_bundle}: {exc}") from exc
        try:
            self._http = httpx.Client(
                base_url=self.base_url + wire.API_PREFIX,
                transport=transport,
                verify=verify,
                timeout=self._timeout,
                follow_redirects=False,
                headers={"User-Agent": "SealBid-client/1"},
                # Plain http:// is only for the loopback sandbox: never via a proxy
                # ($HTTP_PROXY, system settings), which would carry it off the machine.
                trust_env=self.base_url.startswith("https://") and not proxy,
                proxy=proxy if proxy and self.base_url.startswith("https://") else None,
            )
        except (httpx.InvalidURL, ValueError) as exc:
            raise UsageError(
                what=f"平台地址无效 / the platform URL is not valid: {base_url!r}"
            ) from exc
        self._session: _Session | None = None
        self._platform: wire.PlatformInfo | None = None
        self._lock = threading.Lock()

    # -- lifecycle --

    def close(self) -> None:
        """Close the connections (not the identity, which the caller owns)."""
        self._http.close()

    def __enter__(self) -> PlatformClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- plumbing --

    def _send_once(
        self,
        method: str,
        path: str,
        *,
        auth: bool,
        json: Any = None,
        content: bytes | Iterator[bytes] | None = None,
        headers: dict[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        """One request (re-logging in once on an expired session); errors translated."""

        def send() -> httpx.Response:
            hdrs = dict(headers or {})
            if auth:
                hdrs["Authorization"] = f"Bearer {self._token()}"
            try:
                return self._http.request(
                    method,
                    path,
                    json=json,
                    content=content,
                    headers=hdrs,
                    timeout=timeout or self._timeout,
                    params=params,
                )
            except httpx.TransportError as exc:
                raise translate_transport_error(exc, self.base_url) from exc

        response = send()
        if response.status_code == 401 and auth:
            self._session = None
            # The token expired (or was revoked): log in again, once. A streamed body cannot
            # be replayed here; the upload loop resends its chunk itself.
            if content is None or isinstance(content, bytes):
                log.info("session refused; logging in again")
                response = send()
                if response.status_code == 401:
                    self._session = None
        return response

    def _request(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        expect: tuple[int, ...] = (200,),
        retry: bool = True,
        **kwargs: Any,
    ) -> httpx.Response:
        """A request with retries (network faults, 5xx, 429) for idempotent calls."""
        failures = 0
        while True:
            try:
                response = self._send_once(method, path, auth=auth, **kwargs)
                if response.status_code in expect:
                    return response
                raise error_from_response(response)
            except (ConnectionFailedError, ServerError) as exc:
                failures += 1
                if not retry or failures >= self.retry.attempts:
                    raise
                log.info("%s %s failed (%s); retry %d", method, path, exc.code, failures)
                self.retry.wait(failures)
            except RequestRefusedError as exc:
                if exc.status not in _RETRY_STATUS or not retry:
                    raise
                failures += 1
                if failures >= self.retry.attempts:
                    raise
                self.retry.wait(failures)

    def _model(self, response: httpx.Response, model: type[_M]) -> _M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise ProtocolError(str(exc)[:500], what=model.__name__) from exc

    def _models(self, response: httpx.Response, model: type[_M]) -> list[_M]:
        try:
            return TypeAdapter(list[model]).validate_json(response.content)  # type: ignore[valid-type]
        except ValidationError as exc:
            raise ProtocolError(str(exc)[:500], what=f"[{model.__name__}]") from exc

    def _token(self) -> str:
        s = self._session
        if s is None or time.monotonic() >= s.renew_at:
            self.login()
            s = self._session
            if s is None:  # pragma: no cover - login() sets it or raises
                raise AuthError("no session after login")
        return s.session.token

    # -- platform and time --

    def platform_info(self, *, refresh: bool = False) -> wire.PlatformInfo:
        """``GET /platform``: id, name, the receipt-signing certificate chain, trusted CAs."""
        if self._platform is None or refresh:
            self._platform = self._model(
                self._request("GET", "/platform", auth=False), wire.PlatformInfo
            )
            # Kept beside the receipts: offline checks later pin the signer to it.
            self.receipt_store.save_platform(self._platform)
        return self._platform

    def server_time(self) -> datetime:
        """The platform's clock now (UTC): the only clock that decides deadlines."""
        info = self._model(self._request("GET", "/time", auth=False), wire.TimeInfo)
        return datetime.fromtimestamp(info.now_ms / 1000, UTC)

    def clock_offset(self) -> timedelta:
        """Platform clock minus local clock, measured against the middle of the round trip."""
        t0 = self._clock()
        m0 = time.monotonic()
        info = self._model(self._request("GET", "/time", auth=False, retry=False), wire.TimeInfo)
        half = (time.monotonic() - m0) / 2
        server = datetime.fromtimestamp(info.now_ms / 1000, UTC)
        return server - (t0 + timedelta(seconds=half))

    # -- login --

    @property
    def session(self) -> wire.Session | None:
        """The current login, if any."""
        return self._session.session if self._session else None

    def login(self) -> wire.Session:
        """Certificate challenge-response (docs/protocol.md, "Login").

        Signs ``{"nonce","platform_id","purpose":"sealbid-login","time"}`` (canonical JSON)
        with the identity's signing key; the time is the platform's clock as read from the
        challenge (plus the time since), so a PC whose clock is wrong can still log in.
        """
        if self.identity is None:
            raise AuthError("no identity", what="login")
        with self._lock:
            platform = self.platform_info()
            response = self._request("POST", "/auth/challenge", auth=False)
            received = time.monotonic()
            challenge = self._model(response, wire.Challenge)
            if challenge.platform_id != platform.platform_id:
                raise ProtocolError(
                    f"challenge for {challenge.platform_id!r}, platform is {platform.platform_id!r}",
                    what="platform_id",
                )
            issued = challenge.issued_at
            if issued.tzinfo is None:
                issued = issued.replace(tzinfo=UTC)
            signed_at = issued + timedelta(seconds=time.monotonic() - received)
            message = wire.login_message(
                nonce=challenge.nonce, platform_id=challenge.platform_id, time=_iso(signed_at)
            )
            signature = self.identity.sign_detached(message, signing_time=signed_at)
            body = wire.LoginRequest(
                nonce=challenge.nonce,
                time=_iso(signed_at),
                signature=base64.b64encode(signature).decode("ascii"),
                platform_id=challenge.platform_id,
            )
            # A login is not retried blindly: the nonce is single use.
            response = self._request(
                "POST", "/auth/login", auth=False, retry=False, json=body.model_dump()
            )
            session = self._model(response, wire.Session)
            expires = session.expires_at
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=UTC)
            lifetime = (expires - issued).total_seconds()
            renew = received + max(lifetime - _SESSION_MARGIN, lifetime / 2)
            self._session = _Session(session, renew)
            return session

    # -- catalogue --

    def projects(self) -> list[wire.Project]:
        return self._models(self._request("GET", "/projects"), wire.Project)

    def sections(self, project: str | None = None) -> list[wire.Section]:
        params = {"project": project} if project is not None else None
        return self._models(self._request("GET", "/sections", params=params), wire.Section)

    def section(self, section_id: str) -> wire.Section:
        return self._model(self._request("GET", f"/sections/{_q(section_id)}"), wire.Section)

    def download_document(
        self,
        section_id: str,
        doc: wire.TenderDocument | str,
        dest_dir: Path,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
    ) -> Path:
        """Download a tender document into ``dest_dir`` under its published name.

        Streamed; the SHA-256 and size must be the ones the section listing gives, else
        :class:`ChecksumError` and nothing is left behind (the file appears atomically).
        """
        if isinstance(doc, str):
            found = [d for d in self.section(section_id).documents if d.id == doc]
            if not found:
                raise NotFoundError(what=f"document {doc}")
            doc = found[0]
        try:
            name = check_document_name(doc.name).rsplit("/", 1)[-1]
        except UnsafeDocumentNameError as exc:
            raise ProtocolError(f"unsafe name {doc.name!r}", what="document name") from exc
        target = Path(dest_dir) / name
        failures = 0
        relogged = False
        while True:
            try:
                self._download_once(section_id, doc, target, progress, cancel)
                return target
            except AuthError:
                if relogged:
                    raise
                relogged, self._session = True, None  # a refused token: log in again, once
            except (ConnectionFailedError, ServerError):
                failures += 1
                if failures >= self.retry.attempts:
                    raise
                self.retry.wait(failures)

    def _download_once(
        self,
        section_id: str,
        doc: wire.TenderDocument,
        target: Path,
        progress: Progress | None,
        cancel: Cancel | None,
    ) -> None:
        path = f"/sections/{_q(section_id)}/documents/{_q(doc.id)}"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            headers = {"Authorization": f"Bearer {self._token()}", "Accept-Encoding": "identity"}
            with self._http.stream("GET", path, headers=headers) as response:
                if response.status_code != 200:
                    response.read()
                    raise error_from_response(response)
                h = hashlib.sha256()
                done = 0
                with AtomicFile(target) as out:
                    for block in response.iter_bytes(_SLICE):
                        h.update(block)
                        out.write(block)
                        done += len(block)
                        if done > doc.size:
                            raise ChecksumError(what=f"{doc.name}: longer than listed")
                        if progress is not None:
                            progress(done, doc.size)
                        _check_cancel(cancel)
                    if done != doc.size or h.hexdigest() != doc.sha256:
                        raise ChecksumError(
                            f"got {done} bytes sha256 {h.hexdigest()}",
                            what=f"{doc.name}: 文件摘要与公布的不符 / digest differs from the"
                            " published one",
                        )
                    announced = response.headers.get("Digest", "")
                    if announced.lower().startswith("sha-256="):
                        want = announced.split("=", 1)[1].strip()
                        if want != base64.b64encode(h.digest()).decode("ascii"):
                            raise ChecksumError(what=f"{doc.name}: Digest header")
        except httpx.TransportError as exc:
            raise translate_transport_error(exc, self.base_url) from exc
        except OSError as exc:
            raise UsageError(what=f"{target}: {exc.strerror}") from exc

    # -- submission --

    def _bidder_fingerprint(self) -> str:
        if self.identity is None:
            raise AuthError("no identity", what="submit")
        return _cert_sha256(self.identity.signing_cert)

    def submit(
        self,
        section_id: str,
        path: Path,
        *,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
    ) -> VerifiedReceipt:
        """Upload a sealed bid and return its verified, locally stored receipt.

        Resumes an unfinished upload of the same file to the same section (also one left by
        an earlier run of the app, from ``state_dir``); after a dropped connection, a timeout
        or a 5xx it asks the platform for its offset and continues, re-sending at most the
        chunk that was in flight. Only a receipt that verifies (platform signature, the
        file's digest and size, section, bidder) is returned: anything less raises.

        ``progress(done, total)`` follows the bytes handed to the network (it steps back when
        a chunk is re-sent); ``cancel()`` returning True stops with
        :class:`~sealbid.errors.CancelledError` and keeps the state, so the next ``submit``
        of the same file continues where the platform stands.
        """
        path = Path(path)
        fingerprint = self._bidder_fingerprint()
        sha256, size = file_digest(path, cancel=cancel)
        for attempt in (1, 2):
            state, offset, resumed = self._resume_or_create(
                section_id, path, sha256, size, fingerprint
            )
            try:
                _Upload(self, state, offset, path, progress, cancel).run()
                signed = self._finish(state)
            except RequestRefusedError as exc:
                # An upload the platform has closed meanwhile (expired, abandoned, or its
                # submission withdrawn or replaced since): start a new one, once.
                if exc.server_code != "upload.closed" or attempt == 2:
                    raise
                log.info("upload %s was closed on the platform; starting over", state.upload_id)
                self.upload_store.remove(state)
                continue
            except (BidRejectedError, TenderVersionError):
                # The platform will never take this file: the upload is of no further use.
                self._abandon(state.upload_id)
                self.upload_store.remove(state)
                raise
            # A receipt proves the submission only while it is the section's current one: an
            # upload finished earlier (then withdrawn or replaced) answers its old receipt.
            current = self.submission(section_id)
            if current.status == "submitted" and current.latest == signed:
                break
            self.upload_store.remove(state)
            if not resumed or attempt == 2:
                raise SubmissionNotCurrentError(
                    f"finish of {state.upload_id} answered a receipt that is not the current one",
                    section=section_id,
                )
            log.info("upload %s answered a stale receipt; starting over", state.upload_id)
        else:  # pragma: no cover - every pass breaks, continues once, or raises
            raise SubmissionNotCurrentError(section=section_id)
        receipt = self.verify_receipt(
            signed,
            file_sha256=sha256,
            file_size=size,
            section_id=section_id,
            kind="submit",
            bidder_cert_sha256=fingerprint,
        )
        saved = self.receipt_store.save(receipt)
        self.upload_store.remove(state)
        return saved

    def _resume_or_create(
        self, section_id: str, path: Path, sha256: str, size: int, fingerprint: str
    ) -> tuple[UploadState, int, bool]:
        """The upload to continue: (state, the platform's offset, whether it was resumed)."""
        key = {"base_url": self.base_url, "cert_sha256": fingerprint, "section_id": section_id}
        old = self.upload_store.load(**key)
        if old is not None and (old.file_sha256, old.file_size) == (sha256, size):
            try:
                offset = self.upload_offset(old.upload_id)
                log.info("resuming upload %s of %s at %d", old.upload_id, path, offset)
                return old, offset, True
            except NotFoundError:
                log.info("upload %s is gone on the platform; starting over", old.upload_id)
        elif old is not None:
            # Another file for the same section: the old upload is abandoned (best effort).
            self._abandon(old.upload_id)
        if old is not None:
            self.upload_store.remove(old)
        create = wire.UploadCreate(length=size, sha256=sha256)
        # Retried like any call: an upload created twice (its answer lost) costs nothing, the
        # platform lets an unused one expire.
        response = self._request(
            "POST",
            f"/sections/{_q(section_id)}/uploads",
            expect=(200, 201),
            json=create.model_dump(),
        )
        upload = self._model(response, wire.Upload)
        if upload.length != size or upload.chunk_max < 1 or upload.offset != 0:
            raise ProtocolError(f"upload {upload!r}", what="upload")
        state = UploadState(
            base_url=self.base_url,
            cert_sha256=fingerprint,
            section_id=section_id,
            upload_id=upload.id,
            file_path=str(path),
            file_size=size,
            file_sha256=sha256,
            chunk_max=upload.chunk_max,
        )
        self.upload_store.save(state)
        return state, 0, False

    def _abandon(self, upload_id: str) -> None:
        try:
            self._request("DELETE", f"/uploads/{_q(upload_id)}", expect=(204, 200), retry=False)
        except PlatformError as exc:
            log.info("could not abandon upload %s: %s", upload_id, exc.code)

    def upload_offset(self, upload_id: str) -> int:
        """``HEAD /uploads/{id}``: how many bytes the platform holds durably."""
        response = self._request("HEAD", f"/uploads/{_q(upload_id)}")
        try:
            return int(response.headers[wire.HEADER_OFFSET])
        except (KeyError, ValueError) as exc:
            raise ProtocolError("no Upload-Offset", what="HEAD upload") from exc

    def _patch(self, upload_id: str, chunk: _Chunk, sent: Callable[[int], None]) -> int:
        def body() -> Iterator[bytes]:
            view = memoryview(chunk.data)
            for start in range(0, len(view), _SLICE):
                piece = view[start : start + _SLICE]
                yield piece  # type: ignore[misc]  # httpx takes any bytes-like piece
                sent(start + len(piece))

        response = self._send_once(
            "PATCH",
            f"/uploads/{_q(upload_id)}",
            auth=True,
            content=body(),
            headers={
                wire.HEADER_OFFSET: str(chunk.offset),
                wire.HEADER_CHECKSUM: f"sha256 {chunk.checksum}",
                "Content-Type": wire.OFFSET_CONTENT_TYPE,
                "Content-Length": str(len(chunk.data)),
            },
        )
        if response.status_code not in (200, 204):
            raise error_from_response(response)
        try:
            return int(response.headers[wire.HEADER_OFFSET])
        except (KeyError, ValueError) as exc:
            raise ProtocolError("no Upload-Offset", what="PATCH upload") from exc

    def _finish(self, state: UploadState) -> wire.SignedReceipt:
        """``POST /uploads/{id}/finish``; when the answer is lost, find out what happened.

        A finish whose answer never arrived may have been committed. Asking again is safe:
        an upload still there is finished again; one that is gone was committed or expired,
        and the section's current submission says which (its receipt is then checked like
        any other, so nothing unaccepted is ever taken for accepted).
        """
        t = self._timeout
        timeout = httpx.Timeout(
            connect=t.connect,
            read=max(t.read or 0.0, _FINISH_READ_TIMEOUT),
            write=t.write,
            pool=t.pool,
        )
        failures = 0
        path = f"/uploads/{_q(state.upload_id)}/finish"
        while True:
            try:
                response = self._send_once("POST", path, auth=True, timeout=timeout)
                if response.status_code == 200:
                    return self._model(response, wire.SignedReceipt)
                raise error_from_response(response)
            except (ConnectionFailedError, ServerError) as exc:
                failures += 1
                if failures >= self.retry.attempts:
                    raise
                log.info("finish of %s failed (%s); asking again", state.upload_id, exc.code)
                self.retry.wait(failures)
            except (NotFoundError, RequestRefusedError) as exc:
                if failures == 0 and not isinstance(exc, NotFoundError):
                    raise
                latest = self._committed(state)
                if latest is not None:
                    return latest
                raise

    def _committed(self, state: UploadState) -> wire.SignedReceipt | None:
        """The section's current receipt if it is for exactly this file, else None."""
        current = self.submission(state.section_id)
        if current.status != "submitted" or current.latest is None:
            return None
        try:
            receipt = wire.Receipt.model_validate_json(current.latest.receipt)
        except ValidationError:
            return None
        if (receipt.file_sha256, receipt.file_size) == (state.file_sha256, state.file_size):
            return current.latest
        return None

    def withdraw(self, section_id: str) -> VerifiedReceipt:
        """Withdraw (撤回) the current submission; returns the verified, stored receipt."""
        fingerprint = self._bidder_fingerprint()
        # An unfinished (or finished, its answer lost) upload for the section is of no use
        # after a withdrawal: resuming it must never bring back what was withdrawn.
        key = {"base_url": self.base_url, "cert_sha256": fingerprint, "section_id": section_id}
        old = self.upload_store.load(**key)
        if old is not None:
            self._abandon(old.upload_id)
            self.upload_store.remove(old)
        try:
            response = self._request(
                "POST", f"/sections/{_q(section_id)}/withdraw", retry=False, expect=(200, 201)
            )
            signed = self._model(response, wire.SignedReceipt)
        except (ConnectionFailedError, ServerError):
            # The answer was lost: if the platform did withdraw, its state says so now.
            current = self.submission(section_id)
            if current.status != "withdrawn" or current.latest is None:
                raise
            signed = current.latest
        receipt = self.verify_receipt(
            signed, section_id=section_id, kind="withdraw", bidder_cert_sha256=fingerprint
        )
        return self.receipt_store.save(receipt)

    def submission(self, section_id: str) -> wire.SubmissionState:
        """``GET /sections/{id}/submission``: this bidder's current submission, if any."""
        response = self._request("GET", f"/sections/{_q(section_id)}/submission")
        return self._model(response, wire.SubmissionState)

    def receipts(self, *, save: bool = True) -> list[VerifiedReceipt]:
        """Every receipt of this user from the platform, each verified (and stored)."""
        signed = self._models(self._request("GET", "/receipts"), wire.SignedReceipt)
        out = []
        for s in signed:
            r = self.verify_receipt(s)
            out.append(self.receipt_store.save(r) if save else r)
        return out

    def verify_receipt(
        self,
        signed: wire.SignedReceipt,
        *,
        file_path: Path | None = None,
        platform_cert: list[x509.Certificate] | None = None,
        file_sha256: str | None = None,
        file_size: int | None = None,
        section_id: str | None = None,
        kind: Literal["submit", "withdraw"] | None = None,
        bidder_cert_sha256: str | None = None,
    ) -> VerifiedReceipt:
        """:func:`client.receipts.verify_receipt` anchored at this platform's published CA and
        signed by exactly its published receipt certificate (or anchored at ``platform_cert``;
        the signer then pinned to its leaf, else to the platform's published one)."""
        info = self.platform_info()
        return verify_receipt(
            signed,
            file_path=file_path,
            file_sha256=file_sha256,
            file_size=file_size,
            platform_cert=platform_cert,
            platform_info=None if platform_cert else info,
            pinned=load_certificates(info.certificate_pem),
            platform_id=info.platform_id,
            section_id=section_id,
            kind=kind,
            bidder_cert_sha256=bidder_cert_sha256,
        )

    # -- admin and host (docs/protocol.md, "Admin and host") --
    #
    # Creating a project or a section and publishing a document are not idempotent: a request
    # whose answer was lost may have been carried out, and sending it again would make a
    # duplicate (409) or, worse, a second tender version. They are therefore sent once and a
    # network fault is reported as it is; the caller can look at the catalogue and retry.

    def create_project(self, project: wire.ProjectCreate) -> wire.Project:
        """``POST /admin/projects`` (admin, host): a new project; a taken id or code raises
        :class:`RequestRefusedError` (``request.conflict``)."""
        response = self._request(
            "POST",
            "/admin/projects",
            expect=(201,),
            retry=False,
            json=project.model_dump(mode="json"),
        )
        return self._model(response, wire.Project)

    def create_section(self, section: wire.SectionCreate) -> wire.Section:
        """``POST /admin/sections`` (admin, host): a new section with its deadline, opening
        time, bid-summary form and trusted CAs (default: the platform's)."""
        response = self._request(
            "POST",
            "/admin/sections",
            expect=(201,),
            retry=False,
            json=section.model_dump(mode="json"),
        )
        return self._model(response, wire.Section)

    def publish_document(
        self,
        section_id: str,
        path: Path,
        *,
        kind: wire.DocumentKind = "tender",
        name: str | None = None,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
    ) -> wire.TenderDocument:
        """Publish a tender document or a clarification (admin, host): a new tender version.

        The file is streamed from disk, never read whole into memory; ``name`` (default: the
        file's name) is the published document name and must be a safe one (checked here
        first, so a bad name costs no upload). Refused at or after the deadline
        (:class:`DeadlinePassedError`). Bids sealed against the previous version are refused
        from now on, with a message that tells the bidder to reseal.
        """
        path = Path(path)
        name = path.name if name is None else name
        try:
            check_document_name(name)
        except UnsafeDocumentNameError as exc:
            why = exc.params.get("why", "")
            raise UsageError(
                what=f"文档名 {name!r} 不可用（{why}）/ document name {name!r} is not usable"
            ) from exc
        self._token()  # log in first: a refused login is final, not retried below
        try:
            return self._publish_once(section_id, path, kind, name, progress, cancel)
        except AuthError as exc:
            # A streamed body cannot be replayed inside _send_once: a token that expired (or
            # was revoked) on the way is renewed here, once, and the file sent again.
            if exc.server_code not in _STALE_TOKEN_CODES:
                raise
            self._session = None
        return self._publish_once(section_id, path, kind, name, progress, cancel)

    def _publish_once(
        self,
        section_id: str,
        path: Path,
        kind: str,
        name: str,
        progress: Progress | None,
        cancel: Cancel | None,
    ) -> wire.TenderDocument:
        try:
            f = open(path, "rb", buffering=0)  # closed by the with below, after the send
        except OSError as exc:
            raise UsageError(what=f"{path}: {exc.strerror}") from exc
        with f:
            size = os.fstat(f.fileno()).st_size

            def body() -> Iterator[bytes]:
                done = 0
                while done < size:
                    try:
                        piece = f.read(min(_SLICE, size - done))
                    except OSError as exc:
                        raise UsageError(what=f"{path}: {exc.strerror}") from exc
                    if not piece:
                        raise UsageError(
                            what=f"{path}: 上传过程中文件变短了 / the file shrank during the upload"
                        )
                    done += len(piece)
                    yield piece
                    if progress is not None:
                        progress(done, size)
                    _check_cancel(cancel)

            _check_cancel(cancel)
            response = self._send_once(
                "POST",
                f"/admin/sections/{_q(section_id)}/documents",
                auth=True,
                content=body(),
                params={"name": name, "kind": kind},
                headers={
                    "Content-Type": "application/octet-stream",
                    "Content-Length": str(size),
                },
            )
        if response.status_code != 201:
            raise error_from_response(response)
        return self._model(response, wire.TenderDocument)

    def register_bidder(self, section_id: str, org_code: str, name: str) -> wire.BidderRegistration:
        """``POST /admin/sections/{id}/bidders`` (admin, host): let the organisation with this
        统一社会信用代码 bid for the section. Idempotent (so retried like a read)."""
        try:
            body = wire.BidderRegistration(org_code=org_code, name=name)
        except ValidationError as exc:
            raise UsageError(what=f"投标人 / bidder: {_first_problem(exc)}") from exc
        response = self._request(
            "POST",
            f"/admin/sections/{_q(section_id)}/bidders",
            expect=(200, 201),
            json=body.model_dump(mode="json"),
        )
        return self._model(response, wire.BidderRegistration)

    def registered_bidders(self, section_id: str) -> list[wire.BidderRegistration]:
        """``GET /admin/sections/{id}/bidders`` (staff): who may bid for the section."""
        response = self._request("GET", f"/admin/sections/{_q(section_id)}/bidders")
        return self._models(response, wire.BidderRegistration)

    def audit(self, *, after: int | None = None, limit: int | None = None) -> list[wire.AuditEntry]:
        """``GET /admin/audit`` (admin, supervisor): the audit log's entries with a sequence
        number above ``after``, in order, at most ``limit`` of them (the platform's default
        page when None). Page on by passing the last ``seq`` as ``after``."""
        params = {}
        if after is not None:
            params["after"] = str(after)
        if limit is not None:
            params["limit"] = str(limit)
        response = self._request("GET", "/admin/audit", params=params or None)
        return self._models(response, wire.AuditEntry)


class _Upload:
    """Sends the rest of one upload: chunks at the platform's offset, resuming after faults.

    The next chunk is read and hashed on a helper thread while the current one is on the
    wire, so disk, hashing and network overlap.
    """

    def __init__(
        self,
        client: PlatformClient,
        state: UploadState,
        offset: int,
        path: Path,
        progress: Progress | None,
        cancel: Cancel | None,
    ) -> None:
        self.client = client
        self.state = state
        self.offset = offset
        self.path = path
        self.progress = progress
        self.cancel = cancel
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sealbid-read")
        self._ahead: Future[_Chunk] | None = None
        self.size = state.chunk_max  # bytes per PATCH now: adapts to the line (see _run)

    def _chunk_at(self, offset: int) -> _Chunk:
        length = min(self.size, self.state.file_size - offset)
        ahead, self._ahead = self._ahead, None
        chunk = None
        if ahead is not None:
            chunk = ahead.result()
            if (chunk.offset, len(chunk.data)) != (offset, length):
                chunk = None
        if chunk is None:
            chunk = _read_chunk(self.path, offset, length)
        nxt = offset + length
        if nxt < self.state.file_size:
            size = min(self.size, self.state.file_size - nxt)
            self._ahead = self._pool.submit(_read_chunk, self.path, nxt, size)
        return chunk

    def run(self) -> None:
        try:
            self._run()
        finally:
            if self._ahead is not None:
                self._ahead.cancel()
            self._pool.shutdown(wait=True)

    def _run(self) -> None:
        client, state = self.client, self.state
        total = state.file_size
        offset = self.offset
        failures = 0
        while offset < total:
            _check_cancel(self.cancel)
            chunk = self._chunk_at(offset)
            base = offset

            def sent(n: int, base: int = base) -> None:
                if self.progress is not None:
                    self.progress(base + n, total)
                _check_cancel(self.cancel)

            try:
                new = client._patch(state.upload_id, chunk, sent)
            except (ConnectionFailedError, ServerError, OffsetConflictError, AuthError) as exc:
                failures += 1
                if failures >= client.retry.attempts:
                    raise
                log.info("chunk at %d failed (%s); asking for the offset", offset, exc.code)
                if isinstance(exc, ConnectionFailedError):
                    # A line that drops mid-chunk may never carry a whole big one: halve the
                    # chunk (each drop then costs less, too) and grow it back on success.
                    self.size = max(_MIN_CHUNK, self.size // 2)
                if not isinstance(exc, OffsetConflictError):
                    client.retry.wait(failures)
                resumed = self._offset_after_fault()
                if resumed > offset:  # the chunk had arrived; only its answer was lost
                    failures = 0
                offset = resumed
                continue
            except ChecksumError:
                failures += 1
                if failures >= client.retry.attempts:
                    raise
                continue
            if not offset < new <= total:
                raise ProtocolError(f"offset {offset} -> {new}", what="Upload-Offset")
            offset, failures = new, 0
            self.size = min(self.state.chunk_max, self.size * 2)
        if self.progress is not None:
            self.progress(total, total)

    def _offset_after_fault(self) -> int:
        # HEAD retries by itself; a refusal (deadline, gone) is final and propagates.
        offset = self.client.upload_offset(self.state.upload_id)
        if not 0 <= offset <= self.state.file_size:
            raise ProtocolError(f"offset {offset}", what="Upload-Offset")
        return offset
