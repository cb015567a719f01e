"""PLACEHOLDER — replaced by the real login dialog (issue 6)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from .context import AppContext


class LoginDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
