"""The receipts screen (回执): every receipt kept on this computer, checked offline.

    page = ReceiptsPage(ctx)
    page.refresh()                      # worker: read and verify every stored receipt
    page.select_path(path)              # show one in the details pane
    page.verify_selected()              # re-check offline         → verified(VerifyOutcome)
    page.check_file_selected(file)      # compare a local sealed file's digest → verified(...)
    page.export_selected(out)           # the receipt as PDF, written atomically → exported(str)

A receipt proves a submission only once it verifies: the platform's signature, the signer pinned
to the platform certificate saved beside the receipts (the same check as ``sealbid receipts``).
Everything slow (reading, verifying, hashing a GB file, rendering the PDF) runs in workers.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QItemSelection, QSortFilterProxyModel, QStandardPaths, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from client.receipts import file_digest
from crypto._files import atomic_write
from sealbid.errors import UsageError

from ._receipts_model import (
    AMBER,
    GREEN,
    RED,
    SORT_ROLE,
    ReceiptEntry,
    ReceiptTableModel,
    fields_html,
    load_store,
    receipt_fields,
    trust_text,
    verify_stored,
)
from .context import AppContext
from .tasks import Job, Task, run_task
from .widgets import Page, row_table

__all__ = ["ReceiptsPage", "VerifyOutcome"]


@dataclass(frozen=True)
class VerifyOutcome:
    """What a "Verify" or "Check against a file…" found (the ``verified`` signal carries it)."""

    entry: ReceiptEntry
    file_path: Path | None = None
    file_sha256: str | None = None
    file_size: int | None = None

    @property
    def ok(self) -> bool:
        """The receipt verified (and, with a file, the file is the receipt's)."""
        return self.entry.verified is not None and self.file_matches is not False

    @property
    def file_matches(self) -> bool | None:
        """None without a file; else whether its SHA-256 and size are the receipt's."""
        r = self.entry.receipt
        if self.file_path is None or r is None:
            return None
        return (self.file_sha256, self.file_size) == (r.file_sha256, r.file_size)


# --- workers (plain data in, plain data out) --------------------------------------------------


def _verify(job: Job, path: Path) -> VerifyOutcome:
    return VerifyOutcome(verify_stored(path))


def _check_file(job: Job, path: Path, file_path: Path) -> VerifyOutcome:
    entry = verify_stored(path)
    sha256, size = file_digest(file_path, progress=job.progress, cancel=job.cancelled)
    return VerifyOutcome(entry, file_path, sha256, size)


def _export(job: Job, entry: ReceiptEntry, out: Path) -> str:
    from reports.receipt_pdf import render_receipt

    receipt = entry.verified
    if receipt is None:  # the page offers export only for verified receipts
        raise UsageError(what="回执未通过验证 / the receipt does not verify")
    pdf = render_receipt(receipt)
    job.check()
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, pdf)
    return str(out)


def _file_name_part(text: str) -> str:
    """A piece of a file name: nothing that is a path separator or illegal on Windows."""
    bad = '<>:"/\\|?*'
    return "".join("_" if c in bad or ord(c) < 32 else c for c in text).strip(" .") or "_"


