"""The login dialog: a sandbox demo identity, a certificate file (.p12/.pfx) or a USB key.

    dialog = LoginDialog(ctx, main_window)
    dialog.loggedIn.connect(...)            # after ctx.set_identity(...)
    dialog.open()

Every slow step runs in a worker (ui._login_jobs): reading the file, the PKCS#12 key
derivation, loading the PKCS#11 module and the PIN login, and the platform's challenge and
login. Problems are shown inline in the dialog (wrong password, wrong PIN, locked token,
expired certificate, a certificate the platform does not trust, platform unreachable); the
password or PIN is then cleared, the chosen file kept. The dialog shows the chosen identity's
certificates before the login where they are known (sandbox, token, files opened before) and
after loading them. No password or PIN is ever stored.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from crypto.errors import TokenPinError
from sealbid.errors import SealBidError

from ._certinfo import CertCache, IdentitySummary, file_summary
from ._login_details import CertDetailsView, cert_text
from ._login_jobs import LoginOutcome, LoginRequest, login_job
from ._login_tokens import TokenInfo, list_tokens, module_candidates, token_summary
from .context import AppContext
from .sandbox import SandboxIdentity
from .tasks import Job, Task, run_task
from .widgets import row_table

__all__ = ["LoginDialog"]

log = logging.getLogger(__name__)

_ROLE = Qt.ItemDataRole.UserRole


def _sandbox_people(job: Job, sandbox: Any) -> list[SandboxIdentity]:
    people: list[SandboxIdentity] = sandbox.identities()
    return people


def _preview_file(
    job: Job, data_dir: str, path: str, kind: str, role: str, label: str
) -> IdentitySummary:
    return file_summary(CertCache(Path(data_dir)), Path(path), kind=kind, role=role, label=label)  # type: ignore[arg-type]


def _detect(job: Job, module: str) -> list[TokenInfo]:
    return list_tokens(module)


class LoginDialog(QDialog):
    """Log in: pick an identity, give its password or PIN, the platform checks it."""

    loggedIn = Signal()
    failed = Signal(str)  # the message shown inline
    tokensDetected = Signal(int)  # how many tokens the module showed
    detailsShown = Signal()  # the details panel changed

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Log in with a certificate"))
        self.setModal(True)
        self.resize(820, 560)
        self._task: Task | None = None
        self._abandoned = False
        self._preview_generation = 0
        self._tokens: list[TokenInfo] = []

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Ways to log in"))
        self.sandbox_tab = self._build_sandbox_tab()
        self.file_tab = self._build_file_tab()
        self.token_tab = self._build_token_tab()
        self._sync_sandbox_tab()
        self.tabs.addTab(self.file_tab, self.tr("Certificate &file"))
        self.tabs.addTab(self.token_tab, self.tr("&USB key"))

        self.details = CertDetailsView()
        self.details.setMinimumWidth(320)
        splitter = QSplitter()
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        self.error.setAccessibleName(self.tr("Login problem"))
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setAccessibleName(self.tr("Logging in"))
        self.progress.hide()
        self.status = QLabel()

        self.buttons = QDialogButtonBox()
        self.login_button = self.buttons.addButton(
            self.tr("&Log in"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.login_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.login_button.clicked.connect(self.start_login)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.progress)
        layout.addLayout(row)
        layout.addWidget(self.buttons)

        self.tabs.currentChanged.connect(self._tab_changed)
        ctx.platformChanged.connect(self._sync_sandbox_tab)
        self._watching_platform = True
        self._choose_first_tab()

    # -- the tabs --

    def _build_sandbox_tab(self) -> QWidget:
        tab = QWidget()
        intro = QLabel(
            self.tr(
                "Demo people of the built-in sandbox platform. Pick one and log in: no password"
                " is needed. Certificates and bids here are for practice only."
            )
        )
        intro.setWordWrap(True)
        self.sandbox_model = QStandardItemModel(0, 3, self)
        self.sandbox_model.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("Role"), self.tr("Unified social credit code")]
        )
        self.sandbox_view = row_table(self.sandbox_model, self.tr("Sandbox demo identities"))
        self.sandbox_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.sandbox_view.doubleClicked.connect(lambda _i: self.start_login())
        self.sandbox_view.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._preview_sandbox()
        )
        layout = QVBoxLayout(tab)
        layout.addWidget(intro)
        layout.addWidget(self.sandbox_view, 1)
        return tab

    def _build_file_tab(self) -> QWidget:
        tab = QWidget()
        self.file_path = QComboBox()
        self.file_path.setEditable(True)
        self.file_path.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.file_path.setAccessibleName(self.tr("Certificate file"))
        self.file_path.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.file_path.setMinimumContentsLength(30)
        for path in self.ctx.known_identity_files():
            self.file_path.addItem(path)
        line = self.file_path.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("A .p12 or .pfx file from your CA"))
            line.editingFinished.connect(self._preview_file)
        self.file_path.activated.connect(lambda _i: self._preview_file())
        self.browse_button = QPushButton(self.tr("&Browse…"))
        self.browse_button.clicked.connect(self._browse_file)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Certificate password"))
        self.password.returnPressed.connect(self.start_login)

        file_row = QHBoxLayout()
        file_row.addWidget(self.file_path, 1)
        file_row.addWidget(self.browse_button)
        form = QFormLayout(tab)
        file_label = QLabel(self.tr("Certificate &file:"))
        file_label.setBuddy(self.file_path)
        password_label = QLabel(self.tr("&Password:"))
        password_label.setBuddy(self.password)
        form.addRow(file_label, file_row)
        form.addRow(password_label, self.password)
        note = QLabel(
            self.tr(
                "The password opens the file on this computer only; it is neither sent to the"
                " platform nor saved."
            )
        )
        note.setWordWrap(True)
        form.addRow(note)
        return tab

    def _build_token_tab(self) -> QWidget:
        tab = QWidget()
        self.module_path = QComboBox()
        self.module_path.setEditable(True)
        self.module_path.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.module_path.setAccessibleName(self.tr("PKCS#11 module"))
        self.module_path.setMinimumContentsLength(30)
        saved = str(self.ctx.setting("token/module", ""))
        choices = [saved] if saved else []
        choices += [p for p in module_candidates() if p not in choices]
        for path in choices:
            self.module_path.addItem(path)
        self.module_browse = QPushButton(self.tr("Bro&wse…"))
        self.module_browse.clicked.connect(self._browse_module)
        self.detect_button = QPushButton(self.tr("&Detect tokens"))
        self.detect_button.clicked.connect(self.detect_tokens)

        self.token_model = QStandardItemModel(0, 3, self)
        self.token_model.setHorizontalHeaderLabels(
            [self.tr("Token / certificate"), self.tr("Serial number"), self.tr("Status")]
        )
        self.token_view = QTreeView()
        self.token_view.setModel(self.token_model)
        self.token_view.setAccessibleName(self.tr("USB keys and their certificates"))
        self.token_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.token_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.token_view.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._preview_token()
        )
        self.token_view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setAccessibleName(self.tr("Token PIN"))
        self.pin.returnPressed.connect(self.start_login)

        module_row = QHBoxLayout()
        module_row.addWidget(self.module_path, 1)
        module_row.addWidget(self.module_browse)
        module_row.addWidget(self.detect_button)
        form = QFormLayout()
        module_label = QLabel(self.tr("PKCS#11 &module:"))
        module_label.setBuddy(self.module_path)
        pin_label = QLabel(self.tr("P&IN:"))
        pin_label.setBuddy(self.pin)
        form.addRow(module_label, module_row)
        layout = QVBoxLayout(tab)
        layout.addLayout(form)
        layout.addWidget(self.token_view, 1)
        pin_form = QFormLayout()
        pin_form.addRow(pin_label, self.pin)
        layout.addLayout(pin_form)
        note = QLabel(
            self.tr(
                "The module is the driver of your USB key (from its CA). The PIN goes to the key"
                " only; too many wrong PINs lock it."
            )
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        return tab

    def _sync_sandbox_tab(self) -> None:
        """Offer the demo identities while the sandbox platform runs."""
        present = self.tabs.indexOf(self.sandbox_tab) >= 0
        if self.ctx.sandbox is not None and not present:
            self.tabs.insertTab(0, self.sandbox_tab, self.tr("&Demo identities (sandbox)"))
            run_task(_sandbox_people, self.ctx.sandbox).on_done(self._show_people).start()
        elif self.ctx.sandbox is None and present:
            self.tabs.removeTab(self.tabs.indexOf(self.sandbox_tab))

    def _show_people(self, people: list[SandboxIdentity]) -> None:
        texts = cert_text()
        self.sandbox_model.removeRows(0, self.sandbox_model.rowCount())
        for person in people:
            name = QStandardItem(person.name)
            name.setData(person, _ROLE)
            role = QStandardItem(texts.role(person.role))
            org = QStandardItem(person.org_code or "—")
            self.sandbox_model.appendRow([name, role, org])
        self.sandbox_view.resizeColumnsToContents()
        if people and not self.sandbox_view.currentIndex().isValid():
            first_bidder = next((i for i, p in enumerate(people) if p.role == "bidder"), 0)
            self.sandbox_view.selectRow(first_bidder)

    def _choose_first_tab(self) -> None:
        wanted = str(self.ctx.setting("login/tab", ""))
        tabs = {
            "sandbox": self.sandbox_tab,
            "file": self.file_tab,
            "token": self.token_tab,
        }
        tab = tabs.get(wanted)
        if tab is None or self.tabs.indexOf(tab) < 0:
            tab = self.sandbox_tab if self.tabs.indexOf(self.sandbox_tab) >= 0 else self.file_tab
        self.tabs.setCurrentWidget(tab)
        self._tab_changed()

    def current_tab(self) -> str:
        widget = self.tabs.currentWidget()
        if widget is self.sandbox_tab:
            return "sandbox"
        if widget is self.token_tab:
            return "token"
        return "file"

    def select_tab(self, name: str) -> None:
        tab = {"sandbox": self.sandbox_tab, "file": self.file_tab, "token": self.token_tab}[name]
        self.tabs.setCurrentWidget(tab)

    def _tab_changed(self, _index: int = -1) -> None:
        self._clear_error()
        tab = self.current_tab()
        if tab == "sandbox":
            self._preview_sandbox()
        elif tab == "token":
            self._preview_token()
        else:
            self._preview_file()

    # -- details before the login --

    def _show_details(self, summary: IdentitySummary | None) -> None:
        self.details.show_summary(summary, self.ctx.server_now())
        self.detailsShown.emit()

    def _start_preview(self, *args: Any) -> None:
        self._preview_generation += 1
        generation = self._preview_generation

        def shown(summary: IdentitySummary) -> None:
            if generation == self._preview_generation:
                self._show_details(summary)

        # A preview that cannot be read is no error: the details stay empty until the login.
        run_task(_preview_file, str(self.ctx.data_dir), *args).on_done(shown).on_error(
            lambda exc: None
        ).start()

    def selected_person(self) -> SandboxIdentity | None:
        index = self.sandbox_view.currentIndex()
        if not index.isValid():
            return None
        person = self.sandbox_model.item(index.row(), 0).data(_ROLE)
        return person if isinstance(person, SandboxIdentity) else None

    def _preview_sandbox(self) -> None:
        if self.current_tab() != "sandbox":
            return
        person = self.selected_person()
        if person is None:
            self._show_details(None)
            return
        self._start_preview(str(person.p12), "sandbox", person.role, person.name)

    def _preview_file(self) -> None:
        if self.current_tab() != "file":
            return
        path = self.file_path.currentText().strip()
        if not path:
            self._show_details(None)
            return
        self._start_preview(path, "file", "", "")

    def _preview_token(self) -> None:
        if self.current_tab() != "token":
            return
        token, key_label = self.selected_token()
        self._preview_generation += 1
        self._show_details(token_summary(token, key_label) if token is not None else None)

    def _browse_file(self) -> None:
        start = self.file_path.currentText().strip()
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose your certificate file"),
            str(Path(start).parent) if start else str(Path.home()),
            self.tr("Certificate files (*.p12 *.pfx);;All files (*)"),
        )
        if path:
            self.set_file(path)

    def set_file(self, path: str) -> None:
        """Choose ``path`` as the certificate file (the browse button's result)."""
        index = self.file_path.findText(path)
        if index < 0:
            self.file_path.insertItem(0, path)
            index = 0
        self.file_path.setCurrentIndex(index)
        self._clear_error()
        self._preview_file()
        self.password.setFocus()

    def _browse_module(self) -> None:
        pattern = (
            self.tr("PKCS#11 modules (*.dll)")
            if os.name == "nt"
            else self.tr("PKCS#11 modules (*.so *.dylib)")
        )
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose the PKCS#11 module of your USB key"), "", pattern
        )
        if path:
            self.module_path.setEditText(path)

    # -- tokens --

    def detect_tokens(self) -> None:
        module = self.module_path.currentText().strip()
        if not module:
            self._show_error(self.tr("Choose the PKCS#11 module of your USB key first."))
            return
        self._clear_error()
        self.detect_button.setEnabled(False)
        self.status.setText(self.tr("Looking for USB keys…"))
        (
            run_task(_detect, module)
            .on_done(self._tokens_found)
            .on_error(self._detect_failed)
            .on_finished(self._detect_finished)
            .start()
        )

    def _detect_finished(self) -> None:
        self.detect_button.setEnabled(True)
        if self._task is None:
            self.status.clear()

    def _detect_failed(self, exc: BaseException) -> None:
        self._show_error(self.ctx.errors.message(exc))
        self.tokensDetected.emit(0)

    def _tokens_found(self, tokens: list[TokenInfo]) -> None:
        self._tokens = tokens
        self.token_model.removeRows(0, self.token_model.rowCount())
        texts = cert_text()
        now = self.ctx.server_now()
        for token in tokens:
            if token.locked:
                state = self.tr("PIN locked: ask your CA to unlock it")
            elif token.final_try:
                state = self.tr("One more wrong PIN locks it")
            elif token.problem:
                state = self.tr("Certificates unreadable ({0})").format(token.problem)
            else:
                state = self.tr("Ready")
            top = QStandardItem(token.label)
            top.setData(token, _ROLE)
            row = [top, QStandardItem(token.serial), QStandardItem(state)]
            for cert in token.user_certificates:
                child = QStandardItem(cert.info.common_name)
                child.setData(cert.label, _ROLE)
                top.appendRow(
                    [
                        child,
                        QStandardItem(cert.info.serial),
                        QStandardItem(texts.state(cert.info, now)),
                    ]
                )
            self.token_model.appendRow(row)
        self.token_view.expandAll()
        if tokens:
            self.token_view.setCurrentIndex(self.token_model.index(0, 0))
        else:
            self._show_error(
                self.tr("No USB key found. Plug it in, check the module, and detect again.")
            )
        self._preview_token()
        self.tokensDetected.emit(len(tokens))

    def selected_token(self) -> tuple[TokenInfo | None, str | None]:
        """The token chosen in the list and, if a certificate row is chosen, its label."""
        index = self.token_view.currentIndex()
        if not index.isValid():
            return (self._tokens[0] if len(self._tokens) == 1 else None), None
        index = index.siblingAtColumn(0)
        parent = index.parent()
        if parent.isValid():
            token = self.token_model.itemFromIndex(parent).data(_ROLE)
            key_label = self.token_model.itemFromIndex(index).data(_ROLE)
            return token, (key_label or None)
        return self.token_model.itemFromIndex(index).data(_ROLE), None

    # -- logging in --

    def _secret_field(self) -> QLineEdit | None:
        tab = self.current_tab()
        if tab == "file":
            return self.password
        if tab == "token":
            return self.pin
        return None

    def _request(self) -> LoginRequest | None:
        """The login the dialog asks for, or None after showing what is missing."""
        ctx = self.ctx
        if ctx.platform_mode == "sandbox" and ctx.sandbox is None:
            self._show_error(
                self.tr("The sandbox platform is still starting; try again in a moment.")
            )
            return None
        try:
            kwargs = ctx.client_kwargs()
        except SealBidError as exc:
            self._show_error(ctx.errors.message(exc))
            return None
        kwargs.pop("identity", None)
        common: dict[str, Any] = {"client": kwargs, "data_dir": str(ctx.data_dir)}
        tab = self.current_tab()
        if tab == "sandbox":
            person = self.selected_person()
            if person is None:
                self._show_error(self.tr("Choose a demo identity."))
                return None
            return LoginRequest(
                kind="sandbox",
                path=str(person.p12),
                password_file=str(person.password_file),
                role=person.role,
                **common,
            )
        if tab == "file":
            path = self.file_path.currentText().strip()
            if not path:
                self._show_error(self.tr("Choose your certificate file (.p12 or .pfx)."))
                self.file_path.setFocus()
                return None
            return LoginRequest(
                kind="file", path=path, password=self.password.text().encode("utf-8"), **common
            )
        module = self.module_path.currentText().strip()
        if not module:
            self._show_error(self.tr("Choose the PKCS#11 module of your USB key first."))
            self.module_path.setFocus()
            return None
        token, key_label = self.selected_token()
        if token is not None and token.locked:
            self._show_error(
                self.tr(
                    "The PIN of this USB key is locked after too many wrong PINs. Only its"
                    " issuer (your CA) can unlock it."
                )
            )
            return None
        pin = self.pin.text()
        if not pin and not (token is not None and token.pin_pad):
            self._show_error(self.tr("Enter the PIN of your USB key."))
            self.pin.setFocus()
            return None
        return LoginRequest(
            kind="token",
            module=module,
            token_label=token.label if token is not None else None,
            token_serial=(token.serial or None) if token is not None else None,
            key_label=key_label,
            pin=pin or None,
            **common,
        )

    def start_login(self) -> None:
        if self._task is not None:
            return
        request = self._request()
        if request is None:
            return
        self._clear_error()
        self._set_busy(True)
        self.status.setText(self.tr("Opening the certificate and logging in…"))
        self._task = (
            run_task(login_job, request)
            .on_done(lambda outcome: self._login_done(request, outcome))
            .on_error(self._login_failed)
            .on_finished(self._login_finished)
            .start()
        )

    def _login_done(self, request: LoginRequest, outcome: LoginOutcome) -> None:
        if self._abandoned:
            if outcome.identity is not None:
                outcome.identity.close()
            return
        self._show_details(outcome.summary)
        if outcome.error is not None or outcome.identity is None:
            exc = outcome.error
            self._fail(
                self.ctx.errors.message(exc) if exc is not None else self.tr("Login failed.")
            )
            return
        ctx = self.ctx
        if outcome.offset is not None:
            ctx.note_clock_offset(outcome.offset)
        ctx.set_identity(outcome.identity, source=outcome.source)
        if request.kind == "file":
            ctx.remember_identity_file(request.path)
        if request.kind == "token":
            ctx.set_setting("token/module", request.module)
        ctx.set_setting("login/tab", request.kind)
        self.password.clear()
        self.pin.clear()
        ctx.status.emit(self.tr("Signed in as {0}").format(outcome.name or outcome.summary.label))
        self.loggedIn.emit()
        self.accept()

    def _login_failed(self, exc: BaseException) -> None:
        if self._abandoned:
            return
        message = self.ctx.errors.message(exc)
        if isinstance(exc, TokenPinError):
            token, _ = self.selected_token()
            if token is not None and token.final_try:
                message += "\n" + self.tr("Careful: one more wrong PIN locks this USB key.")
        if not isinstance(exc, SealBidError):
            log.error("login failed unexpectedly: %s", type(exc).__name__)
        self._fail(message)
        if isinstance(exc, TokenPinError) and self._tokens:
            # The token counts wrong PINs: show whether the next one is the last.
            self.detect_tokens()

    def _fail(self, message: str) -> None:
        self._show_error(message)
        secret = self._secret_field()
        if secret is not None:
            secret.clear()
            secret.setFocus()
        self.failed.emit(message)

    def _login_finished(self) -> None:
        self._task = None
        self._set_busy(False)
        self.status.clear()

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.tabs.setEnabled(not busy)
        self.login_button.setEnabled(not busy)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _clear_error(self) -> None:
        self.error.clear()
        self.error.hide()

    def error_text(self) -> str:
        """The inline problem shown now ("" when none)."""
        return self.error.text()

    def reject(self) -> None:
        if self._task is not None:
            # The worker finishes on its own; whatever it opened is closed when it reports.
            self._abandoned = True
            self._task.cancel()
        super().reject()

    def done(self, result: int) -> None:
        self.password.clear()
        self.pin.clear()
        if self._watching_platform:
            # A closed dialog no longer follows the platform (the main window makes a new one).
            self.ctx.platformChanged.disconnect(self._sync_sandbox_tab)
            self._watching_platform = False
        super().done(result)
