"""Table pieces shared by the opening hall and the opening console: the objections table, the
colour of a decryption status and the role under which a cell gives its raw value.

    model = ObjectionsModel(parent)
    model.own_org_code = "91110000…"      # the hall: the bidder's own objections marked
    model.set_rows(state.objections)
    model.data(model.index(0, 2), RAW_ROLE)   # the datetime, not its text

Models hold plain wire objects and are replaced as a whole (``RowsModel.set_rows``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from client import wire

from .widgets import RowsModel, fmt_time

__all__ = ["AMBER", "GREEN", "RAW_ROLE", "RED", "ObjectionsModel", "OpeningRows", "status_brush"]

RAW_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""The item role under which a cell gives its raw value (a number, a datetime, a status key)."""

GREEN = QColor("#1b7f3b")
RED = QColor("#b00020")
AMBER = QColor("#a05a00")

_Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")


def status_brush(status: str) -> QBrush | None:
    """The colour of a decryption status: opened green, the bidder's failures red, the
    platform's (withdrawn, 撤回) amber."""
    if status == "opened":
        return QBrush(GREEN)
    if status in ("failed", "revoked"):
        return QBrush(RED)
    if status == "withdrawn":
        return QBrush(AMBER)
    return None


class OpeningRows(RowsModel[R]):
    """A table of an opening: ``COLUMNS`` columns headed by ``headers()``; the signed-in
    bidder's own rows are known by ``own_org_code`` (the hall sets it). Subclasses give
    ``headers`` and ``data``."""

    COLUMNS = 0

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.own_org_code: str | None = None

    def is_own(self, org_code: str | None) -> bool:
        return self.own_org_code is not None and org_code == self.own_org_code

    def headers(self) -> list[str]:
        raise NotImplementedError

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        headers = self.headers()
        return headers[section] if 0 <= section < len(headers) else None


class ObjectionsModel(OpeningRows[wire.Objection]):
    """The objections of an opening with the host's answers; the signed-in bidder's own are
    marked when ``own_org_code`` is set."""

    COLUMNS = 6

    def is_mine(self, o: wire.Objection) -> bool:
        return self.is_own(o.org_code)

    def headers(self) -> list[str]:
        return [
            self.tr("No."),
            self.tr("Raised by"),
            self.tr("Raised at"),
            self.tr("Objection"),
            self.tr("Answer"),
            self.tr("Answered"),
        ]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        o = self.row(index.row())
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return str(o.id)
            if col == 1:
                return o.raised_by + (self.tr(" (you)") if self.is_mine(o) else "")
            if col == 2:
                return fmt_time(o.raised_at)
            if col == 3:
                return o.text
            if col == 4:
                return o.answer if o.answer else self.tr("Not answered")
            if o.answered_at is None:
                return "—"
            return "{} {}".format(o.answered_by or "", fmt_time(o.answered_at)).strip()
        if role == Qt.ItemDataRole.ToolTipRole and col in (3, 4):
            return o.text if col == 3 else (o.answer or "")
        if role == Qt.ItemDataRole.ForegroundRole and col == 4 and not o.answer:
            return QBrush(RED)
        if role == RAW_ROLE:
            return [o.id, o.raised_by, o.raised_at, o.text, o.answer, o.answered_at][col]
        return None
