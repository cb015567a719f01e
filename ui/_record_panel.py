"""The opening record (开标记录) as the participants review, sign, save and print it.

    panel = RecordPanel(ctx, feed)          # embedded by the bidder's hall and the host console
    panel.confirm_button.click()            # 签认: asks panel.confirm(...), then signs
    panel.decline_button.click()            # 拒绝签认: asks panel.ask_text(...) for the reason
    panel.save_record_to(Path("开标记录.json"))   # verified, then written atomically (worker)
    panel.save_pdf_to(Path("开标记录.pdf"))       # after "finished": the platform's signed PDF
    panel.print_to(printer)                       # paints that PDF on a QPrinter
    panel.open_preview()                          # the print preview (its print button prints)

It follows the feed: before the results are announced it says the record comes later; from
"confirming" it reads the signed record in a worker and shows it only once the record's
digest, canonical text and the platform's signature check out against the platform's
published certificate (``client.record.record_digest_ok``). It reads the record again when the
state names another digest (a new revision after an objection) and when a signature, a new
revision or the finish is announced. A bidder sees its own row highlighted and spelled out:
that row is what it signs for.

Signing goes through the feed's own client (``feed.action``). The record signed is the one
shown: the step first checks that the platform's current digest is still the one on screen,
and refuses otherwise (a new revision must be read before it is signed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from cryptography import x509
from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from client import wire
from client.opening import OpeningClient
from client.receipts import load_certificates
from client.record import fetch_record_pdf, record_digest_ok, save_record, verify_record
from crypto._files import atomic_write
from sealbid.errors import SealBidError, UsageError

from ._opening_feed import OpeningFeed
from ._opening_models import RED, OpeningRows
from ._opening_text import OpeningText
from ._printing import (
    PrintRecordDialog,
    RenderedPdf,
    paint_pages,
    preview_and_print,
    print_dpi,
    render_for_print,
)
from .context import AppContext
from .errors import describe_error
from .tasks import Job, Task, run_task
from .widgets import CST, ask_yes_no, fmt_countdown, fmt_time, row_table

__all__ = [
    "RecordChangedError",
    "RecordNotValidError",
    "RecordPanel",
    "RecordPdfInvalidError",
    "RecordView",
]

_Index = QModelIndex | QPersistentModelIndex

STAFF_ROLES = ("host", "recorder", "supervisor")
_REFETCH_EVENTS = frozenset({"signature", "record", "finished"})
_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
OWN_ROW_BG = QColor("#fff3c4")


class RecordChangedError(SealBidError):
    """The platform issued a new revision of the record after the one on screen was read."""

    code = "ui.record_changed"
    zh = "开标记录已更新为新版本（例如有新的异议或答复）。未签署；请查看新版本后再签认。"
    en = "The opening record has a new revision (for example after an objection or an answer). Nothing was signed; review the new revision, then sign."


class RecordPdfInvalidError(SealBidError):
    """The platform's record PDF does not verify, or is another section's."""

    code = "ui.record_pdf_invalid"
    zh = "平台提供的开标记录 PDF 未通过验证（签章无效或所嵌记录不是本标段的）。未保存，也未打印。"
    en = "The record PDF from the platform does not verify (its signature is invalid or the record it embeds is not this section's). Nothing was saved or printed."


class RecordNotValidError(SealBidError):
    """A record that failed verification is not written to a file."""

    code = "ui.record_not_valid"
    zh = "开标记录未通过验证（{checks_zh}），未保存。"
    en = "The opening record does not verify ({checks_en}); it was not saved."


# --- workers (plain data in, plain data out) ----------------------------------------------------


@dataclass(frozen=True)
class RecordView:
    """The signed record as read and checked in a worker, with what the panel needs of the
    signed-in user."""

    doc: wire.SignedRecord
    body: dict[str, Any]
    own_row: dict[str, Any] | None
    role: str
    org_code: str | None
    anchors: tuple[x509.Certificate, ...]
    """The platform's published certificate chain the record was checked against."""


def _fetch_record(job: Job, ctx: AppContext, section_id: str) -> RecordView:
    with ctx.client() as client:
        opening = OpeningClient(client, section_id)
        doc = opening.record()
        job.check()
        anchors = tuple(load_certificates(client.platform_info().certificate_pem))
        session = client.session or client.login()
        own = opening.own_row(doc)
    # Shown only if it is the platform's record: digest, canonical text, the platform's
    # signature anchored at its published certificate. Raises RecordInvalidError otherwise.
    report = record_digest_ok(doc, anchors=list(anchors))
    return RecordView(
        doc=doc,
        body=report.body or json.loads(doc.record),
        own_row=own,
        role=str(session.role),
        org_code=session.org_code,
        anchors=anchors,
    )


