"""The user guide inside the app (Help › User guide, F1): ``docs/user-guide.<language>.md``
rendered by Qt's Markdown support, with its screenshots, in the UI language.

    window = GuideWindow(parent)          # or MainWindow's F1
    window.show()

The guide is the same file as in ``docs/`` (a bundle carries it and the screenshots it shows in
the same place under its own folder), so what the app shows and what the repository shows
cannot drift apart. Reading a Markdown file of ~60 KB is quick enough for the GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QUrl
from PySide6.QtGui import QImage, QPixmap, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from . import shipped
from .i18n import current_language

__all__ = ["GuideWindow", "guide_path"]


def guide_path(language: str | None = None) -> Path:
    """The guide in ``language`` (default: the UI's): Chinese for zh*, English otherwise."""
    lang = language or current_language()
    name = "user-guide.zh_CN.md" if lang.lower().startswith("zh") else "user-guide.en.md"
    return shipped("docs", name)


class _GuideBrowser(QTextBrowser):
    """Screenshots (1280 px wide) scaled down to fit a window of normal size."""

    MAX_IMAGE_WIDTH = 820

    def loadResource(self, kind: int, url: QUrl | str) -> Any:  # Qt's override
        resource = super().loadResource(kind, url)
        if kind == QTextDocument.ResourceType.ImageResource.value:
            image = resource if isinstance(resource, QImage) else QImage()
            if isinstance(resource, QPixmap):
                image = resource.toImage()
            elif isinstance(resource, QByteArray | bytes):
                image.loadFromData(resource)
            if not image.isNull() and image.width() > self.MAX_IMAGE_WIDTH:
                return image.scaledToWidth(
                    self.MAX_IMAGE_WIDTH, Qt.TransformationMode.SmoothTransformation
                )
            if not image.isNull():
                return image
        return resource


class GuideWindow(QDialog):
    def __init__(self, parent: QWidget | None = None, language: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("SealBid user guide"))
        self.resize(900, 720)
        layout = QVBoxLayout(self)
        self.browser = _GuideBrowser()
        self.browser.setAccessibleName(self.tr("User guide"))
        # Links to other files of docs/ and the web open outside; anchors stay inside.
        self.browser.setOpenExternalLinks(True)
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.path = guide_path(language)
        if self.path.is_file():
            self.browser.setSource(
                QUrl.fromLocalFile(str(self.path)), QTextDocument.ResourceType.MarkdownResource
            )
        else:
            self.browser.setPlainText(
                self.tr("The user guide is missing from this installation: {0}").format(self.path)
            )
