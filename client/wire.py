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


# --- the remote opening (不见面开标) ---------------------------------------------------------------

OPENING_SIGNIN_PURPOSE = "sealbid-opening-signin"
RECORD_SIGN_PURPOSE = "sealbid-record-sign"
RECORD_FORMAT = "sealbid-opening-record"
SIGNED_RECORD_FORMAT = "sealbid-opening-record-signed"

Phase = Literal[
    "waiting",  # before the host starts (no opening row yet)
    "signin",  # 签到
    "listed",  # bidder list published
    "window",  # decryption window open
    "closed",  # window closed, failures decided, every summary published
    "announced",  # 唱标 done; the record is being built
    "confirming",  # the record is signed by the platform and awaits signatures
    "finished",  # record closed
]
Outcome = Literal["open", "failed"]
# A bid's decryption state. Before close only: pending | opened | failed (a try failed, the
# bidder may retry). After close: opened | revoked (撤销: the bidder's fault, Art. 31) |
# withdrawn (撤回: another party's fault).
# not_opened: the opening failed (流标, fewer than three bids) and no bid was decrypted.
DecryptionStatus = Literal["pending", "opened", "failed", "revoked", "withdrawn", "not_opened"]
Fault = Literal["bidder", "platform"]
SignDecision = Literal["confirm", "decline"]
SignerRole = Literal["bidder", "host", "recorder", "supervisor"]


def opening_signin_message(*, nonce: str, platform_id: str, section_id: str, time: str) -> bytes:
    """The bytes a sign-in signature covers: canonical JSON of ``{nonce, platform_id, purpose,
    section_id, time}`` (purpose ``sealbid-opening-signin``)."""
    body = {
        "nonce": nonce,
        "platform_id": platform_id,
        "purpose": OPENING_SIGNIN_PURPOSE,
        "section_id": section_id,
        "time": time,
    }
    return canonical_json(body)


def record_statement(
    *,
    platform_id: str,
    section_id: str,
    record_sha256: str,
    role: str,
    signer: str,
    decision: str,
    reason: str | None,
    time: str,
) -> bytes:
    """The bytes a participant signs to confirm (or decline) the opening record: canonical
    JSON of ``{decision, platform_id, purpose, reason, record_sha256, role, section_id, signer,
    time}``; ``signer`` is the bidder's 统一社会信用代码, or a staff member's certificate
    subject (RFC 4514)."""
    body = {
        "decision": decision,
        "platform_id": platform_id,
        "purpose": RECORD_SIGN_PURPOSE,
        "reason": reason,
        "record_sha256": record_sha256,
        "role": role,
        "section_id": section_id,
        "signer": signer,
        "time": time,
    }
    return canonical_json(body)


class OpeningStart(_Model):
    recorder: str | None = Field(
        default=None,
        max_length=1000,
        description="Recorder account (name or subject DN); default the platform's only one",
    )
    supervisor: str | None = Field(
        default=None,
        max_length=1000,
        description="Supervisor account (name or subject DN); default the platform's only one",
    )


class WindowOpen(_Model):
    minutes: int = Field(ge=1, le=24 * 60, description="Length of the decryption window")


class WindowExtend(_Model):
    minutes: int = Field(ge=1, le=24 * 60)
    reason: str = Field(min_length=1, max_length=2000)


class FailureDecision(_Model):
    org_code: str
    fault: Fault = Field(description="bidder → revoked (撤销); platform → withdrawn (撤回)")
    reason: str = Field(min_length=1, max_length=2000)


class WindowClose(_Model):
    reason: str | None = Field(
        default=None,
        max_length=2000,
        description="The host's reason for the failure decisions; required when a bid did not open",
    )
    decisions: tuple[FailureDecision, ...] = Field(
        default=(), description="Overrides of the platform's proposed cause, bidder by bidder"
    )
    early: bool = Field(
        default=False,
        description="Close before the window's end: only when every bid has opened",
    )


class Announce(_Model):
    confirmation_minutes: int = Field(
        default=30, ge=1, le=7 * 24 * 60, description="How long participants have to sign"
    )


class OpeningChallenge(_Model):
    nonce: str
    platform_id: str
    section_id: str
    expires_at: datetime


