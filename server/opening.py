"""The remote opening (不见面开标) on the platform: the state machine of docs/opening.md.

    openings = Openings(platform)
    openings.start(host, "S-1", wire.OpeningStart())
    openings.release(bidder, "S-1", wire.ReleaseRequest(file_key=...))
    async for chunk in openings.stream(principal, "S-1", after=0): ...

Every method is one or two transactions on the platform's database; each transition appends an
audit row and stores its events in the same transaction, and the events go to the live streams
(:mod:`server.events`) once it has committed. On PostgreSQL the opening's row is locked FOR UPDATE
first, so operations on one opening serialise; SQLite serialises every writer.

What nobody may learn before the window closes (电子招标投标办法 Art. 30/31, style rule 6): a
released key is used in the request that brings it and then dropped; the summary it opens is
stored and given to nobody — no route, no event, no audit row carries it — until ``close``
publishes every summary at once. Before the bidder list is published even the number of bidders
is kept from bidders (招标投标法 Art. 22): a bidder sees only itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import secrets
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from sqlalchemy import Connection, Row, func, select, update

from client import wire
from client.forms import summary_problems
from crypto import canonical_json
from crypto.errors import (
    CryptoError,
    FileAccessError,
    KeyCommitmentError,
    PayloadCorruptedError,
    PayloadDigestError,
)
from crypto.release import envelope_parts, open_with_key

from . import db
from .auth import (
    Principal,
    _check_certificate,
)
from .errors import (
    PHASE_ZH,
    AuthCertificate,
    Conflict,
    FinishBlocked,
    InvalidRequest,
    NotFound,
    NotParticipant,
    OpeningNonce,
    OpeningPhase,
    OpeningSignature,
    OpeningTime,
    OpeningTooEarly,
    ReasonRequired,
    RecordPdfFailed,
    RecordStale,
    ReleaseFailed,
    SignatureInvalid,
    SignerNotAllowed,
    StaffChoice,
    WindowClosed,
    WindowRunning,
)
from .events import EventHub, StoredEvent, Viewer
from .receipts import append_audit, iso_seconds

__all__ = ["MIN_BIDS", "Openings"]

log = logging.getLogger("sealbid.server.opening")

RECORD_ATTACHMENT = "record.json"  # the signed JSON record, embedded in the record PDF
CLOSE_WAIT_SECONDS = 120.0  # longest a close waits for releases still being checked
MAX_OBJECTIONS = 5  # per bidder and opening: each one during confirmation voids all signatures
MIN_BIDS = 3  # 招标投标法实施条例 Art. 44: fewer than three bids, no opening
STAFF_ROLES = ("host", "recorder", "supervisor", "admin")
SIGNER_ORDER = {"host": 0, "recorder": 1, "supervisor": 2, "bidder": 3}
DEFAULT_CONFIRMATION = 30  # minutes, for a failed opening's record
PLACE = "不见面开标大厅（网上开标） / online remote-opening hall"
_BEFORE_CLOSE = ("signin", "listed", "window")
_OBJECTION_PHASES = ("signin", "listed", "window", "closed", "announced", "confirming")


def _listed(op: Row[Any]) -> bool:
    """Whether the bidder list is public: after publish-list, or a failed opening's record."""
    return bool(op.phase != "signin" or op.outcome == "failed")


def _iso(t: datetime | None) -> str | None:
    return iso_seconds(t) if t is not None else None


def _phase_error(phase: str, action_zh: str, action_en: str) -> OpeningPhase:
    return OpeningPhase(
        phase=phase, phase_zh=PHASE_ZH.get(phase, phase), action_zh=action_zh, action_en=action_en
    )


class _Tx:
    """Events made in one transaction, published after it commits."""

    def __init__(self, section_id: str) -> None:
        self.section_id = section_id
        self.events: list[StoredEvent] = []


