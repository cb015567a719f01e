"""The remote opening (不见面开标) over a :class:`~client.platform.PlatformClient` (docs/opening.md).

Synchronous like the platform client (the desktop app calls it from worker threads); one
:class:`OpeningClient` per section and user::

    opening = OpeningClient(client, "S-001")
    opening.state().phase                       # what the caller may see now
    opening.signin()                            # 签到: sign the platform's challenge
    check = opening.rehearse()                  # 解密自检: unwrap locally, post nothing
    status = opening.release()                  # 解密: unwrap locally (PIN prompt), post the key
    for event in opening.events(stop=cancelled, on_tick=show_countdown):
        print(event.seq, event.kind, event.data)
    opening.sign_record("confirm", None)        # sign the opening record

    # the host
    opening.start(); opening.publish_list(); opening.open_window(30)
    opening.close(reason="…"); opening.announce(confirmation_minutes=30); opening.finish()

The file key is unwrapped on this machine with the identity's own key (file or token); only
the 32-byte key goes to the platform, never the private key. :meth:`OpeningClient.events`
reads the server-sent event stream and survives dropped connections: it reconnects with
``Last-Event-ID`` and never yields an event twice or out of order.

Errors are the :mod:`client.errors` tree (a refused key release is
:class:`~client.errors.ReleaseFailedError` with the platform's reason), plus the identity's
own (wrong PIN, no matching recipient).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import httpx
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pydantic import ValidationError

from crypto.errors import FormatError, KeyAccessError, NoMatchingRecipientError, SignatureError
from crypto.identity import Identity
from sealbid.errors import UsageError

from . import wire
from .errors import (
    AuthError,
    ConnectionFailedError,
    OpeningStreamError,
    PlatformError,
    ProtocolError,
    RecordInvalidError,
    ReleaseFailedError,
    RequestRefusedError,
    ServerError,
)
from .platform import PlatformClient, _iso, _q, error_from_response, translate_transport_error

__all__ = [
    "READ_TIMEOUT",
    "Notice",
    "OpeningClient",
    "Rehearsal",
    "SseMessage",
    "SseParser",
    "interrupt_stream",
]

log = logging.getLogger(__name__)

READ_TIMEOUT = 15.0
"""Seconds of silence after which the event stream counts as dead: the platform sends a tick
every 5 s, so three missed ticks mean the connection is gone even if TCP has not noticed."""
# A line longer than this is not an event the platform sends: a broken or hostile peer.
_MAX_LINE = 1 << 20
_LINE_END = re.compile(rb"[\r\n]")
_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


# --- server-sent events (WHATWG HTML, "Server-sent events") ----------------------------------


@dataclass(frozen=True)
class SseMessage:
    """One dispatched server-sent event."""

    event: str
    """The ``event:`` field, ``message`` when the event named none."""
    data: str
    """The ``data:`` lines joined with newlines."""
    id: str | None
    """The ``id:`` field of this event, None when it carried none (a tick)."""
    retry: int | None = None
    """The ``retry:`` field (milliseconds), when sent."""


_MAX_EVENT = 64 << 20  # one event's data: the results of a big opening are a few MB at most


class SseParser:
    """An incremental ``text/event-stream`` parser: feed it bytes as they arrive, it returns
    the events completed by them. Lines end in CRLF, LF or CR; ``:`` lines are comments; a
    field without a colon has an empty value; one space after the colon is dropped; an event
    without ``data`` is not dispatched; a UTF-8 BOM at the very start is skipped."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._started = False
        self._event = ""
        self._data: list[str] = []
        self._size = 0
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[SseMessage]:
        self._buf += chunk
        if not self._started:
            if len(self._buf) < 3 and b"\xef\xbb\xbf".startswith(bytes(self._buf)):
                return []  # perhaps the start of a BOM: wait for more
            if self._buf.startswith(b"\xef\xbb\xbf"):
                del self._buf[:3]
            self._started = True
        out = []
        while True:
            m = _LINE_END.search(self._buf)
            if m is None:
                if len(self._buf) > _MAX_LINE:
                    raise ProtocolError(f"line over {_MAX_LINE} bytes", what="event stream")
                break
            i = m.start()
            if self._buf[i] == 0x0D:
                if i + 1 == len(self._buf):
                    break  # a CR at the end: a CRLF may be split across two reads
                end = i + 2 if self._buf[i + 1] == 0x0A else i + 1
            else:
                end = i + 1
            line = bytes(self._buf[:i]).decode("utf-8", errors="replace")
            del self._buf[:end]
            msg = self._line(line)
            if msg is not None:
                out.append(msg)
        return out

    def _line(self, line: str) -> SseMessage | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment (keep-alive)
        field, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if field == "event":
            self._event = value
        elif field == "data":
            self._data.append(value)
            self._size += len(value) + 1
            if self._size > _MAX_EVENT:
                raise ProtocolError(f"event over {_MAX_EVENT} bytes", what="event stream")
        elif field == "id":
            if "\0" not in value:
                self._id = value
        elif field == "retry":
            if value.isascii() and value.isdigit():
                self._retry = int(value)
        # Any other field is ignored, as the standard says.
        return None

    def _dispatch(self) -> SseMessage | None:
        data, event, id_, retry = self._data, self._event, self._id, self._retry
        self._data, self._event, self._id, self._retry = [], "", None, None
        self._size = 0
        if not data:
            return None
        return SseMessage(event=event or "message", data="\n".join(data), id=id_, retry=retry)


