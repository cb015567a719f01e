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
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QThreadPool
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

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


def run_app(argv: Sequence[str] | None = None) -> int:
    QCoreApplication.setOrganizationName("SealBid")
    QCoreApplication.setApplicationName("SealBid")
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv))
    logging.basicConfig(level=logging.WARNING)
    from .i18n import install_language

    ctx = make_context()
    install_language(app, ctx.language)
    window = MainWindow(ctx)
    window.show()
    if os.environ.get("SEALBID_SMOKE_TEST") == "1":
        _smoke(app, window)
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
    return int(code)


def _smoke(app: QApplication, window: MainWindow) -> None:
    """Quit once the platform is up and the login dialog shows (SEALBID_SMOKE_TEST=1)."""
    from PySide6.QtCore import QTimer

    from .login import LoginDialog

    started = time.monotonic()

    def failed(code: str, text: str) -> None:
        print(f"SealBid failed to start: {code}: {text}", flush=True)
        app.exit(1)

    if not window.ctx.platform_mode:
        window.ctx.set_setting("platform/mode", "sandbox")
    window.ctx.errors.interactive = False
    window.ctx.errors.shown.connect(failed)

    def check() -> None:
        dialogs = [w for w in app.topLevelWidgets() if isinstance(w, LoginDialog) and w.isVisible()]
        if dialogs and window.ctx.platform_url:
            print(f"SealBid ready: {window.ctx.platform_url}", flush=True)
            app.quit()
        elif time.monotonic() - started > 120:
            print("SealBid not ready after 120 s", flush=True)
            app.exit(1)
        else:
            QTimer.singleShot(100, check)

    QTimer.singleShot(100, check)
