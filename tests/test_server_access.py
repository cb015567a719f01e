"""The access matrix: every endpoint × role (anonymous, bidder A, bidder B, host, recorder,
supervisor, admin) × section state (before the deadline, after it), on SQLite and PostgreSQL.

Checked besides the status codes: no bidder reads another's submission or receipts, nothing is
written after the deadline, and no response of any endpoint carries bid content.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from serverkit import Api, seal_for

from client import wire
from crypto import load_identity

ROLES = ("anonymous", "bidder A", "bidder B", "host", "recorder", "supervisor", "admin")
STAFF = ("host", "recorder", "supervisor", "admin")


def _row(anon: int, a: int, b: int, host: int, rec: int, sup: int, admin: int) -> dict[str, int]:
    return dict(zip(ROLES, (anon, a, b, host, rec, sup, admin), strict=True))


def _catalogue() -> dict[str, int]:
    return _row(401, 200, 200, 200, 200, 200, 200)


def _public() -> dict[str, int]:
    return _row(200, 200, 200, 200, 200, 200, 200)


BEFORE: dict[str, dict[str, int]] = {
    "GET /platform": _public(),
    "GET /time": _public(),
    "POST /auth/challenge": _public(),
    "GET /projects": _catalogue(),
    "GET /sections": _catalogue(),
    "GET /sections/{id}": _catalogue(),
    "GET /sections/{id}/documents/{doc}": _catalogue(),
    "POST /sections/{id}/uploads": _row(401, 201, 201, 403, 403, 403, 403),
    "PATCH /uploads/{A's}": _row(401, 204, 404, 403, 403, 403, 403),
    "HEAD /uploads/{A's}": _row(401, 200, 404, 403, 403, 403, 403),
    "POST /uploads/{A's}/finish": _row(401, 200, 404, 403, 403, 403, 403),
    "GET /sections/{id}/submission": _row(401, 200, 200, 403, 403, 403, 403),
    # Bidder B has no bid: its envelope is not found.
    "GET /sections/{id}/submission/envelope": _row(401, 200, 404, 403, 403, 403, 403),
    "GET /receipts": _row(401, 200, 200, 403, 403, 403, 403),
    "POST /sections/{id}/withdraw": _row(401, 200, 409, 403, 403, 403, 403),
    "DELETE /uploads/{A's}": _row(401, 204, 404, 403, 403, 403, 403),
    "POST /admin/projects": _row(401, 403, 403, 201, 403, 403, 201),
    "POST /admin/sections": _row(401, 403, 403, 201, 403, 403, 201),
    "POST /admin/sections/{id}/documents": _row(401, 403, 403, 201, 403, 403, 201),
    "POST /admin/sections/{id}/bidders": _row(401, 403, 403, 201, 403, 403, 201),
    "GET /admin/sections/{id}/bidders": _row(401, 403, 403, 200, 200, 200, 200),
    "GET /admin/audit": _row(401, 403, 403, 403, 403, 200, 200),
    # The remote opening, before any opening has started (its phases: test_opening_server).
    # No opening yet: the calls answer "not in this phase" (409) to the roles they admit.
    "GET /openings/{id}": _catalogue(),
    "GET /openings/{id}/events": _catalogue(),
    "POST /openings/{id}/start": _row(401, 403, 403, 409, 403, 403, 403),
    "POST /openings/{id}/signin/challenge": _row(401, 409, 409, 403, 403, 403, 403),
    "POST /openings/{id}/signin": _row(401, 409, 409, 403, 403, 403, 403),
    "POST /openings/{id}/publish-list": _row(401, 403, 403, 409, 403, 403, 403),
    "POST /openings/{id}/window": _row(401, 403, 403, 409, 403, 403, 403),
    "POST /openings/{id}/window/extend": _row(401, 403, 403, 409, 403, 403, 403),
    "POST /openings/{id}/release": _row(401, 409, 409, 403, 403, 403, 403),
    "POST /openings/{id}/close": _row(401, 403, 403, 409, 403, 403, 403),
    "POST /openings/{id}/objections": _row(401, 409, 409, 403, 403, 403, 403),
    "POST /openings/{id}/objections/{n}/answer": _row(401, 403, 403, 409, 403, 403, 403),
    "POST /openings/{id}/announce": _row(401, 403, 403, 409, 403, 403, 403),
    "GET /openings/{id}/record": _row(401, 409, 409, 409, 409, 409, 409),
    "POST /openings/{id}/record/sign": _row(401, 409, 409, 409, 409, 409, 403),
    "POST /openings/{id}/finish": _row(401, 403, 403, 409, 403, 403, 403),
    "GET /openings/{id}/record.pdf": _row(401, 409, 409, 409, 409, 409, 409),
    # The sandbox's timestamp authority answers anyone (RFC 3161 clients do not log in); a
    # malformed query gets a signed-off rejection, still HTTP 200.
    "POST /tsa": _public(),
}

# After the deadline (by the platform's clock): every write of a bidder is refused; reading
# one's own state, abandoning one's own upload and the catalogue stay as they were.
AFTER = {key: dict(row) for key, row in BEFORE.items()}
AFTER["POST /sections/{id}/uploads"].update({"bidder A": 409, "bidder B": 409})
AFTER["PATCH /uploads/{A's}"]["bidder A"] = 409
AFTER["POST /uploads/{A's}/finish"]["bidder A"] = 409
AFTER["POST /sections/{id}/withdraw"].update({"bidder A": 409, "bidder B": 409})
AFTER["POST /admin/sections/{id}/documents"].update({"host": 409, "admin": 409})


def _payload_slice(bid: bytes) -> bytes:
    header_len = int.from_bytes(bid[18:22], "big")
    recipients_len = int.from_bytes(bid[22 + header_len : 26 + header_len], "big")
    start = 26 + header_len + recipients_len
    return bid[start : start + 48]


class Matrix:
    def __init__(self, served: Any, tmp: Path) -> None:
        self.served = served
        self.api = Api(served.api)
        self.tmp = tmp
        self.sid = served.sandbox["sections"][1]["id"]  # the section with the near deadline
        self.project = served.sandbox["sections"][1]["project_id"]
        self.a = _bidder(served, 0)
        self.tokens: dict[str, str | None] = {"anonymous": None}
        self.tokens["bidder A"] = self.api.login(self.a)
        self.tokens["bidder B"] = self.api.login(_bidder(served, 1))
        for role in STAFF:
            self.tokens[role] = self.api.login(served.identity(role))
        self.secrets: list[bytes] = []

    def prepare(self) -> dict[str, Any]:
        """Bidder A: a submitted bid, an upload ready to finish and a partial one."""
        token = self.tokens["bidder A"]
        assert token is not None
        section = self.api.section(token, self.sid)
        bid = seal_for(self.a, section, self.tmp / f"a-{os.urandom(4).hex()}.sealbid")
        self.secrets.append(_payload_slice(bid))
        assert self.api.submit(token, self.sid, bid).status_code == 200
        complete = self.api.upload(token, self.sid, bid)
        partial = self.api.create_upload(token, self.sid, bid).json()["id"]
        return {
            "bid": bid,
            "complete": complete,
            "partial": partial,
            "doc": section["documents"][0]["id"],
        }

    def calls(self, ctx: dict[str, Any]) -> dict[str, Callable[[str | None], httpx.Response]]:
        api, sid, bid = self.api, self.sid, ctx["bid"]
        form = {"fields": [{"key": "price", "label": "投标报价", "type": "money", "unit": "元"}]}

        def req(method: str, path: str, **kw: Any) -> Callable[[str | None], httpx.Response]:
            return lambda token: api.request(method, path, token, **kw)

        def patch(token: str | None) -> httpx.Response:
            return api.patch(token or "", ctx["partial"], 0, bid[:1000])

        def new_section(token: str | None) -> httpx.Response:
            body = {
                "project_id": self.project,
                "code": f"M-{os.urandom(3).hex()}",
                "name": "矩阵测试标段",
                "deadline": "2099-01-01T01:00:00Z",
                "opening_time": "2099-01-01T02:00:00Z",
                "form": form,
            }
            return api.request("POST", "/admin/sections", token, json=body)

        def new_project(token: str | None) -> httpx.Response:
            body = {
                "code": f"P-{os.urandom(3).hex()}",
                "name": "矩阵测试项目",
                "sector": "工程建设",
            }
            return api.request("POST", "/admin/projects", token, json=body)

        org_a = self.served.sandbox["identities"][4]
        calls = {
            "GET /platform": req("GET", "/platform"),
            "GET /time": req("GET", "/time"),
            "POST /auth/challenge": req("POST", "/auth/challenge"),
            "GET /projects": req("GET", "/projects"),
            "GET /sections": req("GET", "/sections"),
            "GET /sections/{id}": req("GET", f"/sections/{sid}"),
            "GET /sections/{id}/documents/{doc}": req(
                "GET", f"/sections/{sid}/documents/{ctx['doc']}"
            ),
            "POST /sections/{id}/uploads": req(
                "POST", f"/sections/{sid}/uploads", json={"length": 10, "sha256": "0" * 64}
            ),
            "PATCH /uploads/{A's}": patch,
            "HEAD /uploads/{A's}": req("HEAD", f"/uploads/{ctx['partial']}"),
            "POST /uploads/{A's}/finish": req("POST", f"/uploads/{ctx['complete']}/finish"),
            "GET /sections/{id}/submission": req("GET", f"/sections/{sid}/submission"),
            "GET /receipts": req("GET", "/receipts"),
            "POST /sections/{id}/withdraw": req("POST", f"/sections/{sid}/withdraw"),
            "DELETE /uploads/{A's}": req("DELETE", f"/uploads/{ctx['partial']}"),
            "POST /admin/projects": new_project,
            "POST /admin/sections": new_section,
            "POST /admin/sections/{id}/documents": req(
                "POST",
                f"/admin/sections/{sid}/documents",
                params={"name": "答疑澄清.txt", "kind": "clarification"},
                content="澄清".encode(),
            ),
            "POST /admin/sections/{id}/bidders": req(
                "POST",
                f"/admin/sections/{sid}/bidders",
                json={"org_code": org_a["org_code"], "name": org_a["name"]},
            ),
            "GET /admin/sections/{id}/bidders": req("GET", f"/admin/sections/{sid}/bidders"),
            "GET /admin/audit": req("GET", "/admin/audit"),
        }
        every = {**calls, **self.opening_calls(ctx)}
        return {key: every[key] for key in BEFORE}  # the table's order: envelope before withdraw

    def opening_calls(
        self, ctx: dict[str, Any]
    ) -> dict[str, Callable[[str | None], httpx.Response]]:
        api, sid = self.api, self.sid
        # Starting is tried on the section whose deadline is days away (a start that
        # succeeded would change what every later call sees).
        far = self.served.sandbox["sections"][0]["id"]
        o = f"/openings/{sid}"
        now = "2026-01-01T00:00:00Z"
        sign = {"record_sha256": "0" * 64, "decision": "confirm", "time": now, "signature": "AA=="}

        def req(method: str, path: str, **kw: Any) -> Callable[[str | None], httpx.Response]:
            return lambda token: api.request(method, path, token, **kw)

        def events(token: str | None) -> httpx.Response:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            with api.http.stream("GET", api.url(o + "/events"), headers=headers) as r:
                if r.status_code != 200:
                    r.read()
                    return r
                # The stream's opening bytes (it runs until the opening ends), for the checks.
                return httpx.Response(200, content=next(r.iter_bytes()))

        return {
            "GET /openings/{id}": req("GET", o),
            "GET /openings/{id}/events": events,
            "GET /sections/{id}/submission/envelope": req(
                "GET", f"/sections/{sid}/submission/envelope"
            ),
            "POST /openings/{id}/start": req("POST", f"/openings/{far}/start", json={}),
            "POST /openings/{id}/signin/challenge": req("POST", o + "/signin/challenge"),
            "POST /openings/{id}/signin": req(
                "POST", o + "/signin", json={"nonce": "AA==", "time": now, "signature": "AA=="}
            ),
            "POST /openings/{id}/publish-list": req("POST", o + "/publish-list"),
            "POST /openings/{id}/window": req("POST", o + "/window", json={"minutes": 30}),
            "POST /openings/{id}/window/extend": req(
                "POST", o + "/window/extend", json={"minutes": 5, "reason": "网络故障"}
            ),
            "POST /openings/{id}/release": req(
                "POST", o + "/release", json={"file_key": "A" * 43 + "="}
            ),
            "POST /openings/{id}/close": req("POST", o + "/close", json={"reason": "x"}),
            "POST /openings/{id}/objections": req("POST", o + "/objections", json={"text": "异议"}),
            "POST /openings/{id}/objections/{n}/answer": req(
                "POST", o + "/objections/1/answer", json={"text": "答复"}
            ),
            "POST /openings/{id}/announce": req("POST", o + "/announce", json={}),
            "GET /openings/{id}/record": req("GET", o + "/record"),
            "POST /openings/{id}/record/sign": req("POST", o + "/record/sign", json=sign),
            "POST /openings/{id}/finish": req("POST", o + "/finish"),
            "GET /openings/{id}/record.pdf": req("GET", o + "/record.pdf"),
            "POST /tsa": req(
                "POST",
                "/tsa",
                content=b"not a query",
                headers={"Content-Type": "application/timestamp-query"},
            ),
        }

    def check_response(self, role: str, endpoint: str, r: httpx.Response) -> None:
        for secret in self.secrets:
            assert secret not in r.content, f"{role} {endpoint} returned bid content"
            assert secret.hex() not in r.text
        if r.status_code >= 400 and endpoint.split()[0] != "HEAD":
            wire.ErrorBody.model_validate_json(r.content)  # every refusal has code, zh, en
        if r.status_code == 200 and role.startswith("bidder"):
            org = self.served.sandbox["identities"][4 if role == "bidder A" else 5]["org_code"]
            receipts: list[dict[str, Any]] = []
            if endpoint == "GET /receipts":
                receipts = r.json()
            elif endpoint == "GET /sections/{id}/submission" and r.json()["latest"]:
                receipts = [r.json()["latest"]]
            for signed in receipts:
                owner = wire.Receipt.model_validate_json(signed["receipt"]).bidder.org_code
                assert owner == org, f"{role} sees a receipt of {owner}"


def _bidder(served: Any, i: int) -> Any:
    p12, password = served.identity("bidder", i)
    return load_identity(p12, password=password)


def _run(matrix: Matrix, phase: dict[str, dict[str, int]], *, after: bool) -> None:
    actual: dict[str, dict[str, int]] = {}
    ctx = matrix.prepare() if after else None
    if after:
        deadline = datetime.fromisoformat(
            matrix.api.section(matrix.tokens["bidder A"] or "", matrix.sid)["deadline"]
        )
        matrix.served.clock.function = lambda: deadline + timedelta(minutes=1)
    try:
        for role in ROLES:
            here = ctx if ctx is not None else matrix.prepare()
            for endpoint, call in matrix.calls(here).items():
                r = call(matrix.tokens[role])
                matrix.check_response(role, endpoint, r)
                actual.setdefault(endpoint, {})[role] = r.status_code
    finally:
        matrix.served.clock.reset()
    wrong = [
        f"{endpoint} as {role}: expected {phase[endpoint][role]}, got {actual[endpoint][role]}"
        for endpoint in phase
        for role in ROLES
        if actual[endpoint][role] != phase[endpoint][role]
    ]
    assert not wrong, "\n".join(wrong)


@pytest.fixture(scope="module")
def matrix(served: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    # Bidder A holds a complete and a partial upload while the matrix creates a third one.
    config = served.platform.config
    served.platform.config = dataclasses.replace(config, max_open_uploads=3)
    try:
        yield Matrix(served, tmp_path_factory.mktemp("matrix"))
    finally:
        served.platform.config = config


def test_every_endpoint_is_in_the_matrix(served: Any) -> None:
    """A new route must be added to the matrix: the OpenAPI paths and methods match."""
    doc = httpx.get(served.url + "/openapi.json").json()
    served_routes = {
        (method.upper(), path)
        for path, item in doc["paths"].items()
        for method in item
        if method in ("get", "post", "patch", "delete", "head", "put")
    }
    assert len(served_routes) == len(BEFORE) + 1  # + POST /auth/login (test_server_auth)


def test_access_before_the_deadline(matrix: Matrix) -> None:
    _run(matrix, BEFORE, after=False)


def test_access_after_the_deadline(matrix: Matrix) -> None:
    _run(matrix, AFTER, after=True)
