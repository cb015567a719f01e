"""The committed OpenAPI document (docs/openapi.json) is what the platform serves.

When this fails after an intended API change: ``.venv/bin/python -m server.openapi``.
"""

from __future__ import annotations

from typing import Any

import httpx

from server.openapi import DOC_PATH, render


def test_served_openapi_matches_the_committed_file(platform: Any) -> None:
    served = httpx.get(platform.url + "/openapi.json")
    assert served.status_code == 200
    committed = DOC_PATH.read_text("utf-8")
    assert render(served.json()) == committed, (
        "docs/openapi.json is stale: python -m server.openapi"
    )


def test_openapi_names_every_error_body_and_the_upload_headers() -> None:
    import json

    doc = json.loads(DOC_PATH.read_text("utf-8"))
    assert "ErrorBody" in doc["components"]["schemas"]
    patch = doc["paths"]["/api/v1/uploads/{upload_id}"]["patch"]
    assert "460" in patch["responses"]
    assert {p["name"] for p in patch["parameters"]} >= {"Upload-Offset", "Upload-Checksum"}
    assert "application/offset+octet-stream" in patch["requestBody"]["content"]