class SigninRequest(_Model):
    nonce: str = Field(max_length=256)
    time: str = Field(max_length=64)
    signature: str = Field(max_length=65536, description="base64 DER CMS SignedData, detached")


class ReleaseRequest(_Model):
    file_key: str = Field(max_length=256, description="base64 of the bid's 32-byte file key")


class SealedEnvelope(_Model):
    """The parts of the bidder's stored bid around the payload: enough to unwrap the file key
    and check the bidder's signature, nothing of the content."""

    section_id: str
    file_sha256: str
    file_size: int
    head: str = Field(description="base64: prelude, header and recipients blocks")
    tail: str = Field(description="base64: manifest and signature blocks")


class ObjectionCreate(_Model):
    text: str = Field(min_length=1, max_length=4000)


class ObjectionAnswer(_Model):
    text: str = Field(min_length=1, max_length=4000)


class Objection(_Model):
    id: int
    raised_by: str = Field(description="The bidder's name")
    org_code: str | None
    raised_at: datetime
    text: str
    answer: str | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None


class BidderEntry(_Model):
    """One bidder in the published list, with what the hall may see at this phase."""

    number: int
    name: str
    org_code: str | None
    received_at: datetime
    file_sha256: str
    signed_in_at: datetime | None
    decryption: DecryptionStatus
    decryption_started_at: datetime | None = None
    decryption_ended_at: datetime | None = None
    cause: str | None = Field(default=None, description="After close: why a bid did not open")
    summary: dict[str, Any] | None = Field(default=None, description="Only after close")
    confirmation: Literal["pending", "confirmed", "declined"] | None = None


class MyStatus(_Model):
    """The calling bidder's own state (only ever sent to that bidder)."""

    number: int | None
    signed_in_at: datetime | None
    decryption: DecryptionStatus
    attempts: int
    last_error: ErrorDetail | None = None


class OpeningState(_Model):
    section_id: str
    phase: Phase
    outcome: Outcome
    server_time: datetime
    opening_time: datetime
    started_at: datetime | None = None
    host: str | None = None
    recorder: str | None = None
    supervisor: str | None = None
    window_opened_at: datetime | None = None
    window_closes_at: datetime | None = None
    closed_at: datetime | None = None
    confirmation_until: datetime | None = None
    bid_count: int | None = Field(default=None, description="Once the list is published")
    signed_in: int | None = Field(default=None, description="Staff only before the list")
    bidders: tuple[BidderEntry, ...] = ()
    me: MyStatus | None = None
    objections: tuple[Objection, ...] = ()
    record_sha256: str | None = None
    last_event: int = 0


class OpeningEvent(_Model):
    seq: int
    kind: str = Field(
        description="phase | signin | list | decryption | window | results | objection | "
        "answer | record | signature | finished | tick"
    )
    at: datetime = Field(description="When the platform made the event")
    data: dict[str, Any]


class RecordSignature(_Model):
    role: SignerRole
    name: str
    org_code: str | None
    subject: str
    serial: str = Field(description="Certificate serial, hex")
    certificate: str = Field(description="The signer's certificate, PEM")
    decision: SignDecision
    reason: str | None
    signed_at: str
    statement: str = Field(description="record_statement(...) text: the signed bytes")
    signature: str = Field(description="base64 DER CMS SignedData, detached")


class RecordSignRequest(_Model):
    record_sha256: str = Field(pattern="^[0-9a-f]{64}$")
    decision: SignDecision
    reason: str | None = Field(default=None, max_length=2000)
    time: str = Field(max_length=64)
    signature: str = Field(max_length=65536)


class SignedRecord(_Model):
    """The opening record as downloaded: the record's canonical JSON text signed by the
    platform, every participant's signature, and once finished the platform's closing
    signature over all of it."""

    format: str = SIGNED_RECORD_FORMAT
    version: str = "1.0"
    record: str = Field(description="The record's canonical JSON text")
    record_sha256: str
    platform_signature: str = Field(description="base64 CMS over the record text")
    platform_certificates: str = Field(description="The platform's signing chain, PEM")
    signatures: tuple[RecordSignature, ...] = ()
    closed: bool = False
    closing: str | None = Field(
        default=None,
        description="Canonical JSON {closed_at, confirmations, record_sha256, signatures}:"
        " signatures are the SHA-256 (hex) of each signature's DER, in order",
    )
    closing_signature: str | None = None
