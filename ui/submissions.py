"""The "My submissions" screen: submit, replace and withdraw sealed bids; rehearse decryption.

    page = SubmissionsPage(ctx)
    page.submit_file("HFJS-2026-0101-01", Path("投标.sealbid"))   # upload with progress → submitted
    page.pause_button.click(); page.resume_button.click()           # the state stays on disk
    page.withdraw_section(sid)          # confirm naming the section, then 撤回 → withdrawn(receipt)
    page.rehearse_section(sid)          # 解密自检 → rehearsed(Rehearsal)

The table lists every section this bidder has bid on: the receipts the platform has for this
user (fetched and saved beside the local ones) and the local store, with each section's
current state from the platform (``GET /sections/{id}/submission``). Without the platform it
falls back to the receipts kept here and says so. Replace, withdraw and rehearse are offered
only before the deadline (the opening, for the rehearsal) by the platform's clock as known
here; the platform decides, and its refusal is shown like any error.

Unfinished uploads (the client keeps their state in ``state/uploads``) are listed with a
Resume button each, also after the app was restarted.
"""

from __future__ import annotations

import hashlib
import html
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client import wire
from client.errors import (
    ConnectionFailedError,
    ForbiddenError,
    NotFoundError,
    RequestRefusedError,
    ServerError,
    TimedOutError,
    TlsError,
)
from client.opening import Rehearsal
from client.receipts import ReceiptStore, VerifiedReceipt
from sealbid.errors import CancelledError, SealBidError

from ._receipts_model import (
    AMBER,
    GREEN,
    RED,
    SORT_ROLE,
    fields_html,
    parse_receipt,
    receipt_fields,
    received_time,
)
from ._upload import (
    NotLoggedInError,
    Unfinished,
    UploadPanel,
    bidder_fingerprint,
    fetch_offsets,
    platform_key,
    scan_unfinished,
)
from .context import AppContext
from .i18n import current_language
from .tasks import Job, Task, run_task
from .widgets import Page, RowsModel, ask_yes_no, fmt_countdown, fmt_size, fmt_time, row_table

__all__ = ["SubmissionRow", "SubmissionsModel", "SubmissionsPage", "SubmitDialog"]

STATUS_ROLE = int(Qt.ItemDataRole.UserRole) + 2

_Index = QModelIndex | QPersistentModelIndex


# --- data --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionRow:
    """One section this bidder has bid on, as the platform (or the local store) has it."""

    section_id: str
    section_name: str
    status: str
    """``submitted``, ``withdrawn`` or ``none``."""
    file_sha256: str | None
    file_size: int | None
    time: datetime | None
    """When the platform received the current receipt's submission or withdrawal."""
    sequence: int | None
    deadline: datetime | None
    opening_time: datetime | None
    confirmed: bool
    """The status comes from the platform (False: from the receipts kept here)."""


@dataclass(frozen=True)
class Snapshot:
    rows: list[SubmissionRow]
    new_receipts: int
    offline: BaseException | None
    generation: int = 0
    """The page's identity generation the rows were read for (older ones are dropped)."""
    platform_id: str | None = None
    """The platform the rows are of (None: it could not be asked)."""


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def _row_from(
    section_id: str,
    section: wire.Section | None,
    status: str,
    latest: wire.Receipt | None,
    confirmed: bool,
) -> SubmissionRow:
    submit = latest is not None and latest.kind == "submit" and status == "submitted"
    return SubmissionRow(
        section_id=section_id,
        section_name=section.name if section else "",
        status=status,
        file_sha256=latest.file_sha256 if submit and latest else None,
        file_size=latest.file_size if submit and latest else None,
        time=received_time(latest),
        sequence=latest.sequence if latest else None,
        deadline=_aware(section.deadline) if section else None,
        opening_time=_aware(section.opening_time) if section else None,
        confirmed=confirmed,
    )


