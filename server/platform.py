"""What the platform does, without HTTP: every operation of docs/protocol.md as a method.

    platform = Platform.start(config)           # opens the database, recovers after a crash
    receipt = platform.finish(principal, upload_id)

``server.app`` maps these methods to routes; everything here raises :class:`ApiError` subclasses
(or returns wire models). Role checks happen in the app (one dependency per route); ownership
and deadlines are checked here, because only here is it known whose an upload is and what the
platform's clock says at the moment that counts.

Crash safety of a submission (``finish``), in the order of the steps::

    1. the upload's bytes are durable: each PATCH fsyncs its chunk *before* the new offset is
       committed, so a recorded offset never points past durable bytes;
    2. the whole file is verified (format, signature, signer, section, tender version);
    3. the file is linked into the content-addressed store and the folder fsynced;
    4. ONE transaction: deadline checked by the platform's clock, submission row, receipt
       (signed), section receipt-chain head, upload marked finished, audit row;
    5. the answer is sent; the upload's .part name is removed.

A SIGKILL between 3 and 4 leaves a stored file without a receipt: ``recover()`` runs before the
platform serves again and deletes every stored file no submission refers to (the upload is still
open and complete, so the client's next finish stores it again). A kill before 3 leaves nothing
stored. A kill after 4 leaves a receipt whose file is already durable (step 3 came first). So
after any restart: no receipt for an unstored file, and no stored file without its receipt.
The order matters: committing first and storing after would open a window with a receipt for a
file that is not there.

One process serves a data folder: the per-upload and per-digest locks are process locks, and
``recover()`` assumes no other process is half-way through a finish.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from sqlalchemy import Connection, Row, func, select, update
from sqlalchemy.exc import IntegrityError

import crypto
from client import wire
from crypto import canonical_json
from crypto.errors import CryptoError
from sealbid.errors import UsageError
from sealbid.uscc import validate as validate_uscc

from . import db
from ._faults import crash_point
from .auth import Principal, cert_sha256
from .config import Config
from .errors import (
    BadChecksum,
    BidInvalid,
    BidSection,
    BidSigner,
    BidTenderVersion,
    Conflict,
    DeadlinePassed,
    InvalidRequest,
    NoSubmission,
    NotFound,
    NotRegistered,
    UploadClosed,
    UploadDigest,
    UploadIncomplete,
    UploadOffset,
    UploadTooLarge,
    plain_messages,
)
from .receipts import (
    ReceiptSigner,
    append_audit,
    iso_seconds,
    receipt_text,
    verify_audit_chain,
)
from .store import BlobStore, UploadFiles, is_upload_id, striped_lock

__all__ = [
    "Platform",
    "load_pem_certificates",
    "pem_of",
    "read_password_file",
    "show_time",
    "tender_version_of",
]

log = logging.getLogger("sealbid.server")

MAX_DOCUMENT = 64 << 20


def load_pem_certificates(pem: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(pem.encode())
    except ValueError as exc:
        raise InvalidRequest(what="PEM 证书无法解析 / PEM certificates do not parse") from exc


def read_password_file(path: Path) -> bytes:
    """A password file: the first line, UTF-8 (a BOM and the line end are not part of it)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(what=f"{path}: 无法读取密码文件 / cannot read the password file") from exc
    lines = text.splitlines()
    return (lines[0] if lines else "").encode("utf-8")


def pem_of(certs: Sequence[x509.Certificate]) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)


def show_time(t: datetime) -> str:
    """A deadline as users read it: China Standard Time, zone named."""
    from datetime import timedelta, timezone

    return t.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S CST (UTC+8)")


def tender_version_of(docs: Sequence[Any]) -> str | None:
    """SHA-256 of the canonical JSON list of the section's documents (version, kind, name,
    sha256), in version order: any new document or clarification makes a new version."""
    if not docs:
        return None
    items = [
        {"version": d.version, "kind": d.kind, "name": d.name, "sha256": d.sha256}
        for d in sorted(docs, key=lambda d: d.version)
    ]
    return hashlib.sha256(canonical_json(items)).hexdigest()


def _new_id() -> str:
    return secrets.token_hex(16)


def _not_found(zh: str, en: str, code: str) -> NotFound:
    return NotFound(wire_code=code, what_zh=zh, what_en=en)


@dataclass(frozen=True)
class Upload:
    """An upload row, checked to belong to the caller."""

    row: Row[Any]
    section: Row[Any]


