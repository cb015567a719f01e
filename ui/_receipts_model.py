"""Receipts kept on this computer, as rows: loading and offline verification, and the table model.

    entries = load_store(job, state_dir / "receipts")     # in a worker: read + verify each file
    model = ReceiptTableModel()
    model.set_rows(entries)                               # on the GUI thread
    entry = model.row(row)                                # ReceiptEntry: path, parsed, verified, error

Verification is exactly what ``sealbid receipts`` does for the local store
(``sealbid/cli_platform.py``, ``cmd_receipts``): the receipt's platform must be the one whose
folder keeps it, and the platform certificate saved there (``ReceiptStore.pinned_beside``) pins
the signer; a receipt with no saved platform certificate verifies only against the chain it
carries (*unanchored*, 未锚定). Both pages use :func:`receipt_fields` to show a receipt.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from client import wire
from client.receipts import ReceiptStore, VerifiedReceipt, verify_receipt
from sealbid.errors import SealBidError

from .tasks import Job
from .widgets import RowsModel, fmt_size, fmt_time

__all__ = [
    "AMBER",
    "GREEN",
    "RED",
    "SORT_ROLE",
    "ReceiptEntry",
    "ReceiptTableModel",
    "load_store",
    "parse_receipt",
    "receipt_fields",
    "trust_text",
    "verify_stored",
]

SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
ENTRY_ROLE = int(Qt.ItemDataRole.UserRole)
RED = "#c62828"
AMBER = "#a15c00"
GREEN = "#2e7d32"

_Index = QModelIndex | QPersistentModelIndex


def parse_receipt(text: str) -> wire.Receipt | None:
    """The receipt's fields without verifying anything (to show a receipt that failed)."""
    try:
        return wire.Receipt.model_validate_json(text)
    except (ValidationError, ValueError):
        return None