def load_submissions(
    job: Job,
    ctx: AppContext,
    root: str,
    fingerprint: str,
    org_code: str | None,
    generation: int = 0,
    last_platform_id: str | None = None,
) -> Snapshot:
    """The sections this bidder has bid on and their state (a worker)."""
    store = ReceiptStore(Path(root))

    def mine(r: wire.Receipt) -> bool:
        # Keyed like the platform keys bidders: by 统一社会信用代码, so a renewed certificate
        # still sees the bids of the old one.
        return r.bidder.cert_sha256 == fingerprint or (
            org_code is not None and r.bidder.org_code == org_code
        )

    def local_receipts() -> dict[str, list[wire.Receipt]]:
        found: dict[str, list[wire.Receipt]] = defaultdict(list)
        for path in store.list():
            job.check()
            try:
                r = parse_receipt(store.load(path).receipt)
            except SealBidError:
                continue
            if r is not None and mine(r):
                found[r.section_id].append(r)
        return found

    before = set(store.list())
    try:
        with ctx.client() as client:
            platform_id = client.platform_info().platform_id
            remote = client.receipts()  # verified, and saved beside the local ones
            job.check()
            sections = {s.id: s for s in client.sections()}
            local = local_receipts()
            ids = {r.receipt.section_id for r in remote}
            ids |= {
                sid for sid, rs in local.items() if any(r.platform_id == platform_id for r in rs)
            }
            rows = []
            for sid in sorted(ids):
                job.check()
                try:
                    state = client.submission(sid)
                except (NotFoundError, ForbiddenError, RequestRefusedError):
                    # One section the platform will not show (gone, not ours any more):
                    # the others still get their live state.
                    continue
                section = sections.get(sid)
                if section is None:
                    try:
                        section = client.section(sid)
                    except SealBidError:
                        section = None
                latest = parse_receipt(state.latest.receipt) if state.latest else None
                rows.append(_row_from(sid, section, state.status, latest, True))
        new = len(set(store.list()) - before)
        return Snapshot(rows, new, None, generation, platform_id)
    except CancelledError:
        raise
    except (ConnectionFailedError, TimedOutError, TlsError, ServerError) as exc:
        # The platform cannot be reached: what the receipts kept here say about the platform
        # last seen (never a sandbox's practice bids for a real platform), marked as such.
        offline_rows = []
        for sid, all_receipts in sorted(local_receipts().items()):
            receipts = [r for r in all_receipts if r.platform_id == last_platform_id]
            if not receipts:
                continue
            latest = max(receipts, key=lambda r: r.sequence)
            status = "submitted" if latest.kind == "submit" else "withdrawn"
            offline_rows.append(_row_from(sid, None, status, latest, False))
        return Snapshot(offline_rows, 0, exc, generation)


def _withdraw(job: Job, ctx: AppContext, section_id: str) -> VerifiedReceipt:
    with ctx.client() as client:
        return client.withdraw(section_id)


def _rehearse(job: Job, ctx: AppContext, section_id: str) -> Rehearsal:
    from client.opening import OpeningClient

    with ctx.client() as client:
        return OpeningClient(client, section_id).rehearse()


def _inspect(job: Job, path: Path) -> Any:
    from crypto.envelope import inspect

    return inspect(path)


def _open_sections(job: Job, ctx: AppContext) -> list[wire.Section]:
    with ctx.client() as client:
        return client.sections()


# --- the table model ----------------------------------------------------------------------------


class SubmissionsModel(RowsModel[SubmissionRow]):
    """Rows of :class:`SubmissionRow`; the time-left column follows the platform's clock."""

    SECTION, NAME, STATUS, SHA256, SIZE, TIME, DEADLINE, LEFT = range(8)

    def __init__(self, now: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._now = now

    def row_of(self, section_id: str) -> int:
        return self.row_where(lambda r: r.section_id == section_id)

    def tick(self) -> None:
        if self._rows:
            self.dataChanged.emit(
                self.index(0, self.LEFT), self.index(len(self._rows) - 1, self.LEFT)
            )

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else 8

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            self.tr("Section"),
            self.tr("Name"),
            self.tr("Status"),
            self.tr("File SHA-256"),
            self.tr("Size"),
            self.tr("Time (UTC+8)"),
            self.tr("Deadline (UTC+8)"),
            self.tr("Time left"),
        )[section]

    def status_text(self, r: SubmissionRow) -> str:
        text = {
            "submitted": self.tr("Submitted"),
            "withdrawn": self.tr("Withdrawn"),
            "none": self.tr("None"),
        }.get(r.status, r.status)
        return text if r.confirmed else self.tr("{0} (local record)").format(text)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.UserRole:
            return r
        if role == STATUS_ROLE:
            return r.status
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, col)
        if role == SORT_ROLE:
            if col == self.SIZE:
                return r.file_size or 0
            if col in (self.TIME, self.DEADLINE, self.LEFT):
                t = r.time if col == self.TIME else r.deadline
                return t.timestamp() if t else 0.0
            return self._display(r, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.SHA256:
                return r.file_sha256
            if col == self.SECTION:
                return r.section_name
        if role == Qt.ItemDataRole.ForegroundRole and col == self.STATUS:
            color = {"submitted": GREEN, "withdrawn": AMBER}.get(r.status)
            return QBrush(QColor(color)) if color else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, r: SubmissionRow, col: int) -> str:
        if col == self.SECTION:
            return r.section_id
        if col == self.NAME:
            return r.section_name or "—"
        if col == self.STATUS:
            return self.status_text(r)
        if col == self.SHA256:
            return (r.file_sha256 or "—")[:16]
        if col == self.SIZE:
            return fmt_size(r.file_size) if r.file_size is not None else "—"
        if col == self.TIME:
            return fmt_time(r.time)
        if col == self.DEADLINE:
            return fmt_time(r.deadline, seconds=False) if r.deadline else "—"
        if col == self.LEFT:
            return fmt_countdown(r.deadline - self._now()) if r.deadline else "—"
        return ""


