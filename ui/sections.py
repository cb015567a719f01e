"""Projects and sections (项目和标段): the bidder's view of the catalogue.

    page = SectionsPage(ctx)
    page.refresh()                       # F5: loads in a worker; ``loaded`` when done
    page.search.setText("滨湖")           # Ctrl+F; narrows ``page.proxy``
    page.select_section("HFJS-2025-0101-01")
    page.download_selected(Path("招标文件"))   # ``downloaded`` (paths) when done, digests checked
    page.prepare_selected()              # → ctx.navigate("prepare", section_id)

The table (``model`` → ``proxy`` → ``view``) lists every section of every project with its
deadline, a countdown in platform time (ticks every second, no network), the opening time and
the status: open or closed, submitted, and warnings when the user's bid was sealed for an older
tender version or a clarification is newer than what the user downloaded. The details pane
(``details``) shows the selected section: the bid-summary form and the tender documents, which
download with a progress bar and a cancel button, each checked against its published SHA-256.

The platform serves the catalogue to signed-in users only (``server/app.py``: ``Anyone``), so
before a login the page shows a "log in first" state instead of the table.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDesktopServices,
    QFont,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from client import wire

from ._sections_model import (
    COL_CODE,
    COL_COUNTDOWN,
    COL_DEADLINE,
    COL_NAME,
    COL_OPENING,
    COL_SECTOR,
    COL_STATUS,
    COLUMNS,
    ROW_ROLE,
    Catalogue,
    LocalBid,
    SectionRow,
    SectionsFilter,
    SectionsModel,
    build_rows,
    download_documents,
    load_catalogue,
    newest_local_bids,
    scan_sealed_bids,
)
from .context import AppContext
from .tasks import Job, Task, run_task
from .widgets import Page, fmt_countdown, fmt_size, fmt_time, row_table

__all__ = ["DOC_ROLE", "NEW_ROLE", "SectionDetails", "SectionsPage"]

log = logging.getLogger(__name__)

DOC_ROLE = Qt.ItemDataRole.UserRole + 10  # the wire.TenderDocument of a documents row
NEW_ROLE = Qt.ItemDataRole.UserRole + 11  # True: a clarification newer than what was downloaded

_WARNING_STYLE = (
    "QLabel { background: #fdecea; color: #8a1c12; border: 2px solid #b00020;"
    " border-radius: 4px; padding: 8px; font-weight: bold; }"
)
_NEW_BACKGROUND = QColor("#fff4c2")


def _downloaded_key(platform_url: str, section_id: str) -> str:
    # Per platform: two platforms may both have a section "S-001".
    where = hashlib.sha256(platform_url.encode("utf-8")).hexdigest()[:12]
    return f"documents/downloaded_ids/{where}/{section_id}"


def _fit_rows(view: QTreeView, rows: int) -> None:
    """Make a short list as tall as its rows (a form has five fields, not a page of them)."""
    row = view.sizeHintForRow(0) if view.model().rowCount() else view.fontMetrics().height() + 6
    header = view.header().sizeHint().height()
    scroll = view.horizontalScrollBar().sizeHint().height()
    view.setFixedHeight(header + row * max(rows, 1) + scroll + 2 * view.frameWidth() + 4)


def _scan_tagged(
    job: Job, generation: int, path: str, who: dict[str, str | None] | None
) -> tuple[int, list[LocalBid]]:
    """The header of one sealed file, tagged with the page's generation when it was asked."""
    return generation, scan_sealed_bids(job, None, [path], who)


