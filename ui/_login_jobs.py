"""The login dialog's work, run in workers: open the identity, check it, log in to the platform.

    request = LoginRequest(kind="file", path="…/投标人.p12", password=b"…", client={…}, data_dir=…)
    outcome = login_job(job, request)       # in a worker (ui.tasks.run_task)
    outcome.identity                        # open identity, or None with outcome.error set

Loading the identity raises (wrong password, wrong PIN, locked token: the dialog shows the
message inline). Once it is open, the platform part never raises a SealBidError: it comes back
in ``outcome.error`` together with the certificate details, so the dialog can show *which*
certificate the platform refused or found expired. The identity is closed on every failure;
on success the caller owns it (``ctx.set_identity``). Passwords and PINs are only ever passed
along, never logged or kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from client import PlatformClient, RetryPolicy
from crypto import identity as identity_module
from crypto import token as token_module
from crypto.errors import CertificateExpiredError, CertificateNotYetValidError
from crypto.identity import Identity
from sealbid.errors import CancelledError, SealBidError

from ._certinfo import CertCache, IdentitySummary, summarise
from ._login_tokens import token_uri
from .tasks import Job

__all__ = ["LOGIN_RETRY", "LoginOutcome", "LoginRequest", "check_validity", "login_job"]

# A login is interactive: a dead platform must be reported in seconds, not after the half
# minute of retries an upload deserves.
LOGIN_RETRY = RetryPolicy(attempts=2, initial=0.5, cap=1.0)


@dataclass(frozen=True)
class LoginRequest:
    """Plain data for the worker (no widgets)."""

    kind: Literal["file", "sandbox", "token"]
    client: dict[str, Any]
    """PlatformClient keyword arguments except ``identity`` (from ``ctx.client_kwargs``)."""
    data_dir: str
    path: str = ""
    password: bytes = field(default=b"", repr=False)
    password_file: str = ""
    """Sandbox demo identities: the file holding the password (read in the worker)."""
    module: str = ""
    token_label: str | None = None
    token_serial: str | None = None
    key_label: str | None = None
    pin: str | None = field(default=None, repr=False)
    role: str = ""

    @property
    def source(self) -> str:
        if self.kind == "token":
            return token_uri(self.module, self.token_label or "", self.token_serial or "")
        return self.path


@dataclass
class LoginOutcome:
    summary: IdentitySummary
    source: str
    identity: Identity | None = None
    error: SealBidError | None = None
    offset: timedelta | None = None
    name: str = ""
    """The account's name as the platform knows it."""


def _fmt(t: datetime) -> str:
    return (t + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") + " UTC+8"


def check_validity(identity: Identity, now: datetime) -> None:
    """Refuse a signing certificate outside its validity at ``now`` (the platform's clock)."""
    from cryptography.x509.oid import NameOID

    cert = identity.signing_cert
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    subject = str(names[0].value) if names else cert.subject.rfc4514_string()
    if now < cert.not_valid_before_utc:
        raise CertificateNotYetValidError(subject=subject, when=_fmt(cert.not_valid_before_utc))
    if now >= cert.not_valid_after_utc:
        raise CertificateExpiredError(subject=subject, when=_fmt(cert.not_valid_after_utc))


def open_identity(request: LoginRequest) -> Identity:
    """Load the identity the request names. Looked up through the modules at call time, so a
    test can wrap ``crypto.identity.load_identity`` or ``TokenIdentity.open``."""
    if request.kind == "token":
        return token_module.TokenIdentity.open(
            module=request.module,
            token_label=request.token_label,
            token_serial=request.token_serial,
            pin=request.pin,
            key_label=request.key_label,
        )
    password = request.password
    if request.kind == "sandbox" and request.password_file:
        try:
            text = Path(request.password_file).read_text("utf-8")
        except OSError as exc:
            from crypto.errors import IdentityError

            raise IdentityError(what=f"{request.password_file}: {exc.strerror}") from exc
        lines = text.splitlines()
        password = lines[0].encode() if lines else b""
    return identity_module.load_identity(request.path, password=password)


def login_job(job: Job, request: LoginRequest) -> LoginOutcome:
    identity = open_identity(request)
    try:
        job.check()
        summary = summarise(identity, kind=request.kind, source=request.source, role=request.role)
        if request.kind in ("file", "sandbox"):
            CertCache(Path(request.data_dir)).remember(request.path, identity)
        try:
            with PlatformClient(**request.client, identity=identity, retry=LOGIN_RETRY) as client:
                # The platform's clock decides validity (a PC's clock may be off by days).
                offset = client.clock_offset()
                check_validity(identity, datetime.now(UTC) + offset)
                job.check()
                session = client.login()
        except CancelledError:
            raise
        except SealBidError as exc:
            identity.close()
            return LoginOutcome(summary=summary, source=request.source, error=exc)
    except BaseException:
        identity.close()
        raise
    return LoginOutcome(
        summary=summary, source=request.source, identity=identity, offset=offset, name=session.name
    )
