"""Start the desktop app: ``sealbid`` with no arguments, or ``python -m ui``.

    sys.exit(run_app())

``SEALBID_DATA_DIR`` moves the data folder (settings, receipts, drafts, the sandbox platform)
away from the per-user default: for a portable copy, screenshots and tests.
``SEALBID_SMOKE_TEST=1`` starts as usual (the sandbox platform when chosen), prints
``SealBid ready`` with the platform URL once the login dialog is up, and quits: the packaged
app's start-up check.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QSettings, Qt, QThreadPool, Signal
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from . import shipped
from .context import AppContext
from .mainwindow import MainWindow

__all__ = ["make_context", "run_app"]


def make_context(data_dir: Path | None = None, settings: QSettings | None = None) -> AppContext:
    """The app's context: data folder and settings from ``SEALBID_DATA_DIR`` when set (the
    settings then live in its ``settings.ini``), else the per-user defaults."""
    env_dir = os.environ.get("SEALBID_DATA_DIR")
    if data_dir is None and env_dir:
        data_dir = Path(env_dir)
    if settings is None:
        if data_dir is not None:
            settings = QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)
        else:
            settings = QSettings(
                QSettings.Format.IniFormat, QSettings.Scope.UserScope, "SealBid", "SealBid"
            )
    return AppContext(settings=settings, data_dir=data_dir)


def icon_path() -> Path:
    """The app's icon (``installer/make_icon.py`` draws it)."""
    return shipped("ui", "icons", "sealbid.png")


def run_app(argv: Sequence[str] | None = None, open_files: Sequence[str] = ()) -> int:
    """The desktop app; ``open_files``: sealed-bid files to show once the window is up (a
    double click on a ``.sealbid`` file)."""
    QCoreApplication.setOrganizationName("SealBid")
    QCoreApplication.setApplicationName("SealBid")
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv))
    logging.basicConfig(level=logging.WARNING)
    icon = icon_path()
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    from .i18n import install_language

    ctx = make_context()
    from ._single import SingleInstance

    instance = SingleInstance(ctx.data_dir)
    install_language(app, ctx.language)
    if not instance.acquire():
        # The app is already open on this data folder: it shows the files and comes forward.
        if instance.forward(open_files):
            return 0
        QMessageBox.warning(
            None,
            "SealBid",
            "SealBid 密封投标已在运行，但没有响应。请切换到已打开的窗口，或稍后再试。\n"
            "SealBid is already running but does not answer. Switch to its window, or try"
            " again in a moment.",
        )
        return 1
    window = MainWindow(ctx)
    _log_to_file(ctx.data_dir / "logs" / "sealbid.log", window)
    instance.listen()
    instance.filesReceived.connect(window.receive_files)
    window.show()
    if open_files:
        from PySide6.QtCore import QTimer

        files = list(open_files)
        QTimer.singleShot(0, lambda: window.open_sealed_files(files))
    if os.environ.get("SEALBID_SMOKE_TEST") == "1":
        _smoke(app, window, len(open_files))
    window.start()
    code = app.exec()
    # Workers stop (a cancelled upload keeps its state) before the platform stops.
    from .tasks import cancel_all

    cancel_all()
    if QThreadPool.globalInstance().waitForDone(30_000):
        ctx.close()
    elif ctx.sandbox is not None:
        # A worker still runs (a network call that ignores cancel): the process ends now;
        # the platform's data is committed, so only the sandbox is stopped.
        ctx.sandbox.stop()
    # Only now may another start take the data folder (the sandbox has stopped).
    instance.close()
    return int(code)


class _SafeRotatingFileHandler(RotatingFileHandler):
    """Rotation that never loses the log: on Windows the rename fails while another program
    has the file open (a viewer); the file then simply grows this session."""

    def doRollover(self) -> None:
        try:
            super().doRollover()
        except OSError:
            self.maxBytes = 0  # no more attempts this session
            if self.stream is None:
                self.stream = self._open()


class _Uncaught(QObject):
    """Carries an error caught on any thread to the error dialog on the GUI thread."""

    caught = Signal(object)


def _log_to_file(path: Path, window: MainWindow) -> None:
    """Warnings and errors to ``path`` (1 MB, 3 kept), and an error nobody caught — on the GUI
    thread or any other — written there and shown: the windowed program (``sealbidw``) has no
    console, so without this an unexpected error would vanish. An uncaught error is logged by
    its type and stack frames only, never its message (a library's message might hold what
    it was given), as the error dialog does; the file is safe to send to support."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _SafeRotatingFileHandler(path, maxBytes=1 << 20, backupCount=3, encoding="utf-8")
    except OSError as exc:
        logging.getLogger(__name__).warning("no log file %s: %s", path, exc.strerror)
        return
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    uncaught_log = logging.getLogger("sealbid.uncaught")
    carrier = _Uncaught(window)  # lives on the GUI thread: its signal is queued from others
    carrier.caught.connect(window.ctx.errors.show)
    previous = sys.excepthook

    def report(kind: type[BaseException], exc: BaseException | None, tb: Any) -> None:
        frames = "".join(traceback.format_tb(tb)) if tb is not None else ""
        uncaught_log.error("uncaught %s\n%s", kind.__name__, frames)
        if exc is None:
            return
        try:
            carrier.caught.emit(exc)
        except RuntimeError:  # the window is gone (quitting)
            pass

    def hook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, exc, tb)
            return
        report(kind, exc, tb)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if issubclass(args.exc_type, SystemExit):
            return
        report(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook


def _smoke(app: QApplication, window: MainWindow, expected_files: int = 0) -> None:
    """Quit once the platform is up and the login dialog shows, and each sealed-bid file
    given has been shown (SEALBID_SMOKE_TEST=1)."""
    from PySide6.QtCore import QTimer

    from .login import LoginDialog
    from .sealedfile import SealedFileDialog

    started = time.monotonic()
    # A windowed program on Windows has no stdout: SEALBID_SMOKE_OUT names a file that gets the
    # same lines.
    out_file = os.environ.get("SEALBID_SMOKE_OUT")

    def say(line: str) -> None:
        print(line, flush=True)
        if out_file:
            with open(out_file, "a", encoding="utf-8", newline="\n") as f:
                f.write(line + "\n")

    def failed(code: str, text: str) -> None:
        say(f"SealBid failed to start: {code}: {text}")
        app.exit(1)

    if not window.ctx.platform_mode:
        window.ctx.set_setting("platform/mode", "sandbox")
    window.ctx.errors.interactive = False
    window.ctx.errors.shown.connect(failed)

    def check() -> None:
        dialogs = [w for w in app.topLevelWidgets() if isinstance(w, LoginDialog) and w.isVisible()]
        # Files given to open (the .sealbid association): each one shown, read or refused.
        files = [w for w in app.topLevelWidgets() if isinstance(w, SealedFileDialog)]
        if len(files) < expected_files or any(f.info is None and not f.error for f in files):
            dialogs = []
        if dialogs and window.ctx.platform_url:
            for f in files:
                if f.info is None:
                    say(f"SealBid could not read {f.path.name}: {f.error}")
                    app.exit(1)
                    return
                say(f"SealBid showed {f.path.name}: section {f.info.section}")
            say(f"SealBid ready: {window.ctx.platform_url}")
            app.quit()
        elif time.monotonic() - started > 120:
            say("SealBid not ready after 120 s")
            app.exit(1)
        else:
            QTimer.singleShot(100, check)

    QTimer.singleShot(100, check)
