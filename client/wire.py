"""The platform protocol's bodies: one definition, used by the client and by the server.

    from client import wire
    challenge = wire.Challenge.model_validate_json(response.content)

See docs/protocol.md for the calls. Times are UTC; binary values are base64; digests hex.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "API_PREFIX",
    "Bidder",
    "Challenge",
    "ErrorBody",
    "ErrorDetail",
    "FormField",
    "LoginRequest",
    "PlatformInfo",
    "Project",
    "Receipt",
    "Section",
    "Session",
    "SignedReceipt",
    "SubmissionState",
    "SummaryForm",
    "TenderDocument",
    "TimeInfo",
    "Upload",
    "UploadCreate",
]

API_PREFIX = "/api/v1"
LOGIN_PURPOSE = "sealbid-login"

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
    nonce: str
    time: str = Field(description="The signed time, YYYY-MM-DDTHH:MM:SSZ")
    signature: str = Field(description="base64 DER CMS SignedData, detached")


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
