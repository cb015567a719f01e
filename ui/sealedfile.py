"""A sealed-bid file opened from outside the app (a double click on a ``.sealbid`` file, or
``sealbid 投标.sealbid``): what it is, read without a key.

    dialog = SealedFileDialog(ctx, path, parent)
    dialog.show()                     # reads the file in a worker → loaded(BidInfo) / failed(str)

The header is shown only once it matches what the bidder signed (``crypto.inspect``): the
section, the tender version, the bidder, the signing certificate, when it was sealed, the
size and digest of the encrypted payload and who can open it. Nothing is decrypted and nothing
is sent anywhere; an unreadable or damaged file is said as such, in the UI language.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from crypto import BidInfo, inspect

from .context import AppContext
from .errors import describe_error
from .i18n import current_language
from .tasks import run_task
from .widgets import fmt_size, fmt_time

__all__ = ["SealedFileDialog"]


def _when(iso: str | None) -> str:
    """The opening time the bidder wrote into the file, in Beijing time as everywhere."""
    if not iso:
        return "-"
    try:
        return fmt_time(datetime.fromisoformat(iso.replace("Z", "+00:00")))
    except ValueError:
        return iso


class SealedFileDialog(QDialog):
    loaded = Signal(object)  # BidInfo
    failed = Signal(str)

    def __init__(self, ctx: AppContext, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.path = Path(path)
        self.info: BidInfo | None = None
        self.error = ""  # what the user was told when the file could not be read
        self.setWindowTitle(self.tr("Sealed bid file — {0}").format(self.path.name))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(760)
        layout = QVBoxLayout(self)
        self.status = QLabel(self.tr("Reading {0} …").format(self.path))
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAccessibleName(self.tr("File status"))
        layout.addWidget(self.status)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("section", self.tr("Section")),
            ("tender_version", self.tr("Tender version")),
            ("bidder", self.tr("Bidder")),
            ("signer", self.tr("Signing certificate")),
            ("created", self.tr("Sealed at")),
            ("opening", self.tr("Opening time")),
            ("payload", self.tr("Encrypted content")),
            ("recipients", self.tr("Can be opened by")),
            ("file", self.tr("File")),
        ):
            value = QLabel("")
            # Digests do not wrap (one selectable line, monospace); the rest wraps.
            value.setWordWrap(key not in ("tender_version", "payload"))
            if key in ("tender_version", "payload"):
                value.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(label)
            self.form.addRow(label + "：" if current_language() == "zh_CN" else label + ":", value)
            self.fields[key] = value
        note = QLabel(
            self.tr(
                "Read without a key: nothing was decrypted or sent. Submit it from "
                "My submissions; it opens only at the opening."
            )
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        task = run_task(lambda _job: inspect(self.path))
        task.on_done(self._show)
        task.on_error(self._error)
        task.start()

    def _show(self, info: BidInfo) -> None:
        self.info = info
        bidder = info.bidder or {}
        org = bidder.get("org_code") or "-"
        self.fields["section"].setText(info.section)
        self.fields["tender_version"].setText(info.tender_version or "-")
        self.fields["bidder"].setText(f"{bidder.get('name') or '-'} ({org})")
        self.fields["signer"].setText(
            self.tr("{0}, serial {1:x}").format(info.signer_subject, info.signer_serial)
        )
        self.fields["created"].setText(fmt_time(info.created))
        self.fields["opening"].setText(_when(info.opening_time))
        self.fields["payload"].setText(
            self.tr("{0}, SHA-256 {1}").format(fmt_size(info.payload_length), info.payload_sha256)
        )
        self.fields["payload"].setToolTip(info.payload_sha256)
        self.fields["recipients"].setText(
            "\n".join(
                self.tr("{0}, serial {1:x}").format(r.issuer, r.serial) for r in info.recipients
            )
        )
        self.fields["file"].setText(
            self.tr("{0} ({1})").format(str(self.path), fmt_size(info.file_size))
        )
        self.status.setText(
            self.tr("The header matches what the bidder signed (format {0}).").format(info.version)
        )
        # The texts are in: let the form take the heights the wrapped lines need.
        self.adjustSize()
        self.loaded.emit(info)

    def _error(self, exc: BaseException) -> None:
        text = describe_error(exc)
        self.status.setText(self.tr("This is not a readable sealed bid: {0}").format(text))
        self.status.setStyleSheet("color: #b00020")
        self.error = text
        self.failed.emit(text)