class Platform:
    """The platform's state: configuration, database, stores, receipt signer, trusted CAs."""

    def __init__(self, config: Config, database: db.Database, signer: ReceiptSigner) -> None:
        self.config = config
        self.db = database
        self.signer = signer
        self.blobs = BlobStore(config.data_dir / "blobs")
        self.documents = BlobStore(config.data_dir / "documents")
        self.parts = UploadFiles(config.data_dir / "uploads")
        from .opening import Openings

        self.openings = Openings(self)

    @classmethod
    def start(cls, config: Config) -> Platform:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        p12 = config.receipt_identity_path
        if not p12.exists():
            raise UsageError(
                what=f"{p12}: 没有平台回执签名证书，请用 --sandbox 或 --receipt-identity"
                f" / no receipt-signing identity: use --sandbox or --receipt-identity"
            )
        password = read_password_file(config.receipt_password_path)
        identity = crypto.load_identity(p12, password=password)
        platform = cls(config, db.Database.open(config.database_url), ReceiptSigner(identity))
        platform.recover()
        return platform

    def close(self) -> None:
        self.db.dispose()

    # --- start-up ----------------------------------------------------------------------------

    def recover(self) -> None:
        """Bring disk and database back into agreement after a crash (see the module doc).
        Runs before the platform serves, so no finish is in flight. Uploads past their expiry
        are ended here too (their partial files are removed)."""
        now = self.config.now()
        with self.db.write() as conn:
            expired = conn.execute(
                select(db.uploads.c.id, db.uploads.c.section_id).where(
                    db.uploads.c.state == "open", db.uploads.c.expires_at <= now
                )
            ).all()
            for row in expired:
                conn.execute(
                    update(db.uploads).where(db.uploads.c.id == row.id).values(state="expired")
                )
                append_audit(
                    conn,
                    at=now,
                    actor="platform",
                    action="upload.expire",
                    subject=row.id,
                    data={"section": row.section_id},
                )
        with self.db.read() as conn:
            referenced = set(conn.execute(select(db.submissions.c.file_sha256)).scalars())
            published = set(conn.execute(select(db.documents.c.sha256)).scalars())
        # Tender documents stored by a publish that crashed or was refused before its commit;
        # digests() also drops half-written .incoming-* files.
        for sha in list(self.documents.digests()):
            if sha not in published:
                log.warning("removing tender document file %s: no document refers to it", sha)
                self.documents.remove(sha)
        with self.db.read() as conn:
            open_uploads = {
                r.id: r
                for r in conn.execute(select(db.uploads).where(db.uploads.c.state == "open"))
            }
        for sha in list(self.blobs.digests()):
            if sha not in referenced:
                log.warning("removing stored file %s: no submission refers to it", sha)
                self.blobs.remove(sha)
        for sha in referenced:
            if not self.blobs.exists(sha):  # cannot happen with the order above; say so loudly
                log.error("submitted file %s is missing from the store", sha)
        for upload_id in list(self.parts.ids()):
            if upload_id not in open_uploads:
                self.parts.remove(upload_id)
        for upload_id, row in open_uploads.items():
            size = self.parts.size(upload_id)
            if size is None:
                self.parts.create(upload_id)
                size = 0
            if size < row.durable_offset:
                log.error("upload %s: file shorter than its recorded offset", upload_id)
                with self.db.write() as conn:
                    conn.execute(
                        update(db.uploads)
                        .where(db.uploads.c.id == upload_id)
                        .values(durable_offset=size)
                    )
        self.openings.recover()

    # --- helpers -------------------------------------------------------------------------------

    def trusted_cas(self) -> list[x509.Certificate]:
        with self.db.read() as conn:
            pems = conn.execute(select(db.trusted_cas.c.pem).order_by(db.trusted_cas.c.sha256))
            return [c for pem in pems.scalars() for c in load_pem_certificates(pem)]

    def add_trusted_ca(self, cert: x509.Certificate) -> None:
        sha = cert_sha256(cert)
        with self.db.write() as conn:
            if conn.execute(select(db.trusted_cas).where(db.trusted_cas.c.sha256 == sha)).first():
                return
            conn.execute(
                db.trusted_cas.insert().values(
                    sha256=sha, pem=pem_of([cert]), added_at=self.config.now()
                )
            )
            append_audit(
                conn,
                at=self.config.now(),
                actor="platform",
                action="ca.trust",
                subject=sha,
                data={"subject": cert.subject.rfc4514_string()},
            )

    def add_account(
        self,
        *,
        role: wire.Role,
        name: str,
        cert: x509.Certificate | None = None,
        org_code: str | None = None,
    ) -> str:
        """An account keyed by ``org_code`` (bidders, under any trusted CA) or by ``cert``'s
        subject DN together with the trusted CA that issued ``cert`` (staff): a certificate
        with the same DN from another trusted CA does not log in as this account."""
        issuer = None
        if org_code is not None:
            kind, key = "org", validate_uscc(org_code)
        elif cert is not None:
            kind, key = "dn", cert.subject.rfc4514_string()
            issuer = self._issuing_ca(cert)
        else:
            raise UsageError(what="account needs an org code or a certificate")
        with self.db.write() as conn:
            return self._ensure_account(
                conn, role=role, name=name, kind=kind, key=key, org=org_code, issuer=issuer
            )

    def _issuing_ca(self, cert: x509.Certificate) -> str:
        """SHA-256 of the trusted CA certificate that directly issued ``cert``."""
        for ca in self.trusted_cas():
            if ca.subject != cert.issuer:
                continue
            try:
                cert.verify_directly_issued_by(ca)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return cert_sha256(ca)
        raise UsageError(
            what=f"{cert.subject.rfc4514_string()}: 签发此证书的 CA 不是平台信任的 CA，请先用 --trust"
            f" 添加 / the certificate was not issued by a trusted CA: add its CA with --trust first"
        )

    def _ensure_account(
        self,
        conn: Connection,
        *,
        role: str,
        name: str,
        kind: str,
        key: str,
        org: str | None,
        issuer: str | None = None,
    ) -> str:
        row = conn.execute(
            select(db.accounts).where(db.accounts.c.key_kind == kind, db.accounts.c.key == key)
        ).first()
        if row is not None:
            if row.role != role:
                raise Conflict(what=f"{key} 已是 {row.role} 账户 / already a {row.role} account")
            if issuer is not None and row.issuer_sha256 != issuer:
                if row.issuer_sha256 is not None:
                    raise Conflict(what=f"{key} 已绑定另一个 CA / already bound to another CA")
                # An account from before accounts were bound to their CA: bound now.
                conn.execute(
                    update(db.accounts)
                    .where(db.accounts.c.id == row.id)
                    .values(issuer_sha256=issuer)
                )
            return str(row.id)
        account_id = _new_id()
        now = self.config.now()
        conn.execute(
            db.accounts.insert().values(
                id=account_id,
                role=role,
                key_kind=kind,
                key=key,
                name=name,
                org_code=org,
                created_at=now,
                issuer_sha256=issuer,
            )
        )
        data = {"role": role, "key_kind": kind, "key": key, "name": name}
        if issuer is not None:
            data["issuer_sha256"] = issuer
        append_audit(
            conn,
            at=now,
            actor="platform",
            action="account.create",
            subject=account_id,
            data=data,
        )
        return account_id

    def _section(self, conn: Connection, section_id: str, *, lock: bool = False) -> Row[Any]:
        q = select(db.sections).where(db.sections.c.id == section_id)
        if lock:
            q = q.with_for_update()
        row = conn.execute(q).first()
        if row is None:
            raise _not_found(f"标段 {section_id}", f"section {section_id}", "section.not_found")
        return row

    def _check_open(self, section: Row[Any], now: datetime) -> None:
        if now >= section.deadline:
            raise DeadlinePassed(deadline=show_time(section.deadline))

    def _check_registered(self, conn: Connection, p: Principal, section_id: str) -> None:
        if p.org_code is None or (
            conn.execute(
                select(db.section_bidders).where(
                    db.section_bidders.c.section_id == section_id,
                    db.section_bidders.c.org_code == p.org_code,
                )
            ).first()
            is None
        ):
            raise NotRegistered()

    def _section_wire(self, conn: Connection, row: Row[Any], now: datetime) -> wire.Section:
        docs = conn.execute(
            select(db.documents)
            .where(db.documents.c.section_id == row.id)
            .order_by(db.documents.c.version)
        ).all()
        return wire.Section(
            id=row.id,
            project_id=row.project_id,
            code=row.code,
            name=row.name,
            deadline=row.deadline,
            opening_time=row.opening_time,
            open_for_bids=now < row.deadline,
            tender_version=row.tender_version,
            form=wire.SummaryForm.model_validate_json(row.form),
            documents=tuple(
                wire.TenderDocument(
                    id=d.id,
                    version=d.version,
                    name=d.name,
                    size=d.size,
                    sha256=d.sha256,
                    published_at=d.published_at,
                    kind=d.kind,
                )
                for d in docs
            ),
        )

    # --- platform and catalogue ------------------------------------------------------------------

    def info(self) -> wire.PlatformInfo:
        ident = self.signer.identity
        return wire.PlatformInfo(
            platform_id=self.config.platform_id,
            name=self.config.platform_name,
            certificate_pem=pem_of([ident.signing_cert, *ident.chain]),
            trusted_ca_pem=pem_of(self.trusted_cas()),
        )

    def projects(self) -> list[wire.Project]:
        with self.db.read() as conn:
            rows = conn.execute(select(db.projects).order_by(db.projects.c.code)).all()
        return [wire.Project(id=r.id, code=r.code, name=r.name, sector=r.sector) for r in rows]

    def sections(self, project_id: str | None) -> list[wire.Section]:
        now = self.config.now()
        with self.db.read() as conn:
            q = select(db.sections).order_by(db.sections.c.project_id, db.sections.c.code)
            if project_id is not None:
                q = q.where(db.sections.c.project_id == project_id)
            return [self._section_wire(conn, r, now) for r in conn.execute(q).all()]

    def section(self, section_id: str) -> wire.Section:
        now = self.config.now()
        with self.db.read() as conn:
            return self._section_wire(conn, self._section(conn, section_id), now)

    def document(self, section_id: str, doc_id: str) -> tuple[Path, Row[Any]]:
        with self.db.read() as conn:
            self._section(conn, section_id)
            row = conn.execute(
                select(db.documents).where(
                    db.documents.c.id == doc_id, db.documents.c.section_id == section_id
                )
            ).first()
        if row is None:
            raise _not_found(f"文件 {doc_id}", f"document {doc_id}", "document.not_found")
        return self.documents.path(row.sha256), row

    # --- uploads -------------------------------------------------------------------------------

    def create_upload(self, p: Principal, section_id: str, body: wire.UploadCreate) -> wire.Upload:
        now = self.config.now()
        upload_id = _new_id()
        expires = now + self.config.upload_ttl
        if body.length > self.config.max_bid_size:
            # Before anything is created: no row, no .part file.
            raise UploadTooLarge(what=f"{body.length} > {self.config.max_bid_size} bytes")
        with self.db.write() as conn:
            section = self._section(conn, section_id)
            self._check_registered(conn, p, section_id)
            self._check_open(section, now)
            # At most ``max_open_uploads`` (1) open uploads per bidder and section: a new one
            # ends the oldest (a client starting over), so .part files cannot pile up.
            previous = conn.execute(
                select(db.uploads.c.id, db.uploads.c.durable_offset)
                .where(
                    db.uploads.c.section_id == section_id,
                    db.uploads.c.account_id == p.account_id,
                    db.uploads.c.state == "open",
                )
                .order_by(db.uploads.c.created_at.desc(), db.uploads.c.id)
            ).all()
            ended = []
            for old in previous[self.config.max_open_uploads - 1 :]:
                done = conn.execute(
                    update(db.uploads)
                    .where(db.uploads.c.id == old.id, db.uploads.c.state == "open")
                    .values(state="abandoned")
                ).rowcount
                if done:
                    ended.append(old.id)
                    append_audit(
                        conn,
                        at=now,
                        actor=p.actor,
                        action="upload.abandon",
                        subject=old.id,
                        data={
                            "section": section_id,
                            "offset": int(old.durable_offset),
                            "replaced_by": upload_id,
                        },
                    )
            # The file name first: a crash leaves an orphan .part that recover() removes,
            # never an upload row whose file is missing.
            self.parts.create(upload_id)
            conn.execute(
                db.uploads.insert().values(
                    id=upload_id,
                    section_id=section_id,
                    account_id=p.account_id,
                    length=body.length,
                    sha256=body.sha256,
                    durable_offset=0,
                    state="open",
                    created_at=now,
                    expires_at=expires,
                )
            )
            append_audit(
                conn,
                at=now,
                actor=p.actor,
                action="upload.create",
                subject=upload_id,
                data={"section": section_id, "length": body.length, "sha256": body.sha256},
            )
        for old_id in ended:
            # Under the upload's lock: a finish of it in flight ends first (and is refused).
            with striped_lock("upload", old_id):
                self.parts.remove(old_id)
        return wire.Upload(
            id=upload_id,
            offset=0,
            length=body.length,
            chunk_max=self.config.chunk_max,
            expires_at=expires,
        )

    def _own_upload(self, conn: Connection, p: Principal, upload_id: str) -> Upload:
        row = None
        if is_upload_id(upload_id):
            row = conn.execute(select(db.uploads).where(db.uploads.c.id == upload_id)).first()
        # Someone else's upload is reported as missing: its existence is not the caller's business.
        if row is None or row.account_id != p.account_id:
            raise _not_found(f"上传 {upload_id}", f"upload {upload_id}", "upload.not_found")
        return Upload(row, self._section(conn, row.section_id))

    def _check_writable(self, up: Upload, now: datetime) -> None:
        # The deadline first: at or after it, every write is refused as such (protocol.md),
        # whatever else is also wrong with the upload.
        self._check_open(up.section, now)
        if up.row.state != "open":
            raise UploadClosed(state=up.row.state)
        if now >= up.row.expires_at:
            raise UploadClosed(state="expired")

    def upload_state(self, p: Principal, upload_id: str) -> tuple[int, int]:
        """(durable offset, length)."""
        with self.db.read() as conn:
            up = self._own_upload(conn, p, upload_id)
        return int(up.row.durable_offset), int(up.row.length)

    def precheck_append(self, p: Principal, upload_id: str, offset: int | None) -> None:
        """The cheap refusals, before the chunk is read off the network (``offset`` None: the
        Upload-Offset header is missing or not a number)."""
        now = self.config.now()
        with self.db.read() as conn:
            up = self._own_upload(conn, p, upload_id)
        self._check_writable(up, now)
        if offset is None:
            raise InvalidRequest(what=f"{wire.HEADER_OFFSET} header")
        if offset != up.row.durable_offset:
            raise UploadOffset(offset=up.row.durable_offset)

    def append(
        self,
        p: Principal,
        upload_id: str,
        offset: int,
        checksum: str | None,
        data: bytes | bytearray,
    ) -> int:
        """Write one chunk at ``offset``; returns the new offset. Wrong offset: nothing written.
        Bad checksum: nothing written, the offset stays."""
        expected = _parse_checksum(checksum) if checksum is not None else None
        with striped_lock("upload", upload_id):
            now = self.config.now()
            with self.db.read() as conn:
                up = self._own_upload(conn, p, upload_id)
            self._check_writable(up, now)
            current = int(up.row.durable_offset)
            if offset != current:
                raise UploadOffset(offset=current)
            if expected is not None and hashlib.sha256(data).digest() != expected:
                raise BadChecksum()
            if offset + len(data) > up.row.length:
                raise UploadTooLarge(what=f"{offset}+{len(data)} > {up.row.length}")
            if not data:
                return current
            # Bytes durable first, offset recorded second (module doc, step 1).
            self.parts.append(upload_id, offset, data)
            crash_point("append.written")
            new = offset + len(data)
            with self.db.write() as conn:
                done = conn.execute(
                    update(db.uploads)
                    .where(
                        db.uploads.c.id == upload_id,
                        db.uploads.c.durable_offset == offset,
                        db.uploads.c.state == "open",
                    )
                    .values(durable_offset=new)
                ).rowcount
            if done != 1:
                raise UploadOffset(offset=self.upload_state(p, upload_id)[0])
            return new

    def abandon(self, p: Principal, upload_id: str) -> None:
        now = self.config.now()
        with striped_lock("upload", upload_id), self.db.write() as conn:
            up = self._own_upload(conn, p, upload_id)
            if up.row.state != "open":
                raise UploadClosed(state=up.row.state)
            conn.execute(
                update(db.uploads).where(db.uploads.c.id == upload_id).values(state="abandoned")
            )
            append_audit(
                conn,
                at=now,
                actor=p.actor,
                action="upload.abandon",
                subject=upload_id,
                data={"section": up.row.section_id, "offset": int(up.row.durable_offset)},
            )
        self.parts.remove(upload_id)

    # --- finish: verify, store, commit with the receipt ----------------------------------------------

    def finish(self, p: Principal, upload_id: str) -> wire.SignedReceipt:
        with striped_lock("upload", upload_id):
            now = self.config.now()
            with self.db.read() as conn:
                up = self._own_upload(conn, p, upload_id)
                if up.row.state == "finished":
                    status = conn.execute(
                        select(db.submissions.c.status).where(
                            db.submissions.c.id == up.row.submission_id
                        )
                    ).scalar_one()
                    if status != "current":
                        # Withdrawn or replaced since: that receipt no longer says what the
                        # platform holds, so it is not handed out as the answer to a finish.
                        raise UploadClosed(state=status)
                    # The answer was lost on the way: the same receipt again.
                    return self._receipt_of_submission(conn, up.row.submission_id)
            self._check_writable(up, now)
            length = int(up.row.length)
            if up.row.durable_offset != length:
                raise UploadIncomplete(offset=int(up.row.durable_offset), length=length)
            self.parts.truncate(upload_id, length)
            path = self.parts.path(upload_id)
            verified = self._verify_bid(p, path, up, now)
            if verified.sha256 != up.row.sha256:
                raise UploadDigest()
            crash_point("finish.verified")
            sha = verified.sha256
            with striped_lock("blob", sha):
                created = self.blobs.put_file(path, sha)
                crash_point("finish.stored")
                try:
                    signed = self._commit_submission(p, up, verified)
                except BaseException:
                    if created:
                        self._drop_unreferenced(sha)
                    raise
                crash_point("finish.committed")
        self.parts.remove(upload_id)
        return signed

    def _verify_bid(
        self, p: Principal, path: Path, up: Upload, now: datetime
    ) -> crypto.VerifiedBid:
        section = up.section
        trust = load_pem_certificates(section.trusted_ca_pem)
        try:
            verified = crypto.verify(path, trust=trust)
        except CryptoError as exc:
            why_zh, why_en = plain_messages(exc)
            log.info("upload %s refused: %s (%s)", up.row.id, exc.code, exc.detail)
            raise BidInvalid(wire_code=f"bid.{exc.code}", why_zh=why_zh, why_en=why_en) from exc
        signer = verified.signer
        # crypto.verify judges the path at the creation time the bidder signed; the platform
        # also wants the certificate valid now, by its own clock (a backdated "created" must
        # not carry an expired certificate in).
        if signer.not_valid_after_utc <= now or signer.not_valid_before_utc > now:
            expired = signer.not_valid_after_utc <= now
            raise BidInvalid(
                wire_code="bid.certificate." + ("expired" if expired else "not_yet_valid"),
                why_zh=f"签名证书在平台时间 {show_time(now)} 不在有效期内",
                why_en=f"the signing certificate is not valid at the platform's time {show_time(now)}",
            )
        if not p.holds(signer):
            raise BidSigner(
                signer=verified.info.bidder.get("name") or signer.subject.rfc4514_string()
            )
        if verified.info.section != section.id:
            raise BidSection(got=verified.info.section, want=section.id)
        if verified.info.tender_version != section.tender_version:
            raise BidTenderVersion(
                f"bid {verified.info.tender_version}, section {section.tender_version}"
            )
        return verified

    def _commit_submission(
        self, p: Principal, up: Upload, verified: crypto.VerifiedBid
    ) -> wire.SignedReceipt:
        section_id = up.section.id
        with self.db.write() as conn:
            section = self._section(conn, section_id, lock=True)
            # The reading that decides: taken under the section lock, inside the transaction
            # that commits the receipt, and written into the receipt.
            now = self.config.now()
            self._check_open(section, now)
            row = conn.execute(
                select(db.uploads).where(db.uploads.c.id == up.row.id).with_for_update()
            ).one()
            if row.state != "open":
                raise UploadClosed(state=row.state)
            if verified.info.tender_version != section.tender_version:
                raise BidTenderVersion("a clarification was published during the finish")
            submission_id = _new_id()
            conn.execute(
                update(db.submissions)
                .where(
                    db.submissions.c.section_id == section_id,
                    db.submissions.c.account_id == p.account_id,
                    db.submissions.c.status == "current",
                )
                .values(status="superseded")
            )
            signed = self._issue_receipt(
                conn,
                p,
                section,
                now,
                kind="submit",
                submission_id=submission_id,
                file_sha256=verified.sha256,
                file_size=int(row.length),
            )
            conn.execute(
                db.submissions.insert().values(
                    id=submission_id,
                    section_id=section_id,
                    account_id=p.account_id,
                    upload_id=row.id,
                    file_sha256=verified.sha256,
                    file_size=int(row.length),
                    received_at=now,
                    status="current",
                    receipt_seq=section.receipt_seq + 1,
                )
            )
            conn.execute(
                update(db.uploads)
                .where(db.uploads.c.id == row.id)
                .values(state="finished", submission_id=submission_id)
            )
        return signed

    def _issue_receipt(
        self,
        conn: Connection,
        p: Principal,
        section: Row[Any],
        now: datetime,
        *,
        kind: str,
        submission_id: str | None,
        file_sha256: str | None,
        file_size: int | None,
    ) -> wire.SignedReceipt:
        """Build, sign and record the next receipt of the locked ``section`` and its audit row."""
        sequence = int(section.receipt_seq) + 1
        receipt = wire.Receipt(
            kind=kind,  # type: ignore[arg-type]  # "submit" | "withdraw", checked by pydantic
            platform_id=self.config.platform_id,
            section_id=section.id,
            bidder=wire.Bidder(name=p.name, org_code=p.org_code, cert_sha256=p.cert_sha256),
            file_sha256=file_sha256,
            file_size=file_size,
            received_at=iso_seconds(now),
            sequence=sequence,
            previous_sha256=section.receipt_head,
        )
        text, receipt_sha = receipt_text(receipt)
        signature = self.signer.sign(text, at=now)
        conn.execute(
            db.receipts.insert().values(
                section_id=section.id,
                sequence=sequence,
                account_id=p.account_id,
                kind=kind,
                submission_id=submission_id,
                receipt=text,
                receipt_sha256=receipt_sha,
                signature=signature,
                created_at=now,
            )
        )
        conn.execute(
            update(db.sections)
            .where(db.sections.c.id == section.id)
            .values(receipt_seq=sequence, receipt_head=receipt_sha)
        )
        append_audit(
            conn,
            at=now,
            actor=p.actor,
            action=kind,
            subject=section.id,
            data={
                "sequence": sequence,
                "receipt_sha256": receipt_sha,
                "file_sha256": file_sha256,
                "file_size": file_size,
                "submission": submission_id,
            },
        )
        return ReceiptSigner.wire(text, signature)

    def _drop_unreferenced(self, sha: str) -> None:
        with self.db.read() as conn:
            n = conn.execute(
                select(func.count())
                .select_from(db.submissions)
                .where(db.submissions.c.file_sha256 == sha)
            ).scalar_one()
        if not n:
            self.blobs.remove(sha)

    def _receipt_of_submission(self, conn: Connection, submission_id: str) -> wire.SignedReceipt:
        row = conn.execute(
            select(db.receipts).where(
                db.receipts.c.submission_id == submission_id, db.receipts.c.kind == "submit"
            )
        ).one()
        return ReceiptSigner.wire(row.receipt, bytes(row.signature))

    # --- withdraw, own submission, own receipts ----------------------------------------------------

    def withdraw(self, p: Principal, section_id: str) -> wire.SignedReceipt:
        with self.db.write() as conn:
            section = self._section(conn, section_id, lock=True)
            now = self.config.now()
            self._check_open(section, now)
            current = conn.execute(
                select(db.submissions).where(
                    db.submissions.c.section_id == section_id,
                    db.submissions.c.account_id == p.account_id,
                    db.submissions.c.status == "current",
                )
            ).first()
            if current is None:
                raise NoSubmission()
            conn.execute(
                update(db.submissions)
                .where(db.submissions.c.id == current.id)
                .values(status="withdrawn")
            )
            # The withdrawal receipt names the file withdrawn; the file stays stored for audit.
            signed = self._issue_receipt(
                conn,
                p,
                section,
                now,
                kind="withdraw",
                submission_id=current.id,
                file_sha256=current.file_sha256,
                file_size=int(current.file_size),
            )
        return signed

    def submission(self, p: Principal, section_id: str) -> wire.SubmissionState:
        with self.db.read() as conn:
            self._section(conn, section_id)
            row = conn.execute(
                select(db.receipts)
                .where(
                    db.receipts.c.section_id == section_id,
                    db.receipts.c.account_id == p.account_id,
                )
                .order_by(db.receipts.c.sequence.desc())
                .limit(1)
            ).first()
        if row is None:
            return wire.SubmissionState(section_id=section_id, status="none")
        return wire.SubmissionState(
            section_id=section_id,
            status="submitted" if row.kind == "submit" else "withdrawn",
            latest=ReceiptSigner.wire(row.receipt, bytes(row.signature)),
        )

    def receipts(self, p: Principal, section_id: str | None) -> list[wire.SignedReceipt]:
        with self.db.read() as conn:
            q = (
                select(db.receipts)
                .where(db.receipts.c.account_id == p.account_id)
                .order_by(db.receipts.c.section_id, db.receipts.c.sequence)
            )
            if section_id is not None:
                q = q.where(db.receipts.c.section_id == section_id)
            rows = conn.execute(q).all()
        return [ReceiptSigner.wire(r.receipt, bytes(r.signature)) for r in rows]

    # --- admin and host ---------------------------------------------------------------------------------

    def create_project(self, p: Principal | None, body: wire.ProjectCreate) -> wire.Project:
        now = self.config.now()
        project_id = body.id or _new_id()
        with self.db.write() as conn:
            clash = conn.execute(
                select(db.projects).where(
                    (db.projects.c.id == project_id) | (db.projects.c.code == body.code)
                )
            ).first()
            if clash is not None:
                raise Conflict(what=f"项目 {body.code} 已存在 / project exists")
            conn.execute(
                db.projects.insert().values(
                    id=project_id,
                    code=body.code,
                    name=body.name,
                    sector=body.sector,
                    created_at=now,
                )
            )
            append_audit(
                conn,
                at=now,
                actor=p.actor if p else "platform",
                action="project.create",
                subject=project_id,
                data=body.model_dump(mode="json"),
            )
        return wire.Project(id=project_id, code=body.code, name=body.name, sector=body.sector)

    def create_section(self, p: Principal | None, body: wire.SectionCreate) -> wire.Section:
        now = self.config.now()
        section_id = body.id or _new_id()
        if body.deadline.tzinfo is None or body.opening_time.tzinfo is None:
            raise InvalidRequest(what="时间须带时区 / times need a time zone (…Z)")
        if body.opening_time < body.deadline:
            raise InvalidRequest(what="开标时间早于投标截止时间 / opening before the deadline")
        keys = [f.key for f in body.form.fields]
        if len(set(keys)) != len(keys):
            raise InvalidRequest(what="开标一览表字段重复 / duplicate form field keys")
        trust_pem = body.trusted_ca_pem or pem_of(self.trusted_cas())
        if not load_pem_certificates(trust_pem):
            raise InvalidRequest(what="没有受信任的 CA / no trusted CA")
        with self.db.write() as conn:
            if (
                conn.execute(select(db.projects).where(db.projects.c.id == body.project_id)).first()
                is None
            ):
                raise _not_found(
                    f"项目 {body.project_id}", f"project {body.project_id}", "project.not_found"
                )
            if conn.execute(select(db.sections).where(db.sections.c.id == section_id)).first():
                raise Conflict(what=f"标段 {section_id} 已存在 / section exists")
            conn.execute(
                db.sections.insert().values(
                    id=section_id,
                    project_id=body.project_id,
                    code=body.code,
                    name=body.name,
                    deadline=body.deadline,
                    opening_time=body.opening_time,
                    form=body.form.model_dump_json(),
                    trusted_ca_pem=trust_pem,
                    doc_version=0,
                    tender_version=None,
                    receipt_seq=0,
                    receipt_head="0" * 64,
                    created_at=now,
                )
            )
            append_audit(
                conn,
                at=now,
                actor=p.actor if p else "platform",
                action="section.create",
                subject=section_id,
                data={
                    **body.model_dump(mode="json", exclude={"trusted_ca_pem"}),
                    "trusted_ca_sha256": hashlib.sha256(trust_pem.encode()).hexdigest(),
                },
            )
            return self._section_wire(conn, self._section(conn, section_id), now)

    def publish_document(
        self, p: Principal | None, section_id: str, name: str, kind: str, data: bytes
    ) -> wire.TenderDocument:
        from crypto.names import check_document_name

        try:
            check_document_name(name)
        except CryptoError as exc:
            raise InvalidRequest(what=plain_messages(exc)[0]) from exc
        if kind not in ("tender", "clarification"):
            raise InvalidRequest(what="kind: tender | clarification")
        if len(data) > MAX_DOCUMENT:
            raise UploadTooLarge(what=f"> {MAX_DOCUMENT} bytes")
        # Checked before the file is stored (and again under the lock below): a refused
        # document leaves no file behind.
        with self.db.read() as conn:
            self._check_open(self._section(conn, section_id), self.config.now())
        sha, size = self.documents.put_stream(iter([data]))
        doc_id = _new_id()
        with self.db.write() as conn:
            section = self._section(conn, section_id, lock=True)
            now = self.config.now()
            # A new tender version after the deadline would invalidate every bid submitted.
            self._check_open(section, now)
            version = int(section.doc_version) + 1
            conn.execute(
                db.documents.insert().values(
                    id=doc_id,
                    section_id=section_id,
                    version=version,
                    name=name,
                    kind=kind,
                    size=size,
                    sha256=sha,
                    published_at=now,
                )
            )
            docs = conn.execute(
                select(db.documents).where(db.documents.c.section_id == section_id)
            ).all()
            tender_version = tender_version_of(docs)
            conn.execute(
                update(db.sections)
                .where(db.sections.c.id == section_id)
                .values(doc_version=version, tender_version=tender_version)
            )
            append_audit(
                conn,
                at=now,
                actor=p.actor if p else "platform",
                action="document.publish",
                subject=section_id,
                data={
                    "document": doc_id,
                    "version": version,
                    "name": name,
                    "kind": kind,
                    "sha256": sha,
                    "size": size,
                    "tender_version": tender_version,
                },
            )
        return wire.TenderDocument(
            id=doc_id,
            version=version,
            name=name,
            size=size,
            sha256=sha,
            published_at=now,
            kind=kind,  # type: ignore[arg-type]  # checked above
        )

    def register_bidder(
        self, p: Principal | None, section_id: str, body: wire.BidderRegistration
    ) -> wire.BidderRegistration:
        """Idempotent, also when two registrations race (the loser's insert conflicts; its
        second attempt finds what the winner committed)."""
        try:
            return self._register_bidder(p, section_id, body)
        except IntegrityError:
            return self._register_bidder(p, section_id, body)

    def _register_bidder(
        self, p: Principal | None, section_id: str, body: wire.BidderRegistration
    ) -> wire.BidderRegistration:
        try:
            org = validate_uscc(body.org_code)
        except UsageError as exc:
            raise InvalidRequest(what=plain_messages(exc)[0]) from exc
        now = self.config.now()
        with self.db.write() as conn:
            self._section(conn, section_id, lock=True)
            self._ensure_account(conn, role="bidder", name=body.name, kind="org", key=org, org=org)
            exists = conn.execute(
                select(db.section_bidders).where(
                    db.section_bidders.c.section_id == section_id,
                    db.section_bidders.c.org_code == org,
                )
            ).first()
            if exists is None:
                conn.execute(
                    db.section_bidders.insert().values(
                        section_id=section_id, org_code=org, name=body.name, registered_at=now
                    )
                )
                append_audit(
                    conn,
                    at=now,
                    actor=p.actor if p else "platform",
                    action="bidder.register",
                    subject=section_id,
                    data={"org_code": org, "name": body.name},
                )
        return wire.BidderRegistration(org_code=org, name=body.name)

    def registered_bidders(self, section_id: str) -> list[wire.BidderRegistration]:
        with self.db.read() as conn:
            self._section(conn, section_id)
            rows = conn.execute(
                select(db.section_bidders)
                .where(db.section_bidders.c.section_id == section_id)
                .order_by(db.section_bidders.c.registered_at, db.section_bidders.c.org_code)
            ).all()
        return [wire.BidderRegistration(org_code=r.org_code, name=r.name) for r in rows]

    def verify_audit(self) -> int:
        """Check the whole audit log's hash chain and that it ends at the recorded head.
        Returns the number of rows; raises :class:`server.receipts.AuditChainError`."""
        with self.db.read() as conn:
            head = conn.execute(select(db.audit_head.c.sha256)).scalar_one()
            rows = conn.execute(select(db.audit).order_by(db.audit.c.seq)).mappings().all()
        return verify_audit_chain(rows, head=head)

    def audit(self, after: int, limit: int) -> list[wire.AuditEntry]:
        import json

        with self.db.read() as conn:
            rows = conn.execute(
                select(db.audit).where(db.audit.c.seq > after).order_by(db.audit.c.seq).limit(limit)
            ).all()
        return [
            wire.AuditEntry(
                seq=r.seq,
                at=r.at,
                actor=r.actor,
                action=r.action,
                subject=r.subject,
                data=json.loads(r.data),
                prev_sha256=r.prev_sha256,
                sha256=r.sha256,
            )
            for r in rows
        ]


def _parse_checksum(header: str) -> bytes:
    algo, _, value = header.strip().partition(" ")
    if algo.lower() != "sha256":
        raise InvalidRequest(what="Upload-Checksum: sha256 <base64>")
    try:
        digest = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidRequest(what="Upload-Checksum: bad base64") from exc
    if len(digest) != 32:
        raise InvalidRequest(what="Upload-Checksum: not a SHA-256")
    return digest
