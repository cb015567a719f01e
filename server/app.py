"""The platform's HTTP API (docs/protocol.md) as a FastAPI app.

    app = create_app(Config(data_dir=Path("data"), sandbox=True))
    uvicorn.run(app, host="127.0.0.1", port=8000)      # or server.run.serve(config, ...)

Every route declares the roles it admits (one dependency); ownership and deadlines are checked by
``server.platform``. There is no route that returns bid content: nobody can read a bid before the
opening because nothing here can send one. Errors leave as ``wire.ErrorBody`` (code, zh, en),
translated at this one boundary.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from client import wire
from sealbid.errors import SealBidError

from . import auth
from .config import Config
from .errors import (
    ApiError,
    BodyTimeout,
    Conflict,
    InvalidRequest,
    RequestTooLarge,
    RoleForbidden,
    UploadOffset,
    UploadTooLarge,
    plain_messages,
)
from .platform import Platform

__all__ = ["API_TITLE", "create_app", "openapi_document"]

log = logging.getLogger("sealbid.server")

API_TITLE = "SealBid platform API"
API_VERSION = "1"

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": wire.ErrorBody} for status in (401, 403, 404, 409, 422)
}
_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/auth/login")

AnyRole = ("bidder", "host", "recorder", "supervisor", "admin")


def _principal(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> auth.Principal:
    platform: Platform = request.app.state.platform
    header = f"{creds.scheme} {creds.credentials}" if creds else None
    return auth.authenticate(platform.db, platform.config, header)


def _role(*roles: str) -> Callable[..., auth.Principal]:
    def check(p: Annotated[auth.Principal, Depends(_principal)]) -> auth.Principal:
        if p.role not in roles:
            raise RoleForbidden(role=p.role)
        return p

    return check


# The roles each route admits (style: one dependency per route, nothing checked by hand).
Anyone = Annotated[auth.Principal, Depends(_role(*AnyRole))]
Bidder = Annotated[auth.Principal, Depends(_role("bidder"))]
Organiser = Annotated[auth.Principal, Depends(_role("admin", "host"))]
Overseer = Annotated[auth.Principal, Depends(_role("admin", "supervisor"))]
Staff = Annotated[auth.Principal, Depends(_role("admin", "host", "supervisor", "recorder"))]
Host = Annotated[auth.Principal, Depends(_role("host"))]
Signer = Annotated[auth.Principal, Depends(_role("bidder", "host", "supervisor", "recorder"))]


def _error_response(status: int, code: str, zh: str, en: str, **headers: str) -> JSONResponse:
    body = wire.ErrorBody(error=wire.ErrorDetail(code=code, zh=zh, en=en))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers or None)


# A sender that goes silent mid-body (a pulled cable, a sleeping laptop) must not hold a
# connection and a task for ever: each piece of the body must arrive within this time.
BODY_IDLE_SECONDS = 60.0


async def _read_body(request: Request, limit: int) -> bytearray:
    """The request body, at most ``limit`` bytes, each piece within BODY_IDLE_SECONDS."""
    body = bytearray()
    pieces = request.stream().__aiter__()
    while True:
        try:
            piece = await asyncio.wait_for(anext(pieces), timeout=BODY_IDLE_SECONDS)
        except StopAsyncIteration:
            return body
        except TimeoutError as exc:
            raise BodyTimeout(seconds=int(BODY_IDLE_SECONDS)) from exc
        body += piece
        if len(body) > limit:
            raise UploadTooLarge(what=f"> {limit} bytes")


# Every other request body (JSON) is bounded before anything reads it: an unauthenticated
# login must not be able to fill the platform's memory. PATCH chunks (``chunk_max``) and
# published documents (``MAX_DOCUMENT``) have their own limits, enforced by their routes.
JSON_BODY_MAX = 1 << 20


class _BodyTooLarge(StarletteHTTPException):
    """Raised from ``receive`` when a body grows past its limit (an HTTPException, so that
    FastAPI's body parsing lets it through unchanged)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"> {limit} bytes")
        self.limit = limit


def _own_body_limit(scope: Scope) -> bool:
    """The routes that read their body in pieces, each with its own limit."""
    path = str(scope.get("path", ""))
    method = scope.get("method")
    if method == "PATCH" and path.startswith(wire.API_PREFIX + "/uploads/"):
        return True
    return (
        method == "POST"
        and path.startswith(wire.API_PREFIX + "/admin/sections/")
        and (path.endswith("/documents"))
    )


def _too_large_response(limit: int) -> JSONResponse:
    exc = RequestTooLarge(limit=limit)
    return _error_response(exc.status, exc.wire_code, exc.diagnostics("zh_CN"), _english(exc))


class _BodyLimit:
    """At most ``limit`` bytes of request body: a larger Content-Length is refused before a
    byte is read, and a body without one is cut off as soon as it passes the limit."""

    def __init__(self, app: ASGIApp, limit: int = JSON_BODY_MAX) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _own_body_limit(scope):
            await self.app(scope, receive, send)
            return
        limit = self.limit
        declared = Headers(scope=scope).get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limit:
            await _too_large_response(limit)(scope, receive, send)
            return
        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except _BodyTooLarge:
            if started:
                raise
            await _too_large_response(limit)(scope, receive, send)


def create_app(config: Config) -> FastAPI:
    """The platform's app on ``config``: seeds the sandbox on first start when asked, opens
    the database and recovers from a crash before it returns (so before it serves)."""
    if config.sandbox:
        from .sandbox import seed

        seed(config)
    return _make_app(Platform.start(config))


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document, without a platform behind it (``python -m server.openapi``
    writes it to docs/openapi.json)."""
    # Schema only: no route is ever called on this app, so no platform is needed behind it.
    return _make_app(cast(Platform, None)).openapi()


def _make_app(platform: Platform) -> FastAPI:
    app = FastAPI(
        title=API_TITLE,
        version=API_VERSION,
        description="Reference trading platform of SealBid (密封投标). See docs/protocol.md.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.platform = platform
    app.add_middleware(_BodyLimit)
    _install_error_handlers(app)
    app.include_router(_routes(platform), prefix=wire.API_PREFIX)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        headers = {}
        if isinstance(exc, UploadOffset):
            headers[wire.HEADER_OFFSET] = str(exc.params["offset"])
        return _error_response(
            exc.status, exc.wire_code, exc.diagnostics("zh_CN"), _english(exc), **headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()[:5]
        )
        return _error_response(
            422, "request.invalid", f"请求格式有误：{where}", f"Malformed request: {where}"
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, _BodyTooLarge):
            return _too_large_response(exc.limit)
        if exc.status_code == 400:
            # FastAPI's "error parsing the body" (e.g. JSON nested too deeply to parse): a
            # malformed request like any other (protocol.md, request.invalid).
            bad = InvalidRequest(what="body")
            return _error_response(
                bad.status, bad.wire_code, bad.diagnostics("zh_CN"), _english(bad)
            )
        codes = {404: "not_found", 405: "request.method"}
        return _error_response(
            exc.status_code,
            codes.get(exc.status_code, "request"),
            f"请求无法处理（HTTP {exc.status_code}）。",
            f"The request cannot be served (HTTP {exc.status_code}): {exc.detail}",
        )

    @app.exception_handler(IntegrityError)
    async def integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        # Two requests raced to create the same thing (PostgreSQL commits both checks before
        # either insert): the loser conflicts with what the winner created.
        log.info("integrity conflict: %s", str(exc.orig).splitlines()[0] if exc.orig else "")
        bad = Conflict(what="同时创建 / created concurrently")
        return _error_response(bad.status, bad.wire_code, bad.diagnostics("zh_CN"), _english(bad))

    @app.exception_handler(SealBidError)
    async def other(_: Request, exc: SealBidError) -> JSONResponse:
        # A SealBidError that is not an ApiError is a bug in the server; the text is safe.
        log.error("unhandled %s: %s", exc.code, exc.detail)
        return _error_response(500, "server.error", exc.diagnostics("zh_CN"), _english(exc))

    @app.exception_handler(Exception)
    async def crash(_: Request, exc: Exception) -> JSONResponse:
        # Anything else (the database went away, a bug): logged with its traceback by the
        # server; the caller gets the error body, never a stack trace.
        log.error("unexpected %s", type(exc).__name__, exc_info=exc)
        return _error_response(
            500,
            "server.error",
            "平台内部错误，请稍后重试；已提交的投标不受影响。",
            "Internal platform error; please try again later. Bids already accepted are not affected.",
        )


def _english(exc: SealBidError) -> str:
    # The technical detail stays in the log: a remote party gets the message only (rule 6).
    return plain_messages(exc)[1]


def _routes(platform: Platform) -> APIRouter:
    r = APIRouter(responses=_ERRORS)

    # --- platform ---------------------------------------------------------------------------

    @r.get("/platform", tags=["platform"])
    def platform_info() -> wire.PlatformInfo:
        return platform.info()

    @r.get("/time", tags=["platform"])
    def platform_time() -> wire.TimeInfo:
        now = platform.config.now()
        return wire.TimeInfo(now=now, now_ms=int(now.timestamp() * 1000))

    # --- login --------------------------------------------------------------------------------

    @r.post("/auth/challenge", tags=["auth"])
    def challenge() -> wire.Challenge:
        return auth.issue_challenge(platform.db, platform.config)

    @r.post("/auth/login", tags=["auth"])
    def login(body: wire.LoginRequest) -> wire.Session:
        return auth.login(platform.db, platform.config, platform.trusted_cas(), body)

    # --- catalogue -----------------------------------------------------------------------------

    @r.get("/projects", tags=["catalogue"])
    def projects(_: Anyone) -> list[wire.Project]:
        return platform.projects()

    @r.get("/sections", tags=["catalogue"])
    def sections(_: Anyone, project: str | None = None) -> list[wire.Section]:
        return platform.sections(project)

    @r.get("/sections/{section_id}", tags=["catalogue"])
    def section(section_id: str, _: Anyone) -> wire.Section:
        return platform.section(section_id)

    @r.get(
        "/sections/{section_id}/documents/{doc_id}",
        tags=["catalogue"],
        response_class=FileResponse,
        responses={200: {"content": {"application/octet-stream": {}}}},
    )
    def document(section_id: str, doc_id: str, _: Anyone) -> FileResponse:
        import base64

        path, row = platform.document(section_id, doc_id)
        digest = base64.b64encode(bytes.fromhex(row.sha256)).decode("ascii")
        return FileResponse(
            path,
            media_type="application/octet-stream",
            filename=row.name.rsplit("/", 1)[-1],
            headers={"Digest": f"sha-256={digest}", "X-Document-Sha256": row.sha256},
        )

    # --- submission -----------------------------------------------------------------------------

    @r.post("/sections/{section_id}/uploads", status_code=201, tags=["submission"])
    def create_upload(section_id: str, body: wire.UploadCreate, p: Bidder) -> wire.Upload:
        return platform.create_upload(p, section_id, body)

    @r.patch(
        "/uploads/{upload_id}",
        status_code=204,
        tags=["submission"],
        responses={
            204: {"headers": {wire.HEADER_OFFSET: {"schema": {"type": "integer"}}}},
            413: {"model": wire.ErrorBody},
            460: {"model": wire.ErrorBody, "description": "Chunk checksum mismatch"},
        },
        openapi_extra={
            "parameters": [
                {
                    "name": wire.HEADER_OFFSET,
                    "in": "header",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0},
                },
                {
                    "name": wire.HEADER_CHECKSUM,
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": "sha256 <base64>",
                },
            ],
            "requestBody": {
                "required": True,
                "content": {
                    wire.OFFSET_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}
                },
            },
        },
    )
    async def append(upload_id: str, request: Request, p: Bidder) -> Response:
        # A missing or malformed offset is refused after the deadline check (precheck_append):
        # at or after the deadline every write is refused as such, whatever else is wrong.
        header = request.headers.get(wire.HEADER_OFFSET, "").strip()
        offset = int(header) if header.isdigit() and header.isascii() else None
        await run_in_threadpool(platform.precheck_append, p, upload_id, offset)
        if offset is None:  # refused by precheck_append already; for the type checker
            raise InvalidRequest(what=f"{wire.HEADER_OFFSET} header")
        declared = request.headers.get("content-length")
        if (
            declared is not None
            and declared.isdigit()
            and int(declared) > platform.config.chunk_max
        ):
            raise UploadTooLarge(what=f"chunk > {platform.config.chunk_max} bytes")
        try:
            body = await _read_body(request, platform.config.chunk_max)
        except ClientDisconnect:
            # The client is gone (a cut connection is normal here): nothing to answer or log.
            return Response(status_code=499)
        new = await run_in_threadpool(
            platform.append,
            p,
            upload_id,
            offset,
            request.headers.get(wire.HEADER_CHECKSUM),
            body,
        )
        return Response(status_code=204, headers={wire.HEADER_OFFSET: str(new)})

    @r.head("/uploads/{upload_id}", tags=["submission"])
    def upload_offset(upload_id: str, p: Bidder) -> Response:
        offset, length = platform.upload_state(p, upload_id)
        return Response(
            status_code=200,
            headers={
                wire.HEADER_OFFSET: str(offset),
                wire.HEADER_LENGTH: str(length),
                "Cache-Control": "no-store",
            },
        )

    @r.post("/uploads/{upload_id}/finish", tags=["submission"])
    def finish(upload_id: str, p: Bidder) -> wire.SignedReceipt:
        return platform.finish(p, upload_id)

    @r.delete("/uploads/{upload_id}", status_code=204, tags=["submission"])
    def abandon(upload_id: str, p: Bidder) -> Response:
        platform.abandon(p, upload_id)
        return Response(status_code=204)

    @r.post("/sections/{section_id}/withdraw", tags=["submission"])
    def withdraw(section_id: str, p: Bidder) -> wire.SignedReceipt:
        return platform.withdraw(p, section_id)

    @r.get("/sections/{section_id}/submission", tags=["submission"])
    def submission(section_id: str, p: Bidder) -> wire.SubmissionState:
        return platform.submission(p, section_id)

    @r.get("/receipts", tags=["submission"])
    def receipts(p: Bidder, section: str | None = None) -> list[wire.SignedReceipt]:
        return platform.receipts(p, section)

    # --- admin and host ---------------------------------------------------------------------------

    @r.post("/admin/projects", status_code=201, tags=["admin"])
    def create_project(body: wire.ProjectCreate, p: Organiser) -> wire.Project:
        return platform.create_project(p, body)

    @r.post("/admin/sections", status_code=201, tags=["admin"])
    def create_section(body: wire.SectionCreate, p: Organiser) -> wire.Section:
        return platform.create_section(p, body)

    @r.post(
        "/admin/sections/{section_id}/documents",
        status_code=201,
        tags=["admin"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        },
    )
    async def publish_document(
        section_id: str,
        request: Request,
        p: Organiser,
        name: Annotated[str, Query(min_length=1, max_length=1024)],
        kind: Annotated[wire.DocumentKind, Query()] = "tender",
    ) -> wire.TenderDocument:
        from .platform import MAX_DOCUMENT

        body = await _read_body(request, MAX_DOCUMENT)
        return await run_in_threadpool(
            platform.publish_document, p, section_id, name, kind, bytes(body)
        )

    @r.post("/admin/sections/{section_id}/bidders", status_code=201, tags=["admin"])
    def register_bidder(
        section_id: str, body: wire.BidderRegistration, p: Organiser
    ) -> wire.BidderRegistration:
        return platform.register_bidder(p, section_id, body)

    @r.get("/admin/sections/{section_id}/bidders", tags=["admin"])
    def registered_bidders(section_id: str, _: Staff) -> list[wire.BidderRegistration]:
        return platform.registered_bidders(section_id)

    @r.get("/admin/audit", tags=["admin"])
    def audit(
        _: Overseer,
        after: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
    ) -> list[wire.AuditEntry]:
        return platform.audit(after, limit)

    # --- the remote opening (docs/opening.md) ----------------------------------------------------

    o = platform.openings if platform is not None else cast(Any, None)  # None: OpenAPI only

    @r.get("/openings/{section_id}", tags=["opening"])
    def opening_state(section_id: str, p: Anyone) -> wire.OpeningState:
        return o.state(p, section_id)

    @r.get(
        "/openings/{section_id}/events",
        tags=["opening"],
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def opening_events(
        section_id: str,
        request: Request,
        p: Anyone,
        after: Annotated[int | None, Query(ge=0)] = None,
    ) -> StreamingResponse:
        started = await run_in_threadpool(o.check_viewer, p, section_id)
        last = request.headers.get("last-event-id", "").strip()
        start = after if after is not None else (int(last) if last.isdigit() else 0)
        return StreamingResponse(
            o.stream(
                p,
                section_id,
                after=start,
                started=started,
                is_disconnected=request.is_disconnected,
            ),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @r.post("/openings/{section_id}/start", tags=["opening"])
    def opening_start(section_id: str, body: wire.OpeningStart, p: Host) -> wire.OpeningState:
        return o.start(p, section_id, body)

    @r.post("/openings/{section_id}/signin/challenge", tags=["opening"])
    def opening_challenge(section_id: str, p: Bidder) -> wire.OpeningChallenge:
        return o.signin_challenge(p, section_id)

    @r.post("/openings/{section_id}/signin", tags=["opening"])
    def opening_signin(section_id: str, body: wire.SigninRequest, p: Bidder) -> wire.MyStatus:
        return o.signin(p, section_id, body)

    @r.post("/openings/{section_id}/publish-list", tags=["opening"])
    def opening_publish_list(section_id: str, p: Host) -> wire.OpeningState:
        return o.publish_list(p, section_id)

    @r.post("/openings/{section_id}/window", tags=["opening"])
    def opening_window(section_id: str, body: wire.WindowOpen, p: Host) -> wire.OpeningState:
        return o.open_window(p, section_id, body)

    @r.post("/openings/{section_id}/window/extend", tags=["opening"])
    def opening_extend(section_id: str, body: wire.WindowExtend, p: Host) -> wire.OpeningState:
        return o.extend(p, section_id, body)

    @r.get("/sections/{section_id}/submission/envelope", tags=["opening"])
    def submission_envelope(section_id: str, p: Bidder) -> wire.SealedEnvelope:
        return o.envelope(p, section_id)

    @r.post("/openings/{section_id}/release", tags=["opening"])
    def opening_release(section_id: str, body: wire.ReleaseRequest, p: Bidder) -> wire.MyStatus:
        return o.release(p, section_id, body)

    @r.post("/openings/{section_id}/close", tags=["opening"])
    def opening_close(section_id: str, body: wire.WindowClose, p: Host) -> wire.OpeningState:
        return o.close(p, section_id, body)

    @r.post("/openings/{section_id}/objections", status_code=201, tags=["opening"])
    def opening_object(section_id: str, body: wire.ObjectionCreate, p: Bidder) -> wire.Objection:
        return o.object(p, section_id, body)

    @r.post("/openings/{section_id}/objections/{objection_id}/answer", tags=["opening"])
    def opening_answer(
        section_id: str, objection_id: int, body: wire.ObjectionAnswer, p: Host
    ) -> wire.Objection:
        return o.answer(p, section_id, objection_id, body)

    @r.post("/openings/{section_id}/announce", tags=["opening"])
    def opening_announce(section_id: str, body: wire.Announce, p: Host) -> wire.OpeningState:
        return o.announce(p, section_id, body)

    @r.get("/openings/{section_id}/record", tags=["opening"], response_model=wire.SignedRecord)
    def opening_record(
        section_id: str,
        request: Request,
        p: Anyone,
        signatures: Annotated[
            bool, Query(description="false: the record alone, as a signer needs it")
        ] = True,
    ) -> Response:
        data, packed = o.record_json(p, section_id, signatures=signatures)
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(
                packed,
                media_type="application/json",
                headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
            )
        return Response(data, media_type="application/json", headers={"Vary": "Accept-Encoding"})

    @r.get(
        "/openings/{section_id}/record.pdf",
        tags=["opening"],
        response_class=FileResponse,
        responses={200: {"content": {"application/pdf": {}}}},
    )
    def opening_record_pdf(section_id: str, p: Anyone) -> FileResponse:
        path = o.record_pdf(p, section_id)
        return FileResponse(
            path, media_type="application/pdf", filename=f"开标记录-{section_id}.pdf"
        )

    @r.post("/openings/{section_id}/record/sign", tags=["opening"])
    def opening_sign(
        section_id: str, body: wire.RecordSignRequest, p: Signer
    ) -> wire.RecordSignature:
        return o.sign_record(p, section_id, body)

    @r.post("/openings/{section_id}/finish", tags=["opening"])
    def opening_finish(section_id: str, p: Host) -> wire.OpeningState:
        return o.finish(p, section_id)

    # --- timestamps (RFC 3161; server/tsa.py) ---------------------------------------------------

    from . import tsa

    tsa.add_routes(r, platform)

    return r
