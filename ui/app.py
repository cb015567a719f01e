"""Start the desktop app: ``sealbid`` with no arguments, or ``python -m ui``.

sys.exit(run_app())
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QThreadPool
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

__all__ = ["make_context", "run_app"]


def make_context(data_dir: Path | None = None, settings: QSettings | None = None):  # type: ignore[no-untyped-def]
    from .context import AppContext

    return AppContext(
        settings=settings
        or QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "SealBid", "SealBid"),
        data_dir=data_dir,
    )


def run_app(argv: Sequence[str] | None = None) -> int:
    QCoreApplication.setOrganizationName("SealBid")
    QCoreApplication.setApplicationName("SealBid")
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication.instance() or QApplication(list(argv or sys.argv))
    logging.basicConfig(level=logging.WARNING)
    from .i18n import install_language
    from .mainwindow import MainWindow

    ctx = make_context()
    install_language(app, ctx.language)
    window = MainWindow(ctx)
    window.show()
    window.start()
    code = app.exec()
    # Workers finish (a cancelled upload keeps its state) before the platform stops.
    QThreadPool.globalInstance().waitForDone(10_000)
    ctx.close()
    return int(code)
