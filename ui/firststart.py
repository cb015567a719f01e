"""The first-start choice: the embedded sandbox platform, or a real platform's URL."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from client import normalise_base_url
from sealbid.errors import SealBidError

from .context import AppContext

__all__ = ["FirstStartDialog"]


class FirstStartDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Welcome to SealBid"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Choose the trading platform to work with. The sandbox platform runs inside"
                " this app with demo projects and demo certificates, so you can try the whole"
                " flow at once; bids made there are for practice only."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.sandbox = QRadioButton(
            self.tr("Use the built-in &sandbox platform (recommended to start)")
        )
        self.remote = QRadioButton(self.tr("Connect to a &platform URL:"))
        group = QButtonGroup(self)
        group.addButton(self.sandbox)
        group.addButton(self.remote)
        self.sandbox.setChecked(True)
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://ggzy.example.gov.cn")
        self.url.setAccessibleName(self.tr("Platform URL"))
        self.url.setEnabled(False)
        self.remote.toggled.connect(self.url.setEnabled)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        for w in (self.sandbox, self.remote, self.url, self.error):
            layout.addWidget(w)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        if self.sandbox.isChecked():
            self.ctx.set_setting("platform/mode", "sandbox")
            self.accept()
            return
        try:
            url = normalise_base_url(self.url.text().strip())
        except SealBidError as exc:
            self.error.setText(self.ctx.errors.message(exc))
            return
        self.ctx.set_setting("platform/url", url)
        self.ctx.set_setting("platform/mode", "url")
        self.accept()
