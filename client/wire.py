"""The platform protocol's bodies: one definition, used by the client and by the server.

    from client import wire
    challenge = wire.Challenge.model_validate_json(response.content)

See docs/protocol.md for the calls. Times are UTC; binary values are base64; digests hex.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from crypto.envelope import canonical_json

__all__ = [
    "API_PREFIX",
    "CHECKSUM_MISMATCH_STATUS",
    "HEADER_CHECKSUM",
    "HEADER_LENGTH",
    "HEADER_OFFSET",
    "LOGIN_PURPOSE",
    "OFFSET_CONTENT_TYPE",
    "AuditEntry",
    "Bidder",
    "BidderRegistration",
    "Challenge",
    "ErrorBody",
    "ErrorDetail",
    "FormField",
    "LoginRequest",
    "PlatformInfo",
    "Project",
    "ProjectCreate",
    "Receipt",
    "Section",
    "SectionCreate",
    "Session",
    "SignedReceipt",
    "SubmissionState",
    "SummaryForm",
    "TenderDocument",
    "TimeInfo",
    "Upload",
    "UploadCreate",
    "login_message",
]

API_PREFIX = "/api/v1"
LOGIN_PURPOSE = "sealbid-login"

# The resumable upload (in the manner of tus): request/response headers and statuses.
HEADER_OFFSET = "Upload-Offset"
HEADER_LENGTH = "Upload-Length"
HEADER_CHECKSUM = "Upload-Checksum"  # "sha256 <base64 of the chunk's digest>"
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
CHECKSUM_MISMATCH_STATUS = 460


def login_message(*, nonce: str, platform_id: str, time: str) -> bytes:
    """The bytes a login signature covers: canonical JSON (sorted keys, no spaces, UTF-8) of
    ``{nonce, platform_id, purpose, time}``."""
    body = {"nonce": nonce, "platform_id": platform_id, "purpose": LOGIN_PURPOSE, "time": time}
    return canonical_json(body)


Role = Literal["bidder", "host", "recorder", "supervisor", "admin"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorDetail(_Model):
    code: str = Field(description="Stable machine-readable code, e.g. upload.offset")
    zh: str = Field(description="Message for the user in Chinese")
    en: str = Field(description="Message for the user in English")


class ErrorBody(_Model):
    error: ErrorDetail


class PlatformInfo(_Model):
    platform_id: str
    name: str
    certificate_pem: str = Field(description="Receipt-signing certificate and its chain, PEM")
    trusted_ca_pem: str = Field(description="CAs whose certificates may log in, PEM")


class TimeInfo(_Model):
    now: datetime
    now_ms: int


class Challenge(_Model):
    nonce: str = Field(description="base64 of 32 random bytes, single use")
    platform_id: str
    issued_at: datetime
    expires_at: datetime


class LoginRequest(_Model):
    nonce: str = Field(max_length=256)
    time: str = Field(max_length=64, description="The signed time, YYYY-MM-DDTHH:MM:SSZ")
    signature: str = Field(max_length=65536, description="base64 DER CMS SignedData, detached")
    platform_id: str | None = Field(
        default=None,
        max_length=256,
        description="The platform id the client signed (optional): lets the platform answer "
        "auth.platform instead of auth.signature when it is another platform's",
    )


class Session(_Model):
    token: str
    expires_at: datetime
    role: Role
    name: str
    org_code: str | None
    cert_sha256: str


class Project(_Model):
    id: str
    code: str
    name: str
    sector: str


FieldType = Literal["money", "integer", "text", "date", "choice"]


class FormField(_Model):
    key: str
    label: str
    type: FieldType
    unit: str | None = None
    required: bool = True
    choices: tuple[str, ...] = ()


class SummaryForm(_Model):
    fields: tuple[FormField, ...]


class TenderDocument(_Model):
    id: str
    version: int
    name: str
    size: int
    sha256: str
    published_at: datetime
    kind: Literal["tender", "clarification"]


DocumentKind = Literal["tender", "clarification"]


class Section(_Model):
    id: str
    project_id: str
    code: str
    name: str
    deadline: datetime
    opening_time: datetime
    open_for_bids: bool
    tender_version: str | None
    form: SummaryForm
    documents: tuple[TenderDocument, ...] = ()


class UploadCreate(_Model):
    length: int = Field(ge=0)
    sha256: str = Field(pattern="^[0-9a-f]{64}$")


class Upload(_Model):
    id: str
    offset: int
    length: int
    chunk_max: int
    expires_at: datetime


class Bidder(_Model):
    name: str
    org_code: str | None
    cert_sha256: str


class Receipt(_Model):
    kind: Literal["submit", "withdraw"]
    platform_id: str
    section_id: str
    bidder: Bidder
    file_sha256: str | None
    file_size: int | None
    received_at: str
    sequence: int
    previous_sha256: str


class SignedReceipt(_Model):
    receipt: str = Field(description="The receipt's canonical JSON text: the signed bytes")
    signature: str = Field(description="base64 DER CMS SignedData by the platform, detached")


class SubmissionState(_Model):
    section_id: str
    status: Literal["none", "submitted", "withdrawn"]
    latest: SignedReceipt | None = None


# --- admin and host ------------------------------------------------------------------------------


class ProjectCreate(_Model):
    id: str | None = Field(default=None, description="Chosen by the platform when omitted")
    code: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=500)
    sector: str = Field(min_length=1, max_length=100, description="e.g. 工程建设, 政府采购")


class SectionCreate(_Model):
    id: str | None = Field(
        default=None,
        description="Chosen by the platform when omitted; bids are sealed for this id",
        pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
    )
    project_id: str
    code: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=500)
    deadline: datetime
    opening_time: datetime
    form: SummaryForm
    trusted_ca_pem: str | None = Field(
        default=None, description="CAs whose bids this section takes, PEM; default the platform's"
    )


class BidderRegistration(_Model):
    org_code: str = Field(description="统一社会信用代码, check character verified")
    name: str = Field(min_length=1, max_length=500)


class AuditEntry(_Model):
    seq: int
    at: str = Field(description="UTC with microseconds, YYYY-MM-DDTHH:MM:SS.ffffffZ")
    actor: str
    action: str
    subject: str
    data: dict[str, Any]
    prev_sha256: str
    sha256: str = Field(description="SHA-256 of the row's canonical JSON without this field")
