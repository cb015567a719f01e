"""The documents of a bid being prepared: an ordered list model and its view.

    model = DocumentsModel()
    rejected = model.add_paths([Path("商务标.pdf"), Path("技术标.pdf")])   # messages, [] if all in
    model.move_rows([1], -1)                                           # Alt+Up
    view = DocumentView(); view.setModel(model)                        # drag & drop, Del, Alt+↑/↓

The order of the list is the order inside the sealed bid. A row is a file (name, size, folder);
a file that has gone missing since it was added (a draft restored after the file was moved) is
kept and flagged, never silently dropped, so the bidder sees what is missing. Names are
checked with :func:`crypto.names.check_document_name`, the same rule sealing applies, so a
name that sealing would refuse is refused here, with the reason, when it is added.

Sizes come from one ``stat`` per file on the GUI thread (fast, as the style guide allows).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QDrag, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from crypto.errors import UnsafeDocumentNameError
from crypto.names import check_document_name

from .errors import describe_error
from .widgets import fmt_size

__all__ = ["ROWS_MIME", "DocumentEntry", "DocumentView", "DocumentsModel", "stat_size"]

ROWS_MIME = "application/x-sealbid-document-rows"
_MISSING = QColor("#c0392b")
Index = QModelIndex | QPersistentModelIndex


def stat_size(path: Path) -> int | None:
    """The size of a regular file, None if it is missing or not a file (a trivial stat)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size if path.is_file() else None


@dataclass(frozen=True)
class DocumentEntry:
    path: Path
    size: int | None  # None: the file is missing

    @property
    def missing(self) -> bool:
        return self.size is None


