"""A minimal protocol driver for the server's own tests, written from docs/protocol.md with httpx.

It is deliberately not ``client.platform`` (the real client is tested on its own): the server's
tests check the protocol as documented, so a bug in the client cannot hide one in the server.

    api = Api(platform.api)
    token = api.login(identity)                      # certificate login, bearer token
    receipt = api.submit(token, section_id, path)    # create, PATCH chunks, finish
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from client import wire
from crypto import Identity, load_identity, seal


def b64sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def login_body(
    identity: Identity,
    challenge: dict[str, Any],
    *,
    platform_id: str | None = None,
    time: datetime | None = None,
    send_platform_id: bool = False,
) -> dict[str, Any]:
    signed_time = (time or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    pid = platform_id or challenge["platform_id"]
    message = wire.login_message(nonce=challenge["nonce"], platform_id=pid, time=signed_time)
    sig = identity.sign_detached(message, signing_time=datetime.now(UTC))
    body = {
        "nonce": challenge["nonce"],
        "time": signed_time,
        "signature": base64.b64encode(sig).decode(),
    }
    if send_platform_id:
        body["platform_id"] = pid
    return body


@dataclass
class Api:
    base: str  # …/api/v1
    client: httpx.Client | None = None

    def __post_init__(self) -> None:
        if self.client is None:
            self.client = httpx.Client(timeout=60)

    @property
    def http(self) -> httpx.Client:
        assert self.client is not None
        return self.client

    def url(self, path: str) -> str:
        return self.base + path

    def request(
        self, method: str, path: str, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        headers = dict(kw.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, self.url(path), headers=headers, **kw)

    def challenge(self) -> dict[str, Any]:
        r = self.http.post(self.url("/auth/challenge"))
        r.raise_for_status()
        return dict(r.json())

    def login(self, identity: Identity | tuple[Path, bytes], *, at: datetime | None = None) -> str:
        """Log in; ``at`` is the time to sign (the platform's, when a test moved its clock)."""
        if isinstance(identity, tuple):
            identity = load_identity(identity[0], password=identity[1])
        body = login_body(identity, self.challenge(), time=at)
        r = self.http.post(self.url("/auth/login"), json=body)
        assert r.status_code == 200, r.text
        return str(r.json()["token"])

    def create_upload(self, token: str, section: str, data: bytes) -> httpx.Response:
        return self.request(
            "POST",
            f"/sections/{section}/uploads",
            token,
            json={"length": len(data), "sha256": hashlib.sha256(data).hexdigest()},
        )

    def patch(
        self, token: str, upload_id: str, offset: int, chunk: bytes, checksum: str | None = None
    ) -> httpx.Response:
        return self.request(
            "PATCH",
            f"/uploads/{upload_id}",
            token,
            content=chunk,
            headers={
                wire.HEADER_OFFSET: str(offset),
                wire.HEADER_CHECKSUM: f"sha256 {checksum or b64sha256(chunk)}",
                "Content-Type": wire.OFFSET_CONTENT_TYPE,
            },
        )

    def head(self, token: str, upload_id: str) -> httpx.Response:
        return self.request("HEAD", f"/uploads/{upload_id}", token)

    def finish(self, token: str, upload_id: str) -> httpx.Response:
        return self.request("POST", f"/uploads/{upload_id}/finish", token)

    def upload(self, token: str, section: str, data: bytes, chunk: int = 1 << 16) -> str:
        r = self.create_upload(token, section, data)
        assert r.status_code == 201, r.text
        upload_id = str(r.json()["id"])
        for off in range(0, len(data), chunk):
            r = self.patch(token, upload_id, off, data[off : off + chunk])
            assert r.status_code == 204, r.text
        return upload_id

    def submit(self, token: str, section: str, data: bytes) -> httpx.Response:
        return self.finish(token, self.upload(token, section, data))

    def section(self, token: str, section: str) -> dict[str, Any]:
        r = self.request("GET", f"/sections/{section}", token)
        assert r.status_code == 200, r.text
        return dict(r.json())


def seal_for(
    identity: Identity,
    section: dict[str, Any],
    out: Path,
    *,
    tender_version: str | bool | None = True,
    section_id: str | None = None,
    content: bytes = "商务标：投标报价 1,234,567.89 元".encode(),
) -> bytes:
    """A sealed bid for ``section`` (its id, tender version and opening time) as bytes."""
    doc = out.with_suffix(".pdf")
    doc.write_bytes(content)
    tv = section["tender_version"] if tender_version is True else tender_version
    seal(
        [doc],
        out,
        identity=identity,
        section=section_id or section["id"],
        tender_version=tv or None,
        summary={"price": "1234567.89"},
        opening_time=datetime.fromisoformat(section["opening_time"].replace("Z", "+00:00")),
    )
    return out.read_bytes()