class SectionDetails(QWidget):
    """The selected section: names, times, tender version, the form, the documents."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Section details"))
        layout = QVBoxLayout(self)

        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)

        # The old-version warning: prominent, above everything else of the section.
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(_WARNING_STYLE)
        self.warning.setAccessibleName(self.tr("Tender version warning"))
        self.warning.setVisible(False)
        layout.addWidget(self.warning)

        facts = QFormLayout()
        self.deadline = QLabel()
        self.countdown = QLabel()
        self.opening = QLabel()
        self.version = QLabel()
        self.status = QLabel()
        self.status.setWordWrap(True)
        for w in (self.deadline, self.countdown, self.opening, self.version, self.status):
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        facts.addRow(self.tr("Bid deadline:"), self.deadline)
        facts.addRow(self.tr("Time left (platform clock):"), self.countdown)
        facts.addRow(self.tr("Opening time:"), self.opening)
        facts.addRow(self.tr("Tender version:"), self.version)
        facts.addRow(self.tr("Status:"), self.status)
        layout.addLayout(facts)

        self.prepare_button = QPushButton(self.tr("&Prepare a bid…"))
        self.prepare_button.setAccessibleName(self.tr("Prepare a bid for this section"))
        row = QHBoxLayout()
        row.addWidget(self.prepare_button)
        row.addStretch(1)
        layout.addLayout(row)

        form_box = QGroupBox(self.tr("Bid-summary form"))
        form_layout = QVBoxLayout(form_box)
        self.fields_model = QStandardItemModel(0, 4, self)
        self.fields_model.setHorizontalHeaderLabels(
            [self.tr("Field"), self.tr("Type"), self.tr("Unit"), self.tr("Required")]
        )
        self.fields_view = QTreeView()
        self.fields_view.setModel(self.fields_model)
        self.fields_view.setRootIsDecorated(False)
        self.fields_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fields_view.setAccessibleName(self.tr("Bid-summary form fields"))
        form_layout.addWidget(self.fields_view)
        layout.addWidget(form_box)

        docs_box = QGroupBox(self.tr("Tender documents and clarifications"))
        docs_layout = QVBoxLayout(docs_box)
        self.docs_model = QStandardItemModel(0, 6, self)
        self.docs_model.setHorizontalHeaderLabels(
            [
                self.tr("Name"),
                self.tr("Version"),
                self.tr("Kind"),
                self.tr("Size"),
                self.tr("Published"),
                self.tr("SHA-256"),
            ]
        )
        self.docs_view = QTreeView()
        self.docs_view.setModel(self.docs_model)
        self.docs_view.setRootIsDecorated(False)
        self.docs_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.docs_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.docs_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.docs_view.setAccessibleName(self.tr("Tender documents"))
        docs_layout.addWidget(self.docs_view)

        folder_row = QHBoxLayout()
        folder_label = QLabel(self.tr("Sa&ve to:"))
        self.folder = QLineEdit()
        self.folder.setAccessibleName(self.tr("Download folder"))
        folder_label.setBuddy(self.folder)
        self.browse_button = QPushButton(self.tr("&Browse…"))
        folder_row.addWidget(folder_label)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse_button)
        docs_layout.addLayout(folder_row)

        action_row = QHBoxLayout()
        self.download_button = QPushButton(self.tr("&Download selected"))
        self.download_all_button = QPushButton(self.tr("Download &all"))
        self.progress = QProgressBar()
        self.progress.setAccessibleName(self.tr("Download progress"))
        self.progress.setVisible(False)
        self.cancel_button = QPushButton(self.tr("Ca&ncel download"))
        self.cancel_button.setVisible(False)
        action_row.addWidget(self.download_button)
        action_row.addWidget(self.download_all_button)
        action_row.addWidget(self.progress, 1)
        action_row.addWidget(self.cancel_button)
        docs_layout.addLayout(action_row)

        result_row = QHBoxLayout()
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setAccessibleName(self.tr("Download result"))
        self.open_folder_button = QPushButton(self.tr("&Open folder"))
        self.open_folder_button.setVisible(False)
        result_row.addWidget(self.result, 1)
        result_row.addWidget(self.open_folder_button)
        docs_layout.addLayout(result_row)
        layout.addWidget(docs_box)
        layout.addStretch(1)

    # -- filling in --

    def clear(self) -> None:
        self.title.setText(self.tr("No section selected"))
        self.subtitle.clear()
        self.warning.setVisible(False)
        for w in (self.deadline, self.countdown, self.opening, self.version, self.status):
            w.clear()
        self.fields_model.removeRows(0, self.fields_model.rowCount())
        self.docs_model.removeRows(0, self.docs_model.rowCount())
        self.prepare_button.setEnabled(False)

    def show_fields(self, form: wire.SummaryForm) -> None:
        self.fields_model.removeRows(0, self.fields_model.rowCount())
        for f in form.fields:
            items = [
                QStandardItem(f.label),
                QStandardItem(self._type_name(f)),
                QStandardItem(f.unit or "—"),
                QStandardItem(self.tr("Yes") if f.required else self.tr("No")),
            ]
            self.fields_model.appendRow(items)
        for col in range(self.fields_model.columnCount()):
            self.fields_view.resizeColumnToContents(col)
        _fit_rows(self.fields_view, self.fields_model.rowCount())

    def _type_name(self, f: wire.FormField) -> str:
        if f.type == "money":
            return self.tr("Amount")
        if f.type == "integer":
            return self.tr("Whole number")
        if f.type == "date":
            return self.tr("Date")
        if f.type == "choice":
            return self.tr("One of: {0}").format(" / ".join(f.choices))
        return self.tr("Text")

    def show_documents(self, row: SectionRow) -> None:
        selected = {d.id for d in self.selected_documents()}
        self.docs_model.removeRows(0, self.docs_model.rowCount())
        for doc in sorted(row.section.documents, key=lambda d: d.version):
            new = row.is_new(doc)
            kind = self.tr("Clarification") if doc.kind == "clarification" else self.tr("Tender")
            items = [
                QStandardItem(doc.name),
                QStandardItem(str(doc.version)),
                QStandardItem(kind),
                QStandardItem(fmt_size(doc.size)),
                QStandardItem(fmt_time(doc.published_at)),
                QStandardItem(doc.sha256[:16] + "…"),
            ]
            items[5].setToolTip(doc.sha256)
            items[0].setData(doc, DOC_ROLE)
            for item in items:
                item.setData(new, NEW_ROLE)
                if new:
                    item.setBackground(QBrush(_NEW_BACKGROUND))
                    bold = QFont()
                    bold.setBold(True)
                    item.setFont(bold)
                    item.setToolTip(
                        self.tr("New: published after the documents you downloaded. Read it.")
                    )
            self.docs_model.appendRow(items)
        sel = self.docs_view.selectionModel()
        for r in range(self.docs_model.rowCount()):
            doc = self.docs_model.item(r, 0).data(DOC_ROLE)
            if doc.id in selected:
                sel.select(
                    self.docs_model.index(r, 0),
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
        for col in range(self.docs_model.columnCount()):
            self.docs_view.resizeColumnToContents(col)
        _fit_rows(self.docs_view, max(self.docs_model.rowCount(), 3))

    def selected_documents(self) -> list[wire.TenderDocument]:
        rows = sorted({i.row() for i in self.docs_view.selectionModel().selectedRows()})
        return [self.docs_model.item(r, 0).data(DOC_ROLE) for r in rows]

    def all_documents(self) -> list[wire.TenderDocument]:
        return [
            self.docs_model.item(r, 0).data(DOC_ROLE) for r in range(self.docs_model.rowCount())
        ]

    def select_documents(self, ids: list[str]) -> None:
        sel = self.docs_view.selectionModel()
        sel.clearSelection()
        for r in range(self.docs_model.rowCount()):
            if self.docs_model.item(r, 0).data(DOC_ROLE).id in ids:
                sel.select(
                    self.docs_model.index(r, 0),
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows,
                )


class SectionsPage(Page):
    key = "sections"

    loaded = Signal()  # after each successful load
    downloaded = Signal(list)  # paths of the documents just downloaded (digests verified)
    localBidsChanged = Signal()  # the headers of local sealed files were (re)read

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._generation = 0  # bumped when the identity or platform changes: late results drop
        self._load_generation = 0
        self._load_task: Task | None = None
        self._reload_pending = False
        self._download_task: Task | None = None
        self._download_folder: Path | None = None
        self._download_section = ""
        self._download_docs: list[wire.TenderDocument] = []
        self._sealed_paths: set[str] = set()  # from ctx.sealedBid, beside the bids folder
        self._local_bids: dict[str, LocalBid] = {}  # path → header
        self._folder_for = ""  # the section whose default the folder field shows
        self._wanted = ""  # a section asked for (navigation) before the catalogue was loaded

        self.model = SectionsModel(ctx.server_now, self)
        self.proxy = SectionsFilter(self)
        self.proxy.setSourceModel(self.model)

        layout = QVBoxLayout(self)

        bar = QHBoxLayout()
        search_label = QLabel(self.tr("&Search:"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Project or section name or code (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search projects and sections"))
        search_label.setBuddy(self.search)
        sector_label = QLabel(self.tr("Sec&tor:"))
        self.sector = QComboBox()
        self.sector.setAccessibleName(self.tr("Sector filter"))
        self.sector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.sector.addItem(self.tr("All sectors"), "")
        sector_label.setBuddy(self.sector)
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.refresh_button.setToolTip(self.tr("Load the catalogue again (F5)"))
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: "loading…"
        self.busy.setMaximumWidth(120)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName(self.tr("Loading"))
        self.busy.setVisible(False)
        bar.addWidget(search_label)
        bar.addWidget(self.search, 1)
        bar.addWidget(sector_label)
        bar.addWidget(self.sector)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.busy)
        layout.addLayout(bar)

        self.view = row_table(self.proxy, self.tr("Sections"))
        self.view.setSortingEnabled(True)
        self.view.setAlternatingRowColors(True)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.setWordWrap(False)
        try:
            column = int(self.ctx.setting("sections/sort_column", COL_DEADLINE))
            order = Qt.SortOrder(int(self.ctx.setting("sections/sort_order", 0)))
        except (TypeError, ValueError):
            column, order = COL_DEADLINE, Qt.SortOrder.AscendingOrder
        if not 0 <= column < COLUMNS:
            column = COL_DEADLINE
        self.view.sortByColumn(column, order)
        # What a bidder looks for first (the section and how long is left) on the left; the
        # long project name last, where it may be cut off.
        header = self.view.horizontalHeader()
        for visual, logical in enumerate(
            (COL_CODE, COL_NAME, COL_COUNTDOWN, COL_DEADLINE, COL_STATUS, COL_OPENING, COL_SECTOR)
        ):
            header.moveSection(header.visualIndex(logical), visual)

        self.details = SectionDetails()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.details)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([760, 440])  # scaled to the real width when first shown

        # Before a login: the platform shows its catalogue to signed-in users only.
        self.login_state = QWidget()
        login_layout = QVBoxLayout(self.login_state)
        login_layout.addStretch(1)
        self.login_message = QLabel(
            self.tr(
                "Log in first: the trading platform shows its projects and sections to"
                " signed-in users only. Use your certificate (CA lock or certificate file)."
            )
        )
        self.login_message.setWordWrap(True)
        self.login_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.login_button = QPushButton(self.tr("&Log in…"))
        self.login_button.setAccessibleName(self.tr("Log in"))
        login_layout.addWidget(self.login_message)
        login_row = QHBoxLayout()
        login_row.addStretch(1)
        login_row.addWidget(self.login_button)
        login_row.addStretch(1)
        login_layout.addLayout(login_row)
        login_layout.addStretch(2)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.login_state)
        layout.addWidget(self.stack, 1)

        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(self.tr("Catalogue status"))
        layout.addWidget(self.notice)

        # -- wiring --
        self.search.textChanged.connect(self.proxy.set_text)
        self.search.textChanged.connect(self._after_filter)
        self.sector.currentIndexChanged.connect(self._sector_chosen)
        self.refresh_button.clicked.connect(self.refresh)
        self.login_button.clicked.connect(self._ask_login)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.doubleClicked.connect(self._row_activated)
        self.view.installEventFilter(self)
        self.view.horizontalHeader().sortIndicatorChanged.connect(self._sort_changed)
        d = self.details
        d.prepare_button.clicked.connect(self.prepare_selected)
        d.download_button.clicked.connect(lambda: self.download_selected())
        d.download_all_button.clicked.connect(self._download_all)
        d.cancel_button.clicked.connect(self.cancel_download)
        d.browse_button.clicked.connect(self._browse)
        d.open_folder_button.clicked.connect(self.open_download_folder)
        d.docs_view.selectionModel().selectionChanged.connect(self._update_buttons)

        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.focus_search)
        reload_ = QShortcut(QKeySequence(Qt.Key.Key_F5), self)
        reload_.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        reload_.activated.connect(self.refresh)

        ctx.identityChanged.connect(self._identity_changed)
        ctx.platformChanged.connect(self._platform_changed)
        ctx.sealedBid.connect(self._sealed)
        ctx.clockOffsetChanged.connect(self._offset_changed)

        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

        self.details.clear()
        self._update_state()

    def title(self) -> str:
        return self.tr("Projects and sections")

    # -- navigation --

    def activated(self) -> None:
        self.refresh()

    def show_item(self, item: object) -> None:
        if isinstance(item, str) and not self.select_section(item):
            self._wanted = item  # not loaded yet: selected when the catalogue arrives

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def select_section(self, section_id: str) -> bool:
        """Select ``section_id`` in the table (clearing a filter that hides it)."""
        source = self.model.find(section_id)
        if source < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(source, 0))
        if not index.isValid():
            self.search.clear()
            self.sector.setCurrentIndex(0)
            index = self.proxy.mapFromSource(self.model.index(source, 0))
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    def selected_row(self) -> SectionRow | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        row = index.data(ROW_ROLE)
        return row if isinstance(row, SectionRow) else None

    # -- loading --

    @property
    def loading(self) -> bool:
        """A load runs, or one more is queued behind it."""
        return self._load_task is not None or self._reload_pending

    def refresh(self) -> None:
        """Load the catalogue in a worker (one at a time: a request meanwhile runs after)."""
        self._update_state()
        if self.ctx.identity is None:
            return
        if self._load_task is not None:
            self._reload_pending = True
            return
        # One load at a time, so the generation it started in is kept here; the slots are
        # bound methods, which Qt disconnects if the page goes before the worker ends.
        self._load_generation = self._generation
        task = run_task(
            load_catalogue,
            self.ctx,
            self.ctx.bids_dir,
            sorted(self._sealed_paths),
            self._who(),
        )
        task.on_done(self._loaded)
        task.on_error(self._load_failed)
        task.on_finished(self._load_finished)
        self._load_task = task
        self.busy.setVisible(True)
        self.notice.setText(self.tr("Loading the catalogue…"))
        task.start()

    def _who(self) -> dict[str, str | None] | None:
        """Whose sealed files count as the user's: the signed-in bidder's (organisation code,
        else certificate)."""
        identity = self.ctx.identity
        if identity is None:
            return None
        from crypto.envelope import bidder_of

        b = bidder_of(identity.signing_cert)
        return {"org_code": b.get("org_code"), "cert_sha256": b.get("cert_sha256")}

    def _loaded(self, result: object) -> None:
        if self._load_generation != self._generation or not isinstance(result, Catalogue):
            return  # another user or platform since: the reload that follows brings the truth
        self._local_bids = {b.path: b for b in result.local_bids}
        rows = build_rows(result, newest_local_bids(result.local_bids), self._downloaded_ids)
        current = self.selected_row()
        first = self.model.rowCount() == 0  # the user's column widths are kept after that
        self.model.set_rows(rows)
        self._fill_sectors()
        wanted, self._wanted = self._wanted, ""
        if not (wanted and self.select_section(wanted)) and current is not None:
            self.select_section(current.id)
        elif self.proxy.rowCount() > 0 and not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(self.proxy.index(0, 0))
        if first:
            self._fit_columns()
        self._show_details()
        self.notice.setText(
            self.tr("{0} section(s) in {1} project(s); updated {2}").format(
                len(result.sections), len(result.projects), fmt_time(self.ctx.server_now())
            )
        )
        self.loaded.emit()

    def _fit_columns(self) -> None:
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        for col in range(COLUMNS - 1):  # long project names are elided (full text in the tip)
            if header.sectionSize(col) > 240:
                header.resizeSection(col, 240)

    def _load_failed(self, exc: BaseException) -> None:
        if self._load_generation != self._generation:
            return
        # The old rows stay: a dropped connection should not empty the bidder's screen.
        self.notice.setText(
            self.tr("Could not refresh the catalogue; the list shown is from the last load.")
        )
        self.ctx.errors.show(exc)

    def _load_finished(self) -> None:
        self._load_task = None
        self.busy.setVisible(False)
        if self._reload_pending:
            self._reload_pending = False
            self.refresh()

    def _identity_changed(self) -> None:
        self._generation += 1
        if self.ctx.identity is None:
            self.model.set_rows([])
            self._fill_sectors()
            self._show_details()
        else:
            # Another user's submissions and sealed files are not this one's.
            self.model.set_rows(
                [replace(r, submission=None, local=None) for r in self.model.rows()]
            )
            self._show_details()
        self.refresh()

    def _platform_changed(self) -> None:
        self._generation += 1
        self.refresh()

    def _update_state(self) -> None:
        logged_in = self.ctx.identity is not None
        self.stack.setCurrentWidget(self.splitter if logged_in else self.login_state)
        self.refresh_button.setEnabled(logged_in)
        self.search.setEnabled(logged_in)
        self.sector.setEnabled(logged_in)
        if not logged_in:
            self.notice.setText(self.tr("Not signed in."))

    def _ask_login(self) -> None:
        show = getattr(self.window(), "show_login", None)
        if callable(show):
            show()

    # -- local sealed files --

    def _sealed(self, section_id: str, path: str) -> None:
        """A bid was just sealed (by the prepare page): read its header in a worker."""
        self._sealed_paths.add(path)
        run_task(_scan_tagged, self._generation, path, self._who()).on_done(
            self._merge_local
        ).start()

    def _merge_local(self, result: object) -> None:
        if not isinstance(result, tuple):
            return
        generation, bids = result
        if generation != self._generation:
            return  # sealed under another identity or platform: the next load rereads it
        for b in bids:
            self._local_bids[b.path] = b
        newest = newest_local_bids(self._local_bids.values())
        for r in self.model.rows():
            if newest.get(r.id) != r.local:
                self.model.update_row(r.id, local=newest.get(r.id))
        self._show_details()
        self.localBidsChanged.emit()

    # -- filter, sort, selection --

    def _fill_sectors(self) -> None:
        wanted = self.sector.currentData() or ""
        self.sector.blockSignals(True)
        self.sector.clear()
        self.sector.addItem(self.tr("All sectors"), "")
        for s in self.model.sectors():
            self.sector.addItem(s, s)
        found = self.sector.findData(wanted)
        self.sector.setCurrentIndex(max(found, 0))
        self.sector.blockSignals(False)
        self.proxy.set_sector(self.sector.currentData() or "")

    def _sector_chosen(self, _index: int) -> None:
        self.proxy.set_sector(self.sector.currentData() or "")
        self._after_filter()

    def _after_filter(self) -> None:
        if not self.view.currentIndex().isValid() and self.proxy.rowCount() > 0:
            self.view.setCurrentIndex(self.proxy.index(0, 0))
        self._show_details()

    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        self.ctx.set_setting("sections/sort_column", column)
        self.ctx.set_setting("sections/sort_order", order.value)

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._show_details()

    def _row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.view.setCurrentIndex(index)
            self.prepare_selected()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.prepare_selected()
            return True
        return super().eventFilter(watched, event)

    # -- the details pane --

    def _show_details(self) -> None:
        d = self.details
        row = self.selected_row()
        if row is None:
            d.clear()
            self._update_buttons()
            return
        s = row.section
        project = row.project
        d.title.setText(s.name)
        d.subtitle.setText(
            self.tr("Section {0} · project {1} ({2}) · {3}").format(
                s.code,
                project.name if project else s.project_id,
                project.code if project else "—",
                row.sector or "—",
            )
        )
        d.deadline.setText(fmt_time(s.deadline))
        d.opening.setText(fmt_time(s.opening_time))
        if s.tender_version:
            d.version.setText(s.tender_version[:12] + "…")
            d.version.setToolTip(s.tender_version)
        else:
            d.version.setText(self.tr("none published"))
            d.version.setToolTip("")
        d.status.setText(self.model.status_text(row))
        d.warning.setText(self._warning_text(row))
        d.warning.setVisible(row.outdated)
        d.show_fields(s.form)
        d.show_documents(row)
        if self._folder_for != row.id:
            self._folder_for = row.id
            d.folder.setText(str(self._default_folder(row.id)))
        self._tick_details(row)

    def _warning_text(self, row: SectionRow) -> str:
        texts = []
        if row.submission_outdated:
            texts.append(
                self.tr(
                    "Your submitted bid was sealed for an older tender version: the tender"
                    " documents changed after you sealed it. Read the new documents, then seal"
                    " and submit your bid again before the deadline."
                )
            )
        if row.local_outdated and row.local is not None:
            texts.append(
                self.tr(
                    "Your sealed bid file {0} was sealed for an older tender version. The"
                    " platform refuses it: read the new documents and seal the bid again."
                ).format(Path(row.local.path).name)
            )
        return "\n\n".join(texts)

    def _offset_changed(self, _offset: object) -> None:
        self._tick()  # the platform clock as known here jumped: show it now, not in a second

    def _tick(self) -> None:
        """Every second: recompute the countdowns and what depends on the clock. No I/O."""
        self.model.tick()
        row = self.selected_row()
        if row is not None:
            self._tick_details(row)

    def _tick_details(self, row: SectionRow) -> None:
        d = self.details
        now = self.ctx.server_now()
        d.countdown.setText(fmt_countdown(row.section.deadline - now))
        d.status.setText(self.model.status_text(row))
        is_open = row.is_open(now)
        d.prepare_button.setEnabled(is_open)
        d.prepare_button.setToolTip(
            ""
            if is_open
            else self.tr(
                "The bid deadline has passed by the platform's clock: no more bids are accepted."
            )
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        d = self.details
        busy = self._download_task is not None
        has_docs = d.docs_model.rowCount() > 0
        d.download_button.setEnabled(not busy and bool(d.docs_view.selectionModel().selectedRows()))
        d.download_all_button.setEnabled(not busy and has_docs)
        d.browse_button.setEnabled(not busy)
        d.folder.setEnabled(not busy)

    # -- actions --

    def prepare_selected(self) -> None:
        """Go to the prepare page for the selected section (open sections only)."""
        row = self.selected_row()
        if row is None:
            return
        if not row.is_open(self.ctx.server_now()):
            self.ctx.status.emit(
                self.tr("{0}: the bid deadline has passed; no bid can be prepared.").format(
                    row.section.name
                )
            )
            return
        self.ctx.navigate.emit("prepare", row.id)

    def _default_folder(self, section_id: str) -> Path:
        return self.ctx.data_dir / "documents" / section_id

    def _browse(self) -> None:
        start = self.details.folder.text().strip()
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Download the documents into"), start
        )
        if chosen:
            self.details.folder.setText(chosen)

    def _download_all(self) -> None:
        self.details.docs_view.selectAll()
        self.download_selected()

    def download_selected(self, folder: Path | None = None) -> None:
        """Download the selected documents into ``folder`` (default: the folder field)."""
        row = self.selected_row()
        d = self.details
        docs = d.selected_documents()
        if row is None or not docs or self._download_task is not None:
            return
        if folder is None:
            text = d.folder.text().strip()
            if not text:
                d.result.setText(self.tr("Choose a folder to save the documents in."))
                d.folder.setFocus()
                return
            folder = Path(text).expanduser()
        else:
            d.folder.setText(str(folder))
        self._download_folder = folder
        d.result.clear()
        d.open_folder_button.setVisible(False)
        d.progress.setRange(0, 1000)
        d.progress.setValue(0)
        d.progress.setVisible(True)
        d.cancel_button.setVisible(True)
        self._download_section = row.id
        self._download_docs = list(docs)
        task = run_task(download_documents, self.ctx, row.id, list(docs), folder)
        task.with_progress(self._download_progress)
        task.with_status(self._download_status)
        task.on_done(self._download_done)
        task.on_cancelled(self._download_cancelled)
        task.on_error(self.ctx.errors.show)
        task.on_finished(self._download_finished)
        self._download_task = task
        self._update_buttons()
        task.start()

    def cancel_download(self) -> None:
        if self._download_task is not None:
            self._download_task.cancel()

    def _download_progress(self, done: int, total: int) -> None:
        bar = self.details.progress
        bar.setValue(int(1000 * done / total) if total else 1000)

    def _download_status(self, name: str) -> None:
        self.details.progress.setFormat(name + "  %p%")

    def _download_cancelled(self) -> None:
        self.details.result.setText(self.tr("Download cancelled; nothing partial was kept."))

    def _download_done(self, result: object) -> None:
        if not isinstance(result, list):
            return
        d = self.details
        section_id = self._download_section
        # The documents the user now has are no longer new; the others still are.
        have = self._downloaded_ids(section_id) | {doc.id for doc in self._download_docs}
        self.ctx.set_setting(_downloaded_key(self.ctx.platform_url, section_id), sorted(have))
        self.model.update_row(section_id, downloaded=have)
        lines = [self.tr("Digest verified: the SHA-256 of each file matches the published one.")]
        lines += [f"{Path(path).name}  SHA-256 {digest}" for path, digest in result]
        d.result.setText("\n".join(lines))
        d.open_folder_button.setVisible(True)
        self._show_details()
        self.downloaded.emit([path for path, _digest in result])

    def _download_finished(self) -> None:
        d = self.details
        self._download_task = None
        d.progress.setVisible(False)
        d.cancel_button.setVisible(False)
        self._update_buttons()

    def open_download_folder(self) -> None:
        if self._download_folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._download_folder)))

    def _downloaded_ids(self, section_id: str) -> frozenset[str]:
        value = self.ctx.setting(_downloaded_key(self.ctx.platform_url, section_id), [])
        if isinstance(value, str):  # QSettings gives a one-item list back as a string
            value = [value] if value else []
        return frozenset(str(v) for v in value)

    # -- for tests and other pages --

    def row_for(self, section_id: str) -> SectionRow | None:
        return self.model.get(section_id)
