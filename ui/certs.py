"""The certificates page (证书管理): every identity the app knows, its validity, and warnings.

    page = CertificatesPage(ctx)
    page.refresh()                         # workers: read the files' certificates, the bids' openings
    page.import_file("合肥建工.p12", "…")    # check it opens, copy it into the data folder
    page.detect_tokens()                   # USB keys and the certificates on them (no PIN)

The list holds the signed-in identity (marked), the sandbox's demo people, the certificate
files used or imported before, and the USB keys found. A certificate that expired, expires
within 30 days, or — for the signed-in bidder — expires before the opening of a section it
has a bid in is coloured and explained in the warnings list below: the key is needed at the
opening to decrypt the bid, and the certificate to sign in and confirm the record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from client import ReceiptStore, wire
from crypto import identity as identity_module
from crypto._files import atomic_write
from sealbid.errors import SealBidError

from ._certinfo import (
    BidOpening,
    CertCache,
    ExpiryWarning,
    IdentitySummary,
    expiry_warnings,
    file_summary,
    summarise,
)
from ._login_details import CertDetailsView, cert_text
from ._login_tokens import TokenInfo, list_tokens, module_candidates, token_summary
from .context import AppContext
from .tasks import Job, run_task
from .widgets import Page, fmt_time, row_table

__all__ = ["CertificatesPage"]

log = logging.getLogger(__name__)

SummaryRole = Qt.ItemDataRole.UserRole
SeverityRole = Qt.ItemDataRole.UserRole + 1
"""``problem`` (red), ``warning`` (amber) or ``""`` on every cell of a row."""

_PROBLEM = QColor("#f8d7da")
_WARNING = QColor("#fff3cd")


# --- workers ---------------------------------------------------------------------------------------


def _gather(job: Job, data_dir: str, files: list[str], people: Any) -> list[IdentitySummary]:
    """Summaries of the known files and the sandbox's people (reads files: a worker)."""
    cache = CertCache(Path(data_dir))
    out: list[IdentitySummary] = []
    for person in people.identities() if people is not None else []:
        job.check()
        out.append(
            file_summary(
                cache, Path(person.p12), kind="sandbox", role=person.role, label=person.name
            )
        )
    for path in files:
        job.check()
        out.append(file_summary(cache, Path(path), kind="file"))
    return out


def _bid_openings(
    job: Job, ctx: AppContext, org_code: str | None, cert_sha256: str
) -> list[BidOpening]:
    """Sections this bidder has a current bid in, with their opening times.

    The candidates come from the receipts kept on this computer (``client.receipts``): the
    latest receipt of each section, for this platform and this company (a renewed certificate
    has another fingerprint but the same 统一社会信用代码). The platform then confirms each
    bid is still current and gives the opening time, by its clock.
    """
    store = ReceiptStore(ctx.state_dir / "receipts")
    with ctx.client() as client:
        platform_id = client.platform_info().platform_id
        latest: dict[str, wire.Receipt] = {}
        for path in store.list():
            job.check()
            try:
                receipt = wire.Receipt.model_validate_json(store.load(path).receipt)
            except (SealBidError, ValueError):
                continue  # the receipts page reports unreadable receipts
            if receipt.platform_id != platform_id:
                continue
            mine = (
                receipt.bidder.org_code == org_code
                if org_code
                else receipt.bidder.cert_sha256 == cert_sha256
            )
            if not mine:
                continue
            known = latest.get(receipt.section_id)
            if known is None or receipt.sequence > known.sequence:
                latest[receipt.section_id] = receipt
        out = []
        for section_id, receipt in sorted(latest.items()):
            job.check()
            if receipt.kind != "submit" or client.submission(section_id).status != "submitted":
                continue
            section = client.section(section_id)
            out.append(BidOpening(section_id, section.name, section.opening_time))
    return out


@dataclass(frozen=True)
class ImportResult:
    path: Path
    copied: bool
    """False when the same file was there already."""
    summary: IdentitySummary
    source_name: str


def _destination(folder: Path, name: str, data: bytes) -> tuple[Path, bool]:
    """Where to copy a file named ``name`` holding ``data``: the same name, or ``name (2)``…
    when another file has that name; (path, True) when an identical file is already there."""
    candidate = folder / name
    stem, suffix = candidate.stem, candidate.suffix
    n = 1
    while candidate.exists():
        try:
            if candidate.read_bytes() == data:
                return candidate, True
        except OSError:
            pass
        n += 1
        candidate = folder / f"{stem} ({n}){suffix}"
    return candidate, False