def _tick_data(msg: SseMessage) -> dict[str, Any]:
    """A tick's payload (``server_time``, ``phase``, ``window_closes_at``), whether the
    platform sends it bare or wrapped like an event."""
    try:
        body = json.loads(msg.data)
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    inner = body.get("data")
    if body.get("kind") == "tick" and isinstance(inner, dict):
        return inner
    return body


# --- rehearsal -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """One finding of a rehearsal, in both languages."""

    zh: str
    en: str

    def text(self, language: str | None = None) -> str:
        return self.zh if (language or "zh_CN").lower().startswith("zh") else self.en


@dataclass(frozen=True)
class Rehearsal:
    """What a rehearsal (解密自检) found: whether this identity opens the uploaded copy, and
    what could still go wrong at the opening."""

    ok: bool
    """The current key unwrapped the stored bid's file key, the key commitment held, and the
    stored copy is the one the latest receipt names."""
    section_id: str
    file_sha256: str
    """The stored copy's SHA-256, as the platform reports it."""
    receipt_matches: bool | None
    """The stored copy is the latest receipt's file; None without a current receipt."""
    sealed_for: tuple[str, ...]
    """The recipient certificates the bid was sealed for (issuer, serial)."""
    current_certificate: str
    """This identity's encryption certificate (issuer, serial)."""
    sealed_for_current: bool
    opening_time: datetime
    encryption_not_after: datetime
    problems: tuple[Notice, ...] = ()
    """Why ``ok`` is False."""
    warnings: tuple[Notice, ...] = ()
    """What does not stop the rehearsal but will matter at the opening."""


def _cert_label(issuer: str, serial: int) -> str:
    """A certificate as CMS names a recipient: its issuer and serial number."""
    return f"颁发者 / issuer: {issuer}; 序列号 / serial {serial:x}"


def _issuer_friendly(cert: x509.Certificate) -> str:
    asn1 = asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))
    return str(asn1.issuer.human_friendly)


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProtocolError(f"{what} is not base64", what=what) from exc


# --- the client ------------------------------------------------------------------------------