def _sign_shown(
    opening: OpeningClient, shown_sha256: str, decision: str, reason: str | None
) -> wire.RecordSignature:
    # What is signed must be what the user read: refuse when the platform moved to another
    # revision since (``sign_record`` reads the record again and checks it fully).
    current = opening.record(signatures=False)
    if current.record_sha256 != shown_sha256:
        raise RecordChangedError(f"shown {shown_sha256[:12]}, current {current.record_sha256[:12]}")
    return opening.sign_record(decision, reason)  # type: ignore[arg-type]


def _statement_digest(signature: wire.RecordSignature) -> str | None:
    """The record digest a signature's statement names (what was actually signed)."""
    try:
        value = json.loads(signature.statement).get("record_sha256")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _save_record(job: Job, path: Path, view: RecordView) -> Path:
    report = verify_record(view.doc, anchors=list(view.anchors))
    if not report.ok:
        raise RecordNotValidError(
            "; ".join(f"{c.key}: {c.detail}" for c in report.failed())[:500],
            checks_zh="、".join(c.name_zh for c in report.failed()),
            checks_en=", ".join(c.name_en for c in report.failed()),
        )
    job.check()
    return save_record(path, view.doc)


def _fetch_pdf(job: Job, kwargs: dict[str, Any], section_id: str) -> bytes:
    from client import PlatformClient

    # Its own client: the platform makes the PDF after the finish and this may wait a minute;
    # the shared client would hold up every other screen meanwhile.
    client = PlatformClient(**kwargs)
    job.on_cancel(client.close)
    try:
        fetched = fetch_record_pdf(client, section_id, stop=job.cancelled)
    finally:
        client.close()
    if not fetched.ok:
        failed = "; ".join(c.name_en for c in fetched.report.failed()) or "section"
        raise RecordPdfInvalidError(failed)
    return fetched.pdf


def _write(job: Job, path: Path, data: bytes) -> Path:
    # An OSError goes up as it is: describe_error says "cannot write <file>" in the user's
    # language (not "invalid input" with the system's English reason).
    if path.parent != Path():
        path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)
    return path


def _render(job: Job, pdf: bytes, dpi: int) -> RenderedPdf:
    return render_for_print(pdf, dpi, cancel=job.cancelled)


# --- models -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BidderRow:
    number: int | None
    name: str
    org_code: str
    decryption: str
    cause: str
    summary: str
    confirmation: str
    """``pending``, ``confirmed``, ``declined`` or ``no_response``."""
    own: bool


class RecordRowsModel(OpeningRows[BidderRow]):
    """The record's bidders, one row each; the signed-in bidder's row highlighted."""

    COLUMNS = 5

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.text = OpeningText(self)

    def headers(self) -> list[str]:
        return [
            self.tr("No."),
            self.tr("Bidder"),
            self.tr("Decryption"),
            self.tr("Bid summary"),
            self.tr("Confirmation"),
        ]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.row(index.row())
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                text = "—" if r.number is None else str(r.number)
                return self.tr("{number} (your row)").format(number=text) if r.own else text
            if col == 1:
                return f"{r.name}\n{r.org_code}" if r.org_code else r.name
            if col == 2:
                status = self.text.decryption(r.decryption)
                return f"{status}\n{r.cause}" if r.cause else status
            if col == 3:
                return r.summary
            return confirmation_text(r.confirmation)
        if role == Qt.ItemDataRole.BackgroundRole and r.own:
            return QBrush(OWN_ROW_BG)
        if role == Qt.ItemDataRole.FontRole and r.own:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and r.own:
            return self.tr("Your row: this is what you sign for")
        return None


class SignaturesModel(OpeningRows[wire.RecordSignature]):
    """The signatures collected on the record's current revision."""

    COLUMNS = 5

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.text = OpeningText(self)

    def headers(self) -> list[str]:
        return [
            self.tr("Role"),
            self.tr("Name"),
            self.tr("Decision"),
            self.tr("Reason"),
            self.tr("Time"),
        ]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self.row(index.row())
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return self.text.role(s.role)
            if col == 1:
                return f"{s.name}\n{s.org_code}" if s.org_code else s.name
            if col == 2:
                return decision_text(s.decision)
            if col == 3:
                return s.reason or ""
            return fmt_time(_parse_time(s.signed_at))
        if role == Qt.ItemDataRole.ForegroundRole and col == 2 and s.decision == "decline":
            return QBrush(RED)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("Certificate serial {serial}\n{subject}").format(
                serial=s.serial, subject=s.subject
            )
        return None


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


# A fixed context for these names, whichever widget shows them: lupdate reads it from the call.
def decision_text(decision: str) -> str:
    if decision == "confirm":
        return QCoreApplication.translate("RecordPanel", "Confirmed")
    if decision == "decline":
        return QCoreApplication.translate("RecordPanel", "Declined")
    return decision


