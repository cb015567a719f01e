"""Helpers for the client tests: sandbox identities, sealing a bid for a section, a client.

platform = start_platform(tmp_path)
bidder = Party.of(platform, "bidder", 0)                # p12, password, FileIdentity
c = client_for(platform, bidder, tmp_path / "state")
bid = seal_for(c, bidder, open_section(platform), tmp_path, size=1 << 20)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from client import PlatformClient, RetryPolicy
from client.platform import _q
from crypto import FileIdentity, load_identity, seal
from sealbid.cli_platform import fetch_seal_context

__all__ = [
    "FAST_RETRY",
    "Party",
    "RecordingTransport",
    "cli_login",
    "client_for",
    "open_sections",
    "publish_clarification",
    "seal_for",
]

FAST_RETRY = RetryPolicy(attempts=12, initial=0.01, cap=0.05)


@dataclass(frozen=True)
class Party:
    role: str
    name: str
    p12: Path
    password: bytes
    password_file: Path

    @staticmethod
    def of(platform: Any, role: str, index: int = 0) -> Party:
        entries = [i for i in platform.sandbox["identities"] if i["role"] == role]
        e = entries[index]
        password = Path(e["password_file"]).read_text("utf-8").splitlines()[0].encode()
        return Party(role, e["name"], Path(e["p12"]), password, Path(e["password_file"]))

    def identity(self) -> FileIdentity:
        return load_identity(self.p12, password=self.password)


def open_sections(platform: Any) -> list[str]:
    return [s["id"] for s in platform.sandbox["sections"] if s["open_for_bids"]]


def client_for(
    platform: Any,
    party: Party | None,
    state_dir: Path,
    *,
    url: str | None = None,
    identity: Any = None,
    **kw: Any,
) -> PlatformClient:
    kw.setdefault("retry", FAST_RETRY)
    return PlatformClient(
        base_url=url or platform.url,
        identity=identity or (party.identity() if party else None),
        state_dir=state_dir,
        **kw,
    )


def seal_for(
    client: PlatformClient,
    identity: Any,
    section_id: str,
    directory: Path,
    *,
    size: int = 64 << 10,
    name: str = "投标.sealbid",
    content: bytes | None = None,
) -> Path:
    """A sealed bid for ``section_id`` made as ``sealbid seal --platform`` would."""
    tender_version, opening, _ = fetch_seal_context(client, section_id)
    directory.mkdir(parents=True, exist_ok=True)
    doc = directory / f"商务标-{name}.pdf"
    if content is not None:
        doc.write_bytes(content)
    else:
        with open(doc, "wb") as f:
            left = size
            while left:
                n = min(left, 16 << 20)
                f.write(os.urandom(n))
                left -= n
    out = directory / name
    ident = identity.identity() if isinstance(identity, Party) else identity
    seal(
        [doc],
        out,
        identity=ident,
        section=section_id,
        tender_version=tender_version,
        opening_time=opening,
    )
    doc.unlink()
    return out


def publish_clarification(platform: Any, host: Party, section_id: str, state_dir: Path) -> None:
    """A host publishes a clarification: the section's tender version changes."""
    with client_for(platform, host, state_dir) as c:
        c._request(
            "POST",
            f"/admin/sections/{_q(section_id)}/documents",
            params={"name": "答疑澄清-1.pdf", "kind": "clarification"},
            content=b"%PDF-1.4 clarification",
            expect=(201,),
            retry=False,
        )


class RecordingTransport(httpx.HTTPTransport):
    """The real HTTP transport, noting every request (method, path, Upload-Offset, body size)
    and what came of it (status, or the exception name). ``before`` may answer instead of the
    server (a fault) by returning a response."""

    def __init__(self, before: Any = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.log: list[tuple[str, str, int | None, int, str]] = []
        self.before = before

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        offset = request.headers.get("Upload-Offset")
        size = int(request.headers.get("Content-Length", "0") or 0)
        entry = (request.method, request.url.path, int(offset) if offset else None, size)
        if self.before is not None:
            faked = self.before(request)
            if faked is not None:
                self.log.append((*entry, f"fake {faked.status_code}"))
                return faked
        try:
            response = super().handle_request(request)
        except Exception as exc:
            self.log.append((*entry, type(exc).__name__))
            raise
        self.log.append((*entry, str(response.status_code)))
        return response

    def patches(self) -> list[tuple[int, int, str]]:
        """(offset, size, outcome) of every PATCH."""
        return [(o or 0, n, r) for m, _, o, n, r in self.log if m == "PATCH"]


def cli_login(platform: Any, party: Party, state: Path) -> list[str]:
    """The CLI options that point a command at ``platform`` as ``party``."""
    return [
        "--platform", platform.url,
        "--identity", str(party.p12),
        "--password-file", str(party.password_file),
        "--state-dir", str(state),
    ]  # fmt: skip
