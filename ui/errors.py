"""The app's one error sink (style rule 12): every failure a user meets ends up here.

    sink = ErrorSink(parent=main_window)
    sink.show(exc)               # a dialog with the translated, actionable message
    sink.message(exc)            # the same text, for a status line or a test

SealBid's own errors carry both languages (``SealBidError.diagnostics``); the sink picks the
UI's language. Library and OS errors that escaped translation get a plain sentence and their
type; the traceback goes to the log, never the dialog. Cancelling is not an error and is
never shown (style rule 5).
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from sealbid.errors import CancelledError, SealBidError

from .i18n import current_language

__all__ = ["ErrorSink", "describe_error"]

log = logging.getLogger(__name__)


def describe_error(exc: BaseException, language: str | None = None) -> str:
    """The text a user sees for ``exc`` in ``language`` (default: the UI's)."""
    lang = language or current_language()
    zh = lang.lower().startswith("zh")
    if isinstance(exc, SealBidError):
        return exc.diagnostics(lang)
    if isinstance(exc, OSError):
        where = exc.filename or "-"
        why = exc.strerror or type(exc).__name__
        if zh:
            return f"无法读写文件 {where}：{why}。请检查路径、权限和磁盘空间。"
        return (
            f"Cannot read or write {where}: {why}. Check the path, permissions and free disk space."
        )
    if isinstance(exc, MemoryError):
        return "内存不足。" if zh else "Out of memory."
    name = type(exc).__name__
    if zh:
        return f"发生意外错误（{name}）。操作未完成，已有数据未受影响；请导出环境检测报告并联系技术支持。"
    return (
        f"An unexpected error occurred ({name}). The operation did not complete and nothing"
        " already saved was changed; export the environment report and contact support."
    )


class ErrorSink(QObject):
    """Shows errors as dialogs on the GUI thread; ``shown`` tells tests what was shown."""

    shown = Signal(str, str)  # code, message

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._parent = parent
        self.interactive = True  # tests switch the modal dialog off and read ``shown``
        self.history: list[tuple[str, str]] = []

    def message(self, exc: BaseException) -> str:
        return describe_error(exc)

    def show(self, exc: object) -> None:
        if not isinstance(exc, BaseException) or isinstance(exc, CancelledError):
            return
        code = exc.code if isinstance(exc, SealBidError) else type(exc).__name__
        text = describe_error(exc)
        if not isinstance(exc, SealBidError):
            # Unexpected: keep the traceback for support. Our errors' messages never hold
            # secrets; a library's might, so only the type and the frames go to the log.
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("unexpected %s\n%s", type(exc).__name__, frames)
        else:
            log.info("error %s: %s", code, exc.detail)
        self.history.append((code, text))
        self.shown.emit(code, text)
        if self.interactive:
            box = QMessageBox(self._parent)
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle(self.tr("SealBid"))
            box.setText(text)
            box.setAccessibleName(self.tr("Error message"))
            box.open()
