"""Receipts (回执) signed by the platform, and the hash-chained append-only audit log.

    signer = ReceiptSigner(load_identity(p12, password=pw))
    text, sha = receipt_text(wire.Receipt(...))        # the canonical JSON: the signed bytes
    signed = signer.sign(text, at=now)                 # wire.SignedReceipt (CMS, detached)
    append_audit(conn, at=now, actor="org:9134…", action="submit", subject="S-1", data={...})
    verify_audit_chain(rows)                           # raises AuditChainError

A receipt's ``previous_sha256`` is the SHA-256 of the previous receipt's canonical JSON in the same
section (64 zeros for the first), so a removed or changed receipt breaks every later one. An audit
row's ``sha256`` is over its canonical JSON (every field except ``sha256``, ``prev_sha256``
included). Anyone checks a receipt with OpenSSL alone::

    openssl cms -verify -binary -inform DER -in sig.p7s -content receipt.json -CAfile ca.pem
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from client import wire
from crypto import Identity, canonical_json
from sealbid.errors import SealBidError

from . import db

__all__ = [
    "GENESIS",
    "AuditChainError",
    "ReceiptSigner",
    "append_audit",
    "audit_row_sha256",
    "iso_micro",
    "iso_seconds",
    "receipt_text",
    "verify_audit_chain",
]

GENESIS = "0" * 64


class AuditChainError(SealBidError):
    code = "audit.chain"
    zh = "审计日志第 {seq} 条的哈希链断开，日志已被改动。"
    en = "The audit log's hash chain breaks at row {seq}; the log was altered."


def iso_seconds(t: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``, truncated (never rounded up past a deadline)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_micro(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def receipt_text(receipt: wire.Receipt) -> tuple[str, str]:
    """The receipt's canonical JSON and its SHA-256 (hex)."""
    data = canonical_json(receipt.model_dump(mode="json"))
    return data.decode(), hashlib.sha256(data).hexdigest()


class ReceiptSigner:
    """Signs receipts with the platform's receipt identity (detached CMS SignedData)."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def sign(self, text: str, *, at: datetime) -> bytes:
        return self.identity.sign_detached(text.encode(), signing_time=at)

    @staticmethod
    def wire(text: str, signature: bytes) -> wire.SignedReceipt:
        return wire.SignedReceipt(
            receipt=text, signature=base64.b64encode(signature).decode("ascii")
        )


def audit_row_sha256(row: Mapping[Any, Any]) -> str:
    """SHA-256 of an audit row's canonical JSON: every field but ``sha256``; ``data`` is the
    parsed object."""
    body = {
        "seq": int(row["seq"]),
        "at": row["at"],
        "actor": row["actor"],
        "action": row["action"],
        "subject": row["subject"],
        "data": json.loads(row["data"]) if isinstance(row["data"], str) else row["data"],
        "prev_sha256": row["prev_sha256"],
    }
    return hashlib.sha256(canonical_json(body)).hexdigest()


def append_audit(
    conn: Connection,
    *,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Append one row inside the caller's transaction. The head row is locked first, so
    concurrent appends serialise (PostgreSQL); SQLite writers are serialised already."""
    head = conn.execute(
        select(db.audit_head).where(db.audit_head.c.id == 1).with_for_update()
    ).one()
    row: dict[str, Any] = {
        "seq": int(head.seq) + 1,
        "at": iso_micro(at),
        "actor": actor,
        "action": action,
        "subject": subject,
        "data": canonical_json(dict(data)).decode(),
        "prev_sha256": head.sha256,
    }
    row["sha256"] = audit_row_sha256(row)
    conn.execute(db.audit.insert().values(**row))
    conn.execute(
        update(db.audit_head)
        .where(db.audit_head.c.id == 1)
        .values(seq=row["seq"], sha256=row["sha256"])
    )
    return row


def verify_audit_chain(rows: Iterable[Mapping[Any, Any]], *, head: str | None = None) -> int:
    """Check that ``rows`` (in ``seq`` order, from 1) form an unbroken chain, and end at
    ``head`` when given. Returns the number of rows; raises :class:`AuditChainError`."""
    prev = GENESIS
    n = 0
    for row in rows:
        n += 1
        seq = int(row["seq"])
        if seq != n or row["prev_sha256"] != prev or audit_row_sha256(row) != row["sha256"]:
            raise AuditChainError(seq=seq)
        prev = row["sha256"]
    if head is not None and head != prev:
        raise AuditChainError(seq=n + 1)
    return n