class Openings:
    """The openings of one platform process."""

    def __init__(self, platform: Any, *, max_parallel_releases: int = 4) -> None:
        self.p = platform
        self.config = platform.config
        self.db: db.Database = platform.db
        self.hub = EventHub(self._load_events)
        # Decrypting a big bid is CPU and disk: a few at a time, the rest queue in the pool.
        self._decrypting = threading.BoundedSemaphore(max_parallel_releases)
        # Signature and certificate-path checks are pure Python: a few at a time, so that the
        # event loop (which delivers the hall's events) is not one thread among forty for the
        # GIL while hundreds of bidders sign in or sign the record at once.
        self._verifying = threading.BoundedSemaphore(2)
        # Releases being checked, per section: close waits for them, so a key that arrived
        # inside the window is judged, not lost to a close that came while it was decrypting.
        self._inflight: dict[tuple[str, str], int] = {}
        # Opened summaries are kept encrypted until close under a key that lives only in this
        # process: a copy of the database made during the window shows no summary. A restart
        # loses the key; recover() then asks those bidders to release again.
        self._summary_keys: dict[str, bytes] = {}
        self._nonce_key = secrets.token_bytes(32)
        self._record_cache: dict[tuple[Any, ...], tuple[tuple[Any, ...], bytes, bytes]] = {}
        self._status_cache: dict[str, dict[str, Any]] = {}
        self._status_gen: dict[str, int] = {}
        self._status_lock = threading.Lock()
        self._pdf_failed: set[str] = set()  # record PDFs that failed in this process
        self._inflight_changed = threading.Condition()

    # --- plumbing ----------------------------------------------------------------------------------

    def _load_events(self, section_id: str, after: int) -> list[StoredEvent]:
        with self.db.read() as conn:
            rows = conn.execute(
                select(db.opening_events)
                .where(
                    db.opening_events.c.section_id == section_id,
                    db.opening_events.c.seq > after,
                )
                .order_by(db.opening_events.c.seq)
            ).all()
        return [
            StoredEvent(r.seq, r.at, r.kind, r.audience, r.staff_too, json.loads(r.data))
            for r in rows
        ]

    def _emit(
        self,
        conn: Connection,
        tx: _Tx,
        kind: str,
        data: dict[str, Any],
        now: datetime,
        *,
        audience: str = "all",
        staff_too: bool = False,
    ) -> None:
        # The event's time is when it is made (after the locks were taken), so what the hall
        # measures as delivery latency is delivery, not the request's wait for the database.
        now = self.config.now()
        seq = conn.execute(
            update(db.openings)
            .where(db.openings.c.section_id == tx.section_id)
            .values(event_seq=db.openings.c.event_seq + 1)
            .returning(db.openings.c.event_seq)
        ).scalar_one()
        conn.execute(
            db.opening_events.insert().values(
                section_id=tx.section_id,
                seq=seq,
                at=now,
                kind=kind,
                audience=audience,
                staff_too=staff_too,
                data=json.dumps(data, ensure_ascii=False, separators=(",", ":")),
            )
        )
        tx.events.append(StoredEvent(seq, now, kind, audience, staff_too, data))

    def _publish(self, tx: _Tx) -> None:
        if tx.events:
            with self._status_lock:
                self._status_gen[tx.section_id] = self._status_gen.get(tx.section_id, 0) + 1
                self._status_cache.pop(tx.section_id, None)
        self.hub.published(tx.section_id, tx.events)

    def _opening(self, conn: Connection, section_id: str, *, lock: bool = False) -> Row[Any]:
        q = select(db.openings).where(db.openings.c.section_id == section_id)
        if lock:
            q = q.with_for_update()
        row = conn.execute(q).first()
        if row is None:
            self.p._section(conn, section_id)  # 404 for an unknown section
            raise _phase_error("waiting", "进行此操作", "do this")
        return row

    def _bid(self, conn: Connection, section_id: str, account_id: str) -> Row[Any] | None:
        return conn.execute(
            select(db.opening_bids).where(
                db.opening_bids.c.section_id == section_id,
                db.opening_bids.c.account_id == account_id,
            )
        ).first()

    def _participant(self, conn: Connection, p: Principal, section_id: str) -> Row[Any] | None:
        """The caller's bid row (bidders), None for staff; NotParticipant for anyone else."""
        if p.role in STAFF_ROLES:
            return None
        bid = self._bid(conn, section_id, p.account_id)
        if bid is None:
            raise NotParticipant()
        return bid

    @staticmethod
    def _require(op: Row[Any], phases: Sequence[str], action_zh: str, action_en: str) -> None:
        if op.phase not in phases:
            raise _phase_error(op.phase, action_zh, action_en)

    def _transition(
        self,
        conn: Connection,
        tx: _Tx,
        op: Row[Any],
        phase: str,
        p: Principal | None,
        now: datetime,
        **values: Any,
    ) -> None:
        transitions = json.loads(op.transitions) if op is not None else []
        by = p.actor if p is not None else "platform"
        transitions.append({"phase": phase, "at": _iso(now), "by": by})
        conn.execute(
            update(db.openings)
            .where(db.openings.c.section_id == tx.section_id)
            .values(phase=phase, transitions=json.dumps(transitions, ensure_ascii=False), **values)
        )
        append_audit(
            conn,
            at=now,
            actor=by,
            action=f"opening.{phase}",
            subject=tx.section_id,
            data={k: _audit_value(v) for k, v in values.items() if k not in _SECRET_COLUMNS},
        )
        self._emit(conn, tx, "phase", {"phase": phase, "by": by, "at": _iso(now)}, now)

    def status(self, section_id: str) -> dict[str, Any]:
        """What a ``tick`` carries: server time, phase, the window's end. Every stream ticks,
        so the opening's part is cached until the next transaction of this opening publishes
        (never older than what the stream has already been sent)."""
        now = self.config.now()
        cached = self._status_cache.get(section_id)
        if cached is None:
            generation = self._status_gen.get(section_id, 0)
            with self.db.read() as conn:
                row = conn.execute(
                    select(
                        db.openings.c.phase,
                        db.openings.c.window_closes_at,
                        db.openings.c.confirmation_until,
                    ).where(db.openings.c.section_id == section_id)
                ).first()
            cached = {
                "phase": row.phase if row else "waiting",
                "window_closes_at": _iso(row.window_closes_at) if row else None,
                "confirmation_until": _iso(row.confirmation_until) if row else None,
            }
            with self._status_lock:
                if self._status_gen.get(section_id, 0) == generation:
                    # Not if a transaction published meanwhile: what we read may predate it.
                    self._status_cache[section_id] = cached
        return {"server_time": now.isoformat().replace("+00:00", "Z"), **cached}

    # --- start, sign-in, list, window ----------------------------------------------------------------

    def _staff_account(self, conn: Connection, role: str, wanted: str | None) -> Row[Any]:
        rows = conn.execute(select(db.accounts).where(db.accounts.c.role == role)).all()
        role_zh = {"recorder": "记录人", "supervisor": "监督人"}[role]
        if wanted:
            rows = [r for r in rows if wanted in (r.name, r.key, r.id)]
            if not rows:
                raise StaffChoice(
                    role=role,
                    role_zh=role_zh,
                    what_zh=f"没有名为「{wanted}」的{role_zh}账户",
                    what_en=f"no {role} account named {wanted!r}",
                )
        if len(rows) != 1:
            raise StaffChoice(
                role=role,
                role_zh=role_zh,
                what_zh=f"平台有 {len(rows)} 个{role_zh}账户",
                what_en=f"the platform has {len(rows)} {role} accounts",
            )
        return rows[0]

    def start(self, p: Principal, section_id: str, body: wire.OpeningStart) -> wire.OpeningState:
        tx = _Tx(section_id)
        with self.db.write() as conn:
            section = self.p._section(conn, section_id, lock=True)
            now = self.config.now()
            if now < section.opening_time or now < section.deadline:
                raise OpeningTooEarly(time=_show(max(section.opening_time, section.deadline)))
            if conn.execute(
                select(db.openings.c.phase).where(db.openings.c.section_id == section_id)
            ).first():
                raise Conflict(what=f"标段 {section_id} 已开始开标 / the opening has started")
            recorder = self._staff_account(conn, "recorder", body.recorder)
            supervisor = self._staff_account(conn, "supervisor", body.supervisor)
            bids = conn.execute(
                select(db.submissions, db.accounts.c.name, db.accounts.c.org_code)
                .join(db.accounts, db.accounts.c.id == db.submissions.c.account_id)
                .where(
                    db.submissions.c.section_id == section_id,
                    db.submissions.c.status == "current",
                )
                .order_by(db.submissions.c.received_at, db.submissions.c.id)
            ).all()
            failed = len(bids) < MIN_BIDS
            conn.execute(
                db.openings.insert().values(
                    section_id=section_id,
                    phase="signin",
                    outcome="failed" if failed else "open",
                    outcome_reason=(
                        f"投标截止时提交投标文件的投标人少于 {MIN_BIDS} 个（{len(bids)} 个），"
                        f"不得开标，招标失败（流标） / fewer than {MIN_BIDS} bids ({len(bids)}) at"
                        " the deadline: no opening, the tender failed"
                        if failed
                        else None
                    ),
                    host_id=p.account_id,
                    recorder_id=recorder.id,
                    supervisor_id=supervisor.id,
                    started_at=now,
                    extensions="[]",
                    transitions="[]",
                    revision=0,
                    event_seq=0,
                )
            )
            for number, b in enumerate(bids, 1):
                conn.execute(
                    db.opening_bids.insert().values(
                        section_id=section_id,
                        account_id=b.account_id,
                        number=number,
                        name=b.name,
                        org_code=b.org_code,
                        submission_id=b.id,
                        status="pending",
                        attempts=0,
                    )
                )
            op = self._opening(conn, section_id)
            self._transition(
                conn,
                tx,
                op,
                "signin",
                p,
                now,
                recorder_id=recorder.id,
                supervisor_id=supervisor.id,
            )
            if failed:
                op = self._opening(conn, section_id)
                conn.execute(
                    update(db.opening_bids)
                    .where(db.opening_bids.c.section_id == section_id)
                    .values(
                        status="not_opened", cause="未开标（流标） / not opened (failed tender)"
                    )
                )
                self._announce(conn, tx, op, p, now, DEFAULT_CONFIRMATION)
        self._publish(tx)
        return self.state(p, section_id)

    def signin_challenge(self, p: Principal, section_id: str) -> wire.OpeningChallenge:
        """A sign-in challenge bound to this opening, this bidder and a 2-minute expiry,
        authenticated by the platform (HMAC under a per-process key) rather than stored: at
        an opening hundreds of bidders sign in within a minute, and every stored challenge
        would be one more write for the database to serialise. Replaying a sign-in is
        harmless: the first sign-in's time is the one kept."""
        now = self.config.now()
        with self.db.read() as conn:
            op = self._opening(conn, section_id)
            self._participant(conn, p, section_id)
            self._require(op, _BEFORE_CLOSE, "签到", "sign in")
        expires = now + self.config.challenge_ttl
        stamp = int(expires.timestamp() * 1000).to_bytes(8, "big")
        rand = secrets.token_bytes(16)
        nonce = stamp + rand + self._nonce_mac(section_id, p.account_id, stamp + rand)
        return wire.OpeningChallenge(
            nonce=base64.b64encode(nonce).decode("ascii"),
            platform_id=self.config.platform_id,
            section_id=section_id,
            expires_at=expires,
        )

    def _nonce_mac(self, section_id: str, account_id: str, body: bytes) -> bytes:
        import hmac

        msg = b"sealbid-signin\0" + section_id.encode() + b"\0" + account_id.encode() + b"\0"
        return hmac.digest(self._nonce_key, msg + body, "sha256")[:16]

    def _burn(self, p: Principal, section_id: str, nonce_b64: str, now: datetime) -> None:
        """Check a sign-in challenge: ours, for this opening and bidder, not expired."""
        import hmac

        try:
            nonce = base64.b64decode(nonce_b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise OpeningNonce("nonce is not base64") from exc
        if len(nonce) != 40 or not hmac.compare_digest(
            nonce[24:], self._nonce_mac(section_id, p.account_id, nonce[:24])
        ):
            raise OpeningNonce("not a challenge of this platform for this bidder and opening")
        expires_ms = int.from_bytes(nonce[:8], "big")
        if expires_ms <= now.timestamp() * 1000:
            raise OpeningNonce("expired")

    def _check_time(self, text: str, now: datetime) -> None:
        try:
            signed_at = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError as exc:
            raise OpeningTime("time is not YYYY-MM-DDTHH:MM:SSZ") from exc
        if abs(signed_at - now) > self.config.challenge_ttl:
            raise OpeningTime(f"signed {text}, platform {iso_seconds(now)}")

    def _check_signer(
        self,
        p: Principal,
        section: Row[Any],
        signature_b64: str,
        message: bytes,
        now: datetime,
    ) -> x509.Certificate:
        try:
            signature = base64.b64decode(signature_b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidRequest(what="signature: not base64") from exc
        trust = [*self.p.trusted_cas()]
        if p.role == "bidder":
            trust = crypto_certs(section.trusted_ca_pem) or trust
        try:
            with self._verifying:
                cert = _check_certificate(signature, message, trust, now)
        except (SignatureInvalid, AuthCertificate) as exc:
            # The same checks as at login, but this is not a login: no 401 (the session is
            # fine), and the message says what was signed.
            why_zh = exc.params.get("why_zh", "签名与所签内容不符或证书不受信任")
            why_en = exc.params.get(
                "why_en", "it does not match what was signed, or the certificate is not trusted"
            )
            raise OpeningSignature(exc.detail, why_zh=why_zh, why_en=why_en) from exc
        if not p.holds(cert):
            raise SignerNotAllowed(role=p.role, role_zh=_ROLE_ZH.get(p.role, p.role))
        return cert

    def signin(self, p: Principal, section_id: str, body: wire.SigninRequest) -> wire.MyStatus:
        now = self.config.now()
        with self.db.read() as conn:
            op = self._opening(conn, section_id)
            self._participant(conn, p, section_id)
            self._require(op, _BEFORE_CLOSE, "签到", "sign in")
            section = self.p._section(conn, section_id)
        self._burn(p, section_id, body.nonce, now)
        self._check_time(body.time, now)
        message = wire.opening_signin_message(
            nonce=body.nonce,
            platform_id=self.config.platform_id,
            section_id=section_id,
            time=body.time,
        )
        self._check_signer(p, section, body.signature, message, now)
        tx = _Tx(section_id)
        with self.db.write() as conn:
            op = self._opening(conn, section_id, lock=True)
            bid = self._participant(conn, p, section_id)
            self._require(op, _BEFORE_CLOSE, "签到", "sign in")
            if op.phase == "window" and now >= op.window_closes_at:
                raise WindowClosed(time=_show(op.window_closes_at))
            assert bid is not None  # bidders only (route)
            if bid.signin_at is None:
                _update_bid(
                    conn,
                    section_id,
                    p.account_id,
                    signin_at=now,
                    signin_statement=message.decode(),
                    signin_signature=base64.b64decode(body.signature),
                )
                append_audit(
                    conn,
                    at=now,
                    actor=p.actor,
                    action="opening.signin",
                    subject=section_id,
                    data={"number": bid.number},
                )
                # Before the list is out, sign-ins are the staff's business only: even the
                # bidder's own event would, by its number, say how many signed in before it.
                self._emit(
                    conn,
                    tx,
                    "signin",
                    {"number": bid.number, "name": bid.name, "at": _iso(now)},
                    now,
                    audience="all" if _listed(op) else "staff",
                )
        self._publish(tx)
        return self.my_status(p, section_id)

    def publish_list(self, p: Principal, section_id: str) -> wire.OpeningState:
        tx = _Tx(section_id)
        with self.db.write() as conn:
            op = self._opening(conn, section_id, lock=True)
            self._require(op, ("signin",), "公布投标人名单", "publish the bidder list")
            now = self.config.now()
            self._transition(conn, tx, op, "listed", p, now)
            bids = self._bids(conn, section_id)
            self._emit(
                conn,
                tx,
                "list",
                {"bidders": [_list_entry(b) for b in bids], "bid_count": len(bids)},
                now,
            )
        self._publish(tx)
        return self.state(p, section_id)

    def open_window(
        self, p: Principal, section_id: str, body: wire.WindowOpen
    ) -> wire.OpeningState:
        tx = _Tx(section_id)
        with self.db.write() as conn:
            op = self._opening(conn, section_id, lock=True)
            self._require(op, ("listed",), "开始解密", "open the decryption window")
            now = self.config.now()
            closes = now + timedelta(minutes=body.minutes)
            self._transition(
                conn,
                tx,
                op,
                "window",
                p,
                now,
                window_minutes=body.minutes,
                window_opened_at=now,
                window_closes_at=closes,
            )
            self._emit(
                conn,
                tx,
                "window",
                {"opened_at": _iso(now), "closes_at": _iso(closes), "minutes": body.minutes},
                now,
            )
        self._publish(tx)
        return self.state(p, section_id)

    def extend(self, p: Principal, section_id: str, body: wire.WindowExtend) -> wire.OpeningState:
        tx = _Tx(section_id)
        with self.db.write() as conn:
            op = self._opening(conn, section_id, lock=True)
            self._require(op, ("window",), "延长解密时间", "extend the window")
            now = self.config.now()
            closes = max(op.window_closes_at, now) + timedelta(minutes=body.minutes)
            extensions = json.loads(op.extensions)
            extensions.append({"at": _iso(now), "minutes": body.minutes, "reason": body.reason})
            conn.execute(
                update(db.openings)
                .where(db.openings.c.section_id == section_id)
                .values(window_closes_at=closes, extensions=json.dumps(extensions))
            )
            append_audit(
                conn,
                at=now,
                actor=p.actor,
                action="opening.extend",
                subject=section_id,
                data={"minutes": body.minutes, "reason": body.reason, "closes_at": _iso(closes)},
            )
            self._emit(
                conn,
                tx,
                "window",
                {
                    "opened_at": _iso(op.window_opened_at),
                    "closes_at": _iso(closes),
                    "extended_minutes": body.minutes,
                    "reason": body.reason,
                },
                now,
            )
        self._publish(tx)
        return self.state(p, section_id)

    # --- release ---------------------------------------------------------------------------------

    def _own_submission(self, conn: Connection, p: Principal, section_id: str) -> Row[Any]:
        self.p._section(conn, section_id)
        op = conn.execute(
            select(db.openings.c.phase).where(db.openings.c.section_id == section_id)
        ).first()
        if op is not None:
            bid = self._bid(conn, section_id, p.account_id)
            if bid is None:
                raise NotParticipant()
            q = select(db.submissions).where(db.submissions.c.id == bid.submission_id)
        else:
            q = select(db.submissions).where(
                db.submissions.c.section_id == section_id,
                db.submissions.c.account_id == p.account_id,
                db.submissions.c.status == "current",
            )
        row = conn.execute(q).first()
        if row is None:
            raise NotFound(
                wire_code="opening.no_bid",
                what_zh="您在本标段已提交的投标文件",
                what_en="a submitted bid of yours in this section",
            )
        return row

    def envelope(self, p: Principal, section_id: str) -> wire.SealedEnvelope:
        with self.db.read() as conn:
            sub = self._own_submission(conn, p, section_id)
        path = self.p.blobs.path(sub.file_sha256)
        try:
            head, tail = envelope_parts(path)
        except (CryptoError, OSError) as exc:
            log.error("stored bid %s unreadable: %s", sub.file_sha256, exc)
            raise ReleaseFailed(
                wire_code="opening.platform_fault",
                why_zh="平台存储的投标文件无法读取（平台原因）",
                why_en="the platform cannot read the stored bid (platform fault)",
            ) from exc
        return wire.SealedEnvelope(
            section_id=section_id,
            file_sha256=sub.file_sha256,
            file_size=int(sub.file_size),
            head=base64.b64encode(head).decode("ascii"),
            tail=base64.b64encode(tail).decode("ascii"),
        )

    def release(self, p: Principal, section_id: str, body: wire.ReleaseRequest) -> wire.MyStatus:
        try:
            file_key = base64.b64decode(body.file_key, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidRequest(what="file_key: not base64") from exc
        if len(file_key) != 32:
            raise InvalidRequest(what="file_key: 32 bytes")
        tx = _Tx(section_id)
        # Counted in flight before anything else: a close that comes meanwhile waits for this
        # key to be judged (a key that reached the platform inside the window is never lost).
        self._enter(section_id, p.account_id)
        try:
            # One write per release (at the end): at an opening hundreds of keys arrive within
            # a minute and the database serialises writers. The checks here only read.
            with self.db.read() as conn:
                op = self._opening(conn, section_id)
                bid = self._participant(conn, p, section_id)
                assert bid is not None
                arrived = self.config.now()
                self._check_window(op, arrived)
                if bid.status == "opened":
                    return self._my(bid, listed=True)
                sub = conn.execute(
                    select(db.submissions).where(db.submissions.c.id == bid.submission_id)
                ).one()
                section = self.p._section(conn, section_id)
            form = wire.SummaryForm.model_validate_json(section.form)
            with self._decrypting:
                result = self._check_key(sub, file_key, form, p, section)
            del file_key
            return self._finish_release(p, section_id, tx, result, arrived)
        finally:
            self._leave(section_id, p.account_id)

    def _seal_summary(self, section_id: str, account_id: str, text: str) -> str:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        with self._inflight_changed:
            key = self._summary_keys.setdefault(section_id, AESGCM.generate_key(256))
        nonce = secrets.token_bytes(12)
        ct = AESGCM(key).encrypt(nonce, text.encode(), f"{section_id}\0{account_id}".encode())
        return _SEALED + base64.b64encode(nonce + ct).decode("ascii")

    def _unseal_summary(self, section_id: str, account_id: str, stored: str | None) -> str | None:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if stored is None or not stored.startswith(_SEALED):
            return stored
        key = self._summary_keys.get(section_id)
        if key is None:
            return None
        raw = base64.b64decode(stored[len(_SEALED) :])
        try:
            plain = AESGCM(key).decrypt(raw[:12], raw[12:], f"{section_id}\0{account_id}".encode())
        except InvalidTag:
            return None
        return plain.decode()

    def recover(self) -> None:
        """After a restart: finished openings whose record PDF was not made yet get it (in the
        background). Summaries opened during a window that is still running were sealed under a
        key this process no longer has: those bids go back to pending and their bidders are
        told to release again (the host may extend the window: a platform-side failure)."""
        now = self.config.now()
        with self.db.read() as conn:
            finished = (
                conn.execute(
                    select(db.openings.c.section_id).where(db.openings.c.phase == "finished")
                )
                .scalars()
                .all()
            )
        for section_id in finished:
            if not self.record_pdf_path(section_id).is_file():
                self._start_record_pdf(section_id)
        with self.db.read() as conn:
            windows = (
                conn.execute(
                    select(db.openings.c.section_id).where(db.openings.c.phase == "window")
                )
                .scalars()
                .all()
            )
        for section_id in windows:
            tx = _Tx(section_id)
            with self.db.write() as conn:
                self._opening(conn, section_id, lock=True)
                for b in self._bids(conn, section_id):
                    if b.status != "opened" or not (b.summary or "").startswith(_SEALED):
                        continue
                    if self._unseal_summary(section_id, b.account_id, b.summary) is not None:
                        continue
                    _update_bid(
                        conn,
                        section_id,
                        b.account_id,
                        status="pending",
                        summary=None,
                        ended_at=None,
                        error_code="opening.platform_restart",
                        error_zh="平台重启，解密结果未保留，请重新解密",
                        error_en="the platform restarted and did not keep the result;"
                        " please decrypt again",
                        fault="platform",
                    )
                    append_audit(
                        conn,
                        at=now,
                        actor="platform",
                        action="opening.release_lost",
                        subject=section_id,
                        data={"number": b.number},
                    )
                    self._emit(
                        conn,
                        tx,
                        "decryption",
                        {"number": b.number, "status": "pending", "at": _iso(now)},
                        now,
                    )
                    self._emit(
                        conn,
                        tx,
                        "decryption",
                        {
                            "number": b.number,
                            "status": "pending",
                            "at": _iso(now),
                            "error": {
                                "code": "opening.platform_restart",
                                "zh": "平台重启，解密结果未保留，请重新解密",
                                "en": "the platform restarted; please decrypt again",
                            },
                        },
                        now,
                        audience=b.account_id,
                    )

    def _enter(self, section_id: str, account_id: str) -> None:
        with self._inflight_changed:
            key = (section_id, account_id)
            self._inflight[key] = self._inflight.get(key, 0) + 1

    def _leave(self, section_id: str, account_id: str) -> None:
        with self._inflight_changed:
            key = (section_id, account_id)
            self._inflight[key] -= 1
            if not self._inflight[key]:
                del self._inflight[key]
            self._inflight_changed.notify_all()

    def _in_flight(self, section_id: str) -> set[str]:
        with self._inflight_changed:
            return {a for (s, a) in self._inflight if s == section_id}

    def _finish_release(
        self,
        p: Principal,
        section_id: str,
        tx: _Tx,
        result: ReleaseFailed | str,
        arrived: datetime,
    ) -> wire.MyStatus:
        with self.db.write() as conn:
            op = self._opening(conn, section_id, lock=True)
            now = self.config.now()
            if op.phase != "window":
                # Closed while this key was being checked (close waited, then gave up): close
                # has decided already, counting it a platform-side failure.
                raise WindowClosed(time=_show(op.closed_at or now))
            current = self._bid(conn, section_id, p.account_id)
            if current is not None and current.status == "opened":
                # Another release of the same bid opened it meanwhile: that stands.
                return self._my(current, listed=True)
            values: dict[str, Any] = {
                "attempts": db.opening_bids.c.attempts + 1,
                "started_at": (current.started_at if current is not None else None) or arrived,
            }
            if isinstance(result, str):
                values.update(
                    status="opened",
                    ended_at=now,
                    error_code=None,
                    error_zh=None,
                    error_en=None,
                    fault=None,
                    summary=self._seal_summary(section_id, p.account_id, result),
                )
            else:
                values.update(
                    status="failed",
                    error_code=result.wire_code,
                    error_zh=result.params.get("why_zh"),
                    error_en=result.params.get("why_en"),
                    fault="platform" if result.wire_code == "opening.platform_fault" else "bidder",
                )
            _update_bid(conn, section_id, p.account_id, **values)
            bid = self._bid(conn, section_id, p.account_id)
            assert bid is not None
            append_audit(
                conn,
                at=now,
                actor=p.actor,
                action="opening.release",
                subject=section_id,
                data={
                    "number": bid.number,
                    "status": bid.status,
                    "attempts": bid.attempts,
                    "code": bid.error_code,
                },
            )
            public = {
                "number": bid.number,
                "status": bid.status,
                "attempts": bid.attempts,
                "at": _iso(now),
            }
            self._emit(conn, tx, "decryption", public, now)
            if isinstance(result, ReleaseFailed):
                self._emit(
                    conn,
                    tx,
                    "decryption",
                    {
                        **public,
                        "error": {"code": bid.error_code, "zh": bid.error_zh, "en": bid.error_en},
                    },
                    now,
                    audience=p.account_id,
                )
        self._publish(tx)
        if isinstance(result, ReleaseFailed):
            raise result
        return self._my(bid, listed=True)

    def _check_key(
        self,
        sub: Row[Any],
        file_key: bytes,
        form: wire.SummaryForm,
        p: Principal,
        section: Row[Any],
    ) -> ReleaseFailed | str:
        """Open the stored bid with the released key: the summary's canonical JSON when it
        opened, else the refusal to answer (with its cause)."""
        path = self.p.blobs.path(sub.file_sha256)
        try:
            checked = open_with_key(path, file_key, trust=crypto_certs(section.trusted_ca_pem))
        except KeyCommitmentError:
            return ReleaseFailed(
                wire_code="opening.key_wrong",
                why_zh="密钥与投标文件不符（可能用了续期或更换后的证书）",
                why_en="the key does not fit the bid (a renewed or different certificate?)",
            )
        except (PayloadCorruptedError, PayloadDigestError, FileAccessError, OSError) as exc:
            if self._stored_intact(sub):
                return ReleaseFailed(
                    wire_code="opening.bid_damaged",
                    why_zh="投标文件内容无法解密（文件在密封时已损坏）",
                    why_en="the bid's content does not decrypt (it was damaged when sealed)",
                )
            log.error("stored bid %s damaged on the platform: %s", sub.file_sha256, exc)
            return ReleaseFailed(
                wire_code="opening.platform_fault",
                why_zh="平台存储的投标文件已损坏（平台原因）",
                why_en="the platform's stored copy is damaged (platform fault)",
            )
        except CryptoError as exc:
            if not self._stored_intact(sub):
                log.error("stored bid %s damaged on the platform: %s", sub.file_sha256, exc)
                return ReleaseFailed(
                    wire_code="opening.platform_fault",
                    why_zh="平台存储的投标文件已损坏（平台原因）",
                    why_en="the platform's stored copy is damaged (platform fault)",
                )
            log.info("bid %s does not open: %s", sub.file_sha256, exc.code)
            return ReleaseFailed(
                wire_code="opening.bid_damaged",
                why_zh="投标文件无法打开（文件在密封时已损坏）",
                why_en="the bid does not open (it was damaged when sealed)",
            )
        if not p.holds(checked.signer):
            return ReleaseFailed(
                wire_code="opening.bid_signer",
                why_zh="投标文件不是由本投标人签名的",
                why_en="the bid is not signed by this bidder",
            )
        problems = summary_problems(form, checked.summary)
        if problems:
            return ReleaseFailed(
                wire_code="opening.summary_invalid",
                why_zh="开标一览表不符合招标文件的格式：" + "；".join(problems),
                why_en="the bid summary does not fit the tender's form: " + "; ".join(problems),
            )
        return canonical_json(checked.summary).decode()

    def _stored_intact(self, sub: Row[Any]) -> bool:
        path = self.p.blobs.path(sub.file_sha256)
        h = hashlib.sha256()
        try:
            with open(path, "rb") as f:
                while chunk := f.read(1 << 20):
                    h.update(chunk)
        except OSError:
            return False
        return bool(h.hexdigest() == sub.file_sha256)

    def _check_window(self, op: Row[Any], now: datetime) -> None:
        if op.phase in ("signin", "listed"):
            raise _phase_error(
                op.phase, "解密（解密时间尚未开始）", "decrypt (the window is not open)"
            )
        if op.phase != "window":
            raise WindowClosed(time=_show(op.closed_at or op.window_closes_at or now))
        if now >= op.window_closes_at:
            raise WindowClosed(time=_show(op.window_closes_at))

    # --- close ---------------------------------------------------------------------------------

    def close(self, p: Principal, section_id: str, body: wire.WindowClose) -> wire.OpeningState:
        tx = _Tx(section_id)
        with self._inflight_changed:
            self._inflight_changed.wait_for(
                lambda: not any(s == section_id for s, _ in self._inflight),
                timeout=CLOSE_WAIT_SECONDS,
            )
        unjudged = self._in_flight(section_id)
        with self.db.write() as conn:
            op = self._opening(conn, section_id, lock=True)
            self._require(op, ("window",), "结束解密", "close the window")
            now = self.config.now()
            bids = self._bids(conn, section_id)
            unopened = [b for b in bids if b.status != "opened"]
            if now < op.window_closes_at and (not body.early or unopened):
                raise WindowRunning(time=_show(op.window_closes_at), pending=len(unopened))
            if unopened and not (body.reason and body.reason.strip()):
                raise ReasonRequired(
                    what_zh=f"有 {len(unopened)} 份投标文件未解密，须说明处理决定",
                    what_en=f"{len(unopened)} bid(s) did not open; explain the decision",
                )
            overrides = {d.org_code: d for d in body.decisions}
            known = {b.org_code for b in unopened}
            for code in overrides:
                if code not in known:
                    raise InvalidRequest(
                        what=f"decisions: {code} 不是未解密的投标人 / not an unopened bid"
                    )
            for b in bids:
                if b.status != "opened":
                    continue
                text = self._unseal_summary(section_id, b.account_id, b.summary)
                _update_bid(conn, section_id, b.account_id, summary=text)
            self._summary_keys.pop(section_id, None)
            for b in unopened:
                # A key the platform received but never judged (close gave up waiting, or the
                # platform restarted mid-check) is the platform's failure, not the bidder's.
                unjudged_here = b.account_id in unjudged or (
                    b.attempts > 0 and b.error_code is None
                )
                fault = b.fault or ("platform" if unjudged_here else "bidder")
                cause = _cause(b)
                reason = None
                if b.org_code in overrides:
                    d = overrides[b.org_code]
                    fault, reason = d.fault, d.reason
                    cause = f"{cause}；主持人决定 / host's decision: {d.reason}"
                _update_bid(
                    conn,
                    section_id,
                    b.account_id,
                    status="revoked" if fault == "bidder" else "withdrawn",
                    fault=fault,
                    cause=cause,
                    reason=reason,
                    summary=None,
                )
            self._transition(
                conn,
                tx,
                op,
                "closed",
                p,
                now,
                closed_at=now,
                decision_reason=body.reason,
            )
            bids = self._bids(conn, section_id)
            form = self._form(conn, section_id)
            results = [_result_entry(b, form) for b in bids]
            append_audit(
                conn,
                at=now,
                actor=p.actor,
                action="opening.results",
                subject=section_id,
                data={
                    "bids": [
                        {
                            "number": b.number,
                            "status": b.status,
                            "summary_sha256": (
                                hashlib.sha256(b.summary.encode()).hexdigest()
                                if b.summary
                                else None
                            ),
                        }
                        for b in bids
                    ]
                },
            )
            self._emit(
                conn,
                tx,
                "results",
                {
                    # Compact: this one event goes to every stream at once (names, digests
                    # and times are in the list event and the state).
                    "bidders": [
                        {k: r[k] for k in ("number", "name", "decryption", "cause", "summary")}
                        for r in results
                    ],
                    "valid_bids": sum(1 for b in bids if b.status == "opened"),
                    "reason": body.reason,
                },
                now,
            )
        self._publish(tx)
        return self.state(p, section_id)

    # --- objections --------------------------------------------------------------------------------

    def object(self, p: Principal, section_id: str, body: wire.ObjectionCreate) -> wire.Objection:
        tx = _Tx(section_id)
        with self.db.write() as conn:
            op = self._opening(conn, section_id, lock=True)
            bid = self._participant(conn, p, section_id)
            assert bid is not None
            self._require(
                op,
                _OBJECTION_PHASES,
                "提出异议",
                "raise an objection",
            )
            now = self.config.now()
            mine = conn.execute(
                select(func.count()).where(
                    db.objections.c.section_id == section_id,
                    db.objections.c.account_id == p.account_id,
                )
            ).scalar_one()
            if mine >= MAX_OBJECTIONS:
                raise Conflict(
                    what=f"每个投标人最多提出 {MAX_OBJECTIONS} 项异议 / at most {MAX_OBJECTIONS}"
                    " objections per bidder"
                )
            n = conn.execute(
                select(func.coalesce(func.max(db.objections.c.id), 0)).where(
                    db.objections.c.section_id == section_id
                )
            ).scalar_one()
            conn.execute(
                db.objections.insert().values(
                    section_id=section_id,
                    id=n + 1,
                    account_id=p.account_id,
                    raised_at=now,
                    text=body.text,
                )
            )
            append_audit(
                conn,
                at=now,
                actor=p.actor,
                action="opening.objection",
                subject=section_id,
                data={"id": n + 1, "text": body.text},
            )
            obj = self._objection_changed(conn, tx, op, "objection", n + 1, now)
        self._publish(tx)
        return obj

    def answer(
        self, p: Principal, section_id: str, objection_id: int, body: wire.ObjectionAnswer
    ) -> wire.Objection:
        tx = _Tx(section_id)
        with self.db.write() as conn:
            op = self._opening(conn, section_id, lock=True)
            self._require(
                op,
                _OBJECTION_PHASES,
                "答复异议",
                "answer an objection",
            )
            row = conn.execute(
                select(db.objections).where(
                    db.objections.c.section_id == section_id, db.objections.c.id == objection_id
                )
            ).first()
            if row is None:
                raise NotFound(
                    wire_code="opening.objection_not_found",
                    what_zh=f"异议 {objection_id}",
                    what_en=f"objection {objection_id}",
                )
            if row.answer is not None:
                raise Conflict(what=f"异议 {objection_id} 已答复 / already answered")
            now = self.config.now()
            conn.execute(
                update(db.objections)
                .where(db.objections.c.section_id == section_id, db.objections.c.id == objection_id)
                .values(answer=body.text, answered_by=p.account_id, answered_at=now)
            )
            append_audit(
                conn,
                at=now,
                actor=p.actor,
                action="opening.answer",
                subject=section_id,
                data={"id": objection_id, "text": body.text},
            )
            obj = self._objection_changed(conn, tx, op, "answer", objection_id, now)
        self._publish(tx)
        return obj

    def _objection_changed(
        self,
        conn: Connection,
        tx: _Tx,
        op: Row[Any],
        kind: str,
        objection_id: int,
        now: datetime,
    ) -> wire.Objection:
        """After an objection is raised or answered: its event (staff only before the list is
        out: it names the bidder), and a new record revision while confirming."""
        obj = self._objection(conn, tx.section_id, objection_id)
        self._emit(
            conn,
            tx,
            kind,
            obj.model_dump(mode="json"),
            now,
            audience="all" if _listed(op) else "staff",
        )
        if op.phase == "confirming":
            self._rebuild(conn, tx, op, now)
        return obj

    def _objection(self, conn: Connection, section_id: str, objection_id: int) -> wire.Objection:
        return self._objections(conn, section_id, only=objection_id)[0]

    def _objections(
        self, conn: Connection, section_id: str, *, only: int | None = None
    ) -> list[wire.Objection]:
        raiser = db.accounts.alias("raiser")
        answerer = db.accounts.alias("answerer")
        q = (
            select(
                db.objections,
                raiser.c.name.label("raiser_name"),
                raiser.c.org_code.label("raiser_org"),
                answerer.c.name.label("answerer_name"),
            )
            .join(raiser, raiser.c.id == db.objections.c.account_id)
            .outerjoin(answerer, answerer.c.id == db.objections.c.answered_by)
            .where(db.objections.c.section_id == section_id)
            .order_by(db.objections.c.id)
        )
        if only is not None:
            q = q.where(db.objections.c.id == only)
        return [
            wire.Objection(
                id=r.id,
                raised_by=r.raiser_name,
                org_code=r.raiser_org,
                raised_at=r.raised_at,
                text=r.text,
                answer=r.answer,
                answered_by=r.answerer_name,
                answered_at=r.answered_at,
            )
            for r in conn.execute(q).all()
        ]

    # --- announce, record, signatures, finish ---------------------------------------------------------

    def announce(self, p: Principal, section_id: str, body: wire.Announce) -> wire.OpeningState:
        tx = _Tx(section_id)
        with self.db.write() as conn:
            op = self._opening(conn, section_id, lock=True)
            self._require(op, ("closed",), "唱标", "announce the results")
            now = self.config.now()
            self._announce(conn, tx, op, p, now, body.confirmation_minutes)
        self._publish(tx)
        return self.state(p, section_id)

    def _announce(
        self,
        conn: Connection,
        tx: _Tx,
        op: Row[Any],
        p: Principal,
        now: datetime,
        minutes: int,
    ) -> None:
        self._transition(conn, tx, op, "announced", p, now)
        op = self._opening(conn, tx.section_id)
        until = now + timedelta(minutes=minutes)
        self._transition(
            conn,
            tx,
            op,
            "confirming",
            p,
            now,
            confirmation_minutes=minutes,
            confirmation_until=until,
        )
        op = self._opening(conn, tx.section_id)
        self._rebuild(conn, tx, op, now)

    def _rebuild(self, conn: Connection, tx: _Tx, op: Row[Any], now: datetime) -> None:
        """Build, sign and store a new revision of the record; signatures on older ones stop
        counting."""
        revision = int(op.revision) + 1
        body = self._record_body(conn, op, revision, now)
        text = canonical_json(body).decode()
        digest = hashlib.sha256(text.encode()).hexdigest()
        signature = self.p.signer.sign(text, at=now)
        values: dict[str, Any] = {}
        if op.confirmation_minutes:
            # Everyone signs the new revision afresh: they get the whole period again.
            until = now + timedelta(minutes=int(op.confirmation_minutes))
            values["confirmation_until"] = max(until, op.confirmation_until or until)
        conn.execute(
            update(db.openings)
            .where(db.openings.c.section_id == tx.section_id)
            .values(
                revision=revision,
                record=text,
                record_sha256=digest,
                record_signature=signature,
                **values,
            )
        )
        append_audit(
            conn,
            at=now,
            actor="platform",
            action="opening.record",
            subject=tx.section_id,
            data={"revision": revision, "record_sha256": digest},
        )
        self._emit(conn, tx, "record", {"revision": revision, "record_sha256": digest}, now)

    def _record_body(
        self, conn: Connection, op: Row[Any], revision: int, now: datetime
    ) -> dict[str, Any]:
        section = self.p._section(conn, op.section_id)
        project = conn.execute(
            select(db.projects).where(db.projects.c.id == section.project_id)
        ).one()
        people = {
            r.id: r
            for r in conn.execute(
                select(db.accounts).where(
                    db.accounts.c.id.in_([op.host_id, op.recorder_id, op.supervisor_id])
                )
            ).all()
        }

        def person(account_id: str) -> dict[str, str]:
            r = people[account_id]
            return {"name": r.name, "subject": r.key}

        form = wire.SummaryForm.model_validate_json(section.form)
        bidders = []
        for b in self._bids(conn, op.section_id):
            sub = conn.execute(
                select(db.submissions).where(db.submissions.c.id == b.submission_id)
            ).one()
            receipt = conn.execute(
                select(db.receipts).where(
                    db.receipts.c.submission_id == b.submission_id, db.receipts.c.kind == "submit"
                )
            ).one()
            receipt_body = json.loads(receipt.receipt)
            summary = json.loads(b.summary) if b.summary and b.status == "opened" else None
            bidders.append(
                {
                    "number": b.number,
                    "name": b.name,
                    "org_code": b.org_code,
                    "cert_sha256": receipt_body["bidder"]["cert_sha256"],
                    "submission": {
                        "received_at": _iso(sub.received_at),
                        "file_sha256": sub.file_sha256,
                        "file_size": int(sub.file_size),
                        "receipt": receipt.receipt,
                        "receipt_signature": base64.b64encode(bytes(receipt.signature)).decode(),
                    },
                    "signed_in_at": _iso(b.signin_at),
                    "decryption": {
                        "status": b.status,
                        "started_at": _iso(b.started_at),
                        "ended_at": _iso(b.ended_at),
                        "attempts": int(b.attempts),
                        "fault": b.fault,
                        "cause": b.cause,
                        "reason": b.reason,
                    },
                    "summary": summary,
                    "summary_text": summary_text(form, summary) if summary is not None else None,
                }
            )
        window = None
        if op.window_opened_at is not None:
            window = {
                "opened_at": _iso(op.window_opened_at),
                "closes_at": _iso(op.window_closes_at),
                "closed_at": _iso(op.closed_at),
                "extensions": json.loads(op.extensions),
            }
        return {
            "format": wire.RECORD_FORMAT,
            "version": "1.0",
            "revision": revision,
            "platform": {"id": self.config.platform_id, "name": self.config.platform_name},
            "project": {
                "id": project.id,
                "code": project.code,
                "name": project.name,
                "sector": project.sector,
            },
            "section": {
                "id": section.id,
                "code": section.code,
                "name": section.name,
                "deadline": _iso(section.deadline),
                "opening_time": _iso(section.opening_time),
                "tender_version": section.tender_version,
            },
            "place": PLACE,
            "host": person(op.host_id),
            "recorder": person(op.recorder_id),
            "supervisor": person(op.supervisor_id),
            "trusted_ca_pem": section.trusted_ca_pem,
            "outcome": op.outcome,
            "outcome_reason": op.outcome_reason,
            "started_at": _iso(op.started_at),
            "window": window,
            "form": form.model_dump(mode="json"),
            "bidders": bidders,
            "valid_bids": sum(1 for b in bidders if b["decryption"]["status"] == "opened"),
            "objections": [
                o.model_dump(mode="json") for o in self._objections(conn, op.section_id)
            ],
            "decision_reason": op.decision_reason,
            "transitions": json.loads(op.transitions),
            "issued_at": _iso(now),
        }

    def record(self, p: Principal, section_id: str) -> wire.SignedRecord:
        return wire.SignedRecord.model_validate_json(self.record_json(p, section_id)[0])

    def record_json(
        self, p: Principal, section_id: str, *, signatures: bool = True
    ) -> tuple[bytes, bytes]:
        """The signed record as JSON bytes and gzip-compressed. Every participant downloads it
        to check it before signing (hundreds at once, megabytes each at a big opening): the
        encoding is made once per state of the opening (its event counter changes with every
        signature), or once per revision without the signatures (what a signer needs)."""
        import gzip

        with self.db.read() as conn:
            op = self._opening(conn, section_id)
            self._participant(conn, p, section_id)
            if op.record is None:
                raise NotFound(
                    wire_code="opening.no_record",
                    what_zh="开标记录（唱标后生成）",
                    what_en="the opening record (made at the announcement)",
                )
            key = (
                (section_id, "state", int(op.event_seq))
                if signatures
                else (section_id, "revision", str(op.record_sha256))
            )
            cached = self._record_cache.get(key[:2])
            if cached is not None and cached[0] == key:
                return cached[1], cached[2]
            doc = self._signed_record(conn, op)
        if not signatures:
            doc = doc.model_copy(
                update={
                    "signatures": (),
                    "closed": False,
                    "closing": None,
                    "closing_signature": None,
                }
            )
        data = doc.model_dump_json().encode()
        packed = gzip.compress(data, 6, mtime=0)
        self._record_cache[key[:2]] = (key, data, packed)
        return data, packed

    def _signatures(self, conn: Connection, op: Row[Any]) -> list[wire.RecordSignature]:
        rows = conn.execute(
            select(db.record_signatures, db.opening_bids.c.number)
            .outerjoin(
                db.opening_bids,
                (db.opening_bids.c.section_id == db.record_signatures.c.section_id)
                & (db.opening_bids.c.account_id == db.record_signatures.c.account_id),
            )
            .where(
                db.record_signatures.c.section_id == op.section_id,
                db.record_signatures.c.record_sha256 == op.record_sha256,
            )
        ).all()
        rows = sorted(rows, key=lambda r: (SIGNER_ORDER[r.role], r.number or 0))
        return [wire.RecordSignature.model_validate_json(r.body) for r in rows]

    def _signed_record(self, conn: Connection, op: Row[Any]) -> wire.SignedRecord:
        return wire.SignedRecord(
            record=op.record,
            record_sha256=op.record_sha256,
            platform_signature=base64.b64encode(bytes(op.record_signature)).decode(),
            platform_certificates=self.p.info().certificate_pem,
            signatures=tuple(self._signatures(conn, op)),
            closed=op.phase == "finished",
            closing=op.closing,
            closing_signature=(
                base64.b64encode(bytes(op.closing_signature)).decode()
                if op.closing_signature
                else None
            ),
        )

    def sign_record(
        self, p: Principal, section_id: str, body: wire.RecordSignRequest
    ) -> wire.RecordSignature:
        now = self.config.now()
        with self.db.read() as conn:
            op = self._opening(conn, section_id)
            section = self.p._section(conn, section_id)
            bid = self._participant(conn, p, section_id)
        self._require(op, ("confirming",), "签署开标记录", "sign the record")
        role = self._signing_role(p, op)
        self._check_time(body.time, now)
        if body.decision == "decline" and not (body.reason and body.reason.strip()):
            raise ReasonRequired(what_zh="拒绝签署开标记录", what_en="declining the record")
        signer_key = p.org_code if role == "bidder" and p.org_code else None
        if signer_key is None:
            signer_key = self._account_key(p)
        message = wire.record_statement(
            platform_id=self.config.platform_id,
            section_id=section_id,
            record_sha256=body.record_sha256,
            role=role,
            signer=signer_key,
            decision=body.decision,
            reason=body.reason,
            time=body.time,
        )
        cert = self._check_signer(p, section, body.signature, message, now)
        from cryptography.hazmat.primitives import serialization

        signature = wire.RecordSignature(
            role=role,  # type: ignore[arg-type]
            name=bid.name if bid is not None else p.name,
            org_code=p.org_code,
            subject=cert.subject.rfc4514_string(),
            serial=format(cert.serial_number, "x"),
            certificate=cert.public_bytes(serialization.Encoding.PEM).decode(),
            decision=body.decision,
            reason=body.reason,
            signed_at=body.time,
            statement=message.decode(),
            signature=body.signature,
        )
        tx = _Tx(section_id)
        with self.db.write() as conn:
            op = self._opening(conn, section_id, lock=True)
            self._require(op, ("confirming",), "签署开标记录", "sign the record")
            if body.record_sha256 != op.record_sha256:
                raise RecordStale(current=op.record_sha256)
            key = (
                (db.record_signatures.c.section_id == section_id)
                & (db.record_signatures.c.record_sha256 == op.record_sha256)
                & (db.record_signatures.c.account_id == p.account_id)
            )
            conn.execute(db.record_signatures.delete().where(key))
            conn.execute(
                db.record_signatures.insert().values(
                    section_id=section_id,
                    record_sha256=op.record_sha256,
                    account_id=p.account_id,
                    role=role,
                    signed_at=now,
                    body=signature.model_dump_json(),
                )
            )
            append_audit(
                conn,
                at=now,
                actor=p.actor,
                action="opening.sign",
                subject=section_id,
                data={
                    "role": role,
                    "decision": body.decision,
                    "reason": body.reason,
                    "record_sha256": op.record_sha256,
                    "statement_sha256": hashlib.sha256(message).hexdigest(),
                },
            )
            self._emit(
                conn,
                tx,
                "signature",
                {
                    "role": role,
                    "name": signature.name,
                    "number": bid.number if bid is not None else None,
                    "decision": body.decision,
                    "reason": body.reason,
                    "record_sha256": op.record_sha256,
                    "at": _iso(now),
                },
                now,
            )
        self._publish(tx)
        return signature

    def _account_key(self, p: Principal) -> str:
        with self.db.read() as conn:
            return str(
                conn.execute(
                    select(db.accounts.c.key).where(db.accounts.c.id == p.account_id)
                ).scalar_one()
            )

    @staticmethod
    def _signing_role(p: Principal, op: Row[Any]) -> str:
        if p.role == "bidder":
            return "bidder"
        named = {"host": op.host_id, "recorder": op.recorder_id, "supervisor": op.supervisor_id}
        if p.role in named and named[p.role] == p.account_id:
            return p.role
        raise SignerNotAllowed(role=p.role, role_zh=_ROLE_ZH.get(p.role, p.role))

    def finish(self, p: Principal, section_id: str) -> wire.OpeningState:
        tx = _Tx(section_id)
        with self.db.write() as conn:
            op = self._opening(conn, section_id, lock=True)
            self._require(op, ("confirming",), "结束开标", "finish the opening")
            now = self.config.now()
            open_objections = [o.id for o in self._objections(conn, section_id) if o.answer is None]
            if open_objections:
                raise FinishBlocked(
                    what_zh=f"异议 {open_objections} 尚未答复",
                    what_en=f"objection(s) {open_objections} not answered",
                )
            signatures = self._signatures(conn, op)
            staff_signed = {s.role for s in signatures if s.role != "bidder"}
            missing = [r for r in ("host", "recorder", "supervisor") if r not in staff_signed]
            if missing:
                names = {"host": "主持人", "recorder": "记录人", "supervisor": "监督人"}
                raise FinishBlocked(
                    what_zh="尚未签署：" + "、".join(names[r] for r in missing),
                    what_en="not yet signed by: " + ", ".join(missing),
                )
            bids = self._bids(conn, section_id)
            by_org = {s.org_code: s for s in signatures if s.role == "bidder"}
            waiting = [b.number for b in bids if b.org_code not in by_org]
            if waiting and now < op.confirmation_until:
                raise FinishBlocked(
                    what_zh=f"投标人 {waiting} 尚未确认，确认期至 {_show(op.confirmation_until)}",
                    what_en=f"bidder(s) {waiting} have not answered; the confirmation period runs"
                    f" until {_show(op.confirmation_until)}",
                )
            confirmations = []
            for b in bids:
                s = by_org.get(b.org_code)
                confirmations.append(
                    {
                        "number": b.number,
                        "name": b.name,
                        "org_code": b.org_code,
                        "status": (
                            "no_response"
                            if s is None
                            else ("confirmed" if s.decision == "confirm" else "declined")
                        ),
                        "at": s.signed_at if s is not None else None,
                    }
                )
            closing = {
                "closed_at": _iso(now),
                "confirmations": confirmations,
                "record_sha256": op.record_sha256,
                "signatures": [
                    hashlib.sha256(base64.b64decode(s.signature)).hexdigest() for s in signatures
                ],
            }
            closing_text = canonical_json(closing).decode()
            closing_signature = self.p.signer.sign(closing_text, at=now)
            self._transition(
                conn,
                tx,
                op,
                "finished",
                p,
                now,
                finished_at=now,
                closing=closing_text,
                closing_signature=closing_signature,
            )
            self._emit(
                conn,
                tx,
                "finished",
                {
                    "record_sha256": op.record_sha256,
                    "closing_sha256": hashlib.sha256(closing_text.encode()).hexdigest(),
                },
                now,
            )
        self._publish(tx)
        self._start_record_pdf(section_id)
        return self.state(p, section_id)

    # --- the record as a signed PDF ---------------------------------------------------------------

    def record_pdf_path(self, section_id: str) -> Path:
        return Path(self.config.data_dir) / "records" / f"{section_id}.pdf"

    def _start_record_pdf(self, section_id: str) -> None:
        """Render and sign the closed record's PDF in the background (seconds for a big
        opening; the finish answers at once and GET record.pdf says when it is ready)."""
        threading.Thread(
            target=self._make_record_pdf, args=(section_id,), name="sealbid-record-pdf", daemon=True
        ).start()

    def _make_record_pdf(self, section_id: str) -> None:
        from crypto._files import atomic_write
        from reports.record_pdf import render_record
        from reports.sign import sign_pdf

        from .tsa import load_tsa, local_timestamper

        try:
            with self.db.read() as conn:
                op = self._opening(conn, section_id)
                doc = self._signed_record(conn, op)
            pdf = render_record(doc)
            tsa = load_tsa(self.config)
            signed = sign_pdf(
                pdf,
                self.p.signer.identity,
                reason="开标记录平台签章 / the platform's seal on the opening record",
                location=self.config.platform_name,
                attachments={RECORD_ATTACHMENT: doc.model_dump_json().encode()},
                timestamper=local_timestamper(tsa) if tsa is not None else None,
                signing_time=op.finished_at,
            )
            path = self.record_pdf_path(section_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, signed)
            log.info("record PDF of %s written (%d bytes)", section_id, len(signed))
        except Exception:  # logged; the JSON record stands, recover() tries again at start
            log.exception("record PDF of %s could not be made", section_id)
            self._pdf_failed.add(section_id)

    def record_pdf(self, p: Principal, section_id: str) -> Path:
        with self.db.read() as conn:
            op = self._opening(conn, section_id)
            self._participant(conn, p, section_id)
        self._require(
            op, ("finished",), "下载已签章的开标记录 PDF", "download the signed record PDF"
        )
        path = self.record_pdf_path(section_id)
        if not path.is_file() and section_id in self._pdf_failed:
            raise RecordPdfFailed()
        if not path.is_file():
            raise NotFound(
                wire_code="opening.pdf_pending",
                what_zh="已签章的开标记录 PDF（正在生成，请稍后再试）",
                what_en="the signed record PDF (being made; try again shortly)",
            )
        return path

    # --- what callers see ------------------------------------------------------------------------------

    def _bids(self, conn: Connection, section_id: str) -> list[Row[Any]]:
        return list(
            conn.execute(
                select(db.opening_bids, db.submissions.c.received_at, db.submissions.c.file_sha256)
                .join(db.submissions, db.submissions.c.id == db.opening_bids.c.submission_id)
                .where(db.opening_bids.c.section_id == section_id)
                .order_by(db.opening_bids.c.number)
            ).all()
        )

    def _form(self, conn: Connection, section_id: str) -> wire.SummaryForm:
        return wire.SummaryForm.model_validate_json(self.p._section(conn, section_id).form)

    @staticmethod
    def _my(bid: Row[Any], *, listed: bool) -> wire.MyStatus:
        """The bidder's own status; its number only once the list is out (the number says how
        many bid before it, 招标投标法 Art. 22)."""
        error = None
        if bid.error_code:
            error = wire.ErrorDetail(
                code=bid.error_code, zh=bid.error_zh or "", en=bid.error_en or ""
            )
        return wire.MyStatus(
            number=bid.number if listed else None,
            signed_in_at=bid.signin_at,
            decryption=bid.status,
            attempts=int(bid.attempts),
            last_error=error,
        )

    def my_status(self, p: Principal, section_id: str) -> wire.MyStatus:
        with self.db.read() as conn:
            op = self._opening(conn, section_id)
            bid = self._bid(conn, section_id, p.account_id)
        if bid is None:
            raise NotParticipant()
        return self._my(bid, listed=_listed(op))

    def state(self, p: Principal, section_id: str) -> wire.OpeningState:
        now = self.config.now()
        with self.db.read() as conn:
            section = self.p._section(conn, section_id)
            op = conn.execute(
                select(db.openings).where(db.openings.c.section_id == section_id)
            ).first()
            if op is None:
                return wire.OpeningState(
                    section_id=section_id,
                    phase="waiting",
                    outcome="open",
                    server_time=now,
                    opening_time=section.opening_time,
                )
            mine = self._participant(conn, p, section_id)
            staff = mine is None
            bids = self._bids(conn, section_id)
            people = {
                r.id: r.name
                for r in conn.execute(
                    select(db.accounts.c.id, db.accounts.c.name).where(
                        db.accounts.c.id.in_([op.host_id, op.recorder_id, op.supervisor_id])
                    )
                ).all()
            }
            listed = _listed(op)
            published = op.phase in ("closed", "announced", "confirming", "finished")
            confirmations: dict[str, str] = {}
            if op.record_sha256:
                for s in self._signatures(conn, op):
                    if s.role == "bidder" and s.org_code:
                        confirmations[s.org_code] = (
                            "confirmed" if s.decision == "confirm" else "declined"
                        )
            form = wire.SummaryForm.model_validate_json(section.form)
            entries: list[wire.BidderEntry] = []
            if listed:
                for b in bids:
                    entry = _list_entry(b)
                    entry["decryption"] = b.status
                    entry["decryption_started_at"] = b.started_at
                    entry["decryption_ended_at"] = b.ended_at
                    if published:
                        entry.update(_result_entry(b, form))
                        entry["confirmation"] = (
                            confirmations.get(b.org_code or "", "pending")
                            if op.record_sha256
                            else None
                        )
                    entries.append(wire.BidderEntry.model_validate(entry))
            objections = self._objections(conn, section_id)
            if not staff and not listed:
                objections = [o for o in objections if o.org_code == p.org_code]
            ev = db.opening_events
            q = select(func.coalesce(func.max(ev.c.seq), 0)).where(ev.c.section_id == section_id)
            if not staff:
                # The last event this viewer can see: the stored count would say how many
                # others signed in before the list is out.
                q = q.where(ev.c.audience.in_(["all", p.account_id]))
            last = conn.execute(q).scalar_one()
        return wire.OpeningState(
            section_id=section_id,
            phase=op.phase,
            outcome=op.outcome,
            server_time=now,
            opening_time=section.opening_time,
            started_at=op.started_at,
            host=people.get(op.host_id),
            recorder=people.get(op.recorder_id),
            supervisor=people.get(op.supervisor_id),
            window_opened_at=op.window_opened_at,
            window_closes_at=op.window_closes_at,
            closed_at=op.closed_at,
            confirmation_until=op.confirmation_until,
            bid_count=len(bids) if listed else None,
            signed_in=(sum(1 for b in bids if b.signin_at) if staff or listed else None),
            bidders=tuple(entries),
            me=self._my(mine, listed=listed) if mine is not None else None,
            objections=tuple(objections),
            record_sha256=op.record_sha256,
            last_event=int(last),
        )

    async def stream(
        self,
        p: Principal,
        section_id: str,
        *,
        after: int,
        started: bool,
        is_disconnected: Callable[[], Any] | None = None,
    ) -> AsyncIterator[bytes]:
        staff = p.role in STAFF_ROLES

        def confirm() -> bool:
            with self.db.read() as conn:
                return self._bid(conn, section_id, p.account_id) is not None

        viewer = Viewer(
            account_id=p.account_id,
            staff=staff,
            confirm=None if staff or started else confirm,
        )
        async for chunk in self.hub.stream(
            section_id,
            viewer,
            after=after,
            status=lambda: self.status(section_id),
            is_disconnected=is_disconnected,
            tick_seconds=self.config.event_tick,
        ):
            yield chunk

    def check_viewer(self, p: Principal, section_id: str) -> bool:
        """Refuse a stream to someone who is not in this opening; answers whether the opening
        has started (before it starts any bidder may wait for it, and is checked again when
        the first event comes)."""
        with self.db.read() as conn:
            self.p._section(conn, section_id)
            started = conn.execute(
                select(db.openings.c.phase).where(db.openings.c.section_id == section_id)
            ).first()
            if started is not None:
                self._participant(conn, p, section_id)
        return started is not None


# --- helpers -----------------------------------------------------------------------------------------

_ROLE_ZH = {
    "bidder": "投标人",
    "host": "主持人",
    "recorder": "记录人",
    "supervisor": "监督人",
    "admin": "平台管理员",
}
_SECRET_COLUMNS = {"closing_signature", "record_signature"}
_SEALED = "sealed:v1:"


def _update_bid(conn: Connection, section_id: str, account_id: str, **values: Any) -> None:
    """Update one bid of an opening (the twin of ``Openings._bid``)."""
    conn.execute(
        update(db.opening_bids)
        .where(
            db.opening_bids.c.section_id == section_id,
            db.opening_bids.c.account_id == account_id,
        )
        .values(**values)
    )


def _audit_value(v: Any) -> Any:
    if isinstance(v, datetime):
        return iso_seconds(v)
    if isinstance(v, bytes):
        return hashlib.sha256(v).hexdigest()
    return v


def _show(t: datetime) -> str:
    from .platform import show_time

    return str(show_time(t))


def crypto_certs(pem: str | None) -> list[x509.Certificate]:
    from .platform import load_pem_certificates

    return load_pem_certificates(pem) if pem else []


def _list_entry(b: Row[Any]) -> dict[str, Any]:
    return {
        "number": b.number,
        "name": b.name,
        "org_code": b.org_code,
        "received_at": _iso(b.received_at),
        "file_sha256": b.file_sha256,
        "signed_in_at": _iso(b.signin_at),
        "decryption": b.status,
    }


def _cause(b: Row[Any]) -> str:
    if b.attempts == 0:
        return "投标人未在解密时限内解密 / the bidder did not decrypt within the window"
    if b.error_code is None:
        return "解密未在时限内完成 / the decryption did not complete within the window"
    why = f"{b.error_zh or ''} / {b.error_en or ''}".strip(" /")
    if b.fault == "platform":
        return f"平台原因解密失败 / platform-side failure: {why}"
    return f"投标人原因解密失败 / failed through the bidder's fault: {why}"


def _result_entry(b: Row[Any], form: wire.SummaryForm) -> dict[str, Any]:
    summary = json.loads(b.summary) if b.summary and b.status == "opened" else None
    return {
        **_list_entry(b),
        "decryption": b.status,
        "decryption_started_at": _iso(b.started_at),
        "decryption_ended_at": _iso(b.ended_at),
        "cause": b.cause,
        "summary": summary,
    }


def summary_text(form: wire.SummaryForm, summary: dict[str, Any]) -> dict[str, str]:
    """Each summary value as read out: money with separators, unit and 大写."""
    from decimal import Decimal

    from sealbid import money

    out: dict[str, str] = {}
    for f in form.fields:
        if f.key not in summary or summary[f.key] in (None, ""):
            continue
        v = summary[f.key]
        if f.type == "money":
            out[f.key] = money.display(Decimal(str(v)), f.unit)
        elif f.unit:
            out[f.key] = f"{v} {f.unit}"
        else:
            out[f.key] = str(v)
    return out