# --- "Submit a sealed bid…" ---------------------------------------------------------------------


class SubmitDialog(QDialog):
    """Choose the section for a sealed file; the file's own header pre-selects it."""

    ready = Signal()  # the sections and the file's header were read (or failed)

    def __init__(self, ctx: AppContext, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.path = Path(path)
        self.header_section: str | None = None
        self.sections: list[wire.Section] = []
        self._pending = 2
        self._file_error: str | None = None
        self._platform_error: str | None = None
        self.setWindowTitle(self.tr("Submit a sealed bid"))
        self.file_label = QLabel(html.escape(str(self.path)))
        self.file_label.setWordWrap(True)
        self.section_combo = QComboBox()
        self.section_combo.setAccessibleName(self.tr("Section"))
        self.section_combo.setEnabled(False)
        self.section_combo.currentIndexChanged.connect(self._check)
        self.note = QLabel(self.tr("Reading the sealed file and the platform's sections…"))
        self.note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("&Submit"))
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("File:"), self.file_label)
        label = QLabel(self.tr("&Section:"))
        label.setBuddy(self.section_combo)
        form.addRow(label, self.section_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.resize(560, 200)
        run_task(_inspect, self.path).on_done(self._inspected).on_error(
            self._inspect_failed
        ).on_finished(self._one_done).start()
        run_task(_open_sections, ctx).on_done(self._sections_read).on_error(
            self._sections_failed
        ).on_finished(self._one_done).start()

    def section_id(self) -> str | None:
        data = self.section_combo.currentData()
        return str(data) if data else None

    def _inspected(self, info: object) -> None:
        self.header_section = str(getattr(info, "section", "")) or None

    def _inspect_failed(self, exc: BaseException) -> None:
        self._file_error = self.ctx.errors.message(exc)

    def _sections_read(self, sections: object) -> None:
        assert isinstance(sections, list)
        self.sections = [s for s in sections if s.open_for_bids]

    def _sections_failed(self, exc: BaseException) -> None:
        self._platform_error = self.ctx.errors.message(exc)

    def _one_done(self) -> None:
        self._pending -= 1
        if self._pending:
            return
        self.section_combo.clear()
        for s in self.sections:
            self.section_combo.addItem(f"{s.id} — {s.name}", s.id)
        self.section_combo.setEnabled(bool(self.sections))
        if self.header_section is not None:
            i = self.section_combo.findData(self.header_section)
            if i >= 0:
                self.section_combo.setCurrentIndex(i)
        self._check()
        self.ready.emit()

    def _check(self) -> None:
        file_error = self._file_error
        platform_error = self._platform_error
        chosen = self.section_id()
        style = f"color:{RED}"
        if file_error:
            text = self.tr("This file cannot be submitted: {0}").format(file_error)
        elif platform_error:
            text = self.tr("The platform's sections cannot be read: {0}").format(platform_error)
        elif self._pending:
            return
        elif not self.sections:
            text = self.tr("No section is open for bids now.")
        elif self.header_section and chosen != self.header_section:
            if self.section_combo.findData(self.header_section) < 0:
                text = self.tr(
                    "The file is sealed for section {0}, which is not open for bids."
                ).format(self.header_section)
            else:
                text = self.tr(
                    "The file is sealed for section {0}: it cannot be submitted to another one."
                ).format(self.header_section)
        else:
            text = self.tr("The file is sealed for section {0}.").format(self.header_section)
            style = f"color:{GREEN}"
        self.note.setText(f"<span style='{style}'>{html.escape(text)}</span>")
        self.ok_button.setEnabled(
            not file_error
            and not platform_error
            and chosen is not None
            and chosen == self.header_section
        )


# --- the page ---------------------------------------------------------------------------------


class SubmissionsPage(Page):
    key = "submissions"

    submitted = Signal(object)  # VerifiedReceipt of a submission
    withdrawn = Signal(object)  # VerifiedReceipt of a withdrawal
    rehearsed = Signal(object)  # client.opening.Rehearsal
    paused = Signal()
    loaded = Signal()  # the table was (re)loaded
    unfinished_loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._load_task: Task | None = None
        self._reload = False
        self._scan_task: Task | None = None
        self._rescan = False
        self._action: Task | None = None  # withdraw or rehearse in progress
        self._wanted: str | None = None
        self._generation = 0
        self._platform_id: str | None = None  # the platform last seen at this URL
        self.offline: BaseException | None = None
        self.last_rehearsal: Rehearsal | None = None
        self.submit_dialog: SubmitDialog | None = None
        self.unfinished_entries: list[Unfinished] = []

        title = QLabel(self.tr("My submissions"))
        title.setStyleSheet("font-size: 15px; font-weight: bold")
        self.submit_button = QPushButton(self.tr("Submit a &sealed bid…"))
        self.submit_button.setShortcut(QKeySequence.StandardKey.Open)
        self.submit_button.setToolTip(self.tr("Choose a .sealbid file and upload it (Ctrl+O)"))
        self.submit_button.clicked.connect(lambda: self.open_submit_dialog())
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.refresh_button.setToolTip(self.tr("Ask the platform again (F5)"))
        self.refresh_button.clicked.connect(self.activated)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.submit_button)
        top.addWidget(self.refresh_button)

        # The upload.
        self.upload = UploadPanel(ctx)
        self.progress = self.upload.progress
        self.pause_button = self.upload.pause_button
        self.resume_button = self.upload.resume_button
        self.upload.submitted.connect(self._submitted)
        self.upload.paused.connect(self._paused)
        self.upload.ended.connect(self.refresh_unfinished)

        # Unfinished uploads (also from an earlier run of the app).
        self.unfinished_model = QStandardItemModel(0, 5, self)
        self.unfinished_model.setHorizontalHeaderLabels(
            [
                self.tr("Section"),
                self.tr("File"),
                self.tr("Size"),
                self.tr("Received by the platform"),
                "",
            ]
        )
        self.unfinished = row_table(self.unfinished_model, self.tr("Unfinished uploads"))
        self.unfinished.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.unfinished.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.unfinished.setMaximumHeight(130)
        self.unfinished.activated.connect(lambda index: self.resume_unfinished(index.row()))
        self.unfinished_box = QGroupBox(self.tr("Unfinished uploads"))
        box = QVBoxLayout(self.unfinished_box)
        box.addWidget(self.unfinished)
        self.unfinished_box.hide()

        # The submissions table and its actions.
        self.model = SubmissionsModel(ctx.server_now, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = row_table(self.proxy, self.tr("My submissions"))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(SubmissionsModel.DEADLINE, Qt.SortOrder.AscendingOrder)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)

        self.replace_button = QPushButton(self.tr("Re&place…"))
        self.replace_button.setToolTip(self.tr("Submit another sealed file instead of this one"))
        self.replace_button.clicked.connect(lambda: self.replace_selected())
        self.withdraw_button = QPushButton(self.tr("&Withdraw"))
        self.withdraw_button.setToolTip(self.tr("Withdraw (撤回) the bid before the deadline"))
        self.withdraw_button.clicked.connect(lambda: self.withdraw_selected())
        self.rehearse_button = QPushButton(self.tr("Re&hearse decryption"))
        self.rehearse_button.setToolTip(
            self.tr("解密自检: prove that your current key opens the bid stored on the platform")
        )
        self.rehearse_button.clicked.connect(lambda: self.rehearse_selected())
        actions = QHBoxLayout()
        for b in (self.replace_button, self.withdraw_button, self.rehearse_button):
            actions.addWidget(b)
        actions.addStretch(1)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setAccessibleName(self.tr("Submissions status"))
        self.action_result = QLabel()
        self.action_result.setWordWrap(True)
        self.action_result.setAccessibleName(self.tr("Result"))
        self.action_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rehearsal_label = self.action_result

        table_box = QGroupBox(self.tr("Sections I have bid on"))
        tb = QVBoxLayout(table_box)
        tb.addWidget(self.view, 1)
        tb.addLayout(actions)
        tb.addWidget(self.info)
        tb.addWidget(self.action_result)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.upload)
        layout.addWidget(self.unfinished_box)
        layout.addWidget(table_box, 1)

        QShortcut(QKeySequence.StandardKey.Refresh, self, self.activated)

        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        ctx.identityChanged.connect(self._identity_changed)
        ctx.platformChanged.connect(self._identity_changed)
        ctx.submissionsChanged.connect(self._changed_elsewhere)
        ctx.clockOffsetChanged.connect(self._offset_changed)
        self._update_actions()
        self.refresh_unfinished()

    def title(self) -> str:
        return self.tr("My submissions")

    # -- navigation --

    def activated(self) -> None:
        self.refresh()
        self.refresh_unfinished()

    def show_item(self, item: object) -> None:
        """``{"section": id, "path": sealed file}`` ("Submit now" after sealing) uploads it;
        a section id selects its row."""
        if isinstance(item, dict) and item.get("section") and item.get("path"):
            self.submit_file(str(item["section"]), Path(str(item["path"])))
        elif isinstance(item, str):
            if not self.select_section(item):
                self._wanted = item

    # -- loading --

    def _identity_changed(self) -> None:
        self._generation += 1  # what is being read for the previous user is dropped
        self.model.set_rows([])
        self.offline = None
        self.action_result.clear()
        self._set_unfinished([])
        if self.isVisible():
            self.activated()
        else:
            # Reading the upload-state folder is cheap: an upload left unfinished by an
            # earlier run is announced in the status bar right after the login.
            self.refresh_unfinished()
        self._update_actions()

    def _changed_elsewhere(self) -> None:
        if self.isVisible():
            self.refresh()

    @property
    def loading(self) -> bool:
        return self._load_task is not None

    def refresh(self) -> None:
        """Read the sections this bidder bid on, and their state, in a worker."""
        if self._load_task is not None:
            self._reload = True
            return
        fingerprint = bidder_fingerprint(self.ctx)
        if fingerprint is None or self.ctx.identity is None:
            self.model.set_rows([])
            self.info.setText(self.tr("Log in with your certificate to see your submissions."))
            self.loaded.emit()
            return
        from crypto.envelope import bidder_of

        org_code = bidder_of(self.ctx.identity.signing_cert).get("org_code")
        root = str(self.ctx.state_dir / "receipts")
        self.info.setText(self.tr("Asking the platform…"))
        # The platform last seen at this URL (the URL may have been changed in Settings).
        known = self.ctx.setting(self._platform_key(), "")
        self._platform_id = str(known) if known else None
        task = run_task(
            load_submissions,
            self.ctx,
            root,
            fingerprint,
            org_code,
            self._generation,
            self._platform_id,
        )
        task.on_done(self._loaded).on_error(self._load_failed).on_finished(self._load_finished)
        self._load_task = task.start()

    def _platform_key(self) -> str:
        url = self.ctx.platform_url.encode("utf-8")
        return "submissions/platform_id_" + hashlib.sha256(url).hexdigest()[:16]

    def _loaded(self, snapshot: object) -> None:
        assert isinstance(snapshot, Snapshot)
        if snapshot.platform_id is not None:
            self._platform_id = snapshot.platform_id
            self.ctx.set_setting(self._platform_key(), snapshot.platform_id)
        if snapshot.generation != self._generation:
            self._reload = True  # read for another user: read again once this task ends
            return
        keep = self.selected_row()
        self.model.set_rows(snapshot.rows)
        self.offline = snapshot.offline
        if snapshot.offline is not None:
            self.info.setText(
                self.tr(
                    "Could not ask the platform ({0}). Shown: the receipts kept on this computer."
                ).format(self.ctx.errors.message(snapshot.offline))
            )
        elif not snapshot.rows:
            self.info.setText(self.tr("You have not submitted a bid yet."))
        else:
            self.info.setText(
                self.tr("As the platform had it at {0}.").format(fmt_time(self.ctx.server_now()))
            )
        wanted = self._wanted or (keep.section_id if keep else None)
        if wanted:
            self.select_section(wanted)
        self._wanted = None
        if snapshot.new_receipts:
            self.ctx.receiptsChanged.emit()
        self._update_actions()
        self.loaded.emit()

    def _load_failed(self, exc: BaseException) -> None:
        self.info.setText(self.ctx.errors.message(exc))

    def _load_finished(self) -> None:
        self._load_task = None
        if self._reload:
            self._reload = False
            self.refresh()

    # -- unfinished uploads --

    def refresh_unfinished(self) -> None:
        """List the uploads left unfinished (read from disk in a worker)."""
        if self._scan_task is not None:
            self._rescan = True
            return
        fingerprint = bidder_fingerprint(self.ctx)
        base = platform_key(self.ctx)
        if fingerprint is None or base is None:
            self._set_unfinished([])
            self.unfinished_loaded.emit()
            return
        root = str(self.ctx.state_dir / "uploads")
        task = run_task(scan_unfinished, root, base, fingerprint)
        task.on_done(self._unfinished_found).on_error(lambda exc: None)
        task.on_finished(self._scan_finished)
        self._scan_task = task.start()

    def _scan_finished(self) -> None:
        self._scan_task = None
        if self._rescan:
            self._rescan = False
            self.refresh_unfinished()

    def _unfinished_found(self, found: object) -> None:
        assert isinstance(found, list)
        # Read for the user and platform of now (the scan may have started before a change).
        me, base = bidder_fingerprint(self.ctx), platform_key(self.ctx)
        found = [u for u in found if (u.state.cert_sha256, u.state.base_url) == (me, base)]
        self._set_unfinished(found)
        self.unfinished_loaded.emit()
        if found and not self.isVisible():
            self.ctx.status.emit(
                self.tr("{0} unfinished upload(s): resume them in “My submissions”.").format(
                    len(found)
                )
            )
        elif found:
            # How far each got: a question to the platform, after the list is shown.
            run_task(fetch_offsets, self.ctx, found).on_done(self._offsets).on_error(
                lambda exc: None
            ).start()

    def _offsets(self, found: object) -> None:
        assert isinstance(found, list)
        ids = [u.state.upload_id for u in self.unfinished_entries]
        if ids == [u.state.upload_id for u in found]:
            self._set_unfinished(found)

    def _set_unfinished(self, found: list[Unfinished]) -> None:
        active = self.upload.current[0] if self.upload.busy and self.upload.current else None
        found = [u for u in found if u.state.section_id != active]
        self.unfinished_entries = found
        m = self.unfinished_model
        m.removeRows(0, m.rowCount())
        for i, u in enumerate(found):
            s = u.state
            name = QStandardItem(Path(s.file_path).name)
            name.setToolTip(s.file_path)
            if u.offset is None:
                got = "—"
            else:
                got = self.tr("{0} ({1} %)").format(
                    fmt_size(u.offset), int(u.offset * 100 / s.file_size) if s.file_size else 0
                )
            if not u.file_exists:
                got = self.tr("The file is no longer there")
            m.appendRow(
                [QStandardItem(s.section_id), name, QStandardItem(fmt_size(s.file_size)),
                 QStandardItem(got), QStandardItem("")]
            )  # fmt: skip
            button = QPushButton(self.tr("Resume"))
            button.setAccessibleName(
                self.tr("Resume the upload for section {0}").format(s.section_id)
            )
            button.setEnabled(u.file_exists)
            button.clicked.connect(lambda _=False, row=i: self.resume_unfinished(row))
            self.unfinished.setIndexWidget(m.index(i, 4), button)
        self.unfinished_box.setVisible(bool(found))

    def resume_unfinished(self, row: int) -> bool:
        """Continue the ``row``-th unfinished upload (the platform says from where)."""
        if not 0 <= row < len(self.unfinished_entries):
            return False
        u = self.unfinished_entries[row]
        path = Path(u.state.file_path)
        if not u.file_exists:
            self.ctx.errors.show(FileNotFoundError(2, "No such file", str(path)))
            return False
        started = self.submit_file(u.state.section_id, path)
        if started:
            self._set_unfinished([x for x in self.unfinished_entries if x is not u])
        return started

    # -- submit --

    def submit_file(self, section_id: str, path: Path) -> bool:
        """Upload ``path`` to ``section_id`` (resuming an unfinished upload of it)."""
        started = self.upload.start(section_id, Path(path))
        self._update_actions()
        return started

    def _submitted(self, receipt: object) -> None:
        assert isinstance(receipt, VerifiedReceipt)
        self._wanted = receipt.receipt.section_id
        self.refresh()
        self.submitted.emit(receipt)

    def _paused(self) -> None:
        self.paused.emit()

    def open_submit_dialog(self, path: Path | None = None) -> SubmitDialog | None:
        """ "Submit a sealed bid…": choose the file (asked if None) and its section."""
        if self.upload.busy:
            QMessageBox.information(
                self,
                self.tr("Upload running"),
                self.tr("Another upload is running. Pause it or let it finish first."),
            )
            return None
        if self.ctx.identity is None:
            self.ctx.errors.show(NotLoggedInError())
            return None
        if path is None:
            path = self.ask_sealed_file()
            if path is None:
                return None
        dialog = SubmitDialog(self.ctx, path, self)
        dialog.accepted.connect(lambda: self._dialog_accepted(dialog))
        self.submit_dialog = dialog
        dialog.open()
        return dialog

    def _dialog_accepted(self, dialog: SubmitDialog) -> None:
        section = dialog.section_id()
        if section:
            self.submit_file(section, dialog.path)

    # -- the selected row --

    def selected_row(self) -> SubmissionRow | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row(self.proxy.mapToSource(rows[0]).row())

    def select_section(self, section_id: str) -> bool:
        i = self.model.row_of(section_id)
        if i < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(i, 0))
        self.view.selectRow(index.row())
        self.view.scrollTo(index)
        return True

    def _before(self, t: datetime | None) -> bool:
        return t is not None and self.ctx.server_now() < t

    def _offset_changed(self, offset: object) -> None:
        self._tick()

    def _tick(self) -> None:
        self.model.tick()
        self._update_actions()

    def _update_actions(self, *args: object) -> None:
        r = self.selected_row()
        ready = self.ctx.identity is not None and self._action is None
        submitted = r is not None and r.status == "submitted"
        open_ = r is not None and self._before(r.deadline)
        self.replace_button.setEnabled(ready and submitted and open_ and not self.upload.busy)
        # Not while a new file for the same section is on its way (withdrawing ends it).
        uploading_here = (
            self.upload.busy and self.upload.current is not None and r is not None
            and self.upload.current[0] == r.section_id
        )  # fmt: skip
        self.withdraw_button.setEnabled(ready and submitted and open_ and not uploading_here)
        self.rehearse_button.setEnabled(
            ready and submitted and r is not None and self._before(r.opening_time)
        )

    # -- replace, withdraw, rehearse --

    def replace_selected(self, path: Path | None = None, *, confirm: bool = True) -> bool:
        r = self.selected_row()
        if r is None:
            return False
        if path is None:
            path = self.ask_sealed_file()
            if path is None:
                return False
        return self.replace_section(r.section_id, path, confirm=confirm)

    def replace_section(self, section_id: str, path: Path, *, confirm: bool = True) -> bool:
        path = Path(path)
        if confirm and not self.ask_confirm(
            self.tr("Replace the submitted bid?"),
            self.tr(
                "The bid now submitted for section {0} will be replaced by {1}.\n\nThe platform"
                " keeps only the new file and signs a new receipt; the old one no longer"
                " counts. Continue?"
            ).format(section_id, path.name),
        ):
            return False
        return self.submit_file(section_id, path)

    def withdraw_selected(self, *, confirm: bool = True) -> bool:
        r = self.selected_row()
        if r is None:
            return False
        return self.withdraw_section(r.section_id, confirm=confirm)

    def withdraw_section(self, section_id: str, *, confirm: bool = True) -> bool:
        """Withdraw (撤回) the bid for ``section_id`` after a confirmation naming it."""
        if self.ctx.identity is None:
            self.ctx.errors.show(NotLoggedInError())
            return False
        if self._action is not None:
            return False
        row = self.model.row_of(section_id)
        name = self.model.row(row).section_name if row >= 0 else ""
        if confirm and not self.ask_confirm(
            self.tr("Withdraw the bid?"),
            self.tr(
                "Withdraw the bid submitted for section {0} {1}?\n\nThe platform will no longer"
                " hold a bid from you for this section. You can submit again before the"
                " deadline."
            ).format(section_id, name),
        ):
            return False
        self.info.setText(self.tr("Withdrawing…"))
        task = run_task(_withdraw, self.ctx, section_id).on_done(self._withdrawn)
        task.on_finished(self._action_finished)
        self._action = task.start()
        self._update_actions()
        return True

    def _withdrawn(self, receipt: object) -> None:
        assert isinstance(receipt, VerifiedReceipt)
        self._action = None  # done: the next action may start (its task is just ending)
        head = html.escape(self.tr("Withdrawn: the platform's signed receipt verified."))
        self.action_result.setText(
            f"<p style='color:{AMBER};font-weight:bold'>{head}</p>"
            + fields_html(receipt_fields(receipt.receipt, short=True))
        )
        self.ctx.receiptsChanged.emit()
        self.ctx.submissionsChanged.emit()
        self._wanted = receipt.receipt.section_id
        self.refresh()
        self.withdrawn.emit(receipt)

    def rehearse_selected(self) -> bool:
        r = self.selected_row()
        if r is None:
            return False
        return self.rehearse_section(r.section_id)

    def rehearse_section(self, section_id: str) -> bool:
        """解密自检: unwrap the stored bid's file key with the current key (a worker)."""
        if self.ctx.identity is None:
            self.ctx.errors.show(NotLoggedInError())
            return False
        if self._action is not None:
            return False
        self.info.setText(self.tr("Rehearsing the decryption…"))
        self.action_result.clear()
        task = run_task(_rehearse, self.ctx, section_id).on_done(self._rehearsed)
        task.on_finished(self._action_finished)
        self._action = task.start()
        self._update_actions()
        return True

    def _rehearsed(self, result: object) -> None:
        assert isinstance(result, Rehearsal)
        self._action = None  # done: the next action may start (its task is just ending)
        self.last_rehearsal = result
        self.action_result.setText(self.rehearsal_html(result))
        self.info.setText(
            self.tr("Rehearsal passed.") if result.ok else self.tr("Rehearsal FAILED.")
        )
        self.rehearsed.emit(result)

    def rehearsal_html(self, r: Rehearsal) -> str:
        lang = current_language()
        parts = []
        if r.ok:
            head = self.tr("Rehearsal passed: your current key opens the uploaded bid.")
            parts.append(f"<p style='color:{GREEN};font-weight:bold'>{html.escape(head)}</p>")
        else:
            head = self.tr("Rehearsal FAILED: fix the problems below before the opening.")
            parts.append(f"<p style='color:{RED};font-weight:bold'>{html.escape(head)}</p>")
        if r.problems:
            items = "".join(f"<li>{html.escape(n.text(lang))}</li>" for n in r.problems)
            parts.append(f"<ul style='color:{RED}'>{items}</ul>")
        if r.warnings:
            items = "".join(f"<li>{html.escape(n.text(lang))}</li>" for n in r.warnings)
            parts.append(f"<ul style='color:{AMBER}'>{items}</ul>")
        rows = [
            (self.tr("Section"), r.section_id),
            (self.tr("Stored file SHA-256"), r.file_sha256),
            (self.tr("Sealed for"), "; ".join(r.sealed_for) or "—"),
            (self.tr("Current encryption certificate"), r.current_certificate),
            (self.tr("Opening time"), fmt_time(_aware(r.opening_time))),
            (self.tr("Encryption certificate expires"), fmt_time(_aware(r.encryption_not_after))),
        ]
        if r.receipt_matches:
            rows.append((self.tr("Latest receipt"), self.tr("matches the stored file")))
        parts.append(fields_html(rows))
        return "".join(parts)

    def _action_finished(self) -> None:
        # Only the action that just ended (an earlier one's late signal must not clear a newer
        # one). A bound method, not a lambda: a page that is gone gets no call at all.
        task = self._action
        if task is None or task.signals is self.sender():
            self._action = None
        if self.info.text() in (self.tr("Withdrawing…"), self.tr("Rehearsing the decryption…")):
            self.info.clear()
        self._update_actions()

    # -- dialogs (tests replace these two) --

    def ask_confirm(self, title: str, text: str) -> bool:
        return ask_yes_no(self, title, text)

    def ask_sealed_file(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose a sealed bid"),
            str(self.ctx.bids_dir),
            self.tr("Sealed bids (*.sealbid);;All files (*)"),
        )
        return Path(name) if name else None