def received_time(receipt: wire.Receipt | None) -> datetime | None:
    if receipt is None:
        return None
    try:
        return datetime.strptime(receipt.received_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class ReceiptEntry:
    """One receipt file of the local store and what its offline check found."""

    path: Path
    signed: wire.SignedReceipt | None
    """The file's content; None when it is not a receipt file at all."""
    receipt: wire.Receipt | None
    """Its fields (parsed even when the signature does not verify)."""
    verified: VerifiedReceipt | None
    """Set when the platform signature and certificate path checked out."""
    error: BaseException | None = None
    """Why it did not verify."""

    @property
    def receipt_sha256(self) -> str:
        if self.verified is not None:
            return self.verified.sha256
        if self.signed is not None:
            return hashlib.sha256(self.signed.receipt.encode("utf-8")).hexdigest()
        return ""

    @property
    def received_at(self) -> datetime | None:
        return received_time(self.receipt)

    @property
    def anchored(self) -> bool:
        return self.verified is not None and self.verified.trust != "embedded"


def verify_stored(path: Path) -> ReceiptEntry:
    """Load and verify one stored receipt offline, as ``sealbid receipts`` does (worker side).

    Never raises for a bad file: the failure is kept in the entry, so one bad file does not
    hide the others."""
    path = Path(path)
    signed: wire.SignedReceipt | None = None
    try:
        signed = ReceiptStore.load(path)
        # The receipt's platform must be the one whose folder keeps it, and with the
        # platform's certificate saved there, the signer is pinned to it.
        beside = ReceiptStore.pinned_beside(path, signed)
        platform_id, pinned = beside if beside is not None else ("\0", None)
        verified = verify_receipt(signed, pinned=pinned, platform_id=platform_id)
    except SealBidError as exc:
        parsed = parse_receipt(signed.receipt) if signed is not None else None
        return ReceiptEntry(path, signed, parsed, None, exc)
    verified = dataclasses.replace(verified, path=path)
    return ReceiptEntry(path, signed, verified.receipt, verified)


def load_store(job: Job, root: str) -> list[ReceiptEntry]:
    """Every receipt file of the store at ``root``, each verified offline (a worker)."""
    paths = ReceiptStore(Path(root)).list()
    out = []
    for i, path in enumerate(paths, 1):
        job.check()
        out.append(verify_stored(path))
        job.progress(i, len(paths))
    return out


def trust_text(verified: VerifiedReceipt) -> str:
    """Where the trust came from, as a sentence (``sealbid receipt verify`` says the same)."""
    texts = {
        "platform-cert": QCoreApplication.translate(
            "ReceiptsPage", "Anchored at a platform certificate you gave (signer pinned)"
        ),
        "platform-info": QCoreApplication.translate(
            "ReceiptsPage", "Anchored at the platform's published certificate (signer pinned)"
        ),
        "stored": QCoreApplication.translate(
            "ReceiptsPage",
            "Anchored at the platform certificate saved on this computer (signer pinned)",
        ),
        "embedded": QCoreApplication.translate(
            "ReceiptsPage",
            "UNANCHORED: checked only against the chain the receipt carries; the signer is not"
            " pinned to the platform's certificate, so this is not a full verification",
        ),
    }
    return texts.get(verified.trust, verified.trust)


def kind_text(kind: str) -> str:
    return (
        QCoreApplication.translate("ReceiptsPage", "Submission")
        if kind == "submit"
        else QCoreApplication.translate("ReceiptsPage", "Withdrawal")
    )


def receipt_fields(
    receipt: wire.Receipt, *, receipt_sha256: str = "", short: bool = False
) -> list[tuple[str, str]]:
    """(label, value) pairs describing a receipt, every field in full unless ``short``."""
    received = received_time(receipt)
    rows = [
        (QCoreApplication.translate("ReceiptsPage", "Kind"), kind_text(receipt.kind)),
        (QCoreApplication.translate("ReceiptsPage", "Section"), receipt.section_id),
    ]
    if not short:
        rows.append((QCoreApplication.translate("ReceiptsPage", "Platform"), receipt.platform_id))
    rows.append((QCoreApplication.translate("ReceiptsPage", "Bidder"), receipt.bidder.name))
    if not short:
        rows += [
            (
                QCoreApplication.translate("ReceiptsPage", "Unified social credit code"),
                receipt.bidder.org_code or "—",
            ),
            (
                QCoreApplication.translate("ReceiptsPage", "Bidder certificate SHA-256"),
                receipt.bidder.cert_sha256,
            ),
        ]
    if receipt.kind == "submit":
        rows.append(
            (QCoreApplication.translate("ReceiptsPage", "File SHA-256"), receipt.file_sha256 or "—")
        )
        size = receipt.file_size
        rows.append(
            (
                QCoreApplication.translate("ReceiptsPage", "File size"),
                "—"
                if size is None
                else QCoreApplication.translate("ReceiptsPage", "{0} ({1} bytes)").format(
                    fmt_size(size), f"{size:,}"
                ),
            )
        )
    rows.append(
        (
            QCoreApplication.translate("ReceiptsPage", "Received by the platform"),
            fmt_time(received) + ("" if short else f"  ({receipt.received_at} UTC)"),
        )
    )
    rows.append((QCoreApplication.translate("ReceiptsPage", "Sequence"), str(receipt.sequence)))
    if not short:
        rows.append(
            (
                QCoreApplication.translate("ReceiptsPage", "Previous receipt SHA-256"),
                receipt.previous_sha256,
            )
        )
        if receipt_sha256:
            rows.append(
                (
                    QCoreApplication.translate("ReceiptsPage", "This receipt's SHA-256"),
                    receipt_sha256,
                )
            )
    return rows


def fields_html(rows: list[tuple[str, str]]) -> str:
    """A two-column HTML table of (label, value) pairs, values escaped and selectable."""
    cells = "".join(
        f"<tr><td style='padding-right:12px;color:#555'>{html.escape(k)}</td>"
        f"<td style='font-family:monospace'>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<table>{cells}</table>"


class ReceiptTableModel(RowsModel[ReceiptEntry]):
    """The receipts of the local store, one row each (see the module docstring)."""

    KIND, SECTION, BIDDER, RECEIVED, SHA256, SIZE, SEQUENCE, STATUS = range(8)

    # -- content --

    def row_of(self, path: Path) -> int:
        return self.row_where(lambda e: e.path == path)

    def update(self, entry: ReceiptEntry) -> None:
        row = self.row_of(entry.path)
        if row < 0:
            return
        self._rows[row] = entry
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    # -- QAbstractTableModel --

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else 8

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            self.tr("Kind"),
            self.tr("Section"),
            self.tr("Bidder"),
            self.tr("Received (UTC+8)"),
            self.tr("File SHA-256"),
            self.tr("Size"),
            self.tr("Sequence"),
            self.tr("Verification"),
        )[section]

    def status_text(self, e: ReceiptEntry) -> str:
        if e.verified is None:
            return self.tr("Invalid")
        if e.verified.trust == "embedded":
            return self.tr("Intact, unanchored")
        return self.tr("Verified")

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        e = self._rows[index.row()]
        r = e.receipt
        col = index.column()
        if role == ENTRY_ROLE:
            return e
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(e, r, col)
        if role == SORT_ROLE:
            if col == self.RECEIVED:
                t = e.received_at
                return t.timestamp() if t else 0.0
            if col == self.SIZE:
                return (r.file_size or 0) if r else 0
            if col == self.SEQUENCE:
                return r.sequence if r else 0
            return self._display(e, r, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.SHA256 and r is not None:
                return r.file_sha256
            if col == self.STATUS:
                if e.error is not None:
                    return _error_text(e.error)
                if e.verified is not None:
                    return trust_text(e.verified)
            if col in (self.SECTION, self.KIND):
                return str(e.path)
        if role == Qt.ItemDataRole.ForegroundRole and col == self.STATUS:
            if e.verified is None:
                return QBrush(QColor(RED))
            return QBrush(QColor(AMBER if e.verified.trust == "embedded" else GREEN))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.SIZE, self.SEQUENCE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, e: ReceiptEntry, r: wire.Receipt | None, col: int) -> str:
        if col == self.STATUS:
            return self.status_text(e)
        if r is None:
            return e.path.name if col == self.KIND else "—"
        if col == self.KIND:
            return kind_text(r.kind)
        if col == self.SECTION:
            return r.section_id
        if col == self.BIDDER:
            return r.bidder.name
        if col == self.RECEIVED:
            return fmt_time(e.received_at)
        if col == self.SHA256:
            return (r.file_sha256 or "—")[:16]
        if col == self.SIZE:
            return fmt_size(r.file_size) if r.file_size is not None else "—"
        if col == self.SEQUENCE:
            return str(r.sequence)
        return ""


def _error_text(exc: BaseException) -> str:
    from .errors import describe_error

    return describe_error(exc)
