"""The "Prepare and seal" page: pick the documents, fill the bid-summary form, seal the bid.

    page = window.page("prepare")
    page.show_item("HFJS-2025-0101-01")          # or pick the section in page.section_combo
    page.documents.add_paths([Path("商务标.pdf")])
    page.form_widget.set_field("price", "1,234,567.89")
    page.start_seal()                            # → sealed(SealResult), ctx.sealedBid(id, path)

The section (its form, tender version, opening time) comes from the platform in a worker. The
form's rules are the platform's own (:func:`client.forms.summary_problems`), checked on every
change: the Seal button stays disabled and says why until everything fits. Every change is
kept in a draft (``ctx.drafts_dir``, debounced, written atomically in a worker) and restored
when the section is shown again, after a restart or a crash too; a document that has gone
missing since is flagged, not dropped.

Sealing runs :func:`crypto.seal` in a worker against what the platform says at that moment
(like ``sealbid seal --platform``): the newest tender version, the opening time (a certificate
that expires before it is refused), the form. It shows bytes done and can be cancelled; a
cancelled or failed sealing leaves no file (the output appears only after the self-check). The
result says what the self-check proved; "Submit now" goes to the submissions page.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from client import wire
from crypto.envelope import DEFAULT_CHUNK_SIZE, SealResult
from crypto.identity import Identity
from sealbid.errors import SealBidError, UsageError

from ._documents_model import DocumentEntry, DocumentsModel, DocumentView
from ._drafts import Draft, DraftSaver, DraftUnreadableError, draft_path, read_draft
from ._summary_form import SummaryFormWidget, money_text, normalize_money
from .context import AppContext
from .tasks import Job, Task, run_task
from .widgets import CST, Page, ask_yes_no, fmt_countdown, fmt_size, fmt_time

__all__ = ["PreparePage", "TenderChangedError"]

_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_PROGRESS_STEPS = 1000


class SectionClosedError(SealBidError):
    code = "ui.section_closed"
    zh = "标段 {section} 已截止投标（以平台时间为准），不再密封。"
    en = "Section {section} is closed for bids (by the platform's clock); nothing was sealed."


class TenderChangedError(SealBidError):
    """The platform published a new tender version (a clarification) after the page loaded
    the section: the bidder reads it and checks the summary before sealing against it."""

    code = "ui.tender_changed"
    zh = "招标文件已更新为版本 {version}（例如发布了新的答疑澄清）。请先阅读新版本、核对开标一览表，然后重新密封。未生成任何文件。"
    en = "The tender documents were updated to version {version} (for example a new clarification). Read it and check the bid summary, then seal again. No file was written."


# --- workers (plain data in, plain data out) ------------------------------------------------


def _list_sections(job: Job, ctx: AppContext) -> list[wire.Section]:
    with ctx.client() as client:
        return client.sections()


def _load_section(
    job: Job, ctx: AppContext, section_id: str, draft_file: Path | None
) -> tuple[wire.Section, Draft | None, BaseException | None, dict[str, int | None]]:
    """The section from the platform, and the saved draft with its documents' sizes."""
    with ctx.client() as client:
        section = client.section(section_id)
    draft: Draft | None = None
    problem: BaseException | None = None
    sizes: dict[str, int | None] = {}
    if draft_file is not None:
        try:
            draft = read_draft(draft_file)
        except (SealBidError, OSError) as exc:
            problem = exc
        for doc in draft.documents if draft else []:
            path = Path(doc)
            try:
                sizes[doc] = path.stat().st_size if path.is_file() else None
            except OSError:
                sizes[doc] = None
    return section, draft, problem, sizes


def _seal(
    job: Job,
    ctx: AppContext,
    identity: Identity,
    section_id: str,
    loaded_version: str | None,
    documents: list[Path],
    out: Path,
    summary: dict[str, Any],
    chunk_size: int,
) -> SealResult:
    """What ``sealbid seal --platform`` does: the platform's context, the form check, seal."""
    from client.forms import check_summary
    from crypto import seal

    job.status(QCoreApplication.translate("PreparePage", "Reading the section from the platform…"))
    # One request: the section carries what `sealbid seal --platform` reads
    # (fetch_seal_context: tender version, opening time, form) and whether it is still open.
    with ctx.client() as client:
        current = client.section(section_id)
    tender_version, opening_time, form = current.tender_version, current.opening_time, current.form
    job.check()
    if not current.open_for_bids:
        raise SectionClosedError(f"section {section_id} closed", section=section_id)
    if tender_version != loaded_version:
        raise TenderChangedError(
            f"loaded {loaded_version}, platform {tender_version}", version=tender_version or "-"
        )
    check_summary(form, summary)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(what=f"{out.parent}: {exc.strerror}") from exc
    job.status(QCoreApplication.translate("PreparePage", "Signing and encrypting…"))
    return seal(
        documents,
        out,
        identity=identity,
        section=section_id,
        summary=summary,
        tender_version=tender_version,
        opening_time=opening_time,
        chunk_size=chunk_size,
        progress=job.progress,
        cancel=job.cancelled,
    )


