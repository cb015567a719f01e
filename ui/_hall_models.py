"""The opening hall's tables: the published bidder list and the results (唱标).

    texts = OpeningText()
    model = ResultsModel(texts); model.set_form(section.form); model.set_rows(state.bidders)

Models hold plain wire objects and are replaced as a whole (``RowsModel.set_rows``); the raw
value of a cell is under ``RAW_ROLE`` (the displayed text formats money with 大写). The
objections table, the status colours and ``RAW_ROLE`` are shared with the opening console
(``_opening_models``); the names and event lines are in ``_opening_text``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from client import wire
from sealbid.errors import SealBidError
from sealbid.money import display

from ._opening_models import RAW_ROLE, OpeningRows, status_brush
from ._opening_text import OpeningText
from .widgets import fmt_time

__all__ = ["BiddersModel", "ResultsModel"]

_Index = QModelIndex | QPersistentModelIndex


def _styled(b: wire.BidderEntry, role: int, status_column: bool, mine: bool) -> Any:
    """The own row in bold; the decryption status in its colour."""
    if role == Qt.ItemDataRole.FontRole and mine:
        font = QFont()
        font.setBold(True)
        return font
    if role == Qt.ItemDataRole.ForegroundRole and status_column:
        return status_brush(b.decryption)
    return None


class BiddersModel(OpeningRows[wire.BidderEntry]):
    """The published bidder list: number, name, credit code, sign-in, decryption."""

    COLUMNS = 5

    def __init__(self, texts: OpeningText, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.texts = texts

    def headers(self) -> list[str]:
        return [
            self.tr("No."),
            self.tr("Bidder"),
            self.tr("Credit code"),
            self.tr("Signed in"),
            self.tr("Decryption"),
        ]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        b = self.row(index.row())
        col = index.column()
        mine = self.is_own(b.org_code)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return str(b.number)
            if col == 1:
                return b.name + (self.tr(" (you)") if mine else "")
            if col == 2:
                return b.org_code or "—"
            if col == 3:
                return fmt_time(b.signed_in_at) if b.signed_in_at else self.tr("not signed in")
            return self.texts.decryption(b.decryption)
        if role == RAW_ROLE:
            return [b.number, b.name, b.org_code, b.signed_in_at, b.decryption][col]
        return _styled(b, role, col == 4, mine)


class ResultsModel(OpeningRows[wire.BidderEntry]):
    """唱标: every bid's summary after close, one column per summary field (the form's order
    and labels when known), and why a bid did not open."""

    _FIXED = 4

    def __init__(self, texts: OpeningText, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.texts = texts
        self._form: dict[str, wire.FormField] = {}
        self.keys: list[str] = []

    def set_form(self, form: wire.SummaryForm | None) -> None:
        self.beginResetModel()
        self._form = {f.key: f for f in form.fields} if form is not None else {}
        self.keys = self._keys(self._rows)
        self.endResetModel()

    def set_rows(self, rows: Any) -> None:
        rows = list(rows)
        self.beginResetModel()
        self._rows = rows
        self.keys = self._keys(rows)
        self.endResetModel()

    def _keys(self, rows: list[wire.BidderEntry]) -> list[str]:
        seen: list[str] = []
        for b in rows:
            for k in b.summary or {}:
                if k not in seen:
                    seen.append(k)
        order = list(self._form)
        return sorted(seen, key=lambda k: order.index(k) if k in order else len(order))

    def column_of(self, key: str) -> int:
        """The column showing summary field ``key`` (-1: none)."""
        return self._FIXED + self.keys.index(key) if key in self.keys else -1

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._FIXED + len(self.keys) + 1

    def headers(self) -> list[str]:
        fixed = [self.tr("No."), self.tr("Bidder"), self.tr("Credit code"), self.tr("Decryption")]
        return [*fixed, *(self._label(k) for k in self.keys), self.tr("Cause (not opened)")]

    def _label(self, key: str) -> str:
        f = self._form.get(key)
        if f is None:
            return key
        return f"{f.label}（{f.unit}）" if f.unit and f.type != "money" else f.label

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        b = self.row(index.row())
        col = index.column()
        summary = b.summary or {}
        mine = self.is_own(b.org_code)
        if role in (Qt.ItemDataRole.DisplayRole, RAW_ROLE):
            raw = role == RAW_ROLE
            if col == 0:
                return b.number if raw else str(b.number)
            if col == 1:
                return b.name if raw else b.name + (self.tr(" (you)") if mine else "")
            if col == 2:
                return b.org_code if raw else (b.org_code or "—")
            if col == 3:
                return b.decryption if raw else self.texts.decryption(b.decryption)
            i = col - self._FIXED
            if i < len(self.keys):
                value = summary.get(self.keys[i])
                if raw:
                    return value
                return self._shown(self.keys[i], value)
            return b.cause if raw else (b.cause or "")
        return _styled(b, role, col == 3, mine)

    def _shown(self, key: str, value: Any) -> str:
        if value is None:
            return "—"
        f = self._form.get(key)
        if f is not None and f.type == "money":
            try:
                return display(str(value), f.unit)
            except SealBidError:
                return str(value)
        return str(value)