def confirmation_text(status: str) -> str:
    names = {
        "pending": QCoreApplication.translate("RecordPanel", "Not yet signed"),
        "confirmed": QCoreApplication.translate("RecordPanel", "Confirmed"),
        "declined": QCoreApplication.translate("RecordPanel", "Declined"),
        "no_response": QCoreApplication.translate("RecordPanel", "No response"),
    }
    return names.get(status, status)


def _summary_text(fields: list[dict[str, Any]], row: dict[str, Any]) -> str:
    summary = row.get("summary")
    if not isinstance(summary, dict):
        return "—"
    texts = row.get("summary_text") or {}
    parts = []
    keys = [str(f.get("key")) for f in fields] or list(summary)
    labels = {str(f.get("key")): str(f.get("label") or f.get("key")) for f in fields}
    for key in keys:
        if key not in summary:
            continue
        shown = texts.get(key) if isinstance(texts, dict) else None
        parts.append(f"{labels.get(key, key)}: {shown if shown else summary[key]}")
    return "\n".join(parts)


def _safe_name(text: str) -> str:
    return _UNSAFE_FILE_CHARS.sub("_", text).strip(" .") or "record"


# --- the panel ------------------------------------------------------------------------------------


class RecordPanel(QWidget):
    """The record of one section's opening; see the module docstring."""

    recordLoaded = Signal(object)  # RecordView
    signed = Signal(object)  # wire.RecordSignature
    saved = Signal(str)  # the path written (JSON or PDF)
    printed = Signal(int)  # printer pages painted
    previewOpened = Signal(object)  # PrintRecordDialog
    failed = Signal(object)  # an error shown in the status line

    def __init__(self, ctx: AppContext, feed: OpeningFeed, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.text = OpeningText(self)
        self.feed: OpeningFeed | None = None
        self.view: RecordView | None = None
        self.state: wire.OpeningState | None = None
        self.pdf: bytes | None = None
        self.preview_dialog: PrintRecordDialog | None = None
        self.last_signature: wire.RecordSignature | None = None
        self._signed_sha256: str | None = None
        self._fetching: Task | None = None
        self._fetch_again = False
        self._signing = False
        self._saving = False
        self._pdf_task: Task | None = None
        self._pdf_waiters: list[Callable[[bytes], None]] = []
        self._printing = False
        self._generation = 0
        # Test hooks (style: the page's dialogs are attributes tests replace).
        self.confirm: Callable[[str, str], bool] = self._ask_confirm
        self.ask_text: Callable[[str, str, str], str | None] = self._ask_text
        # The reason of a decline not signed yet (the signing failed, the dialog was left):
        # offered again, never retyped against the deadline.
        self.decline_draft = ""
        self.ask_save_path: Callable[[str, str], Path | None] = self._ask_save_path

        self.setAccessibleName(self.tr("Opening record"))
        self.stale_banner = QLabel()
        self.stale_banner.setWordWrap(True)
        self.stale_banner.setStyleSheet(
            "background:#fdecea;color:#8a1c1c;padding:6px;border:1px solid #e0a0a0;"
        )
        self.stale_banner.setAccessibleName(self.tr("Connection status"))
        self.stale_banner.hide()
        self.placeholder = QLabel(self.tr("The record appears after the results are announced."))
        self.placeholder.setWordWrap(True)
        self.placeholder.setAccessibleName(self.tr("Opening record status"))

        self.digest_label = QLabel()
        self.digest_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.digest_label.setWordWrap(True)
        self.digest_label.setAccessibleName(self.tr("Record digest"))
        self.deadline_label = QLabel()
        self.deadline_label.setAccessibleName(self.tr("Confirmation deadline"))
        self.own_row_label = QLabel()
        self.own_row_label.setWordWrap(True)
        self.own_row_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.own_row_label.setStyleSheet(f"background:{OWN_ROW_BG.name()};padding:6px;")
        self.own_row_label.setAccessibleName(self.tr("Your row in the record"))
        self.own_row_label.hide()

        self.rows_model = RecordRowsModel(self)
        self.rows_view = row_table(self.rows_model, self.tr("Bidders in the record"))
        self.rows_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.rows_view.horizontalHeader().setStretchLastSection(True)
        self.rows_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.rows_view.setWordWrap(True)
        self.rows_view.setMinimumHeight(150)  # a few bidders' rows, not a sliver
        self.signatures_model = SignaturesModel(self)
        self.signatures_view = row_table(self.signatures_model, self.tr("Signatures on the record"))
        self.signatures_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.signatures_view.horizontalHeader().setStretchLastSection(True)
        self.signatures_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.signatures_view.setMinimumHeight(110)
        self.pending_label = QLabel()
        self.pending_label.setWordWrap(True)
        self.pending_label.setAccessibleName(self.tr("Still to sign"))

        self.confirm_button = QPushButton(self.tr("Confirm the record…"))
        self.confirm_button.setAccessibleName(self.tr("Confirm the record"))
        self.confirm_button.clicked.connect(self._confirm_clicked)
        self.decline_button = QPushButton(self.tr("Decline to confirm…"))
        self.decline_button.setAccessibleName(self.tr("Decline to confirm the record"))
        self.decline_button.clicked.connect(self._decline_clicked)
        self.save_button = QPushButton(self.tr("Save record…"))
        self.save_button.setAccessibleName(self.tr("Save the record as a JSON file"))
        self.save_button.clicked.connect(self._save_clicked)
        self.save_pdf_button = QPushButton(self.tr("Save PDF…"))
        self.save_pdf_button.setAccessibleName(self.tr("Save the signed record PDF"))
        self.save_pdf_button.clicked.connect(self._save_pdf_clicked)
        self.print_button = QPushButton(self.tr("Print…"))
        self.print_button.setAccessibleName(self.tr("Print the signed record"))
        self.print_button.clicked.connect(self.open_preview)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.setAccessibleName(self.tr("Record status"))

        self.content = QWidget()
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        content.addWidget(self.digest_label)
        content.addWidget(self.deadline_label)
        content.addWidget(self.own_row_label)
        content.addWidget(self.rows_view, 3)
        signatures = QGroupBox(self.tr("Signatures"))
        sig_layout = QVBoxLayout(signatures)
        sig_layout.addWidget(self.signatures_view)
        sig_layout.addWidget(self.pending_label)
        content.addWidget(signatures, 2)
        self.content.hide()

        buttons = QHBoxLayout()
        for b in (self.confirm_button, self.decline_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.save_button, self.save_pdf_button, self.print_button):
            buttons.addWidget(b)

        layout = QVBoxLayout(self)
        layout.addWidget(self.stale_banner)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.content, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)

        self._clock = QTimer(self)
        self._clock.timeout.connect(self._tick)
        self._clock.start(1000)
        ctx.identityChanged.connect(self._identity_changed)
        self.set_feed(feed)

    def _alive(self, slot: Callable[..., None]) -> Callable[..., None]:
        """``slot`` for a task's result, dropped when the panel is gone by then (its page
        closed while the worker ran)."""

        def call(*args: Any) -> None:
            if isValid(self):
                slot(*args)

        return call

    # -- the record for tests and the pages --

    @property
    def record(self) -> wire.SignedRecord | None:
        """The last signed record read and checked, or None."""
        return self.view.doc if self.view is not None else None

    def set_feed(self, feed: OpeningFeed | None) -> None:
        """Follow ``feed`` (another section, or None): what was shown goes."""
        if self.feed is not None:
            for signal, slot in (
                (self.feed.stateChanged, self._on_state),
                (self.feed.eventReceived, self._on_event),
                (self.feed.staleChanged, self._on_stale),
            ):
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):  # already gone with the feed
                    pass
        self.feed = feed
        self._reset()
        if feed is not None:
            feed.stateChanged.connect(self._on_state)
            feed.eventReceived.connect(self._on_event)
            feed.staleChanged.connect(self._on_stale)
            if feed.state is not None:
                self._on_state(feed.state)
            self._on_stale(feed.stale)

    def _reset(self) -> None:
        self._generation += 1  # results of workers started before are dropped
        if self._fetching is not None:
            self._fetching.cancel()
        if self._pdf_task is not None:
            self._pdf_task.cancel()
        self._fetching = None
        self._pdf_task = None
        self._pdf_waiters.clear()
        self._fetch_again = False
        self._signing = self._saving = self._printing = False
        self._signed_sha256 = None
        self.view = None
        self.state = None
        self.pdf = None
        self.rows_model.set_rows([])
        self.signatures_model.set_rows([])
        self.status_label.clear()
        self._show()

    def _identity_changed(self) -> None:
        # The record was read as someone else (own row, who may sign): read it again, unless
        # the page stopped following (it drops this panel then: nothing to read for it).
        state = self.state
        self._reset()
        if state is not None and self.feed is not None and self.feed.running:
            self._on_state(state)

    # -- following the feed --

    def _on_state(self, state: wire.OpeningState) -> None:
        self.state = state
        if state.phase in ("confirming", "finished"):
            shown = self.view.doc.record_sha256 if self.view is not None else None
            closed = self.view.doc.closed if self.view is not None else False
            if shown != state.record_sha256 or (state.phase == "finished" and not closed):
                self.fetch_record()
        self._show()

    def _on_event(self, event: wire.OpeningEvent) -> None:
        # A new revision or the finish also changes the state, which is read again after
        # every event; a signature changes only the record.
        state = self.state
        if event.kind in _REFETCH_EVENTS and state is not None:
            if state.phase in ("confirming", "finished"):
                self.fetch_record()

    def _on_stale(self, stale: bool) -> None:
        if stale and self.state is not None:
            shown_at = self.state.server_time.astimezone(CST).strftime("%H:%M:%S")
            self.stale_banner.setText(
                self.tr(
                    "Connection to the platform lost — reconnecting; shown as of {time}"
                ).format(time=shown_at)
            )
        elif stale:
            self.stale_banner.setText(self.tr("Connecting to the platform…"))
        self.stale_banner.setVisible(stale)
        self._update_buttons()

    def fetch_record(self) -> None:
        """Read the signed record again (one read at a time; one more if asked meanwhile)."""
        if self._fetching is not None:
            self._fetch_again = True
            return
        if self.feed is None:
            return
        self._fetch_again = False
        generation = self._generation
        task = run_task(_fetch_record, self.ctx, self.feed.section_id)
        task.on_done(self._alive(partial(self._fetched, generation=generation)))
        task.on_error(self._alive(partial(self._fetch_failed, generation=generation)))
        task.on_finished(self._alive(partial(self._fetch_ended, generation=generation)))
        self._fetching = task.start()

    def _fetched(self, view: RecordView, generation: int) -> None:
        if generation != self._generation:
            return
        old = self.view
        self.view = view
        if old is not None and old.doc.record_sha256 != view.doc.record_sha256:
            self.status_label.setText(
                self.tr("A new revision of the record was issued: review it before signing.")
            )
        self._show()
        self.recordLoaded.emit(view)

    def _fetch_failed(self, exc: BaseException, generation: int) -> None:
        if generation != self._generation:
            return
        self._fail(exc)

    def _fetch_ended(self, generation: int) -> None:
        if generation != self._generation:
            return
        self._fetching = None
        if self._fetch_again:
            self.fetch_record()

    # -- showing --

    def _show(self) -> None:
        state, view = self.state, self.view
        confirming = state is not None and state.phase in ("confirming", "finished")
        if not confirming:
            self.placeholder.setText(self.tr("The record appears after the results are announced."))
        elif view is None:
            self.placeholder.setText(self.tr("Reading the signed record from the platform…"))
        self.placeholder.setVisible(not confirming or view is None)
        self.content.setVisible(confirming and view is not None)
        if view is not None and confirming:
            self._show_record(view, state)
        self._update_buttons()
        self._tick()

    def _show_record(self, view: RecordView, state: wire.OpeningState | None) -> None:
        body, doc = view.body, view.doc
        section = body.get("section") or {}
        project = body.get("project") or {}
        lines = [
            self.tr("{project} — {section} ({code}), revision {revision}").format(
                project=project.get("name", "—"),
                section=section.get("name", "—"),
                code=section.get("code", "—"),
                revision=body.get("revision", "—"),
            ),
            self.tr("Record digest (SHA-256): {digest}").format(digest=doc.record_sha256),
        ]
        if doc.closed:
            lines.append(self.tr("The opening finished; the record is closed."))
        elif state is not None and state.record_sha256 and state.record_sha256 != doc.record_sha256:
            lines.append(
                self.tr("The platform names another revision: checking which one is current…")
            )
        self.digest_label.setText("\n".join(lines))

        fields = [f for f in ((body.get("form") or {}).get("fields") or []) if isinstance(f, dict)]
        confirmations = self._confirmations(view, state)
        rows = []
        own_number = view.own_row.get("number") if view.own_row else None
        for r in body.get("bidders") or []:
            if not isinstance(r, dict):
                continue
            dec = r.get("decryption") or {}
            number = r.get("number") if isinstance(r.get("number"), int) else None
            rows.append(
                BidderRow(
                    number=number,
                    name=str(r.get("name") or ""),
                    org_code=str(r.get("org_code") or ""),
                    decryption=str(dec.get("status") or ""),
                    cause=str(dec.get("cause") or ""),
                    summary=_summary_text(fields, r),
                    confirmation=confirmations.get(number, "pending") if number else "pending",
                    own=view.own_row is not None and number == own_number,
                )
            )
        self.rows_model.set_rows(rows)
        own = next((r for r in rows if r.own), None)
        if own is not None:
            self.own_row_label.setText(
                self.tr(
                    "Your row: No. {number} {name} — decryption: {decryption}\n{summary}"
                ).format(
                    number=own.number,
                    name=own.name,
                    decryption=self.text.decryption(own.decryption)
                    + (f" ({own.cause})" if own.cause else ""),
                    summary=own.summary,
                )
            )
        self.own_row_label.setVisible(own is not None)
        self.signatures_model.set_rows(doc.signatures)
        self.pending_label.setText(self._pending_text(view, state, rows))

    def _confirmations(self, view: RecordView, state: wire.OpeningState | None) -> dict[int, str]:
        out: dict[int, str] = {}
        closing = view.doc.closing
        if view.doc.closed and closing:
            try:
                for c in json.loads(closing).get("confirmations") or []:
                    if isinstance(c, dict) and isinstance(c.get("number"), int):
                        out[c["number"]] = str(c.get("status"))
            except ValueError:
                pass
            if out:
                return out
        if state is not None and state.record_sha256 == view.doc.record_sha256:
            for b in state.bidders:
                if b.confirmation is not None:
                    out[b.number] = b.confirmation
        by_code = {
            str(r.get("org_code")): r.get("number")
            for r in view.body.get("bidders") or []
            if isinstance(r, dict) and r.get("org_code")
        }
        for s in view.doc.signatures:
            number = by_code.get(str(s.org_code))
            if s.role == "bidder" and isinstance(number, int):
                out[number] = "confirmed" if s.decision == "confirm" else "declined"
        return out

    def _pending_text(
        self, view: RecordView, state: wire.OpeningState | None, rows: list[BidderRow]
    ) -> str:
        if view.doc.closed:
            return ""
        signed_roles = {s.role for s in view.doc.signatures}
        names = {
            role: ((view.body.get(role) or {}).get("name") or (getattr(state, role, None) or ""))
            for role in STAFF_ROLES
        }
        staff = [
            f"{self.text.role(role)} {names[role]}".strip()
            for role in STAFF_ROLES
            if role not in signed_roles
        ]
        bidders = [f"{r.number}. {r.name}" for r in rows if r.confirmation == "pending"]
        if not staff and not bidders:
            return self.tr("Everyone has signed this revision.")
        parts = []
        if staff:
            parts.append(self.tr("Staff still to sign: {names}").format(names="、".join(staff)))
        if bidders:
            parts.append(self.tr("Bidders still to sign: {names}").format(names="、".join(bidders)))
        return "\n".join(parts)

    def _tick(self) -> None:
        state = self.state
        if state is None or state.confirmation_until is None or state.phase != "confirming":
            self.deadline_label.setVisible(False)
            return
        now = self.feed.server_now() if self.feed is not None else self.ctx.server_now()
        self.deadline_label.setText(
            self.tr("Confirm by {time} (platform time; {left} left)").format(
                time=fmt_time(state.confirmation_until),
                left=fmt_countdown(state.confirmation_until - now),
            )
        )
        self.deadline_label.setVisible(True)

    def signed_this_revision(self) -> bool:
        """The signed-in user's signature is on the shown revision."""
        view = self.view
        if view is None:
            return False
        if self._signed_sha256 == view.doc.record_sha256:
            return True  # signed here; the record read next will carry it
        for s in view.doc.signatures:
            if s.role != view.role:
                continue
            if view.role != "bidder" or (view.org_code and s.org_code == view.org_code):
                return True
        return False

    def _may_sign(self) -> bool:
        state, view, feed = self.state, self.view, self.feed
        return (
            feed is not None
            and not feed.stale
            and state is not None
            and state.phase == "confirming"
            and view is not None
            and state.record_sha256 == view.doc.record_sha256
            and view.role in ("bidder", *STAFF_ROLES)
            and (view.role != "bidder" or view.own_row is not None)
            and not self.signed_this_revision()
            and not self._signing
        )

    def _update_buttons(self) -> None:
        may_sign = self._may_sign()
        self.confirm_button.setEnabled(may_sign)
        self.decline_button.setEnabled(may_sign)
        self.save_button.setEnabled(self.view is not None and not self._saving)
        finished = self.state is not None and self.state.phase == "finished"
        busy = self._pdf_task is not None or self._printing
        self.save_pdf_button.setEnabled(finished and not busy)
        self.print_button.setEnabled(finished and not busy)
        self.save_pdf_button.setVisible(finished)
        self.print_button.setVisible(finished)
        if self.view is not None and self.signed_this_revision() and not self._signing:
            self.confirm_button.setToolTip(self.tr("You have signed this revision."))
        else:
            self.confirm_button.setToolTip("")

    # -- status line --

    def _say(self, text: str) -> None:
        self.status_label.setStyleSheet("")
        self.status_label.setText(text)

    def _fail(self, exc: BaseException) -> None:
        self.status_label.setStyleSheet(f"color:{RED.name()};")
        self.status_label.setText(describe_error(exc))
        self.failed.emit(exc)

    # -- dialogs (replaced in tests) --

    def _ask_confirm(self, title: str, text: str) -> bool:
        return ask_yes_no(self, title, text)

    def _ask_text(self, title: str, prompt: str, text: str = "") -> str | None:
        text, ok = QInputDialog.getMultiLineText(self, title, prompt, text)
        return text if ok else None

    def _ask_save_path(self, kind: str, suggested: str) -> Path | None:
        start = str(Path.home() / suggested)
        if kind == "pdf":
            filters = self.tr("PDF files (*.pdf)")
            title = self.tr("Save the signed record PDF")
        else:
            filters = self.tr("Opening record (*.json)")
            title = self.tr("Save the opening record")
        path, _ = QFileDialog.getSaveFileName(self, title, start, filters)
        return Path(path) if path else None

    # -- signing --

    def _confirm_clicked(self) -> None:
        view = self.view
        if view is None or not self._may_sign():
            return
        revision = view.body.get("revision", "—")
        text = self.tr(
            "Confirm the opening record, revision {revision}?\n\nSHA-256 {digest}\n\n"
            "Your signature is final for this revision."
        ).format(revision=revision, digest=view.doc.record_sha256)
        if not self.confirm(self.tr("Confirm the record"), text):
            return
        self._sign("confirm", None)

    def _decline_clicked(self) -> None:
        view = self.view
        if view is None or not self._may_sign():
            return
        reason = self.ask_text(
            self.tr("Decline to confirm"),
            self.tr("Why do you decline to confirm this record? The reason goes on the record."),
            self.decline_draft,
        )
        if reason is None:
            return  # cancelled
        self.decline_draft = reason
        if not reason.strip():
            self.status_label.setStyleSheet(f"color:{RED.name()};")
            self.status_label.setText(
                self.tr(
                    "Declining needs a reason: nothing was signed. Enter the reason and try again."
                )
            )
            return
        text = self.tr(
            "Decline to confirm the opening record, revision {revision}, with this reason?\n\n{reason}"
        ).format(revision=view.body.get("revision", "—"), reason=reason.strip())
        if not self.confirm(self.tr("Decline to confirm"), text):
            return
        self._sign("decline", reason.strip())

    def _sign(self, decision: str, reason: str | None) -> None:
        view, feed = self.view, self.feed
        if view is None or feed is None:
            return
        self._signing = True
        self._update_buttons()
        self._say(self.tr("Signing the record…"))
        generation = self._generation
        task = feed.action(_sign_shown, view.doc.record_sha256, decision, reason)
        task.on_done(self._alive(partial(self._signed, generation=generation)))
        task.on_error(self._alive(partial(self._sign_failed, generation=generation)))
        task.on_finished(self._alive(partial(self._sign_ended, generation=generation)))
        task.start()

    def _signed(self, signature: wire.RecordSignature, generation: int) -> None:
        if generation != self._generation:
            return
        self.last_signature = signature
        self._signed_sha256 = _statement_digest(signature)
        if signature.decision == "decline":
            self.decline_draft = ""
        self._signing = False
        self._update_buttons()
        self._say(
            self.tr("You signed the record: {decision} ({time}).").format(
                decision=decision_text(signature.decision),
                time=fmt_time(_parse_time(signature.signed_at)),
            )
        )
        self.signed.emit(signature)
        self.fetch_record()

    def _sign_failed(self, exc: BaseException, generation: int) -> None:
        if generation != self._generation:
            return
        # Shown here, where the user is deciding: a RecordInvalidError tells a bidder whose
        # row does not match its receipt to decline with that reason.
        self._signing = False
        self._update_buttons()
        self._fail(exc)
        if isinstance(exc, RecordChangedError):
            self.fetch_record()

    def _sign_ended(self, generation: int) -> None:
        if generation != self._generation:
            return
        self._signing = False  # also after a cancelled step
        self._update_buttons()

    # -- saving the record (JSON) --

    def _suggested_name(self, suffix: str) -> str:
        body = self.view.body if self.view is not None else {}
        section = body.get("section") or {}
        code = str(section.get("code") or (self.feed.section_id if self.feed else ""))
        return _safe_name(f"开标记录-{code}-r{body.get('revision', '')}") + suffix

    def _save_clicked(self) -> None:
        if self.view is None:
            return
        path = self.ask_save_path("json", self._suggested_name(".json"))
        if path is not None:
            self.save_record_to(path)

    def save_record_to(self, path: Path) -> Task | None:
        """Verify the shown record and write it to ``path`` (atomically, in a worker)."""
        view = self.view
        if view is None or self._saving:
            return None
        self._saving = True
        self._update_buttons()
        self._say(self.tr("Saving the record…"))
        task = run_task(_save_record, Path(path), view)
        task.on_done(self._alive(self._record_saved)).on_error(self._alive(self._save_failed))
        task.on_finished(self._alive(self._save_ended))
        return task.start()

    def _record_saved(self, path: Path) -> None:
        self._save_ended()  # over now, not when "finished" arrives: a next save may start
        self._say(self.tr("Record saved: {path}").format(path=str(path)))
        self.saved.emit(str(path))

    def _save_failed(self, exc: BaseException) -> None:
        self._save_ended()
        self._fail(exc)

    def _save_ended(self) -> None:
        self._saving = False
        self._update_buttons()

    # -- the signed PDF (after "finished") --

    def _with_pdf(self, then: Callable[[bytes], None]) -> None:
        """Call ``then(pdf)`` with the platform's verified record PDF, fetched once."""
        if self.pdf is not None:
            then(self.pdf)
            return
        self._pdf_waiters.append(then)
        if self._pdf_task is not None or self.feed is None:
            return
        try:
            kwargs = self.ctx.client_kwargs()
        except SealBidError as exc:
            self._pdf_waiters.clear()
            self._fail(exc)
            return
        self._say(
            self.tr(
                "Getting the signed record PDF from the platform (it is made after the"
                " finish; this can take a minute)…"
            )
        )
        generation = self._generation
        task = run_task(_fetch_pdf, kwargs, self.feed.section_id)
        task.on_done(self._alive(partial(self._pdf_fetched, generation=generation)))
        task.on_error(self._alive(partial(self._pdf_failed, generation=generation)))
        task.on_finished(self._alive(partial(self._pdf_ended, generation=generation)))
        self._pdf_task = task.start()
        self._update_buttons()

    def _pdf_fetched(self, pdf: bytes, generation: int) -> None:
        if generation != self._generation:
            return
        # Cleared here, not when the task's "finished" arrives: a print asked for in between
        # must start a fetch of its own rather than wait on one that is over.
        self._pdf_task = None
        self.pdf = pdf
        self._say(self.tr("The signed record PDF verifies."))
        waiters, self._pdf_waiters = self._pdf_waiters, []
        for then in waiters:
            then(pdf)

    def _pdf_failed(self, exc: BaseException, generation: int) -> None:
        if generation != self._generation:
            return
        self._pdf_task = None
        self._pdf_waiters.clear()
        self._fail(exc)

    def _pdf_ended(self, generation: int) -> None:
        if generation != self._generation:
            return
        self._update_buttons()

    def _save_pdf_clicked(self) -> None:
        path = self.ask_save_path("pdf", self._suggested_name(".pdf"))
        if path is not None:
            self.save_pdf_to(path)

    def save_pdf_to(self, path: Path) -> None:
        """Fetch (once) and check the platform's signed PDF, then write it to ``path``."""
        target = Path(path)

        def write(pdf: bytes) -> None:
            self._say(self.tr("Saving the PDF…"))
            task = run_task(_write, target, pdf)
            task.on_done(self._alive(self._pdf_saved)).on_error(self._alive(self._fail)).start()

        self._with_pdf(write)

    def _pdf_saved(self, path: Path) -> None:
        self._say(self.tr("Signed record PDF saved: {path}").format(path=str(path)))
        self.saved.emit(str(path))

    # -- printing --

    def _title(self) -> str:
        body = self.view.body if self.view is not None else {}
        section = body.get("section") or {}
        return self.tr("Opening record — {section}").format(
            section=section.get("name") or (self.feed.section_id if self.feed else "")
        )

    def print_to(self, printer: QPrinter) -> None:
        """Paint the signed record PDF on ``printer`` (rendered in a worker first, painted
        here on the GUI thread); ``printed(pages)`` when done."""

        def render(pdf: bytes) -> None:
            self._printing = True
            self._update_buttons()
            self._say(self.tr("Preparing the pages for printing…"))
            printer.setDocName(self._title())
            task = run_task(_render, pdf, print_dpi(printer))
            task.on_done(self._alive(partial(self._paint, printer=printer)))
            task.on_error(self._alive(self._fail)).on_finished(self._alive(self._print_ended))
            task.start()

        self._with_pdf(render)

    def _paint(self, rendered: RenderedPdf, *, printer: QPrinter) -> None:
        pages = paint_pages(rendered.images, printer)
        self._print_ended()  # the job is over once painted: the buttons come back now
        if pages == 0:
            self._fail(UsageError(what=self.tr("the printer could not be opened")))
            return
        self._say(self.tr("Printed {pages} page(s).").format(pages=pages))
        self.printed.emit(pages)

    def _preview_closed(self, dialog: PrintRecordDialog, result: int = 0) -> None:
        if self.preview_dialog is dialog:
            self.preview_dialog = None
        if isValid(dialog):
            dialog.deleteLater()

    def _print_ended(self) -> None:
        self._printing = False
        self._update_buttons()

    def open_preview(self) -> None:
        """The print preview of the signed record PDF (its print button prints it)."""

        def render(pdf: bytes) -> None:
            self._printing = True
            self._update_buttons()
            self._say(self.tr("Preparing the print preview…"))
            task = preview_and_print(self, pdf, self._title(), on_open=self._preview_opened)
            task.on_error(self._alive(self._fail)).on_finished(self._alive(self._print_ended))
            task.start()

        self._with_pdf(render)

    def _preview_opened(self, dialog: PrintRecordDialog) -> None:
        if self.preview_dialog is not None:
            self.preview_dialog.close()
            self.preview_dialog.deleteLater()
        self.preview_dialog = dialog
        # Its pages are big images (up to RENDER_BUDGET): freed as soon as it is closed.
        dialog.finished.connect(partial(self._preview_closed, dialog))
        self._print_ended()
        self._say(
            self.tr("Print preview opened ({pages} page(s)).").format(
                pages=len(dialog.rendered.images)
            )
        )
        self.previewOpened.emit(dialog)