def _import(job: Job, source: str, password: bytes, folder: str, data_dir: str) -> ImportResult:
    src = Path(source)
    identity = identity_module.load_identity(src, password=password)
    try:
        job.check()
        try:
            data = src.read_bytes()
            target_dir = Path(folder)
            target_dir.mkdir(parents=True, exist_ok=True)
            target, present = _destination(target_dir, src.name, data)
            if not present:
                # The name was free a moment ago; the app imports one file at a time, so the
                # atomic rename cannot replace someone else's file in between.
                atomic_write(target, data, private=True)
        except OSError as exc:
            from crypto.errors import FileAccessError

            raise FileAccessError(
                str(exc), path=exc.filename or source, why=exc.strerror or type(exc).__name__
            ) from exc
        CertCache(Path(data_dir)).remember(target, identity)
        summary = summarise(identity, kind="file", source=str(target))
    finally:
        identity.close()
    return ImportResult(target, not present, summary, src.name)


def _detect(job: Job, module: str) -> list[TokenInfo]:
    return list_tokens(module)


# --- the page --------------------------------------------------------------------------------------


class CertificatesPage(Page):
    key = "certs"

    refreshed = Signal()  # the list and the warnings are up to date
    imported = Signal(str)  # the path of the imported (copied) file
    importFailed = Signal(str)  # the message shown
    tokensDetected = Signal(int)

    COLUMNS = 6
    COL_NAME, COL_STATUS, COL_UNTIL, COL_ORG, COL_ISSUER, COL_WHERE = range(6)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._generation = 0
        self._pending: set[str] = set()
        self._files: list[IdentitySummary] = []
        self._openings: list[BidOpening] = []
        self._openings_note = ""
        self._tokens: list[IdentitySummary] = []
        self.warnings: list[ExpiryWarning] = []

        heading = QLabel(self.tr("Certificates"))
        font = heading.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        heading.setFont(font)

        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.refresh_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_button.clicked.connect(self.refresh)
        self.import_button = QPushButton(self.tr("&Import .p12…"))
        self.import_button.clicked.connect(self._ask_import)
        self.detect_button = QPushButton(self.tr("&Detect tokens"))
        self.detect_button.clicked.connect(self.detect_tokens)
        self.login_button = QPushButton(self.tr("&Log in…"))
        self.login_button.clicked.connect(self._login)

        self.model = QStandardItemModel(0, self.COLUMNS, self)
        self.model.setHorizontalHeaderLabels(
            [
                self.tr("Name"),
                self.tr("Status"),
                self.tr("Valid until"),
                self.tr("Unified social credit code"),
                self.tr("Issuer"),
                self.tr("Where"),
            ]
        )
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.view = row_table(self.proxy, self.tr("Known certificates"))
        self.view.setSortingEnabled(True)
        # Until a header is clicked: the model's order, the signed-in identity first.
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)

        self.details = CertDetailsView()
        self.warnings_model = QStandardItemModel(self)
        self.warnings_view = QListView()
        self.warnings_view.setModel(self.warnings_model)
        self.warnings_view.setAccessibleName(self.tr("Certificate warnings"))
        self.warnings_view.setWordWrap(True)
        self.warnings_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Certificates page message"))

        buttons = QHBoxLayout()
        for b in (self.refresh_button, self.import_button, self.detect_button, self.login_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.view)
        top.addWidget(self.details)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        warnings_label = QLabel(self.tr("&Warnings:"))
        warnings_label.setBuddy(self.warnings_view)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(warnings_label)
        bottom_layout.addWidget(self.warnings_view)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

        ctx.identityChanged.connect(self._context_changed)
        ctx.receiptsChanged.connect(self._context_changed)
        ctx.platformChanged.connect(self._context_changed)

    def title(self) -> str:
        return self.tr("Certificates")

    def activated(self) -> None:
        self.refresh()

    def _context_changed(self) -> None:
        if self.isVisible():
            self.refresh()

    def _login(self) -> None:
        window = self.window()
        if hasattr(window, "show_login"):
            window.show_login()

    # -- refreshing --

    @property
    def loading(self) -> bool:
        return bool(self._pending)

    def _current_summary(self) -> IdentitySummary | None:
        identity = self.ctx.identity
        if identity is None:
            return None
        source = self.ctx.identity_source
        kind = "token" if source.startswith("pkcs11:") else "file"
        return summarise(identity, kind=kind, source=source, current=True)  # type: ignore[arg-type]

    def refresh(self) -> None:
        """Re-read the identities and, when signed in, the openings of the bids (workers)."""
        self._generation += 1
        generation = self._generation
        ctx = self.ctx
        self._pending = {"files"}
        self.refresh_button.setEnabled(False)

        def gathered(found: list[IdentitySummary]) -> None:
            if generation == self._generation:
                self._files = found
                self._part_done("files")

        def gather_failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.message.setText(ctx.errors.message(exc))
                self._part_done("files")

        run_task(_gather, str(ctx.data_dir), ctx.known_identity_files(), ctx.sandbox).on_done(
            gathered
        ).on_error(gather_failed).start()

        current = self._current_summary()
        self._openings = []
        self._openings_note = ""
        if current is not None and ctx.platform_url and current.signing is not None:
            self._pending.add("openings")

            def openings(found: list[BidOpening]) -> None:
                if generation == self._generation:
                    self._openings = found
                    self._part_done("openings")

            def openings_failed(exc: BaseException) -> None:
                if generation == self._generation:
                    self._openings_note = self.tr(
                        "The opening times of your bids could not be checked: {0}"
                    ).format(ctx.errors.message(exc))
                    self._part_done("openings")

            sha = current.signing.sha256.replace(":", "").lower()
            run_task(_bid_openings, ctx, current.org_code, sha).on_done(openings).on_error(
                openings_failed
            ).start()

    def _part_done(self, part: str) -> None:
        self._pending.discard(part)
        if self._pending:
            return
        self.refresh_button.setEnabled(True)
        self._rebuild()
        self.refreshed.emit()

    def summaries(self) -> list[IdentitySummary]:
        """The rows, in order: the signed-in identity first, then the others (one row each)."""
        current = self._current_summary()
        if current is not None:
            same = next(
                (s for s in [*self._files, *self._tokens] if s.source == current.source), None
            )
            if same is not None:
                current = replace(current, kind=same.kind, role=same.role)
        out: list[IdentitySummary] = [current] if current is not None else []
        seen = {current.source} if current is not None else set()
        for s in [*self._files, *self._tokens]:
            if s.source in seen:
                continue
            seen.add(s.source)
            out.append(s)
        return out

    def _rebuild(self) -> None:
        now = self.ctx.server_now()
        summaries = self.summaries()
        self.warnings = expiry_warnings(summaries, now, self._openings)
        texts = cert_text()
        selected = self.selected_summary()
        self.model.removeRows(0, self.model.rowCount())
        for summary in summaries:
            mine = [w for w in self.warnings if w.summary is summary]
            self.model.appendRow(self._row(summary, mine, now))
        self.view.resizeColumnsToContents()
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        self.warnings_model.clear()
        style = self.style()
        for w in self.warnings:
            item = QStandardItem(texts.warning(w))
            severe = w.kind != "soon"
            item.setIcon(
                style.standardIcon(
                    QStyle.StandardPixmap.SP_MessageBoxCritical
                    if severe
                    else QStyle.StandardPixmap.SP_MessageBoxWarning
                )
            )
            item.setData("problem" if severe else "warning", SeverityRole)
            self.warnings_model.appendRow(item)
        if self._openings_note:
            note = QStandardItem(self._openings_note)
            note.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation))
            self.warnings_model.appendRow(note)
        if not self.warnings and not self._openings_note:
            self.warnings_model.appendRow(QStandardItem(self.tr("No certificate needs attention.")))
        if not self.select_source(selected.source if selected else "") and summaries:
            self.view.selectRow(0)

    def _row(
        self, summary: IdentitySummary, warnings: list[ExpiryWarning], now: Any
    ) -> list[QStandardItem]:
        texts = cert_text()
        certs = summary.certificates()
        name = summary.label
        if summary.current:
            name = self.tr("{0} (signed in)").format(name)
        elif summary.role:
            name = f"{name} · {texts.role(summary.role)}"
        issuer = certs[0][1].issuer if certs else ""
        until = min((c.not_after for _, c in certs), default=None)
        severity = ""
        if any(w.kind != "soon" for w in warnings):
            severity = "problem"
        elif warnings:
            severity = "warning"
        if not certs:
            status = self.tr("Certificates not read yet (log in once with this file)")
        elif warnings:
            worst = next((w for w in warnings if w.kind != "soon"), warnings[0])
            if worst.kind == "before_opening" and worst.opening is not None:
                status = self.tr("Expires before the opening of {0}").format(
                    worst.opening.section_id
                )
            else:
                status = texts.state(worst.cert, now)
        else:
            first = min((c for _, c in certs), key=lambda c: c.not_after)
            status = texts.state(first, now)
        where = texts.kind(summary)
        cells = [
            name,
            status,
            fmt_time(until, seconds=False) if until else "—",
            summary.org_code or "—",
            issuer,
            f"{where}: {summary.source}",
        ]
        row = []
        for text in cells:
            item = QStandardItem(text)
            item.setData(summary, SummaryRole)
            item.setData(severity, SeverityRole)
            item.setToolTip(text)
            if severity:
                item.setBackground(QBrush(_PROBLEM if severity == "problem" else _WARNING))
            if summary.current:
                font = QFont()
                font.setBold(True)
                item.setFont(font)
            row.append(item)
        return row

    # -- selection --

    def selected_summary(self) -> IdentitySummary | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        value = self.proxy.data(index.siblingAtColumn(0), SummaryRole)
        return value if isinstance(value, IdentitySummary) else None

    def select_source(self, source: str) -> bool:
        for row in range(self.proxy.rowCount()):
            value = self.proxy.data(self.proxy.index(row, 0), SummaryRole)
            if isinstance(value, IdentitySummary) and value.source == source and source:
                self.view.selectRow(row)
                return True
        return False

    def row_of(self, source: str) -> int:
        """The model row listing ``source`` (-1: none)."""
        for row in range(self.model.rowCount()):
            value = self.model.item(row, 0).data(SummaryRole)
            if isinstance(value, IdentitySummary) and value.source == source:
                return row
        return -1

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.details.show_summary(self.selected_summary(), self.ctx.server_now())

    # -- importing --

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import a certificate file"),
            "",
            self.tr("Certificate files (*.p12 *.pfx);;All files (*)"),
        )
        if not path:
            return
        password, ok = QInputDialog.getText(
            self,
            self.tr("Certificate password"),
            self.tr("Password of {0}:").format(Path(path).name),
            QLineEdit.EchoMode.Password,
        )
        if ok:
            self.import_file(path, password)

    def import_file(self, path: str, password: str) -> None:
        """Check that ``path`` opens with ``password``, then copy it into the data folder."""
        self.message.setText(self.tr("Importing {0}…").format(Path(path).name))
        self.import_button.setEnabled(False)
        (
            run_task(
                _import,
                path,
                password.encode("utf-8"),
                str(self.ctx.data_dir / "certificates"),
                str(self.ctx.data_dir),
            )
            .on_done(self._imported)
            .on_error(self._import_failed)
            .on_finished(lambda: self.import_button.setEnabled(True))
            .start()
        )

    def _imported(self, result: ImportResult) -> None:
        self.ctx.remember_identity_file(str(result.path))
        if result.copied and result.path.name != result.source_name:
            text = self.tr(
                "Another certificate file named {0} is there already (left as it was); this one"
                " is kept as {1}."
            ).format(result.source_name, str(result.path))
        elif result.copied:
            text = self.tr("Imported {0} into {1}.").format(result.summary.label, str(result.path))
        else:
            text = self.tr("{0} was imported before: {1}").format(
                result.summary.label, str(result.path)
            )
        self.message.setText(text)
        self.ctx.status.emit(text)
        self.imported.emit(str(result.path))
        self.refresh()

    def _import_failed(self, exc: BaseException) -> None:
        text = self.tr("Not imported: {0}").format(self.ctx.errors.message(exc))
        self.message.setText(text)
        self.importFailed.emit(text)

    # -- tokens --

    def token_module(self) -> str:
        saved = str(self.ctx.setting("token/module", ""))
        if saved:
            return saved
        found = module_candidates()
        return found[0] if found else ""

    def detect_tokens(self) -> None:
        module = self.token_module()
        if not module:
            self.message.setText(
                self.tr("No PKCS#11 module is set: choose your USB key's module in Settings.")
            )
            self.tokensDetected.emit(0)
            return
        self.detect_button.setEnabled(False)
        self.message.setText(self.tr("Looking for USB keys…"))
        (
            run_task(_detect, module)
            .on_done(self._tokens_found)
            .on_error(self._detect_failed)
            .on_finished(lambda: self.detect_button.setEnabled(True))
            .start()
        )

    def _tokens_found(self, tokens: list[TokenInfo]) -> None:
        self._tokens = [token_summary(t) for t in tokens]
        if tokens:
            self.message.setText(self.tr("{0} USB key(s) found.").format(len(tokens)))
        else:
            self.message.setText(self.tr("No USB key found. Plug it in and detect again."))
        self._rebuild()
        self.tokensDetected.emit(len(tokens))

    def _detect_failed(self, exc: BaseException) -> None:
        self.message.setText(self.ctx.errors.message(exc))
        self.tokensDetected.emit(0)
