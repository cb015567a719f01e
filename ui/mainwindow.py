"""The main window: navigation on the left, one page at a time, the status bar, the error sink.

    window = MainWindow(ctx)
    window.show()
    window.start()          # first start: choose the platform; then the sandbox and the login

Keyboard: Ctrl+1 … Ctrl+9 switch pages, Ctrl+L logs in, Ctrl+Q quits, F1 the user guide.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import timedelta

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from .certs import CertificatesPage
from .context import STAFF, AppContext
from .envcheck_page import EnvCheckPage
from .firststart import FirstStartDialog
from .hall import HallPage
from .login import LoginDialog
from .operator import OperatorPage
from .prepare import PreparePage
from .receipts_page import ReceiptsPage
from .sandbox import EmbeddedPlatform
from .sections import SectionsPage
from .settings import SettingsPage
from .submissions import SubmissionsPage
from .tasks import Job, quit_blockers, run_task, set_default_error_sink
from .widgets import CST, Page

__all__ = ["MainWindow"]


def _start_sandbox(job: Job, ctx_dir: str) -> EmbeddedPlatform:
    from pathlib import Path

    return EmbeddedPlatform.start(Path(ctx_dir))


def _learn_role(job: Job, ctx: AppContext, identity: object) -> tuple[object, str]:
    with ctx.client() as client:
        session = client.session or client.login()
        return identity, session.role


# Pages that make sense for one kind of account: the others are hidden from the navigation.
_BIDDER_ONLY = ("prepare", "submissions", "hall")
_STAFF_ONLY = ("operator",)


def _measure_offset(job: Job, ctx: AppContext) -> timedelta:
    with ctx.client() as client:
        return client.clock_offset()


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        ctx.errors.setParent(self)
        ctx.errors._parent = self
        set_default_error_sink(ctx.errors.show)
        self.setWindowTitle(self.tr("SealBid — sealed bidding"))
        # Ask before quitting while sealing or uploading (tests switch the question off).
        self.confirm_quit = True
        self._sandbox_starting = False
        self._guide: QDialog | None = None
        self.resize(1200, 780)

        self.nav = QListWidget()
        self.nav.setAccessibleName(self.tr("Navigation"))
        self.nav.setFixedWidth(180)
        self.nav.setStyleSheet("QListWidget::item { padding: 7px 10px; }")
        self.stack = QStackedWidget()
        self.pages: dict[str, Page] = {}
        for page in (
            SectionsPage(ctx),
            PreparePage(ctx),
            SubmissionsPage(ctx),
            ReceiptsPage(ctx),
            HallPage(ctx),
            OperatorPage(ctx),
            CertificatesPage(ctx),
            EnvCheckPage(ctx),
            SettingsPage(ctx),
        ):
            self._add_page(page)
        self.nav.currentRowChanged.connect(self._switch)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_menu()
        self.platform_label = QLabel()
        self.user_label = QLabel()
        self.clock_label = QLabel()
        self.clock_label.setAccessibleName(self.tr("Platform time"))
        bar = self.statusBar()
        bar.addPermanentWidget(self.platform_label)
        bar.addPermanentWidget(self.user_label)
        bar.addPermanentWidget(self.clock_label)
        ctx.status.connect(lambda text: bar.showMessage(text, 10000))
        ctx.identityChanged.connect(self._update_labels)
        ctx.identityChanged.connect(self._learn_role)
        ctx.roleChanged.connect(self._show_pages_for_role)
        ctx.platformChanged.connect(self._update_labels)
        ctx.platformChanged.connect(self.refresh_offset)
        ctx.navigate.connect(self.navigate)
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._show_clock)
        self._tick.start(1000)
        self._offset_timer = QTimer(self)
        self._offset_timer.timeout.connect(self.refresh_offset)
        self._offset_timer.start(5 * 60 * 1000)
        self._update_labels()
        self._show_clock()
        self._show_pages_for_role(ctx.role)
        self.nav.setCurrentRow(0)

    # -- pages --

    def _add_page(self, page: Page) -> None:
        self.pages[page.key] = page
        self.stack.addWidget(page)
        item = QListWidgetItem(page.title())
        item.setData(Qt.ItemDataRole.UserRole, page.key)
        self.nav.addItem(item)

    def _switch(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        page = self.stack.currentWidget()
        if isinstance(page, Page):
            page.activated()

    def _learn_role(self) -> None:
        identity = self.ctx.identity
        if identity is None or not self.ctx.platform_url:
            return

        def learned(result: tuple[object, str]) -> None:
            who, role = result
            if who is self.ctx.identity:  # not an answer about someone logged out since
                self.ctx.set_role(role)

        # A failed login is shown by the pages that need it; the navigation stays as it is.
        run_task(_learn_role, self.ctx, identity).on_done(learned).on_error(
            lambda exc: None
        ).start()

    def _show_pages_for_role(self, role: str) -> None:
        """Bidders do not see the host's console, staff do not see bid preparation; before
        the platform says who is signed in, every page is listed."""
        hide: tuple[str, ...] = ()
        if role == "bidder":
            hide = _STAFF_ONLY
        elif role in STAFF:
            hide = _BIDDER_ONLY
        for row in range(self.nav.count()):
            key = self.nav.item(row).data(Qt.ItemDataRole.UserRole)
            self.nav.setRowHidden(row, key in hide)
        current = self.nav.currentItem()
        if current is not None and current.data(Qt.ItemDataRole.UserRole) in hide:
            target = "operator" if role in STAFF else "sections"
            self.navigate(target)

    def page(self, key: str) -> Page:
        return self.pages[key]

    def navigate(self, key: str, item: object = None) -> None:
        page = self.pages.get(key)
        if page is None:
            return
        self.nav.setCurrentRow(self.stack.indexOf(page))
        if item is not None:
            page.show_item(item)

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&File"))
        login = QAction(self.tr("&Log in…"), self)
        login.setShortcut(QKeySequence("Ctrl+L"))
        login.triggered.connect(self.show_login)
        menu.addAction(login)
        logout = QAction(self.tr("Log &out"), self)
        logout.triggered.connect(self.log_out)
        menu.addAction(logout)
        menu.addSeparator()
        inspect_file = QAction(self.tr("&Open a sealed bid file…"), self)
        inspect_file.setShortcut(QKeySequence("Ctrl+Shift+O"))  # Ctrl+O: a page's upload
        inspect_file.triggered.connect(self._choose_sealed_file)
        menu.addAction(inspect_file)
        menu.addSeparator()
        quit_ = QAction(self.tr("&Quit"), self)
        quit_.setShortcut(QKeySequence.StandardKey.Quit)
        quit_.triggered.connect(self.close)
        menu.addAction(quit_)
        go = self.menuBar().addMenu(self.tr("&Go"))
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            action = QAction(item.text(), self)
            action.setShortcut(QKeySequence(f"Ctrl+{row + 1}"))
            action.triggered.connect(lambda _=False, r=row: self._go_row(r))
            go.addAction(action)
            self.addAction(action)
        # The sandbox's own menu, shown while the embedded sandbox platform runs.
        self.sandbox_menu = self.menuBar().addMenu(self.tr("&Sandbox"))
        practice = QAction(self.tr("New &practice opening…"), self)
        practice.triggered.connect(self.start_practice)
        self.sandbox_menu.addAction(practice)
        self.sandbox_menu.menuAction().setVisible(self.ctx.sandbox is not None)
        self.ctx.platformChanged.connect(
            lambda *_: self.sandbox_menu.menuAction().setVisible(self.ctx.sandbox is not None)
        )
        help_ = self.menuBar().addMenu(self.tr("&Help"))
        guide = QAction(self.tr("&User guide"), self)
        guide.setShortcut(QKeySequence.StandardKey.HelpContents)
        guide.triggered.connect(self.show_guide)
        help_.addAction(guide)
        about = QAction(self.tr("&About SealBid"), self)
        about.triggered.connect(self._about)
        help_.addAction(about)

    def show_guide(self) -> QDialog:
        """The user guide in the UI language (F1); one window, raised again when open."""
        from .guide import GuideWindow

        if self._guide is None:
            self._guide = GuideWindow(self)
        self._guide.show()
        self._guide.raise_()
        return self._guide

    def start_practice(self) -> None:
        """Sandbox › New practice opening: a section closing in a few minutes, demo bids in,
        demo people taking part (ui/_practice.py)."""
        from ._practice import start_practice

        start_practice(self.ctx, self)

    def receive_files(self, files: list[str]) -> None:
        """Another start of the app handed over (``ui._single``): show its files, come forward."""
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        if files:
            self.open_sealed_files(files)

    def _choose_sealed_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Open a sealed bid file"),
            "",
            self.tr("Sealed bids (*.sealbid);;All files (*)"),
        )
        if path:
            self.open_sealed_files([path])

    def open_sealed_files(self, paths: Sequence[str | os.PathLike[str]]) -> list[QDialog]:
        """Show what each sealed-bid file is (a double click on a ``.sealbid`` file opens the
        app with it), read in a worker, without a key; one dialog per file."""
        from pathlib import Path

        from .sealedfile import SealedFileDialog

        dialogs: list[QDialog] = []
        for p in paths:
            dialog = SealedFileDialog(self.ctx, Path(p), self)
            dialog.show()
            dialogs.append(dialog)
        return dialogs

    def _go_row(self, row: int) -> None:
        if not self.nav.isRowHidden(row):  # a page hidden for this account stays hidden
            self.nav.setCurrentRow(row)

    def log_out(self) -> None:
        """Forget the identity (a token is logged out) — after asking, while sealing or an
        upload still needs it."""
        busy = quit_blockers()
        if busy and self.confirm_quit:
            answer = QMessageBox.question(
                self,
                self.tr("Log out?"),
                self.tr(
                    "Still running:\n{0}\n\nLogging out stops it; an upload resumes after you"
                    " log in again. Log out anyway?"
                ).format("\n".join(busy)),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.ctx.set_identity(None)

    def _about(self) -> None:
        from sealbid import __version__

        QMessageBox.about(
            self,
            self.tr("About SealBid"),
            self.tr(
                "SealBid {0}\nAn open client for electronic bidding and remote bid opening.\n"
                "Formats: CMS, X.509, PKCS#12, PKCS#11, RFC 3161, PAdES."
            ).format(__version__),
        )

    # -- status bar --

    def _update_labels(self) -> None:
        ctx = self.ctx
        if ctx.platform_mode == "sandbox":
            where = self.tr("Sandbox platform") + (f" {ctx.sandbox.url}" if ctx.sandbox else "")
        elif ctx.platform_url:
            where = ctx.platform_url
        else:
            where = self.tr("No platform chosen")
        self.platform_label.setText(where)
        if ctx.identity is not None:
            from cryptography.x509.oid import NameOID

            names = ctx.identity.signing_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
            who = (
                str(names[0].value) if names else ctx.identity.signing_cert.subject.rfc4514_string()
            )
            self.user_label.setText(self.tr("Signed in: {0}").format(who))
        else:
            self.user_label.setText(self.tr("Not signed in"))

    def _show_clock(self) -> None:
        now = self.ctx.server_now().astimezone(CST)
        offset = self.ctx.clock_offset.total_seconds()
        self.clock_label.setText(
            self.tr("Platform time {0} (UTC+8), local clock off by {1:+.1f} s").format(
                now.strftime("%H:%M:%S"), -offset
            )
        )

    def refresh_offset(self) -> None:
        if not self.ctx.platform_url:
            return
        # A failing clock check is reported by the environment check, not as a dialog.
        run_task(_measure_offset, self.ctx).on_done(self.ctx.note_clock_offset).on_error(
            lambda exc: None
        ).start()

    # -- start-up: platform, sandbox, login --

    def start(self) -> None:
        """Choose the platform on first start, start the sandbox if chosen, then log in."""
        if not self.ctx.platform_mode:
            dialog = FirstStartDialog(self.ctx, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
        self.ensure_platform(then_login=True)

    def ensure_platform(self, *, then_login: bool = False) -> None:
        if self.ctx.platform_mode == "sandbox" and self.ctx.sandbox is None:
            if self._sandbox_starting:
                return
            self._sandbox_starting = True
            self.ctx.status.emit(self.tr("Starting the sandbox platform…"))

            def ready(sandbox: object) -> None:
                assert isinstance(sandbox, EmbeddedPlatform)
                self.ctx.set_sandbox(sandbox)
                self.ctx.status.emit(self.tr("Sandbox platform ready"))
                # Practice openings made before a restart: their demo people go on.
                from ._practice import resume_practice

                resume_practice(self.ctx, self)
                if then_login:
                    self.show_login()

            def ended() -> None:
                self._sandbox_starting = False

            run_task(_start_sandbox, str(self.ctx.sandbox_dir)).on_done(ready).on_finished(
                ended
            ).start()
            return
        self.ctx.platform_changed()
        if then_login:
            self.show_login()

    def show_login(self) -> None:
        LoginDialog(self.ctx, self).open()

    def closeEvent(self, event: QCloseEvent) -> None:
        busy = quit_blockers()
        if busy and self.confirm_quit:
            answer = QMessageBox.question(
                self,
                self.tr("Quit SealBid?"),
                self.tr(
                    "Still running:\n{0}\n\nAn interrupted upload resumes at the next start; an"
                    " interrupted sealing leaves no file. Quit anyway?"
                ).format("\n".join(busy)),
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self._tick.stop()
        self._offset_timer.stop()
        for page in self.pages.values():
            page.closing()
        event.accept()