class DocumentsModel(QAbstractTableModel):
    """The bid's documents in order: name, size, folder."""

    NAME, SIZE, FOLDER = range(3)
    rejected = Signal(list)  # messages for files a drop could not add
    changed = Signal()  # rows added, removed, moved or refreshed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[DocumentEntry] = []
        for signal in (
            self.rowsInserted,
            self.rowsRemoved,
            self.layoutChanged,
            self.modelReset,
            self.dataChanged,
        ):
            signal.connect(self.changed)

    # -- reading --

    def entries(self) -> list[DocumentEntry]:
        return list(self._entries)

    def paths(self) -> list[Path]:
        return [e.path for e in self._entries]

    def names(self) -> list[str]:
        return [e.path.name for e in self._entries]

    def total_size(self) -> int:
        return sum(e.size or 0 for e in self._entries)

    def missing(self) -> list[Path]:
        return [e.path for e in self._entries if e.missing]

    # -- the table --

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return (self.tr("Name"), self.tr("Size"), self.tr("Folder"))[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == self.NAME:
                return entry.path.name
            if col == self.SIZE:
                return self.tr("missing") if entry.size is None else fmt_size(entry.size)
            return str(entry.path.parent)
        if role == Qt.ItemDataRole.ToolTipRole:
            if entry.missing:
                return self.tr(
                    "{0} is missing: put the file back or remove it from the list"
                ).format(str(entry.path))
            return str(entry.path)
        if role == Qt.ItemDataRole.ForegroundRole and entry.missing:
            return QBrush(_MISSING)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return str(entry.path)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled
        return base | Qt.ItemFlag.ItemIsDropEnabled

    # -- changing --

    def set_entries(self, entries: Iterable[DocumentEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def clear(self) -> None:
        self.set_entries([])

    def refresh_sizes(self) -> None:
        """Stat every file again (a missing file may be back, a file may have changed)."""
        fresh = [DocumentEntry(e.path, stat_size(e.path)) for e in self._entries]
        if fresh != self._entries:
            self._entries = fresh
            if fresh:
                self.dataChanged.emit(self.index(0, 0), self.index(len(fresh) - 1, 2))

    def add_paths(self, paths: Sequence[Path], row: int = -1) -> list[str]:
        """Add files at ``row`` (-1: at the end); the messages for the ones refused."""
        problems: list[str] = []
        taken = {_fold(n) for n in self.names()}
        known = {_key(p) for p in self.paths()}
        accepted: list[DocumentEntry] = []
        for raw in paths:
            path = Path(raw)
            why = self._refusal(path, taken, known)
            if why:
                problems.append(why)
                continue
            size = stat_size(path)
            if size is None:  # gone between the check and the stat
                problems.append(self.tr("{0} does not exist or is not a file").format(str(path)))
                continue
            accepted.append(DocumentEntry(path, size))
            taken.add(_fold(path.name))
            known.add(_key(path))
        if accepted:
            row = len(self._entries) if row < 0 or row > len(self._entries) else row
            self.beginInsertRows(QModelIndex(), row, row + len(accepted) - 1)
            self._entries[row:row] = accepted
            self.endInsertRows()
        return problems

    def _refusal(self, path: Path, taken: set[str], known: set[str]) -> str | None:
        try:
            if path.is_dir():
                return self.tr(
                    "{0} is a folder: add the files inside it (sealing keeps each file's name)"
                ).format(str(path))
            if not path.is_file():
                return self.tr("{0} does not exist or is not a file").format(str(path))
        except OSError as exc:
            return describe_error(exc)
        if _key(path) in known:
            return self.tr("{0} is already in the list").format(str(path))
        try:
            check_document_name(path.name)
        except UnsafeDocumentNameError as exc:
            return self.tr("{0} cannot go into a bid: {1}").format(path.name, describe_error(exc))
        if _fold(path.name) in taken:
            return self.tr(
                "Another document is already named {0}: names inside a bid must differ (rename one)"
            ).format(path.name)
        return None

    def remove_rows(self, rows: Iterable[int]) -> None:
        for row in sorted(set(rows), reverse=True):
            if 0 <= row < len(self._entries):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._entries[row]
                self.endRemoveRows()

    def move_rows(self, rows: Iterable[int], delta: int) -> None:
        """Move each of ``rows`` one place up (delta -1) or down (+1); a block at the edge
        stays, the others still move (the usual list-editor behaviour)."""
        order = list(range(len(self._entries)))
        moving = {r for r in rows if 0 <= r < len(order)}
        seq = sorted(moving) if delta < 0 else sorted(moving, reverse=True)
        blocked: set[int] = set()
        for row in seq:
            target = row + delta
            if not 0 <= target < len(order) or target in blocked:
                blocked.add(row)
                continue
            order[row], order[target] = order[target], order[row]
        self._reorder(order)

    def move_rows_to(self, rows: Iterable[int], target: int) -> None:
        """Move ``rows`` (kept in their order) so that they stand before ``target``."""
        moving = sorted({r for r in rows if 0 <= r < len(self._entries)})
        if not moving:
            return
        target = len(self._entries) if target < 0 else min(target, len(self._entries))
        before = [r for r in range(target) if r not in moving]
        after = [r for r in range(target, len(self._entries)) if r not in moving]
        self._reorder([*before, *moving, *after])

    def _reorder(self, order: list[int]) -> None:
        """``order[i]`` is the old row that goes to row ``i``; selections follow their rows."""
        if order == list(range(len(order))):
            return
        self.layoutAboutToBeChanged.emit()
        new_row = {old: new for new, old in enumerate(order)}
        self._entries = [self._entries[old] for old in order]
        for idx in self.persistentIndexList():
            self.changePersistentIndex(idx, self.index(new_row[idx.row()], idx.column()))
        self.layoutChanged.emit()

    # -- drag and drop: files from the desktop, rows within the list --

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [ROWS_MIME, "text/uri-list"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        mime = QMimeData()
        mime.setData(ROWS_MIME, QByteArray(json.dumps(rows).encode()))
        return mime

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return data.hasFormat(ROWS_MIME) or data.hasUrls()

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        # Dropped on a row: before it; between rows: at ``row``; on empty space: at the end.
        target = row if row >= 0 else (parent.row() if parent.isValid() else -1)
        if data.hasFormat(ROWS_MIME):
            try:
                rows = json.loads(bytes(data.data(ROWS_MIME).data()).decode())
            except ValueError:
                return False
            self.move_rows_to([int(r) for r in rows if isinstance(r, int)], target)
            return True
        if data.hasUrls():
            paths: list[Path] = []
            problems: list[str] = []
            for url in data.urls():
                if url.isLocalFile():
                    paths.append(Path(url.toLocalFile()))
                else:
                    problems.append(
                        self.tr("{0} is not a file on this computer").format(url.toString())
                    )
            problems += self.add_paths(paths, target)
            if problems:
                self.rejected.emit(problems)
            return True
        return False


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _key(path: Path) -> str:
    return _fold(str(path.absolute()))


class DocumentView(QTableView):
    """The documents list: Del removes, Alt+Up/Down move, files drop in, rows drag to reorder."""

    removeRequested = Signal()
    moveRequested = Signal(int)  # -1 up, +1 down

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropOverwriteMode(False)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:
            header = self.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)

    def selected_rows(self) -> list[int]:
        model = self.selectionModel()
        if model is None:
            return []
        rows = {i.row() for i in model.selectedRows()}
        if not rows and self.currentIndex().isValid():
            rows = {self.currentIndex().row()}
        return sorted(rows)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        alt = event.modifiers() & Qt.KeyboardModifier.AltModifier
        if key == Qt.Key.Key_Delete and not event.modifiers():
            self.removeRequested.emit()
            return
        if alt and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.moveRequested.emit(-1 if key == Qt.Key.Key_Up else 1)
            return
        super().keyPressEvent(event)

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        # The model moves rows itself when they are dropped (dropMimeData); Qt's default would
        # then also remove the dragged rows from the source, losing documents.
        indexes = self.selectedIndexes()
        model = self.model()
        if not indexes or model is None:
            return
        drag = QDrag(self)
        drag.setMimeData(model.mimeData(indexes))
        drag.exec(Qt.DropAction.MoveAction)