def _export_pdf(
    job: Job,
    form: wire.SummaryForm,
    summary: dict[str, Any],
    section: wire.Section,
    bidder: dict[str, Any],
    path: Path,
) -> str:
    from crypto._files import atomic_write
    from reports.summary_pdf import render_summary

    pdf = render_summary(form, summary, section=section, bidder=bidder)
    job.check()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, pdf)
    return str(path)


# --- the page --------------------------------------------------------------------------------


class PreparePage(Page):
    key = "prepare"

    sectionLoaded = Signal(object)  # wire.Section
    sectionsListed = Signal(int)  # how many sections the chooser offers
    sealed = Signal(object)  # crypto.SealResult
    sealProgress = Signal(object, object)  # bytes done, total
    sealCancelled = Signal()
    sealFailed = Signal(str)  # the message shown
    draftSaved = Signal(str)  # path of the draft file
    previewExported = Signal(str)  # path of the PDF

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.section: wire.Section | None = None
        self.section_id: str | None = None
        self.seal_task: Task | None = None
        self.last_result: SealResult | None = None
        self._just_sealed: SealResult | None = None
        self.last_sealed = ""
        self.login_prompt: QMessageBox | None = None
        self._draft_locked: str | None = None  # a section whose draft could not be read
        #: Plaintext bytes per encrypted chunk (tests make it small to cancel mid-way).
        self.chunk_size = DEFAULT_CHUNK_SIZE
        self._pending_section: str | None = None
        self._load_task: Task | None = None
        self._load_restore = False
        self._after_seal: str | None = None
        self._sections_stale = True
        self._restoring = False
        self._listing = False

        self.documents = DocumentsModel(self)
        self.drafts = DraftSaver(self)
        self.drafts.saved.connect(self.draftSaved)
        self.drafts.failed.connect(self._draft_failed)
        self._build()
        self._connect()
        self._countdown = QTimer(self)
        self._countdown.timeout.connect(self._show_countdown)
        self._countdown.start(1000)
        self._update_login_hint()
        self._update_state()

    def title(self) -> str:
        return self.tr("Prepare and seal")

    # -- building the screen --

    def _build(self) -> None:
        root = QVBoxLayout(self)

        top = QHBoxLayout()
        label = QLabel(self.tr("&Section:"))
        self.section_combo = QComboBox()
        self.section_combo.setAccessibleName(self.tr("Section to prepare a bid for"))
        self.section_combo.setPlaceholderText(self.tr("Choose a section"))
        self.section_combo.setMinimumContentsLength(40)
        self.section_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        label.setBuddy(self.section_combo)
        self.reload_button = QPushButton(self.tr("R&efresh"))
        self.reload_button.setToolTip(self.tr("Read the sections again from the platform"))
        top.addWidget(label)
        top.addWidget(self.section_combo, 1)
        top.addWidget(self.reload_button)
        root.addLayout(top)

        self.section_info = QLabel()
        self.section_info.setWordWrap(True)
        self.section_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.section_info.setAccessibleName(self.tr("Section details"))
        self.countdown_label = QLabel()
        self.countdown_label.setAccessibleName(self.tr("Time left until the bid deadline"))
        self.section_status = QLabel()
        self.section_status.setWordWrap(True)
        self.section_status.setStyleSheet("color: #c0392b;")
        hint = QHBoxLayout()
        self.login_hint = QLabel()
        self.login_hint.setWordWrap(True)
        self.login_button = QPushButton(self.tr("Log &in…"))
        self.login_button.clicked.connect(self._ask_login)
        hint.addWidget(self.login_hint, 1)
        hint.addWidget(self.login_button)
        root.addWidget(self.section_info)
        root.addWidget(self.countdown_label)
        root.addWidget(self.section_status)
        root.addLayout(hint)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_documents(), self.tr("&1 Documents"))
        self.tabs.addTab(self._build_form(), self.tr("&2 Bid summary"))
        self.tabs.addTab(self._build_preview(), self.tr("&3 Preview"))
        root.addWidget(self.tabs, 1)

        out = QHBoxLayout()
        out_label = QLabel(self.tr("&Output file:"))
        self.output_edit = QLineEdit()
        self.output_edit.setAccessibleName(self.tr("Where the sealed bid is saved"))
        self.output_edit.setClearButtonEnabled(True)
        out_label.setBuddy(self.output_edit)
        self.output_button = QPushButton(self.tr("C&hange…"))
        out.addWidget(out_label)
        out.addWidget(self.output_edit, 1)
        out.addWidget(self.output_button)
        root.addLayout(out)

        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.reason_label.setStyleSheet("color: #c0392b;")
        self.reason_label.setAccessibleName(self.tr("Why the bid cannot be sealed yet"))
        root.addWidget(self.reason_label)

        row = QHBoxLayout()
        self.seal_status = QLabel()
        self.seal_status.setWordWrap(True)
        self.seal_status.setAccessibleName(self.tr("Sealing status"))
        self.seal_button = QPushButton(self.tr("Sea&l…"))
        self.seal_button.setToolTip(self.tr("Sign and encrypt the bid (Ctrl+Enter)"))
        self.seal_button.setDefault(True)
        row.addWidget(self.seal_status, 1)
        row.addWidget(self.seal_button)
        root.addLayout(row)

        self.progress_box = QWidget()
        prog = QHBoxLayout(self.progress_box)
        prog.setContentsMargins(0, 0, 0, 0)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, _PROGRESS_STEPS)
        self.progress_bar.setAccessibleName(self.tr("Sealing progress"))
        self.progress_label = QLabel()
        self.cancel_button = QPushButton(self.tr("&Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop sealing; no file is left behind (Esc)"))
        prog.addWidget(self.progress_bar, 1)
        prog.addWidget(self.progress_label)
        prog.addWidget(self.cancel_button)
        self.progress_box.hide()
        root.addWidget(self.progress_box)

        self.result_box = QGroupBox(self.tr("Sealed bid"))
        res = QVBoxLayout(self.result_box)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setAccessibleName(self.tr("Sealing result"))
        buttons = QHBoxLayout()
        self.submit_button = QPushButton(self.tr("Su&bmit now"))
        self.folder_button = QPushButton(self.tr("Open &folder"))
        buttons.addStretch(1)
        buttons.addWidget(self.folder_button)
        buttons.addWidget(self.submit_button)
        res.addWidget(self.result_label)
        res.addLayout(buttons)
        self.result_box.hide()
        root.addWidget(self.result_box)

    def _build_documents(self) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        self.doc_view = DocumentView()
        self.doc_view.setModel(self.documents)
        self.doc_view.setAccessibleName(self.tr("Documents of the bid, in order"))
        self.doc_view.setToolTip(
            self.tr(
                "Drop files here. Del removes, Alt+Up and Alt+Down move; the order is the"
                " order inside the bid."
            )
        )
        lay.addWidget(self.doc_view, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("&Add files…"))
        self.remove_button = QPushButton(self.tr("&Remove"))
        self.remove_button.setToolTip(self.tr("Remove the selected documents (Del)"))
        self.up_button = QPushButton(self.tr("Move &up"))
        self.up_button.setToolTip(self.tr("Alt+Up"))
        self.down_button = QPushButton(self.tr("Move do&wn"))
        self.down_button.setToolTip(self.tr("Alt+Down"))
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.total_label = QLabel()
        self.total_label.setAccessibleName(self.tr("Total size of the documents"))
        buttons.addWidget(self.total_label)
        lay.addLayout(buttons)
        self.doc_message = QLabel()
        self.doc_message.setWordWrap(True)
        self.doc_message.setStyleSheet("color: #c0392b;")
        self.doc_message.setAccessibleName(self.tr("Problems with the documents"))
        lay.addWidget(self.doc_message)
        return box

    def _build_form(self) -> QWidget:
        self.form_widget = SummaryFormWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form_widget)
        return scroll

    def _build_preview(self) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        self.preview = QTextBrowser()
        self.preview.setAccessibleName(self.tr("Preview of the bid-summary form"))
        self.preview.setOpenLinks(False)
        lay.addWidget(self.preview, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.export_button = QPushButton(self.tr("E&xport preview PDF…"))
        row.addWidget(self.export_button)
        lay.addLayout(row)
        return box

    def _connect(self) -> None:
        ctx = self.ctx
        self.section_combo.activated.connect(self._combo_chosen)
        self.reload_button.clicked.connect(self._reload)
        self.add_button.clicked.connect(self.add_files)
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.doc_view.removeRequested.connect(self.remove_selected)
        self.doc_view.moveRequested.connect(self.move_selected)
        self.documents.rejected.connect(self._show_rejected)
        self.documents.changed.connect(self._changed)
        self.form_widget.changed.connect(self._changed)
        self.output_edit.textChanged.connect(self._changed)
        self.output_button.clicked.connect(self.choose_output)
        self.export_button.clicked.connect(lambda: self.export_preview())
        self.seal_button.clicked.connect(self.start_seal)
        self.cancel_button.clicked.connect(self.cancel_seal)
        self.submit_button.clicked.connect(self.submit_now)
        self.folder_button.clicked.connect(self._open_folder)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self._seal_shortcut)
        esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.progress_box, self.cancel_seal)
        esc.setContext(Qt.ShortcutContext.WindowShortcut)
        ctx.identityChanged.connect(self._connection_changed)
        ctx.platformChanged.connect(self._connection_changed)

    # -- navigation --

    def show_item(self, item: object) -> None:
        """Show the section ``item`` (its id, or ``{"section": id}``)."""
        if isinstance(item, dict):
            item = item.get("section")
        if not isinstance(item, str) or not item:
            return
        if self.seal_task is not None and item != self.section_id:
            # The running sealing belongs to this section: switch once it has ended.
            self._after_seal = item
            self.ctx.status.emit(
                self.tr("Sealing is running; section {0} opens when it has ended.").format(item)
            )
            return
        self._select_in_combo(item)
        if item == self.section_id and self.section is not None:
            self._load(item, restore=False)  # fresh dates and form; what is typed stays
            return
        self.drafts.flush()
        self._restoring = True
        try:
            self.section_id = item
            self.section = None
            self.last_result = None
            self.last_sealed = ""
            self.result_box.hide()
            self.seal_status.clear()
            self.doc_message.clear()
            self.section_status.clear()
            self.documents.clear()
            self.form_widget.build(None)
            self.output_edit.clear()
        finally:
            self._restoring = False
        self.ctx.set_setting("prepare/last_section", item)
        self._show_section_info()
        self._load(item, restore=True)

    def activated(self) -> None:
        self.documents.refresh_sizes()
        if self._sections_stale or self.section_combo.count() == 0:
            self.refresh_sections()
        if self.section_id is None:
            last = str(self.ctx.setting("prepare/last_section", ""))
            if last:
                self.show_item(last)

    def _combo_chosen(self, index: int) -> None:
        sid = self.section_combo.itemData(index)
        if isinstance(sid, str) and sid != self.section_id:
            self.show_item(sid)

    def _select_in_combo(self, sid: str) -> None:
        index = self.section_combo.findData(sid)
        if index < 0:
            self.section_combo.addItem(sid, sid)
            index = self.section_combo.count() - 1
        self.section_combo.setCurrentIndex(index)

    def _reload(self) -> None:
        self.refresh_sections()
        if self.section_id:
            # A draft that could not be read is read again (nothing was saved over it).
            restore = self.section is None or self._draft_locked == self.section_id
            self._load(self.section_id, restore=restore)

    # -- the platform: sections list and one section --

    def refresh_sections(self) -> None:
        self._update_login_hint()
        if self.ctx.identity is None or self._listing:
            return
        self._listing = True
        self._sections_stale = False
        run_task(_list_sections, self.ctx).on_done(self._listed).on_error(
            self._list_failed
        ).on_finished(self._listed_finished).start()

    def _listed_finished(self) -> None:
        self._listing = False

    def _listed(self, sections: object) -> None:
        assert isinstance(sections, list)
        combo = self.section_combo
        combo.blockSignals(True)
        try:
            combo.clear()
            for s in sections:
                text = f"{s.code}  {s.name}"
                if not s.open_for_bids:
                    text += "  " + self.tr("(closed)")
                combo.addItem(text, s.id)
            if self.section_id:
                self._select_in_combo(self.section_id)
            else:
                combo.setCurrentIndex(-1)
        finally:
            combo.blockSignals(False)
        self.sectionsListed.emit(len(sections))

    def _list_failed(self, exc: object) -> None:
        if isinstance(exc, BaseException):
            self.section_status.setText(
                self.tr("The sections could not be listed: {0}").format(
                    self.ctx.errors.message(exc)
                )
            )

    def _load(self, sid: str, *, restore: bool) -> None:
        if self.ctx.identity is None:
            self._pending_section = sid
            self._update_login_hint()
            return
        self._pending_section = None
        self.section_status.setText(self.tr("Loading section {0}…").format(sid))
        self.section_status.setStyleSheet("")
        draft_file = draft_path(self.ctx.drafts_dir, sid) if restore else None
        self._load_restore = restore
        if restore:
            # What is added or typed now would be replaced by the draft: wait for it.
            self._set_editing(False)
            self.section_combo.setEnabled(True)
            self.reload_button.setEnabled(True)
        task = run_task(_load_section, self.ctx, sid, draft_file)
        # Only the newest load counts (another section may have been chosen meanwhile); the
        # slots are bound methods so that a closed page is disconnected, not called.
        self._load_task = task
        task.on_done(self._loaded).on_error(self._load_failed).start()

    def _current_load(self) -> bool:
        task = self._load_task
        return task is not None and self.sender() is task.signals

    def _load_failed(self, exc: object) -> None:
        if not self._current_load() or not isinstance(exc, BaseException):
            return
        self._load_task = None
        self._set_editing(self.seal_task is None and not self._load_restore)
        self.section_combo.setEnabled(True)
        self.reload_button.setEnabled(True)
        self.section_status.setStyleSheet("color: #c0392b;")
        self.section_status.setText(
            self.tr("The section could not be loaded: {0}").format(self.ctx.errors.message(exc))
        )

    def _loaded(self, result: object) -> None:
        if not self._current_load():
            return
        self._load_task = None
        restore = self._load_restore
        assert isinstance(result, tuple)
        section, draft, draft_problem, sizes = result
        if section.id != self.section_id:
            return
        old_form = self.section.form if self.section is not None else None
        self.section_status.clear()
        notes: list[str] = []
        self._restoring = True
        try:
            self.section = section
            if restore:
                self.form_widget.build(section.form)
                if draft is not None:
                    notes += self._restore_draft(draft, sizes)
                self._draft_locked = (
                    self.section_id if isinstance(draft_problem, DraftUnreadableError) else None
                )
                if draft_problem is not None:
                    notes.append(
                        self.tr("Your saved draft could not be read and was set aside: {0}").format(
                            self.ctx.errors.message(draft_problem)
                        )
                    )
            elif section.form != old_form:
                values = self.form_widget.raw_values()
                self.form_widget.build(section.form)
                notes += self._lost_fields(self.form_widget.set_raw_values(values))
        finally:
            self._restoring = False
        if notes:
            self.doc_message.setText("\n".join(notes))
        self._set_editing(self.seal_task is None)
        self._show_section_info()
        self._update_state()
        self.sectionLoaded.emit(section)

    def _restore_draft(self, draft: Draft, sizes: dict[str, int | None]) -> list[str]:
        """Put a saved draft back; the notes for what could not be (missing files, fields
        the form no longer has)."""
        if draft.section_id != self.section_id:
            return []  # another section's draft (an old file name scheme): never its prices
        self.documents.set_entries(DocumentEntry(Path(p), sizes.get(p)) for p in draft.documents)
        notes = self._lost_fields(self.form_widget.set_raw_values(draft.fields))
        self.output_edit.setText(draft.output)
        self.last_sealed = draft.last_sealed
        missing = self.documents.missing()
        if missing:
            notes.append(
                self.tr(
                    "{0} document(s) of your draft are missing: {1}. Put them back"
                    " or remove them from the list."
                ).format(len(missing), ", ".join(str(p) for p in missing))
            )
        if draft.last_sealed:
            self.seal_status.setText(self.tr("Last sealed: {0}").format(draft.last_sealed))
        return notes

    def _lost_fields(self, keys: list[str]) -> list[str]:
        if not keys:
            return []
        return [
            self.tr(
                "The tender's form no longer has these fields; their values were not used: {0}"
            ).format(", ".join(keys))
        ]

    def _show_section_info(self) -> None:
        s = self.section
        if s is None:
            self.section_info.setText(
                self.tr("Loading…") if self.section_id else self.tr("No section chosen.")
            )
            self.countdown_label.clear()
            return
        self.section_info.setText(
            self.tr(
                "<b>{0}</b> ({1})<br>Bid deadline: {2} · Opening: {3} · Tender version: {4}"
            ).format(
                html.escape(s.name),
                html.escape(s.code),
                fmt_time(s.deadline),
                fmt_time(s.opening_time),
                html.escape(s.tender_version or "—"),
            )
        )
        self._show_countdown()

    def _show_countdown(self) -> None:
        s = self.section
        if s is None or not self.isVisible():
            return
        left = s.deadline - self.ctx.server_now()
        if left.total_seconds() > 0:
            self.countdown_label.setStyleSheet("")
            self.countdown_label.setText(
                self.tr("Bid deadline in {0} (platform clock)").format(fmt_countdown(left))
            )
        else:
            self.countdown_label.setStyleSheet("color: #c0392b;")
            self.countdown_label.setText(
                self.tr("The bid deadline has passed: the platform refuses submissions now.")
            )

    # -- login --

    def _connection_changed(self) -> None:
        self._update_login_hint()
        # A hidden page does not go to the network: the list is read when it is shown.
        self._sections_stale = True
        if self.isVisible():
            self.refresh_sections()
        if self.ctx.identity is not None and self._pending_section:
            self._load(self._pending_section, restore=self.section is None)
        self._update_preview()

    def _update_login_hint(self) -> None:
        if self.ctx.identity is not None:
            self.login_hint.clear()
            self.login_hint.hide()
            self.login_button.hide()
            return
        if self._pending_section:
            text = self.tr("Log in with your certificate to load section {0}.").format(
                self._pending_section
            )
        else:
            text = self.tr("Log in with your certificate to see the sections and seal a bid.")
        self.login_hint.setText(text)
        self.login_hint.show()
        self.login_button.show()

    def _ask_login(self) -> None:
        window = self.window()
        show_login = getattr(window, "show_login", None)
        if callable(show_login):
            show_login()

    # -- documents --

    def add_files(self) -> None:
        start = str(self.ctx.setting("prepare/last_dir", str(Path.home())))
        names, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Add documents to the bid"), start, self.tr("All files (*)")
        )
        if names:
            self.ctx.set_setting("prepare/last_dir", str(Path(names[0]).parent))
            self.add_paths([Path(n) for n in names])

    def add_paths(self, paths: list[Path], row: int = -1) -> list[str]:
        """Add files (at ``row``); shows and returns the messages for the refused ones."""
        problems = self.documents.add_paths(paths, row)
        self._show_rejected(problems)
        return problems

    def _show_rejected(self, problems: list[str]) -> None:
        self.doc_message.setText("\n".join(problems))

    def remove_selected(self) -> None:
        rows = self.doc_view.selected_rows()
        self.documents.remove_rows(rows)
        if self.documents.rowCount():
            self.doc_view.selectRow(min(rows[0] if rows else 0, self.documents.rowCount() - 1))

    def move_selected(self, delta: int) -> None:
        self.documents.move_rows(self.doc_view.selected_rows(), delta)
        current = self.doc_view.currentIndex()
        if current.isValid():
            self.doc_view.scrollTo(current)

    # -- state, preview, draft --

    def seal_blockers(self) -> list[str]:
        """Why sealing cannot start now (empty when it can)."""
        if self.section is None:
            return [self.tr("choose a section")]
        out: list[str] = []
        if not self.section.open_for_bids or self.section.deadline <= self.ctx.server_now():
            out.append(self.tr("the bid deadline has passed (platform time)"))
        if self.documents.rowCount() == 0:
            out.append(self.tr("add at least one document"))
        missing = self.documents.missing()
        if missing:
            out.append(self.tr("missing documents: {0}").format(", ".join(p.name for p in missing)))
        out += self.form_widget.problems()
        return out

    def _changed(self) -> None:
        self._update_state()
        if (
            not self._restoring
            and self.section_id
            and self.section is not None
            and self._draft_locked != self.section_id
        ):
            self.drafts.schedule(draft_path(self.ctx.drafts_dir, self.section_id), self._draft())

    def _draft(self) -> Draft:
        assert self.section_id is not None
        return Draft(
            section_id=self.section_id,
            documents=[str(p) for p in self.documents.paths()],
            fields=self.form_widget.raw_values(),
            output=self.output_edit.text().strip(),
            last_sealed=self.last_sealed,
        )

    def _draft_failed(self, exc: object) -> None:
        if isinstance(exc, BaseException):
            self.seal_status.setText(
                self.tr("Your draft could not be saved: {0}").format(self.ctx.errors.message(exc))
            )

    def _update_state(self) -> None:
        n = self.documents.rowCount()
        self.total_label.setText(
            self.tr("{0} document(s), {1} in total").format(
                n, fmt_size(self.documents.total_size())
            )
        )
        blockers = self.seal_blockers()
        busy = self.seal_task is not None
        self.seal_button.setEnabled(not blockers and not busy)
        if blockers and self.section is not None:
            self.reason_label.setText(self.tr("Cannot seal yet: {0}").format("; ".join(blockers)))
            self.reason_label.show()
        else:
            self.reason_label.clear()
            self.reason_label.setVisible(False)
        has_rows = n > 0 and not busy
        self.remove_button.setEnabled(has_rows)
        self.up_button.setEnabled(has_rows)
        self.down_button.setEnabled(has_rows)
        self.export_button.setEnabled(self.section is not None)
        self.output_edit.setPlaceholderText(
            self.tr("Default: {0}").format(str(self._default_output("<time>")))
            if self.section is not None
            else ""
        )
        self._update_preview()

    def bidder(self) -> dict[str, Any]:
        """Name and unified social credit code, as the certificate says (what sealing puts in
        the bid's header)."""
        identity = self.ctx.identity
        if identity is None:
            return {"name": self.tr("(not signed in)"), "org_code": None}
        from crypto.envelope import bidder_of

        return bidder_of(identity.signing_cert)

    def _update_preview(self) -> None:
        self.preview.setHtml(self.preview_html())

    def preview_html(self) -> str:
        """The 开标一览表 as it will be printed (the PDF export renders the same values)."""
        s = self.section
        if s is None:
            return "<p>" + html.escape(self.tr("Choose a section to see its form.")) + "</p>"
        e = html.escape
        bidder = self.bidder()
        head = [
            (self.tr("Section"), f"{s.name}（{s.code}）"),
            (self.tr("Bidder"), str(bidder.get("name") or "—")),
            (self.tr("Unified social credit code"), str(bidder.get("org_code") or "—")),
            (self.tr("Opening time"), fmt_time(s.opening_time)),
        ]
        rows = [f"<tr><th align='left'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in head]
        cells: list[str] = []
        widget = self.form_widget
        for f in s.form.fields:
            label = f.label + (f"（{f.unit}）" if f.unit and f.type == "money" else "")
            text = widget.field_text(f.key) if f.key in widget.keys() else ""
            problem = widget.field_problem(f.key) if f.key in widget.keys() else None
            if not text.strip():
                value = e(self.tr("(not filled in)") if f.required else "—")
            elif problem:
                value = f"{e(text)}<br><span style='color:#c0392b'>{e(problem)}</span>"
            elif f.type == "money":
                figures, capitals = money_text(normalize_money(text)[0], f.unit)
                value = f"{e(figures)}<br>{e(self.tr('In capitals: {0}').format(capitals))}"
            else:
                value = e(f"{text.strip()} {f.unit}" if f.unit else text.strip())
            cells.append(f"<tr><th align='left'>{e(label)}</th><td>{value}</td></tr>")
        table = "<table border='1' cellspacing='0' cellpadding='6' width='100%'>{0}</table>"
        return (
            f"<h2 align='center'>{e(self.tr('Bid summary form'))}</h2>"
            + table.format("".join(rows))
            + "<br>"
            + table.format(
                f"<tr><th align='left'>{e(self.tr('Item'))}</th>"
                f"<th align='left'>{e(self.tr('Bid'))}</th></tr>" + "".join(cells)
            )
        )

    def export_preview(self, path: Path | None = None) -> None:
        """Save the summary as the printable PDF (reports.summary_pdf), in a worker."""
        s = self.section
        if s is None:
            return
        if path is None:
            suggested = self.ctx.bids_dir / f"{_file_safe(s.code)}-开标一览表.pdf"
            name, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("Export the bid summary as PDF"),
                str(suggested),
                self.tr("PDF (*.pdf)"),
            )
            if not name:
                return
            path = Path(name)
        run_task(
            _export_pdf, s.form, self.form_widget.summary(), s, self.bidder(), Path(path)
        ).on_done(self._exported).start()

    def _exported(self, path: object) -> None:
        self.ctx.status.emit(self.tr("Bid summary saved as {0}").format(str(path)))
        self.previewExported.emit(str(path))

    def hideEvent(self, event: QHideEvent) -> None:
        self.drafts.flush()  # leaving the page (or quitting) must not lose the last keystrokes
        super().hideEvent(event)

    # -- output --

    def _default_output(self, stamp: str | None = None) -> Path:
        code = self.section.code if self.section is not None else (self.section_id or "bid")
        if stamp is None:
            stamp = self.ctx.server_now().astimezone(CST).strftime("%Y%m%d-%H%M%S")
        return self.ctx.bids_dir / f"{_file_safe(code)}-{stamp}.sealbid"

    def output_path(self) -> Path:
        """Where the next sealing writes: the chosen file, or a fresh default name."""
        text = self.output_edit.text().strip()
        if not text:
            return self._default_output()
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.ctx.bids_dir / path
        if not path.suffix:
            path = path.with_suffix(".sealbid")
        return path

    def confirm_overwrite(self, path: Path) -> bool:
        """Replace a sealed file the user chose? (No by default: it may be the one submitted.)"""
        return ask_yes_no(
            self,
            self.tr("Replace the sealed file?"),
            self.tr(
                "{0} already exists; it may be the bid you submitted or are uploading."
                " Replace it with the new sealed bid?"
            ).format(str(path)),
        )

    def choose_output(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save the sealed bid as"),
            str(self.output_path()),
            self.tr("Sealed bids (*.sealbid)"),
        )
        if name:
            self.output_edit.setText(name)

    # -- sealing --

    def _seal_shortcut(self) -> None:
        if self.seal_button.isEnabled():
            self.start_seal()

    def start_seal(self) -> None:
        """Seal in a worker; needs a signed-in identity and nothing in ``seal_blockers``."""
        if self.seal_task is not None:
            return
        if self.ctx.identity is None:
            self._refuse_without_login()
            return
        blockers = self.seal_blockers()
        if blockers or self.section is None or self.section_id is None:
            self._update_state()
            return
        out = self.output_path()
        if out.exists():
            if self.output_edit.text().strip():
                if not self.confirm_overwrite(out):
                    return
            else:
                out = _unused(out)
        self.result_box.hide()
        self.seal_status.setText(self.tr("Preparing…"))
        self.progress_bar.setValue(0)
        self.progress_label.clear()
        self.progress_box.show()
        self._set_editing(False)
        task = run_task(
            _seal,
            self.ctx,
            self.ctx.identity,
            self.section_id,
            self.section.tender_version,
            self.documents.paths(),
            out,
            self.form_widget.summary(),
            self.chunk_size,
        )
        self.seal_task = task
        task.ask_before_quit(self.tr("Sealing the bid for {0}").format(self.section.code))
        task.with_progress(self._seal_progress).with_status(self.seal_status.setText)
        task.on_done(self._seal_done).on_error(self._seal_failed)
        task.on_cancelled(self._seal_cancelled).on_finished(self._seal_finished)
        self._update_state()
        task.start()

    def cancel_seal(self) -> None:
        if self.seal_task is not None:
            self.seal_task.cancel()
            self.cancel_button.setEnabled(False)
            self.seal_status.setText(self.tr("Cancelling…"))

    def _refuse_without_login(self) -> None:
        text = self.tr(
            "Log in with your certificate before sealing: the bid is signed with your signing"
            " key and must open with your own encryption key."
        )
        self.seal_status.setText(text)
        self.sealFailed.emit(text)
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(self.tr("Not signed in"))
        box.setText(text)
        box.setInformativeText(self.tr("Log in now?"))
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.setAccessibleName(self.tr("Not signed in"))
        box.accepted.connect(self._ask_login)
        self.login_prompt = box
        box.open()

    def _seal_progress(self, done: int, total: int) -> None:
        self.progress_bar.setValue(done * _PROGRESS_STEPS // total if total else _PROGRESS_STEPS)
        self.progress_label.setText(self.tr("{0} of {1}").format(fmt_size(done), fmt_size(total)))
        if total and done >= total:
            self.seal_status.setText(self.tr("Checking that your key opens the bid…"))
        self.sealProgress.emit(done, total)

    def _seal_done(self, result: object) -> None:
        assert isinstance(result, SealResult)
        self.last_result = result
        self.last_sealed = str(result.path)
        lines = [
            self.tr("Self-check passed: your key opens this bid."),
            self.tr("File: {0}").format(str(result.path)),
            self.tr("Size: {0} ({1} bytes)").format(fmt_size(result.size), f"{result.size:,}"),
            self.tr("Section: {0}").format(result.section),
            self.tr("Signed by: {0}").format(result.signer),
            self.tr("Documents: {0}").format(len(result.documents)),
            self.tr("Payload SHA-256: {0}").format(result.payload_sha256),
            self.tr("The bid is not submitted yet: submit it before the deadline."),
        ]
        self.result_label.setText("\n".join(lines))
        self.result_box.show()
        self.seal_status.setText(self.tr("Sealed: {0}").format(str(result.path)))
        self.ctx.status.emit(self.tr("Bid sealed: {0}").format(str(result.path)))
        self._changed()  # the draft remembers the sealed file
        self.submit_button.setFocus()
        # Announced once the page is ready for the next seal (_seal_finished): a listener
        # that seals again at once must not find the finished task still registered.
        self._just_sealed = result

    def _seal_failed(self, exc: object) -> None:
        if not isinstance(exc, BaseException):
            return
        message = self.ctx.errors.message(exc)
        self.seal_status.setText(
            self.tr("Sealing failed; no file was written: {0}").format(message)
        )
        self.ctx.errors.show(exc)
        self.sealFailed.emit(message)
        if isinstance(exc, TenderChangedError) and self.section_id:
            self._load(self.section_id, restore=False)

    def _seal_cancelled(self) -> None:
        self.seal_status.setText(self.tr("Sealing cancelled. No file was written."))
        self.sealCancelled.emit()

    def _seal_finished(self) -> None:
        self.seal_task = None
        self.progress_box.hide()
        self.cancel_button.setEnabled(True)
        self._set_editing(True)
        self._update_state()
        result, self._just_sealed = self._just_sealed, None
        if result is not None:
            self.sealed.emit(result)
            self.ctx.sealedBid.emit(result.section, str(result.path))
        if self._after_seal is not None:
            item, self._after_seal = self._after_seal, None
            self.show_item(item)

    def _set_editing(self, enabled: bool) -> None:
        for w in (
            self.section_combo,
            self.reload_button,
            self.doc_view,
            self.add_button,
            self.form_widget,
            self.output_edit,
            self.output_button,
        ):
            w.setEnabled(enabled)

    def submit_now(self) -> None:
        if self.last_result is None:
            return
        self.ctx.navigate.emit(
            "submissions",
            {"section": self.last_result.section, "path": str(self.last_result.path)},
        )

    def _open_folder(self) -> None:
        if self.last_result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_result.path.parent)))


def _unused(path: Path) -> Path:
    """``path``, or ``name-2.sealbid``, ``name-3.sealbid`` … whichever does not exist yet."""
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def _file_safe(text: str) -> str:
    return _UNSAFE_FILE_CHARS.sub("_", text).strip(". ") or "bid"