class ReceiptsPage(Page):
    key = "receipts"

    verified = Signal(object)  # VerifyOutcome
    exported = Signal(str)  # the PDF's path
    loaded = Signal()  # the list was (re)loaded

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._load_task: Task | None = None
        self._reload = False
        self._job: Task | None = None  # verify / check / export of the selected receipt
        self._note = ""  # the last outcome, shown under the details
        self._wanted: Path | None = None  # a receipt to select once the list is loaded

        self.model = ReceiptTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        title = QLabel(self.tr("Receipts kept on this computer"))
        title.setStyleSheet("font-size: 15px; font-weight: bold")
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(self.tr("Filter by section, bidder, digest…"))
        self.filter.setAccessibleName(self.tr("Filter receipts"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.refresh_button.setToolTip(self.tr("Read and verify the stored receipts again (F5)"))
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.filter, 1)
        top.addWidget(self.refresh_button)

        self.view = row_table(self.proxy, self.tr("Receipts"))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(ReceiptTableModel.RECEIVED, Qt.SortOrder.DescendingOrder)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)

        self.details = QTextBrowser()
        self.details.setAccessibleName(self.tr("Receipt details"))
        self.details.setOpenLinks(False)

        self.verify_button = QPushButton(self.tr("&Verify"))
        self.verify_button.setToolTip(self.tr("Check the platform's signature again, offline"))
        self.verify_button.clicked.connect(self.verify_selected)
        self.check_file_button = QPushButton(self.tr("Check against a &file…"))
        self.check_file_button.setToolTip(
            self.tr("Compute a sealed file's SHA-256 and compare it with the receipt")
        )
        self.check_file_button.clicked.connect(lambda: self.check_file_selected())
        self.export_button = QPushButton(self.tr("Export &PDF…"))
        self.export_button.clicked.connect(lambda: self.export_selected())
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel_job)
        self.cancel_button.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setAccessibleName(self.tr("Progress"))
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        actions = QHBoxLayout()
        for w in (self.verify_button, self.check_file_button, self.export_button):
            actions.addWidget(w)
        actions.addWidget(self.progress, 1)
        actions.addWidget(self.cancel_button)
        actions.addStretch(0)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(actions)
        lower_layout.addWidget(self.details, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        QShortcut(QKeySequence.StandardKey.Refresh, self, self.refresh)
        QShortcut(QKeySequence.StandardKey.Find, self, self.filter.setFocus)

        ctx.receiptsChanged.connect(self._store_changed)
        self._update_actions()

    def title(self) -> str:
        return self.tr("Receipts")

    def activated(self) -> None:
        self.refresh()

    def _store_changed(self) -> None:
        # Read now when shown; otherwise the next activation reads (nothing slow at start-up).
        if self.isVisible():
            self.refresh()

    def show_item(self, item: object) -> None:
        """Select a receipt: its file path (a str or Path)."""
        if isinstance(item, str | Path):
            self._wanted = Path(item)
            if not self.select_path(Path(item)):
                self.refresh()

    # -- loading --

    @property
    def loading(self) -> bool:
        return self._load_task is not None

    def refresh(self) -> None:
        """Read and verify every stored receipt (again) in a worker."""
        if self._load_task is not None:
            self._reload = True  # one more pass once this one ends: the store changed since
            return
        root = str(self.ctx.state_dir / "receipts")
        self.status.setText(self.tr("Reading the receipts…"))
        task = run_task(load_store, root).on_done(self._loaded)
        task.on_error(self._load_failed).on_finished(self._load_finished)
        self._load_task = task.start()

    def _loaded(self, entries: object) -> None:
        assert isinstance(entries, list)
        keep = self.selected_entry()
        wanted = self._wanted or (keep.path if keep else None)
        self.model.set_rows(entries)
        bad = sum(1 for e in entries if e.verified is None)
        if not entries:
            self.status.setText(
                self.tr("No receipts yet: a receipt is kept for every submission and withdrawal.")
            )
        elif bad:
            self.status.setText(
                self.tr("{0} receipt(s); {1} do NOT verify (shown in red).").format(
                    len(entries), bad
                )
            )
        else:
            self.status.setText(self.tr("{0} receipt(s), all verified.").format(len(entries)))
        if wanted is None or not self.select_path(wanted):
            self._show_details()
        self._wanted = None
        self.loaded.emit()

    def _load_failed(self, exc: BaseException) -> None:
        self.status.setText(self.ctx.errors.message(exc))

    def _load_finished(self) -> None:
        self._load_task = None
        if self._reload:
            self._reload = False
            self.refresh()

    # -- selection and details --

    def selected_entry(self) -> ReceiptEntry | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row(self.proxy.mapToSource(rows[0]).row())

    def select_path(self, path: Path) -> bool:
        row = self.model.row_of(Path(path))
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.view.selectRow(index.row())
        self.view.scrollTo(index)
        return True

    def select_row(self, row: int) -> None:
        """Select the ``row``-th receipt as the view shows them (sorted, filtered)."""
        self.view.selectRow(row)

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        self._note = ""
        self._show_details()

    def _show_details(self) -> None:
        self._update_actions()
        e = self.selected_entry()
        if e is None:
            self.details.setHtml(
                "<p>" + html.escape(self.tr("Select a receipt to see every field.")) + "</p>"
            )
            return
        parts: list[str] = []
        if e.verified is not None:
            v = e.verified
            if v.trust == "embedded":
                head = self.tr("The platform's signature is intact, but the receipt is UNANCHORED")
                color = AMBER
            else:
                head = self.tr("Receipt verified: signed by the platform")
                color = GREEN
            parts.append(f"<p style='color:{color};font-weight:bold'>{html.escape(head)}</p>")
        else:
            msg = self.ctx.errors.message(e.error) if e.error is not None else ""
            parts.append(
                f"<p style='color:{RED};font-weight:bold'>"
                + html.escape(self.tr("This receipt does NOT verify: {0}").format(msg))
                + "</p>"
            )
        rows: list[tuple[str, str]] = []
        if e.receipt is not None:
            rows = receipt_fields(e.receipt, receipt_sha256=e.receipt_sha256)
        if e.verified is not None:
            cert = e.verified.signer
            rows += [
                (self.tr("Platform signer"), cert.subject.rfc4514_string()),
                (self.tr("Signer certificate serial"), f"{cert.serial_number:x}"),
                (self.tr("Signer certificate issuer"), cert.issuer.rfc4514_string()),
                (
                    self.tr("Anchored to the pinned platform certificate"),
                    self.tr("Yes") if e.anchored else self.tr("No"),
                ),
                (self.tr("Trust"), trust_text(e.verified)),
            ]
        rows.append((self.tr("Receipt file"), str(e.path)))
        parts.append(fields_html(rows))
        if self._note:
            parts.append(self._note)
        self.details.setHtml("".join(parts))

    def _update_actions(self) -> None:
        e = self.selected_entry()
        busy = self._job is not None
        self.verify_button.setEnabled(e is not None and not busy)
        has_file = e is not None and e.receipt is not None and e.receipt.kind == "submit"
        self.check_file_button.setEnabled(has_file and not busy)
        self.export_button.setEnabled(e is not None and e.verified is not None and not busy)
        self.cancel_button.setVisible(busy)
        self.progress.setVisible(busy)

    # -- actions --

    def _start_job(self, task: Task, busy_text: str) -> None:
        self.status.setText(busy_text)
        self.progress.setValue(0)
        task.with_progress(self._on_progress).on_finished(self._job_finished)
        task.on_cancelled(self._job_cancelled)
        self._job = task.start()
        self._update_actions()

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setValue(int(done * 1000 / total) if total else 0)

    def _job_cancelled(self) -> None:
        self.status.setText(self.tr("Cancelled."))

    def _job_finished(self) -> None:
        # Only the job that just ended; a bound method, so a page that is gone gets no call.
        job = self._job
        if job is None or job.signals is self.sender():
            self._job = None
            if job is not None and job.failed:
                # The error went to the sink; the busy line must not stay behind.
                self.status.setText(self.tr("Failed: see the message."))
        self._update_actions()

    def cancel_job(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def verify_selected(self) -> None:
        e = self.selected_entry()
        if e is None or self._job is not None:
            return
        task = run_task(_verify, e.path).on_done(self._verified)
        self._start_job(task, self.tr("Verifying…"))

    def check_file_selected(self, file_path: Path | None = None) -> None:
        """Compare a local sealed file with the selected receipt (asks for the file if None)."""
        e = self.selected_entry()
        if e is None or self._job is not None:
            return
        if file_path is None:
            file_path = self.ask_file()
            if file_path is None:
                return
        task = run_task(_check_file, e.path, Path(file_path)).on_done(self._verified)
        self._start_job(task, self.tr("Computing the file's SHA-256…"))

    def _verified(self, outcome: object) -> None:
        assert isinstance(outcome, VerifyOutcome)
        self._job = None  # done: its task is just ending, the next may start
        self.model.update(outcome.entry)
        e = outcome.entry
        if outcome.file_path is not None:
            name = html.escape(str(outcome.file_path))
            if outcome.file_matches:
                text = self.tr("The file matches the receipt: same SHA-256 and size.")
                color = GREEN
            else:
                text = self.tr(
                    "The file does NOT match the receipt: its SHA-256 is {0} ({1} bytes)."
                ).format(outcome.file_sha256, outcome.file_size)
                color = RED
            self._note = (
                f"<p style='color:{color};font-weight:bold'>{html.escape(text)}<br>{name}</p>"
            )
        elif e.verified is not None:
            self._note = (
                f"<p style='color:{GREEN}'>"
                + html.escape(self.tr("Checked again just now."))
                + "</p>"
            )
        else:
            self._note = ""
        if outcome.ok:
            self.status.setText(self.tr("Verified."))
        elif e.verified is None:
            self.status.setText(self.tr("The receipt does NOT verify."))
        else:
            self.status.setText(self.tr("The file does NOT match the receipt."))
        self._show_details()
        self.verified.emit(outcome)

    def default_export_name(self, e: ReceiptEntry) -> str:
        r = e.receipt
        if r is None:
            return self.tr("Receipt.pdf")
        stem = (
            self.tr("Submission receipt") if r.kind == "submit" else self.tr("Withdrawal receipt")
        )
        return f"{_file_name_part(stem)}-{_file_name_part(r.section_id)}-{r.sequence:04d}.pdf"

    def export_selected(self, out: Path | None = None) -> None:
        """Render the selected (verified) receipt as PDF to ``out`` (asks where if None)."""
        e = self.selected_entry()
        if e is None or e.verified is None or self._job is not None:
            return
        if out is None:
            out = self.ask_save_path(self.default_export_name(e))
            if out is None:
                return
            self.ctx.set_setting("receipts/export_dir", str(out.parent))
        task = run_task(_export, e, Path(out)).on_done(self._exported)
        self._start_job(task, self.tr("Writing the PDF…"))

    def _exported(self, path: object) -> None:
        self._job = None  # done: its task is just ending, the next may start
        self._update_actions()
        self.status.setText(self.tr("Saved: {0}").format(path))
        self.ctx.status.emit(self.tr("Receipt saved as PDF: {0}").format(path))
        self.exported.emit(str(path))

    # -- dialogs (tests replace these two) --

    def ask_file(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Check against a sealed file"),
            str(self.ctx.bids_dir),
            self.tr("Sealed bids (*.sealbid);;All files (*)"),
        )
        return Path(name) if name else None

    def ask_save_path(self, default_name: str) -> Path | None:
        folder = str(
            self.ctx.setting("receipts/export_dir", "")
        ) or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        start = str(Path(folder) / default_name) if folder else default_name
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export the receipt as PDF"), start, self.tr("PDF (*.pdf)")
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")