class OpeningClient:
    """The opening of one section, as the user the :class:`PlatformClient` logs in as."""

    def __init__(
        self, client: PlatformClient, section_id: str, *, read_timeout: float = READ_TIMEOUT
    ) -> None:
        """``client``: a platform client with an identity (the caller owns and closes both).
        ``read_timeout``: seconds of silence on the event stream before reconnecting."""
        self.client = client
        self.section_id = section_id
        self.read_timeout = read_timeout
        self._base = f"/openings/{_q(section_id)}"

    # -- plumbing --

    def _identity(self) -> Identity:
        if self.client.identity is None:
            raise AuthError("no identity", what="opening")
        return self.client.identity

    def _get(self, path: str, model: type[Any]) -> Any:
        return self.client._model(self.client._request("GET", self._base + path), model)

    def _post(
        self,
        path: str,
        model: type[Any],
        body: wire._Model | None = None,
        *,
        expect: tuple[int, ...] = (200,),
    ) -> Any:
        # Every opening write changes state (a phase, an attempt count, a single-use nonce):
        # sent once, never retried blindly; callers that can tell whether a lost answer was
        # carried out look at the state themselves.
        response = self.client._request(
            "POST",
            self._base + path,
            expect=expect,
            retry=False,
            json=body.model_dump(mode="json") if body is not None else None,
        )
        return self.client._model(response, model)

    def _platform_time(self) -> datetime:
        """The platform's clock now: signed times are judged by it, not by this PC's."""
        return self.client.server_time()

    # -- everyone --

    def state(self) -> wire.OpeningState:
        """``GET /openings/{s}``: the opening as the caller may see it now."""
        state: wire.OpeningState = self._get("", wire.OpeningState)
        return state

    def record(self, *, signatures: bool = True) -> wire.SignedRecord:
        """``GET /openings/{s}/record``: the signed record (NotFoundError before announce);
        ``signatures=False``: the record alone, without the signatures collected so far."""
        path = "/record" if signatures else "/record?signatures=false"
        doc: wire.SignedRecord = self._get(path, wire.SignedRecord)
        return doc

    def sign_record(
        self, decision: Literal["confirm", "decline"], reason: str | None = None
    ) -> wire.RecordSignature:
        """Sign the current record revision in the caller's role (bidder, host, recorder,
        supervisor): ``confirm``, or ``decline`` with a ``reason``.

        The record is checked first (its digest, canonical form and the platform's signature,
        anchored at the platform's published certificate): nobody signs what the platform
        did not sign."""
        from .receipts import load_certificates
        from .record import record_digest_ok

        if decision not in ("confirm", "decline"):
            raise UsageError(what=f"decision {decision!r}")
        if decision == "decline" and not (reason and reason.strip()):
            raise UsageError(what="拒绝签认须说明理由 / declining needs a reason")
        identity = self._identity()
        doc = self.record(signatures=False)  # what is signed: the record, not the others' names
        info = self.client.platform_info()
        record_digest_ok(doc, anchors=load_certificates(info.certificate_pem))
        session = self.client.session or self.client.login()
        role = session.role
        if role == "admin":
            raise UsageError(
                what="平台管理员不签署开标记录 / the platform admin does not sign the record"
            )
        self._check_before_signing(doc, info.platform_id, session, decision)
        # Who signs, as the statement names it: a bidder by its 统一社会信用代码, staff by the
        # certificate's subject (the platform's account key for them).
        if role == "bidder" and session.org_code:
            signer = session.org_code
        else:
            signer = identity.signing_cert.subject.rfc4514_string()
        signed_at = self._platform_time().replace(microsecond=0)
        statement = wire.record_statement(
            platform_id=info.platform_id,
            section_id=self.section_id,
            record_sha256=doc.record_sha256,
            role=role,
            signer=signer,
            decision=decision,
            reason=reason,
            time=_iso(signed_at),
        )
        signature = identity.sign_detached(statement, signing_time=signed_at)
        body = wire.RecordSignRequest(
            record_sha256=doc.record_sha256,
            decision=decision,
            reason=reason,
            time=_iso(signed_at),
            signature=base64.b64encode(signature).decode("ascii"),
        )
        try:
            result: wire.RecordSignature = self._post("/record/sign", wire.RecordSignature, body)
            return result
        except (ConnectionFailedError, ServerError):
            # The answer was lost: the signature counts if the record now carries it.
            text = statement.decode("utf-8")
            for s in self.record().signatures:
                if s.statement == text:
                    return s
            raise

    def _check_before_signing(
        self,
        doc: wire.SignedRecord,
        platform_id: str,
        session: wire.Session,
        decision: str = "confirm",
    ) -> None:
        """What the signer must agree with before signing: the record is this platform's, of
        this section, and (a bidder confirming) names the file of its own latest receipt. A
        record that does not is what declining is for: a decline is never refused for it."""
        import json

        body = json.loads(doc.record)
        if (body.get("platform") or {}).get("id") != platform_id or (body.get("section") or {}).get(
            "id"
        ) != self.section_id:
            raise RecordInvalidError(
                what="记录不属于本平台的本标段 / the record is not this platform's record of this"
                " section"
            )
        if session.role != "bidder" or decision != "confirm":
            return
        row = next(
            (r for r in body.get("bidders") or [] if r.get("org_code") == session.org_code), None
        )
        if row is None:
            raise RecordInvalidError(
                what="记录中没有本投标人 / the record does not list this bidder"
            )
        latest = self.client.submission(self.section_id).latest
        if latest is not None:
            mine = self.client.verify_receipt(latest, section_id=self.section_id, kind="submit")
            recorded = (row.get("submission") or {}).get("file_sha256")
            if mine.receipt.file_sha256 != recorded:
                raise RecordInvalidError(
                    what=f"记录中本投标人的文件摘要 {recorded} 与本人回执 "
                    f"{mine.receipt.file_sha256} 不符，请拒绝签认并说明 / the record's file digest"
                    " for this bidder differs from its own receipt: decline it with that reason"
                )

    def own_row(self, doc: wire.SignedRecord) -> dict[str, Any] | None:
        """The caller's row in a record (bidders), for showing before it signs."""
        import json

        session = self.client.session or self.client.login()
        for r in json.loads(doc.record).get("bidders") or []:
            if session.role == "bidder" and r.get("org_code") == session.org_code:
                return dict(r)
        return None

    # -- bidder --

    def signin(self) -> wire.MyStatus:
        """签到: sign the platform's single-use challenge (``opening_signin_message``) with
        the identity's signing key. Returns the caller's status (sign-in time, number)."""
        identity = self._identity()
        challenge: wire.OpeningChallenge = self._post("/signin/challenge", wire.OpeningChallenge)
        info = self.client.platform_info()
        if (challenge.platform_id, challenge.section_id) != (info.platform_id, self.section_id):
            raise ProtocolError(
                f"challenge for {challenge.platform_id!r}/{challenge.section_id!r}",
                what="signin challenge",
            )
        signed_at = self._platform_time().replace(microsecond=0)
        message = wire.opening_signin_message(
            nonce=challenge.nonce,
            platform_id=challenge.platform_id,
            section_id=self.section_id,
            time=_iso(signed_at),
        )
        signature = identity.sign_detached(message, signing_time=signed_at)
        body = wire.SigninRequest(
            nonce=challenge.nonce,
            time=_iso(signed_at),
            signature=base64.b64encode(signature).decode("ascii"),
        )
        try:
            status: wire.MyStatus = self._post("/signin", wire.MyStatus, body)
            return status
        except (ConnectionFailedError, ServerError):
            me = self.state().me  # the answer was lost: signed in if the platform says so
            if me is not None and me.signed_in_at is not None:
                return me
            raise

    def envelope(self) -> wire.SealedEnvelope:
        """``GET /sections/{s}/submission/envelope``: the parts of the caller's stored bid
        around its payload (nothing encrypted but the wrapped file key)."""
        response = self.client._request(
            "GET", f"/sections/{_q(self.section_id)}/submission/envelope"
        )
        return self.client._model(response, wire.SealedEnvelope)

    def _parts(self, env: wire.SealedEnvelope) -> tuple[bytes, bytes]:
        if env.section_id != self.section_id:
            raise ProtocolError(f"envelope for {env.section_id!r}", what="envelope section")
        return _b64decode(env.head, "envelope head"), _b64decode(env.tail, "envelope tail")

    def release(self) -> wire.MyStatus:
        """解密: unwrap the file key from the stored bid's envelope on this machine (a token
        asks for its PIN through the identity's own callback) and release it to the platform.

        Raises :class:`ReleaseFailedError` with the platform's reason when it cannot open the
        bid with the key (``opening.key_wrong``, ``opening.bid_damaged``,
        ``opening.platform_fault``, ``opening.summary_invalid``); the window allows another
        try. :class:`~crypto.errors.NoMatchingRecipientError` when this identity's certificate
        is not the one the bid was sealed for (a renewed certificate: use the old key)."""
        from crypto.release import unwrap_envelope

        identity = self._identity()
        env = self.envelope()
        head, tail = self._parts(env)
        unwrapped = unwrap_envelope(head, tail, identity)
        if unwrapped.info.section != self.section_id:
            raise ProtocolError(
                f"the stored bid is sealed for {unwrapped.info.section!r}", what="bid section"
            )
        body = wire.ReleaseRequest(file_key=base64.b64encode(unwrapped.file_key).decode("ascii"))
        try:
            status: wire.MyStatus = self._post("/release", wire.MyStatus, body)
            return status
        except RequestRefusedError as exc:
            if exc.status == 422 and (exc.server_code or "").startswith("opening."):
                raise ReleaseFailedError(
                    exc.detail,
                    status=exc.status,
                    server_code=exc.server_code,
                    server_zh=exc.server_zh,
                    server_en=exc.server_en,
                ) from exc
            raise
        except (ConnectionFailedError, ServerError):
            me = self.state().me  # the answer was lost: opened if the platform says so
            if me is not None and me.decryption == "opened":
                return me
            raise

    def rehearse(self) -> Rehearsal:
        """解密自检: fetch the stored bid's envelope and unwrap its file key here, checking the
        key commitment, without posting anything. Also compares the certificate the bid was
        sealed for with this identity's, the encryption certificate's expiry with the opening
        time, and the stored copy with the latest receipt."""
        from crypto.release import parts_info, unwrap_envelope

        identity = self._identity()
        problems: list[Notice] = []
        warnings: list[Notice] = []
        section = self.client.section(self.section_id)
        env = self.envelope()
        head, tail = self._parts(env)

        enc = identity.encryption_cert
        current = (_issuer_friendly(enc), enc.serial_number)
        sealed_for: tuple[tuple[str, int], ...] = ()
        info = None
        try:
            info = parts_info(head, tail)
            sealed_for = tuple((r.issuer, r.serial) for r in info.recipients)
            if info.section != self.section_id:
                problems.append(
                    Notice(
                        f"平台保存的投标文件属于标段 {info.section}，不是本标段",
                        f"the stored bid is sealed for section {info.section}, not this one",
                    )
                )
        except (FormatError, SignatureError) as exc:
            problems.append(
                Notice(
                    f"平台保存的投标文件无法读取：{exc.diagnostics('zh_CN')}",
                    f"the stored bid cannot be read: {exc.diagnostics('en_US')}",
                )
            )
        sealed_for_current = current in sealed_for
        deadline_open = section.open_for_bids
        if sealed_for and not sealed_for_current:
            old = "；".join(_cert_label(i, s) for i, s in sealed_for)
            if deadline_open:
                advice_zh = "请在开标时使用原证书（原 USB Key 或 .pfx 文件）解密，或在投标截止时间前用当前证书重新密封并重新提交投标文件。"
                advice_en = "use the old certificate (the old USB key or .pfx file) at the opening, or reseal the bid with the current certificate and submit it again before the deadline."
            else:
                advice_zh = (
                    "投标截止时间已过，开标时只能使用原证书（原 USB Key 或 .pfx 文件）解密。"
                )
                advice_en = "the deadline has passed: only the old certificate (the old USB key or .pfx file) can open it at the opening."
            problems.append(
                Notice(
                    f"证书已更新：投标文件是为原加密证书（{old}）密封的，当前证书（{_cert_label(*current)}）无法解密。{advice_zh}",
                    f"renewed certificate: the bid was sealed for the old encryption certificate ({old}); the current one ({_cert_label(*current)}) cannot open it; {advice_en}",
                )
            )
        if sealed_for_current:
            try:
                unwrap_envelope(head, tail, identity)
            except NoMatchingRecipientError:
                problems.append(
                    Notice("当前证书不是该投标文件的收件人", "this certificate is not a recipient")
                )
            except (KeyAccessError, FormatError) as exc:
                # A token's own failures (PIN, removed key) are not findings: they propagate
                # from unwrap_envelope as TokenError before this point.
                problems.append(
                    Notice(
                        f"无法解出文件密钥：{exc.diagnostics('zh_CN')}",
                        f"the file key does not unwrap: {exc.diagnostics('en_US')}",
                    )
                )

        not_after = enc.not_valid_after_utc
        if not_after <= section.opening_time:
            warnings.append(
                Notice(
                    f"加密证书将于 {not_after:%Y-%m-%d %H:%M} UTC 到期，早于开标时间；请在开标前办理证书延期并保留原证书（原密钥才能解密）",
                    f"the encryption certificate expires at {not_after:%Y-%m-%d %H:%M} UTC, before the opening; renew it before the opening and keep the old key (only it opens this bid)",
                )
            )
        sign_after = identity.signing_cert.not_valid_after_utc
        if sign_after <= section.opening_time:
            # Without a valid signing certificate there is no login at the opening, so no
            # sign-in and no release: the bid would be revoked. A problem, not a warning.
            problems.append(
                Notice(
                    f"签名证书将于 {sign_after:%Y-%m-%d %H:%M} UTC 到期，早于开标时间；届时无法签到和签署开标记录",
                    f"the signing certificate expires at {sign_after:%Y-%m-%d %H:%M} UTC, before the opening: sign-in and signing the record would fail",
                )
            )

        receipt_matches: bool | None = None
        submission = self.client.submission(self.section_id)
        if submission.status == "submitted" and submission.latest is not None:
            verified = self.client.verify_receipt(
                submission.latest, section_id=self.section_id, kind="submit"
            )
            # The platform reports the stored file's digest; what the client can check itself
            # is that the signed parts it unwrapped describe a file of the receipt's size, by
            # this bidder (the digest of the whole needs the payload, which stays on the
            # platform; the bidder's signature covers the payload's digest).
            stored_size = len(head) + info.payload_length + len(tail) if info is not None else -1
            own = self.client.session.org_code if self.client.session is not None else None
            receipt_matches = (
                verified.receipt.file_sha256 == env.file_sha256
                and verified.receipt.file_size == stored_size == env.file_size
                and (own is None or info is None or info.bidder.get("org_code") == own)
            )
            if not receipt_matches:
                problems.append(
                    Notice(
                        "平台保存的投标文件与最新回执中的文件摘要不符",
                        "the stored bid's digest differs from the latest receipt's",
                    )
                )
        else:
            problems.append(
                Notice("本标段没有当前有效的投标", "no current submission in this section")
            )
        return Rehearsal(
            ok=not problems,
            section_id=self.section_id,
            file_sha256=env.file_sha256,
            receipt_matches=receipt_matches,
            sealed_for=tuple(_cert_label(i, s) for i, s in sealed_for),
            current_certificate=_cert_label(*current),
            sealed_for_current=sealed_for_current,
            opening_time=section.opening_time,
            encryption_not_after=not_after,
            problems=tuple(problems),
            warnings=tuple(warnings),
        )

    def object(self, text: str) -> wire.Objection:
        """异议: raise an objection (from sign-in until the opening finishes)."""
        objection: wire.Objection = self._post(
            "/objections", wire.Objection, wire.ObjectionCreate(text=text), expect=(200, 201)
        )
        return objection

    # -- host --

    def start(
        self, recorder: str | None = None, supervisor: str | None = None
    ) -> wire.OpeningState:
        """Start the opening (sign-in opens; with fewer than 3 bids it ends as 流标)."""
        body = wire.OpeningStart(recorder=recorder, supervisor=supervisor)
        state: wire.OpeningState = self._post("/start", wire.OpeningState, body)
        return state

    def publish_list(self) -> wire.OpeningState:
        """Publish the bidder list."""
        state: wire.OpeningState = self._post("/publish-list", wire.OpeningState)
        return state

    def open_window(self, minutes: int) -> wire.OpeningState:
        """Open the decryption window for ``minutes``."""
        state: wire.OpeningState = self._post(
            "/window", wire.OpeningState, wire.WindowOpen(minutes=minutes)
        )
        return state

    def extend(self, minutes: int, reason: str) -> wire.OpeningState:
        """Extend the open window by ``minutes``, for ``reason`` (on the record)."""
        body = wire.WindowExtend(minutes=minutes, reason=reason)
        state: wire.OpeningState = self._post("/window/extend", wire.OpeningState, body)
        return state

    def close(
        self,
        reason: str | None = None,
        decisions: Sequence[wire.FailureDecision] = (),
        early: bool = False,
    ) -> wire.OpeningState:
        """Close the window and publish every summary at once; ``reason`` is required when a
        bid did not open, ``decisions`` override the platform's proposed causes."""
        body = wire.WindowClose(reason=reason, decisions=tuple(decisions), early=early)
        state: wire.OpeningState = self._post("/close", wire.OpeningState, body)
        return state

    def announce(self, confirmation_minutes: int = 30) -> wire.OpeningState:
        """唱标 done: the platform builds and signs the record; confirmation opens."""
        body = wire.Announce(confirmation_minutes=confirmation_minutes)
        state: wire.OpeningState = self._post("/announce", wire.OpeningState, body)
        return state

    def answer(self, objection_id: int, text: str) -> wire.Objection:
        """Answer an objection (on the record)."""
        objection: wire.Objection = self._post(
            f"/objections/{int(objection_id)}/answer",
            wire.Objection,
            wire.ObjectionAnswer(text=text),
            expect=(200, 201),
        )
        return objection

    def finish(self) -> wire.OpeningState:
        """Close the record (every objection answered, the staff signed)."""
        state: wire.OpeningState = self._post("/finish", wire.OpeningState)
        return state

    # -- events --

    def events(
        self,
        after: int = 0,
        *,
        stop: Callable[[], bool] | None = None,
        on_tick: Callable[[dict[str, Any]], None] | None = None,
        on_connect: Callable[[httpx.Response], None] | None = None,
    ) -> Iterator[wire.OpeningEvent]:
        """The opening's events after sequence number ``after``, in order, then live ones.

        Reconnects after a dropped connection, a silent one (no byte for ``read_timeout``),
        a 5xx or a 429, with backoff (``client.retry``; the count of consecutive failures
        starts again whenever something arrives), resuming with ``Last-Event-ID``: an event
        is never yielded twice and never out of order (numbers may skip: the platform filters
        per audience). A refused token is renewed. ``stop()`` is checked between reads;
        ``on_tick(data)`` gets each tick (``server_time``, ``phase``, ``window_closes_at``).
        ``on_connect(response)`` gets each stream's response as it connects (the app keeps its
        socket to end a blocked read when the user leaves: :func:`interrupt_stream`).
        The iterator ends after the ``finished`` event, or when ``stop()`` says so.
        """
        last = after
        failures = 0
        relogged = False
        while True:
            if stop is not None and stop():
                return
            received = False
            try:
                with self._stream(last) as response:
                    if on_connect is not None:
                        on_connect(response)
                    if response.status_code == 401 and not relogged:
                        response.read()
                        relogged = True
                        self.client._session = None  # log in again on the next connect
                        continue
                    if response.status_code != 200:
                        response.read()
                        raise error_from_response(response)
                    relogged = False
                    parser = SseParser()
                    for chunk in response.iter_bytes():
                        for msg in parser.feed(chunk):
                            received = True
                            failures = 0
                            if msg.event == "tick":
                                tick = _tick_data(msg)
                                if on_tick is not None:
                                    on_tick(tick)
                                if tick.get("phase") == "finished" and (
                                    last >= self.state().last_event
                                ):
                                    return  # started after the end: nothing more will come
                                continue
                            event = self._event(msg)
                            if event is None or event.seq <= last:
                                continue  # a replay the platform sent again, or a regression
                            last = event.seq
                            yield event
                            if event.kind == "finished":
                                return
                        if stop is not None and stop():
                            return
                # The platform ended the stream: reconnect (at once if it sent something).
                if not received:
                    raise ConnectionFailedError("stream ended", url=self.client.base_url)
            except httpx.TransportError as exc:
                err = translate_transport_error(exc, self.client.base_url)
                failures = self._failed(err, failures, received)
            except (ConnectionFailedError, ServerError) as exc:
                failures = self._failed(exc, failures, received)
            except RequestRefusedError as exc:
                if exc.status not in _RETRY_STATUS:
                    raise
                failures = self._failed(exc, failures, received)

    def _failed(self, exc: PlatformError, failures: int, received: bool) -> int:
        failures = 0 if received else failures + 1
        if failures >= self.client.retry.attempts:
            raise exc
        log.info("event stream of %s broke (%s); reconnecting", self.section_id, exc.code)
        # A connection that carried something is retried after the shortest wait: a line
        # that drops now and then keeps the watch going, a dead platform still ends it.
        self.client.retry.wait(max(1, failures))
        return failures

    def _stream(self, after: int) -> Any:
        headers = {
            "Authorization": f"Bearer {self.client._token()}",
            "Accept": "text/event-stream",
            "Cache-Control": "no-cache",
            "Accept-Encoding": "identity",
        }
        if after:
            headers["Last-Event-ID"] = str(after)
        t = self.client._timeout
        timeout = httpx.Timeout(
            connect=t.connect, read=self.read_timeout, write=t.write, pool=t.pool
        )
        try:
            return self.client._http.stream(
                "GET",
                self._base + "/events",
                headers=headers,
                params={"after": str(after)},
                timeout=timeout,
            )
        except httpx.TransportError as exc:  # pragma: no cover - stream() connects lazily
            raise translate_transport_error(exc, self.client.base_url) from exc

    @staticmethod
    def _event(msg: SseMessage) -> wire.OpeningEvent | None:
        try:
            event = wire.OpeningEvent.model_validate_json(msg.data)
        except ValidationError as exc:
            if msg.id is None:
                log.info("ignoring an event without id: %s", msg.event)
                return None
            raise OpeningStreamError(str(exc)[:300], what=f"event {msg.id}") from exc
        if msg.id is not None and msg.id != str(event.seq):
            log.warning("event id %r and seq %d differ; seq counts", msg.id, event.seq)
        return event


def interrupt_stream(response: httpx.Response) -> None:
    """End a read of ``response`` blocked in another thread, now: shut its socket down (closing
    it is not enough on Linux while another thread waits in ``recv``). The reader sees a
    transport error; a stream whose ``stop()`` says so then ends."""
    import socket

    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed
