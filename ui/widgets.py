"""Small shared pieces of the screens: time and size formatting, the Page base class.

    fmt_time(dt)            # "2026-11-26 09:00:00 北京时间" (UTC+8, zone named, style of the brief)
    fmt_size(1536)          # "1.5 KiB"
    fmt_countdown(delta)    # "2 天 03:04:05" / "2 d 03:04:05"; "已截止" / "closed" when ≤ 0

Pages take the :class:`~ui.context.AppContext`, build their widgets in ``__init__`` and do
every slow thing through :func:`ui.tasks.run_task`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from typing import Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
)
from PySide6.QtWidgets import QAbstractItemView, QMessageBox, QTableView, QWidget

from .context import AppContext
from .i18n import current_language

__all__ = [
    "CST",
    "Page",
    "RowsModel",
    "ask_yes_no",
    "fmt_countdown",
    "fmt_size",
    "fmt_time",
    "row_table",
]

R = TypeVar("R")

CST = timezone(timedelta(hours=8), "CST")


def fmt_time(t: datetime | None, *, seconds: bool = True) -> str:
    if t is None:
        return "—"
    local = t.astimezone(CST)
    text = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    zone = "北京时间" if current_language().startswith("zh") else "UTC+8"
    return f"{text} {zone}"


def fmt_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def fmt_countdown(delta: timedelta) -> str:
    zh = current_language().startswith("zh")
    total = math.ceil(delta.total_seconds())  # 0.4 s left is not "closed"
    if total <= 0:
        return "已截止" if zh else "closed"
    days, rest = divmod(total, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    clock = f"{h:02d}:{m:02d}:{s:02d}"
    if days:
        return f"{days} 天 {clock}" if zh else f"{days} d {clock}"
    return clock


class Page(QWidget):
    """A screen of the main window. ``key`` names it for navigation."""

    key = ""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def title(self) -> str:
        """The translated name in the navigation list."""
        raise NotImplementedError

    def show_item(self, item: object) -> None:
        """Navigation asked this page to show ``item`` (a section id, a path …)."""

    def activated(self) -> None:
        """The page became the visible one (refresh what may have changed)."""

    def closing(self) -> None:
        """The window is closing: stop following anything live (an opening's events)."""


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    """A yes/no question before a step that cannot be undone: "No" is the default, so an Enter
    pressed by habit does not sign, send or close anything."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def row_table(model: QAbstractItemModel, accessible_name: str) -> QTableView:
    """A read-only table of whole rows, one selected at a time: every list in the app."""
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(accessible_name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    return view


class RowsModel(QAbstractTableModel, Generic[R]):
    """A table over a list of row objects, replaced as a whole: the sections, submissions
    and receipts lists. Subclasses give ``columnCount``, ``data`` and ``headerData``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []

    def set_rows(self, rows: Iterable[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[R]:
        return list(self._rows)

    def row(self, i: int) -> R:
        return self._rows[i]

    def row_where(self, match: Callable[[R], bool]) -> int:
        """The index of the first row ``match`` accepts, or -1."""
        return next((i for i, r in enumerate(self._rows) if match(r)), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)
